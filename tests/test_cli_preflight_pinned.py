"""`quicksetup preflight`: each finding pinned whole, as ``--json`` prints it.

Each test runs the command against answers from botocore's Stubber (the helpers of
tests/test_cli_preflight.py), which checks every request and response against the service
model, and asserts the whole object that the user reads: every finding of a configuration,
field by field, its sentence included, and the exit code. The configurations are given as
``read_footprints`` gives them for the apps of tests/test_cli_preflight.py and
tests/test_cli_preflight_named_roles.py (written out here, so that no test synthesizes); the
roles and instance profiles an app names are read from a cloud assembly manifest that carries
the constructs' ``quicksetup:named-iam`` metadata.

Where a value is AWS's, its source is cited beside it.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import Stubber
from click.testing import CliRunner

from quicksetup_constructs.cli import preflight as preflight_module
from quicksetup_constructs.cli.aws import Aws
from quicksetup_constructs.cli.footprint import LOCAL, ORGANIZATION, Footprint
from quicksetup_constructs.cli.main import main
from quicksetup_constructs.overlap import AssociationTargets

from . import cli_json
from .test_cli_preflight import (
    ACCOUNT,
    ALL,
    IMPORTED_REGION,
    MANAGEMENT,
    MANAGER_ARN,
    REGION,
    STACK_ID,
    Account,
    association,
    data_sync,
    tag,
)
from .test_cli_preflight_named_roles import Iam, _active, aws_policy

INVENTORY = "AWS-GatherSoftwareInventory"
PATCH = "AWS-RunPatchBaseline"
TAGGED, EVERYTHING, ORG, IMPORTED, NAMED = (
    "7a422481",
    "5e5e5e5e",
    "0a0a0a0a",
    "1b1b1b1b",
    "4c4c4c4c",
)
OWN_SYNC = f"QuickSetup-Inventory-{TAGGED}"
CREATED_DHMC_ROLE = "${QuickSetupRolesDefaultHostManagementRole58D1E3C3}"
"""How the template names the DHMC role the stack creates (``${LogicalId}``)."""
OTHER_SOURCE = MANAGER_ARN.replace("0001", "0009")
INSTANCE = "i-0123456789abcdef0"


def targets(*pairs: tuple[str, list[str]]) -> AssociationTargets:
    return AssociationTargets.parse(pairs)


def footprint(configuration_id: str, stack: str, targets_in_words: str, **fields: Any) -> Footprint:
    """A configuration as ``read_footprints`` gives it: local, in ACCOUNT and REGION, with
    inventory and a patch scan over all instances unless ``fields`` say otherwise."""
    values: dict[str, Any] = {
        "kind": LOCAL,
        "account": ACCOUNT,
        "regions": (REGION,),
        "association_names": frozenset(),
        "inventory": targets(("InstanceIds", ["*"])),
        "patch_scan": targets(("InstanceIds", ["*"])),
        "host_management_role": None,
        "inventory_sync": None,
        "stack_region": REGION,
        "imported_from": None,
    }
    values.update(fields)
    return Footprint(
        configuration_id=configuration_id, stack=stack, targets=targets_in_words, **values
    )


PRODUCTION = targets(("tag:Environment", ["production"]))
FOOTPRINTS = {
    "Tagged": footprint(
        TAGGED,
        "Tagged",
        "instances tagged Environment=production",
        inventory=PRODUCTION,
        patch_scan=PRODUCTION,
        host_management_role=CREATED_DHMC_ROLE,
        inventory_sync=OWN_SYNC,
    ),
    "Everything": footprint(EVERYTHING, "Everything", "all instances"),
    "Organization": footprint(
        ORG,
        "Organization",
        "all instances",
        kind=ORGANIZATION,
        account=MANAGEMENT,
        regions=(REGION, "eu-west-1"),
    ),
    "Imported": footprint(
        IMPORTED,
        "Imported",
        "all instances",
        regions=(IMPORTED_REGION,),
        stack_region=IMPORTED_REGION,
        inventory=None,
        imported_from=MANAGER_ARN,
    ),
    "Named": footprint(NAMED, "Named", "all instances"),
}
"""``read_footprints`` of the apps of the two modules this one follows, by stack."""


@pytest.fixture
def assembly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cloud assembly directory whose configurations are :data:`FOOTPRINTS` (``--stack``
    keeps one) and whose manifest holds no named role until :func:`name_iam` writes one."""
    directory = tmp_path / "cdk.out"
    directory.mkdir()
    (directory / "manifest.json").write_text(json.dumps({"version": "48.0.0", "artifacts": {}}))

    def read_footprints(given: str | Path, stack_name: str | None = None) -> list[Footprint]:
        assert Path(given) == directory
        return [f for name, f in FOOTPRINTS.items() if stack_name in (None, name)]

    monkeypatch.setattr(preflight_module, "read_footprints", read_footprints)
    return directory


def name_iam(directory: Path, stack: str, data: dict[str, Any]) -> None:
    """Write the ``quicksetup:named-iam`` metadata (rendering/roles.py ``named_iam``) of the
    configuration of ``stack`` into the manifest, as the constructs do."""
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["artifacts"][stack] = {
        "type": "aws:cloudformation:stack",
        "metadata": {
            f"/{stack}/QuickSetup": [{"type": "quicksetup:named-iam", "data": data}],
        },
    }
    (directory / "manifest.json").write_text(json.dumps(manifest))


def run(account: Account, assembly: Path, *args: str, iams: list[Iam] = ()) -> Any:
    with account.active(), _active(list(iams)):
        return CliRunner(env={"COLUMNS": "200"}).invoke(
            main,
            ["preflight", str(assembly), *args, "--json"],
            obj=account.aws,
            catch_exceptions=False,
        )


def findings(result: Any, configuration: str) -> list[dict[str, Any]]:
    """Every finding of ``configuration``, in order, as ``--json`` prints it (checked against
    the schema the package ships)."""
    data = cli_json.data(result.stdout)
    return list(data["configurations"][configuration]["findings"].values())


def configuration(result: Any, configuration_id: str) -> dict[str, Any]:
    return cli_json.data(result.stdout)["configurations"][configuration_id]


def error_message(result: Any) -> str:
    return cli_json.envelope(result.stdout)["error"]["message"]


def finding(
    severity: str,
    kind: str,
    configuration_id: str,
    resource: str,
    resource_id: str | None,
    message: str,
) -> dict[str, Any]:
    """A finding as ``--json`` prints it: its fields, and its key (``kind:id`` or
    ``kind:name``)."""
    return {
        "severity": severity,
        "kind": kind,
        "configuration_id": configuration_id,
        "resource": resource,
        "resource_id": resource_id,
        "message": message,
        "key": f"{kind}:{resource_id or resource}",
    }


# stack_exists ----------------------------------------------------------------------------------
# Decision 18: a stack that `quicksetup import` wrote carries the stack tag
# quicksetup:imported-from = <manager ARN or association prefix>; preflight refuses a stack of the
# same name that exists without it. CloudFormation DescribeStacks (botocore's cloudformation
# model): Stack.StackId, Stack.Tags (Key, Value). Imported deploys to eu-west-1.

STACK_TAKEN = (
    "`cdk deploy` would update it, replacing what it holds with this configuration. Give the "
    "app's stack another id (the second argument of cdk.Stack in the app), or delete that stack "
    "if it is no longer needed"
)


def imported_account(tags: dict[str, str] | None) -> Account:
    return Account(region=IMPORTED_REGION).associations([]).managers([]).stack("Imported", tags)


def test_a_stack_of_the_name_tagged_from_another_source_is_an_error_naming_that_source(assembly):
    account = imported_account({"quicksetup:imported-from": OTHER_SOURCE})
    result = run(account, assembly, "--stack", "Imported")
    assert result.exit_code == 1, result.output
    assert findings(result, IMPORTED) == [
        finding(
            "error",
            "stack_exists",
            IMPORTED,
            "Imported",
            STACK_ID,
            "a CloudFormation stack named Imported already exists with "
            f"quicksetup:imported-from={OTHER_SOURCE}: {STACK_TAKEN}",
        )
    ]


def test_a_stack_of_the_name_without_the_tag_is_an_error_saying_it_lacks_the_tag(assembly):
    account = imported_account({"Owner": "platform-team"})
    result = run(account, assembly, "--stack", "Imported")
    assert result.exit_code == 1, result.output
    assert findings(result, IMPORTED) == [
        finding(
            "error",
            "stack_exists",
            IMPORTED,
            "Imported",
            STACK_ID,
            "a CloudFormation stack named Imported already exists without the tag "
            f"quicksetup:imported-from: {STACK_TAKEN}",
        )
    ]


def test_a_stack_of_the_name_tagged_from_the_same_source_is_no_finding(assembly):
    account = imported_account({"quicksetup:imported-from": MANAGER_ARN})
    result = run(account, assembly, "--stack", "Imported")
    assert result.exit_code == 0, result.output
    assert findings(result, IMPORTED) == []


def test_a_describe_stacks_validation_error_other_than_does_not_exist_is_exit_2(assembly):
    # Only "Stack with id NAME does not exist" (a ValidationError) means there is no stack;
    # another ValidationError is not read as "no stack".
    account = Account(region=IMPORTED_REGION).associations([]).managers([])
    account.cloudformation.add_client_error(
        "describe_stacks",
        "ValidationError",
        "1 validation error detected: Value at 'stackName' failed to satisfy constraint",
        400,
        expected_params={"StackName": "Imported"},
    )
    result = run(account, assembly, "--stack", "Imported")
    assert result.exit_code == 2, result.output
    assert error_message(result) == (
        f"DescribeStacks in {IMPORTED_REGION} (account {ACCOUNT}) failed: ValidationError: 1 "
        "validation error detected: Value at 'stackName' failed to satisfy constraint"
    )


def test_another_error_whose_message_says_does_not_exist_is_exit_2(assembly):
    account = Account(region=IMPORTED_REGION).associations([]).managers([])
    account.cloudformation.add_client_error(
        "describe_stacks",
        "AccessDenied",
        "User is not authorized to perform cloudformation:DescribeStacks on a stack that does "
        "not exist or is not theirs",
        403,
        expected_params={"StackName": "Imported"},
    )
    result = run(account, assembly, "--stack", "Imported")
    assert result.exit_code == 2, result.output
    assert error_message(result) == (
        f"AWS denied DescribeStacks in {IMPORTED_REGION} (account {ACCOUNT}): User is not "
        "authorized to perform cloudformation:DescribeStacks on a stack that does not exist or is "
        "not theirs"
    )


# named instance profiles and roles -------------------------------------------------------------
# IAM ARNs (IAM user guide, "IAM identifiers"): arn:aws:iam::<account>:instance-profile/<name>,
# arn:aws:iam::<account>:role/<name>. GetRole's RoleName is the name without its path
# (botocore's iam model: roleNameType, pattern [\w+=,.@-]+). The policies each role needs:
# tests/test_cli_preflight_named_roles.py.

PROFILE, ROLE = "AppProfile", "AppInstanceRole"
CORE, PATCH_POLICY, AGENT = (
    "AmazonSSMManagedInstanceCore",
    "AmazonSSMPatchAssociation",
    "CloudWatchAgentServerPolicy",
)
INSTANCE_POLICIES = [CORE, PATCH_POLICY, AGENT]


def named_profile(directory: Path) -> None:
    """Named names the instance profile AppProfile (with the CloudWatch agent option)."""
    name_iam(
        directory,
        "Named",
        {
            "configuration_id": NAMED,
            "kind": "local",
            "instance_profiles": [
                {"prop": "instance_profile_name", "name": PROFILE, "policies": INSTANCE_POLICIES}
            ],
            "roles": [],
        },
    )


def named_account() -> tuple[Account, Iam]:
    account = Account().associations([]).managers([])
    return account, Iam(account.aws, ACCOUNT)


def test_a_missing_instance_profile_is_an_error_with_its_arn(assembly):
    named_profile(assembly)
    account, iam_ = named_account()
    iam_.profile(PROFILE, None)
    result = run(account, assembly, "--stack", "Named", iams=[iam_])
    assert result.exit_code == 1, result.output
    assert findings(result, NAMED) == [
        finding(
            "error",
            "named_profile_missing",
            NAMED,
            PROFILE,
            f"arn:aws:iam::{ACCOUNT}:instance-profile/{PROFILE}",
            f"instance_profile_name={PROFILE}: account {ACCOUNT} has no instance profile of "
            "that name; create it (with a role) or fix the name",
        )
    ]


def test_each_aws_managed_policy_the_profiles_role_lacks_is_an_error_in_the_policies_order(
    assembly,
):
    named_profile(assembly)
    account, iam_ = named_account()
    # A customer managed policy of the same name is not the AWS managed one (its ARN's
    # account field is the account's, not "aws").
    own_core = {"PolicyName": CORE, "PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/{CORE}"}
    iam_.profile(PROFILE, ROLE).policies(ROLE, own_core, aws_policy(PATCH_POLICY))
    result = run(account, assembly, "--stack", "Named", iams=[iam_])
    assert result.exit_code == 1, result.output
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/{ROLE}"
    assert findings(result, NAMED) == [
        finding(
            "error",
            "role_policy_missing",
            NAMED,
            ROLE,
            f"{role_arn}:{policy}",
            f"instance_profile_name={PROFILE}: role {ROLE} of account {ACCOUNT} lacks the AWS "
            f"managed policy {policy}, which the configuration's options need; attach it",
        )
        for policy in (CORE, AGENT)
    ]


def test_a_role_named_with_a_path_is_read_by_its_name(assembly, monkeypatch):
    # A DHMC role of QuickSetupOrganization may be "path/name" (decision 12), with a path of
    # several levels (IAM's Path: "/" or "/" + printable ASCII + "/"). Run as a member account.
    dhmc = "service-role/quicksetup/OrgDhmc"
    monkeypatch.setitem(
        FOOTPRINTS, "Organization", _replace(FOOTPRINTS["Organization"], host_management_role=dhmc)
    )
    name_iam(
        assembly,
        "Organization",
        {
            "configuration_id": ORG,
            "kind": "organization",
            "instance_profiles": [],
            "roles": [{"prop": "default_host_management_role_name", "name": dhmc, "policies": []}],
            "organizational_unit_ids": ["ou-abcd-11112222"],
        },
    )
    account = Account().associations([]).setting(dhmc).managers([])
    iam_ = Iam(account.aws, ACCOUNT).role("OrgDhmc", exists=False)
    result = run(account, assembly, "--stack", "Organization", iams=[iam_])
    assert result.exit_code == 1, result.output
    # The ARN holds the path: arn:aws:iam::<account>:role/<path>/<name> (IAM identifiers).
    assert findings(result, ORG) == [
        finding(
            "error",
            "named_role_missing",
            ORG,
            "OrgDhmc",
            f"arn:aws:iam::{ACCOUNT}:role/service-role/quicksetup/OrgDhmc",
            f"default_host_management_role_name={dhmc}: account {ACCOUNT} has no role of that "
            "name; create it or fix the name",
        )
    ]


def test_a_profiles_role_with_a_path_is_named_by_the_arn_iam_gives(assembly):
    named_profile(assembly)
    account, iam_ = named_account()
    iam_.profile(PROFILE, ROLE, role_path="/ops/fleet/").policies(ROLE, aws_policy(CORE))
    result = run(account, assembly, "--stack", "Named", iams=[iam_])
    assert result.exit_code == 1, result.output
    assert [f["resource_id"] for f in findings(result, NAMED)] == [
        f"arn:aws:iam::{ACCOUNT}:role/ops/fleet/{ROLE}:{policy}" for policy in (PATCH_POLICY, AGENT)
    ]


def _replace(footprint: Footprint, **changes: Any) -> Footprint:
    return replace(footprint, **changes)


# every rule's finding, whole -------------------------------------------------------------------
# The rules and their words: docs/cli.md, "quicksetup preflight". Everything covers all
# instances; Tagged covers instances tagged Environment=production and sets DHMC to the role its
# stack creates, with the resource data sync QuickSetup-Inventory-7a422481.

ALL_INSTANCES_REFUSED = (
    "Multiple apply all associations with document 'AWS-GatherSoftwareInventory' are not supported"
)
"""User guide, "Troubleshooting problems with Systems Manager Inventory"."""


def tagged_account(*associations: dict[str, Any], setting: str = "$None") -> Account:
    return Account().associations(list(associations)).setting(setting).syncs([]).managers([])


def test_a_second_all_instances_inventory_is_an_error_quoting_aws(assembly):
    existing = association("inventory-all", INVENTORY, ALL)
    result = run(Account().associations([existing]).managers([]), assembly, "--stack", "Everything")
    assert result.exit_code == 1, result.output
    assert findings(result, EVERYTHING) == [
        finding(
            "error",
            "inventory_duplicate",
            EVERYTHING,
            "inventory-all",
            existing["AssociationId"],
            "inventory-all already collects inventory from all instances, as this configuration "
            f'would: AWS refuses a second one in a Region ("{ALL_INSTANCES_REFUSED}", Inventory '
            "troubleshooting), so the deploy fails. Delete inventory-all before `cdk deploy`, "
            "or switch collect_inventory off here",
        )
    ]


def test_a_targeted_inventory_reaching_the_same_instances_is_an_error_naming_both(assembly):
    existing = association("inventory-prod", INVENTORY, tag("Environment", "production"))
    result = run(tagged_account(existing), assembly, "--stack", "Tagged")
    assert result.exit_code == 1, result.output
    assert findings(result, TAGGED) == [
        finding(
            "error",
            "inventory_conflict",
            TAGGED,
            "inventory-prod",
            existing["AssociationId"],
            "inventory-prod already collects inventory from tag Environment=production, and "
            "this configuration's (instances tagged Environment=production) can reach the same "
            "instances: two targeted inventory associations fail on an instance both reach "
            "(Quick Setup's guide: the one created earlier fails; AWS's Inventory page: "
            "associations that each target by tags fail to run on it). Delete inventory-prod "
            "before `cdk deploy`, give the two disjoint targets, or switch collect_inventory off "
            "here",
        )
    ]


def test_a_patch_scan_reaching_the_same_instances_is_a_warning_naming_its_document(assembly):
    existing = association(
        "nightly-patch-scan", PATCH, [{"Key": "tag-key", "Values": ["Environment"]}], number=2
    )
    result = run(tagged_account(existing), assembly, "--stack", "Tagged")
    assert result.exit_code == 0, result.output
    assert findings(result, TAGGED) == [
        finding(
            "warning",
            "patch_scan_overlap",
            TAGGED,
            "nightly-patch-scan",
            existing["AssociationId"],
            "nightly-patch-scan (AWS-RunPatchBaseline) already patches or scans tag key "
            "Environment: each scan overwrites the patch compliance the other reported, the "
            "latest wins. Delete it after the cut-over, or switch scan_for_patches off here",
        )
    ]


def test_a_legacy_association_of_one_instance_reaches_that_instance(assembly):
    # ListAssociations' Association (botocore's ssm model): InstanceId, "the managed node ID",
    # beside Targets; an association made before targets names its one instance there, and
    # may have no AssociationName (then its id names it).
    legacy = {
        "AssociationId": "00000003-0000-4000-8000-000000000000",
        "Name": PATCH,
        "InstanceId": INSTANCE,
        "AssociationVersion": "1",
    }
    result = run(Account().associations([legacy]).managers([]), assembly, "--stack", "Everything")
    assert result.exit_code == 0, result.output
    assert findings(result, EVERYTHING) == [
        finding(
            "warning",
            "patch_scan_overlap",
            EVERYTHING,
            legacy["AssociationId"],
            legacy["AssociationId"],
            f"{legacy['AssociationId']} (AWS-RunPatchBaseline) already patches or scans "
            f"instances {INSTANCE}: each scan overwrites the patch compliance the other "
            "reported, the latest wins. Delete it after the cut-over, or switch "
            "scan_for_patches off here",
        )
    ]


def test_a_target_without_a_key_is_taken_to_reach_some_instances(assembly):
    # Target.Key is not required in botocore's ssm model. What cannot be read is taken to
    # reach some instances (never all of them): a patch scan warns, an inventory is no
    # second all-instances one.
    keyless = association("keyless-scan", PATCH, [{"Values": ["x"]}], number=4)
    keyless_inventory = association("keyless-inventory", INVENTORY, [{"Values": ["x"]}], number=5)
    result = run(
        Account().associations([keyless, keyless_inventory]).managers([]),
        assembly,
        "--stack",
        "Everything",
    )
    assert result.exit_code == 0, result.output
    assert [(f["severity"], f["kind"], f["resource"]) for f in findings(result, EVERYTHING)] == [
        ("warning", "patch_scan_overlap", "keyless-scan")
    ]


@pytest.mark.parametrize(
    ("current", "replacement"),
    [
        ("service-role/OtherRole", "the role the stack creates"),
    ],
)
def test_dhmc_naming_another_role_is_a_warning_naming_both_roles(assembly, current, replacement):
    # GetServiceSetting's SettingValue for DHMC: the role's name after its path (user guide,
    # "Default Host Management Configuration").
    result = run(tagged_account(setting=current), assembly, "--stack", "Tagged")
    assert result.exit_code == 0, result.output
    assert findings(result, TAGGED) == [
        finding(
            "warning",
            "default_host_management_role",
            TAGGED,
            current,
            "/ssm/managed-instance/default-ec2-instance-management-role",
            f"Default Host Management Configuration already uses role {current}: the deploy "
            f"replaces it with {replacement} for every instance of the account and Region. "
            "Check that no instance relies on the current role, or switch "
            "default_host_management off here",
        )
    ]


def test_dhmc_naming_a_named_role_is_a_warning_naming_the_configurations_role(
    assembly, monkeypatch
):
    monkeypatch.setitem(
        FOOTPRINTS,
        "Tagged",
        _replace(FOOTPRINTS["Tagged"], host_management_role="service-role/AppDhmc"),
    )
    result = run(tagged_account(setting="OtherRole"), assembly, "--stack", "Tagged")
    assert result.exit_code == 0, result.output
    [warning] = findings(result, TAGGED)
    assert warning["message"] == (
        "Default Host Management Configuration already uses role OtherRole: the deploy "
        "replaces it with service-role/AppDhmc for every instance of the account and Region. "
        "Check that no instance relies on the current role, or switch default_host_management "
        "off here"
    )


@pytest.mark.parametrize(
    ("role", "current", "warns"),
    [
        # the same path and name; IAM role names are not case sensitive (CreateRole)
        ("service-role/AppDhmc", "service-role/appdhmc", False),
        ("service-role/AppDhmc", "AppDhmc", True),  # another path: another role
        ("service-role/AppDhmc", "other/AppDhmc", True),
        # a path of several levels is all of it but the name
        ("service-role/quicksetup/AppDhmc", "service-role/quicksetup/appdhmc", False),
        ("service-role/quicksetup/AppDhmc", "service-role/AppDhmc", True),
        # a role the stack creates: one of the configuration's (QuickSetup-DHMC-<id>) ...
        (CREATED_DHMC_ROLE, f"QuickSetup-DHMC-{TAGGED}", False),
        (CREATED_DHMC_ROLE, f"QuickSetup-DHMC-{TAGGED}0", True),
        # ... or of its stack (CloudFormation names it <stack>-...; stack names are case
        # sensitive)
        (CREATED_DHMC_ROLE, "Tagged-QuickSetupRolesDefaultHost-1A2B3C4D5E6F", False),
        (CREATED_DHMC_ROLE, "tagged-QuickSetupRolesDefaultHost-1A2B3C4D5E6F", True),
        (CREATED_DHMC_ROLE, "TaggedQuickSetupRolesDefaultHost-1A2B3C4D5E6F", True),
        # a named role's stack prefix is no reason: the setting must name that role
        ("AppDhmc", "Tagged-QuickSetupRolesDefaultHost-1A2B3C4D5E6F", True),
    ],
)
def test_dhmc_is_the_configurations_own_role_or_a_warning(
    assembly, monkeypatch, role, current, warns
):
    monkeypatch.setitem(
        FOOTPRINTS, "Tagged", _replace(FOOTPRINTS["Tagged"], host_management_role=role)
    )
    result = run(tagged_account(setting=current), assembly, "--stack", "Tagged")
    assert result.exit_code == 0, result.output
    expected = [("warning", "default_host_management_role", current)] if warns else []
    assert [(f["severity"], f["kind"], f["resource"]) for f in findings(result, TAGGED)] == (
        expected
    )


def test_a_sync_of_the_configurations_name_is_an_error_naming_its_bucket(assembly):
    # CreateResourceDataSync: ResourceDataSyncAlreadyExistsException; ListResourceDataSync's
    # ResourceDataSyncItem.S3Destination.BucketName (botocore's ssm model).
    account = Account().associations([]).setting("$None").syncs([data_sync(OWN_SYNC)])
    result = run(account.managers([]), assembly, "--stack", "Tagged")
    assert result.exit_code == 1, result.output
    assert findings(result, TAGGED) == [
        finding(
            "error",
            "data_sync_exists",
            TAGGED,
            OWN_SYNC,
            None,
            f"a resource data sync named {OWN_SYNC} already exists (to bucket other-bucket): "
            "creating it fails with ResourceDataSyncAlreadyExists. Delete it first: aws ssm "
            f"delete-resource-data-sync --sync-name {OWN_SYNC}",
        )
    ]


def test_five_syncs_and_the_apps_sixth_is_an_error_naming_them_all(assembly):
    # Five resource data syncs per account and Region (General Reference, Systems Manager
    # quotas); the sixth fails with ResourceDataSyncCountExceeded (CreateResourceDataSync).
    existing = [data_sync(f"sync-{n}") for n in (3, 0, 4, 1, 2)]
    account = Account().associations([]).setting("$None").syncs(existing).managers([])
    result = run(account, assembly, "--stack", "Tagged")
    assert result.exit_code == 1, result.output
    names = "sync-0, sync-1, sync-2, sync-3, sync-4"
    assert findings(result, TAGGED) == [
        finding(
            "error",
            "data_sync_limit",
            TAGGED,
            names,
            None,
            f"5 resource data sync(s) exist ({names}) and the app adds 1: more than the 5 an "
            f"account and Region allow, so creating {OWN_SYNC} fails with "
            "ResourceDataSyncCountExceeded. Delete 1 of them, or switch inventory_sync off here",
        )
    ]


def syncing(count: int, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """An app of ``count`` configurations with nothing but an inventory sync each: their
    sync names."""
    ids = [f"{n:08x}" for n in range(1, count + 1)]
    app = [
        footprint(
            i,
            "Syncs",
            "all instances",
            inventory=None,
            patch_scan=None,
            inventory_sync=f"QuickSetup-Inventory-{i}",
        )
        for i in ids
    ]
    monkeypatch.setattr(preflight_module, "read_footprints", lambda *_: app)
    return [f"QuickSetup-Inventory-{i}" for i in ids]


def test_six_syncs_of_the_app_alone_are_an_error_asking_to_switch_one_off(assembly, monkeypatch):
    syncs = syncing(6, monkeypatch)
    account = Account().associations([]).syncs([]).managers([])
    result = run(account, assembly)
    assert result.exit_code == 1, result.output
    assert findings(result, "00000001") == [
        finding(
            "error",
            "data_sync_limit",
            "00000001",
            "resource data syncs",
            None,
            "the app adds 6 resource data syncs: more than the 5 an account and Region allow, "
            f"so creating {syncs[0]} fails with ResourceDataSyncCountExceeded. Switch "
            "inventory_sync off in 1 of the app's configurations",
        )
    ]


def test_two_syncs_and_the_apps_five_are_two_too_many(assembly, monkeypatch):
    syncs = syncing(5, monkeypatch)
    existing = [data_sync("sync-b"), data_sync("sync-a")]
    account = Account().associations([]).syncs(existing).managers([])
    result = run(account, assembly)
    assert result.exit_code == 1, result.output
    assert findings(result, "00000005") == [
        finding(
            "error",
            "data_sync_limit",
            "00000005",
            "sync-a, sync-b",
            None,
            "2 resource data sync(s) exist (sync-a, sync-b) and the app adds 5: more than the 5 "
            f"an account and Region allow, so creating {syncs[4]} fails with "
            "ResourceDataSyncCountExceeded. Remove 2: delete some of them, or switch "
            "inventory_sync off in some of the app's configurations",
        )
    ]


def test_four_syncs_and_the_apps_fifth_is_no_finding(assembly):
    existing = [data_sync(f"sync-{n}") for n in range(4)]
    account = Account().associations([]).setting("$None").syncs(existing).managers([])
    result = run(account, assembly, "--stack", "Tagged")
    assert result.exit_code == 0, result.output
    assert findings(result, TAGGED) == []


# console Quick Setup ---------------------------------------------------------------------------
# GetConfigurationManager (botocore's ssm-quicksetup model): ManagerArn, Name,
# ConfigurationDefinitions[].Id, Type, Parameters (TargetAccounts, TargetOrganizationalUnits,
# TargetRegions, comma separated). DeleteConfigurationManager takes --manager-arn; there is no
# call that deletes one definition of a manager.

HOST_MANAGEMENT_TYPE = "AWSQuickSetupType-SSMHostMgmt"
DHMC_TYPE = "AWSQuickSetupType-DHMC"
HERE = {"TargetAccounts": ACCOUNT, "TargetRegions": REGION}
DELETE = (
    f"aws ssm-quicksetup delete-configuration-manager --manager-arn {MANAGER_ARN} --region {REGION}"
)
BEFORE_DEPLOY = (
    "Before `cdk deploy`, so that removing it cannot turn off the setting this configuration sets, "
)


def console(
    *definitions: tuple[str, str] | tuple[str, str, dict[str, str]],
    name: str = "console-setup",
    base: Account | None = None,
) -> Account:
    """Tagged's account (or ``base``) with one console manager of ``definitions`` (id, type,
    and parameters: default, covering the account and Region); no name: ``name=""``."""
    named = {"Name": name} if name else {}
    answer = {
        "ManagerArn": MANAGER_ARN,
        **named,
        "ConfigurationDefinitions": [
            {"Id": d[0], "Type": d[1], "TypeVersion": "1.0", "Parameters": d[2] if d[2:] else HERE}
            for d in definitions
        ],
    }
    account = base or Account().associations([]).setting("$None").syncs([])
    account.quick_setup.add_response(
        "list_configuration_managers",
        {
            "ConfigurationManagersList": [
                {
                    "ManagerArn": MANAGER_ARN,
                    **named,
                    "ConfigurationDefinitionSummaries": [
                        {"Id": d[0], "Type": d[1], "TypeVersion": "1.0"} for d in definitions
                    ],
                }
            ]
        },
        {},
    )
    account.quick_setup.add_response(
        "get_configuration_manager", answer, {"ManagerArn": MANAGER_ARN}
    )
    return account


def console_warning(kinds: str, advice: str, name: str = "console-setup") -> dict[str, Any]:
    return finding(
        "warning",
        "console_quick_setup",
        TAGGED,
        name,
        MANAGER_ARN,
        f"console Quick Setup {kinds} configuration manager {name} also configures {REGION}: "
        f"its associations keep running beside this configuration's. {advice}",
    )


def test_a_console_host_management_manager_is_deleted_after_the_cut_over(assembly):
    result = run(console(("hm001", HOST_MANAGEMENT_TYPE)), assembly, "--stack", "Tagged")
    assert result.exit_code == 0, result.output
    assert findings(result, TAGGED) == [
        console_warning("Host Management", f"After the cut-over delete it: {DELETE}")
    ]


def test_a_console_dhmc_only_manager_is_deleted_before_the_deploy(assembly):
    result = run(console(("dh001", DHMC_TYPE)), assembly, "--stack", "Tagged")
    assert result.exit_code == 0, result.output
    assert findings(result, TAGGED) == [
        console_warning(
            "Default Host Management Configuration", f"{BEFORE_DEPLOY}delete it: {DELETE}"
        )
    ]


def test_a_console_manager_with_dhmc_and_host_management_loses_its_dhmc_definition_first(
    assembly,
):
    definitions = (("hm001", HOST_MANAGEMENT_TYPE), ("dh001", DHMC_TYPE))
    result = run(console(*reversed(definitions)), assembly, "--stack", "Tagged")
    assert result.exit_code == 0, result.output
    assert findings(result, TAGGED) == [
        console_warning(
            "Host Management and Default Host Management Configuration",
            f"{BEFORE_DEPLOY}remove its definition dh001 in the console's Quick Setup "
            "(ssm-quicksetup has no call that deletes one definition). After the cut-over "
            f"delete it: {DELETE}",
        )
    ]


def test_a_console_dhmc_manager_is_no_finding_for_a_configuration_without_dhmc(assembly):
    account = console(("dh001", DHMC_TYPE), base=Account().associations([]))
    result = run(account, assembly, "--stack", "Everything")
    assert result.exit_code == 0, result.output
    assert findings(result, EVERYTHING) == []


# --migrating-from ------------------------------------------------------------------------------
# Decision 7: a finding becomes a note only when `quicksetup import`'s cut-over deletes the
# resource before `cdk deploy`: the source's inventory associations and its DHMC.

LEGACY_PREFIX = "AWS-QuickSetup-SSMHostMgmt-"


def test_an_acknowledged_inventory_is_a_note_that_says_what_the_cut_over_does(assembly):
    existing = association(f"{LEGACY_PREFIX}CollectInventory-abcde", INVENTORY, ALL)
    result = run(
        Account().associations([existing]).managers([]),
        assembly,
        "--stack",
        "Everything",
        "--migrating-from",
        LEGACY_PREFIX,
    )
    assert result.exit_code == 0, result.output
    name = existing["AssociationName"]
    assert findings(result, EVERYTHING) == [
        finding(
            "note",
            "inventory_duplicate",
            EVERYTHING,
            name,
            existing["AssociationId"],
            f"{name} already collects inventory from all instances, as this configuration "
            f'would: AWS refuses a second one in a Region ("{ALL_INSTANCES_REFUSED}", Inventory '
            f"troubleshooting), so the deploy fails. Delete {name} before `cdk deploy`, or "
            "switch collect_inventory off here. A note: the cut-over from "
            f"{LEGACY_PREFIX} stops its inventory collection before `cdk deploy` "
            "(--migrating-from)",
        )
    ]


def test_an_acknowledged_dhmc_manager_is_a_note_that_says_what_the_cut_over_does(assembly):
    account = console(("dh001", DHMC_TYPE))
    result = run(account, assembly, "--stack", "Tagged", "--migrating-from", MANAGER_ARN)
    assert result.exit_code == 0, result.output
    warning = console_warning(
        "Default Host Management Configuration", f"{BEFORE_DEPLOY}delete it: {DELETE}"
    )
    assert findings(result, TAGGED) == [
        {
            **warning,
            "severity": "note",
            "message": f"{warning['message']}. A note: the cut-over from {MANAGER_ARN} deals "
            "with its Default Host Management before `cdk deploy` (--migrating-from)",
        }
    ]


def test_an_acknowledged_host_management_manager_stays_a_warning(assembly):
    account = console(("hm001", HOST_MANAGEMENT_TYPE))
    result = run(account, assembly, "--stack", "Tagged", "--migrating-from", MANAGER_ARN)
    assert result.exit_code == 0, result.output
    assert findings(result, TAGGED) == [
        console_warning("Host Management", f"After the cut-over delete it: {DELETE}")
    ]


def test_each_named_role_is_read_after_one_that_is_missing(assembly):
    # Named names its instance role and its Explorer role; the first is missing, the second
    # lacks AWSSystemsManagerEnableExplorerExecutionPolicy (AWS Managed Policy Reference).
    explorer_policy = "AWSSystemsManagerEnableExplorerExecutionPolicy"
    name_iam(
        assembly,
        "Named",
        {
            "configuration_id": NAMED,
            "kind": "local",
            "instance_profiles": [],
            "roles": [
                {"prop": "instance_profile_role", "name": ROLE, "policies": INSTANCE_POLICIES},
                {"prop": "explorer_role", "name": "AppExplorer", "policies": [explorer_policy]},
            ],
        },
    )
    account, iam_ = named_account()
    iam_.role(ROLE, exists=False).role("AppExplorer").policies("AppExplorer")
    result = run(account, assembly, "--stack", "Named", iams=[iam_])
    assert result.exit_code == 1, result.output
    assert findings(result, NAMED) == [
        finding(
            "error",
            "named_role_missing",
            NAMED,
            ROLE,
            f"arn:aws:iam::{ACCOUNT}:role/{ROLE}",
            f"instance_profile_role={ROLE}: account {ACCOUNT} has no role of that name; create "
            "it or fix the name",
        ),
        finding(
            "error",
            "role_policy_missing",
            NAMED,
            "AppExplorer",
            f"arn:aws:iam::{ACCOUNT}:role/AppExplorer:{explorer_policy}",
            f"explorer_role=AppExplorer: role AppExplorer of account {ACCOUNT} lacks the AWS "
            f"managed policy {explorer_policy}, which the configuration's options need; attach "
            "it",
        ),
    ]


def test_associations_after_the_configurations_own_are_compared(assembly):
    own = association(f"QuickSetup-CollectInventory-{EVERYTHING}", INVENTORY, ALL, number=1)
    other = association("inventory-all", INVENTORY, ALL, number=2)
    result = run(
        Account().associations([own, other]).managers([]), assembly, "--stack", "Everything"
    )
    assert result.exit_code == 1, result.output
    assert [(f["kind"], f["resource"]) for f in findings(result, EVERYTHING)] == [
        ("inventory_duplicate", "inventory-all")
    ]


def test_an_association_without_document_or_targets_is_no_finding(assembly):
    # Association (botocore's ssm model): no member is required; one without Targets or
    # InstanceId reaches no instance, one without Name runs no document of these rules.
    bare = {"AssociationId": "00000006-0000-4000-8000-000000000000", "AssociationName": "bare"}
    no_targets = association("no-targets", PATCH, [], number=7)
    result = run(
        Account().associations([bare, no_targets]).managers([]), assembly, "--stack", "Everything"
    )
    assert result.exit_code == 0, result.output
    assert findings(result, EVERYTHING) == []


# where each configuration is checked, and the run as a whole -----------------------------------
# docs/cli.md: a local configuration is checked where its stack deploys; an organization's as
# one member account (a Region of its StackSet, not the account that deploys its StackSets);
# from that account, only console managers that target OUs are compared.


def test_a_run_over_every_stack_says_where_each_configuration_was_checked(assembly):
    inventory_all = association("inventory-all", INVENTORY, ALL)
    account = Account().associations([inventory_all]).setting("OtherRole").syncs([]).managers([])
    result = run(account, assembly)
    assert result.exit_code == 1, result.output
    data = cli_json.data(result.stdout)
    kinds = {
        configuration_id: [(f["severity"], f["kind"]) for f in entry.pop("findings").values()]
        for configuration_id, entry in data["configurations"].items()
    }
    assert data == {
        "assembly": str(assembly),
        "account": ACCOUNT,
        "region": REGION,
        "home_region": REGION,
        "migrating_from": [],
        "configurations": {
            TAGGED: {
                "configuration_id": TAGGED,
                "stack": "Tagged",
                "kind": "local",
                "targets": "instances tagged Environment=production",
                "checked": True,
                "note": None,
            },
            EVERYTHING: {
                "configuration_id": EVERYTHING,
                "stack": "Everything",
                "kind": "local",
                "targets": "all instances",
                "checked": True,
                "note": None,
            },
            ORG: {
                "configuration_id": ORG,
                "stack": "Organization",
                "kind": "organization",
                "targets": "all instances",
                "checked": True,
                "note": f"account {ACCOUNT} checked as one member account of its OUs",
            },
            IMPORTED: {
                "configuration_id": IMPORTED,
                "stack": "Imported",
                "kind": "local",
                "targets": "all instances",
                "checked": False,
                "note": f"deploys to {IMPORTED_REGION}, not {REGION}: pass --region",
            },
            NAMED: {
                "configuration_id": NAMED,
                "stack": "Named",
                "kind": "local",
                "targets": "all instances",
                "checked": True,
                "note": None,
            },
        },
        "errors": 3,
        "warnings": 1,
        "notes": 0,
    }
    assert kinds == {
        TAGGED: [("warning", "default_host_management_role")],
        EVERYTHING: [("error", "inventory_duplicate")],
        ORG: [("error", "inventory_duplicate")],
        IMPORTED: [],
        NAMED: [("error", "inventory_duplicate")],
    }


def test_warnings_alone_exit_0_and_are_counted(assembly):
    result = run(tagged_account(setting="OtherRole"), assembly, "--stack", "Tagged")
    assert result.exit_code == 0, result.output
    data = cli_json.data(result.stdout)
    assert (data["errors"], data["warnings"], data["notes"]) == (0, 1, 0)


def test_from_the_account_that_deploys_the_stack_sets_only_managers_targeting_ous_count(
    assembly,
):
    # Only the console's managers are read; one that targets the account alone cannot reach
    # the members, one that targets OUs can.
    ous = {"TargetOrganizationalUnits": "ou-abcd-11112222", "TargetRegions": REGION}
    accounts_only = {"TargetAccounts": MANAGEMENT, "TargetRegions": REGION}
    account = Account(account=MANAGEMENT)
    second = MANAGER_ARN.replace("0001", "0002")
    answers = [
        (second, "console-local", accounts_only),
        (MANAGER_ARN, "console-ous", ous),
    ]
    account.quick_setup.add_response(
        "list_configuration_managers",
        {
            "ConfigurationManagersList": [
                {
                    "ManagerArn": arn,
                    "Name": name,
                    "ConfigurationDefinitionSummaries": [
                        {"Id": "hm001", "Type": HOST_MANAGEMENT_TYPE, "TypeVersion": "1.0"}
                    ],
                }
                for arn, name, _ in answers
            ]
        },
        {},
    )
    for arn, name, parameters in answers:
        account.quick_setup.add_response(
            "get_configuration_manager",
            {
                "ManagerArn": arn,
                "Name": name,
                "ConfigurationDefinitions": [
                    {
                        "Id": "hm001",
                        "Type": HOST_MANAGEMENT_TYPE,
                        "TypeVersion": "1.0",
                        "Parameters": parameters,
                    }
                ],
            },
            {"ManagerArn": arn},
        )
    result = run(account, assembly, "--stack", "Organization")
    assert result.exit_code == 0, result.output
    entry = configuration(result, ORG)
    assert (entry["checked"], entry["note"]) == (
        False,
        f"its associations run in the member accounts of its OUs, never in account {MANAGEMENT}"
        ", which deploys its StackSets: run with a member account's credentials",
    )
    assert list(entry["findings"].values()) == [
        {
            **finding(
                "warning",
                "console_quick_setup",
                ORG,
                "console-ous",
                MANAGER_ARN,
                f"console Quick Setup Host Management configuration manager console-ous also "
                f"configures {REGION}: its associations keep running beside this "
                f"configuration's. After the cut-over delete it: {DELETE}",
            )
        }
    ]


def test_no_configuration_deploying_here_is_one_line_naming_each_and_why(assembly):
    account = Account(region="ap-south-1")
    result = run(account, assembly)
    assert result.exit_code == 2, result.output
    assert error_message(result) == (
        f"no configuration of {assembly} deploys to account {ACCOUNT} in ap-south-1: "
        f"{TAGGED} deploys to {REGION}, not ap-south-1: pass --region; "
        f"{EVERYTHING} deploys to {REGION}, not ap-south-1: pass --region; "
        f"{ORG} deploys to {REGION}, eu-west-1, not ap-south-1: pass --region; "
        f"{IMPORTED} deploys to {IMPORTED_REGION}, not ap-south-1: pass --region; "
        f"{NAMED} deploys to {REGION}, not ap-south-1: pass --region"
    )


def test_a_local_configuration_of_another_account_is_not_checked_here(assembly):
    account = Account(account="999999999999")
    result = run(account, assembly, "--stack", "Everything")
    assert result.exit_code == 2, result.output
    assert error_message(result) == (
        f"no configuration of {assembly} deploys to account 999999999999 in {REGION}: "
        f"{EVERYTHING} deploys to account {ACCOUNT}: run with that account's credentials"
    )


def test_a_manager_arn_of_another_region_is_one_line_asking_for_home_region(assembly):
    elsewhere = MANAGER_ARN.replace(f":{REGION}:", ":eu-west-1:")
    result = run(Account(), assembly, "--stack", "Everything", "--migrating-from", elsewhere)
    assert result.exit_code == 2, result.output
    assert error_message(result) == (
        f"--migrating-from {elsewhere}: the manager is not in {REGION}; pass --home-region "
        "with the Region of its ARN"
    )


def test_a_manager_arn_that_is_no_console_manager_here_is_one_line(assembly):
    account = Account().associations([]).managers([])
    result = run(account, assembly, "--stack", "Everything", "--migrating-from", MANAGER_ARN)
    assert result.exit_code == 2, result.output
    assert error_message(result) == (
        f"--migrating-from {MANAGER_ARN}: no configuration manager with a Host Management or "
        f"Default Host Management definition has this ARN in {REGION} (see `aws "
        "ssm-quicksetup list-configuration-managers`)"
    )


def test_a_sources_patch_scan_stays_a_warning(assembly):
    # Decision 7: the cut-over removes a source's patch scans after the deploy.
    scan = association(f"{LEGACY_PREFIX}PatchScan-abcde", PATCH, ALL)
    result = run(
        Account().associations([scan]).managers([]),
        assembly,
        "--stack",
        "Everything",
        "--migrating-from",
        LEGACY_PREFIX,
    )
    assert result.exit_code == 0, result.output
    assert [(f["severity"], f["kind"]) for f in findings(result, EVERYTHING)] == [
        ("warning", "patch_scan_overlap")
    ]


@pytest.mark.parametrize(("definition", "severity"), [("hm001", "note"), ("hm002", "error")])
def test_a_managers_inventory_is_a_note_only_when_one_of_its_definitions_made_it(
    assembly, definition, severity
):
    # The console's associations are AWS-QuickSetup-SSMHostMgmt-<Option>-<definition id>.
    inventory = association(f"{LEGACY_PREFIX}CollectInventory-{definition}", INVENTORY, ALL)
    account = console(("hm001", HOST_MANAGEMENT_TYPE), base=Account().associations([inventory]))
    result = run(account, assembly, "--stack", "Everything", "--migrating-from", MANAGER_ARN)
    assert result.exit_code == (0 if severity == "note" else 1), result.output
    assert [(f["severity"], f["kind"]) for f in findings(result, EVERYTHING)] == [
        (severity, "inventory_duplicate"),
        ("warning", "console_quick_setup"),
    ]


def test_a_manager_without_a_name_is_named_by_its_arns_id(assembly):
    # GetConfigurationManager's Name is not required (botocore's ssm-quicksetup model); the
    # ARN ends with configuration-manager/<id>.
    result = run(console(("hm001", HOST_MANAGEMENT_TYPE), name=""), assembly, "--stack", "Tagged")
    assert result.exit_code == 0, result.output
    manager_id = "1a2b3c4d-0000-4000-8000-000000000001"
    assert findings(result, TAGGED) == [
        console_warning("Host Management", f"After the cut-over delete it: {DELETE}", manager_id)
    ]


def test_a_dhmc_manager_with_another_definition_elsewhere_is_also_deleted_after_the_cut_over(
    assembly,
):
    # Its Host Management definition configures another Region: only its DHMC covers this one,
    # and the manager holds more than DHMC (decision 13: remove the DHMC definition first).
    elsewhere = {"TargetAccounts": ACCOUNT, "TargetRegions": "eu-west-1"}
    account = console(("dh001", DHMC_TYPE), ("hm001", HOST_MANAGEMENT_TYPE, elsewhere))
    result = run(account, assembly, "--stack", "Tagged")
    assert result.exit_code == 0, result.output
    assert findings(result, TAGGED) == [
        console_warning(
            "Default Host Management Configuration",
            f"{BEFORE_DEPLOY}remove its definition dh001 in the console's Quick Setup "
            "(ssm-quicksetup has no call that deletes one definition). After the cut-over "
            f"delete it: {DELETE}",
        )
    ]


def test_six_new_syncs_in_an_account_without_any_are_over_the_limit(assembly, monkeypatch):
    # Six configurations of the app, each with its own sync, where none exists yet: the sixth
    # fails with ResourceDataSyncCountExceeded (five per account and Region).
    six = {
        f"Sync{n}": footprint(
            f"5{n}5{n}5{n}5{n}",
            f"Sync{n}",
            "all instances",
            inventory_sync=f"QuickSetup-Inventory-5{n}",
        )
        for n in range(6)
    }
    monkeypatch.setattr(
        preflight_module,
        "read_footprints",
        lambda directory, stack_name=None: list(six.values()),
    )
    account = Account().associations([]).syncs([]).managers([])
    result = run(account, assembly)
    assert result.exit_code == 1, result.output
    data = cli_json.data(result.stdout)
    assert data["errors"] == 6
    for entry in data["configurations"].values():
        assert [(f["severity"], f["kind"], f["resource"]) for f in entry["findings"].values()] == [
            ("error", "data_sync_limit", "resource data syncs")
        ]


def test_a_sync_of_the_configurations_name_without_a_destination_names_no_bucket(assembly):
    # ResourceDataSyncItem.S3Destination is not required (botocore's ssm model).
    bare = {"SyncName": OWN_SYNC, "SyncType": "SyncToDestination"}
    account = Account().associations([]).setting("$None").syncs([bare]).managers([])
    result = run(account, assembly, "--stack", "Tagged")
    assert result.exit_code == 1, result.output
    [exists] = findings(result, TAGGED)
    assert exists["message"] == (
        f"a resource data sync named {OWN_SYNC} already exists (to bucket ?): creating it fails "
        "with ResourceDataSyncAlreadyExists. Delete it first: aws ssm delete-resource-data-sync "
        f"--sync-name {OWN_SYNC}"
    )


def test_a_configuration_that_does_not_deploy_here_meets_no_console_manager(assembly):
    # A manager that targets OUs in us-east-1 covers every configuration checked there, and
    # none that deploys elsewhere (Imported, eu-west-1).
    ous = {"TargetOrganizationalUnits": "ou-abcd-11112222", "TargetRegions": REGION}
    base = Account().associations([]).setting("$None").syncs([])
    result = run(console(("hm001", HOST_MANAGEMENT_TYPE, ous), base=base), assembly)
    assert result.exit_code == 0, result.output
    data = cli_json.data(result.stdout)
    assert {
        configuration_id: [f["kind"] for f in entry["findings"].values()]
        for configuration_id, entry in data["configurations"].items()
    } == {
        TAGGED: ["console_quick_setup"],
        EVERYTHING: ["console_quick_setup"],
        ORG: ["console_quick_setup"],
        IMPORTED: [],
        NAMED: ["console_quick_setup"],
    }


def test_an_imported_stacks_finding_comes_after_its_other_findings(assembly):
    scan = association("patch-all", PATCH, ALL)
    account = (
        Account(region=IMPORTED_REGION)
        .associations([scan])
        .managers([])
        .stack("Imported", {"Owner": "platform-team"})
    )
    result = run(account, assembly, "--stack", "Imported")
    assert result.exit_code == 1, result.output
    assert [(f["severity"], f["kind"]) for f in findings(result, IMPORTED)] == [
        ("warning", "patch_scan_overlap"),
        ("error", "stack_exists"),
    ]


def test_a_missing_named_profile_comes_after_the_accounts_findings(assembly):
    named_profile(assembly)
    inventory_all = association("inventory-all", INVENTORY, ALL)
    account = Account().associations([inventory_all]).managers([])
    iam_ = Iam(account.aws, ACCOUNT).profile(PROFILE, None)
    result = run(account, assembly, "--stack", "Named", iams=[iam_])
    assert result.exit_code == 1, result.output
    assert [(f["severity"], f["kind"]) for f in findings(result, NAMED)] == [
        ("error", "inventory_duplicate"),
        ("error", "named_profile_missing"),
    ]


def test_member_role_reads_no_organization_for_a_local_configuration(assembly):
    # --member-role is for an organization configuration's member accounts: a local
    # configuration that names a profile and does not deploy here makes no Organizations call.
    named_profile(assembly)
    account = Account(region=IMPORTED_REGION).associations([]).managers([]).stack("Imported", None)
    organizations = Stubber(account.aws.client("organizations"))  # answers nothing
    with organizations:
        result = run(account, assembly, "--member-role", "Reader")
    assert result.exit_code == 0, result.output
    assert findings(result, NAMED) == []
    assert configuration(result, NAMED)["checked"] is False


ORG_EXPLORER_POLICY = "AWSSystemsManagerEnableExplorerExecutionPolicy"


def org_names_explorer(directory: Path) -> None:
    """Organization names its Explorer role (explorer_role_name=OrgExplorer)."""
    name_iam(
        directory,
        "Organization",
        {
            "configuration_id": ORG,
            "kind": "organization",
            "instance_profiles": [],
            "roles": [
                {
                    "prop": "explorer_role_name",
                    "name": "OrgExplorer",
                    "policies": [ORG_EXPLORER_POLICY],
                }
            ],
            "organizational_unit_ids": ["ou-abcd-11112222"],
        },
    )


def test_as_a_member_account_the_named_roles_come_after_the_accounts_findings_with_a_note(
    assembly,
):
    org_names_explorer(assembly)
    inventory_all = association("inventory-all", INVENTORY, ALL)
    account = Account().associations([inventory_all]).managers([])
    iam_ = Iam(account.aws, ACCOUNT).role("OrgExplorer", exists=False)
    result = run(account, assembly, "--stack", "Organization", iams=[iam_])
    assert result.exit_code == 1, result.output
    entry = configuration(result, ORG)
    assert [(f["kind"], f["resource"]) for f in entry["findings"].values()] == [
        ("inventory_duplicate", "inventory-all"),
        ("named_role_missing", "OrgExplorer"),
    ]
    assert (entry["checked"], entry["note"]) == (
        True,
        f"account {ACCOUNT} checked as one member account of its OUs; the roles and instance "
        f"profiles it names were checked in account {ACCOUNT} only: pass --member-role to "
        "check every member account",
    )


def test_from_the_account_that_deploys_the_stack_sets_the_named_roles_are_not_checked(assembly):
    org_names_explorer(assembly)
    account = Account(account=MANAGEMENT).managers([])  # no IAM call
    result = run(account, assembly, "--stack", "Organization")
    assert result.exit_code == 0, result.output
    entry = configuration(result, ORG)
    assert (entry["checked"], entry["note"], entry["findings"]) == (
        False,
        f"its associations run in the member accounts of its OUs, never in account {MANAGEMENT}"
        ", which deploys its StackSets: run with a member account's credentials; the roles and "
        "instance profiles it names were not checked: pass --member-role to check every member "
        "account",
        {},
    )


@pytest.mark.parametrize(
    ("owner", "expected"),
    [
        (TAGGED, []),  # its stack was deployed before: the sync is its own
        (EVERYTHING, ["data_sync_exists"]),  # another configuration's association
    ],
)
def test_a_sync_of_its_name_is_its_own_only_beside_its_own_associations(assembly, owner, expected):
    # docs/cli.md: a configuration's own sync is no conflict when its associations are there.
    existing = association(
        f"QuickSetup-CollectInventory-{owner}", INVENTORY, tag("Environment", "production")
    )
    account = Account().associations([existing]).setting("$None").syncs([data_sync(OWN_SYNC)])
    result = run(account.managers([]), assembly, "--stack", "Tagged")
    assert [f["kind"] for f in findings(result, TAGGED)] == (
        expected if owner == TAGGED else ["inventory_conflict", *expected]
    )


def test_with_member_role_a_finding_in_the_first_member_stays_after_the_second(
    assembly, monkeypatch
):
    # ListAccountsForParent, ListOrganizationalUnitsForParent, DescribeOrganization (botocore's
    # organizations model); each member account is read through --member-role.
    org_names_explorer(assembly)
    members = ["222222222222", "333333333333"]
    account = Account(account=MANAGEMENT).managers([])
    organizations = Stubber(account.aws.client("organizations"))
    organizations.add_response(
        "describe_organization",
        {"Organization": {"Id": "o-abcdefghij", "MasterAccountId": MANAGEMENT}},
        {},
    )
    organizations.add_response(
        "list_accounts_for_parent",
        {"Accounts": [{"Id": member, "Status": "ACTIVE"} for member in members]},
        {"ParentId": "ou-abcd-11112222"},
    )
    organizations.add_response(
        "list_organizational_units_for_parent",
        {"OrganizationalUnits": []},
        {"ParentId": "ou-abcd-11112222"},
    )
    readers = {member: Account(account=member).aws for member in members}
    monkeypatch.setattr(Aws, "member", lambda self, target, role: readers[target])
    first = Iam(readers[members[0]], members[0]).role("OrgExplorer", exists=False)
    second = Iam(readers[members[1]], members[1]).role("OrgExplorer")
    second.policies("OrgExplorer", aws_policy(ORG_EXPLORER_POLICY))
    with organizations:
        result = run(
            account,
            assembly,
            "--stack",
            "Organization",
            "--member-role",
            "Reader",
            iams=[first, second],
        )
    assert result.exit_code == 1, result.output
    assert [(f["kind"], f["resource_id"]) for f in findings(result, ORG)] == [
        ("named_role_missing", f"arn:aws:iam::{members[0]}:role/OrgExplorer")
    ]
