"""`quicksetup preflight`: the roles and instance profiles an app names (and does not create)
must exist, with the AWS managed policies their options need. Each missing one is a finding.

IAM answers through botocore's Stubber on the real clients. What each role needs, from AWS:
- the instance's role: "AmazonSSMManagedInstanceCore ... enables an instance to use AWS Systems
  Manager service core functionality" (Systems Manager user guide, "Configure instance
  permissions required for Systems Manager");
- with a CloudWatch agent option: "attach the CloudWatchAgentServerPolicy" to the role the
  instance uses (CloudWatch user guide, "Create IAM roles and users for use with the
  CloudWatch agent");
- the role of ``AWS-EnableExplorer``: AWSSystemsManagerEnableExplorerExecutionPolicy
  (AWS Managed Policy Reference: "Allows Systems Manager Automation to enable Explorer").
The library gives its own roles the same policies (rendering/roles.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import boto3
import pytest
from aws_cdk import aws_iam as iam
from botocore.stub import Stubber
from click.testing import CliRunner

from quicksetup_constructs import QuickSetupLocal, QuickSetupOrganization
from quicksetup_constructs.cli.aws import Aws
from quicksetup_constructs.cli.main import main

from . import cli_json
from .test_cli_preflight import CREDENTIALS, Account

REGION = "us-east-1"
ACCOUNT = "123456789012"
MANAGEMENT = "111111111111"
MEMBERS = ["222222222222", "333333333333"]
OU = "ou-abcd-11112222"
LOCAL, ORG, SERVICE = "4c4c4c4c", "0f0f0f0f", "5d5d5d5d"
AUTOMATION = "AppAutomation"
PROFILE, ROLE, EXPLORER, ORG_EXPLORER = (
    "AppProfile",
    "AppInstanceRole",
    "AppExplorer",
    "OrgExplorer",
)
CORE, PATCH, AGENT = (
    "AmazonSSMManagedInstanceCore",
    "AmazonSSMPatchAssociation",
    "CloudWatchAgentServerPolicy",
)
EXPLORER_POLICY = "AWSSystemsManagerEnableExplorerExecutionPolicy"


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A local configuration that names an instance profile, its role and an Explorer role,
    with the CloudWatch agent; an organization configuration that names an Explorer role."""
    outdir = tmp_path_factory.mktemp("named") / "cdk.out"
    app = cdk.App(outdir=str(outdir))
    stack = cdk.Stack(app, "Named", env=cdk.Environment(account=ACCOUNT, region=REGION))
    QuickSetupLocal(
        stack,
        "QuickSetup",
        configuration_id=LOCAL,
        instance_profile_name=PROFILE,
        instance_profile_role=iam.Role.from_role_name(stack, "Role", ROLE),
        explorer_role=iam.Role.from_role_name(stack, "Explorer", EXPLORER),
        install_cloudwatch_agent=True,
    )
    service = cdk.Stack(app, "NamedService", env=cdk.Environment(account=ACCOUNT, region=REGION))
    QuickSetupLocal(
        service,
        "QuickSetup",
        configuration_id=SERVICE,
        instance_profile_name=PROFILE,
        service_role=iam.Role.from_role_name(service, "Automation", AUTOMATION),
        enable_explorer=False,
        collect_inventory=False,
        scan_for_patches=False,
    )
    QuickSetupOrganization(
        cdk.Stack(app, "OrgNamed", env=cdk.Environment(account=MANAGEMENT, region=REGION)),
        "Org",
        configuration_id=ORG,
        organizational_unit_ids=[OU],
        regions=[REGION],
        account_count=2,
        explorer_role_name=ORG_EXPLORER,
    )
    app.synth()
    return outdir


def aws_policy(name: str) -> dict[str, str]:
    return {"PolicyName": name, "PolicyArn": f"arn:aws:iam::aws:policy/{name}"}


class Iam:
    """One account's stubbed IAM client."""

    def __init__(self, aws: Aws, account: str) -> None:
        self.account = account
        self.stub = Stubber(aws.client("iam"))

    def profile(self, name: str, role: str | None, *, role_path: str = "/") -> Iam:
        if role is None:
            self.stub.add_client_error(
                "get_instance_profile",
                "NoSuchEntity",
                f"Instance Profile {name} cannot be found.",
                404,
                expected_params={"InstanceProfileName": name},
            )
            return self
        self.stub.add_response(
            "get_instance_profile",
            {
                "InstanceProfile": {
                    "Path": "/",
                    "InstanceProfileName": name,
                    "InstanceProfileId": "AIPAEXAMPLEEXAMPLE01",
                    "Arn": f"arn:aws:iam::{self.account}:instance-profile/{name}",
                    "CreateDate": "2026-01-05T09:00:00Z",
                    "Roles": [self._role(role, role_path)],
                }
            },
            {"InstanceProfileName": name},
        )
        return self

    def role(self, name: str, exists: bool = True) -> Iam:
        if exists:
            self.stub.add_response("get_role", {"Role": self._role(name)}, {"RoleName": name})
        else:
            self.stub.add_client_error(
                "get_role",
                "NoSuchEntity",
                f"The role with name {name} cannot be found.",
                404,
                expected_params={"RoleName": name},
            )
        return self

    def policies(self, role: str, *attached: dict[str, str]) -> Iam:
        self.stub.add_response(
            "list_attached_role_policies",
            {"AttachedPolicies": list(attached), "IsTruncated": False},
            {"RoleName": role},
        )
        return self

    def _role(self, name: str, path: str = "/") -> dict[str, Any]:
        """A role of ``path`` (IAM's ``Path``: ``/``, or ``/`` + segments + ``/``): its ARN
        holds the path (IAM user guide, "IAM identifiers")."""
        return {
            "Path": path,
            "RoleName": name,
            "RoleId": "AROAEXAMPLEEXAMPLE01",
            "Arn": f"arn:aws:iam::{self.account}:role{path}{name}",
            "CreateDate": "2026-01-05T09:00:00Z",
        }


def preflight(account: Account, iams: list[Iam], assembly: Path, *args: str):
    with account.active(), _active(iams):
        return CliRunner(env={"COLUMNS": "200"}).invoke(
            main, ["preflight", str(assembly), *args], obj=account.aws, catch_exceptions=False
        )


@contextmanager
def _active(iams: list[Iam]) -> Iterator[None]:
    for each in iams:
        each.stub.activate()
    yield
    for each in iams:
        each.stub.deactivate()
        each.stub.assert_no_pending_responses()


def findings(result, configuration: str) -> dict[str, dict[str, Any]]:
    return cli_json.data(result.stdout)["configurations"][configuration]["findings"]


def local_account() -> tuple[Account, Iam]:
    account = Account().associations([]).managers([])
    return account, Iam(account.aws, ACCOUNT)


def kinds_and_names(found: dict[str, dict[str, Any]]) -> list[tuple[str, str, str]]:
    return sorted((f["severity"], f["kind"], f["resource"]) for f in found.values())


# a local configuration -------------------------------------------------------------------------


def test_every_named_role_and_profile_with_its_policies_passes(assembly):
    account, iam_ = local_account()
    iam_.profile(PROFILE, ROLE).policies(ROLE, *map(aws_policy, (CORE, PATCH, AGENT)))
    iam_.role(ROLE).role(EXPLORER).policies(EXPLORER, aws_policy(EXPLORER_POLICY))
    result = preflight(account, [iam_], assembly, "--stack", "Named", "--json")
    assert result.exit_code == 0, result.output
    assert findings(result, LOCAL) == {}


def test_a_missing_instance_profile_is_one_error(assembly):
    account, iam_ = local_account()
    iam_.profile(PROFILE, None)
    iam_.role(ROLE).policies(ROLE, *map(aws_policy, (CORE, PATCH, AGENT)))
    iam_.role(EXPLORER).policies(EXPLORER, aws_policy(EXPLORER_POLICY))
    result = preflight(account, [iam_], assembly, "--stack", "Named", "--json")
    assert result.exit_code == 1, result.output
    [finding] = findings(result, LOCAL).values()
    assert (finding["severity"], finding["kind"], finding["resource"]) == (
        "error",
        "named_profile_missing",
        PROFILE,
    )
    assert "instance_profile_name" in finding["message"]


def test_each_policy_the_profiles_role_lacks_is_one_error(assembly):
    account, iam_ = local_account()
    iam_.profile(PROFILE, ROLE).policies(ROLE, aws_policy(PATCH))
    iam_.role(ROLE).role(EXPLORER).policies(EXPLORER, aws_policy(EXPLORER_POLICY))
    result = preflight(account, [iam_], assembly, "--stack", "Named", "--json")
    assert result.exit_code == 1, result.output
    assert cli_json.data(result.stdout)["errors"] == 2  # the role is named twice, found once
    found = findings(result, LOCAL)
    assert kinds_and_names(found) == [
        ("error", "role_policy_missing", ROLE),
        ("error", "role_policy_missing", ROLE),
    ]
    messages = " ".join(f["message"] for f in found.values())
    assert CORE in messages and AGENT in messages and PATCH not in messages


def test_a_customer_managed_policy_of_the_same_name_does_not_count(assembly):
    account, iam_ = local_account()
    own_core = {"PolicyName": CORE, "PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/{CORE}"}
    iam_.profile(PROFILE, ROLE).policies(ROLE, own_core, aws_policy(PATCH), aws_policy(AGENT))
    iam_.role(ROLE).role(EXPLORER).policies(EXPLORER, aws_policy(EXPLORER_POLICY))
    result = preflight(account, [iam_], assembly, "--stack", "Named", "--json")
    [finding] = findings(result, LOCAL).values()
    assert finding["kind"] == "role_policy_missing" and CORE in finding["message"]


def test_a_missing_named_role_is_one_error(assembly):
    account, iam_ = local_account()
    iam_.profile(PROFILE, ROLE).policies(ROLE, *map(aws_policy, (CORE, PATCH, AGENT)))
    iam_.role(ROLE).role(EXPLORER, exists=False)
    result = preflight(account, [iam_], assembly, "--stack", "Named", "--json")
    assert result.exit_code == 1, result.output
    [finding] = findings(result, LOCAL).values()
    assert (finding["kind"], finding["resource"]) == ("named_role_missing", EXPLORER)
    assert "explorer_role" in finding["message"]


def test_the_explorer_role_needs_the_explorer_policy(assembly):
    account, iam_ = local_account()
    iam_.profile(PROFILE, ROLE).policies(ROLE, *map(aws_policy, (CORE, PATCH, AGENT)))
    iam_.role(ROLE).role(EXPLORER).policies(EXPLORER)
    result = preflight(account, [iam_], assembly, "--stack", "Named", "--json")
    [finding] = findings(result, LOCAL).values()
    assert (finding["kind"], finding["resource"]) == ("role_policy_missing", EXPLORER)
    assert EXPLORER_POLICY in finding["message"]


def test_a_denied_iam_call_is_one_line_and_exit_2(assembly):
    account, iam_ = local_account()
    iam_.stub.add_client_error(
        "get_instance_profile",
        "AccessDenied",
        "User is not authorized to perform: iam:GetInstanceProfile",
        403,
        expected_params={"InstanceProfileName": PROFILE},
    )
    result = preflight(account, [iam_], assembly, "--stack", "Named")
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert "iam:GetInstanceProfile" in line or "AccessDenied" in line


def test_a_finding_is_printed_as_text(assembly):
    account, iam_ = local_account()
    iam_.profile(PROFILE, None)
    iam_.role(ROLE).policies(ROLE, *map(aws_policy, (CORE, PATCH, AGENT)))
    iam_.role(EXPLORER).policies(EXPLORER, aws_policy(EXPLORER_POLICY))
    result = preflight(account, [iam_], assembly, "--stack", "Named")
    assert result.exit_code == 1
    assert "named profile missing" in result.output and PROFILE in result.output


def test_a_service_role_is_checked_for_existence_only(assembly):
    # Its permissions are the user's (docs/security.md lists them); no AWS managed policy is
    # required of it, so its policies are not listed.
    account, iam_ = local_account()
    iam_.profile(PROFILE, ROLE).policies(ROLE, *map(aws_policy, (CORE, PATCH)))
    iam_.role(AUTOMATION)
    result = preflight(account, [iam_], assembly, "--stack", "NamedService", "--json")
    assert result.exit_code == 0, result.output
    assert findings(result, SERVICE) == {}


def test_a_missing_service_role_is_one_error(assembly):
    account, iam_ = local_account()
    iam_.profile(PROFILE, ROLE).policies(ROLE, *map(aws_policy, (CORE, PATCH)))
    iam_.role(AUTOMATION, exists=False)
    result = preflight(account, [iam_], assembly, "--stack", "NamedService", "--json")
    assert result.exit_code == 1, result.output
    [finding] = findings(result, SERVICE).values()
    assert (finding["kind"], finding["resource"]) == ("named_role_missing", AUTOMATION)
    assert "service_role" in finding["message"]


# an organization configuration (decision: member accounts only with --member-role) ------------


def test_from_the_management_account_nothing_is_read_and_a_note_says_so(assembly):
    account = Account(account=MANAGEMENT).managers([])
    result = preflight(account, [], assembly, "--stack", "OrgNamed", "--json")
    assert result.exit_code == 0, result.output
    configuration = cli_json.data(result.stdout)["configurations"][ORG]
    assert configuration["findings"] == {}
    assert "were not checked" in configuration["note"]
    assert "--member-role" in configuration["note"]


def test_as_a_member_account_this_account_is_checked_and_a_note_says_only_it(assembly):
    account = Account().associations([]).managers([])
    iam_ = Iam(account.aws, ACCOUNT).role(ORG_EXPLORER, exists=False)
    result = preflight(account, [iam_], assembly, "--stack", "OrgNamed", "--json")
    assert result.exit_code == 1, result.output
    configuration = cli_json.data(result.stdout)["configurations"][ORG]
    [finding] = configuration["findings"].values()
    assert (finding["kind"], finding["resource"]) == ("named_role_missing", ORG_EXPLORER)
    assert f"checked in account {ACCOUNT} only" in configuration["note"]


def test_with_member_role_every_member_account_is_checked(assembly, monkeypatch):
    account = Account(account=MANAGEMENT).managers([])
    organizations = Stubber(account.aws.client("organizations"))
    organizations.add_response(
        "describe_organization",
        {"Organization": {"Id": "o-abcdefghij", "MasterAccountId": MANAGEMENT}},
        {},
    )
    organizations.add_response(
        "list_accounts_for_parent",
        {"Accounts": [{"Id": member, "Status": "ACTIVE"} for member in MEMBERS]},
        {"ParentId": OU},
    )
    organizations.add_response(
        "list_organizational_units_for_parent", {"OrganizationalUnits": []}, {"ParentId": OU}
    )
    members = {
        member: Aws(boto3.Session(region_name=REGION, **CREDENTIALS), account=member)
        for member in MEMBERS
    }
    assumed: list[tuple[str, str]] = []

    def member(self: Aws, target: str, role_name: str) -> Aws:
        assumed.append((target, role_name))
        return members[target]

    monkeypatch.setattr(Aws, "member", member)
    first = Iam(members[MEMBERS[0]], MEMBERS[0]).role(ORG_EXPLORER)
    first.policies(ORG_EXPLORER, aws_policy(EXPLORER_POLICY))
    second = Iam(members[MEMBERS[1]], MEMBERS[1]).role(ORG_EXPLORER, exists=False)
    with organizations:
        result = preflight(
            account,
            [first, second],
            assembly,
            "--stack",
            "OrgNamed",
            "--member-role",
            "Reader",
            "--json",
        )
    assert result.exit_code == 1, result.output
    assert assumed == [(MEMBERS[0], "Reader"), (MEMBERS[1], "Reader")]
    [finding] = findings(result, ORG).values()
    assert finding["kind"] == "named_role_missing"
    assert finding["resource_id"] == f"arn:aws:iam::{MEMBERS[1]}:role/{ORG_EXPLORER}"
    assert MEMBERS[1] in finding["message"]
