"""Switching one option on or off changes only that option's resources: nothing is replaced."""

import pytest

from quicksetup_constructs import InventorySync
from quicksetup_constructs.options import CATALOGUE, OPTIONS_BY_KEY

from .apps import FLAG_SET_NAMES
from .support import local_template

ALL_ON = {
    "install_cloudwatch_agent": True,
    "update_cloudwatch_agent": True,
    "update_ec2_launch_agent": True,
    "default_host_management": True,
    "inventory_sync": InventorySync.to_new_bucket(),
}
ROLES_OWNED_BY = {
    "QuickSetupRolesAutomationRole": "attach_instance_profile",
    "QuickSetupRolesAutomationPolicy": "attach_instance_profile",
    "QuickSetupRolesExplorerRole": "enable_explorer",
}
"""Default roles that only one option needs, by logical ID prefix."""


def _resources(flag_set, **props):
    return local_template(
        flag_set=flag_set, configuration_id="stable", **(ALL_ON | props)
    ).to_json()["Resources"]


@pytest.fixture(scope="module", params=FLAG_SET_NAMES)
def flag_set(request: pytest.FixtureRequest) -> str:
    """Each feature flag set in turn (tests/apps.py), for the module's renderings."""
    return request.param


@pytest.fixture(scope="module")
def all_on(flag_set):
    return _resources(flag_set)


def _owned_by(option, logical_id, resource):
    """The association of ``option``, our document that only it uses, and for the instance
    profile and Explorer options the role that only each needs."""
    if resource["Type"] == "AWS::SSM::Association":
        return logical_id.startswith(f"QuickSetup{option.association_name}")
    for prefix, owner in ROLES_OWNED_BY.items():
        if logical_id.startswith(prefix):
            return option.key == owner
    document = getattr(option.document, "id", None)
    return (
        resource["Type"] == "AWS::SSM::Document" and document is not None and document in logical_id
    )


@pytest.mark.parametrize("key", [option.key for option in CATALOGUE])
def test_switching_one_option_off_changes_only_its_own_resources(all_on, flag_set, key):
    option = OPTIONS_BY_KEY[key]
    without = _resources(flag_set, **{key: False})

    removed = set(all_on) - set(without)
    assert removed, f"switching {key} off removed nothing"
    assert all(_owned_by(option, logical_id, all_on[logical_id]) for logical_id in removed), removed
    assert set(without) <= set(all_on), "switching an option off added resources"

    for logical_id, resource in without.items():
        before = all_on[logical_id]
        if resource == before:
            continue
        changed = {
            name
            for name in before["Properties"] | resource["Properties"]
            if before["Properties"].get(name) != resource["Properties"].get(name)
        }
        # Allowed in-place updates: the update waits only while the install option is on;
        # the agent policy leaves the instance role with the last CloudWatch option.
        expected = {
            "install_cloudwatch_agent": {"QuickSetupUpdateCloudWatchAgent": {"Parameters"}},
        }.get(key, {})
        assert any(
            logical_id.startswith(prefix) and changed <= allowed
            for prefix, allowed in expected.items()
        ), f"switching {key} off changed {logical_id}: {changed}"


def test_the_agent_policy_leaves_the_instance_role_with_the_last_cloudwatch_option(flag_set):
    role = "QuickSetupRolesInstanceRole4D5974E6"
    only_update = _resources(flag_set, install_cloudwatch_agent=False)[role]
    neither = _resources(flag_set, install_cloudwatch_agent=False, update_cloudwatch_agent=False)[
        role
    ]
    assert "CloudWatchAgentServerPolicy" in str(only_update["Properties"]["ManagedPolicyArns"])
    assert "CloudWatchAgentServerPolicy" not in str(neither)


def test_switching_default_host_management_off_removes_only_its_setting_and_role(all_on, flag_set):
    without = _resources(flag_set, default_host_management=False)
    assert set(all_on) - set(without) == {
        "QuickSetupDefaultHostManagement2AE0FD0F",
        "QuickSetupRolesDefaultHostManagementRole58D1E3C3",
    }
    assert all(all_on[logical_id] == resource for logical_id, resource in without.items())


def test_switching_the_inventory_sync_off_removes_only_the_sync_and_its_bucket(all_on, flag_set):
    without = _resources(flag_set, inventory_sync=None)
    assert set(all_on) - set(without) == {
        "QuickSetupInventoryBucket04639011",
        "QuickSetupInventoryBucketPolicy93D15037",
        "QuickSetupInventorySync0644F6EE",
    }
    assert all(all_on[logical_id] == resource for logical_id, resource in without.items())
    assert all_on["QuickSetupInventoryBucket04639011"]["DeletionPolicy"] == "Retain"


def test_logical_ids_are_stable(all_on):
    """Logical IDs are public API: renaming one replaces a live role, profile or association."""
    assert sorted(all_on) == [
        "QuickSetupAttachInstanceProfile1818C0E6",
        "QuickSetupCollectInventoryE87CDE44",
        "QuickSetupDefaultHostManagement2AE0FD0F",
        "QuickSetupDocumentsAttachInstanceProfileDocument21C5E7F3",
        "QuickSetupDocumentsInstallCloudWatchAgentDocument7A33298E",
        "QuickSetupDocumentsUpdateCloudWatchAgentDocumentFF8A0B0A",
        "QuickSetupDocumentsUpdateEC2LaunchAgentDocument83919D7D",
        "QuickSetupEnableExplorerD6985B40",
        "QuickSetupInstallCloudWatchAgentAD71FEFA",
        "QuickSetupInventoryBucket04639011",
        "QuickSetupInventoryBucketPolicy93D15037",
        "QuickSetupInventorySync0644F6EE",
        "QuickSetupRolesAutomationPolicy26C1BA18",
        "QuickSetupRolesAutomationRole5A4C2B35",
        "QuickSetupRolesDefaultHostManagementRole58D1E3C3",
        "QuickSetupRolesExplorerRoleF42ABC63",
        "QuickSetupRolesInstanceProfile1354C52C",
        "QuickSetupRolesInstanceRole4D5974E6",
        "QuickSetupScanForPatches77A289D3",
        "QuickSetupUpdateCloudWatchAgent29F24068",
        "QuickSetupUpdateEC2LaunchAgentFD0BA9CB",
        "QuickSetupUpdateSSMAgentAE0D885F",
    ]
