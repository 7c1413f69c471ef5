"""`quicksetup preflight`: what an account already has in a synthesized app's way.

moto has neither State Manager's associations nor ``ssm-quicksetup``: every answer comes from
botocore's Stubber on the real clients, which checks each request and response against the
service model. The expected values come from AWS documentation, quoted beside each test.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import boto3
import pytest
from botocore.stub import Stubber
from click.testing import CliRunner

from quicksetup_constructs import (
    InstanceTargets,
    InventorySync,
    QuickSetupLocal,
    QuickSetupOrganization,
)
from quicksetup_constructs.cli.aws import Aws
from quicksetup_constructs.cli.main import main

from . import cli_json
from .test_cli_startup import _run as run_without_node

REGION = "us-east-1"
ACCOUNT = "123456789012"
MANAGEMENT = "111111111111"
TAGGED, EVERYTHING, ORGANIZATION, IMPORTED = "7a422481", "5e5e5e5e", "0a0a0a0a", "1b1b1b1b"
IMPORTED_REGION = "eu-west-1"
DHMC_SETTING = "/ssm/managed-instance/default-ec2-instance-management-role"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
MANAGER_ARN = (
    f"arn:aws:ssm-quicksetup:{REGION}:{ACCOUNT}:configuration-manager/"
    "1a2b3c4d-0000-4000-8000-000000000001"
)
STACK_ID = f"arn:aws:cloudformation:{IMPORTED_REGION}:{ACCOUNT}:stack/Imported/0a1b2c3d"


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four stacks: instances tagged Environment=production with inventory, patch scan, DHMC
    and an inventory sync; all instances; an organization deployed from the management
    account; in another Region, a stack that `quicksetup import` wrote (its tag
    quicksetup:imported-from)."""
    outdir = tmp_path_factory.mktemp("preflight") / "cdk.out"
    app = cdk.App(outdir=str(outdir))
    env = cdk.Environment(account=ACCOUNT, region=REGION)
    QuickSetupLocal(
        cdk.Stack(app, "Tagged", env=env),
        "QuickSetup",
        configuration_id=TAGGED,
        targets=InstanceTargets.tag("Environment", "production"),
        default_host_management=True,
        inventory_sync=InventorySync.to_bucket("inventory-bucket-123", REGION),
    )
    QuickSetupLocal(
        cdk.Stack(app, "Everything", env=env), "QuickSetup", configuration_id=EVERYTHING
    )
    QuickSetupOrganization(
        cdk.Stack(app, "Organization", env=cdk.Environment(account=MANAGEMENT, region=REGION)),
        "Org",
        configuration_id=ORGANIZATION,
        organizational_unit_ids=["ou-abcd-11112222"],
        regions=[REGION, "eu-west-1"],
        account_count=3,
    )
    QuickSetupLocal(
        cdk.Stack(
            app,
            "Imported",
            env=cdk.Environment(account=ACCOUNT, region=IMPORTED_REGION),
            tags={"quicksetup:imported-from": MANAGER_ARN},
        ),
        "Hosts",
        configuration_id=IMPORTED,
        collect_inventory=False,
    )
    app.synth()
    return outdir


# AWS's answers ---------------------------------------------------------------------------------


def association(
    name: str, document: str, targets: list[dict[str, Any]], number: int = 1
) -> dict[str, Any]:
    """One ``Association`` of ``ListAssociations``."""
    return {
        "AssociationId": f"{number:08x}-0000-4000-8000-000000000000",
        "Name": document,
        "AssociationName": name,
        "AssociationVersion": "1",
        "Targets": targets,
    }


def tag(key: str, *values: str) -> list[dict[str, Any]]:
    return [{"Key": f"tag:{key}", "Values": list(values)}]


ALL = [{"Key": "InstanceIds", "Values": ["*"]}]


def data_sync(name: str) -> dict[str, Any]:
    """One ``ResourceDataSyncItem`` of ``ListResourceDataSync``."""
    return {
        "SyncName": name,
        "SyncType": "SyncToDestination",
        "S3Destination": {
            "BucketName": "other-bucket",
            "SyncFormat": "JsonSerDe",
            "Region": REGION,
        },
    }


def manager(kind: str, parameters: dict[str, str], arn: str = MANAGER_ARN) -> dict[str, Any]:
    """``GetConfigurationManager``'s answer for a console configuration."""
    return {
        "ManagerArn": arn,
        "Name": "console-host-management",
        "ConfigurationDefinitions": [
            {"Id": "abcde", "Type": kind, "TypeVersion": "1.0", "Parameters": parameters}
        ],
    }


def summary(answer: dict[str, Any]) -> dict[str, Any]:
    """The ``ListConfigurationManagers`` entry of a :func:`manager`."""
    return {
        "ManagerArn": answer["ManagerArn"],
        "Name": answer["Name"],
        "ConfigurationDefinitionSummaries": [
            {"Id": d["Id"], "Type": d["Type"], "TypeVersion": d["TypeVersion"]}
            for d in answer["ConfigurationDefinitions"]
        ],
    }


class Account:
    """Stubbed State Manager and Quick Setup clients, answering in the order preflight asks:
    associations, the DHMC setting, resource data syncs, console configuration managers."""

    def __init__(self, account: str = ACCOUNT, region: str = REGION) -> None:
        self.aws = Aws(boto3.Session(region_name=region, **CREDENTIALS), account=account)
        self.ssm = Stubber(self.aws.client("ssm"))
        self.quick_setup = Stubber(self.aws.client("ssm-quicksetup"))
        self.cloudformation = Stubber(self.aws.client("cloudformation"))

    def associations(self, *pages: list[dict[str, Any]]) -> Account:
        self._pages(self.ssm, "list_associations", "Associations", "NextToken", {}, pages)
        return self

    def setting(self, value: str) -> Account:
        self.ssm.add_response(
            "get_service_setting",
            {"ServiceSetting": {"SettingId": DHMC_SETTING, "SettingValue": value}},
            {"SettingId": DHMC_SETTING},
        )
        return self

    def syncs(self, *pages: list[dict[str, Any]]) -> Account:
        self._pages(
            self.ssm,
            "list_resource_data_sync",
            "ResourceDataSyncItems",
            "NextToken",
            {"SyncType": "SyncToDestination"},
            pages,
        )
        return self

    def managers(self, *pages: list[dict[str, Any]]) -> Account:
        """Pages of :func:`manager` answers; each Host Management or DHMC one is then read."""
        self._pages(
            self.quick_setup,
            "list_configuration_managers",
            "ConfigurationManagersList",
            "StartingToken",
            {},
            [[summary(m) for m in page] for page in pages],
            output_token="NextToken",
        )
        for page in pages:
            for answer in page:
                if answer["ConfigurationDefinitions"][0]["Type"].endswith(("SSMHostMgmt", "DHMC")):
                    self.quick_setup.add_response(
                        "get_configuration_manager", answer, {"ManagerArn": answer["ManagerArn"]}
                    )
        return self

    def nothing(self, *, dhmc: bool = True, sync: bool = True) -> Account:
        """An account with nothing in it (what ``--stack Tagged`` reads)."""
        self.associations([])
        if dhmc:
            self.setting("$None")
        if sync:
            self.syncs([])
        return self.managers([])

    @staticmethod
    def _pages(
        stubber: Stubber,
        operation: str,
        key: str,
        token: str,
        params: dict[str, Any],
        pages: tuple[list[dict[str, Any]], ...] | list,
        output_token: str = "NextToken",
    ) -> None:
        for index, page in enumerate(pages or [[]]):
            answer: dict[str, Any] = {key: page}
            if index + 1 < len(pages):
                answer[output_token] = f"page{index + 2}"
            stubber.add_response(
                operation, answer, {**params, **({token: f"page{index + 1}"} if index else {})}
            )

    def stack(self, name: str, tags: dict[str, str] | None) -> Account:
        """``DescribeStacks`` of ``name``: a stack with ``tags``, or (None) no such stack."""
        if tags is None:
            self.cloudformation.add_client_error(
                "describe_stacks",
                "ValidationError",
                f"Stack with id {name} does not exist",
                400,
                expected_params={"StackName": name},
            )
            return self
        self.cloudformation.add_response(
            "describe_stacks",
            {
                "Stacks": [
                    {
                        "StackName": name,
                        "StackId": STACK_ID,
                        "CreationTime": "2026-01-05T09:00:00Z",
                        "StackStatus": "CREATE_COMPLETE",
                        "Tags": [{"Key": key, "Value": value} for key, value in tags.items()],
                    }
                ]
            },
            {"StackName": name},
        )
        return self

    @contextmanager
    def active(self) -> Iterator[None]:
        with self.ssm, self.quick_setup, self.cloudformation:
            yield
        self.ssm.assert_no_pending_responses()
        self.quick_setup.assert_no_pending_responses()
        self.cloudformation.assert_no_pending_responses()


def preflight(account: Account, assembly: Path, *args: str):
    with account.active():
        return CliRunner(env={"COLUMNS": "200"}).invoke(
            main, ["preflight", str(assembly), *args], obj=account.aws, catch_exceptions=False
        )


def findings(result, configuration: str = TAGGED) -> dict[str, dict[str, Any]]:
    """The findings of ``configuration`` in ``preflight --json``, keyed (checked against the
    schema the package ships)."""
    data = cli_json.data(result.stdout)
    found = data["configurations"][configuration]["findings"]
    assert all(finding["key"] == key for key, finding in found.items())
    return found


def kinds(result, configuration: str = TAGGED) -> dict[str, str]:
    """Each finding's kind and severity."""
    return {f["kind"]: f["severity"] for f in findings(result, configuration).values()}


# an empty account ------------------------------------------------------------------------------


def test_an_empty_account_has_nothing_in_the_way(assembly):
    result = preflight(Account().nothing(), assembly, "--stack", "Tagged", "--json")
    assert result.exit_code == 0, result.output
    data = cli_json.data(result.stdout)
    assert (data["account"], data["region"], data["home_region"]) == (ACCOUNT, REGION, REGION)
    assert (data["errors"], data["warnings"]) == (0, 0)
    [tagged] = data["configurations"].values()
    assert (tagged["configuration_id"], tagged["checked"], tagged["findings"]) == (TAGGED, True, {})


# inventory -------------------------------------------------------------------------------------
# Two inventory associations over all instances: AWS's "Troubleshooting problems with Systems
# Manager Inventory" (user guide): "An error that Multiple apply all associations with document
# 'AWS-GatherSoftwareInventory' are not supported means that one or more AWS Regions where
# you're trying to configure an Inventory association for all nodes are already configured with
# an inventory association for all nodes."
# Targeted ones that meet: the seed's guide ("Collect inventory every 30 minutes",
# /work/shared/seed/quick-setup-guide.ja.txt): "ただし、一部のインスタンスで非グローバルインベントリ
# 設定が既に有効になっている場合、前に作成した設定は失敗します" (where a non-global inventory
# configuration is already enabled on some instances, the one created earlier fails); AWS's
# current Inventory page ("Configuring inventory collection"): "If a node is assigned multiple
# inventory associations and each uses a tag key-value pair, then those inventory associations
# fail to run on the node because of the tag conflict." Neither is promised alone.
# A global one beside a targeted one is no conflict (the seed's guide: "競合はありません").

ALL_INSTANCES_REFUSED = (
    "Multiple apply all associations with document 'AWS-GatherSoftwareInventory' are not supported"
)


def test_an_existing_targeted_inventory_that_can_reach_the_same_instances_is_an_error(assembly):
    existing = association(
        "inventory-prod", "AWS-GatherSoftwareInventory", tag("Environment", "production")
    )
    account = Account().associations([existing]).setting("$None").syncs([]).managers([])
    result = preflight(account, assembly, "--stack", "Tagged", "--json")
    assert result.exit_code == 1, result.output
    [finding] = findings(result).values()
    assert (finding["severity"], finding["kind"]) == ("error", "inventory_conflict")
    assert (finding["resource"], finding["resource_id"]) == (
        "inventory-prod",
        existing["AssociationId"],
    )
    message = " ".join(finding["message"].split())
    assert "Quick Setup's guide: the one created earlier fails" in message
    assert "AWS's Inventory page: associations that each target by tags fail to run on it" in (
        message
    )
    assert "Delete inventory-prod before `cdk deploy`" in message


def test_an_existing_inventory_for_another_tag_value_is_no_conflict(assembly):
    # Tag values of one key are disjoint: no instance carries Environment=production and
    # Environment=staging at once.
    existing = association(
        "inventory-staging", "AWS-GatherSoftwareInventory", tag("Environment", "staging")
    )
    account = Account().associations([existing]).setting("$None").syncs([]).managers([])
    result = preflight(account, assembly, "--stack", "Tagged", "--json")
    assert result.exit_code == 0, result.output
    assert findings(result) == {}


def test_an_existing_global_inventory_beside_a_targeted_configuration_is_no_conflict(assembly):
    existing = association("inventory-all", "AWS-GatherSoftwareInventory", ALL)
    account = Account().associations([existing]).setting("$None").syncs([]).managers([])
    result = preflight(account, assembly, "--stack", "Tagged", "--json")
    assert result.exit_code == 0, result.output
    assert findings(result) == {}


def test_a_second_inventory_over_all_instances_is_an_error(assembly):
    existing = association(
        "inventory-all", "arn:aws:ssm:us-east-1::document/AWS-GatherSoftwareInventory", ALL
    )
    account = Account().associations([existing]).managers([])
    result = preflight(account, assembly, "--stack", "Everything", "--json")
    assert result.exit_code == 1, result.output
    assert kinds(result, EVERYTHING) == {"inventory_duplicate": "error"}
    [finding] = findings(result, EVERYTHING).values()
    assert ALL_INSTANCES_REFUSED in finding["message"]
    assert "Delete inventory-all before `cdk deploy`" in finding["message"]


def test_the_configurations_own_associations_and_sync_are_no_conflict(assembly):
    # A stack deployed before: its associations are named QuickSetup-<Option>-<id>.
    own = [
        association(
            f"QuickSetup-CollectInventory-{TAGGED}",
            "AWS-GatherSoftwareInventory",
            tag("Environment", "production"),
            1,
        ),
        association(
            f"QuickSetup-ScanForPatches-{TAGGED}",
            "AWS-RunPatchBaselineAssociation",
            tag("Environment", "production"),
            2,
        ),
    ]
    account = (
        Account()
        .associations(own)
        .setting("Tagged-QuickSetupRolesDefaultHostMan-1A2B3C")
        .syncs([data_sync(f"QuickSetup-Inventory-{TAGGED}")])
        .managers([])
    )
    result = preflight(account, assembly, "--stack", "Tagged", "--json")
    assert result.exit_code == 0, result.output
    assert findings(result) == {}


def test_every_page_is_read(assembly):
    first = [association(f"cleanup-{n}", "AWS-RunShellScript", ALL, n) for n in range(1, 4)]
    conflicting = association(
        "inventory-prod",
        "AWS-GatherSoftwareInventory",
        [{"Key": "tag-key", "Values": ["Environment"]}],
        9,
    )
    console = manager(
        "AWSQuickSetupType-SSMHostMgmt",
        {"TargetAccounts": ACCOUNT, "TargetRegions": f"eu-west-1,{REGION}"},
    )
    account = (
        Account()
        .associations(first, [conflicting])
        .setting("$None")
        .syncs([data_sync("a")], [data_sync("b")])
        .managers([], [console])
    )
    result = preflight(account, assembly, "--stack", "Tagged", "--json")
    assert result.exit_code == 1, result.output
    assert kinds(result) == {"inventory_conflict": "error", "console_quick_setup": "warning"}


# patch scans -----------------------------------------------------------------------------------
# "Avoiding unintentional patch compliance data overwrites" (user guide): "If you have multiple
# types of operations in place to scan your instances for patch compliance, each scan overwrites
# the patch compliance data of previous scans." Not a failure: a warning.


@pytest.mark.parametrize("document", ["AWS-RunPatchBaseline", "AWS-RunPatchBaselineAssociation"])
def test_an_existing_patch_scan_of_the_same_instances_is_a_warning(assembly, document):
    existing = association(
        "nightly-patch-scan", document, [{"Key": "tag-key", "Values": ["Environment"]}]
    )
    account = Account().associations([existing]).setting("$None").syncs([]).managers([])
    result = preflight(account, assembly, "--stack", "Tagged", "--json")
    assert result.exit_code == 0, result.output
    [finding] = findings(result).values()
    assert (finding["severity"], finding["kind"], finding["resource"]) == (
        "warning",
        "patch_scan_overlap",
        "nightly-patch-scan",
    )
    assert "overwrites the patch compliance" in finding["message"]


def test_a_patch_scan_of_other_instances_is_no_warning(assembly):
    existing = association("patch-staging", "AWS-RunPatchBaseline", tag("Environment", "staging"))
    account = Account().associations([existing]).setting("$None").syncs([]).managers([])
    result = preflight(account, assembly, "--stack", "Tagged", "--json")
    assert findings(result) == {}


# Default Host Management Configuration ---------------------------------------------------------
# GetServiceSetting (botocore's ssm model): "ServiceSetting is an account-level setting";
# UpdateServiceSetting: "For /ssm/managed-instance/default-ec2-instance-management-role, enter
# the name of an IAM role." Replacing it does not fail: a warning, as every instance of the
# account and Region then gets the new role.


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole",
            {"default_host_management_role": "warning"},
        ),
        ("Tagged-QuickSetupRolesDefaultHostMan-1A2B3C", {}),  # the stack's own, from a deploy
        ("$None", {}),  # DHMC off
    ],
)
def test_dhmc_set_to_another_role_is_a_warning(assembly, value, expected):
    account = Account().associations([]).setting(value).syncs([]).managers([])
    result = preflight(account, assembly, "--stack", "Tagged", "--json")
    assert result.exit_code == 0, result.output
    assert kinds(result) == expected
    for finding in findings(result).values():
        assert (finding["resource"], finding["resource_id"]) == (value, DHMC_SETTING)


# resource data syncs ---------------------------------------------------------------------------
# AWS General Reference, "AWS Systems Manager endpoints and quotas", Service quotas for
# Inventory: "Maximum number of resource data syncs | 5"; "Unless otherwise specified, each
# quota applies to an individual AWS Region in each AWS account."


@pytest.mark.parametrize(("existing", "exit_code"), [(4, 0), (5, 1)])
def test_the_app_sync_against_the_limit_of_five(assembly, existing, exit_code):
    syncs = [data_sync(f"sync-{n}") for n in range(existing)]
    account = Account().associations([]).setting("$None").syncs(syncs).managers([])
    result = preflight(account, assembly, "--stack", "Tagged", "--json")
    assert result.exit_code == exit_code, result.output
    assert kinds(result) == ({"data_sync_limit": "error"} if exit_code else {})


def test_a_sync_of_the_same_name_is_an_error(assembly):
    # CreateResourceDataSync's errors (botocore's ssm model): ResourceDataSyncAlreadyExists,
    # "A sync configuration with the same name already exists."
    name = f"QuickSetup-Inventory-{TAGGED}"
    account = Account().associations([]).setting("$None").syncs([data_sync(name)]).managers([])
    result = preflight(account, assembly, "--stack", "Tagged", "--json")
    assert result.exit_code == 1, result.output
    [finding] = findings(result).values()
    assert (finding["severity"], finding["kind"], finding["resource"]) == (
        "error",
        "data_sync_exists",
        name,
    )
    assert f"aws ssm delete-resource-data-sync --sync-name {name}" in finding["message"]


# console Quick Setup ---------------------------------------------------------------------------
# ConfigurationDefinitionInput.Parameters (botocore's ssm-quicksetup model), Host Management:
# "TargetAccounts ... if you want to deploy the configuration locally", "TargetRegions
# (Required) A comma separated list of Amazon Web Services Regions you want to deploy the
# configuration to."


@pytest.mark.parametrize(
    ("parameters", "covers"),
    [
        ({"TargetAccounts": ACCOUNT, "TargetRegions": REGION}, True),
        ({"TargetOrganizationalUnits": "ou-abcd-11112222", "TargetRegions": REGION}, True),
        ({"TargetAccounts": ACCOUNT, "TargetRegions": "eu-west-1"}, False),
        ({"TargetAccounts": "222222222222", "TargetRegions": REGION}, False),
    ],
)
def test_a_console_host_management_manager_covering_the_region_is_a_warning(
    assembly, parameters, covers
):
    console = manager("AWSQuickSetupType-SSMHostMgmt", parameters)
    other = manager(
        "AWSQuickSetupType-PatchPolicy",
        {"TargetRegions": REGION},
        MANAGER_ARN.replace("0001", "0002"),
    )  # listed, never read
    account = Account().associations([]).setting("$None").syncs([]).managers([other, console])
    result = preflight(account, assembly, "--stack", "Tagged", "--json")
    assert result.exit_code == 0, result.output
    found = findings(result)
    assert bool(found) is covers
    for finding in found.values():
        assert (finding["kind"], finding["resource"], finding["resource_id"]) == (
            "console_quick_setup",
            "console-host-management",
            MANAGER_ARN,
        )
        assert (
            f"aws ssm-quicksetup delete-configuration-manager --manager-arn {MANAGER_ARN} "
            f"--region {REGION}"
        ) in finding["message"]


# where a configuration is checked ---------------------------------------------------------------


def test_an_organization_is_checked_as_one_member_account(assembly):
    existing = association("inventory-all", "AWS-GatherSoftwareInventory", ALL)
    account = Account().associations([existing]).managers([])
    result = preflight(account, assembly, "--stack", "Organization", "--json")
    assert result.exit_code == 1, result.output
    configuration = cli_json.data(result.stdout)["configurations"][ORGANIZATION]
    assert configuration["checked"] is True
    assert kinds(result, ORGANIZATION) == {"inventory_duplicate": "error"}


def test_from_the_account_that_deploys_the_stack_sets_only_console_managers_are_compared(assembly):
    console = manager(
        "AWSQuickSetupType-SSMHostMgmt",
        {"TargetOrganizationalUnits": "ou-abcd-11112222", "TargetRegions": REGION},
        MANAGER_ARN.replace(ACCOUNT, MANAGEMENT),
    )
    account = Account(account=MANAGEMENT).managers([console])
    result = preflight(account, assembly, "--stack", "Organization", "--json")
    assert result.exit_code == 0, result.output
    configuration = cli_json.data(result.stdout)["configurations"][ORGANIZATION]
    assert configuration["checked"] is False
    assert "member account" in configuration["note"]
    assert kinds(result, ORGANIZATION) == {"console_quick_setup": "warning"}


def test_every_stack_is_read_without_stack(assembly):
    account = Account().nothing()
    result = preflight(account, assembly, "--json")
    assert result.exit_code == 0, result.output
    configurations = cli_json.data(result.stdout)["configurations"]
    assert {key: c["checked"] for key, c in configurations.items()} == {
        TAGGED: True,
        EVERYTHING: True,
        ORGANIZATION: True,
        IMPORTED: False,
    }


def test_a_region_no_configuration_deploys_to_is_an_error(assembly):
    result = preflight(Account(region="ap-south-1"), assembly, "--stack", "Tagged")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        (
            f"error: no configuration of {assembly} deploys to account {ACCOUNT} in ap-south-1: "
            f"{TAGGED} deploys to {REGION}, not ap-south-1: pass --region"
        )
    ]


# bad input ------------------------------------------------------------------------------------


def test_an_unknown_stack_is_one_line_and_exit_2(assembly):
    result = preflight(Account(), assembly, "--stack", "Nope")
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: no stack 'Nope' in the cloud assembly {assembly}")


def test_a_missing_cloud_assembly_is_one_line_and_exit_2(tmp_path):
    result = preflight(Account(), tmp_path / "missing", "--json")
    assert result.exit_code == 2
    document = cli_json.envelope(result.stdout)
    assert document["command"] == "preflight"
    assert document["error"]["message"].startswith("no cloud assembly in ")


@pytest.mark.parametrize("output", ["table", "json"])
def test_a_denied_call_is_one_line_and_exit_2(assembly, output):
    account = Account()
    account.associations([]).setting("$None")
    account.ssm.add_client_error(
        "list_resource_data_sync",
        "AccessDeniedException",
        "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: "
        "ssm:ListResourceDataSync",
        400,
        expected_params={"SyncType": "SyncToDestination"},
    )
    result = preflight(account, assembly, "--stack", "Tagged", "--output", output)
    assert result.exit_code == 2
    if output == "json":
        document = cli_json.envelope(result.stdout)
        assert document["data"] is None
        assert document["error"]["message"].startswith(
            "AWS denied ListResourceDataSync in us-east-1"
        )
    else:
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("error: AWS denied ListResourceDataSync in us-east-1")
        assert result.stdout == ""


# the table -------------------------------------------------------------------------------------


def test_the_table_names_the_existing_resource_and_what_to_do(assembly):
    existing = association(
        "inventory-prod", "AWS-GatherSoftwareInventory", tag("Environment", "production")
    )
    account = Account().associations([existing]).setting("$None").syncs([]).managers([])
    result = preflight(account, assembly, "--stack", "Tagged", "--output", "text")
    assert result.exit_code == 1
    assert "1 error(s), 0 warnings" in result.stdout
    assert "inventory conflict" in result.stdout
    assert "inventory-prod" in result.stdout and existing["AssociationId"] in result.stdout
    # the issue: "--output text prints plain lines (no box drawing)": a line per finding
    assert not re.search("[\u2500-\u257f]", result.stdout), result.stdout
    [row] = [line for line in result.stdout.splitlines() if "inventory conflict" in line]
    assert row.startswith("✗ error · inventory conflict · inventory-prod ")


def test_off_a_terminal_a_command_in_a_finding_is_never_wrapped(assembly):
    # The issue: "commands are never wrapped when stdout is not a terminal".
    console = manager("AWSQuickSetupType-SSMHostMgmt", HOST_MANAGEMENT_ALL)
    account = Account().associations([]).setting("$None").syncs([]).managers([console])
    with account.active():
        result = CliRunner(env={"COLUMNS": "80"}).invoke(
            main,
            ["preflight", str(assembly), "--stack", "Tagged"],
            obj=account.aws,
            catch_exceptions=False,
        )
    assert result.exit_code == 0, result.output
    command = (
        f"aws ssm-quicksetup delete-configuration-manager --manager-arn {MANAGER_ARN} "
        f"--region {REGION}"
    )
    assert any(command in line for line in result.stdout.splitlines()), result.stdout


def test_preflight_starts_without_the_cdk_or_node(tmp_path, assembly):
    result = run_without_node(tmp_path, "preflight", str(assembly), "--region", REGION)
    assert result.returncode == 2
    [message, probe] = result.stderr.strip().splitlines()
    assert probe == "CDK-MODULES: none"
    assert "credentials" in message


# --migrating-from ------------------------------------------------------------------------------
# Decisions: it "turns a finding into a note only when the plan deletes that resource before
# cdk deploy. A finding that would still stand at deploy time (AWS would reject it) stays an
# error." `quicksetup import`'s cut-over stops the source's inventory collection and deals with
# its Default Host Management before the deploy; it deletes the rest after.

DEFINITION = "abcde"  # the id of manager()'s definition
CONSOLE_INVENTORY = f"AWS-QuickSetup-SSMHostMgmt-CollectInventory-{DEFINITION}"
HOST_MANAGEMENT_ALL = {"TargetAccounts": ACCOUNT, "TargetRegions": REGION}


def console_everything(*, also: list[dict[str, Any]] = ()) -> Account:
    """The default console setup beside the Everything stack: a Host Management manager over
    all instances, its inventory and patch scan associations, and ``also``."""
    own = [
        association(CONSOLE_INVENTORY, "AWS-GatherSoftwareInventory", ALL, 1),
        association(
            f"AWS-QuickSetup-SSMHostMgmt-ScanForPatches-{DEFINITION}",
            "AWS-RunPatchBaselineAssociation",
            ALL,
            2,
        ),
    ]
    return (
        Account()
        .associations([*own, *also])
        .managers([manager("AWSQuickSetupType-SSMHostMgmt", HOST_MANAGEMENT_ALL)])
    )


def test_migrating_from_a_manager_makes_its_inventory_a_note_and_the_gate_passes(assembly):
    result = preflight(
        console_everything(),
        assembly,
        "--stack",
        "Everything",
        "--json",
        "--migrating-from",
        MANAGER_ARN,
    )
    assert result.exit_code == 0, result.output
    data = cli_json.data(result.stdout)
    assert data["migrating_from"] == [MANAGER_ARN]
    assert (data["errors"], data["notes"]) == (0, 1)
    found = {f["resource"]: f for f in findings(result, EVERYTHING).values()}
    assert found[CONSOLE_INVENTORY]["severity"] == "note"
    assert ALL_INSTANCES_REFUSED in found[CONSOLE_INVENTORY]["message"]
    assert (
        f"the cut-over from {MANAGER_ARN} stops its inventory collection before `cdk deploy`"
        in (found[CONSOLE_INVENTORY]["message"])
    )
    # deleted after the deploy: they keep their severity
    assert found[f"AWS-QuickSetup-SSMHostMgmt-ScanForPatches-{DEFINITION}"]["severity"] == "warning"
    assert found["console-host-management"]["severity"] == "warning"


def test_without_migrating_from_the_same_account_fails_the_gate(assembly):
    result = preflight(console_everything(), assembly, "--stack", "Everything", "--json")
    assert result.exit_code == 1, result.output
    assert kinds(result, EVERYTHING)["inventory_duplicate"] == "error"


def test_migrating_from_acknowledges_nothing_of_another_source(assembly):
    other = association("inventory-all", "AWS-GatherSoftwareInventory", ALL, 3)
    result = preflight(
        console_everything(also=[other]),
        assembly,
        "--stack",
        "Everything",
        "--json",
        "--migrating-from",
        MANAGER_ARN,
    )
    assert result.exit_code == 1, result.output
    severities = {f["resource"]: f["severity"] for f in findings(result, EVERYTHING).values()}
    assert (severities["inventory-all"], severities[CONSOLE_INVENTORY]) == ("error", "note")


def test_migrating_from_the_older_console_takes_its_association_name_prefix(assembly):
    legacy = association(
        "AWS-QuickSetup-SSMHostMgmt-CollectInventory-qm255", "AWS-GatherSoftwareInventory", ALL, 4
    )
    account = Account().associations([legacy]).managers([])
    result = preflight(
        account,
        assembly,
        "--stack",
        "Everything",
        "--json",
        "--migrating-from",
        "AWS-QuickSetup-SSMHostMgmt-",
    )
    assert result.exit_code == 0, result.output
    assert kinds(result, EVERYTHING) == {"inventory_duplicate": "note"}


def test_migrating_from_an_unknown_manager_is_one_line(assembly):
    unknown = MANAGER_ARN.replace("0001", "0009")
    account = Account().associations([]).managers([])
    result = preflight(account, assembly, "--stack", "Everything", "--migrating-from", unknown)
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: --migrating-from {unknown}: no configuration manager")
    elsewhere = MANAGER_ARN.replace(REGION, "eu-west-1")
    result = preflight(Account(), assembly, "--stack", "Everything", "--migrating-from", elsewhere)
    assert result.exit_code == 2
    assert "pass --home-region" in result.stderr


# a console Default Host Management Configuration -----------------------------------------------
# Decisions: the console's DHMC manager is dealt with before the deploy: "its DHMC definition is
# removed when the manager holds other definitions; the manager is deleted when DHMC is all it
# holds". The ssm-quicksetup API (botocore's model) has DeleteConfigurationManager and
# UpdateConfigurationDefinition, and no call that deletes one definition.

DHMC_PARAMETERS = {"TargetOrganizationalUnits": "ou-abcd-11112222", "TargetRegions": REGION}


def test_a_console_dhmc_manager_is_deleted_before_the_deploy(assembly):
    console = manager("AWSQuickSetupType-DHMC", DHMC_PARAMETERS)
    account = Account().associations([]).setting("$None").syncs([]).managers([console])
    result = preflight(account, assembly, "--stack", "Tagged", "--json")
    assert result.exit_code == 0, result.output
    [finding] = findings(result).values()
    assert finding["severity"] == "warning"
    assert (
        "Before `cdk deploy`, so that removing it cannot turn off the setting this "
        "configuration sets, delete it: aws ssm-quicksetup delete-configuration-manager "
        f"--manager-arn {MANAGER_ARN} --region {REGION}"
    ) in finding["message"]
    assert "After the cut-over" not in finding["message"]
    account = Account().associations([]).setting("$None").syncs([]).managers([console])
    result = preflight(
        account, assembly, "--stack", "Tagged", "--json", "--migrating-from", MANAGER_ARN
    )
    assert kinds(result) == {"console_quick_setup": "note"}


def test_a_console_manager_holding_dhmc_and_more_loses_its_dhmc_definition_first(assembly):
    console = manager("AWSQuickSetupType-DHMC", DHMC_PARAMETERS)
    console["ConfigurationDefinitions"].append(
        {
            "Id": "hm001",
            "Type": "AWSQuickSetupType-SSMHostMgmt",
            "TypeVersion": "1.0",
            "Parameters": {
                "TargetAccounts": ACCOUNT,
                "TargetRegions": REGION,
                "TargetType": "Tags",
                "TargetTagKey": "Environment",
                "TargetTagValue": "production",
                "CollectInventory": "false",
            },
        }
    )
    account = Account().associations([]).setting("$None").syncs([]).managers([console])
    result = preflight(
        account, assembly, "--stack", "Tagged", "--json", "--migrating-from", MANAGER_ARN
    )
    assert result.exit_code == 0, result.output
    [finding] = findings(result).values()
    message = finding["message"]
    assert (
        "remove its definition abcde in the console's Quick Setup (ssm-quicksetup has no "
        "call that deletes one definition)" in message
    )
    assert (
        f"After the cut-over delete it: aws ssm-quicksetup delete-configuration-manager "
        f"--manager-arn {MANAGER_ARN}"
    ) in message
    # its Host Management goes after the deploy: a warning still, even when migrating from it
    assert finding["severity"] == "warning"


def test_the_console_dhmc_advice_matches_the_import_plan():
    import botocore.session

    operations = botocore.session.get_session().get_service_model("ssm-quicksetup").operation_names
    assert "DeleteConfigurationManager" in operations
    assert "UpdateConfigurationDefinition" in operations
    assert not [name for name in operations if name.startswith("DeleteConfigurationDefinition")]


# a stack of the same name ---------------------------------------------------------------------
# Decisions: "Imported stacks carry the stack tag quicksetup:imported-from = <manager ARN or
# association prefix>. preflight refuses a stack of the same name that exists without it."
# CloudFormation's DescribeStacks of a stack that does not exist: a ValidationError, "Stack with
# id <name> does not exist".


@pytest.mark.parametrize(
    ("tags", "exit_code", "expected"),
    [
        (None, 0, {}),
        ({"quicksetup:imported-from": MANAGER_ARN}, 0, {}),
        ({"team": "web"}, 1, {"stack_exists": "error"}),
        ({"quicksetup:imported-from": "AWS-QuickSetup-SSMHostMgmt-"}, 1, {"stack_exists": "error"}),
    ],
)
def test_an_imported_stack_refuses_a_stack_of_its_name_it_did_not_make(
    assembly, tags, exit_code, expected
):
    account = Account(region=IMPORTED_REGION).associations([]).managers([]).stack("Imported", tags)
    result = preflight(account, assembly, "--stack", "Imported", "--json")
    assert result.exit_code == exit_code, result.output
    assert kinds(result, IMPORTED) == expected
    for finding in findings(result, IMPORTED).values():
        assert (finding["resource"], finding["resource_id"]) == ("Imported", STACK_ID)
        assert "`cdk deploy` would update it" in finding["message"]


def test_a_stack_of_no_import_is_not_looked_up(assembly):
    # Tagged carries no quicksetup:imported-from: no DescribeStacks (the Stubber has none).
    result = preflight(Account().nothing(), assembly, "--stack", "Tagged", "--json")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("output", ["table", "json"])
def test_a_denied_describe_stacks_is_one_line_and_exit_2(assembly, output):
    account = Account(region=IMPORTED_REGION).associations([]).managers([])
    account.cloudformation.add_client_error(
        "describe_stacks",
        "AccessDenied",
        "User: arn:aws:iam::123456789012:user/ci is not "
        "authorized to perform: cloudformation:DescribeStacks",
        403,
        expected_params={"StackName": "Imported"},
    )
    result = preflight(account, assembly, "--stack", "Imported", "--output", output)
    assert result.exit_code == 2
    if output == "json":
        message = cli_json.envelope(result.stdout)["error"]["message"]
    else:
        [message] = result.stderr.strip().splitlines()
        message = message.removeprefix("error: ")
    assert message.startswith(f"AWS denied DescribeStacks in {IMPORTED_REGION}")
