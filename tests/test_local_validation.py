"""Bad props raise QuickSetupValidationError naming the prop, and leave nothing behind."""

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam

from quicksetup_constructs import (
    InstanceTargets,
    InventoryFilePath,
    InventoryRegistryKey,
    InventorySettings,
    QuickSetupLocal,
    QuickSetupValidationError,
)

from .apps import new_app

BAD_PROPS = {
    "update_ssm_agent": ({"update_ssm_agent": "yes"}, "True or False"),
    "collect_inventory": ({"collect_inventory": 1}, "True or False"),
    "scan_for_patches": ({"scan_for_patches": None}, "True or False"),
    "install_cloudwatch_agent": ({"install_cloudwatch_agent": "false"}, "True or False"),
    "update_cloudwatch_agent": ({"update_cloudwatch_agent": 0}, "True or False"),
    "attach_instance_profile": ({"attach_instance_profile": []}, "True or False"),
    "allow_policy_attach": ({"allow_policy_attach": "true"}, "True or False"),
    "targets": ({"targets": "tag:Env=prod"}, "an InstanceTargets"),
    "instance_profile_role": (
        {"instance_profile_role": "arn:aws:iam::111111111111:role/x"},
        "an aws_iam.IRole",
    ),
    "service_role": ({"service_role": 42}, "an aws_iam.IRole"),
    "configuration_id": ({"configuration_id": "has space"}, "1-64 letters"),
    "schedules": (
        {"schedules": {"patching": "rate(1 day)"}},
        "option names: attach_instance_profile",
    ),
    "schedules['scan_for_patches']": ({"schedules": {"scan_for_patches": "daily"}}, "rate(N"),
    "schedules['install_cloudwatch_agent']": (
        {"schedules": {"install_cloudwatch_agent": "rate(1 day)"}},
        "set install_cloudwatch_agent=True",
    ),
    "inventory": ({"inventory": {"files": []}}, "an InventorySettings"),
    "inventory.files.patterns": (
        {"inventory": InventorySettings(files=[InventoryFilePath("/etc", [])])},
        "a non-empty list of file name patterns",
    ),
    "inventory.files.dir_scan_limit": (
        {
            "inventory": InventorySettings(
                files=[InventoryFilePath("/etc", ["*"], dir_scan_limit=0)]
            )
        },
        "a positive integer",
    ),
    "inventory.windows_registry.path": (
        {
            "inventory": InventorySettings(
                windows_registry=[InventoryRegistryKey("SOFTWARE\\Amazon")]
            )
        },
        "a key under a registry root",
    ),
    "inventory.billing_info": (
        {"inventory": InventorySettings(billing_info="yes")},
        "True, False or None",
    ),
    "cloudwatch_agent_config_parameter": (
        {"cloudwatch_agent_config_parameter": "bad name!"},
        "SSM parameter name",
    ),
}


@pytest.mark.parametrize("prop", BAD_PROPS)
def test_fails_when_a_prop_is_invalid_and_writes_nothing(prop):
    props, allowed = BAD_PROPS[prop]
    stack = cdk.Stack(new_app(), "Stack")
    with pytest.raises(QuickSetupValidationError) as raised:
        QuickSetupLocal(stack, "QuickSetup", **props)
    assert str(raised.value).startswith(f"{prop}: ")
    assert allowed in str(raised.value)
    assert isinstance(raised.value, ValueError)
    assert stack.node.children == []


def test_fails_when_configuration_id_is_a_token():
    stack = cdk.Stack(new_app(), "Stack")
    with pytest.raises(QuickSetupValidationError, match=r"^configuration_id: .*a literal string"):
        QuickSetupLocal(stack, "QuickSetup", configuration_id=cdk.Aws.STACK_NAME)


def test_unresolved_schedule_tokens_are_not_validated():
    stack = cdk.Stack(new_app(), "Stack")
    schedule = cdk.CfnParameter(stack, "Schedule").value_as_string
    QuickSetupLocal(stack, "QuickSetup", schedules={"scan_for_patches": schedule})


def test_user_roles_replace_the_default_roles():
    stack = cdk.Stack(new_app(), "Stack")
    instance_role = iam.Role.from_role_name(stack, "Mine", "MyInstanceRole")
    service_role = iam.Role.from_role_arn(
        stack, "Svc", "arn:aws:iam::111111111111:role/MyAutomation"
    )
    explorer_role = iam.Role.from_role_arn(
        stack, "Exp", "arn:aws:iam::111111111111:role/MyExplorer"
    )
    quick_setup = QuickSetupLocal(
        stack,
        "QuickSetup",
        instance_profile_role=instance_role,
        service_role=service_role,
        explorer_role=explorer_role,
    )
    from aws_cdk.assertions import Template

    template = Template.from_stack(stack)
    template.resource_count_is("AWS::IAM::Role", 0)
    template.resource_count_is("AWS::IAM::ManagedPolicy", 0)
    template.has_resource_properties("AWS::IAM::InstanceProfile", {"Roles": ["MyInstanceRole"]})
    attach = quick_setup.associations["attach_instance_profile"]
    assert stack.resolve(attach.parameters)["AutomationAssumeRole"] == [
        "arn:aws:iam::111111111111:role/MyAutomation"
    ]
    explorer = quick_setup.associations["enable_explorer"]
    assert stack.resolve(explorer.parameters)["AutomationAssumeRole"] == [
        "arn:aws:iam::111111111111:role/MyExplorer"
    ]
    assert quick_setup.service_role is service_role
    assert quick_setup.instance_role is instance_role
    assert quick_setup.explorer_role is explorer_role


def test_configurations_in_one_stack_share_roles_and_documents():
    from aws_cdk.assertions import Template

    stack = cdk.Stack(new_app(), "Stack")
    first = QuickSetupLocal(
        stack, "Web", targets=InstanceTargets.tag("App", "web"), install_cloudwatch_agent=True
    )
    second = QuickSetupLocal(
        stack, "Db", targets=InstanceTargets.tag("App", "db"), install_cloudwatch_agent=True
    )
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::IAM::Role", 3)  # instance, automation, Explorer
    template.resource_count_is("AWS::IAM::InstanceProfile", 1)
    template.resource_count_is("AWS::SSM::Document", 2)
    # six associations each, but one Explorer association for the stack: Quick Setup turns
    # Explorer on once per account and Region
    template.resource_count_is("AWS::SSM::Association", 11)
    assert first.instance_profile is second.instance_profile
    assert first.associations["enable_explorer"] is second.associations["enable_explorer"]
    assert first.configuration.configuration_id != second.configuration.configuration_id
    [policy] = template.find_resources("AWS::IAM::ManagedPolicy").values()
    actions = [s["Action"] for s in policy["Properties"]["PolicyDocument"]["Statement"]]
    assert actions.count("ec2:AssociateIamInstanceProfile") == 1, (
        "the shared profile is granted once"
    )


def test_importing_the_library_does_not_load_modules_only_some_configurations_need():
    """aws_s3 costs every app about 0.1 s to import; only InventorySync.to_new_bucket() uses it."""
    import subprocess
    import sys

    code = "import sys, quicksetup_constructs; print('aws_cdk.aws_s3' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
