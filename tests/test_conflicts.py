"""Configurations of one app that can reach the same instances: an error for two inventory
associations, warnings for overlapping patch scans and for local + organization overlaps."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import assertions
from aws_cdk.assertions import Annotations, Match

from quicksetup_constructs import (
    InstanceTargets,
    InventorySync,
    QuickSetupLocal,
    QuickSetupOrganization,
    QuickSetupValidationError,
)
from quicksetup_constructs.conflicts import (
    LOCAL_AND_ORGANIZATION_OVERLAP_WARNING,
    OVERLAPPING_PATCH_SCANS_WARNING,
)

from .apps import new_app

# User guide, "Troubleshooting problems with Systems Manager Inventory"
# (https://docs.aws.amazon.com/systems-manager/latest/userguide/syman-inventory-troubleshooting.html):
# "An error that `Multiple apply all associations with document 'AWS-GatherSoftwareInventory'
# are not supported` means that one or more AWS Regions where you're trying to configure an
# Inventory association for all nodes are already configured with an inventory association for
# all nodes."
AWS_ALL_INSTANCES_ERROR = (
    "Multiple apply all associations with document 'AWS-GatherSoftwareInventory' are not supported"
)
# The same page, "Inventory compliance failed for an Amazon EC2 instance": "If a node is
# assigned multiple inventory associations and each uses a tag key-value pair, then those
# inventory associations fail to run on the node because of the tag conflict." The seed guide,
# "Collect inventory every 30 minutes": 「一部のインスタンスで非グローバルインベントリ設定が既に
# 有効になっている場合、前に作成した設定は失敗します」 (the configuration created earlier fails).
ALL = InstanceTargets.all_instances()

MANAGEMENT = cdk.Environment(account="111111111111", region="us-east-1")
MEMBER = cdk.Environment(account="222222222222", region="us-east-1")
IDS = ["i-0123456789abcdef0", "i-0fedcba9876543210"]
# Only the options that matter here, so that each construct is cheap to build; targeted (not all
# instances), since only targeted inventory associations conflict.
QUIET = {
    "update_ssm_agent": False,
    "attach_instance_profile": False,
    "enable_explorer": False,
    "targets": InstanceTargets.tag("Team", "web"),
}
ORG = dict(
    organizational_unit_ids=["ou-abcd-11112222"], regions=["us-east-1"], account_count=3, **QUIET
)


def _warnings(stack: cdk.Stack, warning_id: str) -> list[str]:
    return [
        f"{message.id}: {message.entry.data}"
        for message in Annotations.from_stack(stack).find_warning(
            "*", Match.string_like_regexp(f"ack: {warning_id}")
        )
    ]


def _local(stack: cdk.Stack, name: str, **props: Any) -> QuickSetupLocal:
    return QuickSetupLocal(stack, name, **(QUIET | props))


# Two inventory associations: an error, raised before anything is written


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (InstanceTargets.tag("Env", "prod"), InstanceTargets.tag("Env", "prod")),
        (InstanceTargets.tag("Env", "prod"), InstanceTargets.tag("Env")),
        (InstanceTargets.tag("Env", "prod"), InstanceTargets.tag("Team", "web")),
        (InstanceTargets.tag("Env", "prod"), InstanceTargets.resource_group("web")),
        (InstanceTargets.resource_group("web"), InstanceTargets.resource_group("db")),
        (InstanceTargets.instance_ids(IDS), InstanceTargets.instance_ids(IDS[1:])),
        (InstanceTargets.instance_ids(IDS), InstanceTargets.tag("Env", "prod")),
    ],
    ids=[
        "same-tag",
        "tag-and-its-key",
        "two-tag-keys",
        "tag-group",
        "two-groups",
        "shared-id",
        "ids-tag",
    ],
)
def test_fails_when_two_local_configurations_can_collect_inventory_from_one_instance(first, second):
    stack = cdk.Stack(new_app(), "Stack")
    _local(stack, "First", targets=first)
    before = [child.node.id for child in stack.node.children]
    with pytest.raises(QuickSetupValidationError) as raised:
        _local(stack, "Second", targets=second)
    message = str(raised.value)
    assert raised.value.prop == "collect_inventory"
    assert message.startswith(
        "collect_inventory: True is not valid; allowed: False here or in Stack/First"
    )
    _says_what_is_known_of_targeted_inventories(message)
    assert "InstanceTargets.tag('Env', 'a') and InstanceTargets.tag('Env', 'b')" in message
    assert [child.node.id for child in stack.node.children] == before  # nothing half-written


def _says_what_is_known_of_targeted_inventories(message: str) -> None:
    """Both sources are quoted, and neither is stretched into a promise that only one fails."""
    assert "one targeted inventory association" in message
    assert "the configuration created earlier fails" in message  # the seed guide
    assert "inventory associations that each target by tags fail to run on a node" in message
    assert "only the one" not in message and "the one created earlier fails" not in message


@pytest.mark.parametrize(
    ("first", "second", "clash"),
    [
        (
            InstanceTargets.tag("Env", "prod", "staging"),
            InstanceTargets.tag("Env", "staging", "dev"),
            True,
        ),
        (InstanceTargets.tag("Env", "prod", "staging"), InstanceTargets.tag("Env"), True),
        (
            InstanceTargets.tag("Env", "prod", "staging"),
            InstanceTargets.tag("Env", "dev", "test"),
            False,
        ),
    ],
    ids=["shared-value", "key-only", "disjoint-values"],
)
def test_multi_value_tags_conflict_only_when_a_value_is_shared(first, second, clash):
    # "If you specified multiple tag values, the association targets any node with at least one
    # of those tag values" (user guide, "Understanding targets and rate controls in State
    # Manager associations"): two sets of values of one key meet exactly where they share one.
    stack = cdk.Stack(new_app(), "Stack")
    _local(stack, "First", targets=first)
    if clash:
        with pytest.raises(QuickSetupValidationError, match=r"^collect_inventory: "):
            _local(stack, "Second", targets=second)
    else:
        _local(stack, "Second", targets=second)


# Two inventories for all instances in one account and Region: AWS rejects the second
# (AWS_ALL_INSTANCES_ERROR), so the app is rejected at synth, before anything is written.


def _expect_aws_all_instances_error(build, first_path: str) -> None:
    with pytest.raises(QuickSetupValidationError) as raised:
        build()
    message = str(raised.value)
    assert raised.value.prop == "collect_inventory"
    assert AWS_ALL_INSTANCES_ERROR in message
    assert first_path in message
    assert "all instances" in message


def test_fails_when_two_all_instances_inventories_are_in_one_stack():
    stack = cdk.Stack(new_app(), "Stack", env=MEMBER)
    _local(stack, "First", targets=ALL, scan_for_patches=False)
    _expect_aws_all_instances_error(
        lambda: _local(stack, "Second", targets=ALL, scan_for_patches=False),
        "Stack/First",
    )
    assert stack.node.try_find_child("Second") is None


@pytest.mark.parametrize(
    ("first", "second", "clash"),
    [
        (MEMBER, MEMBER, True),  # the same resolved account and Region
        (None, None, True),  # both environment-agnostic: deployed with the same credentials
        (MEMBER, cdk.Environment(account="222222222222", region="eu-west-1"), False),
        (MEMBER, MANAGEMENT, False),
    ],
    ids=["same-env", "both-agnostic", "other-region", "other-account"],
)
def test_two_all_instances_inventories_in_stacks_of_one_account_and_region_fail(
    first, second, clash
):
    app = new_app()
    _local(cdk.Stack(app, "First", env=first), "QuickSetup", targets=ALL, scan_for_patches=False)
    second_stack = cdk.Stack(app, "Second", env=second)

    def build() -> None:
        _local(second_stack, "QuickSetup", targets=ALL, scan_for_patches=False)

    if clash:
        _expect_aws_all_instances_error(build, "First/QuickSetup")
    else:
        build()


def test_an_all_instances_inventory_beside_one_without_inventory_is_fine():
    stack = cdk.Stack(new_app(), "Stack", env=MEMBER)
    _local(stack, "First", targets=ALL, scan_for_patches=False)
    _local(stack, "Second", targets=ALL, scan_for_patches=False, collect_inventory=False)
    assertions.Template.from_stack(stack).resource_properties_count_is(
        "AWS::SSM::Association", {"Name": "AWS-GatherSoftwareInventory"}, 1
    )


def test_fails_when_two_organization_configurations_over_one_ou_collect_all_instances():
    app = new_app()
    both = ORG | {"targets": ALL, "scan_for_patches": False}
    QuickSetupOrganization(cdk.Stack(app, "First"), "OrgQuickSetup", **both)
    second = cdk.Stack(app, "Second")
    _expect_aws_all_instances_error(
        lambda: QuickSetupOrganization(second, "OrgQuickSetup", **both),
        "First/OrgQuickSetup",
    )


DELEGATED_ADMIN = cdk.Environment(account="333333333333", region="us-east-1")
ROOT_ORG = ORG | {
    "organizational_unit_ids": ["r-abcd"],
    "call_as": "DELEGATED_ADMIN",
    "targets": ALL,
    "scan_for_patches": False,
}


def test_fails_when_a_local_and_an_organization_all_instances_inventory_provably_meet():
    """A delegated administrator is a member account, the root holds every member account, and
    the local stack's Region is one of the organization's: both run in that account and Region."""
    app = new_app()
    _local(
        cdk.Stack(app, "Local", env=DELEGATED_ADMIN),
        "QuickSetup",
        targets=ALL,
        scan_for_patches=False,
    )
    organization = cdk.Stack(app, "Org", env=DELEGATED_ADMIN)
    _expect_aws_all_instances_error(
        lambda: QuickSetupOrganization(organization, "OrgQuickSetup", **ROOT_ORG),
        "Local/QuickSetup",
    )
    assert organization.node.try_find_child("OrgQuickSetup") is None


@pytest.mark.parametrize(
    ("local_env", "org_env", "org_props"),
    [
        (MEMBER, MANAGEMENT, {}),  # a member that may be in the OUs
        (DELEGATED_ADMIN, DELEGATED_ADMIN, {"organizational_unit_ids": ["ou-abcd-11112222"]}),
        (None, DELEGATED_ADMIN, {}),  # the local account is unknown
        (DELEGATED_ADMIN, None, {}),  # the organization's is unknown
    ],
    ids=["member-account", "an-ou-not-the-root", "local-agnostic", "organization-agnostic"],
)
def test_a_local_and_an_organization_all_instances_inventory_that_may_meet_warn(
    local_env, org_env, org_props
):
    app = new_app()
    _local(
        cdk.Stack(app, "Local", env=local_env), "QuickSetup", targets=ALL, scan_for_patches=False
    )
    organization = cdk.Stack(app, "Org", env=org_env)
    QuickSetupOrganization(organization, "OrgQuickSetup", **(ROOT_ORG | org_props))
    [warning] = _warnings(organization, LOCAL_AND_ORGANIZATION_OVERLAP_WARNING)
    assert AWS_ALL_INSTANCES_ERROR in warning


# Seed guide, "Collect inventory every 30 minutes": a global inventory configuration (one that
# targets all instances) with a Quick Setup configuration beside it "creates another schedule
# for the specified or targeted instances. There is no conflict." (「競合はありません」). The
# troubleshooting page agrees: the global association shows Skipped where an explicit one runs.
@pytest.mark.parametrize(
    ("first", "second"),
    [
        (InstanceTargets.all_instances(), InstanceTargets.tag("Env", "prod")),
        (InstanceTargets.tag("Env", "prod"), InstanceTargets.all_instances()),
        (InstanceTargets.all_instances(), InstanceTargets.instance_ids(IDS)),
        (InstanceTargets.resource_group("web"), InstanceTargets.all_instances()),
    ],
    ids=["all-then-tag", "tag-then-all", "all-then-ids", "group-then-all"],
)
def test_an_all_instances_inventory_beside_a_targeted_one_is_no_conflict(first, second):
    stack = cdk.Stack(new_app(), "Stack")
    _local(stack, "First", targets=first, scan_for_patches=False)
    _local(stack, "Second", targets=second, scan_for_patches=False)
    inventories = [
        resource["Properties"]["Targets"]
        for resource in assertions.Template.from_stack(stack)
        .find_resources("AWS::SSM::Association")
        .values()
        if resource["Properties"]["Name"] == "AWS-GatherSoftwareInventory"
    ]
    assert len(inventories) == 2
    assert Annotations.from_stack(stack).find_warning("*", Match.any_value()) == []


def test_all_instances_and_targeted_organization_configurations_do_not_conflict():
    app = new_app()
    QuickSetupOrganization(
        cdk.Stack(app, "First"),
        "OrgQuickSetup",
        **(ORG | {"targets": InstanceTargets.all_instances(), "scan_for_patches": False}),
    )
    stack = cdk.Stack(app, "Second")
    QuickSetupOrganization(stack, "OrgQuickSetup", **(ORG | {"scan_for_patches": False}))
    assert stack.node.try_find_child("OrgQuickSetup") is not None


def test_local_and_organization_overlap_says_what_is_known_of_targeted_inventories():
    warnings = _local_then_organization(MEMBER)
    assert len(warnings) == 1
    _says_what_is_known_of_targeted_inventories(warnings[0])


def test_local_and_global_organization_inventory_is_no_inventory_conflict():
    warnings = _local_then_organization(MEMBER, targets=InstanceTargets.all_instances())
    assert len(warnings) == 1  # the second set of associations and the patch scans remain
    assert "inventory" not in warnings[0]
    assert "overwrite each other's compliance data" in warnings[0]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (InstanceTargets.tag("Env", "prod"), InstanceTargets.tag("Env", "dev")),
        (InstanceTargets.instance_ids(IDS[:1]), InstanceTargets.instance_ids(IDS[1:])),
    ],
    ids=["tag-values", "instance-ids"],
)
def test_disjoint_targets_may_both_collect_inventory_and_scan(first, second):
    stack = cdk.Stack(new_app(), "Stack")
    _local(stack, "First", targets=first)
    _local(stack, "Second", targets=second)
    assert _warnings(stack, OVERLAPPING_PATCH_SCANS_WARNING) == []


def test_a_tag_value_known_only_at_deploy_time_can_overlap():
    stack = cdk.Stack(new_app(), "Stack")
    value = cdk.CfnParameter(stack, "Env").value_as_string
    _local(stack, "First", targets=InstanceTargets.tag("Env", "prod"))
    with pytest.raises(QuickSetupValidationError, match=r"^collect_inventory: "):
        _local(stack, "Second", targets=InstanceTargets.tag("Env", value))


@pytest.mark.parametrize(
    ("first", "second", "conflict"),
    [
        (None, None, True),  # both env-agnostic: may be the same environment
        (MEMBER, None, True),  # one unknown
        (MEMBER, MEMBER, True),  # the same account and Region
        (MEMBER, cdk.Environment(account="222222222222", region="eu-west-1"), False),
        (MEMBER, MANAGEMENT, False),  # two accounts
        (cdk.Environment(region="us-east-1"), cdk.Environment(region="us-east-2"), False),
    ],
)
def test_local_configurations_conflict_only_where_their_stacks_can_be_one_environment(
    first, second, conflict
):
    app = new_app()
    _local(cdk.Stack(app, "First", env=first), "QuickSetup")
    second_stack = cdk.Stack(app, "Second", env=second)
    if conflict:
        with pytest.raises(
            QuickSetupValidationError, match=r"^collect_inventory: .*First/QuickSetup"
        ):
            _local(second_stack, "QuickSetup")
    else:
        _local(second_stack, "QuickSetup")


def test_configurations_of_different_apps_never_conflict():
    first = _local(cdk.Stack(new_app(), "Stack"), "QuickSetup")
    second = _local(cdk.Stack(new_app(), "Stack"), "QuickSetup")
    assert "collect_inventory" in first.associations and "collect_inventory" in second.associations


def test_a_failed_configuration_is_not_remembered():
    stack = cdk.Stack(new_app(), "Stack")
    with pytest.raises(QuickSetupValidationError, match=r"^schedules"):
        _local(stack, "Broken", schedules={"scan_for_patches": "daily"})
    _local(stack, "QuickSetup")


# Overlapping patch scans: a warning that can be acknowledged


def test_overlapping_patch_scans_warn_on_the_second_configuration():
    stack = cdk.Stack(new_app(), "Stack")
    _local(stack, "Web", targets=InstanceTargets.tag("App", "web"))
    _local(stack, "Patching", targets=InstanceTargets.tag("Patch"), collect_inventory=False)
    warnings = _warnings(stack, OVERLAPPING_PATCH_SCANS_WARNING)
    assert len(warnings) == 1
    assert warnings[0].startswith("/Stack/Patching: ")
    assert "overwrites the other's patch compliance data" in warnings[0]
    assert "Stack/Web" in warnings[0]


def test_no_patch_scan_warning_when_only_one_scans():
    stack = cdk.Stack(new_app(), "Stack")
    _local(stack, "Web")
    _local(stack, "Agent", collect_inventory=False, scan_for_patches=False, update_ssm_agent=True)
    assert _warnings(stack, OVERLAPPING_PATCH_SCANS_WARNING) == []


def test_the_patch_scan_warning_can_be_acknowledged_on_the_stack():
    stack = cdk.Stack(new_app(), "Stack")
    cdk.Annotations.of(stack).acknowledge_warning(
        OVERLAPPING_PATCH_SCANS_WARNING, "The second scan feeds a separate compliance report."
    )
    _local(stack, "Web")
    _local(stack, "Patching", collect_inventory=False)
    assert _warnings(stack, OVERLAPPING_PATCH_SCANS_WARNING) == []


# A local and an organization configuration


def _local_then_organization(local_env, org_env=MANAGEMENT, **org_props):
    app = new_app()
    local = cdk.Stack(app, "Local", env=local_env)
    _local(local, "QuickSetup", targets=InstanceTargets.tag("Env", "prod"))
    organization = cdk.Stack(app, "Org", env=org_env)
    QuickSetupOrganization(organization, "OrgQuickSetup", **(ORG | org_props))
    return _warnings(organization, LOCAL_AND_ORGANIZATION_OVERLAP_WARNING)


def test_an_environment_agnostic_local_stack_can_be_in_the_organizations_ous():
    warnings = _local_then_organization(None)
    assert len(warnings) == 1
    assert warnings[0].startswith("/Org/OrgQuickSetup: QuickSetupLocal Local/QuickSetup")
    _says_what_is_known_of_targeted_inventories(warnings[0])
    assert "overwrite each other's compliance data" in warnings[0]


@pytest.mark.parametrize(
    ("local_env", "org_props", "overlap"),
    [
        (MEMBER, {}, True),  # a member account may be in the OUs
        (MANAGEMENT, {}, False),  # the management account never is
        (MANAGEMENT, {"call_as": "DELEGATED_ADMIN"}, True),  # a delegated admin is a member
        (cdk.Environment(account="222222222222", region="eu-west-1"), {}, False),  # another Region
        (None, {"regions": ["us-east-1", "ap-northeast-1"]}, True),
        (None, {"targets": InstanceTargets.tag("Env", "dev")}, False),  # disjoint targets
    ],
)
def test_local_and_organization_overlap_where_an_account_and_region_can_be_shared(
    local_env, org_props, overlap
):
    assert bool(_local_then_organization(local_env, **org_props)) is overlap


def test_the_overlap_is_found_whichever_is_created_first():
    app = new_app()
    organization = cdk.Stack(app, "Org", env=MANAGEMENT)
    QuickSetupOrganization(organization, "OrgQuickSetup", **ORG)
    local = cdk.Stack(app, "Local")
    _local(local, "QuickSetup", collect_inventory=False)
    warnings = _warnings(local, LOCAL_AND_ORGANIZATION_OVERLAP_WARNING)
    assert len(warnings) == 1
    assert "inventory" not in warnings[0]  # the local one does not collect inventory


def test_an_organization_stack_whose_account_is_unknown_may_be_a_member_account():
    assert _local_then_organization(MANAGEMENT, org_env=None)


# Two organization configurations


@pytest.mark.parametrize(
    ("first", "second", "conflict"),
    [
        ({}, {}, True),
        ({}, {"organizational_unit_ids": ["ou-abcd-11112222", "ou-abcd-33334444"]}, True),
        ({}, {"organizational_unit_ids": ["r-abcd"]}, True),  # the root holds every OU
        ({}, {"organizational_unit_ids": ["ou-abcd-33334444"]}, False),
        ({}, {"regions": ["eu-west-1"]}, False),
        (
            {"targets": InstanceTargets.tag("Env", "prod")},
            {"targets": InstanceTargets.tag("Env", "dev")},
            False,
        ),
    ],
)
def test_organization_configurations_conflict_over_shared_ous_and_regions(first, second, conflict):
    app = new_app()
    QuickSetupOrganization(cdk.Stack(app, "First"), "OrgQuickSetup", **(ORG | first))
    stack = cdk.Stack(app, "Second")
    if conflict:
        with pytest.raises(QuickSetupValidationError, match=r"^collect_inventory: ") as raised:
            QuickSetupOrganization(stack, "OrgQuickSetup", **(ORG | second))
        assert "First/OrgQuickSetup" in str(raised.value)
        assert stack.node.try_find_child("OrgQuickSetup") is None
    else:
        QuickSetupOrganization(stack, "OrgQuickSetup", **(ORG | second))


def test_two_organization_configurations_that_both_scan_warn():
    app = new_app()
    QuickSetupOrganization(cdk.Stack(app, "First"), "OrgQuickSetup", **ORG)
    stack = cdk.Stack(app, "Second")
    QuickSetupOrganization(stack, "OrgQuickSetup", **(ORG | {"collect_inventory": False}))
    assert len(_warnings(stack, OVERLAPPING_PATCH_SCANS_WARNING)) == 1


# Default Host Management Configuration: one setting per account and Region


DHMC_ONLY = {"collect_inventory": False, "scan_for_patches": False, "default_host_management": True}


def test_fails_when_two_local_configurations_of_one_environment_both_set_dhmc():
    """Disjoint targets do not help: the setting belongs to the account and Region."""
    stack = cdk.Stack(new_app(), "Stack", env=MEMBER)
    _local(stack, "Web", targets=InstanceTargets.tag("Env", "web"), **DHMC_ONLY)
    with pytest.raises(QuickSetupValidationError, match=r"^default_host_management: ") as raised:
        _local(stack, "Db", targets=InstanceTargets.tag("Env", "db"), **DHMC_ONLY)
    assert "Stack/Web" in str(raised.value)
    assert stack.node.try_find_child("Db") is None


def test_dhmc_in_two_accounts_or_in_one_configuration_only_is_fine():
    app = new_app()
    _local(cdk.Stack(app, "A", env=MEMBER), "QuickSetup", **DHMC_ONLY)
    _local(cdk.Stack(app, "B", env=MANAGEMENT), "QuickSetup", **DHMC_ONLY)
    stack = cdk.Stack(app, "C", env=MEMBER)
    third = _local(stack, "QuickSetup", **(DHMC_ONLY | {"default_host_management": False}))
    assert third.default_host_management is None


def test_fails_when_two_organization_configurations_over_one_ou_both_set_dhmc():
    app = new_app()
    QuickSetupOrganization(cdk.Stack(app, "First"), "OrgQuickSetup", **(ORG | DHMC_ONLY))
    with pytest.raises(QuickSetupValidationError, match=r"^default_host_management: "):
        QuickSetupOrganization(
            cdk.Stack(app, "Second"),
            "OrgQuickSetup",
            **(ORG | DHMC_ONLY | {"targets": InstanceTargets.tag("Env", "dev")}),
        )


# User guide, "Creating an inventory resource data sync for accounts defined in AWS
# Organizations": "you can only have one Organizations-based resource data sync" (per account
# and Region).
SYNC_ONLY = {
    "collect_inventory": False,
    "scan_for_patches": False,
    "inventory_sync": InventorySync.to_bucket("central-inventory", "us-east-1"),
}


def test_fails_when_two_organization_configurations_over_one_ou_both_deliver_inventory():
    app = new_app()
    QuickSetupOrganization(cdk.Stack(app, "First"), "OrgQuickSetup", **(ORG | SYNC_ONLY))
    second = cdk.Stack(app, "Second")
    with pytest.raises(QuickSetupValidationError, match=r"^inventory_sync: ") as raised:
        QuickSetupOrganization(
            second,
            "OrgQuickSetup",
            **(ORG | SYNC_ONLY | {"targets": InstanceTargets.tag("Env", "dev")}),
        )
    assert "one organization-based resource data sync" in str(raised.value)
    assert "First/OrgQuickSetup" in str(raised.value)
    assert second.node.try_find_child("OrgQuickSetup") is None


def test_organization_inventory_syncs_over_different_ous_are_fine():
    app = new_app()
    QuickSetupOrganization(cdk.Stack(app, "First"), "OrgQuickSetup", **(ORG | SYNC_ONLY))
    QuickSetupOrganization(
        cdk.Stack(app, "Second"),
        "OrgQuickSetup",
        **(ORG | SYNC_ONLY | {"organizational_unit_ids": ["ou-abcd-33334444"]}),
    )
    assert [
        stack.node.try_find_child("OrgQuickSetup") is not None
        for stack in app.node.children
        if isinstance(stack, cdk.Stack)
    ] == [True, True]


def test_local_and_organization_that_both_set_dhmc_warn_even_with_disjoint_targets():
    app = new_app()
    _local(
        cdk.Stack(app, "Local", env=MEMBER),
        "QuickSetup",
        targets=InstanceTargets.tag("Env", "prod"),
        **DHMC_ONLY,
    )
    organization = cdk.Stack(app, "Org", env=MANAGEMENT)
    QuickSetupOrganization(
        organization,
        "OrgQuickSetup",
        **(ORG | DHMC_ONLY | {"targets": InstanceTargets.tag("Env", "dev")}),
    )
    [warning] = _warnings(organization, LOCAL_AND_ORGANIZATION_OVERLAP_WARNING)
    assert "both manage Default Host Management Configuration" in warning
    assert "a second set of associations" not in warning, "their instances cannot meet"


def test_warning_ids_are_stable():
    assert OVERLAPPING_PATCH_SCANS_WARNING == "quicksetup:overlapping-patch-scans"
    assert LOCAL_AND_ORGANIZATION_OVERLAP_WARNING == "quicksetup:local-and-organization-overlap"
