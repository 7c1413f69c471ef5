"""What ``make integ`` checks before it deploys anything, so that a run stops early with one
line that says what to set, rather than failing (or passing on placeholders) an hour later.

- :func:`check_environment`, before any synthesis: AWS credentials and a Region are set; the
  organization test's settings are all set once it is asked for, and every setting has the
  shape AWS accepts.
- :func:`check`, once an app is synthesized and before it is deployed: every OU a StackSet
  deploys to holds the member account and no other; the test instances have a VPC; the
  credentials outlive the longest waiter of the assertion stack.

Both use the environment's credentials and Region (``AWS_REGION`` first, as the AWS CLI reads
it, then botocore's own sources) and raise :class:`PreconditionFailed`. The AWS calls:
``organizations:ListAccountsForParent`` and ``ListOrganizationalUnitsForParent`` (apps with
StackSets), ``ec2:DescribeVpcs`` and ``DescribeSubnets`` (apps with instances); besides what
botocore calls to refresh credentials.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import botocore.session
from botocore.credentials import RefreshableCredentials
from botocore.exceptions import BotoCoreError, ClientError

ORG_OU = "QUICKSETUP_INTEG_ORG_OU"
MEMBER_ACCOUNT = "QUICKSETUP_INTEG_MEMBER_ACCOUNT"
MEMBER_ROLE = "QUICKSETUP_INTEG_MEMBER_ROLE"
ORG_CALL_AS = "QUICKSETUP_INTEG_ORG_CALL_AS"
VPC_ID = "QUICKSETUP_INTEG_VPC_ID"

ORGANIZATION_APP = "integ_organization.py"
"""The app that deploys StackSets to ``QUICKSETUP_INTEG_ORG_OU``: without the organization
settings it synthesizes placeholders, which only its offline snapshot may use."""

ORGANIZATION_SETTINGS = {
    ORG_OU: "the OU the organization test deploys to, holding only the member account",
    MEMBER_ACCOUNT: "the member account of that OU where the test checks the deployment",
    MEMBER_ROLE: "a role of the member account that these credentials may assume",
}
"""The settings the organization test needs, each with what it names (``ORG_CALL_AS`` is
optional, ``SELF`` when unset)."""

SHAPES = {
    # Organizations API reference, OrganizationalUnitId (botocore's model has the pattern).
    ORG_OU: (re.compile(r"ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}"), "an OU id (ou-xxxx-xxxxxxxx)"),
    # Organizations API reference, Account: "exactly 12 digits".
    MEMBER_ACCOUNT: (re.compile(r"\d{12}", re.ASCII), "an account id (12 digits)"),
    # IAM API reference, CreateRole: RoleName, 1 to 64 of [\w+=,.@-].
    MEMBER_ROLE: (re.compile(r"[\w+=,.@-]{1,64}", re.ASCII), "a role name (not an ARN)"),
    # CloudFormation API reference, CreateStackSet: CallAs is SELF or DELEGATED_ADMIN.
    ORG_CALL_AS: (re.compile(r"SELF|DELEGATED_ADMIN"), "SELF or DELEGATED_ADMIN"),
    # Amazon EC2 user guide, "Resource IDs": 8 or 17 characters after the hyphen.
    VPC_ID: (re.compile(r"vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})"), "a VPC id (vpc-...)"),
}
"""Each setting's pattern and what it must be, as the API that receives it defines it."""

CREDENTIALS_HOW = (
    "set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) and AWS_REGION to the "
    "account and Region to test in"
)


class PreconditionFailed(Exception):
    """A run cannot pass as things stand; ``str()`` is one line: what is wrong, what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


def aws_session() -> boto3.Session:
    """A session with the environment's credentials and Region (``AWS_REGION`` first). Raises
    :class:`PreconditionFailed` when either is missing; calls no AWS API."""
    session = boto3.Session(region_name=os.environ.get("AWS_REGION") or None)
    try:
        credentials = session.get_credentials()
    except BotoCoreError as error:
        raise PreconditionFailed(
            f"the AWS credentials cannot be read: {error}; {CREDENTIALS_HOW}"
        ) from error
    if credentials is None:
        raise PreconditionFailed(f"no AWS credentials found; {CREDENTIALS_HOW}")
    if not session.region_name:
        raise PreconditionFailed(f"no AWS Region set; {CREDENTIALS_HOW}")
    return session


def check_environment(apps: list[Path]) -> None:
    """Before any synthesis: credentials and a Region are set; when ``apps`` hold the
    organization app or ``QUICKSETUP_INTEG_ORG_OU`` is set, every organization setting is set;
    and every setting that is set has its shape (:data:`SHAPES`)."""
    aws_session()
    runs_organization = any(app.name == ORGANIZATION_APP for app in apps)
    if runs_organization or os.environ.get(ORG_OU):
        reason = f"{ORGANIZATION_APP} is run" if runs_organization else f"{ORG_OU} is set"
        for name, meaning in ORGANIZATION_SETTINGS.items():
            if not os.environ.get(name):
                raise PreconditionFailed(
                    f"{name} is not set, and {reason}: set it to {meaning} (the app's "
                    "placeholders are for its offline snapshot only)"
                )
    for name, (pattern, shape) in SHAPES.items():
        value = os.environ.get(name)
        if value and not pattern.fullmatch(value):
            raise PreconditionFailed(f"{name}={value!r} is not {shape}: set it to {shape}")


def check(app: Path, assembly: Path) -> list[str]:
    """Once ``app`` is synthesized into ``assembly`` (``integ.json`` and the templates), before
    it is deployed: the OUs of its StackSets, the VPC of its instances, and the credentials'
    lifetime against its longest waiter. Returns one note per check; raises
    :class:`PreconditionFailed` with the first that fails."""
    session = aws_session()
    stacks = [
        _template(assembly, stack) for case in _test_cases(assembly) for stack in case["stacks"]
    ]
    notes = []
    organizational_units = _stack_set_organizational_units(stacks)
    if organizational_units:
        notes.append(_check_organizational_units(session, app, organizational_units))
    if any(_resources(stack, "AWS::EC2::Instance") for stack in stacks):
        notes.append(_check_network(session))
    notes.append(_check_credentials_lifetime(session, longest_waiter(assembly)))
    return notes


@contextmanager
def _aws(what: str, remedy: str) -> Iterator[None]:
    """Turns an AWS error while doing ``what`` into :class:`PreconditionFailed`."""
    try:
        yield
    except (BotoCoreError, ClientError) as error:
        raise PreconditionFailed(f"cannot {what}: {error}; {remedy}") from error


def _test_cases(assembly: Path) -> list[dict[str, Any]]:
    return list(json.loads((assembly / "integ.json").read_text())["testCases"].values())


def _template(assembly: Path, stack: str) -> dict[str, Any]:
    path = assembly / f"{stack}.template.json"
    if not path.is_file():
        raise PreconditionFailed(f"the cloud assembly {assembly} has no template {path.name}")
    return json.loads(path.read_text())


def _resources(template: dict[str, Any], type_name: str) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource
        for logical_id, resource in template.get("Resources", {}).items()
        if resource["Type"] == type_name
    }


# The organization ------------------------------------------------------------------------


def _stack_set_organizational_units(stacks: list[dict[str, Any]]) -> set[str]:
    """The OUs that the StackSets of ``stacks`` deploy to. Deployment targets other than OU ids
    (accounts, account filters) are refused: the OU check would not mean what it says."""
    organizational_units = set()
    for stack in stacks:
        for logical_id, stack_set in _resources(stack, "AWS::CloudFormation::StackSet").items():
            for group in stack_set["Properties"].get("StackInstancesGroup", []):
                targets = group["DeploymentTargets"]
                ids = targets.get("OrganizationalUnitIds", [])
                if set(targets) != {"OrganizationalUnitIds"} or not all(
                    isinstance(ou, str) for ou in ids
                ):
                    raise PreconditionFailed(
                        f"StackSet {logical_id} deploys to {json.dumps(targets)}: the check "
                        "that its OU holds only the member account understands OU ids only"
                    )
                organizational_units.update(ids)
    return organizational_units


def _accounts_under(organizations: Any, organizational_unit: str) -> set[str]:
    """Every account under ``organizational_unit``, in it and in its child OUs at any depth
    (a StackSet deploys to them all)."""
    accounts, parents = set(), [organizational_unit]
    while parents:
        parent = parents.pop()
        for page in organizations.get_paginator("list_accounts_for_parent").paginate(
            ParentId=parent
        ):
            accounts.update(account["Id"] for account in page["Accounts"])
        for page in organizations.get_paginator("list_organizational_units_for_parent").paginate(
            ParentId=parent
        ):
            parents.extend(unit["Id"] for unit in page["OrganizationalUnits"])
    return accounts


def _check_organizational_units(session: boto3.Session, app: Path, units: set[str]) -> str:
    member = os.environ.get(MEMBER_ACCOUNT)
    if not member:
        raise PreconditionFailed(
            f"{app.name} deploys StackSets to {', '.join(sorted(units))} and {MEMBER_ACCOUNT} "
            f"is not set: set it to {ORGANIZATION_SETTINGS[MEMBER_ACCOUNT]}"
        )
    organizations = session.client("organizations")
    for unit in sorted(units):
        with _aws(
            f"list the accounts under OU {unit}",
            f"check {ORG_OU}, and that these "
            "credentials are the management account's or a delegated administrator's",
        ):
            accounts = _accounts_under(organizations, unit)
        if accounts != {member}:
            count = f"{len(accounts)} account{'' if len(accounts) == 1 else 's'}"
            among = (
                ""
                if member in accounts
                else (f", and the member account {member} is not among them")
            )
            raise PreconditionFailed(
                f"OU {unit} holds {count} (child OUs included){among}: a StackSet deploys to "
                f"every one; set {ORG_OU} to an OU that holds only {member}"
            )
    return f"organization: {', '.join(sorted(units))} holds only the member account {member}"


# The network of the test instances ---------------------------------------------------------


def _check_network(session: boto3.Session) -> str:
    """The VPC the test instances go into exists and has a subnet: ``QUICKSETUP_INTEG_VPC_ID``
    when set, else the Region's default VPC with a default subnet (an instance launched
    without a subnet goes into one: Amazon VPC user guide, "Default VPCs")."""
    ec2 = session.client("ec2")
    region = session.region_name
    chosen = os.environ.get(VPC_ID)
    remedy = f"set {VPC_ID} to a VPC of {region} that has a subnet"
    with _aws(f"read the VPCs of {region}", remedy):
        if chosen:
            try:
                ec2.describe_vpcs(VpcIds=[chosen])
            except ClientError as error:
                if error.response["Error"]["Code"] != "InvalidVpcID.NotFound":
                    raise
                raise PreconditionFailed(
                    f"VPC {chosen} ({VPC_ID}) does not exist in {region}: {remedy}, or unset "
                    "it to use the default VPC"
                ) from error
            vpc, subnet_filter, which = chosen, [], f"VPC {chosen} ({VPC_ID})"
        else:
            defaults = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])
            if not defaults["Vpcs"]:
                raise PreconditionFailed(
                    f"{region} has no default VPC for the test instances: {remedy}, or create "
                    "one (aws ec2 create-default-vpc)"
                )
            vpc = defaults["Vpcs"][0]["VpcId"]
            subnet_filter = [{"Name": "default-for-az", "Values": ["true"]}]
            which = f"the default VPC {vpc}"
        pages = ec2.get_paginator("describe_subnets").paginate(
            Filters=[{"Name": "vpc-id", "Values": [vpc]}, *subnet_filter]
        )
        if not any(page["Subnets"] for page in pages):
            kind = "default subnet" if subnet_filter else "subnet"
            raise PreconditionFailed(
                f"{which} of {region} has no {kind} for the test instances: {remedy}"
            )
    return f"network: the test instances go into {which} of {region}"


# The waiters and the credentials' lifetime ------------------------------------------------


@dataclass(frozen=True)
class Waiter:
    """A waiter of an assertion stack: its state machine's logical id and the most seconds it
    waits in all."""

    name: str
    seconds: float


RETRIER_FIELDS = {
    "ErrorEquals",
    "IntervalSeconds",
    "MaxAttempts",
    "BackoffRate",
    "MaxDelaySeconds",
    "JitterStrategy",
}
"""The fields of a Step Functions retrier (Step Functions developer guide, "Handling errors in
Step Functions workflows"): any other field is not understood, and refused."""


def retrier_seconds(retrier: dict[str, Any]) -> float:
    """The most seconds a retrier waits in all: retry ``n`` (from 1 to ``MaxAttempts``, default
    3) waits ``IntervalSeconds`` (default 1) times ``BackoffRate`` (default 2.0) to the power
    ``n - 1``, at most ``MaxDelaySeconds`` when set. ``JitterStrategy`` ``FULL`` only draws a
    wait between 0 and that (aws-cdk-lib, ``aws_stepfunctions.JitterType``)."""
    unknown = set(retrier) - RETRIER_FIELDS
    if unknown:
        raise PreconditionFailed(
            f"a waiter's retrier has fields {sorted(unknown)}: its total wait cannot be computed"
        )
    interval = retrier.get("IntervalSeconds", 1)
    rate = retrier.get("BackoffRate", 2.0)
    cap = retrier.get("MaxDelaySeconds", math.inf)
    return sum(min(interval * rate**n, cap) for n in range(retrier.get("MaxAttempts", 3)))


def _definition(logical_id: str, definition: Any) -> dict[str, Any]:
    """A state machine's ``DefinitionString``: a string, or a ``Fn::Join`` of strings and
    intrinsics, each intrinsic standing inside a JSON string (an ARN); anything else is
    refused."""
    if isinstance(definition, dict) and set(definition) == {"Fn::Join"}:
        delimiter, parts = definition["Fn::Join"]
        definition = delimiter.join(
            part if isinstance(part, str) else "intrinsic" for part in parts
        )
    if not isinstance(definition, str):
        raise PreconditionFailed(f"waiter {logical_id}: its DefinitionString is not understood")
    try:
        return json.loads(definition)
    except ValueError as error:
        raise PreconditionFailed(
            f"waiter {logical_id}: its DefinitionString is not JSON once joined: {error}"
        ) from error


def longest_waiter(assembly: Path) -> Waiter | None:
    """The waiter that may wait longest among the assertion stacks of ``assembly`` (each test
    case's ``assertionStackName``), or None when they have none. A waiter is a
    ``AWS::StepFunctions::StateMachine`` whose states retry until the assertion holds; its
    total is the sum of its states' retriers (:func:`retrier_seconds`)."""
    waiters = []
    for case in _test_cases(assembly):
        stack = _template(assembly, case["assertionStackName"])
        for logical_id, resource in _resources(stack, "AWS::StepFunctions::StateMachine").items():
            properties = resource["Properties"]
            if "DefinitionString" not in properties:
                raise PreconditionFailed(f"waiter {logical_id} has no DefinitionString")
            states = _definition(logical_id, properties["DefinitionString"])["States"].values()
            nested = [state["Type"] for state in states if state["Type"] in ("Parallel", "Map")]
            if nested:
                raise PreconditionFailed(
                    f"waiter {logical_id} has {nested[0]} states: its total wait cannot be computed"
                )
            seconds = sum(
                retrier_seconds(retrier) for state in states for retrier in state.get("Retry", [])
            )
            waiters.append(Waiter(logical_id, seconds))
    return max(waiters, key=lambda waiter: waiter.seconds, default=None)


def _refreshes_from_long_term_keys(profiles: dict[str, dict[str, str]], name: str) -> str | None:
    """The profile of long-term keys that profile ``name`` assumes its role from whenever its
    credentials expire (through ``source_profile``, at any depth), or None."""
    seen = set()
    while name not in seen:
        seen.add(name)
        profile = profiles.get(name, {})
        source = profile.get("source_profile")
        if "role_arn" in profile and source and source != name:
            name = source
            continue
        if "aws_access_key_id" in profile and "aws_session_token" not in profile:
            return name
        return None
    return None


def _check_credentials_lifetime(session: boto3.Session, waiter: Waiter | None) -> str:
    """Session credentials outlive ``waiter``'s total; long-term keys, and roles assumed
    again from them, pass with a note; so do session credentials whose expiry is unknown."""
    if waiter is None:
        return "credentials: the assertion stacks have no waiter, no lifetime to check"
    needed = math.ceil(waiter.seconds / 60)
    longest = f"the longest waiter ({waiter.name}) may wait {needed} min"
    credentials = session.get_credentials()
    method = credentials.method
    if isinstance(credentials, RefreshableCredentials):
        configuration = botocore.session.Session()  # the same files and profile as session's
        source = method == "assume-role" and _refreshes_from_long_term_keys(
            configuration.full_config["profiles"], configuration.profile or "default"
        )
        if source:
            return (
                f"credentials: the role is assumed again from the long-term keys of profile "
                f"{source} whenever it expires; {longest}"
            )
        with _aws(f"refresh the AWS credentials ({method})", "renew them and run again"):
            try:
                credentials.get_frozen_credentials()
            except RuntimeError as error:  # botocore: "the refreshed credentials are still expired"
                raise PreconditionFailed(
                    f"the AWS credentials ({method}) have expired: renew them and run again"
                ) from error
        expiry = credentials._expiry_time  # botocore keeps no public expiry
        if expiry is None:
            return (
                f"credentials: {method}, refreshable with no expiry given, not checked "
                f"against {longest}"
            )
        left = (expiry - datetime.now(UTC)).total_seconds()
        if left < waiter.seconds:
            raise PreconditionFailed(
                f"the AWS credentials ({method}) expire in {max(0, math.floor(left / 60))} min, "
                f"and {longest}: renew them for at least {needed} min and run again"
            )
        return f"credentials: {method}, expire in {math.floor(left / 60)} min; {longest}"
    if credentials.get_frozen_credentials().token is None:
        return f"credentials: long-term access keys ({method}), no expiry; {longest}"
    return (
        f"credentials: session credentials ({method}) of unknown expiry, not checked against "
        f"{longest}; to have it checked, set AWS_CREDENTIAL_EXPIRATION too (aws configure "
        "export-credentials --format env writes it)"
    )
