"""Check, before ``make integ`` deploys anything, that AWS credentials and a Region are set.

Prints the Region on standard output (the Makefile hands it to integ-runner) and exits 0.
Without credentials or a Region, or when AWS rejects the credentials, prints one line on
standard error saying what to set, and exits 2. Reads ``AWS_REGION`` first, as the AWS CLI
does, then botocore's own sources (``AWS_DEFAULT_REGION``, the profile).
"""

from __future__ import annotations

import sys

from botocore.exceptions import BotoCoreError, ClientError
from preconditions import CREDENTIALS_HOW, PreconditionFailed, aws_session


def main() -> int:
    try:
        session = aws_session()
        identity = session.client("sts").get_caller_identity()
    except PreconditionFailed as error:
        print(f"error: make integ needs an AWS account: {error}", file=sys.stderr)
        return 2
    except (BotoCoreError, ClientError) as error:
        reason = " ".join(str(error).split())
        print(
            f"error: make integ needs an AWS account: {reason}; {CREDENTIALS_HOW}", file=sys.stderr
        )
        return 2
    print(f"integ: account {identity['Account']}, Region {session.region_name}", file=sys.stderr)
    print(session.region_name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
