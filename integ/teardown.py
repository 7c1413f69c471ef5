"""Hooks around the destroy of the integration tests (``integ/run.py`` runs them from ``integ/``).

``before-destroy INSTANCES_STACK SETUP_STACK ASSERTION_STACK``
    Detach from the instances stack's ``OwnRole`` the policies the runbook attached to it
    (``allow_policy_attach``): CloudFormation does not delete a role with policies attached
    outside its template. Record the setup stack's instance profile and the role in it, and the
    assertion stack's Lambda functions.
``after-destroy SETUP_STACK``
    The setup stack is gone. When its instance profile was recorded, check that the profile and
    its role were kept, as ``instance_profile_removal_policy`` (default ``RETAIN``) documents
    (docs/security.md, "Safe teardown"), then delete both. Delete, too, every instance profile
    and role whose name begins with ``SETUP_STACK-``: CloudFormation names what it names itself
    ``<stack>-<logical id>-<random suffix>`` (CloudFormation user guide, "Name type": "MyStack-
    MyBucket-abcdefghijk1"), so these are the kept or half-deleted ones of an earlier run that
    failed or was stopped, which a stack of the same name no longer holds.
``organization-before-destroy ASSERTION_STACK``
    Record the assertion stack's Lambda functions, and whether the member account was reached:
    the assertion stack completed only if its waiters saw the StackSets' stack instances there
    ``CURRENT`` and ``SUCCEEDED``.
``organization-after-destroy ACCOUNT ROLE REGION CONFIGURATION_ID``
    Assume ``ROLE`` in the member account ``ACCOUNT`` (as ``member_association.py`` does). When
    the member account was reached, check that the account StackSet's instance role and
    profile, both ``QuickSetup-Instance-<CONFIGURATION_ID>``, were kept (``DeletionPolicy:
    Retain``). Then delete them whatever the run did: their names are fixed, and a leftover
    would fail the next run's stack instance.

Both after-destroy hooks then delete the log groups ``/aws/lambda/<function>`` of the recorded
assertion functions. Lambda creates them outside the stack, with no retention; a retention
policy would only expire their events and keep the groups, so they are deleted (the functions
are gone by then, so nothing writes to them again).

State is kept per run in the directory ``QUICKSETUP_INTEG_STATE_DIR`` (exit code 2, in one line,
when it is not set). Every hook can run again, and after a deploy that failed half-way: what
does not exist is not recorded or not deleted. Exit code 1, in one line, when a check fails or
AWS refuses a call. Uses the environment's AWS credentials and Region, as ``make integ`` does.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from member_association import member_client

STATE_DIR = "QUICKSETUP_INTEG_STATE_DIR"
HELD = ("CREATE_COMPLETE", "UPDATE_COMPLETE")
"""Resource and stack statuses (CloudFormation API reference, StackResource.ResourceStatus and
Stack.StackStatus) of what a stack created and still holds: the other statuses are of a
creation that failed, a rollback, or a deletion."""
USAGE = (
    "usage: teardown.py before-destroy INSTANCES_STACK SETUP_STACK ASSERTION_STACK"
    " | after-destroy SETUP_STACK | organization-before-destroy ASSERTION_STACK"
    " | organization-after-destroy ACCOUNT ROLE REGION CONFIGURATION_ID"
)


class UsageError(Exception):
    """The hook was called wrongly: exit code 2."""


class TeardownError(Exception):
    """A check failed, or the hook found what it does not understand: exit code 1."""


def state_dir() -> Path:
    """The run's state directory, ``QUICKSETUP_INTEG_STATE_DIR``."""
    directory = os.environ.get(STATE_DIR)
    if not directory:
        raise UsageError(
            f"error: {STATE_DIR} is not set: the destroy hooks keep their state in "
            "a directory of the run"
        )
    if not Path(directory).is_dir():
        raise UsageError(f"error: {STATE_DIR}={directory} is not a directory")
    return Path(directory)


def _state_path(name: str) -> Path:
    return state_dir() / f"teardown-{name}.json"


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.exists() else {}


def _save(path: Path, state: dict[str, Any]) -> None:
    path.write_text(json.dumps(state, indent=1, sort_keys=True) + "\n")


def _missing(error: ClientError) -> bool:
    """CloudFormation's answer about a stack that does not exist (any more)."""
    return error.response["Error"]["Code"] == "ValidationError" and error.response["Error"][
        "Message"
    ].endswith("does not exist")


def stack_resources(cfn, stack: str) -> list[dict[str, Any]] | None:
    """DescribeStackResources of ``stack``; None when the stack does not exist."""
    try:
        return cfn.describe_stack_resources(StackName=stack)["StackResources"]
    except ClientError as error:
        if _missing(error):
            return None
        raise


def stack_status(cfn, stack: str) -> str | None:
    """The StackStatus of ``stack``; None when it does not exist or was deleted."""
    try:
        (found,) = cfn.describe_stacks(StackName=stack)["Stacks"]
    except ClientError as error:
        if _missing(error):
            return None
        raise
    return None if found["StackStatus"] == "DELETE_COMPLETE" else found["StackStatus"]


def held(resources: list[dict[str, Any]], resource_type: str) -> dict[str, str]:
    """Physical ids by logical id of the resources of ``resource_type`` the stack holds."""
    return {
        resource["LogicalResourceId"]: resource["PhysicalResourceId"]
        for resource in resources
        if resource["ResourceType"] == resource_type and resource["ResourceStatus"] in HELD
    }


def function_names(resources: list[dict[str, Any]]) -> list[str]:
    """The names of every Lambda function the stack created, even those a rollback deleted:
    their log groups outlive them."""
    return sorted(
        resource["PhysicalResourceId"]
        for resource in resources
        if resource["ResourceType"] == "AWS::Lambda::Function"
        and resource.get("PhysicalResourceId")
    )


def _paged(iam, operation: str, key: str, **parameters: Any) -> list[dict[str, Any]]:
    pages = iam.get_paginator(operation).paginate(**parameters)
    return [item for page in pages for item in page[key]]


def _detach_all(iam, role: str) -> list[str]:
    attached = _paged(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=role)
    for policy in attached:
        iam.detach_role_policy(RoleName=role, PolicyArn=policy["PolicyArn"])
    return [policy["PolicyName"] for policy in attached]


def delete_instance_profile(iam, name: str) -> bool:
    """Remove its roles from instance profile ``name`` and delete it; False when it is absent."""
    try:
        roles = iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]["Roles"]
    except iam.exceptions.NoSuchEntityException:
        return False
    for role in roles:
        iam.remove_role_from_instance_profile(InstanceProfileName=name, RoleName=role["RoleName"])
    iam.delete_instance_profile(InstanceProfileName=name)
    print(f"deleted instance profile {name}")
    return True


def delete_role(iam, name: str) -> bool:
    """Delete role ``name`` after what IAM requires first (IAM API reference, DeleteRole: remove
    it from instance profiles, detach managed policies, delete inline policies); False when it
    is absent."""
    try:
        iam.get_role(RoleName=name)
    except iam.exceptions.NoSuchEntityException:
        return False
    for profile in _paged(
        iam, "list_instance_profiles_for_role", "InstanceProfiles", RoleName=name
    ):
        iam.remove_role_from_instance_profile(
            InstanceProfileName=profile["InstanceProfileName"], RoleName=name
        )
    _detach_all(iam, name)
    for policy in _paged(iam, "list_role_policies", "PolicyNames", RoleName=name):
        iam.delete_role_policy(RoleName=name, PolicyName=policy)
    iam.delete_role(RoleName=name)
    print(f"deleted role {name}")
    return True


def retention_failure(iam, profile: str, role: str, where: str = "") -> str | None:
    """Why instance profile ``profile`` with role ``role`` was not kept, or None when it was."""
    try:
        roles = iam.get_instance_profile(InstanceProfileName=profile)["InstanceProfile"]["Roles"]
    except iam.exceptions.NoSuchEntityException:
        return (
            f"instance profile {profile}{where} was deleted with its stack, not retained "
            '(docs/security.md, "Safe teardown")'
        )
    if [found["RoleName"] for found in roles] != [role]:
        return f"instance profile {profile}{where} was kept without its role {role}"
    return None


def _delete_log_groups(functions: list[str]) -> None:
    logs = boto3.client("logs")
    for function in functions:
        try:
            logs.delete_log_group(logGroupName=f"/aws/lambda/{function}")
        except logs.exceptions.ResourceNotFoundException:
            continue
        print(f"deleted log group /aws/lambda/{function}")


def _record_functions(state: dict[str, Any], resources: list[dict[str, Any]] | None) -> None:
    state["functions"] = sorted({*state.get("functions", []), *function_names(resources or [])})


def before_destroy(instances_stack: str, setup_stack: str, assertion_stack: str) -> None:
    path = _state_path(f"local-{setup_stack}")
    cfn, iam = boto3.client("cloudformation"), boto3.client("iam")
    own = stack_resources(cfn, instances_stack)
    for logical_id, role in held(own or [], "AWS::IAM::Role").items():
        if logical_id.startswith("OwnRole"):
            print(f"detached from {role}: {', '.join(_detach_all(iam, role)) or 'nothing'}")
    state = _load(path)
    profiles = held(stack_resources(cfn, setup_stack) or [], "AWS::IAM::InstanceProfile")
    if len(profiles) > 1:
        raise TeardownError(f"{setup_stack} holds {len(profiles)} instance profiles, not one")
    for profile in profiles.values():
        roles = iam.get_instance_profile(InstanceProfileName=profile)["InstanceProfile"]["Roles"]
        if len(roles) != 1:
            raise TeardownError(f"instance profile {profile} holds {len(roles)} roles, not one")
        state.update(profile=profile, role=roles[0]["RoleName"])
        print(f"recorded instance profile {profile} with role {roles[0]['RoleName']}")
    if not profiles:
        print(f"{setup_stack} holds no instance profile: nothing to check after the destroy")
    _record_functions(state, stack_resources(cfn, assertion_stack))
    _save(path, state)


def after_destroy(setup_stack: str) -> None:
    path = _state_path(f"local-{setup_stack}")
    cfn, iam = boto3.client("cloudformation"), boto3.client("iam")
    status = stack_status(cfn, setup_stack)
    if status is not None:
        raise TeardownError(f"stack {setup_stack} still exists ({status}): nothing deleted")
    state = _load(path)
    failure = None
    if state.get("profile") and not state.get("checked"):
        failure = retention_failure(iam, state["profile"], state["role"])
        if failure is None:
            print(
                f"kept as documented: instance profile {state['profile']} with role {state['role']}"
            )
            _save(path, {**state, "checked": True})
    elif state.get("profile"):
        print(f"instance profile {state['profile']}: checked by an earlier call")
    else:
        print("no instance profile recorded: nothing to check")
    prefix = f"{setup_stack}-"
    profiles = [state["profile"]] if state.get("profile") else []
    profiles += [
        profile["InstanceProfileName"]
        for profile in _paged(iam, "list_instance_profiles", "InstanceProfiles")
        if profile["InstanceProfileName"].startswith(prefix)
    ]
    for profile in dict.fromkeys(profiles):
        delete_instance_profile(iam, profile)
    roles = [state["role"]] if state.get("role") else []
    roles += [
        role["RoleName"]
        for role in _paged(iam, "list_roles", "Roles")
        if role["RoleName"].startswith(prefix)
    ]
    for role in dict.fromkeys(roles):
        delete_role(iam, role)
    _delete_log_groups(state.get("functions", []))
    if failure:
        raise TeardownError(failure)


def organization_before_destroy(assertion_stack: str) -> None:
    path = _state_path("organization")
    cfn = boto3.client("cloudformation")
    state = _load(path)
    status = stack_status(cfn, assertion_stack)
    state["member_reached"] = state.get("member_reached", False) or status in HELD
    print(
        f"assertion stack {assertion_stack}: {status or 'not deployed'}; the member account "
        f"was {'reached' if state['member_reached'] else 'not shown reached'}"
    )
    _record_functions(state, stack_resources(cfn, assertion_stack) if status else None)
    _save(path, state)


def organization_after_destroy(account: str, role: str, region: str, configuration_id: str) -> None:
    path = _state_path("organization")
    state = _load(path)
    name = f"QuickSetup-Instance-{configuration_id}"
    iam = member_client("iam", account, role, region)
    failure = None
    if state.get("member_reached") and not state.get("checked"):
        failure = retention_failure(iam, name, name, f" in account {account}")
        if failure is None:
            print(f"kept as documented in account {account}: instance profile and role {name}")
            _save(path, {**state, "checked": True})
    elif state.get("member_reached"):
        print(f"account {account}: checked by an earlier call")
    else:
        print(f"the deploy did not reach account {account}: nothing to check")
    delete_instance_profile(iam, name)
    delete_role(iam, name)
    _delete_log_groups(state.get("functions", []))
    if failure:
        raise TeardownError(failure)


COMMANDS = {
    "before-destroy": (3, before_destroy),
    "after-destroy": (1, after_destroy),
    "organization-before-destroy": (1, organization_before_destroy),
    "organization-after-destroy": (4, organization_after_destroy),
}


def main(argv: list[str]) -> int:
    try:
        if not argv or argv[0] not in COMMANDS or len(argv) - 1 != COMMANDS[argv[0]][0]:
            raise UsageError(USAGE)
        state_dir()
        COMMANDS[argv[0]][1](*argv[1:])
    except UsageError as error:
        print(error, file=sys.stderr)
        return 2
    except (TeardownError, ClientError, BotoCoreError) as error:
        print(f"error: {' '.join(str(error).split())}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
