"""Wait until an association of a member account reaches Success, through an assumed role.

``python3 member_association.py ACCOUNT ROLE REGION ASSOCIATION_NAME [MINUTES]``

Assumes ``arn:<partition>:iam::ACCOUNT:role/ROLE`` (as ``quicksetup status --org --member-role``
does), then reads the association's overview in REGION every 30 s, for at most MINUTES
(default 30). Exit code 0 at Success; 1, in one line, at Failed or when time runs out.
"""

from __future__ import annotations

import sys
import time

import boto3


def overview(ssm, name: str) -> str:
    """The association's Overview.Status, or ``missing`` (Systems Manager API reference,
    ListAssociations: AssociationFilter key ``AssociationName``)."""
    found = ssm.list_associations(
        AssociationFilterList=[{"key": "AssociationName", "value": name}]
    )["Associations"]
    return found[0].get("Overview", {}).get("Status", "Pending") if found else "missing"


def member_client(service: str, account: str, role: str, region: str):
    """A boto3 client of ``service`` in ``region`` of ``account``, through
    ``arn:<partition>:iam::ACCOUNT:role/ROLE`` assumed with the caller's credentials (the
    partition is the caller's, from GetCallerIdentity)."""
    sts = boto3.client("sts")
    partition = sts.get_caller_identity()["Arn"].split(":")[1]
    credentials = sts.assume_role(
        RoleArn=f"arn:{partition}:iam::{account}:role/{role}", RoleSessionName="quicksetup-integ"
    )["Credentials"]
    return boto3.client(
        service,
        region_name=region,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def main(argv: list[str]) -> int:
    if len(argv) not in (4, 5):
        print(__doc__.splitlines()[2], file=sys.stderr)
        return 2
    account, role, region, name = argv[:4]
    deadline = time.monotonic() + 60 * float(argv[4] if len(argv) == 5 else 30)
    ssm = member_client("ssm", account, role, region)
    while (status := overview(ssm, name)) not in ("Success", "Failed"):
        if time.monotonic() > deadline:
            break
        time.sleep(30)
    if status == "Success":
        print(f"{name} in {account}/{region}: Success")
        return 0
    print(f"error: {name} in {account}/{region} is {status}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
