"""`quicksetup preflight`: what an account already has in a synthesized app's way.

moto has neither State Manager's associations nor ``ssm-quicksetup``: every answer comes from
botocore's Stubber on the real clients, which checks each request and response against the
service model. The expected values come from AWS documentation, quoted beside each test.
"""

from __future__ import annotations

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
TAGGED, EVERYTHING, ORGANIZATION = "7a422481", "5e5e5e5e", "0a0a0a0a"
DHMC_SETTING = "/ssm/managed-instance/default-ec2-instance-management-role"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
MANAGER_ARN = (
    f"arn:aws:ssm-quicksetup:{REGION}:{ACCOUNT}:configuration-manager/"
    "1a2b3c4d-0000-4000-8000-000000000001"
)


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three stacks: instances tagged Environment=production with inventory, patch scan, DHMC
    and an inventory sync; all instances; an organization deployed from the management
    account."""
    outdir = tmp_path_factory.mktemp("preflight") / "cdk.out"
    app = cdk.App(outdir=str(outdir))
    env = cdk.Environment(account=ACCOUNT, region=REGION)
    QuickSetupLocal(
        cdk.Stack(app, "Tagged", env=env), "QuickSetup", configuration_id=TAGGED,
        targets=InstanceTargets.tag("Environment", "production"), default_host_management=True,
        inventory_sync=InventorySync.to_bucket("inventory-bucket-123", REGION),
    )
    QuickSetupLocal(cdk.Stack(app, "Everything", env=env), "QuickSetup", configuration_id=EVERYTHING)
    QuickSetupOrganization(
        cdk.Stack(app, "Organization", env=cdk.Environment(account=MANAGEMENT, region=REGION)),
        "Org", configuration_id=ORGANIZATION, organizational_unit_ids=["ou-abcd-11112222"],
        regions=[REGION, "eu-west-1"], account_count=3,
    )
    app.synth()
    return outdir


# AWS's answers ---------------------------------------------------------------------------------


def association(name: str, document: str, targets: list[dict[str, Any]],
                number: int = 1) -> dict[str, Any]:
    """One ``Association`` of ``ListAssociations``."""
    return {"AssociationId": f"{number:08x}-0000-4000-8000-000000000000", "Name": document,
            "AssociationName": name, "AssociationVersion": "1", "Targets": targets}


def tag(key: str, *values: str) -> list[dict[str, Any]]:
    return [{"Key": f"tag:{key}", "Values": list(values)}]


ALL = [{"Key": "InstanceIds", "Values": ["*"]}]


def data_sync(name: str) -> dict[str, Any]:
    """One ``ResourceDataSyncItem`` of ``ListResourceDataSync``."""
    return {"SyncName": name, "SyncType": "SyncToDestination", "S3Destination": {
        "BucketName": "other-bucket", "SyncFormat": "JsonSerDe", "Region": REGION}}


def manager(kind: str, parameters: dict[str, str], arn: str = MANAGER_ARN) -> dict[str, Any]:
    """``GetConfigurationManager``'s answer for a console configuration."""
    return {"ManagerArn": arn, "Name": "console-host-management", "ConfigurationDefinitions": [
        {"Id": "abcde", "Type": kind, "TypeVersion": "1.0", "Parameters": parameters}]}


def summary(answer: dict[str, Any]) -> dict[str, Any]:
    """The ``ListConfigurationManagers`` entry of a :func:`manager`."""
    return {"ManagerArn": answer["ManagerArn"], "Name": answer["Name"],
            "ConfigurationDefinitionSummaries": [
                {"Id": d["Id"], "Type": d["Type"], "TypeVersion": d["TypeVersion"]}
                for d in answer["ConfigurationDefinitions"]]}


class Account:
    """Stubbed State Manager and Quick Setup clients, answering in the order preflight asks:
    associations, the DHMC setting, resource data syncs, console configuration managers."""

    def __init__(self, account: str = ACCOUNT, region: str = REGION) -> None:
        self.aws = Aws(boto3.Session(region_name=region, **CREDENTIALS), account=account)
        self.ssm = Stubber(self.aws.client("ssm"))
        self.quick_setup = Stubber(self.aws.client("ssm-quicksetup"))

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
        self._pages(self.ssm, "list_resource_data_sync", "ResourceDataSyncItems", "NextToken",
                    {"SyncType": "SyncToDestination"}, pages)
        return self

    def managers(self, *pages: list[dict[str, Any]]) -> Account:
        """Pages of :func:`manager` answers; each Host Management or DHMC one is then read."""
        self._pages(self.quick_setup, "list_configuration_managers", "ConfigurationManagersList",
                    "StartingToken", {}, [[summary(m) for m in page] for page in pages],
                    output_token="NextToken")
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
    def _pages(stubber: Stubber, operation: str, key: str, token: str, params: dict[str, Any],
               pages: tuple[list[dict[str, Any]], ...] | list, output_token: str = "NextToken"
               ) -> None:
        for index, page in enumerate(pages or [[]]):
            answer: dict[str, Any] = {key: page}
            if index + 1 < len(pages):
                answer[output_token] = f"page{index + 2}"
            stubber.add_response(
                operation, answer, {**params, **({token: f"page{index + 1}"} if index else {})}
            )

    @contextmanager
    def active(self) -> Iterator[None]:
        with self.ssm, self.quick_setup:
            yield
        self.ssm.assert_no_pending_responses()
        self.quick_setup.assert_no_pending_responses()


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
# The user guide ("Collect inventory every 30 minutes", /work/shared/seed/quick-setup-guide.ja.txt
# line 151): a global inventory association targets all instances; enabling Quick Setup's
# inventory beside it creates another schedule for the targeted instances, "競合はありません"
# (there is no conflict); "ただし、一部のインスタンスで非グローバルインベントリ設定が既に有効になって
# いる場合、前に作成した設定は失敗します" (but where a non-global inventory configuration is already
# enabled on some instances, the one created earlier fails). Also "Configuring inventory
# collection" (awsdocs/aws-systems-manager-user-guide, sysman-inventory-configuring.md): "If an
# instance is assigned multiple inventory associations and each uses a tag key/value pair, then
# those inventory associations fail to run on the instance because of the tag conflict."


def test_an_existing_targeted_inventory_that_can_reach_the_same_instances_is_an_error(assembly):
    existing = association("inventory-prod", "AWS-GatherSoftwareInventory", tag("Environment", "production"))
    account = Account().associations([existing]).setting("$None").syncs([]).managers([])
    result = preflight(account, assembly, "--stack", "Tagged", "--json")
    assert result.exit_code == 1, result.output
    [finding] = findings(result).values()
    assert (finding["severity"], finding["kind"]) == ("error", "inventory_conflict")
    assert (finding["resource"], finding["resource_id"]) == (
        "inventory-prod", existing["AssociationId"]
    )
    assert "fails the association created earlier, inventory-prod" in finding["message"]


def test_an_existing_inventory_for_another_tag_value_is_no_conflict(assembly):
    # Tag values of one key are disjoint: no instance carries Environment=production and
    # Environment=staging at once.
    existing = association("inventory-staging", "AWS-GatherSoftwareInventory", tag("Environment", "staging"))
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


def test_two_global_inventories_are_a_warning(assembly):
    # "Configuring inventory collection": "Each instance can be assigned an inventory
    # association that targets all instances" (one), and "If an instance is assigned multiple
    # inventory associations, the status shows Skipped for the association that hasn't run."
    existing = association("inventory-all", "arn:aws:ssm:us-east-1::document/AWS-GatherSoftwareInventory", ALL)
    account = Account().associations([existing]).managers([])
    result = preflight(account, assembly, "--stack", "Everything", "--json")
    assert result.exit_code == 0, result.output
    assert kinds(result, EVERYTHING) == {"inventory_duplicate": "warning"}


def test_the_configurations_own_associations_and_sync_are_no_conflict(assembly):
    # A stack deployed before: its associations are named QuickSetup-<Option>-<id>.
    own = [
        association(f"QuickSetup-CollectInventory-{TAGGED}", "AWS-GatherSoftwareInventory",
                    tag("Environment", "production"), 1),
        association(f"QuickSetup-ScanForPatches-{TAGGED}", "AWS-RunPatchBaselineAssociation",
                    tag("Environment", "production"), 2),
    ]
    account = (Account().associations(own).setting("Tagged-QuickSetupRolesDefaultHostMan-1A2B3C")
               .syncs([data_sync(f"QuickSetup-Inventory-{TAGGED}")]).managers([]))
    result = preflight(account, assembly, "--stack", "Tagged", "--json")
    assert result.exit_code == 0, result.output
    assert findings(result) == {}


def test_every_page_is_read(assembly):
    first = [association(f"cleanup-{n}", "AWS-RunShellScript", ALL, n) for n in range(1, 4)]
    conflicting = association("inventory-prod", "AWS-GatherSoftwareInventory",
                              [{"Key": "tag-key", "Values": ["Environment"]}], 9)
    console = manager("AWSQuickSetupType-SSMHostMgmt",
                      {"TargetAccounts": ACCOUNT, "TargetRegions": f"eu-west-1,{REGION}"})
    account = (Account().associations(first, [conflicting]).setting("$None")
               .syncs([data_sync("a")], [data_sync("b")])
               .managers([], [console]))
    result = preflight(account, assembly, "--stack", "Tagged", "--json")
    assert result.exit_code == 1, result.output
    assert kinds(result) == {"inventory_conflict": "error", "console_quick_setup": "warning"}


# patch scans -----------------------------------------------------------------------------------
# "Avoiding unintentional patch compliance data overwrites" (user guide): "If you have multiple
# types of operations in place to scan your instances for patch compliance, each scan overwrites
# the patch compliance data of previous scans." Not a failure: a warning.


@pytest.mark.parametrize("document", ["AWS-RunPatchBaseline", "AWS-RunPatchBaselineAssociation"])
def test_an_existing_patch_scan_of_the_same_instances_is_a_warning(assembly, document):
    existing = association("nightly-patch-scan", document, [{"Key": "tag-key", "Values": ["Environment"]}])
    account = Account().associations([existing]).setting("$None").syncs([]).managers([])
    result = preflight(account, assembly, "--stack", "Tagged", "--json")
    assert result.exit_code == 0, result.output
    [finding] = findings(result).values()
    assert (finding["severity"], finding["kind"], finding["resource"]) == (
        "warning", "patch_scan_overlap", "nightly-patch-scan"
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


@pytest.mark.parametrize(("value", "expected"), [
    ("service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole",
     {"default_host_management_role": "warning"}),
    ("Tagged-QuickSetupRolesDefaultHostMan-1A2B3C", {}),  # the stack's own, from a deploy
    ("$None", {}),  # DHMC off
])
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
        "error", "data_sync_exists", name
    )
    assert f"aws ssm delete-resource-data-sync --sync-name {name}" in finding["message"]


# console Quick Setup ---------------------------------------------------------------------------
# ConfigurationDefinitionInput.Parameters (botocore's ssm-quicksetup model), Host Management:
# "TargetAccounts ... if you want to deploy the configuration locally", "TargetRegions
# (Required) A comma separated list of Amazon Web Services Regions you want to deploy the
# configuration to."


@pytest.mark.parametrize(("parameters", "covers"), [
    ({"TargetAccounts": ACCOUNT, "TargetRegions": REGION}, True),
    ({"TargetOrganizationalUnits": "ou-abcd-11112222", "TargetRegions": REGION}, True),
    ({"TargetAccounts": ACCOUNT, "TargetRegions": "eu-west-1"}, False),
    ({"TargetAccounts": "222222222222", "TargetRegions": REGION}, False),
])
def test_a_console_host_management_manager_covering_the_region_is_a_warning(
    assembly, parameters, covers
):
    console = manager("AWSQuickSetupType-SSMHostMgmt", parameters)
    other = manager("AWSQuickSetupType-PatchPolicy", {"TargetRegions": REGION},
                    MANAGER_ARN.replace("0001", "0002"))  # listed, never read
    account = Account().associations([]).setting("$None").syncs([]).managers([other, console])
    result = preflight(account, assembly, "--stack", "Tagged", "--json")
    assert result.exit_code == 0, result.output
    found = findings(result)
    assert bool(found) is covers
    for finding in found.values():
        assert (finding["kind"], finding["resource"], finding["resource_id"]) == (
            "console_quick_setup", "console-host-management", MANAGER_ARN
        )
        assert (f"aws ssm-quicksetup delete-configuration-manager --manager-arn {MANAGER_ARN} "
                f"--region {REGION}") in finding["message"]


# where a configuration is checked ---------------------------------------------------------------


def test_an_organization_is_checked_as_one_member_account(assembly):
    existing = association("inventory-all", "AWS-GatherSoftwareInventory", ALL)
    account = Account().associations([existing]).managers([])
    result = preflight(account, assembly, "--stack", "Organization", "--json")
    assert result.exit_code == 0, result.output
    configuration = cli_json.data(result.stdout)["configurations"][ORGANIZATION]
    assert configuration["checked"] is True
    assert kinds(result, ORGANIZATION) == {"inventory_duplicate": "warning"}


def test_from_the_account_that_deploys_the_stack_sets_only_console_managers_are_compared(assembly):
    console = manager("AWSQuickSetupType-SSMHostMgmt",
                      {"TargetOrganizationalUnits": "ou-abcd-11112222", "TargetRegions": REGION},
                      MANAGER_ARN.replace(ACCOUNT, MANAGEMENT))
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
        TAGGED: True, EVERYTHING: True, ORGANIZATION: True,
    }


def test_a_region_no_configuration_deploys_to_is_an_error(assembly):
    result = preflight(Account(region="ap-south-1"), assembly, "--stack", "Tagged")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [(
        f"error: no configuration of {assembly} deploys to account {ACCOUNT} in ap-south-1: "
        f"{TAGGED} deploys to {REGION}, not ap-south-1: pass --region"
    )]


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
        "list_resource_data_sync", "AccessDeniedException",
        "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: "
        "ssm:ListResourceDataSync", 400, expected_params={"SyncType": "SyncToDestination"},
    )
    result = preflight(account, assembly, "--stack", "Tagged", "--output", output)
    assert result.exit_code == 2
    if output == "json":
        document = cli_json.envelope(result.stdout)
        assert document["data"] is None
        assert document["error"]["message"].startswith("AWS denied ListResourceDataSync in us-east-1")
    else:
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("error: AWS denied ListResourceDataSync in us-east-1")
        assert result.stdout == ""


# the table -------------------------------------------------------------------------------------


def test_the_table_names_the_existing_resource_and_what_to_do(assembly):
    existing = association("inventory-prod", "AWS-GatherSoftwareInventory", tag("Environment", "production"))
    account = Account().associations([existing]).setting("$None").syncs([]).managers([])
    result = preflight(account, assembly, "--stack", "Tagged", "--output", "text")
    assert result.exit_code == 1
    assert "1 error(s), 0 warnings" in result.stdout
    assert "inventory conflict" in result.stdout
    assert "inventory-prod" in result.stdout and existing["AssociationId"] in result.stdout


def test_preflight_starts_without_the_cdk_or_node(tmp_path, assembly):
    result = run_without_node(tmp_path, "preflight", str(assembly), "--region", REGION)
    assert result.returncode == 2
    [message, probe] = result.stderr.strip().splitlines()
    assert probe == "CDK-MODULES: none"
    assert "credentials" in message
