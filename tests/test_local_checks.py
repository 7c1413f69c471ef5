"""cfn-lint and cdk-nag over a range of QuickSetupLocal configurations."""

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from quicksetup_constructs import (
    InstanceTargets,
    InventoryFilePath,
    InventorySettings,
    InventorySync,
    QuickSetupLocal,
)

from .apps import FLAG_SET_NAMES
from .support import ENV, acknowledgements, lint_findings, nag_report, unacknowledged


def _all_options(stack):
    QuickSetupLocal(
        stack,
        "All",
        install_cloudwatch_agent=True,
        update_cloudwatch_agent=True,
        update_ec2_launch_agent=True,
        default_host_management=True,
        inventory_sync=InventorySync.to_new_bucket(prefix="inventory"),
        allow_policy_attach=True,
        targets=InstanceTargets.instance_ids(["i-0123456789abcdef0"]),
        inventory=InventorySettings(
            files=[InventoryFilePath("/etc", ["*.conf"])], billing_info=True
        ),
    )


def _two_configurations(stack):
    QuickSetupLocal(
        stack, "Web", targets=InstanceTargets.tag("App", "web"), allow_policy_attach=True
    )
    # A resource group can hold the web instances too: only one of them may collect inventory.
    QuickSetupLocal(
        stack,
        "Batch",
        targets=InstanceTargets.resource_group("batch"),
        collect_inventory=False,
        inventory_sync=InventorySync.to_bucket("central-inventory", "us-east-1"),
        schedules={"scan_for_patches": "cron(0 3 ? * SUN *)"},
        update_cloudwatch_agent=True,
    )


def _user_roles(stack):
    role = iam.Role(stack, "TeamRole", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    QuickSetupLocal(stack, "Team", instance_profile_role=role, targets=InstanceTargets.tag("Team"))


def _user_role_default_service_role(stack):
    role = iam.Role.from_role_name(stack, "Existing", "ExistingRole")
    QuickSetupLocal(stack, "Team", instance_profile_role=role, allow_policy_attach=True)


def _profile_only(stack):
    QuickSetupLocal(
        stack,
        "Bare",
        update_ssm_agent=False,
        collect_inventory=False,
        scan_for_patches=False,
        attach_instance_profile=False,
        instance_profile_removal_policy=cdk.RemovalPolicy.DESTROY,
    )


CONFIGURATIONS = {
    "all-options": _all_options,
    "two-configurations": _two_configurations,
    "user-roles": _user_roles,
    "user-instance-role": _user_role_default_service_role,
    "profile-only": _profile_only,
}


@pytest.mark.parametrize("flag_set", FLAG_SET_NAMES)
@pytest.mark.parametrize("env", [None, ENV], ids=["env-agnostic", "concrete-env"])
@pytest.mark.parametrize("name", CONFIGURATIONS)
def test_configurations_pass_cfn_lint_and_cdk_nag(name, env, flag_set, tmp_path):
    stacks = []

    def build(app):
        stack = cdk.Stack(app, "Stack", env=env)
        CONFIGURATIONS[name](stack)
        stacks.append(stack)

    report = nag_report(build, tmp_path, flag_set=flag_set)
    assert unacknowledged(report) == []
    assert all(len(s["reason"]) > 20 for s in acknowledgements(report))
    assert lint_findings(Template.from_stack(stacks[0]).to_json()) == []


def test_both_packs_really_run(tmp_path):
    """Guards the test above: a clean pack leaves no trace in the report, so show that both
    packs report what they should on a role that breaks their rules."""

    def build(app):
        role = iam.Role(
            cdk.Stack(app, "Stack"), "Bad", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com")
        )
        role.add_to_policy(iam.PolicyStatement(actions=["s3:*"], resources=["*"]))

    rules = {rule.split(" ")[0] for rule in unacknowledged(nag_report(build, tmp_path))}
    assert {"AwsSolutions-IAM5[Action::s3:*]", "NIST.800.53.R5-IAMNoInlinePolicy"} <= rules


def test_the_inventory_bucket_findings_are_acknowledged_with_their_reasons(tmp_path):
    def build(app):
        QuickSetupLocal(
            cdk.Stack(app, "Stack", env=ENV),
            "QuickSetup",
            inventory_sync=InventorySync.to_new_bucket(),
        )

    report = nag_report(build, tmp_path)
    acknowledged = {s["ruleName"].split("[")[0]: s["reason"] for s in acknowledgements(report)}
    for rule in (
        "AwsSolutions-S1",
        "NIST.800.53.R5-S3BucketLoggingEnabled",
        "NIST.800.53.R5-S3BucketReplicationEnabled",
        "NIST.800.53.R5-S3DefaultEncryptionKMS",
    ):
        assert rule in acknowledged, rule
    assert "server_access_logs_bucket" in acknowledged["AwsSolutions-S1"]
