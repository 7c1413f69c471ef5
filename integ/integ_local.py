"""Integration test: QuickSetupLocal with every option on, targeting instances by tag.

Two stacks and the assertions of ``IntegTest``:

- ``QuickSetupIntegInstances``: three Amazon Linux 2023 ``t3.micro`` instances in the default
  VPC (IMDSv2 required): ``Bare`` (tagged, no instance profile), ``WithOwnProfile`` (tagged, with a
  profile of its own whose role has no policy) and ``Untagged``;
- ``QuickSetupIntegLocal``: ``QuickSetupLocal`` over the tag, every option on,
  ``allow_policy_attach`` and Default Host Management Configuration included, deployed after
  the instances so that the profile automation finds them when its association is created.

Run it on an account with ``make integ``; ``tests/test_integ_snapshots.py`` checks offline that
it still synthesizes to ``integ_local.py.snapshot/``. The facts each assertion relies on are
cited beside it.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import cloud_assembly_schema as schema
from aws_cdk.integ_tests_alpha import ExpectedResult, IApiCall, IntegTest, Match
from harness import integ_app

from quicksetup_constructs import InstanceTargets, QuickSetupLocal

TAG_KEY, TAG_VALUE = "QuickSetupInteg", "managed"
INSTANCES_STACK, SETUP_STACK = "QuickSetupIntegInstances", "QuickSetupIntegLocal"

# Waiting: associations run when a node registers, and Update CloudWatch agent waits 1800 s
# after the installation (README, "What each option creates"). Each waiter is one custom
# resource, which CloudFormation gives at most an hour.
SOON = {"interval": cdk.Duration.seconds(30), "total_timeout": cdk.Duration.minutes(30)}
LATER = {"interval": cdk.Duration.minutes(1), "total_timeout": cdk.Duration.minutes(55)}

# AWS managed policy reference, AWSQuickSetupManagedInstanceProfileExecutionPolicy
# (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/
# AWSQuickSetupManagedInstanceProfileExecutionPolicy.html): Quick Setup may attach
# AmazonSSMManagedInstanceCore, AmazonSSMPatchAssociation, AWSQuickSetupPatchPolicyBaselineAccess,
# AmazonElasticFileSystemsUtils and CloudWatchAgentServerPolicy to a profile's role. Of these,
# Host Management needs the first two for a managed node and its patch scan, and the CloudWatch
# agent the last one (user guide, "Create IAM roles and users for use with the CloudWatch
# agent"): the other two belong to patch policies and EFS.
ATTACHED_TO_OWN_ROLE = (
    "AmazonSSMManagedInstanceCore", "AmazonSSMPatchAssociation", "CloudWatchAgentServerPolicy",
)

# Systems Manager user guide, "Default Host Management Configuration": the service setting
# /ssm/managed-instance/default-ec2-instance-management-role holds the name of the role
# Systems Manager gives instances (aws ssm get-service-setting --setting-id ...).
DHMC_SETTING = "/ssm/managed-instance/default-ec2-instance-management-role"


def build(app: cdk.App) -> IntegTest:
    """Both stacks and their assertions in ``app``."""
    instances = cdk.Stack(app, INSTANCES_STACK)
    own_role = iam.Role(instances, "OwnRole", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    own_profile = iam.CfnInstanceProfile(instances, "OwnProfile", roles=[own_role.role_name])
    image = ec2.MachineImage.latest_amazon_linux2023().get_image(instances).image_id

    def instance(name: str, tagged: bool, profile: str | None = None) -> ec2.CfnInstance:
        return ec2.CfnInstance(
            instances, name, image_id=image, instance_type="t3.micro", iam_instance_profile=profile,
            metadata_options=ec2.CfnInstance.MetadataOptionsProperty(http_tokens="required"),
            tags=[cdk.CfnTag(key="Name", value=f"{SETUP_STACK}-{name}")]
            + ([cdk.CfnTag(key=TAG_KEY, value=TAG_VALUE)] if tagged else []),
        )

    bare = instance("Bare", True)
    own = instance("WithOwnProfile", True, own_profile.ref)
    untagged = instance("Untagged", False)

    setup = cdk.Stack(app, SETUP_STACK)
    setup.add_stack_dependency(instances)
    quick_setup = QuickSetupLocal(
        setup, "QuickSetup", targets=InstanceTargets.tag(TAG_KEY, TAG_VALUE),
        update_ssm_agent=True, update_ec2_launch_agent=True, collect_inventory=True,
        scan_for_patches=True, install_cloudwatch_agent=True, update_cloudwatch_agent=True,
        attach_instance_profile=True, enable_explorer=True, default_host_management=True,
        allow_policy_attach=True,
    )

    # Around the destroy (integ-runner runs hooks from this directory): detach what the
    # runbook attached to the own role, which CloudFormation would not delete otherwise, then
    # check that the instance profile was kept (README, "Safe teardown") and delete it.
    integ = IntegTest(
        app, "QuickSetupLocalInteg", test_cases=[instances, setup], stack_update_workflow=False,
        hooks=schema.Hooks(
            pre_destroy=[f"python3 teardown.py before-destroy {INSTANCES_STACK} {SETUP_STACK}"],
            post_destroy=["python3 teardown.py after-destroy"],
        ),
    )
    check = integ.assertions

    def profile_of(instance_id: str) -> IApiCall:
        # EC2 API reference, DescribeIamInstanceProfileAssociations: filter instance-id; each
        # association has InstanceId, IamInstanceProfile {Arn, Id} and State.
        return check.aws_api_call("EC2", "describeIamInstanceProfileAssociations", {
            "Filters": [{"Name": "instance-id", "Values": [instance_id]}],
        })

    def associations_of(instance_id: str) -> IApiCall:
        # Systems Manager API reference, DescribeInstanceAssociationsStatus: one
        # InstanceAssociationStatusInfo per association applied to the node, with
        # AssociationName and Status.
        return check.aws_api_call(
            "SSM", "describeInstanceAssociationsStatus", {"InstanceId": instance_id}
        )

    # The instance without a profile gets the library's; the other keeps its own.
    profile_of(bare.ref).expect(ExpectedResult.object_like({
        "IamInstanceProfileAssociations": Match.array_with([{
            "State": "associated",
            "IamInstanceProfile": {"Arn": quick_setup.instance_profile.instance_profile_arn},
        }]),
    })).wait_for_assertions(**SOON)
    profile_of(own.ref).expect(ExpectedResult.object_like({
        "IamInstanceProfileAssociations": Match.array_with([{
            "State": "associated", "IamInstanceProfile": {"Arn": own_profile.attr_arn},
        }]),
    })).wait_for_assertions(**SOON)

    # With allow_policy_attach, the own profile's role gains exactly the documented policies:
    # each one is there, and with MaxItems 3 IAM has no more to return (IAM API reference,
    # ListAttachedRolePolicies: "IsTruncated: A flag that indicates whether there are more
    # items to return").
    for policy in ATTACHED_TO_OWN_ROLE:
        check.aws_api_call("IAM", "listAttachedRolePolicies", {
            "RoleName": own_role.role_name, "MaxItems": len(ATTACHED_TO_OWN_ROLE),
        }).expect(ExpectedResult.object_like({
            "IsTruncated": False, "AttachedPolicies": Match.array_with([{"PolicyName": policy}]),
        })).wait_for_assertions(**SOON)

    # Both tagged instances become managed nodes (Systems Manager API reference,
    # DescribeInstanceInformation: PingStatus Online).
    for node in (bare, own):
        check.aws_api_call("SSM", "describeInstanceInformation", {
            "Filters": [{"Key": "InstanceIds", "Values": [node.ref]}],
        }).expect(ExpectedResult.object_like({
            "InstanceInformationList": Match.array_with([{"PingStatus": "Online"}]),
        })).wait_for_assertions(**SOON)

    # Every association that runs on instances reaches Success on both tagged nodes. The two
    # Automation associations (the profile and Explorer) run no command on a node, so they
    # report through DescribeAssociation's Overview instead (Systems Manager API reference,
    # AssociationOverview: Status).
    succeeded: dict[str, IApiCall] = {}
    for option, association in quick_setup.associations.items():
        if option in ("attach_instance_profile", "enable_explorer"):
            succeeded[option] = check.aws_api_call("SSM", "describeAssociation", {
                "AssociationId": association.attr_association_id,
            }).expect(ExpectedResult.object_like({
                "AssociationDescription": {"Overview": {"Status": "Success"}},
            })).wait_for_assertions(**SOON)
            continue
        for node in (bare, own):
            succeeded[option] = associations_of(node.ref).expect(ExpectedResult.object_like({
                "InstanceAssociationStatusInfos": Match.array_with([{
                    "AssociationName": association.association_name, "Status": "Success",
                }]),
            })).wait_for_assertions(**LATER)

    # Inventory: the first collection reports the installed applications (Systems Manager
    # user guide, "Learn about Inventory": AWS:Application), SSM Agent's package among them.
    # The CloudWatch agent is installed: its package, amazon-cloudwatch-agent, is reported too
    # once inventory runs after the installation (every 30 minutes).
    for package, wait in (("amazon-ssm-agent", SOON), ("amazon-cloudwatch-agent", LATER)):
        check.aws_api_call("SSM", "listInventoryEntries", {
            "InstanceId": bare.ref, "TypeName": "AWS:Application",
            "Filters": [{"Key": "Name", "Values": [package], "Type": "Equal"}],
        }).expect(ExpectedResult.object_like({
            "Entries": Match.array_with([{"Name": package}]),
        })).wait_for_assertions(**wait)

    # Patch compliance: the daily scan leaves each node a patch state (Systems Manager API
    # reference, DescribeInstancePatchStates: Operation Scan).
    for node in (bare, own):
        check.aws_api_call("SSM", "describeInstancePatchStates", {
            "InstanceIds": [node.ref],
        }).expect(ExpectedResult.object_like({
            "InstancePatchStates": Match.array_with([{"Operation": "Scan"}]),
        })).wait_for_assertions(**SOON)

    # Default Host Management Configuration names the library's role (DHMC_SETTING).
    check.aws_api_call("SSM", "getServiceSetting", {"SettingId": DHMC_SETTING}).expect(
        ExpectedResult.object_like({"ServiceSetting": {
            "SettingValue": quick_setup.default_host_management_role.role_name,
        }})
    )

    # The untagged instance is untouched: once the profile automation has succeeded it still
    # has no profile, and once the slowest option has run on the tagged nodes no Quick Setup
    # association has run on it (it may still be a managed node, through DHMC).
    succeeded["attach_instance_profile"].next(profile_of(untagged.ref)).expect(
        ExpectedResult.exact({"IamInstanceProfileAssociations": []})
    )
    succeeded["update_cloudwatch_agent"].next(associations_of(untagged.ref)).expect(
        ExpectedResult.exact({"InstanceAssociationStatusInfos": []})
    )
    return integ


if __name__ == "__main__":
    application = integ_app()
    build(application)
    application.synth()
