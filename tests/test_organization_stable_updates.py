"""QuickSetupOrganization: switching one option on or off changes only that option's resources in
the member accounts' templates; no role, profile or other association is replaced, and a
StackSet whose template does not change is not updated at all."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from quicksetup_constructs import InventorySync, QuickSetupOrganization
from quicksetup_constructs.options import CATALOGUE, OPTIONS_BY_KEY

from .apps import FLAG_SET_NAMES, new_app

ALL_ON = {
    "install_cloudwatch_agent": True,
    "update_cloudwatch_agent": True,
    "update_ec2_launch_agent": True,
    "default_host_management": True,
    "inventory_sync": InventorySync.to_new_bucket(),
}
PROPS = dict(
    organizational_unit_ids=["ou-abcd-11112222"],
    regions=["us-east-1", "ap-northeast-1"],
    account_count=3,
    configuration_id="stable",
    organization_id="o-abcdef1234",
)
ROLES_OWNED_BY = {
    "QuickSetupRolesAutomationRole": "attach_instance_profile",
    "QuickSetupRolesAutomationPolicy": "attach_instance_profile",
    "QuickSetupRolesExplorerRole": "enable_explorer",
}
"""Default roles that only one option needs, by logical ID prefix."""
INSTANCE_ROLE = "QuickSetupRolesInstanceRole4D5974E6"
CLOUDWATCH_OPTIONS = {"install_cloudwatch_agent", "update_cloudwatch_agent"}


def _render(flag_set: str, **props: Any) -> dict[str, dict[str, Any]]:
    """The resources of the outer template and of both StackSet templates."""
    stack = cdk.Stack(new_app(flag_set), "Org")
    org = QuickSetupOrganization(stack, "OrgQuickSetup", **(PROPS | ALL_ON | props))
    return {
        "outer": Template.from_stack(stack).to_json()["Resources"],
        "account": org.account_template["Resources"],
        "regional": org.regional_template["Resources"],
    }


@pytest.fixture(scope="module", params=FLAG_SET_NAMES)
def flag_set(request: pytest.FixtureRequest) -> str:
    """Each feature flag set in turn (tests/apps.py), for the module's renderings."""
    return request.param


@pytest.fixture(scope="module")
def all_on(flag_set) -> dict[str, dict[str, Any]]:
    return _render(flag_set)


@pytest.fixture(scope="module")
def toggled(flag_set) -> dict[str, dict[str, dict[str, Any]]]:
    """Every option switched off in turn, rendered once for the module."""
    return {option.key: _render(flag_set, **{option.key: False}) for option in CATALOGUE}


def _owned_by(option: Any, logical_id: str, resource: dict[str, Any]) -> bool:
    """The association of ``option``, our document that only it uses, and for the instance
    profile and Explorer options the role (and policy) that only each needs."""
    if resource["Type"] == "AWS::SSM::Association":
        return logical_id == option.association_name
    for prefix, owner in ROLES_OWNED_BY.items():
        if logical_id.startswith(prefix):
            return option.key == owner
    document = getattr(option.document, "id", None)
    return (
        resource["Type"] == "AWS::SSM::Document" and document is not None and document in logical_id
    )


def _changed_properties(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    changed = {
        name
        for name in before.get("Properties", {}) | after.get("Properties", {})
        if before.get("Properties", {}).get(name) != after.get("Properties", {}).get(name)
    }
    attributes = (before.keys() | after.keys()) - {"Properties"}  # DeletionPolicy, DependsOn...
    return changed | {key for key in attributes if before.get(key) != after.get(key)}


# In-place updates that are expected: the update waits only while the install option is on; the
# agent policy leaves the instance role with the last CloudWatch option (not here: one stays on).
EXPECTED_UPDATES = {
    "install_cloudwatch_agent": {("regional", "UpdateCloudWatchAgent"): {"Parameters"}}
}


@pytest.mark.parametrize("key", [option.key for option in CATALOGUE])
@pytest.mark.parametrize("template", ["account", "regional"])
def test_switching_one_option_off_changes_only_its_own_resources(all_on, toggled, key, template):
    option = OPTIONS_BY_KEY[key]
    before, after = all_on[template], toggled[key][template]

    removed = set(before) - set(after)
    assert all(_owned_by(option, logical_id, before[logical_id]) for logical_id in removed), removed
    assert set(after) <= set(before), "switching an option off added resources"
    for logical_id, resource in after.items():
        changed = _changed_properties(before[logical_id], resource)
        allowed = EXPECTED_UPDATES.get(key, {}).get((template, logical_id), set())
        assert changed <= allowed, f"switching {key} off changed {template}/{logical_id}: {changed}"


@pytest.mark.parametrize("key", [option.key for option in CATALOGUE])
def test_every_option_removes_something(all_on, toggled, key):
    removed = {
        (template, logical_id)
        for template in ("account", "regional")
        for logical_id in set(all_on[template]) - set(toggled[key][template])
    }
    assert removed, f"switching {key} off removed nothing"


@pytest.mark.parametrize("key", [option.key for option in CATALOGUE])
def test_a_stack_set_is_updated_only_when_its_template_changes(all_on, toggled, key):
    """CloudFormation updates every stack instance of a StackSet whose properties change: the
    account StackSet (the IAM roles of every member account) must stay as it is unless the
    option is one whose role it holds."""
    before, after = all_on["outer"], toggled[key]["outer"]
    assert set(before) == set(after), "a StackSet was added, removed or renamed"
    for logical_id, resource in after.items():
        changed = _changed_properties(before[logical_id], resource)
        if resource["Type"] != "AWS::CloudFormation::StackSet":  # the inventory bucket
            assert not changed, (key, logical_id, changed)
            continue
        assert changed <= {"TemplateBody"}, (key, logical_id, changed)
        account = "AccountStackSet" in logical_id
        template_changed = (
            all_on["account" if account else "regional"]
            != toggled[key]["account" if account else "regional"]
        )
        assert ("TemplateBody" in changed) is template_changed, (key, logical_id)
    account_changes = all_on["account"] != toggled[key]["account"]
    assert account_changes is (key in set(ROLES_OWNED_BY.values())), key


def test_the_agent_policy_leaves_the_instance_role_with_the_last_cloudwatch_option(flag_set):
    only_update = _render(flag_set, install_cloudwatch_agent=False)["account"][INSTANCE_ROLE]
    neither = _render(flag_set, install_cloudwatch_agent=False, update_cloudwatch_agent=False)[
        "account"
    ]
    assert "CloudWatchAgentServerPolicy" in json.dumps(
        only_update["Properties"]["ManagedPolicyArns"]
    )
    assert "CloudWatchAgentServerPolicy" not in json.dumps(neither[INSTANCE_ROLE])
    assert _changed_properties(only_update, neither[INSTANCE_ROLE]) == {"ManagedPolicyArns"}


def test_switching_default_host_management_off_removes_only_its_setting_and_role(all_on, flag_set):
    without = _render(flag_set, default_host_management=False)
    removed = {
        template: set(all_on[template]) - set(without[template])
        for template in ("account", "regional")
    }
    assert removed == {
        "account": {"QuickSetupRolesDefaultHostManagementRole58D1E3C3"},
        "regional": {"DefaultHostManagement"},
    }
    for template in ("account", "regional"):
        assert all(all_on[template][i] == r for i, r in without[template].items()), template


INVENTORY_SYNC_HANDLER = {
    "InventorySyncHandler",
    "InventorySyncHandlerLogs",
    "InventorySyncHandlerPolicyE5DD48E5",
    "InventorySyncHandlerRole0AF4B5EC",
}
"""The function that creates an organization's sync in each account and Region, its log group,
role and policy."""


def test_switching_the_inventory_sync_off_removes_only_the_sync_and_its_bucket(all_on, flag_set):
    without = _render(flag_set, inventory_sync=None)
    assert set(all_on["outer"]) - set(without["outer"]) == {
        "OrgQuickSetupInventoryBucketC78BCC63",
        "OrgQuickSetupInventoryBucketPolicy3DB43042",
    }
    assert set(all_on["regional"]) - set(without["regional"]) == {
        "InventorySync",
        *INVENTORY_SYNC_HANDLER,
    }
    assert all_on["account"] == without["account"], "no role or profile is touched"
    regional = "OrgQuickSetupRegionalStackSet2B254137"
    assert _changed_properties(all_on["outer"][regional], without["outer"][regional]) == {
        "TemplateBody",
        "Parameters",
        "DependsOn",
        "Capabilities",
    }


def test_logical_ids_are_stable(all_on):
    """Logical IDs are public API: renaming one replaces a live StackSet, role, profile or
    association in every member account."""
    assert {template: sorted(resources) for template, resources in all_on.items()} == {
        "outer": [
            "OrgQuickSetupAccountStackSet285B8DDA",
            "OrgQuickSetupInventoryBucketC78BCC63",
            "OrgQuickSetupInventoryBucketPolicy3DB43042",
            "OrgQuickSetupRegionalStackSet2B254137",
        ],
        "account": [
            "QuickSetupRolesAutomationPolicy26C1BA18",
            "QuickSetupRolesAutomationRole5A4C2B35",
            "QuickSetupRolesDefaultHostManagementRole58D1E3C3",
            "QuickSetupRolesExplorerRoleF42ABC63",
            "QuickSetupRolesInstanceProfile1354C52C",
            "QuickSetupRolesInstanceRole4D5974E6",
        ],
        "regional": [
            "AttachInstanceProfile",
            "CollectInventory",
            "DefaultHostManagement",
            "EnableExplorer",
            "InstallCloudWatchAgent",
            "InventorySync",
            *sorted(INVENTORY_SYNC_HANDLER),
            "QuickSetupDocumentsAttachInstanceProfileDocument21C5E7F3",
            "QuickSetupDocumentsInstallCloudWatchAgentDocument7A33298E",
            "QuickSetupDocumentsUpdateCloudWatchAgentDocumentFF8A0B0A",
            "QuickSetupDocumentsUpdateEC2LaunchAgentDocument83919D7D",
            "ScanForPatches",
            "UpdateCloudWatchAgent",
            "UpdateEC2LaunchAgent",
            "UpdateSSMAgent",
        ],
    }
