"""Default Host Management Configuration: the role the setting names (with its path), and the
Regions where CloudFormation cannot create the setting."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import cfnlint
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from quicksetup_constructs import QuickSetupLocal, QuickSetupOrganization, QuickSetupValidationError
from quicksetup_constructs.service_setting_regions import (
    REGIONS_WITHOUT_SERVICE_SETTING,
    SERVICE_SETTING_TYPE,
)

from .apps import new_app

# User guide, "Default Host Management Configuration"
# (https://docs.aws.amazon.com/systems-manager/latest/userguide/managed-instances-default-host-management.html),
# "Turn on Default Host Management Configuration (command line)":
#   aws ssm update-service-setting \
#   --setting-id arn:aws:ssm:region:account-id:servicesetting/ssm/managed-instance/\
#     default-ec2-instance-management-role \
#   --setting-value service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole
# The setting holds the role's path without its leading "/", then its name.
GUIDE_ROLE_NAME = "AWSSystemsManagerDefaultEC2InstanceManagementRole"
GUIDE_PATH = "/service-role/"
GUIDE_SETTING_VALUE = "service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole"
ACCOUNT = "111122223333"
ENV = cdk.Environment(account=ACCOUNT, region="us-east-1")
ORGANIZATION: dict[str, Any] = {
    "organizational_unit_ids": ["ou-abcd-11112222"],
    "regions": ["us-east-1"],
    "account_count": 3,
    "collect_inventory": False,
    "scan_for_patches": False,
    "update_ssm_agent": False,
    "attach_instance_profile": False,
    "enable_explorer": False,
    "default_host_management": True,
}


def _setting_value(template: dict[str, Any]) -> Any:
    [setting] = [
        resource["Properties"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::SSM::ServiceSetting"
    ]
    assert setting["SettingId"] == "/ssm/managed-instance/default-ec2-instance-management-role"
    return setting["SettingValue"]


def _deployed(value: Any, arns: dict[str, str]) -> Any:
    """``value`` as CloudFormation evaluates it, ``Fn::GetAtt [id, Arn]`` being ``arns[id]``
    (the intrinsic functions the setting may use: GetAtt, Split, Select)."""
    if not isinstance(value, dict):
        return value
    [(function, argument)] = value.items()
    if function == "Fn::GetAtt":
        assert argument[1] == "Arn", argument
        return arns[argument[0]]
    if function == "Fn::Split":
        return _deployed(argument[1], arns).split(argument[0])
    if function == "Fn::Select":
        return _deployed(argument[1], arns)[argument[0]]
    raise AssertionError(f"unexpected {function}")


def _local_with(role_of: Any) -> tuple[cdk.Stack, iam.IRole, dict[str, Any]]:
    stack = cdk.Stack(new_app(), "Stack", env=ENV)
    role = role_of(stack)
    QuickSetupLocal(
        stack,
        "QuickSetup",
        default_host_management=True,
        default_host_management_role=role,
        collect_inventory=False,
        scan_for_patches=False,
        update_ssm_agent=False,
        attach_instance_profile=False,
        enable_explorer=False,
    )
    return stack, role, Template.from_stack(stack).to_json()


def test_a_created_role_with_a_path_is_registered_with_its_path():
    stack, role, template = _local_with(
        lambda stack: iam.Role(
            stack,
            "Dhmc",
            role_name=GUIDE_ROLE_NAME,
            path=GUIDE_PATH,
            assumed_by=iam.ServicePrincipal("ssm.amazonaws.com"),
        )
    )
    role_id = stack.get_logical_id(role.node.default_child)
    # IAM: a role's ARN is arn:aws:iam::<account>:role/<path without leading "/"><name>.
    arn = f"arn:aws:iam::{ACCOUNT}:role{GUIDE_PATH}{GUIDE_ROLE_NAME}"
    assert _deployed(_setting_value(template), {role_id: arn}) == GUIDE_SETTING_VALUE


def test_an_imported_role_arn_with_a_path_is_registered_with_its_path():
    _, _, template = _local_with(
        lambda stack: iam.Role.from_role_arn(
            stack, "Dhmc", f"arn:aws:iam::{ACCOUNT}:role{GUIDE_PATH}{GUIDE_ROLE_NAME}"
        )
    )
    assert _setting_value(template) == GUIDE_SETTING_VALUE  # known at synth: no function


def test_a_role_imported_by_path_and_name_is_registered_with_its_path():
    _, role, template = _local_with(
        lambda stack: iam.Role.from_role_name(stack, "Dhmc", GUIDE_SETTING_VALUE)
    )
    assert role.role_name == GUIDE_ROLE_NAME  # CDK's role_name drops the path
    assert _setting_value(template) == GUIDE_SETTING_VALUE


def test_a_role_without_a_path_is_registered_by_its_name():
    _, _, template = _local_with(
        lambda stack: iam.Role.from_role_name(stack, "Dhmc", "TeamDhmcRole")
    )
    assert _setting_value(template) == "TeamDhmcRole"


def test_an_organization_names_a_role_with_a_path_as_path_and_name():
    stack = cdk.Stack(new_app(), "Org", env=ENV)
    organization = QuickSetupOrganization(
        stack,
        "OrgQuickSetup",
        default_host_management_role_name=GUIDE_SETTING_VALUE,
        **ORGANIZATION,
    )
    assert _setting_value(organization.regional_template) == GUIDE_SETTING_VALUE
    assert organization.default_host_management_role_name == GUIDE_SETTING_VALUE
    assert "AmazonSSMManagedEC2InstanceDefaultPolicy" not in json.dumps(
        organization.account_template
    ), "the named role exists already: none is created"


@pytest.mark.parametrize(
    "name",
    [
        "/service-role/TeamDhmcRole",  # the leading "/" is not part of the setting
        "service-role/",  # no name
        "service role/TeamDhmcRole",  # a space is not printable ASCII in a path
        "service-role/" + "x" * 65,  # the name is 1-64 characters
    ],
    ids=["leading-slash", "no-name", "space", "long-name"],
)
def test_fails_when_an_organization_dhmc_role_name_is_not_path_and_name(name):
    stack = cdk.Stack(new_app(), "Org", env=ENV)
    with pytest.raises(QuickSetupValidationError) as raised:
        QuickSetupOrganization(
            stack, "OrgQuickSetup", default_host_management_role_name=name, **ORGANIZATION
        )
    assert raised.value.prop == "default_host_management_role_name"
    assert "service-role/MyRole" in str(raised.value)


# Regions where CloudFormation has no AWS::SSM::ServiceSetting


def _regions_without_the_type_in_cfn_lint() -> set[str]:
    providers = Path(cfnlint.__file__).parent / "data" / "schemas" / "providers"
    found = set()
    for path in providers.glob("*.json"):
        if path.stem == "sam":  # the SAM transform's types, not a Region
            continue
        if SERVICE_SETTING_TYPE not in json.loads(path.read_text(encoding="utf-8")):
            found.add(path.stem)
    return found


def test_the_library_lists_exactly_the_regions_cfn_lint_lacks_the_type_in():
    assert _regions_without_the_type_in_cfn_lint() == REGIONS_WITHOUT_SERVICE_SETTING


@pytest.mark.parametrize("region", sorted(REGIONS_WITHOUT_SERVICE_SETTING))
def test_fails_when_a_local_dhmc_is_in_a_region_without_the_type(region):
    stack = cdk.Stack(new_app(), "Stack", env=cdk.Environment(account=ACCOUNT, region=region))
    with pytest.raises(QuickSetupValidationError) as raised:
        QuickSetupLocal(stack, "QuickSetup", default_host_management=True)
    assert raised.value.prop == "default_host_management"
    assert f"False in {region}: CloudFormation has no AWS::SSM::ServiceSetting" in str(raised.value)
    assert stack.node.try_find_child("QuickSetup") is None


def test_a_local_configuration_without_dhmc_is_fine_in_such_a_region():
    stack = cdk.Stack(
        new_app(), "Stack", env=cdk.Environment(account=ACCOUNT, region="me-central-1")
    )
    quick_setup = QuickSetupLocal(stack, "QuickSetup")
    assert quick_setup.default_host_management is None


def test_fails_when_an_organization_dhmc_reaches_regions_without_the_type():
    stack = cdk.Stack(new_app(), "Org", env=ENV)
    with pytest.raises(QuickSetupValidationError) as raised:
        QuickSetupOrganization(
            stack,
            "OrgQuickSetup",
            **(ORGANIZATION | {"regions": ["us-east-1", "us-gov-west-1", "me-central-1"]}),
        )
    assert raised.value.prop == "default_host_management"
    assert "False in me-central-1, us-gov-west-1: " in str(raised.value)
    assert stack.node.try_find_child("OrgQuickSetup") is None


def test_a_dhmc_in_an_environment_agnostic_stack_is_not_refused():
    """Where the Region is known only at deploy time, nothing is known to be missing."""
    stack = cdk.Stack(new_app(), "Stack")
    QuickSetupLocal(stack, "QuickSetup", default_host_management=True)
    Template.from_stack(stack).resource_count_is("AWS::SSM::ServiceSetting", 1)
