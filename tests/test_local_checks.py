"""cfn-lint and cdk-nag over a range of QuickSetupLocal configurations."""

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from quicksetup_constructs import InstanceTargets, InventoryFilePath, InventorySettings, QuickSetupLocal

from .support import ENV, lint_findings, nag_report, unacknowledged


def _all_options(stack):
    QuickSetupLocal(stack, "All", install_cloudwatch_agent=True, update_cloudwatch_agent=True,
                    allow_policy_attach=True, targets=InstanceTargets.instance_ids(["i-0123456789abcdef0"]),
                    inventory=InventorySettings(files=[InventoryFilePath("/etc", ["*.conf"])], billing_info=True))


def _two_configurations(stack):
    QuickSetupLocal(stack, "Web", targets=InstanceTargets.tag("App", "web"), allow_policy_attach=True)
    QuickSetupLocal(stack, "Batch", targets=InstanceTargets.resource_group("batch"),
                    schedules={"scan_for_patches": "cron(0 3 ? * SUN *)"}, update_cloudwatch_agent=True)


def _user_roles(stack):
    role = iam.Role(stack, "TeamRole", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    QuickSetupLocal(stack, "Team", instance_profile_role=role, targets=InstanceTargets.tag("Team"))


def _user_role_default_service_role(stack):
    role = iam.Role.from_role_name(stack, "Existing", "ExistingRole")
    QuickSetupLocal(stack, "Team", instance_profile_role=role, allow_policy_attach=True)


CONFIGURATIONS = {
    "all-options": _all_options,
    "two-configurations": _two_configurations,
    "user-roles": _user_roles,
    "user-instance-role": _user_role_default_service_role,
}


@pytest.mark.parametrize("env", [None, ENV], ids=["env-agnostic", "concrete-env"])
@pytest.mark.parametrize("name", CONFIGURATIONS)
def test_configurations_pass_cfn_lint_and_cdk_nag(name, env, tmp_path):
    stacks = []

    def build(app):
        stack = cdk.Stack(app, "Stack", env=env)
        CONFIGURATIONS[name](stack)
        stacks.append(stack)

    report = nag_report(build, tmp_path)
    assert unacknowledged(report) == []
    assert lint_findings(Template.from_stack(stacks[0]).to_json()) == []
