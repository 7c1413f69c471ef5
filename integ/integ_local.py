"""Integration test: QuickSetupLocal with every option on, targeting instances by tag.

Three stacks:

- ``QuickSetupIntegInstances``: three Amazon Linux 2023 ``t3.micro`` instances (IMDSv2
  required): ``Bare`` (tagged, no instance profile), ``WithOwnProfile`` (tagged, with a profile of
  its own whose role has no policy) and ``Untagged``. They go to the default VPC, or to a subnet of
  the VPC that ``QUICKSETUP_INTEG_VPC_ID`` names;
- ``QuickSetupIntegLocal``: ``QuickSetupLocal`` over the tag, every option on,
  ``allow_policy_attach`` and Default Host Management Configuration included, deployed after
  the instances so that the profile automation finds them when its association is created;
- ``QuickSetupIntegLocalAssertions``: the assertions of ``IntegTest``, which read the account.

Run it on an account with ``make integ``; ``tests/test_integ_snapshots.py`` checks offline that
it still synthesizes to ``integ_local.py.snapshot/``, and ``tests/test_integ_assertions.py`` that
each assertion matches a realistic answer of AWS and fails on a changed one. The facts each
assertion relies on are cited beside it.
"""

from __future__ import annotations

import os
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import cloud_assembly_schema as schema
from aws_cdk.integ_tests_alpha import ExpectedResult, IApiCall, IntegTest, Match
from harness import integ_app

from quicksetup_constructs import InstanceTargets, QuickSetupLocal

TAG_KEY, TAG_VALUE = "QuickSetupInteg", "managed"
INSTANCES_STACK, SETUP_STACK = "QuickSetupIntegInstances", "QuickSetupIntegLocal"
ASSERTIONS_STACK = "QuickSetupIntegLocalAssertions"
VPC_VARIABLE = "QUICKSETUP_INTEG_VPC_ID"

# Waiting: associations run when a node registers, and Update CloudWatch agent waits 1800 s
# after the installation (docs/options.md, "What each option creates"). Each waiter is one
# custom resource, which CloudFormation gives at most an hour.
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
    "AmazonSSMManagedInstanceCore",
    "AmazonSSMPatchAssociation",
    "CloudWatchAgentServerPolicy",
)

# Systems Manager user guide, "Default Host Management Configuration": the service setting
# /ssm/managed-instance/default-ec2-instance-management-role holds the name of the role
# Systems Manager gives instances (aws ssm get-service-setting --setting-id ...).
DHMC_SETTING = "/ssm/managed-instance/default-ec2-instance-management-role"


def _environment() -> cdk.Environment | None:
    """None (environment-agnostic stacks, instances in the default VPC) unless
    :data:`VPC_VARIABLE` is set: looking the VPC up needs the account and Region, which the CDK
    CLI passes as ``CDK_DEFAULT_ACCOUNT`` and ``CDK_DEFAULT_REGION``. Every stack then gets the
    same environment, as the assertions reference the other two stacks."""
    if not os.environ.get(VPC_VARIABLE):
        return None
    for name in ("CDK_DEFAULT_ACCOUNT", "CDK_DEFAULT_REGION"):
        if not os.environ.get(name):
            raise ValueError(
                f"{VPC_VARIABLE} is set but {name} is not: synthesize with the CDK CLI and "
                "credentials, which set it"
            )
    return cdk.Environment(
        account=os.environ["CDK_DEFAULT_ACCOUNT"], region=os.environ["CDK_DEFAULT_REGION"]
    )


def _placement(instances: cdk.Stack) -> dict[str, Any]:
    """The ``CfnInstance`` properties that place an instance: none (the default VPC's default
    subnet) unless :data:`VPC_VARIABLE` names a VPC.

    An instance becomes a managed node by calling the Systems Manager endpoints (``ssm``,
    ``ssmmessages``, ``ec2messages``) over HTTPS, so it needs a route to them. A public subnet has
    one through the internet gateway, for an instance with a public address; a private subnet with
    egress through its NAT or transit gateway. An isolated subnet would need VPC interface
    endpoints, which this test does not create, so a VPC with only those is refused."""
    vpc_id = os.environ.get(VPC_VARIABLE)
    if not vpc_id:
        return {}
    vpc = ec2.Vpc.from_lookup(instances, "Vpc", vpc_id=vpc_id)
    if vpc.public_subnets:
        return {
            "network_interfaces": [
                ec2.CfnInstance.NetworkInterfaceProperty(
                    device_index="0",
                    subnet_id=vpc.public_subnets[0].subnet_id,
                    associate_public_ip_address=True,
                )
            ]
        }
    if vpc.private_subnets:
        return {"subnet_id": vpc.private_subnets[0].subnet_id}
    raise ValueError(
        f"{VPC_VARIABLE}={vpc_id}: the VPC has neither a public subnet nor a private subnet with "
        "egress, so its instances could not reach Systems Manager"
    )


def build(app: cdk.App) -> IntegTest:
    """The three stacks and the assertions in ``app``."""
    env = _environment()
    instances = cdk.Stack(app, INSTANCES_STACK, env=env)
    own_role = iam.Role(instances, "OwnRole", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    own_profile = iam.CfnInstanceProfile(instances, "OwnProfile", roles=[own_role.role_name])
    image = ec2.MachineImage.latest_amazon_linux2023().get_image(instances).image_id
    placement = _placement(instances)

    def instance(name: str, tagged: bool, profile: str | None = None) -> ec2.CfnInstance:
        return ec2.CfnInstance(
            instances,
            name,
            image_id=image,
            instance_type="t3.micro",
            iam_instance_profile=profile,
            metadata_options=ec2.CfnInstance.MetadataOptionsProperty(http_tokens="required"),
            tags=[cdk.CfnTag(key="Name", value=f"{SETUP_STACK}-{name}")]
            + ([cdk.CfnTag(key=TAG_KEY, value=TAG_VALUE)] if tagged else []),
            **placement,
        )

    bare = instance("Bare", True)
    own = instance("WithOwnProfile", True, own_profile.ref)
    untagged = instance("Untagged", False)

    setup = cdk.Stack(app, SETUP_STACK, env=env)
    setup.add_stack_dependency(instances)
    quick_setup = QuickSetupLocal(
        setup,
        "QuickSetup",
        targets=InstanceTargets.tag(TAG_KEY, TAG_VALUE),
        update_ssm_agent=True,
        update_ec2_launch_agent=True,
        collect_inventory=True,
        scan_for_patches=True,
        install_cloudwatch_agent=True,
        update_cloudwatch_agent=True,
        attach_instance_profile=True,
        enable_explorer=True,
        default_host_management=True,
        allow_policy_attach=True,
    )

    # Around the destroy (hooks run from this directory): before it, detach what the runbook
    # attached to the own role, which CloudFormation would not delete otherwise, and note what
    # the assertion stack leaves; after it, check that the instance profile was kept
    # (docs/security.md, "Safe teardown") and delete it.
    assertions = cdk.Stack(app, ASSERTIONS_STACK, env=env)
    before_destroy = (
        f"python3 teardown.py before-destroy {INSTANCES_STACK} {SETUP_STACK} "
        f"{assertions.stack_name}"
    )
    integ = IntegTest(
        app,
        "QuickSetupLocalInteg",
        test_cases=[instances, setup],
        stack_update_workflow=False,
        assertion_stack=assertions,
        hooks=schema.Hooks(
            pre_destroy=[before_destroy],
            post_destroy=[f"python3 teardown.py after-destroy {SETUP_STACK}"],
        ),
    )
    check = integ.assertions

    def profile_of(instance_id: str) -> IApiCall:
        # EC2 API reference, DescribeIamInstanceProfileAssociations: filter instance-id; each
        # IamInstanceProfileAssociation has AssociationId, InstanceId, IamInstanceProfile
        # {Arn, Id}, State (associating | associated | disassociating | disassociated) and
        # Timestamp.
        return check.aws_api_call(
            "EC2",
            "describeIamInstanceProfileAssociations",
            {
                "Filters": [{"Name": "instance-id", "Values": [instance_id]}],
            },
        )

    def associations_of(instance_id: str) -> IApiCall:
        # Systems Manager API reference, DescribeInstanceAssociationsStatus: one
        # InstanceAssociationStatusInfo per association applied to the node, with
        # AssociationName and Status among its members. MaxResults takes 1 to 50; the largest
        # page holds every association of a node here, as the call is not paged.
        return check.aws_api_call(
            "SSM",
            "describeInstanceAssociationsStatus",
            {
                "InstanceId": instance_id,
                "MaxResults": 50,
            },
        )

    def managed_node(instance_id: str) -> IApiCall:
        # Systems Manager API reference, DescribeInstanceInformation: filter key InstanceIds;
        # PingStatus is Online, ConnectionLost or Inactive.
        return (
            check.aws_api_call(
                "SSM",
                "describeInstanceInformation",
                {
                    "Filters": [{"Key": "InstanceIds", "Values": [instance_id]}],
                },
            )
            .expect(
                ExpectedResult.object_like(
                    {
                        "InstanceInformationList": Match.array_with(
                            [
                                Match.object_like(
                                    {
                                        "PingStatus": "Online",
                                    }
                                )
                            ]
                        ),
                    }
                )
            )
            .wait_for_assertions(**SOON)
        )

    # Each pattern is an object_like at the top, as every response has members it does not name,
    # and every element of an array_with is an object_like: the assertion handler decodes them
    # into aws-cdk-lib's Match, where a plain object inside arrayWith must equal the whole
    # element AWS returns.

    # The instance without a profile gets the library's; the other keeps its own.
    profile_of(bare.ref).expect(
        ExpectedResult.object_like(
            {
                "IamInstanceProfileAssociations": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "State": "associated",
                                "IamInstanceProfile": Match.object_like(
                                    {
                                        "Arn": quick_setup.instance_profile.instance_profile_arn,
                                    }
                                ),
                            }
                        )
                    ]
                ),
            }
        )
    ).wait_for_assertions(**SOON)
    profile_of(own.ref).expect(
        ExpectedResult.object_like(
            {
                "IamInstanceProfileAssociations": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "State": "associated",
                                "IamInstanceProfile": Match.object_like(
                                    {"Arn": own_profile.attr_arn}
                                ),
                            }
                        )
                    ]
                ),
            }
        )
    ).wait_for_assertions(**SOON)

    # With allow_policy_attach, the own profile's role gains exactly the documented policies:
    # each one is there, and with MaxItems 3 IAM has no more to return (IAM API reference,
    # ListAttachedRolePolicies: "IsTruncated: A flag that indicates whether there are more
    # items to return").
    for policy in ATTACHED_TO_OWN_ROLE:
        check.aws_api_call(
            "IAM",
            "listAttachedRolePolicies",
            {
                "RoleName": own_role.role_name,
                "MaxItems": len(ATTACHED_TO_OWN_ROLE),
            },
        ).expect(
            ExpectedResult.object_like(
                {
                    "IsTruncated": False,
                    "AttachedPolicies": Match.array_with(
                        [Match.object_like({"PolicyName": policy})]
                    ),
                }
            )
        ).wait_for_assertions(**SOON)

    # Both tagged instances become managed nodes.
    for node in (bare, own):
        managed_node(node.ref)

    # Every association that runs on instances reaches Success on both tagged nodes. The two
    # Automation associations (the profile and Explorer) run no command on a node, so they
    # report through DescribeAssociation's Overview instead (Systems Manager API reference,
    # AssociationOverview: "Status can be: Pending, Success, or Failed").
    association_waiters: list[IApiCall] = []
    for option, association in quick_setup.associations.items():
        if option in ("attach_instance_profile", "enable_explorer"):
            association_waiters.append(
                check.aws_api_call(
                    "SSM",
                    "describeAssociation",
                    {
                        "AssociationId": association.attr_association_id,
                    },
                )
                .expect(
                    ExpectedResult.object_like(
                        {
                            "AssociationDescription": Match.object_like(
                                {
                                    "Overview": Match.object_like({"Status": "Success"}),
                                }
                            ),
                        }
                    )
                )
                .wait_for_assertions(**SOON)
            )
            continue
        for node in (bare, own):
            association_waiters.append(
                associations_of(node.ref)
                .expect(
                    ExpectedResult.object_like(
                        {
                            "InstanceAssociationStatusInfos": Match.array_with(
                                [
                                    Match.object_like(
                                        {
                                            "AssociationName": association.association_name,
                                            "Status": "Success",
                                        }
                                    )
                                ]
                            ),
                        }
                    )
                )
                .wait_for_assertions(**LATER)
            )

    # Inventory: the first collection reports the installed applications (Systems Manager
    # user guide, "Metadata collected by inventory": AWS:Application), SSM Agent's package among
    # them. The CloudWatch agent is installed: its package, amazon-cloudwatch-agent, is reported
    # too once inventory runs after the installation (every 30 minutes).
    for package, wait in (("amazon-ssm-agent", SOON), ("amazon-cloudwatch-agent", LATER)):
        check.aws_api_call(
            "SSM",
            "listInventoryEntries",
            {
                "InstanceId": bare.ref,
                "TypeName": "AWS:Application",
                "Filters": [{"Key": "Name", "Values": [package], "Type": "Equal"}],
            },
        ).expect(
            ExpectedResult.object_like(
                {
                    "Entries": Match.array_with([Match.object_like({"Name": package})]),
                }
            )
        ).wait_for_assertions(**wait)

    # Patch compliance: the daily scan leaves each node a patch state (Systems Manager API
    # reference, DescribeInstancePatchStates: Operation Scan).
    for node in (bare, own):
        check.aws_api_call(
            "SSM",
            "describeInstancePatchStates",
            {
                "InstanceIds": [node.ref],
            },
        ).expect(
            ExpectedResult.object_like(
                {
                    "InstancePatchStates": Match.array_with(
                        [Match.object_like({"Operation": "Scan"})]
                    ),
                }
            )
        ).wait_for_assertions(**SOON)

    # Default Host Management Configuration names the library's role (DHMC_SETTING).
    check.aws_api_call("SSM", "getServiceSetting", {"SettingId": DHMC_SETTING}).expect(
        ExpectedResult.object_like(
            {
                "ServiceSetting": Match.object_like(
                    {
                        "SettingValue": quick_setup.default_host_management_role.role_name,
                    }
                )
            }
        )
    )

    # The untagged instance is untouched. Through DHMC it becomes a managed node too, later than
    # the tagged ones; until then every instance reads as one without associations. So it is
    # read only once a waiter has seen it Online, and that waiter starts once every association
    # has succeeded on the tagged nodes (the slowest, Update CloudWatch agent, included): it then
    # still has no instance profile and no association has run on it. An empty list is matched
    # through object_like, whose plain lists must have the same length: ExpectedResult.exact
    # would be sent as a "$Exact" object, which the handler does not decode.
    untagged_online = managed_node(untagged.ref)
    for waiter in association_waiters:
        waiter.next(untagged_online)
    untagged_online.next(profile_of(untagged.ref)).expect(
        ExpectedResult.object_like({"IamInstanceProfileAssociations": []})
    )
    untagged_online.next(associations_of(untagged.ref)).expect(
        ExpectedResult.object_like({"InstanceAssociationStatusInfos": []})
    )
    return integ


if __name__ == "__main__":
    application = integ_app()
    build(application)
    application.synth()
