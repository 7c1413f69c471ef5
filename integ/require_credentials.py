"""Check, before ``make integ`` deploys anything, that AWS credentials and a Region are set.

Prints the Region on standard output (the Makefile hands it to integ-runner) and exits 0.
Without credentials or a Region, or when AWS rejects the credentials, prints one line on
standard error saying what to set, and exits 2. Reads ``AWS_REGION`` first, as the AWS CLI
does, then botocore's own sources (``AWS_DEFAULT_REGION``, the profile).
"""

from __future__ import annotations

import os
import sys

HOW = ("set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) and AWS_REGION to the "
       "account and Region to test in")


def main() -> int:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        session = boto3.Session(region_name=os.environ.get("AWS_REGION") or None)
        if session.get_credentials() is None:
            raise LookupError("no AWS credentials found")
        if not session.region_name:
            raise LookupError("no AWS Region set")
        identity = session.client("sts").get_caller_identity()
    except (LookupError, BotoCoreError, ClientError) as error:
        reason = " ".join(str(error).split())
        print(f"error: make integ needs an AWS account: {reason}; {HOW}", file=sys.stderr)
        return 2
    print(f"integ: account {identity['Account']}, Region {session.region_name}", file=sys.stderr)
    print(session.region_name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
