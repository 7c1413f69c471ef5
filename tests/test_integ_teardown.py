"""The destroy hooks of ``make integ`` (integ/teardown.py) against moto: a first run, a second
run right after it, and runs after a failed deploy leave no role, instance profile or log group
behind, and the retention check fails when the kept profile was deleted with its stack.

A deploy is played with the resources of the committed snapshots: their roles and instance
profiles (with their ``DeletionPolicy``), the assertion stack's functions, and, for the
organization, the account StackSet's template created as a stack in the member account. moto's
``DeleteStack`` keeps the resources marked ``Retain``, as CloudFormation does, so deleting the
stacks plays the destroy. What moto leaves out is added as AWS would: the managed policies of a
kept role (moto's CloudFormation does not attach ``ManagedPolicyArns``), the policies the runbook
attaches to the own role, and the log groups Lambda creates when a function first runs.
"""

from __future__ import annotations

import copy
import importlib
import itertools
import json
import os
import shlex
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.fake_aws import isolate_aws_environment
from tests.moto_server import moto_server

ROOT = Path(__file__).resolve().parents[1]
INTEG = ROOT / "integ"
sys.path.insert(0, str(INTEG))

teardown = importlib.import_module("teardown")  # integ/teardown.py

LOCAL_SNAPSHOT = INTEG / "integ_local.py.snapshot"
ORGANIZATION_SNAPSHOT = INTEG / "integ_organization.py.snapshot"
INSTANCES, SETUP = "QuickSetupIntegInstances", "QuickSetupIntegLocal"
MEMBER, MEMBER_ROLE, REGION, CONFIGURATION_ID = (
    "222222222222",
    "OrganizationAccountAccessRole",
    "us-east-1",
    "integ-org",
)
KEPT = f"QuickSetup-Instance-{CONFIGURATION_ID}"
"""The account StackSet's instance role and profile (RoleName and InstanceProfileName in the
snapshot's StackSet template)."""
RUNBOOK_POLICIES = (
    "AmazonSSMManagedInstanceCore",
    "AmazonSSMPatchAssociation",
    "CloudWatchAgentServerPolicy",
)
"""What the profile runbook attaches to the own role (integ_local.ATTACHED_TO_OWN_ROLE); played
by customer managed policies of the same names, as moto loads no AWS managed policy."""
IAM_TYPES = {"AWS::IAM::Role", "AWS::IAM::InstanceProfile"}
_STACK_INSTANCES = itertools.count(1)


def _assertion_stack(snapshot: Path) -> str:
    (case,) = json.loads((snapshot / "integ.json").read_text())["testCases"].values()
    return case["assertionStackName"]


LOCAL_ASSERTIONS = _assertion_stack(LOCAL_SNAPSHOT)
ORGANIZATION_ASSERTIONS = _assertion_stack(ORGANIZATION_SNAPSHOT)


def _resources(snapshot: Path, stack: str) -> dict[str, Any]:
    return json.loads((snapshot / f"{stack}.template.json").read_text())["Resources"]


def _account_stack_set_resources() -> dict[str, Any]:
    (stack_set,) = [
        resource
        for resource in _resources(ORGANIZATION_SNAPSHOT, "QuickSetupIntegOrganization").values()
        if resource["Properties"].get("StackSetName", "").endswith("-AccountRoles")
    ]
    return json.loads(stack_set["Properties"]["TemplateBody"])["Resources"]


def _template(resources: dict[str, Any], types: set[str], deletion_policy: str | None) -> str:
    """The resources of ``types``, with a stand-in for function code, and, when given, the
    DeletionPolicy of the kept ones (those whose DeletionPolicy is Retain) replaced."""
    chosen = {}
    for logical_id, resource in resources.items():
        if resource["Type"] not in types:
            continue
        resource = copy.deepcopy(resource)
        if resource["Type"] == "AWS::Lambda::Function":
            resource["Properties"]["Code"] = {"ZipFile": "exports.handler = async () => {};"}
        if deletion_policy and resource.get("DeletionPolicy") == "Retain":
            resource["DeletionPolicy"] = deletion_policy
        chosen[logical_id] = resource
    return json.dumps({"Resources": chosen})


def _create_stack(
    session: boto3.Session,
    stack: str,
    resources: dict[str, Any],
    types: set[str],
    deletion_policy: str | None = None,
) -> dict[str, str]:
    """Create ``stack``; the physical ids by logical id. The ManagedPolicyArns of a kept role
    are attached, as CloudFormation would (it detaches those of a role it deletes)."""
    cfn, iam = session.client("cloudformation"), session.client("iam")
    cfn.create_stack(
        StackName=stack,
        TemplateBody=_template(resources, types, deletion_policy),
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    physical = {
        resource["LogicalResourceId"]: resource["PhysicalResourceId"]
        for resource in cfn.describe_stack_resources(StackName=stack)["StackResources"]
    }
    for logical_id, physical_id in physical.items():
        if resources[logical_id].get("DeletionPolicy") != "Retain" or deletion_policy:
            continue
        for arn in resources[logical_id]["Properties"].get("ManagedPolicyArns", []):
            iam.attach_role_policy(RoleName=physical_id, PolicyArn=_policy(iam, _name_of(arn)))
    return physical


def _name_of(arn: dict[str, Any]) -> str:
    """The policy name at the end of a synthesized ARN (``Fn::Join`` or ``Fn::Sub``)."""
    ((function, value),) = arn.items()
    text = {"Fn::Join": lambda: value[1][-1], "Fn::Sub": lambda: value}[function]()
    return text.rsplit("/", 1)[1]


def _policy(iam, name: str) -> str:
    """The ARN of the account's stand-in for the AWS managed policy ``name``."""
    try:
        return iam.create_policy(
            PolicyName=name,
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Action": "ssm:DescribeDocument", "Resource": "*"}
                    ],
                }
            ),
        )["Policy"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        (arn,) = [
            policy["Arn"]
            for policy in iam.list_policies(Scope="Local")["Policies"]
            if policy["PolicyName"] == name
        ]
        return arn


def _deploy_assertions(session: boto3.Session, snapshot: Path, stack: str) -> list[str]:
    """The assertion stack's functions and their roles; each function with the log group Lambda
    gives it once it ran."""
    resources = _resources(snapshot, stack)
    handlers = [
        logical_id
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::Lambda::Function"
    ]
    roles = [resources[handler]["Properties"]["Role"]["Fn::GetAtt"][0] for handler in handlers]
    physical = _create_stack(
        session,
        stack,
        {logical_id: resources[logical_id] for logical_id in [*handlers, *roles]},
        {"AWS::IAM::Role", "AWS::Lambda::Function"},
    )
    functions = [physical[handler] for handler in handlers]
    for function in functions:
        session.client("logs").create_log_group(logGroupName=f"/aws/lambda/{function}")
    return functions


def _deploy_local(
    session: boto3.Session, deletion_policy: str | None = None, assertions: bool = True
) -> dict[str, str]:
    """Both stacks of the local test, the runbook's policies on the own role, and, when
    ``assertions``, the assertion stack; the setup stack's physical ids."""
    own = _create_stack(session, INSTANCES, _resources(LOCAL_SNAPSHOT, INSTANCES), IAM_TYPES)
    iam = session.client("iam")
    (own_role,) = [physical for logical, physical in own.items() if logical.startswith("OwnRole")]
    for name in RUNBOOK_POLICIES:
        iam.attach_role_policy(RoleName=own_role, PolicyArn=_policy(iam, name))
    setup = _create_stack(
        session, SETUP, _resources(LOCAL_SNAPSHOT, SETUP), IAM_TYPES, deletion_policy
    )
    if assertions:
        _deploy_assertions(session, LOCAL_SNAPSHOT, LOCAL_ASSERTIONS)
    return setup


def _destroy(session: boto3.Session, *stacks: str) -> None:
    """``cdk destroy``: delete each stack that exists (moto keeps what is marked Retain)."""
    cfn = session.client("cloudformation")
    existing = {stack["StackName"] for stack in cfn.describe_stacks()["Stacks"]}
    for stack in stacks:
        if stack in existing:
            cfn.delete_stack(StackName=stack)


def _member(session: boto3.Session) -> boto3.Session:
    credentials = session.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{MEMBER}:role/{MEMBER_ROLE}",
        RoleSessionName="test-fixture",
    )["Credentials"]
    return boto3.Session(
        region_name=REGION,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def _deploy_member(member: boto3.Session, deletion_policy: str | None = None) -> str:
    """The account StackSet's stack instance in the member account; its stack's name."""
    stack = f"StackSet-QuickSetup-{CONFIGURATION_ID}-AccountRoles-{next(_STACK_INSTANCES)}"
    _create_stack(member, stack, _account_stack_set_resources(), IAM_TYPES, deletion_policy)
    return stack


def _iam_names(session: boto3.Session) -> set[str]:
    """Every role and instance profile of the account."""
    iam = session.client("iam")
    return {role["RoleName"] for role in iam.list_roles()["Roles"]} | {
        profile["InstanceProfileName"]
        for profile in iam.list_instance_profiles()["InstanceProfiles"]
    }


def _log_groups(session: boto3.Session) -> list[str]:
    return [
        group["logGroupName"] for group in session.client("logs").describe_log_groups()["logGroups"]
    ]


@pytest.fixture
def account(monkeypatch, tmp_path):
    """A moto account in us-east-1, the hooks' state directory set to a fresh directory."""
    isolate_aws_environment(monkeypatch, tmp_path)
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    _new_run(monkeypatch, tmp_path)
    with mock_aws():
        yield boto3.Session(region_name=REGION)


def _new_run(monkeypatch, tmp_path: Path) -> None:
    """A fresh state directory, as the runner gives each run."""
    run = tmp_path / f"run-{len(list(tmp_path.glob('run-*')))}"
    run.mkdir()
    monkeypatch.setenv(teardown.STATE_DIR, str(run))


def _hook(capsys, *argv: str) -> tuple[int, str, str]:
    code = teardown.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


LOCAL_BEFORE = ("before-destroy", INSTANCES, SETUP, LOCAL_ASSERTIONS)
LOCAL_AFTER = ("after-destroy", SETUP)
ORGANIZATION_BEFORE = ("organization-before-destroy", ORGANIZATION_ASSERTIONS)
ORGANIZATION_AFTER = ("organization-after-destroy", MEMBER, MEMBER_ROLE, REGION, CONFIGURATION_ID)


def _local_run(session, capsys) -> tuple[int, str, str]:
    """Deploy, the hooks and the destroy of the local test; after-destroy's result."""
    _deploy_local(session)
    assert _hook(capsys, *LOCAL_BEFORE)[0] == 0
    _destroy(session, LOCAL_ASSERTIONS, SETUP, INSTANCES)
    return _hook(capsys, *LOCAL_AFTER)


def _organization_run(session, capsys, deletion_policy: str | None = None) -> tuple[int, str, str]:
    """Deploy, the hooks and the destroy of the organization test; after-destroy's result."""
    member = _member(session)
    instance = _deploy_member(member, deletion_policy)
    _deploy_assertions(session, ORGANIZATION_SNAPSHOT, ORGANIZATION_ASSERTIONS)
    assert _hook(capsys, *ORGANIZATION_BEFORE)[0] == 0
    _destroy(session, ORGANIZATION_ASSERTIONS)
    _destroy(member, instance)
    return _hook(capsys, *ORGANIZATION_AFTER)


# --- the local test -------------------------------------------------------------------------


def test_a_second_local_run_right_after_the_first_passes_and_leaves_nothing(
    account, capsys, monkeypatch, tmp_path
):
    assert _local_run(account, capsys)[0] == 0
    _new_run(monkeypatch, tmp_path)
    code, out, err = _local_run(account, capsys)
    assert (code, err) == (0, "")
    assert "kept as documented" in out
    assert _iam_names(account) == set()
    assert _log_groups(account) == []


def test_before_destroy_detaches_the_runbook_policies_from_the_own_role(account, capsys):
    _deploy_local(account)
    iam = account.client("iam")
    (own_role,) = [name for name in _iam_names(account) if name.startswith(f"{INSTANCES}-OwnRole")]
    assert len(iam.list_attached_role_policies(RoleName=own_role)["AttachedPolicies"]) == 3
    code, out, _ = _hook(capsys, *LOCAL_BEFORE)
    assert code == 0
    assert iam.list_attached_role_policies(RoleName=own_role)["AttachedPolicies"] == []
    assert f"detached from {own_role}: {', '.join(RUNBOOK_POLICIES)}" in out


def test_a_profile_deleted_with_its_stack_fails_the_retention_check_in_one_line(account, capsys):
    setup = _deploy_local(account, deletion_policy="Delete")
    (profile,) = [name for logical, name in setup.items() if "InstanceProfile" in logical]
    assert _hook(capsys, *LOCAL_BEFORE)[0] == 0
    _destroy(account, LOCAL_ASSERTIONS, SETUP, INSTANCES)
    code, _, err = _hook(capsys, *LOCAL_AFTER)
    assert code == 1
    assert err == (
        f"error: instance profile {profile} was deleted with its stack, not retained "
        '(docs/security.md, "Safe teardown")\n'
    )
    assert not [name for name in _iam_names(account) if name.startswith(f"{SETUP}-")]
    assert _log_groups(account) == []


def test_a_profile_kept_without_its_role_fails_the_retention_check(account, capsys):
    setup = _deploy_local(account)
    (profile,) = [name for logical, name in setup.items() if "InstanceProfile" in logical]
    (role,) = [name for logical, name in setup.items() if "InstanceRole" in logical]
    assert _hook(capsys, *LOCAL_BEFORE)[0] == 0
    _destroy(account, LOCAL_ASSERTIONS, SETUP, INSTANCES)
    account.client("iam").remove_role_from_instance_profile(
        InstanceProfileName=profile, RoleName=role
    )
    code, _, err = _hook(capsys, *LOCAL_AFTER)
    assert (code, err) == (
        1,
        f"error: instance profile {profile} was kept without its role {role}\n",
    )
    assert not [name for name in _iam_names(account) if name.startswith(f"{SETUP}-")]


def test_a_local_run_after_a_rolled_back_deploy_deletes_what_the_rollback_kept(account, capsys):
    """The setup stack rolled back: CloudFormation kept its Retain role and profile ("Retain
    also preserves resources that are deleted from stacks [...] during rollbacks", AWS What's
    New, 2023-07-31, RetainExceptOnCreate), and the assertion stack was never deployed."""
    kept = {name for name in _deploy_local(account, assertions=False).values()}
    _destroy(account, SETUP)  # the rollback
    assert {name for name in _iam_names(account) if name.startswith(f"{SETUP}-")} == {
        name for name in kept if "Instance" in name
    }
    assert _hook(capsys, *LOCAL_BEFORE)[0] == 0
    _destroy(account, LOCAL_ASSERTIONS, SETUP, INSTANCES)
    code, out, err = _hook(capsys, *LOCAL_AFTER)
    assert (code, err) == (0, "")
    assert "no instance profile recorded: nothing to check" in out
    assert _iam_names(account) == set()


def test_a_local_run_with_no_stack_deletes_the_leftovers_of_an_interrupted_run(account, capsys):
    iam = account.client("iam")
    leftovers = (
        f"{SETUP}-QuickSetupRolesInstanceRole4D-1A2B3C4D5E6F",
        f"{SETUP}-QuickSetupRolesInstanceProfile13-6F5E4D3C2B1A",
    )
    iam.create_role(RoleName=leftovers[0], AssumeRolePolicyDocument="{}")
    iam.put_role_policy(
        RoleName=leftovers[0],
        PolicyName="Inline",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "ssm:DescribeDocument", "Resource": "*"}
                ],
            }
        ),
    )
    iam.attach_role_policy(RoleName=leftovers[0], PolicyArn=_policy(iam, RUNBOOK_POLICIES[0]))
    iam.create_instance_profile(InstanceProfileName=leftovers[1])
    iam.add_role_to_instance_profile(InstanceProfileName=leftovers[1], RoleName=leftovers[0])
    others = (f"{SETUP}Other-Role", f"{INSTANCES}-OwnRole-KEEP", "QuickSetup-Instance-other")
    for name in others:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument="{}")
    assert _hook(capsys, *LOCAL_BEFORE)[0] == 0
    code, out, err = _hook(capsys, *LOCAL_AFTER)
    assert (code, err) == (0, "")
    assert _iam_names(account) == set(others)
    assert f"deleted role {leftovers[0]}" in out


def test_every_local_hook_can_run_twice(account, capsys):
    _deploy_local(account)
    assert [_hook(capsys, *LOCAL_BEFORE)[0] for _ in range(2)] == [0, 0]
    _destroy(account, LOCAL_ASSERTIONS, SETUP, INSTANCES)
    assert _hook(capsys, *LOCAL_BEFORE)[0] == 0  # the stacks are gone: the record stays
    (first, first_out, first_err), (second, second_out, second_err) = (
        _hook(capsys, *LOCAL_AFTER) for _ in range(2)
    )
    assert (first, first_err, second, second_err) == (0, "", 0, "")
    assert "kept as documented" in first_out
    assert "checked by an earlier call" in second_out
    assert _iam_names(account) == set()


def test_before_destroy_called_again_after_the_destroy_keeps_the_profile_to_check(account, capsys):
    _deploy_local(account, deletion_policy="Delete")
    assert _hook(capsys, *LOCAL_BEFORE)[0] == 0
    _destroy(account, LOCAL_ASSERTIONS, SETUP, INSTANCES)
    assert _hook(capsys, *LOCAL_BEFORE)[0] == 0
    assert _hook(capsys, *LOCAL_AFTER)[0] == 1


def test_after_destroy_deletes_nothing_while_the_setup_stack_exists(account, capsys):
    _deploy_local(account)
    assert _hook(capsys, *LOCAL_BEFORE)[0] == 0
    _destroy(account, LOCAL_ASSERTIONS, INSTANCES)  # the setup stack's deletion failed
    before = _iam_names(account)
    code, _, err = _hook(capsys, *LOCAL_AFTER)
    assert (code, err) == (
        1,
        f"error: stack {SETUP} still exists (CREATE_COMPLETE): nothing deleted\n",
    )
    assert _iam_names(account) == before


def test_only_the_log_groups_of_the_recorded_functions_are_deleted(account, capsys):
    logs = account.client("logs")
    logs.create_log_group(logGroupName="/aws/lambda/SomeoneElsesFunction")
    functions = _deploy_assertions(account, LOCAL_SNAPSHOT, LOCAL_ASSERTIONS)
    assert len(functions) == 3
    assert _hook(capsys, *LOCAL_BEFORE)[0] == 0
    _destroy(account, LOCAL_ASSERTIONS)
    code, out, _ = _hook(capsys, *LOCAL_AFTER)
    assert code == 0
    assert _log_groups(account) == ["/aws/lambda/SomeoneElsesFunction"]
    assert out.count("deleted log group /aws/lambda/") == 3


# --- the organization test ------------------------------------------------------------------


def test_a_second_organization_run_right_after_the_first_passes_and_leaves_nothing(
    account, capsys, monkeypatch, tmp_path
):
    member = _member(account)
    assert _organization_run(account, capsys)[0] == 0
    _new_run(monkeypatch, tmp_path)
    code, out, err = _organization_run(account, capsys)  # the stack instance creates KEPT again
    assert (code, err) == (0, "")
    assert f"kept as documented in account {MEMBER}: instance profile and role {KEPT}" in out
    assert _iam_names(member) == set()
    assert _log_groups(account) == []


def test_the_organization_cleanup_happens_in_the_member_account(account, capsys):
    account.client("iam").create_role(RoleName=KEPT, AssumeRolePolicyDocument="{}")
    assert _organization_run(account, capsys)[0] == 0
    assert _iam_names(account) == {KEPT}
    assert _iam_names(_member(account)) == set()


def test_a_member_profile_deleted_with_its_stack_instance_fails_the_check_in_one_line(
    account, capsys
):
    code, _, err = _organization_run(account, capsys, deletion_policy="Delete")
    assert code == 1
    assert err == (
        f"error: instance profile {KEPT} in account {MEMBER} was deleted with its "
        'stack, not retained (docs/security.md, "Safe teardown")\n'
    )
    assert _iam_names(_member(account)) == set()


def test_an_organization_run_after_a_failed_deploy_deletes_what_the_member_kept(account, capsys):
    """The stack failed after its StackSets reached the member account: the rollback deleted
    the stack instance, which kept KEPT, and the assertion stack was never deployed."""
    member = _member(account)
    _destroy(member, _deploy_member(member))  # the rollback
    assert _iam_names(member) == {KEPT}
    code, out, _ = _hook(capsys, *ORGANIZATION_BEFORE)
    assert code == 0
    assert "not deployed" in out
    code, out, err = _hook(capsys, *ORGANIZATION_AFTER)
    assert (code, err) == (0, "")
    assert f"the deploy did not reach account {MEMBER}: nothing to check" in out
    assert _iam_names(member) == set()


def test_organization_after_destroy_with_nothing_recorded_deletes_the_leftovers(account, capsys):
    member = _member(account)
    _destroy(member, _deploy_member(member, deletion_policy=None))
    assert _hook(capsys, *ORGANIZATION_AFTER)[:3:2] == (0, "")
    assert _iam_names(member) == set()
    assert _hook(capsys, *ORGANIZATION_AFTER)[:3:2] == (0, "")  # nothing left, nothing to do


def test_every_organization_hook_can_run_twice(account, capsys):
    member = _member(account)
    instance = _deploy_member(member)
    _deploy_assertions(account, ORGANIZATION_SNAPSHOT, ORGANIZATION_ASSERTIONS)
    assert [_hook(capsys, *ORGANIZATION_BEFORE)[0] for _ in range(2)] == [0, 0]
    _destroy(account, ORGANIZATION_ASSERTIONS)
    _destroy(member, instance)
    assert _hook(capsys, *ORGANIZATION_BEFORE)[0] == 0  # the stacks are gone: the record stays
    (first, first_out, first_err), second = (_hook(capsys, *ORGANIZATION_AFTER) for _ in range(2))
    assert (first, first_err, second) == (
        0,
        "",
        (0, f"account {MEMBER}: checked by an earlier call\n", ""),
    )
    assert "kept as documented" in first_out
    assert _iam_names(member) == set()
    assert _log_groups(account) == []


# --- both -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [LOCAL_BEFORE, LOCAL_AFTER, ORGANIZATION_BEFORE, ORGANIZATION_AFTER],
    ids=lambda argv: argv[0],
)
def test_without_a_state_directory_every_hook_stops_in_one_line(argv, monkeypatch, capsys):
    monkeypatch.delenv(teardown.STATE_DIR, raising=False)
    code, out, err = _hook(capsys, *argv)
    assert (code, out) == (2, "")
    assert err == (
        f"error: {teardown.STATE_DIR} is not set: the destroy hooks keep their state "
        "in a directory of the run\n"
    )


@pytest.mark.parametrize(
    "argv",
    [
        ("after-destroy",),
        ("before-destroy", INSTANCES, SETUP),
        ("organization-after-destroy", MEMBER),
        ("destroy",),
    ],
)
def test_a_hook_called_with_other_arguments_prints_its_usage(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv(teardown.STATE_DIR, str(tmp_path))
    code, out, err = _hook(capsys, *argv)
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert err.startswith("usage: teardown.py before-destroy ")


def _destroy_hooks(snapshot: Path) -> dict[str, list[list[str]]]:
    (case,) = json.loads((snapshot / "integ.json").read_text())["testCases"].values()
    return {
        phase: [shlex.split(command) for command in case["hooks"].get(phase, [])]
        for phase in ("preDestroy", "postDestroy")
    }


def test_the_local_app_wires_the_hooks_these_tests_run():
    assert _destroy_hooks(LOCAL_SNAPSHOT) == {
        "preDestroy": [["python3", "teardown.py", *LOCAL_BEFORE]],
        "postDestroy": [["python3", "teardown.py", *LOCAL_AFTER]],
    }


def test_the_organization_app_wires_the_hooks_these_tests_run():
    hooks = _destroy_hooks(ORGANIZATION_SNAPSHOT)
    assert hooks["preDestroy"] == [["python3", "teardown.py", *ORGANIZATION_BEFORE]]
    (after,) = hooks["postDestroy"]  # its member account, role and Region are settings
    assert after[:3] == ["python3", "teardown.py", ORGANIZATION_AFTER[0]]
    assert (len(after), after[-1]) == (2 + len(ORGANIZATION_AFTER), CONFIGURATION_ID)


# CloudFormation API reference, StackResource.ResourceStatus (botocore's enum): what a rollback
# or a failed creation leaves is not the stack's any more.
@pytest.mark.parametrize(
    ("status", "held"),
    [
        ("CREATE_COMPLETE", True),
        ("UPDATE_COMPLETE", True),
        ("DELETE_SKIPPED", False),
        ("DELETE_COMPLETE", False),
        ("CREATE_FAILED", False),
        ("ROLLBACK_COMPLETE", False),
    ],
)
def test_a_profile_is_recorded_only_while_its_stack_holds_it(status, held):
    resources = [
        {
            "LogicalResourceId": "Profile",
            "PhysicalResourceId": "Stack-Profile-X",
            "ResourceType": "AWS::IAM::InstanceProfile",
            "ResourceStatus": status,
        }
    ]
    assert teardown.held(resources, "AWS::IAM::InstanceProfile") == (
        {"Profile": "Stack-Profile-X"} if held else {}
    )


def test_the_functions_of_a_rolled_back_assertion_stack_are_recorded():
    resources = [
        {
            "LogicalResourceId": "Handler",
            "PhysicalResourceId": "Stack-Handler-X",
            "ResourceType": "AWS::Lambda::Function",
            "ResourceStatus": "DELETE_COMPLETE",
        },
        {
            "LogicalResourceId": "Failed",
            "ResourceType": "AWS::Lambda::Function",
            "ResourceStatus": "CREATE_FAILED",
        },
        {
            "LogicalResourceId": "Role",
            "PhysicalResourceId": "Stack-Role-X",
            "ResourceType": "AWS::IAM::Role",
            "ResourceStatus": "DELETE_COMPLETE",
        },
    ]
    assert teardown.function_names(resources) == ["Stack-Handler-X"]


# --- as the runner runs them ----------------------------------------------------------------


@pytest.fixture(scope="module")
def server():
    with moto_server() as url:
        yield url


def _runner_hook(environment: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    """A hook as integ/run.py runs it: from integ/, with the run's state directory."""
    return subprocess.run(
        [sys.executable, "teardown.py", *argv],
        cwd=INTEG,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def runner(server, monkeypatch, tmp_path):
    """The moto server, reset, as the AWS of a hook's process and of the test."""
    urllib.request.urlopen(urllib.request.Request(f"{server}/moto-api/reset", method="POST"))
    isolate_aws_environment(monkeypatch, tmp_path)
    (tmp_path / "run").mkdir()
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": server,
        teardown.STATE_DIR: str(tmp_path / "run"),
    }.items():
        monkeypatch.setenv(name, value)
    return boto3.Session(region_name=REGION), dict(os.environ)


def test_the_local_hooks_run_as_the_runner_runs_them_leave_nothing(runner):
    session, environment = runner
    setup = _deploy_local(session)
    profile, role = (
        next(name for logical, name in setup.items() if part in logical)
        for part in ("InstanceProfile", "InstanceRole")
    )
    before = _runner_hook(environment, *LOCAL_BEFORE)
    assert (before.returncode, before.stderr) == (0, "")
    assert f"recorded instance profile {profile} with role {role}" in before.stdout
    assert not list(INTEG.glob(".teardown*"))  # the state is the run's, not integ/'s
    assert (Path(environment[teardown.STATE_DIR]) / f"teardown-local-{SETUP}.json").is_file()
    _destroy(session, LOCAL_ASSERTIONS, SETUP, INSTANCES)
    after = _runner_hook(environment, *LOCAL_AFTER)
    assert (after.returncode, after.stderr) == (0, "")
    assert f"kept as documented: instance profile {profile} with role {role}" in after.stdout
    assert _iam_names(session) == set()
    assert _log_groups(session) == []


def test_the_organization_hooks_run_as_the_runner_runs_them_leave_nothing(runner):
    session, environment = runner
    member = _member(session)
    instance = _deploy_member(member)
    _deploy_assertions(session, ORGANIZATION_SNAPSHOT, ORGANIZATION_ASSERTIONS)
    before = _runner_hook(environment, *ORGANIZATION_BEFORE)
    assert (before.returncode, before.stderr) == (0, "")
    _destroy(session, ORGANIZATION_ASSERTIONS)
    _destroy(member, instance)
    assert _iam_names(member) == {KEPT}
    after = _runner_hook(environment, *ORGANIZATION_AFTER)
    assert (after.returncode, after.stderr) == (0, "")
    assert f"kept as documented in account {MEMBER}" in after.stdout
    assert _iam_names(member) == set()
    assert _log_groups(session) == []
