"""Each rule of `quicksetup preflight`, one by one: the case it exists for, and its near miss
(the closest input that must not trigger it).

The rules (``quicksetup_constructs/cli/preflight.py``), by the finding each emits:

- ``inventory_duplicate`` (error): an inventory association over all instances beside a
  configuration whose inventory covers all instances;
- ``inventory_conflict`` (error): two targeted inventory associations that can reach one
  instance;
- ``patch_scan_overlap`` (warning): an ``AWS-RunPatchBaseline*`` association that can reach the
  instances the configuration scans;
- ``default_host_management_role`` (warning): the DHMC setting names a role that is not the
  configuration's own (``_names_own_role``);
- ``data_sync_exists`` (error): a resource data sync of the configuration's sync name, not its
  own;
- ``data_sync_limit`` (error): more than five syncs once the app's new ones are added;
- ``console_quick_setup`` (warning): a console configuration manager whose Host Management
  definition, or DHMC definition beside a configuration that sets DHMC, covers the account and
  Region;
- ``stack_exists`` (error): a stack of the name of one that ``quicksetup import`` wrote, without
  its tag;
- ``note``: any of those that ``--migrating-from`` acknowledged.

Every answer comes from botocore's Stubber (the helpers of tests/test_cli_preflight.py), which
checks each request and response against the service model.
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from botocore.stub import Stubber

from quicksetup_constructs import QuickSetupLocal
from quicksetup_constructs.cli import preflight as preflight_module

from . import cli_json
from . import test_cli_preflight as preflight_tests
from .test_cli_preflight import (
    ACCOUNT,
    ALL,
    DHMC_PARAMETERS,
    DHMC_SETTING,
    EVERYTHING,
    HOST_MANAGEMENT_ALL,
    IMPORTED,
    IMPORTED_REGION,
    MANAGEMENT,
    MANAGER_ARN,
    ORGANIZATION,
    REGION,
    TAGGED,
    Account,
    association,
    data_sync,
    findings,
    kinds,
    manager,
    preflight,
    tag,
)

assembly = preflight_tests.assembly
"""The cloud assembly of tests/test_cli_preflight.py (a module fixture): Tagged, Everything,
Organization and Imported."""

INVENTORY = "AWS-GatherSoftwareInventory"
OWN_SYNC = f"QuickSetup-Inventory-{TAGGED}"
"""Tagged's resource data sync (``QuickSetup-Inventory-<id>``)."""

RULES = {
    "inventory_duplicate",
    "inventory_conflict",
    "patch_scan_overlap",
    "default_host_management_role",
    "data_sync_exists",
    "data_sync_limit",
    "console_quick_setup",
    "stack_exists",
    # pinned, case and near miss, in tests/test_cli_preflight_named_roles.py
    "named_role_missing",
    "named_profile_missing",
    "role_policy_missing",
}
"""The kinds of finding this module pins, each with its own case and its near miss."""


def test_every_kind_of_finding_has_its_rule_pinned_here():
    assert set(preflight_module.KINDS) == RULES


# inventory over all instances ------------------------------------------------------------------
# User guide, "Troubleshooting problems with Systems Manager Inventory": "Multiple apply all
# associations with document 'AWS-GatherSoftwareInventory' are not supported" for a Region that
# already has an inventory association for all nodes. The seed's Quick Setup guide ("Collect
# inventory every 30 minutes"): a global one beside a targeted one is no conflict.
# Everything is a configuration over all instances of the account and Region.


def test_an_all_instances_inventory_beside_an_all_instances_configuration_is_an_error(assembly):
    existing = association("inventory-all", INVENTORY, ALL)
    result = preflight(
        Account().associations([existing]).managers([]), assembly, "--stack", "Everything", "--json"
    )
    assert result.exit_code == 1, result.output
    assert kinds(result, EVERYTHING) == {"inventory_duplicate": "error"}


def test_a_targeted_inventory_beside_an_all_instances_configuration_is_no_finding(assembly):
    existing = association("inventory-prod", INVENTORY, tag("Environment", "production"))
    result = preflight(
        Account().associations([existing]).managers([]), assembly, "--stack", "Everything", "--json"
    )
    assert result.exit_code == 0, result.output
    assert findings(result, EVERYTHING) == {}


def test_an_all_instances_association_of_another_document_is_no_inventory_finding(assembly):
    existing = association("agent-update", "AWS-UpdateSSMAgent", ALL)
    result = preflight(
        Account().associations([existing]).managers([]), assembly, "--stack", "Everything", "--json"
    )
    assert result.exit_code == 0, result.output
    assert findings(result, EVERYTHING) == {}


def test_the_configurations_own_all_instances_inventory_is_no_finding(assembly):
    own = association(f"QuickSetup-CollectInventory-{EVERYTHING}", INVENTORY, ALL)
    result = preflight(
        Account().associations([own]).managers([]), assembly, "--stack", "Everything", "--json"
    )
    assert result.exit_code == 0, result.output
    assert findings(result, EVERYTHING) == {}


def test_another_configurations_all_instances_inventory_is_an_error(assembly):
    # One hex digit off Everything's id: another configuration's association.
    other = association(f"QuickSetup-CollectInventory-{EVERYTHING[:-1]}f", INVENTORY, ALL)
    result = preflight(
        Account().associations([other]).managers([]), assembly, "--stack", "Everything", "--json"
    )
    assert result.exit_code == 1, result.output
    assert kinds(result, EVERYTHING) == {"inventory_duplicate": "error"}


def test_a_configuration_that_collects_no_inventory_meets_no_inventory_rule(assembly):
    # Imported has collect_inventory=False; its stack, which `import` wrote, is looked up too.
    existing = association("inventory-all", INVENTORY, ALL)
    account = (
        Account(region=IMPORTED_REGION)
        .associations([existing])
        .managers([])
        .stack("Imported", None)
    )
    result = preflight(account, assembly, "--stack", "Imported", "--json")
    assert result.exit_code == 0, result.output
    assert findings(result, IMPORTED) == {}


# targeted inventories that meet ---------------------------------------------------------------
# AWS's Inventory page ("Configuring inventory collection"): "If a node is assigned multiple
# inventory associations and each uses a tag key-value pair, then those inventory associations
# fail to run on the node". EC2's Tag (botocore's ec2 model): "Tag keys are case-sensitive",
# "Tag values are case-sensitive"; an instance holds one value per key.
# Tagged targets Environment=production.


@pytest.mark.parametrize(
    "targets",
    [
        tag("Environment", "production"),
        tag("Environment", "staging", "production"),
        [{"Key": "tag-key", "Values": ["Environment"]}],
        tag("environment", "staging"),  # another key: an instance can carry both tags
        tag("Team", "web"),
        [{"Key": "InstanceIds", "Values": ["i-0123456789abcdef0"]}],
    ],
    ids=[
        "same-tag",
        "one-of-its-values",
        "its-key",
        "key-in-another-case",
        "another-key",
        "an-instance",
    ],
)
def test_a_targeted_inventory_that_can_reach_the_same_instance_is_an_error(assembly, targets):
    existing = association("inventory-other", INVENTORY, targets)
    account = Account().associations([existing]).setting("$None").syncs([]).managers([])
    result = preflight(account, assembly, "--stack", "Tagged", "--json")
    assert result.exit_code == 1, result.output
    assert kinds(result) == {"inventory_conflict": "error"}


@pytest.mark.parametrize(
    "targets",
    [
        tag("Environment", "staging"),
        tag("Environment", "Production"),  # values are case-sensitive
        tag("Environment", "staging", "test"),
    ],
    ids=["another-value", "value-in-another-case", "other-values"],
)
def test_a_targeted_inventory_that_cannot_reach_the_same_instance_is_no_finding(assembly, targets):
    existing = association("inventory-other", INVENTORY, targets)
    account = Account().associations([existing]).setting("$None").syncs([]).managers([])
    result = preflight(account, assembly, "--stack", "Tagged", "--json")
    assert result.exit_code == 0, result.output
    assert findings(result) == {}


# patch scans -----------------------------------------------------------------------------------
# User guide, "Avoiding unintentional patch compliance data overwrites": "each scan overwrites
# the patch compliance data of previous scans". Not a failure of the deploy: a warning.


@pytest.mark.parametrize(
    "document",
    [
        "AWS-RunPatchBaseline",
        "AWS-RunPatchBaselineAssociation",
        "AWS-RunPatchBaselineWithHooks",
        "arn:aws:ssm:us-east-1::document/AWS-RunPatchBaselineWithHooks",
    ],
)
def test_a_patch_document_on_the_scanned_instances_is_a_warning(assembly, document):
    existing = association("patching", document, tag("Environment", "production"))
    account = Account().associations([existing]).setting("$None").syncs([]).managers([])
    result = preflight(account, assembly, "--stack", "Tagged", "--json")
    assert result.exit_code == 0, result.output  # a warning does not fail the gate
    assert kinds(result) == {"patch_scan_overlap": "warning"}


@pytest.mark.parametrize(
    ("document", "targets"),
    [
        ("AWS-RunPatchBaselineWithHooks", tag("Environment", "staging")),
        ("AWS-RunShellScript", tag("Environment", "production")),
    ],
    ids=["other-instances", "not-a-patch-document"],
)
def test_a_patch_scan_elsewhere_or_another_document_is_no_finding(assembly, document, targets):
    existing = association("nearly", document, targets)
    account = Account().associations([existing]).setting("$None").syncs([]).managers([])
    result = preflight(account, assembly, "--stack", "Tagged", "--json")
    assert result.exit_code == 0, result.output
    assert findings(result) == {}


# Default Host Management Configuration: the configuration's own role ---------------------------
# UpdateServiceSetting (botocore's ssm model): for
# /ssm/managed-instance/default-ec2-instance-management-role "enter the name of an IAM role";
# AWS's DHMC guide sets it with its path (service-role/AWSSystemsManagerDefault...Role).
# CreateRole (botocore's iam model): role "Names are not distinguished by case".
# CreateStack (botocore's cloudformation model): "A stack name can contain only alphanumeric
# characters (case sensitive) and hyphens". CloudFormation's "Name type": a name it generates
# starts with the stack's name (stack123123123123-s3bucket-abcdefghijk1).
# Tagged's role is created by its stack; Named's is the existing service-role/DhmcRole.

NAMED = "2c2c2c2c"
NAMED_ROLE = "service-role/DhmcRole"


@pytest.fixture(scope="module")
def named_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One stack, Named, whose configuration registers the existing role DhmcRole (path
    /service-role/) for DHMC."""
    outdir = tmp_path_factory.mktemp("named") / "cdk.out"
    app = cdk.App(outdir=str(outdir))
    stack = cdk.Stack(app, "Named", env=cdk.Environment(account=ACCOUNT, region=REGION))
    QuickSetupLocal(
        stack,
        "QuickSetup",
        configuration_id=NAMED,
        collect_inventory=False,
        default_host_management=True,
        default_host_management_role=iam.Role.from_role_arn(
            stack,
            "DhmcRole",
            f"arn:aws:iam::{ACCOUNT}:role/{NAMED_ROLE}",
            mutable=False,
        ),
    )
    app.synth()
    return outdir


def _dhmc(directory: Path, stack: str, configuration: str, value: str) -> dict[str, str]:
    """The findings of ``configuration`` when the DHMC setting holds ``value``."""
    account = Account().associations([]).setting(value).managers([])
    if stack == "Tagged":
        account.syncs([])
    iam_stub = Stubber(account.aws.client("iam"))
    if stack == "Named":  # preflight checks that the role it names exists (GetRole)
        name = NAMED_ROLE.rsplit("/", 1)[-1]
        iam_stub.add_response(
            "get_role",
            {
                "Role": {
                    "Path": "/service-role/",
                    "RoleName": name,
                    "RoleId": "AROAEXAMPLEEXAMPLE01",
                    "Arn": f"arn:aws:iam::{ACCOUNT}:role/{NAMED_ROLE}",
                    "CreateDate": "2026-01-05T09:00:00Z",
                }
            },
            {"RoleName": name},
        )
    with iam_stub:
        result = preflight(account, directory, "--stack", stack, "--json")
    iam_stub.assert_no_pending_responses()
    assert result.exit_code == 0, result.output  # a warning does not fail the gate
    found = findings(result, configuration)
    for finding in found.values():
        assert (finding["resource"], finding["resource_id"]) == (value, DHMC_SETTING)
    return found


def kinds_of(found: dict[str, dict]) -> dict[str, str]:
    """Each finding's kind and severity."""
    return {f["kind"]: f["severity"] for f in found.values()}


@pytest.mark.parametrize(
    "value",
    [
        "Tagged-QuickSetupRolesDefaultHostMan-1A2B3C",
        "service-role/Tagged-QuickSetupRolesDefaultHostMan-1A2B3C",
        f"QuickSetup-DHMC-{TAGGED}",
        f"service-role/QuickSetup-DHMC-{TAGGED}",
    ],
    ids=["its-stack", "its-stack-with-a-path", "its-id", "its-id-with-a-path"],
)
def test_dhmc_on_the_role_its_stack_created_is_no_finding(assembly, value):
    assert _dhmc(assembly, "Tagged", TAGGED, value) == {}


@pytest.mark.parametrize(
    "value",
    [
        "service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole",
        "TaggedOther-QuickSetupRolesDefaultHostMan-1A2B3C",  # another stack's name starts so
        "tagged-QuickSetupRolesDefaultHostMan-1A2B3C",  # stack names are case sensitive
        "Tagged",
        "Tagged-QuickSetupRoles/AnotherRole",  # the prefix in the path, not the name
        f"QuickSetup-DHMC-{TAGGED}0",
        f"QuickSetup-DHMC{TAGGED}",
        f"QuickSetup-DHMC-{TAGGED}/AnotherRole",
    ],
    ids=[
        "aws-default-role",
        "another-stack",
        "stack-in-another-case",
        "stack-name-alone",
        "prefix-in-the-path",
        "longer-id",
        "id-without-hyphen",
        "id-in-the-path",
    ],
)
def test_dhmc_on_a_role_not_created_by_its_stack_is_a_warning(assembly, value):
    found = _dhmc(assembly, "Tagged", TAGGED, value)
    assert kinds_of(found) == {"default_host_management_role": "warning"}
    [finding] = found.values()
    assert (
        f"already uses role {value}: the deploy replaces it with the role the stack "
        "creates" in finding["message"]
    )


@pytest.mark.parametrize(
    "value",
    [
        NAMED_ROLE,
        "service-role/dhmcrole",
        "service-role/DHMCROLE",
        f"QuickSetup-DHMC-{NAMED}",
    ],
    ids=["its-role", "lower-case", "upper-case", "its-id"],
)
def test_dhmc_on_the_role_it_names_is_no_finding(named_assembly, value):
    assert _dhmc(named_assembly, "Named", NAMED, value) == {}


@pytest.mark.parametrize(
    "value",
    [
        "DhmcRole",  # without its path
        "other-path/DhmcRole",
        "service-role/DhmcRole2",
        "service-role/Dhmc",
        "Named-QuickSetupRolesDefaultHostMan-1A2B3C",  # its stack's prefix: it creates no role
    ],
    ids=["no-path", "another-path", "longer-name", "shorter-name", "its-stack-prefix"],
)
def test_dhmc_on_a_role_other_than_the_one_it_names_is_a_warning(named_assembly, value):
    found = _dhmc(named_assembly, "Named", NAMED, value)
    assert kinds_of(found) == {"default_host_management_role": "warning"}
    [finding] = found.values()
    assert (
        f"already uses role {value}: the deploy replaces it with {NAMED_ROLE} for"
        in (finding["message"])
    )


def test_dhmc_that_was_never_set_is_no_finding(assembly):
    # GetServiceSetting's errors (botocore's ssm model): ServiceSettingNotFound, "The specified
    # service setting wasn't found".
    account = Account().associations([])
    account.ssm.add_client_error(
        "get_service_setting",
        "ServiceSettingNotFound",
        "not found",
        400,
        expected_params={"SettingId": DHMC_SETTING},
    )
    account.syncs([]).managers([])
    result = preflight(account, assembly, "--stack", "Tagged", "--json")
    assert result.exit_code == 0, result.output
    assert findings(result) == {}


def test_a_denied_dhmc_read_is_an_error_not_a_setting_that_is_off(assembly):
    account = Account().associations([])
    account.ssm.add_client_error(
        "get_service_setting",
        "AccessDeniedException",
        "not authorized",
        400,
        expected_params={"SettingId": DHMC_SETTING},
    )
    result = preflight(account, assembly, "--stack", "Tagged", "--json")
    assert result.exit_code == 2, result.output
    message = cli_json.envelope(result.stdout)["error"]["message"]
    assert message.startswith("AWS denied GetServiceSetting in us-east-1")


# resource data syncs ---------------------------------------------------------------------------
# CreateResourceDataSync's errors (botocore's ssm model): ResourceDataSyncAlreadyExists, "A sync
# configuration with the same name already exists", and ResourceDataSyncCountExceeded. AWS
# General Reference, "AWS Systems Manager endpoints and quotas": "Maximum number of resource
# data syncs | 5" per account and Region.

OWN_ASSOCIATION = association(
    f"QuickSetup-CollectInventory-{TAGGED}", INVENTORY, tag("Environment", "production")
)


def test_a_sync_of_its_name_beside_another_configurations_associations_is_an_error(assembly):
    other = association(f"QuickSetup-CollectInventory-{EVERYTHING}", INVENTORY, ALL)
    account = (
        Account().associations([other]).setting("$None").syncs([data_sync(OWN_SYNC)]).managers([])
    )
    result = preflight(account, assembly, "--stack", "Tagged", "--json")
    assert result.exit_code == 1, result.output
    assert kinds(result) == {"data_sync_exists": "error"}


@pytest.mark.parametrize("name", [f"{OWN_SYNC}-old", f"QuickSetup-Inventory-{EVERYTHING}"])
def test_a_sync_of_a_nearly_equal_name_is_no_finding(assembly, name):
    account = Account().associations([]).setting("$None").syncs([data_sync(name)]).managers([])
    result = preflight(account, assembly, "--stack", "Tagged", "--json")
    assert result.exit_code == 0, result.output
    assert findings(result) == {}


def test_five_syncs_and_the_apps_new_one_are_over_the_limit(assembly):
    syncs = [data_sync(f"sync-{n}") for n in range(5)]
    account = Account().associations([]).setting("$None").syncs(syncs).managers([])
    result = preflight(account, assembly, "--stack", "Tagged", "--json")
    assert result.exit_code == 1, result.output
    [finding] = findings(result).values()
    assert (finding["severity"], finding["kind"]) == ("error", "data_sync_limit")
    assert "5 resource data sync(s) exist" in finding["message"]
    assert "and the app adds 1: more than the 5" in finding["message"]
    assert "Delete 1 of them" in finding["message"]


def test_five_syncs_of_which_one_is_its_own_are_within_the_limit(assembly):
    syncs = [data_sync(f"sync-{n}") for n in range(4)] + [data_sync(OWN_SYNC)]
    account = Account().associations([OWN_ASSOCIATION]).setting("$None").syncs(syncs).managers([])
    result = preflight(account, assembly, "--stack", "Tagged", "--json")
    assert result.exit_code == 0, result.output
    assert findings(result) == {}


# console Quick Setup ---------------------------------------------------------------------------
# ConfigurationDefinitionInput.Parameters (botocore's ssm-quicksetup model): TargetAccounts,
# TargetOrganizationalUnits, and "TargetRegions (Required) A comma separated list of Amazon Web
# Services Regions you want to deploy the configuration to". A console DHMC definition sets the
# same account-level setting as a configuration with default_host_management (Tagged sets it;
# Everything does not).

DHMC_TYPE = "AWSQuickSetupType-DHMC"
HOST_MANAGEMENT_TYPE = "AWSQuickSetupType-SSMHostMgmt"


@pytest.mark.parametrize(
    "parameters",
    [
        DHMC_PARAMETERS,
        {"TargetAccounts": ACCOUNT, "TargetRegions": f"eu-west-1,{REGION}"},
    ],
    ids=["its-ou", "its-account"],
)
def test_a_console_dhmc_manager_beside_a_configuration_that_sets_dhmc_is_a_warning(
    assembly, parameters
):
    console = manager(DHMC_TYPE, parameters)
    account = Account().associations([]).setting("$None").syncs([]).managers([console])
    result = preflight(account, assembly, "--stack", "Tagged", "--json")
    assert result.exit_code == 0, result.output
    [finding] = findings(result).values()
    assert (finding["severity"], finding["kind"], finding["resource_id"]) == (
        "warning",
        "console_quick_setup",
        MANAGER_ARN,
    )
    assert (
        "console Quick Setup Default Host Management Configuration configuration manager "
        "console-host-management also configures us-east-1" in finding["message"]
    )
    assert "Before `cdk deploy`" in finding["message"]


def test_a_console_dhmc_manager_beside_a_configuration_that_leaves_dhmc_alone_is_no_finding(
    assembly,
):
    console = manager(DHMC_TYPE, DHMC_PARAMETERS)
    account = Account().associations([]).managers([console])
    result = preflight(account, assembly, "--stack", "Everything", "--json")
    assert result.exit_code == 0, result.output
    assert findings(result, EVERYTHING) == {}


@pytest.mark.parametrize(
    "parameters",
    [
        {"TargetOrganizationalUnits": "ou-abcd-11112222", "TargetRegions": "eu-west-1"},
        {"TargetAccounts": "222222222222", "TargetRegions": REGION},
        {"TargetAccounts": ACCOUNT, "TargetRegions": f"{REGION}-x,eu-west-1"},
    ],
    ids=["another-region", "another-account", "a-region-that-only-starts-alike"],
)
def test_a_console_dhmc_manager_elsewhere_is_no_finding(assembly, parameters):
    console = manager(DHMC_TYPE, parameters)
    account = Account().associations([]).setting("$None").syncs([]).managers([console])
    result = preflight(account, assembly, "--stack", "Tagged", "--json")
    assert result.exit_code == 0, result.output
    assert findings(result) == {}


def test_a_console_manager_holding_dhmc_and_host_management_warns_of_host_management_alone(
    assembly,
):
    # Everything leaves DHMC alone: the manager's DHMC definition is no concern of its.
    console = manager(HOST_MANAGEMENT_TYPE, HOST_MANAGEMENT_ALL)
    console["ConfigurationDefinitions"].append(
        {"Id": "dh001", "Type": DHMC_TYPE, "TypeVersion": "1.0", "Parameters": DHMC_PARAMETERS}
    )
    account = Account().associations([]).managers([console])
    result = preflight(account, assembly, "--stack", "Everything", "--json")
    assert result.exit_code == 0, result.output
    [finding] = findings(result, EVERYTHING).values()
    assert "console Quick Setup Host Management configuration manager" in finding["message"]
    assert "Default Host Management" not in finding["message"]
    assert "Before `cdk deploy`" not in finding["message"]
    assert "After the cut-over delete it" in finding["message"]


def test_from_the_stack_set_account_a_console_manager_of_accounts_only_is_no_finding(assembly):
    # The organization's associations run in its OUs' member accounts: a console definition
    # that targets accounts only (here the management account) is not where they run.
    console = manager(
        HOST_MANAGEMENT_TYPE,
        {"TargetAccounts": MANAGEMENT, "TargetRegions": REGION},
        MANAGER_ARN.replace(ACCOUNT, MANAGEMENT),
    )
    result = preflight(
        Account(account=MANAGEMENT).managers([console]),
        assembly,
        "--stack",
        "Organization",
        "--json",
    )
    assert result.exit_code == 0, result.output
    assert findings(result, ORGANIZATION) == {}


# --migrating-from: notes ----------------------------------------------------------------------
# Decisions: a finding becomes a note only when the cut-over removes its resource before
# `cdk deploy`; `quicksetup import`'s cut-over stops the source's inventory collection first.

LEGACY_PREFIX = "AWS-QuickSetup-SSMHostMgmt-"


@pytest.mark.parametrize(
    ("name", "severity"),
    [
        (f"{LEGACY_PREFIX}CollectInventory-qm255", "note"),
        (f"{LEGACY_PREFIX.lower()}CollectInventory-qm255", "error"),  # another name
        ("AWS-QuickSetup-SSMHostMgmt", "error"),  # the prefix without its hyphen
    ],
    ids=["its-prefix", "prefix-in-another-case", "prefix-cut-short"],
)
def test_migrating_from_a_prefix_acknowledges_the_associations_it_starts(assembly, name, severity):
    legacy = association(name, INVENTORY, ALL)
    result = preflight(
        Account().associations([legacy]).managers([]),
        assembly,
        "--stack",
        "Everything",
        "--json",
        "--migrating-from",
        LEGACY_PREFIX,
    )
    assert result.exit_code == (0 if severity == "note" else 1), result.output
    assert kinds(result, EVERYTHING) == {"inventory_duplicate": severity}


@pytest.mark.parametrize(
    ("definition", "severity"),
    [("abcde", "note"), ("abcdf", "error")],
    ids=["its-definition", "another-definition"],
)
def test_migrating_from_a_manager_acknowledges_its_own_definitions_associations(
    assembly, definition, severity
):
    # manager()'s one definition has the id abcde.
    console_inventory = association(f"{LEGACY_PREFIX}CollectInventory-{definition}", INVENTORY, ALL)
    account = (
        Account()
        .associations([console_inventory])
        .managers(
            [
                manager(
                    HOST_MANAGEMENT_TYPE,
                    {"TargetAccounts": "222222222222", "TargetRegions": REGION},
                )
            ]
        )
    )
    result = preflight(
        account, assembly, "--stack", "Everything", "--json", "--migrating-from", MANAGER_ARN
    )
    assert kinds(result, EVERYTHING) == {"inventory_duplicate": severity}


# where a configuration is checked ---------------------------------------------------------------


def test_a_local_configuration_of_another_account_is_not_checked_and_says_why(assembly):
    other = "999999999999"
    account = Account(account=other).associations([]).managers([])
    result = preflight(account, assembly, "--json")
    assert result.exit_code == 0, result.output
    configurations = cli_json.data(result.stdout)["configurations"]
    tagged = configurations[TAGGED]
    assert (tagged["checked"], tagged["note"]) == (
        False,
        f"deploys to account {ACCOUNT}: run with that account's credentials",
    )
    # the organization's member accounts include any other account: it is checked there
    assert configurations[ORGANIZATION]["checked"] is True
