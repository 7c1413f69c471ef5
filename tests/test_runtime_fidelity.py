"""What Systems Manager, Automation and IAM do with the deployed resources: each expected value
is written from AWS's documentation, quoted beside it, not from the library's own output."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import assertions
from aws_cdk import aws_iam as iam

from quicksetup_constructs import (
    InstanceTargets,
    QuickSetupLocal,
    QuickSetupOrganization,
    QuickSetupValidationError,
)

from .apps import FLAG_SET_NAMES, new_app
from .support import association, lint_findings

# AWSQuickSetupManagedInstanceProfileExecutionPolicy (AWS managed policy reference) lets Quick
# Setup call iam:AttachRolePolicy on an existing profile's role for these policies (among others
# of features this library does not have): the two every managed node needs, and the one the
# CloudWatch agent needs. CloudWatch user guide, "Create IAM roles and users for use with the
# CloudWatch agent": the role of an instance that runs the agent needs
# "CloudWatchAgentServerPolicy".
CORE = "AmazonSSMManagedInstanceCore"
PATCH = "AmazonSSMPatchAssociation"
CLOUDWATCH = "CloudWatchAgentServerPolicy"
TAGGED = InstanceTargets.tag("Patch", "yes")


def _policy_name(arn: Any) -> str:
    """``AmazonSSMManagedInstanceCore`` from the ``Fn::Join`` CDK renders a managed policy ARN
    as."""
    return arn["Fn::Join"][1][-1].rsplit("/", 1)[1]


def _automation_statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        statement
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::IAM::ManagedPolicy"
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]
    ]


def _attachable(template: dict[str, Any]) -> list[str] | None:
    """The policies the service role may attach to an existing role (None: no such statement)."""
    found = [s for s in _automation_statements(template) if s["Action"] == "iam:AttachRolePolicy"]
    if not found:
        return None
    [attach] = found
    assert set(attach["Condition"]) == {"ArnEquals"}
    return [_policy_name(arn) for arn in attach["Condition"]["ArnEquals"]["iam:PolicyARN"]]


@pytest.fixture(scope="module", params=FLAG_SET_NAMES)
def flag_set(request: pytest.FixtureRequest) -> str:
    """Each feature flag set in turn (tests/apps.py), for the module's stacks."""
    return request.param


@pytest.fixture(scope="module")
def stacks(flag_set) -> dict[str, dict[str, Any]]:
    """One app, a stack per case, each in an account of its own (one jsii start-up for the
    module; no configuration conflicts with another's)."""
    app = new_app(flag_set)
    accounts = iter(range(222222222222, 999999999999, 111111111111))

    def env() -> cdk.Environment:
        return cdk.Environment(account=str(next(accounts)), region="us-east-1")

    def local(name: str, **props: Any) -> cdk.Stack:
        stack = cdk.Stack(app, name, env=env())
        QuickSetupLocal(stack, "QuickSetup", **props)
        return stack

    organization_stack = cdk.Stack(app, "Organization", env=env())
    organization = QuickSetupOrganization(
        organization_stack,
        "OrgQuickSetup",
        organizational_unit_ids=["ou-abcd-11112222"],
        regions=["us-east-1"],
        account_count=2,
        targets=TAGGED,
        allow_policy_attach=True,
        update_cloudwatch_agent=True,
    )
    two_stack = cdk.Stack(app, "TwoConfigurations", env=env())
    QuickSetupLocal(
        two_stack,
        "WithAgent",
        targets=InstanceTargets.tag("Env", "a"),
        install_cloudwatch_agent=True,
        allow_policy_attach=True,
    )
    QuickSetupLocal(
        two_stack,
        "WithoutAgent",
        targets=InstanceTargets.tag("Env", "b"),
        allow_policy_attach=True,
    )
    locals_ = {
        "tagged": local("Tagged", targets=TAGGED, allow_policy_attach=True),
        "agent": local(
            "Agent", targets=TAGGED, allow_policy_attach=True, install_cloudwatch_agent=True
        ),
        "no_attach": local("NoAttach", targets=TAGGED, install_cloudwatch_agent=True),
        "two": two_stack,
    }  # every stack is built before the first synthesis
    return {
        **{
            name: assertions.Template.from_stack(stack).to_json() for name, stack in locals_.items()
        },
        "account": organization.account_template,
        "regional": organization.regional_template,
    }


# 1. Automation runbooks declare the resource type they run on


@pytest.mark.parametrize("name", ["tagged", "regional"])
def test_every_automation_runbook_runs_on_ec2_instances_only(stacks, name):
    # Systems Manager user guide, "Mapping targets for an automation": "When you run an
    # automation that uses a target, AWS Systems Manager creates a child automation for each
    # target", and a tag resolves to every resource that carries it (EBS volumes, S3 buckets,
    # ...). CreateDocument: "to run a document on EC2 instances, specify the following value:
    # /AWS::EC2::Instance".
    runbooks = [
        resource["Properties"]
        for resource in stacks[name]["Resources"].values()
        if resource["Type"] == "AWS::SSM::Document"
        and resource["Properties"]["DocumentType"] == "Automation"
    ]
    assert runbooks, "the instance-profile runbook is an Automation document"
    assert [runbook["TargetType"] for runbook in runbooks] == ["/AWS::EC2::Instance"] * len(
        runbooks
    )


# 2. allow_policy_attach attaches what the enabled options need, and the role allows only that


def test_policy_attach_without_cloudwatch_attaches_the_two_ssm_policies(stacks):
    template = stacks["tagged"]
    assert _attachable(template) == [CORE, PATCH]
    parameters = association(
        assertions.Template.from_json(template), "QuickSetup-AttachInstanceProfile-"
    )["Parameters"]
    assert parameters["AllowPolicyAttach"] == ["true"]
    assert parameters["PolicyNames"] == [CORE, PATCH]


@pytest.mark.parametrize("name", ["agent", "account"])
def test_policy_attach_with_a_cloudwatch_option_attaches_the_agent_policy_too(stacks, name):
    assert _attachable(stacks[name]) == [CORE, PATCH, CLOUDWATCH]


def test_the_runbook_is_told_to_attach_the_agent_policy(stacks):
    for name in ("agent", "regional"):
        parameters = association(
            assertions.Template.from_json(stacks[name]), "QuickSetup-AttachInstanceProfile-"
        )["Parameters"]
        assert parameters["PolicyNames"] == [CORE, PATCH, CLOUDWATCH]


def test_the_default_instance_role_carries_the_same_policies(stacks):
    [role] = [
        resource["Properties"]
        for resource in stacks["agent"]["Resources"].values()
        if resource["Type"] == "AWS::IAM::Role"
        and resource["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
        == {"Service": "ec2.amazonaws.com"}
    ]
    assert sorted(map(_policy_name, role["ManagedPolicyArns"])) == sorted([CORE, PATCH, CLOUDWATCH])


def test_without_policy_attach_nothing_may_be_attached(stacks):
    template = stacks["no_attach"]
    assert _attachable(template) is None
    assert not any(
        action.startswith("iam:Attach")
        for statement in _automation_statements(template)
        for action in (
            [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        )
    )
    parameters = association(
        assertions.Template.from_json(template), "QuickSetup-AttachInstanceProfile-"
    )["Parameters"]
    assert parameters["AllowPolicyAttach"] == ["false"]
    assert "PolicyNames" not in parameters


def test_configurations_sharing_the_role_each_attach_their_own_policies(stacks):
    template = stacks["two"]
    # The shared role may attach what either configuration attaches, and nothing else.
    assert _attachable(template) == [CORE, PATCH, CLOUDWATCH]
    names = {
        properties["AssociationName"].split("-")[-1]: properties["Parameters"]["PolicyNames"]
        for properties in (
            resource["Properties"]
            for resource in template["Resources"].values()
            if resource["Type"] == "AWS::SSM::Association"
        )
        if properties["AssociationName"].startswith("QuickSetup-AttachInstanceProfile-")
    }
    assert sorted(names.values()) == sorted([[CORE, PATCH, CLOUDWATCH], [CORE, PATCH]])


def test_the_runbook_passes_the_policy_names_to_its_script(stacks):
    [document] = [
        resource["Properties"]["Content"]
        for resource in stacks["tagged"]["Resources"].values()
        if resource["Type"] == "AWS::SSM::Document"
        and resource["Properties"]["DocumentType"] == "Automation"
    ]
    content = document if isinstance(document, dict) else json.loads(document)
    assert content["parameters"]["PolicyNames"]["type"] == "StringList"
    assert content["mainSteps"][0]["inputs"]["InputPayload"]["PolicyNames"] == "{{ PolicyNames }}"


# 7. Explorer is enabled once per account and Region


def _explorer_associations(stack: cdk.Stack) -> dict[str, Any]:
    return {
        logical_id: resource["Properties"]
        for logical_id, resource in assertions.Template.from_stack(stack)
        .find_resources("AWS::SSM::Association")
        .items()
        if resource["Properties"]["Name"] == "AWS-EnableExplorer"
    }


def _configurations(stack: cdk.Stack, names: list[str], **props: Any) -> list[QuickSetupLocal]:
    return [
        QuickSetupLocal(
            stack,
            name,
            targets=InstanceTargets.tag("Team", name),
            collect_inventory=False,
            scan_for_patches=False,
            **props,
        )
        for name in names
    ]


def test_a_stack_enables_explorer_once_under_the_first_configurations_logical_id():
    # Quick Setup runs AWS-EnableExplorer once for the account and Region: the runbook turns
    # Explorer's settings on for the account and Region, not for instances.
    alone = cdk.Stack(new_app(), "Stack")
    _configurations(alone, ["Web"])
    [(alone_id, alone_properties)] = _explorer_associations(alone).items()

    stack = cdk.Stack(new_app(), "Stack")
    configurations = _configurations(stack, ["Web", "Db", "Batch"])
    [(logical_id, properties)] = _explorer_associations(stack).items()
    assert (logical_id, properties) == (alone_id, alone_properties)
    assert properties["AssociationName"].endswith(configurations[0].configuration.configuration_id)
    shared = configurations[0].associations["enable_explorer"]
    assert all(c.associations["enable_explorer"] is shared for c in configurations)


def test_the_first_configuration_that_enables_explorer_creates_it():
    stack = cdk.Stack(new_app(), "Stack")
    without, first, second = (
        QuickSetupLocal(
            stack,
            name,
            targets=InstanceTargets.tag("Team", name),
            collect_inventory=False,
            scan_for_patches=False,
            enable_explorer=enabled,
        )
        for name, enabled in (("Without", False), ("First", True), ("Second", True))
    )
    [properties] = _explorer_associations(stack).values()
    assert properties["AssociationName"].endswith("-" + first.configuration.configuration_id)
    assert "enable_explorer" not in without.associations
    assert second.associations["enable_explorer"] is first.associations["enable_explorer"]


def test_quicksetup_plan_shows_the_shared_explorer_association_for_every_configuration(tmp_path):
    from datetime import datetime

    from quicksetup_constructs.cli.plan import build_plan

    app = new_app(outdir=str(tmp_path))
    _configurations(cdk.Stack(app, "Stack"), ["Web", "Db"])
    app.synth()
    plan = build_plan(tmp_path, now=datetime(2026, 1, 5, 9, tzinfo=UTC))
    explorer = {
        configuration.configuration_id: [
            option.association_name
            for option in configuration.options
            if option.key == "enable_explorer"
        ]
        for configuration in plan.configurations
    }
    [first_id] = [key for key, names in explorer.items() if names[0].endswith(key)]
    assert list(explorer.values()) == [[f"QuickSetup-EnableExplorer-{first_id}"]] * 2
    assert all(
        "enable_explorer" not in dict(configuration.not_configured)
        for configuration in plan.configurations
    )


# 4. Existing roles ("use existing roles", which the console offers in both modes)


ORGANIZATION = {
    "organizational_unit_ids": ["ou-abcd-11112222"],
    "regions": ["us-east-1"],
    "account_count": 2,
}
GIVEN_ROLES = {
    "instance_profile_role_name": "TeamInstanceRole",
    "service_role_name": "TeamAutomationRole",
    "default_host_management_role_name": "TeamDhmcRole",
}


@pytest.fixture(scope="module")
def organizations(flag_set) -> dict[str, QuickSetupOrganization]:
    return {  # an app each: both set DHMC over the same OU, which one app rejects
        name: QuickSetupOrganization(
            cdk.Stack(new_app(flag_set), name),
            "OrgQuickSetup",
            default_host_management=True,
            allow_policy_attach=True,
            **ORGANIZATION,
            **props,
        )
        for name, props in (("Created", {}), ("Given", GIVEN_ROLES))
    }


def _resources(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == resource_type
    }


def _arn_role_name(arn: Any) -> str:
    """``Name`` from the ``Fn::Join`` an ARN ``...:role/Name`` is rendered as."""
    return arn["Fn::Join"][1][-1].split(":role/", 1)[1]


def test_an_organization_with_existing_roles_creates_none_of_them(organizations):
    given = organizations["Given"]
    roles = _resources(given.account_template, "AWS::IAM::Role")
    # Only the Explorer role, which has no "existing role" prop, is created.
    assert [role["Properties"]["RoleName"] for role in roles.values()] == [
        f"QuickSetup-Explorer-{given.configuration.configuration_id}"
    ]
    assert _resources(given.account_template, "AWS::IAM::ManagedPolicy") == {}
    [profile] = _resources(given.account_template, "AWS::IAM::InstanceProfile").values()
    assert profile["Properties"]["Roles"] == ["TeamInstanceRole"]
    assert (
        given.instance_role_name,
        given.automation_role_name,
        given.default_host_management_role_name,
    ) == ("TeamInstanceRole", "TeamAutomationRole", "TeamDhmcRole")


def test_the_regional_template_refers_to_the_existing_roles_by_name(organizations):
    regional = organizations["Given"].regional_template
    parameters = association(
        assertions.Template.from_json(regional), "QuickSetup-AttachInstanceProfile-"
    )["Parameters"]
    assert _arn_role_name(parameters["AutomationAssumeRole"][0]) == "TeamAutomationRole"
    [setting] = _resources(regional, "AWS::SSM::ServiceSetting").values()
    # "/ssm/managed-instance/default-ec2-instance-management-role" holds the role's name.
    assert setting["Properties"]["SettingValue"] == "TeamDhmcRole"


@pytest.mark.parametrize("template", ["account_template", "regional_template"])
def test_templates_with_existing_roles_pass_cfn_lint(organizations, template):
    assert lint_findings(getattr(organizations["Given"], template)) == []


def test_the_instance_profile_keeps_its_logical_id_with_an_existing_role(organizations):
    created, given = (
        set(_resources(organizations[name].account_template, "AWS::IAM::InstanceProfile"))
        for name in ("Created", "Given")
    )
    assert created == given


def test_an_existing_instance_role_may_be_passed_by_the_created_service_role():
    stack = cdk.Stack(new_app(), "Stack")
    organization = QuickSetupOrganization(
        stack, "OrgQuickSetup", instance_profile_role_name="TeamInstanceRole", **ORGANIZATION
    )
    [pass_role] = [
        statement
        for statement in _automation_statements(organization.account_template)
        if statement["Action"] == "iam:PassRole"
    ]
    assert _arn_role_name(pass_role["Resource"]) == "TeamInstanceRole"
    assert pass_role["Condition"] == {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}


@pytest.mark.parametrize(
    ("props", "prop"),
    [
        ({"instance_profile_role_name": "team/InstanceRole"}, "instance_profile_role_name"),
        ({"service_role_name": "x" * 65}, "service_role_name"),
        (
            {"default_host_management_role_name": "", "default_host_management": True},
            "default_host_management_role_name",
        ),
        (
            {"service_role_name": "TeamAutomationRole", "attach_instance_profile": False},
            "service_role_name",
        ),
        (
            {"default_host_management_role_name": "TeamDhmcRole"},
            "default_host_management_role_name",
        ),
    ],
    ids=["path", "too-long", "empty", "service-role-without-attach", "dhmc-role-without-dhmc"],
)
def test_fails_when_an_organization_role_name_is_not_usable(props, prop):
    stack = cdk.Stack(new_app(), "Stack")
    with pytest.raises(QuickSetupValidationError) as raised:
        QuickSetupOrganization(stack, "OrgQuickSetup", **ORGANIZATION, **props)
    assert raised.value.prop == prop
    assert stack.node.try_find_child("OrgQuickSetup") is None


def test_a_local_configuration_uses_a_given_default_host_management_role():
    stack = cdk.Stack(new_app(), "Stack")
    role = iam.Role(stack, "Dhmc", assumed_by=iam.ServicePrincipal("ssm.amazonaws.com"))
    configuration = QuickSetupLocal(
        stack, "QuickSetup", default_host_management=True, default_host_management_role=role
    )
    assert configuration.default_host_management_role is role
    template = assertions.Template.from_stack(stack).to_json()
    [setting] = _resources(template, "AWS::SSM::ServiceSetting").values()
    role_id = stack.get_logical_id(role.node.default_child)
    # Read from the role's ARN, path included (tests/test_default_host_management.py).
    assert setting["Properties"]["SettingValue"] == {
        "Fn::Select": [1, {"Fn::Split": [":role/", {"Fn::GetAtt": [role_id, "Arn"]}]}]
    }
    trusted_by_ssm = [
        logical_id
        for logical_id, resource in _resources(template, "AWS::IAM::Role").items()
        if resource["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
        == {"Service": "ssm.amazonaws.com"}
        and "Condition" not in resource["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]
    ]
    assert trusted_by_ssm == [stack.get_logical_id(role.node.default_child)]  # none created


def test_fails_when_a_local_default_host_management_role_is_given_without_the_option():
    stack = cdk.Stack(new_app(), "Stack")
    role = iam.Role.from_role_name(stack, "Dhmc", "TeamDhmcRole")
    with pytest.raises(QuickSetupValidationError) as raised:
        QuickSetupLocal(stack, "QuickSetup", default_host_management_role=role)
    assert raised.value.prop == "default_host_management_role"
    assert "default_host_management=True" in str(raised.value)
    assert stack.node.try_find_child("QuickSetup") is None


# 6. CloudFormation's 500 resources per stack

# CloudFormation quotas ("Resources: the maximum number of resources that you can declare in a
# template: 500"); the CDK CLI adds an AWS::CDK::Metadata resource to each stack, which counts.
CLOUDFORMATION_RESOURCE_LIMIT = 500


def _resource_count(stack: cdk.Stack) -> int:
    return sum(1 for c in stack.node.find_all() if isinstance(c, cdk.CfnResource))


def test_a_full_stack_fails_with_a_validation_error_not_cdks_traceback(tmp_path):
    app = new_app(outdir=str(tmp_path), context={"aws:cdk:version-reporting": True})
    stack = cdk.Stack(app, "Fleet", env=cdk.Environment(account="111111111111", region="us-east-1"))
    fitted = 0
    with pytest.raises(QuickSetupValidationError) as raised:
        for index in range(200):
            QuickSetupLocal(stack, f"Team{index}", targets=InstanceTargets.tag("Team", str(index)))
            fitted += 1
    message = str(raised.value)
    assert raised.value.prop == "scope"
    assert "Fleet" in message and "another stack" in message
    assert f"It holds {fitted} Quick Setup configuration(s)" in message
    assert stack.node.try_find_child(f"Team{fitted}") is None  # nothing half-written
    adds = int(message.split("this configuration's ")[1].split(" ")[0])
    resources = len(app.synth().get_stack_by_name("Fleet").template["Resources"])
    # Every configuration that was accepted fits, and the rejected one would not have.
    assert resources <= CLOUDFORMATION_RESOURCE_LIMIT < resources + adds
    assert f"would have {resources + adds} resources" in message


def test_resources_added_by_other_code_are_counted():
    stack = cdk.Stack(new_app(), "Stack")
    for index in range(CLOUDFORMATION_RESOURCE_LIMIT - 5):
        cdk.CfnWaitConditionHandle(stack, f"Handle{index}")
    with pytest.raises(QuickSetupValidationError, match=r"^scope: 'stack Stack'"):
        QuickSetupLocal(stack, "QuickSetup")


def test_an_organization_configuration_is_checked_too():
    stack = cdk.Stack(new_app(), "Stack")
    for index in range(CLOUDFORMATION_RESOURCE_LIMIT - 2):
        cdk.CfnWaitConditionHandle(stack, f"Handle{index}")
    with pytest.raises(QuickSetupValidationError, match=r"its two StackSets|2 resources"):
        QuickSetupOrganization(stack, "OrgQuickSetup", **ORGANIZATION)
    assert stack.node.try_find_child("OrgQuickSetup") is None


def test_cdks_stack_resource_limit_context_is_honoured():
    app = new_app(context={"@aws-cdk/core:stackResourceLimit": 30})
    stack = cdk.Stack(app, "Stack")
    with pytest.raises(QuickSetupValidationError, match="limit of 30 per stack"):
        for index in range(10):
            QuickSetupLocal(stack, f"Team{index}", targets=InstanceTargets.tag("Team", str(index)))
    unlimited = cdk.Stack(new_app(context={"@aws-cdk/core:stackResourceLimit": 0}), "Stack")
    for index in range(10):  # 0 turns CDK's check off, and this one
        QuickSetupLocal(unlimited, f"Team{index}", targets=InstanceTargets.tag("Team", str(index)))


def test_each_configuration_adds_the_resources_it_counts(monkeypatch):
    """The count the check uses is what the configuration then adds, shared resources included
    once: the check's own prediction (captured as it is made) against the construct tree."""
    import quicksetup_constructs.local as local_module
    from quicksetup_constructs import InventorySync

    predicted: list[int] = []
    check = local_module.check_stack_limit
    monkeypatch.setattr(
        local_module,
        "check_stack_limit",
        lambda stack, adds: (predicted.append(adds), check(stack, adds))[1],
    )
    stack = cdk.Stack(new_app(), "Stack")
    given = iam.Role.from_role_name(stack, "Given", "TeamRole")
    cases = [
        {"scan_for_patches": False},
        {"install_cloudwatch_agent": True},
        {"update_cloudwatch_agent": True, "update_ec2_launch_agent": True},
        {"instance_profile_role": given, "service_role": given},
        {"default_host_management": True, "enable_explorer": False, "collect_inventory": False},
        {"inventory_sync": InventorySync.to_new_bucket(), "collect_inventory": False},
        {
            "inventory_sync": InventorySync.to_bucket("inventory-bucket", "us-east-1"),
            "explorer_role": given,
            "attach_instance_profile": False,
            "collect_inventory": False,
        },
        {},
    ]
    added = []
    for index, props in enumerate(cases):
        before = _resource_count(stack)
        QuickSetupLocal(
            stack, f"Case{index}", targets=InstanceTargets.tag("Case", str(index)), **props
        )
        added.append(_resource_count(stack) - before)
    assert predicted == added
    assert added[0] > added[-1]  # the first configuration also created the shared roles
