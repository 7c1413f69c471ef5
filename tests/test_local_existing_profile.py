"""QuickSetupLocal(instance_profile_name=...): an existing instance profile, used as it is.

IAM's names: "InstanceProfileName ... Length Constraints: Minimum length of 1. Maximum length
of 128. Pattern: [\\w+=,.@-]+" (IAM API Reference, CreateInstanceProfile,
https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateInstanceProfile.html).
"""

from __future__ import annotations

import inspect
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import assertions
from aws_cdk import aws_iam as iam

from quicksetup_constructs import QuickSetupLocal
from quicksetup_constructs.configuration import configuration_from_props
from quicksetup_constructs.errors import QuickSetupValidationError
from quicksetup_constructs.rendering.roles import NAMED_IAM_METADATA
from quicksetup_constructs.rendering.stack_limit import local_resources

from .apps import arn_partition, joined, new_app
from .support import ENV, association, lint_findings, nag_report, unacknowledged

PROFILE = "Existing-Profile_1"
ROLE = "ExistingInstanceRole"
PARTITION = arn_partition("recommended")
_DEFAULT_PROPS = {
    name: parameter.default
    for name, parameter in inspect.signature(QuickSetupLocal.__init__).parameters.items()
    if parameter.default is not inspect.Parameter.empty
}
"""QuickSetupLocal's props at their defaults."""


def build(app: cdk.App, **props: Any) -> tuple[cdk.Stack, QuickSetupLocal]:
    stack = cdk.Stack(app, "Stack", env=ENV)
    role = iam.Role.from_role_name(stack, "Role", ROLE)
    props = {"instance_profile_name": PROFILE, "instance_profile_role": role, **props}
    return stack, QuickSetupLocal(stack, "QuickSetup", **props)


@pytest.fixture(scope="module")
def built() -> tuple[cdk.Stack, QuickSetupLocal]:
    return build(new_app())


@pytest.fixture(scope="module")
def template(built: tuple[cdk.Stack, QuickSetupLocal]) -> assertions.Template:
    return assertions.Template.from_stack(built[0])


def _statement(template: assertions.Template, action: str) -> dict[str, Any]:
    (policy,) = template.find_resources("AWS::IAM::ManagedPolicy").values()
    found = [
        s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Action"] == action
    ]
    assert len(found) == 1, found
    return found[0]


def test_no_instance_profile_is_created(template: assertions.Template) -> None:
    template.resource_count_is("AWS::IAM::InstanceProfile", 0)


def test_no_instance_role_is_created(template: assertions.Template) -> None:
    trusted = [
        role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
        for role in template.find_resources("AWS::IAM::Role").values()
    ]
    assert {"Service": "ec2.amazonaws.com"} not in trusted


def test_the_runbook_attaches_the_existing_profile(template: assertions.Template) -> None:
    parameters = association(template, "QuickSetup-AttachInstanceProfile-")["Parameters"]
    assert parameters["InstanceProfileName"] == [PROFILE]


def test_only_the_existing_profile_may_be_associated(template: assertions.Template) -> None:
    condition = _statement(template, "ec2:AssociateIamInstanceProfile")["Condition"]
    assert joined(condition["ArnEquals"]["ec2:NewInstanceProfile"]) == (
        f"arn:{PARTITION}:iam::{ENV.account}:instance-profile/{PROFILE}"
    )


def test_pass_role_only_on_the_profiles_role(template: assertions.Template) -> None:
    # EC2 User Guide, "Grant permissions to attach an IAM role to an instance": attaching a role
    # needs iam:PassRole; "specify the ARNs of specific IAM roles with iam:PassRole".
    statement = _statement(template, "iam:PassRole")
    assert joined(statement["Resource"]) == f"arn:{PARTITION}:iam::{ENV.account}:role/{ROLE}"
    assert statement["Condition"] == {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}


def test_the_profile_is_exposed(built: tuple[cdk.Stack, QuickSetupLocal]) -> None:
    stack, construct = built
    assert stack.resolve(construct.instance_profile.instance_profile_name) == PROFILE


def test_named_profile_and_role_are_recorded_for_preflight(
    built: tuple[cdk.Stack, QuickSetupLocal],
) -> None:
    (entry,) = [m for m in built[1].node.metadata if m.type == NAMED_IAM_METADATA]
    policies = ["AmazonSSMManagedInstanceCore", "AmazonSSMPatchAssociation"]
    assert entry.data["instance_profiles"] == [
        {"prop": "instance_profile_name", "name": PROFILE, "policies": policies}
    ]
    assert entry.data["roles"] == [
        {"prop": "instance_profile_role", "name": ROLE, "policies": policies}
    ]


def test_cloudwatch_option_adds_the_agent_policy_to_what_preflight_checks() -> None:
    _, construct = build(new_app(), install_cloudwatch_agent=True)
    (entry,) = [m for m in construct.node.metadata if m.type == NAMED_IAM_METADATA]
    assert "CloudWatchAgentServerPolicy" in entry.data["instance_profiles"][0]["policies"]


def test_without_the_prop_nothing_is_recorded() -> None:
    stack = cdk.Stack(new_app(), "Stack", env=ENV)
    construct = QuickSetupLocal(stack, "QuickSetup")
    assert not [m for m in construct.node.metadata if m.type == NAMED_IAM_METADATA]


def test_with_a_service_role_the_profile_role_is_not_needed() -> None:
    app = new_app()
    stack = cdk.Stack(app, "Stack", env=ENV)
    service = iam.Role.from_role_name(stack, "Service", "MyAutomation")
    construct = QuickSetupLocal(
        stack, "QuickSetup", instance_profile_name=PROFILE, service_role=service
    )
    assert construct.instance_role is None
    assertions.Template.from_stack(stack).resource_count_is("AWS::IAM::ManagedPolicy", 0)


@pytest.mark.parametrize("name", ["", "a" * 129, "my profile", "path/name", "é"])
def test_fails_when_the_name_is_not_an_instance_profile_name(name: str) -> None:
    with pytest.raises(QuickSetupValidationError) as raised:
        build(new_app(), instance_profile_name=name)
    message = str(raised.value)
    assert "instance_profile_name" in message and "1-128" in message and "_+=,.@-" in message


def test_the_longest_name_is_accepted() -> None:
    stack, _ = build(new_app(), instance_profile_name="a" * 128)
    template = assertions.Template.from_stack(stack)
    parameters = association(template, "QuickSetup-AttachInstanceProfile-")["Parameters"]
    assert parameters["InstanceProfileName"] == ["a" * 128]


def test_a_token_name_is_not_validated() -> None:
    app = new_app()
    stack = cdk.Stack(app, "Stack", env=ENV)
    name = cdk.CfnParameter(stack, "Profile").value_as_string
    role = iam.Role.from_role_name(stack, "Role", ROLE)
    QuickSetupLocal(stack, "QuickSetup", instance_profile_name=name, instance_profile_role=role)
    template = assertions.Template.from_stack(stack)
    parameters = association(template, "QuickSetup-AttachInstanceProfile-")["Parameters"]
    assert parameters["InstanceProfileName"] == [{"Ref": "Profile"}]


def test_fails_when_given_without_its_role_or_a_service_role() -> None:
    stack = cdk.Stack(new_app(), "Stack", env=ENV)
    with pytest.raises(QuickSetupValidationError) as raised:
        QuickSetupLocal(stack, "QuickSetup", instance_profile_name=PROFILE)
    message = str(raised.value)
    assert "instance_profile_name" in message and PROFILE in message
    assert "instance_profile_role" in message and "service_role" in message


def test_fails_when_given_without_attach_instance_profile() -> None:
    with pytest.raises(QuickSetupValidationError) as raised:
        build(new_app(), attach_instance_profile=False)
    message = str(raised.value)
    assert "instance_profile_name" in message and "attach_instance_profile=True" in message


def test_cfn_lint_finds_nothing(template: assertions.Template) -> None:
    assert lint_findings(template.to_json()) == []


def test_cdk_nag_finds_nothing(tmp_path) -> None:
    assert unacknowledged(nag_report(build, tmp_path)) == []


def test_the_service_role_gets_only_what_the_runbook_calls(template: assertions.Template) -> None:
    # The runbook calls DescribeIamInstanceProfileAssociations and AssociateIamInstanceProfile;
    # associating passes the profile's role. Quick Setup's other service-role actions
    # (Disassociate, Create/Get instance profile, AddRoleToInstanceProfile,
    # ListInstanceProfilesForRole) would let it detach or change a profile that is the user's.
    (policy,) = template.find_resources("AWS::IAM::ManagedPolicy").values()
    actions = [s["Action"] for s in policy["Properties"]["PolicyDocument"]["Statement"]]
    assert actions == [
        "ec2:DescribeIamInstanceProfileAssociations",
        "ec2:AssociateIamInstanceProfile",
        "iam:PassRole",
    ]


def test_the_stack_limit_counts_no_profile_and_no_instance_role() -> None:
    # The 500-resource check (rendering/stack_limit.py) predicts what the construct adds.
    stack = cdk.Stack(new_app(), "Stack", env=ENV)
    role = iam.Role.from_role_name(stack, "Role", ROLE)
    configuration = configuration_from_props(
        "Stack/QuickSetup", {**_DEFAULT_PROPS, "configuration_id": None}
    )
    predicted = local_resources(
        stack,
        configuration,
        given_roles=frozenset({"instance_profile_role", "instance_profile_name"}),
    )
    QuickSetupLocal(stack, "QuickSetup", instance_profile_name=PROFILE, instance_profile_role=role)
    resources = assertions.Template.from_stack(stack).to_json()["Resources"]
    assert predicted == len(resources)
