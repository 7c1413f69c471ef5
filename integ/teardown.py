"""Hooks around the destroy of the local integration test (integ-runner runs them from integ/).

``before-destroy INSTANCES_STACK SETUP_STACK``
    Detach from the instances stack's ``OwnRole`` the policies the runbook attached to it
    (``allow_policy_attach``): CloudFormation does not delete a role with policies attached
    outside its template. Write the names of the setup stack's instance profile and of the role
    in it to ``.teardown.json``.
``after-destroy``
    The stacks are gone. Check that the instance profile and its role were kept, as
    ``instance_profile_removal_policy`` (default ``RETAIN``) documents, then delete both.
    Exit code 1, in one line, when the profile was not kept; nothing to check without
    ``.teardown.json`` (the setup stack was never deployed).

Uses the environment's AWS credentials and Region, as ``make integ`` does.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import boto3
from botocore.exceptions import ClientError

STATE = Path(".teardown.json")


def _physical_ids(stack: str, resource_type: str) -> dict[str, str]:
    resources = boto3.client("cloudformation").describe_stack_resources(StackName=stack)
    return {
        resource["LogicalResourceId"]: resource["PhysicalResourceId"]
        for resource in resources["StackResources"] if resource["ResourceType"] == resource_type
    }


def _detach_all(iam, role: str) -> list[str]:
    attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    for policy in attached:
        iam.detach_role_policy(RoleName=role, PolicyArn=policy["PolicyArn"])
    return [policy["PolicyName"] for policy in attached]


def before_destroy(instances_stack: str, setup_stack: str) -> None:
    iam = boto3.client("iam")
    try:
        own_roles = _physical_ids(instances_stack, "AWS::IAM::Role")
        profiles = _physical_ids(setup_stack, "AWS::IAM::InstanceProfile")
    except ClientError as error:  # a stack that does not exist
        print(f"nothing to prepare: {error}")
        return
    for logical_id, role in own_roles.items():
        if logical_id.startswith("OwnRole"):
            print(f"detached from {role}: {', '.join(_detach_all(iam, role)) or 'nothing'}")
    (profile,) = profiles.values()
    (role,) = iam.get_instance_profile(InstanceProfileName=profile)["InstanceProfile"]["Roles"]
    STATE.write_text(json.dumps({"profile": profile, "role": role["RoleName"]}))


def after_destroy() -> int:
    if not STATE.exists():
        print("nothing to check: the setup stack was not deployed")
        return 0
    kept = json.loads(STATE.read_text())
    iam = boto3.client("iam")
    try:
        profile = iam.get_instance_profile(InstanceProfileName=kept["profile"])
        roles = profile["InstanceProfile"]["Roles"]
    except iam.exceptions.NoSuchEntityException:
        print(f"error: instance profile {kept['profile']} was deleted with its stack, "
              "not retained", file=sys.stderr)
        return 1
    if [role["RoleName"] for role in roles] != [kept["role"]]:
        print(f"error: instance profile {kept['profile']} was kept without its role "
              f"{kept['role']}", file=sys.stderr)
        return 1
    print(f"kept as documented: instance profile {kept['profile']} with role {kept['role']}; "
          "deleting them")
    iam.remove_role_from_instance_profile(
        InstanceProfileName=kept["profile"], RoleName=kept["role"]
    )
    iam.delete_instance_profile(InstanceProfileName=kept["profile"])
    _detach_all(iam, kept["role"])
    for name in iam.list_role_policies(RoleName=kept["role"])["PolicyNames"]:
        iam.delete_role_policy(RoleName=kept["role"], PolicyName=name)
    iam.delete_role(RoleName=kept["role"])
    STATE.unlink()
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["before-destroy"] and len(argv) == 3:
        before_destroy(argv[1], argv[2])
        return 0
    if argv == ["after-destroy"]:
        return after_destroy()
    print("usage: teardown.py before-destroy INSTANCES_STACK SETUP_STACK | after-destroy",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
