"""`quicksetup status` (and `--org`) and the one-line errors of every AWS command.

CloudFormation, StackSets, Organizations and STS run on a moto server started here; State
Manager associations, which moto does not implement, are answered by botocore's Stubber on the
real clients (it checks each request and response against the service model).
"""

from __future__ import annotations

import functools
import json
import urllib.request
from datetime import UTC, datetime
from typing import Any

import aws_cdk as cdk
import boto3
import pytest
from botocore.stub import Stubber
from click.testing import CliRunner

from quicksetup_constructs import QuickSetupOrganization
from quicksetup_constructs.cli.aws import Aws
from quicksetup_constructs.cli.catalogue import association_name
from quicksetup_constructs.cli.main import main
from quicksetup_constructs.options import OPTIONS_BY_KEY, ManagedDocument

from . import cli_json
from .moto_server import moto_server

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's account
CONFIG = "7a422481"
TAG = [{"Key": "tag:Environment", "Values": ["production"]}]
RAN = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
MEMBER_ROLE = "OrganizationAccountAccessRole"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
NO_AWS_ENVIRONMENT = {
    name: None
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ENDPOINT_URL",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
    )
} | {"AWS_EC2_METADATA_DISABLED": "true"}


# moto -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def moto_url():
    with moto_server() as url:
        yield url


@pytest.fixture
def moto(moto_url, monkeypatch, tmp_path):
    """An empty moto account, reached by every boto3 session of the test."""
    request = urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST")
    urllib.request.urlopen(request, timeout=5).close()
    isolate_from_local_aws_config(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    return moto_url


def isolate_from_local_aws_config(monkeypatch, tmp_path) -> None:
    for name, value in NO_AWS_ENVIRONMENT.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    (tmp_path / "config").write_text("")
    (tmp_path / "credentials").write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))


# State Manager answers ------------------------------------------------------------------------


def association_id(key: str, config: str = CONFIG) -> str:
    index = list(OPTIONS_BY_KEY).index(key)
    return f"{index:08x}-{int(config, 16) % 65536:04x}-4000-8000-{index:012x}"


def document_name(option) -> str:
    """The document's name as deployed: AWS's, or the one CloudFormation gives ours."""
    if isinstance(option.document, ManagedDocument):
        return option.document.name
    return f"QuickSetupLocalSample-QuickSetupDocuments{option.document.id}-Z3X8QK2LPA1M"


def association(
    key: str, counts: dict[str, int], status: str, config: str = CONFIG
) -> dict[str, Any]:
    """One ``Association`` of ``ListAssociations`` (or ``AssociationDescription``)."""
    option = OPTIONS_BY_KEY[key]
    return {
        "AssociationId": association_id(key, config),
        "AssociationName": association_name(option, config),
        "Name": document_name(option),
        "AssociationVersion": "1",
        "Targets": TAG if option.targets_instances else [],
        **({"ScheduleExpression": option.schedule} if option.schedule else {}),
        "LastExecutionDate": RAN,
        "Overview": {
            "Status": status,
            "DetailedStatus": status,
            "AssociationStatusAggregatedCount": counts,
        },
    }


def execution(key: str, status: str, counts: str, config: str = CONFIG) -> dict[str, Any]:
    return {
        "AssociationExecutions": [
            {
                "AssociationId": association_id(key, config),
                "AssociationVersion": "1",
                "ExecutionId": f"e{association_id(key, config)[1:]}",
                "Status": status,
                "DetailedStatus": status,
                "CreatedTime": RAN,
                "LastExecutionDate": RAN,
                "ResourceCountByStatus": counts,
            }
        ]
    }


def local_associations() -> list[dict[str, Any]]:
    return [
        association("attach_instance_profile", {"Success": 3}, "Success"),
        association("update_ssm_agent", {"Success": 2, "Failed": 1}, "Failed"),
        association("collect_inventory", {"Success": 1, "Pending": 2}, "Pending"),
        association("scan_for_patches", {"Success": 3}, "Success"),
    ]


def expect_executions(stubber: Stubber) -> None:
    """The latest run of each association of :func:`local_associations`, in catalogue order."""
    for key, status, counts in (
        ("attach_instance_profile", "Success", "{Success=3}"),
        ("update_ssm_agent", "Failed", "{Success=2, Failed=1}"),
        ("collect_inventory", "InProgress", "{Success=1, Pending=2}"),
        ("scan_for_patches", "Success", "{Success=3}"),
    ):
        stubber.add_response(
            "describe_association_executions",
            execution(key, status, counts),
            {"AssociationId": association_id(key), "MaxResults": 1},
        )


DHMC_SETTING = "/ssm/managed-instance/default-ec2-instance-management-role"
SYNCED = datetime(2026, 1, 5, 8, 30, tzinfo=UTC)


def service_setting(value: str) -> dict[str, Any]:
    """``GetServiceSetting``'s answer for the DHMC setting."""
    return {
        "ServiceSetting": {
            "SettingId": DHMC_SETTING,
            "SettingValue": value,
            "LastModifiedDate": RAN,
            "LastModifiedUser": f"arn:aws:sts::{ACCOUNT}:assumed-role/cfn/ops",
            "Status": "Customized",
            "ARN": f"arn:aws:ssm:{REGION}:{ACCOUNT}:servicesetting{DHMC_SETTING}",
        }
    }


def data_sync(name: str, last_status: str, message: str = "") -> dict[str, Any]:
    """One ``ResourceDataSyncItem`` of ``ListResourceDataSync``."""
    return {
        "SyncName": name,
        "SyncType": "SyncToDestination",
        "S3Destination": {
            "BucketName": "inventory-bucket-123",
            "SyncFormat": "JsonSerDe",
            "Region": REGION,
        },
        "LastSyncTime": SYNCED,
        "LastSuccessfulSyncTime": RAN,
        "LastStatus": last_status,
        "SyncCreatedTime": RAN,
        **({"LastSyncStatusMessage": message} if message else {}),
    }


def expect_no_account_settings(stubber: Stubber) -> None:
    """Without --stack: DHMC off, and no inventory sync in the account."""
    stubber.add_response(
        "get_service_setting", service_setting("$None"), {"SettingId": DHMC_SETTING}
    )
    stubber.add_response("list_resource_data_sync", {"ResourceDataSyncItems": []}, {})


def stubbed_aws() -> tuple[Aws, Stubber]:
    """A session whose State Manager client answers from a Stubber."""
    aws = Aws(
        boto3.Session(region_name=REGION, **{k.lower(): v for k, v in CREDENTIALS.items()}),
        account=ACCOUNT,  # as GetCallerIdentity would say, for the JSON envelope
    )
    return aws, Stubber(aws.client("ssm"))


def run(args: list[str], obj: Aws | None = None, env: dict[str, str | None] | None = None):
    runner = CliRunner(env={"COLUMNS": "200", **(env or {})})
    return runner.invoke(main, args, obj=obj, catch_exceptions=False)


def data(result) -> dict[str, Any]:
    """The ``data`` of the one JSON object (the contract's envelope) ``--json`` printed, for a
    command that did its job (``error`` null)."""
    return cli_json.data(result.stdout)  # checked against the schema the package ships


def configurations(result) -> dict[str, dict[str, Any]]:
    """``data.configurations`` of ``status --json``: each keyed by its id, and each card of its
    ``options`` by its key."""
    found = data(result)["configurations"]
    for configuration_id, status in found.items():
        assert status["configuration_id"] == configuration_id
        assert all(card["key"] == key for key, card in status["options"].items())
    return found


def stack_sets(result) -> dict[str, dict[str, Any]]:
    """``data.stack_sets`` of ``status --org --json``: each keyed by its name, and each of its
    ``target_results`` by ``account/region``."""
    found = data(result)["stack_sets"]
    for name, stack_set in found.items():
        assert stack_set["name"] == name
        assert all(
            target_id == f"{target['account']}/{target['region']}"
            for target_id, target in stack_set["target_results"].items()
        )
    return found


# status ---------------------------------------------------------------------------------------


def test_status_shows_a_card_per_option_of_every_configuration():
    aws, stubber = stubbed_aws()
    other = {
        "AssociationId": "99999999-0000-4000-8000-000000000000",
        "Name": "AWS-RunShellScript",
        "AssociationName": "nightly-cleanup",
    }
    stubber.add_response("list_associations", {"Associations": [other, *local_associations()]}, {})
    expect_executions(stubber)
    expect_no_account_settings(stubber)
    with stubber:
        result = run(["status", "--json"], aws)
    stubber.assert_no_pending_responses()
    assert result.exit_code == 1, result.output  # findings: update_ssm_agent failed
    [(configuration_id, status)] = configurations(result).items()
    assert configuration_id == CONFIG
    assert (status["configuration_id"], status["region"], status["stack"]) == (CONFIG, REGION, None)
    assert status["targets"] == "instances tagged Environment=production"
    cards = status["options"]
    assert list(cards) == list(OPTIONS_BY_KEY), "a card for every option, in catalogue order"
    assert {key: card["status"] for key, card in cards.items()} == {
        "attach_instance_profile": "Success",
        "update_ssm_agent": "Failed",
        "collect_inventory": "Pending",
        "scan_for_patches": "Success",
        "install_cloudwatch_agent": "Not configured",
        "update_cloudwatch_agent": "Not configured",
        "update_ec2_launch_agent": "Not configured",
        "enable_explorer": "Not configured",
    }
    assert cards["update_ssm_agent"]["counts"] == {"Success": 2, "Failed": 1}
    assert cards["update_ssm_agent"]["target_count"] == 3
    assert cards["update_ssm_agent"]["last_run"] == "2026-01-05T09:00:00Z"
    assert cards["update_ssm_agent"]["title"] == OPTIONS_BY_KEY["update_ssm_agent"].title
    assert status["status"] == "Failed"
    assert (status["host_management"], status["inventory_sync"]) == (None, None), (
        "DHMC off and no sync: no card"
    )


def test_status_cards_for_people():
    aws, stubber = stubbed_aws()
    stubber.add_response("list_associations", {"Associations": local_associations()}, {})
    expect_executions(stubber)
    expect_no_account_settings(stubber)
    with stubber:
        result = run(["status"], aws)
    assert result.exit_code == 1  # a failed association is a finding
    for text in (
        f"Configuration {CONFIG}",
        "✗ Failed",
        "✓ Success",
        "… Pending",
        "– Not configured",
        "Targets: 3 (1 Failed, 2 Success)",
        "Last run: 2026-01-05 09:00 UTC",
        OPTIONS_BY_KEY["scan_for_patches"].title,
    ):
        assert text in result.stdout, text


def test_status_of_a_stack_reads_its_associations():
    """moto cannot create associations in a stack, so CloudFormation answers from a Stubber
    here too."""
    aws, stubber = stubbed_aws()
    cloudformation = Stubber(aws.client("cloudformation"))
    resources = [
        {
            "LogicalResourceId": f"QuickSetup{key}",
            "PhysicalResourceId": association_id(key),
            "ResourceType": "AWS::SSM::Association",
            "ResourceStatus": "CREATE_COMPLETE",
            "LastUpdatedTimestamp": RAN,
        }
        for key in (
            "attach_instance_profile",
            "update_ssm_agent",
            "collect_inventory",
            "scan_for_patches",
        )
    ] + [
        {
            "LogicalResourceId": "QuickSetupRolesInstanceRole",
            "PhysicalResourceId": "Role-1",
            "ResourceType": "AWS::IAM::Role",
            "ResourceStatus": "CREATE_COMPLETE",
            "LastUpdatedTimestamp": RAN,
        }
    ]
    cloudformation.add_response(
        "list_stack_resources",
        {"StackResourceSummaries": resources},
        {"StackName": "QuickSetupLocalSample"},
    )
    for description in local_associations():
        stubber.add_response(
            "describe_association",
            {"AssociationDescription": description},
            {"AssociationId": description["AssociationId"]},
        )
    expect_executions(stubber)
    with stubber, cloudformation:
        result = run(["status", "--stack", "QuickSetupLocalSample", "--json"], aws)
    stubber.assert_no_pending_responses()
    cloudformation.assert_no_pending_responses()
    [status] = configurations(result).values()
    assert status["stack"] == "QuickSetupLocalSample"
    assert status["status"] == "Failed"


def test_status_of_an_organization_stack_points_to_org():
    aws, _ = stubbed_aws()
    cloudformation = Stubber(aws.client("cloudformation"))
    cloudformation.add_response(
        "list_stack_resources",
        {
            "StackResourceSummaries": [
                {
                    "LogicalResourceId": "OrgQuickSetupRegionalStackSet",
                    "PhysicalResourceId": (
                        "QuickSetup-19d1f875-Associations:6f1b2c3d-0000-4000-8000-1234567890ab"
                    ),
                    "ResourceType": "AWS::CloudFormation::StackSet",
                    "ResourceStatus": "CREATE_COMPLETE",
                    "LastUpdatedTimestamp": RAN,
                }
            ]
        },
        {"StackName": "QuickSetupOrganizationSample"},
    )
    with cloudformation:
        result = run(["status", "--stack", "QuickSetupOrganizationSample"], aws)
    assert result.exit_code == 2
    assert "quicksetup status --org --stack QuickSetupOrganizationSample" in result.stderr


# a stack's associations and settings, as deployed ----------------------------------------------


STACK = "QuickSetupLocalSample"
DHMC_ROLE = "QuickSetupLocalSample-QuickSetupRolesDefaultHost-4VQ1XK8ZC2AB"
"""The name CloudFormation gave the DHMC role (the template refers to it with a Ref)."""
SYNC = f"QuickSetup-Inventory-{CONFIG}"


@pytest.fixture(scope="module")
def local_template() -> dict[str, Any]:
    return synthesized_local_template()


@functools.cache
def synthesized_local_template() -> dict[str, Any]:
    """The template of a local configuration with DHMC and an inventory sync, from the real
    construct."""
    from quicksetup_constructs import InstanceTargets, QuickSetupLocal
    from quicksetup_constructs.options import InventorySync

    stack = cdk.Stack(cdk.App(), STACK)
    QuickSetupLocal(
        stack,
        "QuickSetup",
        targets=InstanceTargets.tag("Environment", "production"),
        default_host_management=True,
        configuration_id=CONFIG,
        inventory_sync=InventorySync.to_bucket("inventory-bucket-123", REGION),
    )
    return cdk.assertions.Template.from_stack(stack).to_json()


def template_keys(template: dict[str, Any]) -> dict[str, str]:
    """Option key of each association of ``template``, by logical id."""
    from quicksetup_constructs.cli.catalogue import match_association

    return {
        logical_id: match_association(resource["Properties"]["AssociationName"]).key
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::SSM::Association"
    }


def expect_stack(
    aws: Aws, stubber: Stubber, template: dict[str, Any], *, missing: tuple[str, ...] = ()
) -> Stubber:
    """CloudFormation's resources and template of the stack (a Stubber, returned), and
    ``DescribeAssociation`` of each association: those of ``missing`` were deleted outside
    CloudFormation; the others ran on 3 targets with success."""
    cloudformation = Stubber(aws.client("cloudformation"))
    keys = template_keys(template)
    physical = {
        logical_id: (
            association_id(keys[logical_id])
            if logical_id in keys
            else DHMC_ROLE
            if resource["Type"] == "AWS::IAM::Role" and "DefaultHostManagement" in logical_id
            else resource["Properties"]["SyncName"]
            if resource["Type"] == "AWS::SSM::ResourceDataSync"
            else f"{logical_id}-1A2B3C"
        )
        for logical_id, resource in template["Resources"].items()
    }
    cloudformation.add_response(
        "list_stack_resources",
        {
            "StackResourceSummaries": [
                {
                    "LogicalResourceId": logical_id,
                    "PhysicalResourceId": physical[logical_id],
                    "ResourceType": resource["Type"],
                    "ResourceStatus": "CREATE_COMPLETE",
                    "LastUpdatedTimestamp": RAN,
                }
                for logical_id, resource in template["Resources"].items()
            ]
        },
        {"StackName": STACK},
    )
    for key in keys.values():
        if key in missing:
            stubber.add_client_error(
                "describe_association",
                service_error_code="AssociationDoesNotExist",
                service_message="",
                http_status_code=400,
                expected_params={"AssociationId": association_id(key)},
            )
        else:
            stubber.add_response(
                "describe_association",
                {"AssociationDescription": association(key, {"Success": 3}, "Success")},
                {"AssociationId": association_id(key)},
            )
    if missing or any(
        r["Type"] == "AWS::SSM::ServiceSetting" for r in template["Resources"].values()
    ):
        cloudformation.add_response(
            "get_template", {"TemplateBody": json.dumps(template)}, {"StackName": STACK}
        )
    return cloudformation


def expect_successful_runs(stubber: Stubber, keys) -> None:
    """The latest run of each of ``keys`` (in catalogue order): a success on 3 targets."""
    for key in [key for key in OPTIONS_BY_KEY if key in set(keys)]:
        stubber.add_response(
            "describe_association_executions",
            execution(key, "Success", "{Success=3}"),
            {"AssociationId": association_id(key), "MaxResults": 1},
        )


def expect_update_agent_deleted(template: dict[str, Any]) -> tuple[Aws, Stubber, Stubber]:
    """The stack's association of update_ssm_agent was deleted outside CloudFormation; the
    others, DHMC and the sync are well."""
    aws, stubber = stubbed_aws()
    cloudformation = expect_stack(aws, stubber, template, missing=("update_ssm_agent",))
    keys = set(template_keys(template).values())
    expect_successful_runs(stubber, keys - {"update_ssm_agent"})  # the rest are read
    stubber.add_response(
        "get_service_setting", service_setting(DHMC_ROLE), {"SettingId": DHMC_SETTING}
    )
    stubber.add_response(
        "list_resource_data_sync", {"ResourceDataSyncItems": [data_sync(SYNC, "Successful")]}, {}
    )
    return aws, stubber, cloudformation


def test_status_of_a_stack_shows_an_association_deleted_outside_cloudformation(local_template):
    aws, stubber, cloudformation = expect_update_agent_deleted(local_template)
    with stubber, cloudformation:
        result = run(["status", "--stack", STACK, "--json"], aws)
    stubber.assert_no_pending_responses()
    cloudformation.assert_no_pending_responses()
    assert result.exit_code == 1, result.output  # a missing association is a finding
    [status] = configurations(result).values()
    cards = status["options"]
    assert cards["update_ssm_agent"] | {"title": None} == {
        "key": "update_ssm_agent",
        "title": None,
        "status": "Missing",
        "association_name": f"QuickSetup-UpdateSSMAgent-{CONFIG}",
        "association_id": association_id("update_ssm_agent"),
        "detail": "deleted outside CloudFormation",
        "last_run": None,
        "last_execution": None,
        "counts": {},
        "document": "AWS-UpdateSSMAgent",
        "target_count": 0,
    }
    keys = set(template_keys(local_template).values())
    assert {key: card["status"] for key, card in cards.items() if key in keys} == {
        key: "Missing" if key == "update_ssm_agent" else "Success" for key in keys
    }
    assert status["status"] == "Missing"
    assert status["host_management"]["status"] == "Success"


def test_an_association_deleted_outside_cloudformation_for_people(local_template):
    aws, stubber, cloudformation = expect_update_agent_deleted(local_template)
    with stubber, cloudformation:
        result = run(["status", "--stack", STACK], aws)
    assert result.exit_code == 1
    for text in (
        "! Missing",
        "deleted outside CloudFormation",
        f"QuickSetup-UpdateSSMAgent-{CONFIG}",
        association_id("update_ssm_agent"),
    ):
        assert text in result.stdout, text


@pytest.mark.parametrize(
    ("setting", "sync", "exit_code"),
    [
        (DHMC_ROLE, "Successful", 0),
        ("$None", "Successful", 1),
        ("service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole", "Successful", 1),
        (DHMC_ROLE, "Failed", 1),
    ],
    ids=["dhmc-on-sync-ok", "dhmc-off", "dhmc-other-role", "sync-failed"],
)
def test_status_of_a_stack_shows_its_dhmc_setting_and_inventory_sync(
    local_template,
    setting,
    sync,
    exit_code,
):
    aws, stubber = stubbed_aws()
    cloudformation = expect_stack(aws, stubber, local_template)
    expect_successful_runs(stubber, template_keys(local_template).values())
    stubber.add_response(
        "get_service_setting", service_setting(setting), {"SettingId": DHMC_SETTING}
    )
    message = (
        "AccessDenied: bucket inventory-bucket-123 refused PutObject" if sync == "Failed" else ""
    )
    stubber.add_response(
        "list_resource_data_sync",
        {
            "ResourceDataSyncItems": [
                data_sync("my-own-sync", "Failed"),
                data_sync(SYNC, sync, message),
            ]
        },
        {},
    )
    with stubber, cloudformation:
        result = run(["status", "--stack", STACK, "--json"], aws)
    stubber.assert_no_pending_responses()
    cloudformation.assert_no_pending_responses()
    assert result.exit_code == exit_code, result.output
    [status] = configurations(result).values()
    host, inventory = status["host_management"], status["inventory_sync"]
    assert (host["setting_id"], host["value"], host["role"]) == (DHMC_SETTING, setting, DHMC_ROLE)
    assert host["names_role"] == (setting == DHMC_ROLE)
    assert host["status"] == ("Success" if setting == DHMC_ROLE else "Failed")
    assert (inventory["sync_name"], inventory["last_status"]) == (SYNC, sync)
    assert inventory["status"] == ("Success" if sync == "Successful" else "Failed")
    assert (inventory["last_sync"], inventory["last_successful_sync"]) == (
        "2026-01-05T08:30:00Z",
        "2026-01-05T09:00:00Z",
    )
    assert inventory["last_message"] == (message or None)


def test_status_cards_of_the_dhmc_setting_and_inventory_sync_for_people(local_template):
    aws, stubber = stubbed_aws()
    cloudformation = expect_stack(aws, stubber, local_template)
    expect_successful_runs(stubber, template_keys(local_template).values())
    stubber.add_response(
        "get_service_setting", service_setting(DHMC_ROLE), {"SettingId": DHMC_SETTING}
    )
    stubber.add_response(
        "list_resource_data_sync",
        {
            "ResourceDataSyncItems": [
                data_sync(SYNC, "Failed", "AccessDenied: PutObject refused"),
            ]
        },
        {},
    )
    with stubber, cloudformation:
        result = run(["status", "--stack", STACK], aws)
    assert result.exit_code == 1  # the failed sync
    for text in (
        "Turn on Default Host Management",
        "Role:",
        DHMC_ROLE[:40],  # the rest folded
        "the configuration's role",
        "Deliver the inventory to one S3 bucket",
        "✗ Failed",
        "Last sync: 2026-01-05 08:30 UTC",
        "Last success: 2026-01-05 09:00 UTC",
        "AccessDenied: PutObject refused",
        SYNC,
    ):
        assert text in result.stdout, text


def test_status_gives_the_account_settings_to_the_configuration_they_name():
    """Without --stack: the DHMC setting goes to the configuration its role's name ends with,
    each sync to the configuration its name ends with."""
    aws, stubber = stubbed_aws()
    other = "0e2d9f11"
    stubber.add_response(
        "list_associations",
        {
            "Associations": [
                association("scan_for_patches", {"Success": 3}, "Success"),
                association("collect_inventory", {"Success": 1}, "Success", config=other),
            ]
        },
        {},
    )
    stubber.add_response(
        "describe_association_executions",
        execution("collect_inventory", "Success", "{Success=1}", other),
        {"AssociationId": association_id("collect_inventory", other), "MaxResults": 1},
    )
    stubber.add_response(
        "describe_association_executions",
        execution("scan_for_patches", "Success", "{Success=3}"),
        {"AssociationId": association_id("scan_for_patches"), "MaxResults": 1},
    )
    stubber.add_response(
        "get_service_setting",
        service_setting(f"QuickSetup-DHMC-{other}"),
        {"SettingId": DHMC_SETTING},
    )
    stubber.add_response(
        "list_resource_data_sync",
        {
            "ResourceDataSyncItems": [
                data_sync(f"QuickSetup-Inventory-{other}", "Failed", "bucket not found"),
                data_sync(SYNC, "InProgress"),
                data_sync("QuickSetup-Inventory-99999999", "Failed"),  # no such configuration here
            ]
        },
        {},
    )
    with stubber:
        result = run(["status", "--json"], aws)
    stubber.assert_no_pending_responses()
    assert result.exit_code == 1, result.output  # the other configuration's sync failed
    by_id = configurations(result)
    assert set(by_id) == {CONFIG, other}
    assert by_id[CONFIG]["host_management"] is None
    assert by_id[CONFIG]["inventory_sync"]["status"] == "Pending"
    assert by_id[other]["host_management"] | {"title": None, "last_modified_by": None} == {
        "key": "default_host_management",
        "title": None,
        "status": "Success",
        "setting_id": DHMC_SETTING,
        "value": f"QuickSetup-DHMC-{other}",
        "role": f"QuickSetup-DHMC-{other}",
        "names_role": True,
        "detail": None,
        "last_modified": "2026-01-05T09:00:00Z",
        "last_modified_by": None,
    }
    assert by_id[other]["inventory_sync"]["status"] == "Failed"
    assert by_id[other]["inventory_sync"]["last_message"] == "bucket not found"
    assert (by_id[CONFIG]["status"], by_id[other]["status"]) == ("Pending", "Failed")


# organization ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def organization_stack_sets() -> dict[str, str]:
    """The sample's StackSet names and template bodies, from the real construct."""
    stack = cdk.Stack(cdk.App(), "Org")
    org = QuickSetupOrganization(
        stack,
        "OrgQuickSetup",
        organizational_unit_ids=["ou-abcd-11112222"],
        regions=["us-east-1", "ap-northeast-1"],
        account_count=2,
        configuration_id="19d1f875",
    )
    return {
        resource.stack_set_name: resource.template_body
        for resource in (org.account_stack_set, org.regional_stack_set)
    }


def deploy_organization(stack_sets: dict[str, str]) -> list[str]:
    """An organization with one OU of two accounts, and the StackSets deployed to it (moto)."""
    organizations = boto3.client("organizations", region_name=REGION)
    organizations.create_organization(FeatureSet="ALL")
    root = organizations.list_roots()["Roots"][0]["Id"]
    unit = organizations.create_organizational_unit(ParentId=root, Name="Workloads")
    unit_id = unit["OrganizationalUnit"]["Id"]
    accounts = []
    for name in ("web", "batch"):
        account = organizations.create_account(Email=f"{name}@example.com", AccountName=name)
        account_id = account["CreateAccountStatus"]["AccountId"]
        organizations.move_account(
            AccountId=account_id, SourceParentId=root, DestinationParentId=unit_id
        )
        accounts.append(account_id)
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    unrelated = json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}})
    for name, body in [*stack_sets.items(), ("AuditTopics", unrelated)]:
        cloudformation.create_stack_set(
            StackSetName=name,
            TemplateBody=body,
            PermissionModel="SERVICE_MANAGED",
            AutoDeployment={"Enabled": True, "RetainStacksOnAccountRemoval": False},
        )
        regions = (
            ["us-east-1"]
            if not name.endswith("Associations")
            else [
                "us-east-1",
                "ap-northeast-1",
            ]
        )
        cloudformation.create_stack_instances(
            StackSetName=name,
            DeploymentTargets={"OrganizationalUnitIds": [unit_id]},
            Regions=regions,
        )
    return accounts


def org_association(key: str, status: str) -> dict[str, Any]:
    counts = {status: 2} if status != "Success" else {"Success": 2}
    return association(key, counts, status, config="19d1f875") | {
        "Targets": [{"Key": "InstanceIds", "Values": ["*"]}]
    }


ORG_KEYS = (
    "attach_instance_profile",
    "update_ssm_agent",
    "collect_inventory",
    "scan_for_patches",
    "enable_explorer",
)
"""The options of the sample app's organization configuration."""


def test_status_org_shows_stack_instances_and_associations_per_target(
    moto, organization_stack_sets
):
    web, batch = deploy_organization(organization_stack_sets)
    aws = Aws(boto3.Session(region_name=REGION))
    answers = {
        (web, "us-east-1"): {key: "Success" for key in ORG_KEYS},
        (web, "ap-northeast-1"): {key: "Success" for key in ORG_KEYS}
        | {"scan_for_patches": "Failed"},
        (batch, "us-east-1"): {key: "Success" for key in ORG_KEYS if key != "collect_inventory"},
        (batch, "ap-northeast-1"): {key: "Success" for key in ORG_KEYS},
    }
    stubbers = []
    for (account, region), statuses in answers.items():
        client = aws.member(account, MEMBER_ROLE).client("ssm", region)  # STS: moto
        stubber = Stubber(client)
        stubber.add_response(
            "list_associations",
            {"Associations": [org_association(key, state) for key, state in statuses.items()]},
            {},
        )
        stubber.activate()
        stubbers.append(stubber)
    result = run(["status", "--org", "--member-role", MEMBER_ROLE, "--json"], aws)
    for stubber in stubbers:
        stubber.assert_no_pending_responses()
    # findings: scan_for_patches failed in (web, ap-northeast-1); `status --org` now exits 1
    # for a Failed target, as `status` does for a Failed card (it exited 0 before)
    assert result.exit_code == 1, result.output
    found = stack_sets(result)
    assert set(found) == set(organization_stack_sets), "only Quick Setup StackSets"
    regional = found["QuickSetup-19d1f875-Associations"]
    assert regional["configuration_ids"] == ["19d1f875"]
    assert len(regional["association_names"]) == len(ORG_KEYS)
    targets = {(t["account"], t["region"]): t for t in regional["target_results"].values()}
    assert set(targets) == set(answers)
    assert {t["detailed_status"] for t in targets.values()} == {"SUCCEEDED"}
    assert targets[web, "us-east-1"]["association_status"] == "Success"
    assert targets[web, "ap-northeast-1"]["association_status"] == "Failed"
    assert targets[web, "ap-northeast-1"]["options"]["scan_for_patches"] == "Failed"
    assert targets[batch, "us-east-1"]["association_status"] == "Pending"
    assert targets[batch, "us-east-1"]["association_detail"] == "not created yet: collect_inventory"
    assert regional["summary"]["SUCCEEDED"] == 4
    roles = found["QuickSetup-19d1f875-AccountRoles"]
    assert [(t["region"], t["association_status"]) for t in roles["target_results"].values()] == [
        ("us-east-1", "Not configured")
    ] * 2


def test_status_org_without_a_member_role_reads_no_other_account(moto, organization_stack_sets):
    web, _ = deploy_organization(organization_stack_sets)
    result = run(["status", "--org", "--region", REGION])
    # a target not read is a finding: exit 1, with how many and why on standard error
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        "error: 4 targets (account × Region) could not be read: another account: pass "
        "--member-role to read its associations, or query the inventory bucket with Athena "
        "(InventorySync(..., athena=True), or --athena-workgroup)\n"
    )
    assert "QuickSetup-19d1f875-Associations" in result.stdout
    assert web in result.stdout and "SUCCEEDED" in result.stdout
    assert "Not read" in result.stdout and "--member-role" in result.stdout


def test_status_org_fails_when_no_stack_set_is_quick_setups(moto):
    boto3.client("cloudformation", region_name=REGION).create_stack_set(
        StackSetName="AuditTopics",
        TemplateBody=json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}),
    )
    result = run(["status", "--org", "--region", REGION])
    assert result.exit_code == 2
    assert f"no Quick Setup StackSet in {REGION} (account {ACCOUNT})" in result.stderr


def test_status_org_of_a_stack_reads_its_stack_sets_and_the_own_accounts_associations(
    organization_stack_sets,
):
    """moto creates no StackSet resources inside a stack: CloudFormation answers from a
    Stubber. A target in the caller's own account is read without a member role."""
    aws, ssm = stubbed_aws()
    cloudformation = Stubber(aws.client("cloudformation"))
    name = "QuickSetup-19d1f875-Associations"
    stack_set_id = f"{name}:6f1b2c3d-0000-4000-8000-1234567890ab"
    cloudformation.add_response(
        "list_stack_resources",
        {
            "StackResourceSummaries": [
                {
                    "LogicalResourceId": "OrgQuickSetupRegionalStackSet",
                    "PhysicalResourceId": stack_set_id,
                    "ResourceType": "AWS::CloudFormation::StackSet",
                    "ResourceStatus": "CREATE_COMPLETE",
                    "LastUpdatedTimestamp": RAN,
                }
            ]
        },
        {"StackName": "QuickSetupOrganizationSample"},
    )
    cloudformation.add_response(
        "describe_stack_set",
        {
            "StackSet": {
                "StackSetName": name,
                "StackSetId": stack_set_id,
                "Status": "ACTIVE",
                "TemplateBody": organization_stack_sets[name],
                "PermissionModel": "SERVICE_MANAGED",
            }
        },
        {"StackSetName": stack_set_id, "CallAs": "DELEGATED_ADMIN"},
    )
    cloudformation.add_response(
        "list_stack_instances",
        {
            "Summaries": [
                {
                    "StackSetId": stack_set_id,
                    "Region": REGION,
                    "Account": ACCOUNT,
                    "Status": "OUTDATED",
                    "StatusReason": "ResourceLogicalId:ScanForPatches, "
                    "ResourceType:AWS::SSM::Association, "
                    "ResourceStatusReason:AssociationLimitExceeded.",
                    "StackInstanceStatus": {"DetailedStatus": "FAILED"},
                    "OrganizationalUnitId": "ou-abcd-11112222",
                }
            ]
        },
        {"StackSetName": name, "CallAs": "DELEGATED_ADMIN"},
    )
    ssm.add_response(
        "list_associations",
        {
            "Associations": [
                org_association(key, "Success") for key in ORG_KEYS if key != "scan_for_patches"
            ]
        },
        {},
    )
    with cloudformation, ssm:  # the caller's account is known: no GetCallerIdentity
        result = run(
            [
                "status",
                "--org",
                "--delegated-admin",
                "--stack",
                "QuickSetupOrganizationSample",
                "--json",
            ],
            aws,
        )
    for stubber in (cloudformation, ssm):
        stubber.assert_no_pending_responses()
    [stack_set] = stack_sets(result).values()
    [(target_id, target)] = stack_set["target_results"].items()
    assert target_id == f"{ACCOUNT}/{REGION}"
    assert (target["detailed_status"], target["instance_status"]) == ("FAILED", "OUTDATED")
    assert "AssociationLimitExceeded" in target["reason"]
    assert target["organizational_unit_id"] == "ou-abcd-11112222"
    assert target["association_status"] == "Pending"
    assert target["association_detail"] == "not created yet: scan_for_patches"


# one-line errors ------------------------------------------------------------------------------


def test_fails_when_the_stack_does_not_exist(moto):
    result = run(["status", "--stack", "NoSuchStack", "--region", REGION])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip() == (
        f"error: stack 'NoSuchStack' does not exist in {REGION}: check the name "
        "(`aws cloudformation list-stacks`), or pass --region"
    )


def test_fails_when_the_stack_has_no_quick_setup_association(moto):
    boto3.client("cloudformation", region_name=REGION).create_stack(
        StackName="Network",
        TemplateBody=json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}),
    )
    result = run(["troubleshoot", "--stack", "Network", "--region", REGION])
    assert result.exit_code == 2
    assert "stack 'Network' in us-east-1 has no Quick Setup association" in result.stderr


def test_fails_when_the_region_has_no_configuration(moto):
    aws, stubber = stubbed_aws()
    stubber.add_response(
        "list_associations",
        {
            "Associations": [
                {
                    "AssociationId": "99999999-0000-4000-8000-000000000000",
                    "Name": "AWS-RunShellScript",
                    "AssociationName": "nightly-cleanup",
                },
            ]
        },
        {},
    )
    with stubber:
        result = run(["compliance"], aws)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: no Quick Setup configuration in {REGION} (account {ACCOUNT}): no association "
        "there is named QuickSetup-*; deploy one, or pass --region"
    )


@pytest.mark.parametrize("command", ["status", "troubleshoot", "compliance"])
def test_fails_without_credentials(command, monkeypatch, tmp_path):
    isolate_from_local_aws_config(monkeypatch, tmp_path)
    result = run([command, "--region", REGION])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: no AWS credentials found:")
    assert len(result.stderr.strip().splitlines()) == 1


def test_fails_with_an_unknown_profile(monkeypatch, tmp_path):
    isolate_from_local_aws_config(monkeypatch, tmp_path)
    result = run(["status", "--profile", "nope", "--region", REGION])
    assert result.exit_code == 2
    assert result.stderr == (
        "error: AWS profile 'nope' not found in the AWS config or credentials files "
        "(see `aws configure list-profiles`)\n"
    )


def test_profile_and_region_are_read_as_the_aws_cli_reads_them(monkeypatch, tmp_path):
    isolate_from_local_aws_config(monkeypatch, tmp_path)
    (tmp_path / "config").write_text("[profile ops]\nregion = eu-west-3\n")
    aws = Aws.from_options("ops", None)
    assert aws.region == "eu-west-3"
    assert Aws.from_options("ops", "ap-northeast-1").region == "ap-northeast-1"


def test_fails_without_a_region(monkeypatch, tmp_path):
    isolate_from_local_aws_config(monkeypatch, tmp_path)
    result = run(["status"], env=CREDENTIALS)
    assert result.exit_code == 2
    assert "error: no AWS Region: pass --region" in result.stderr


def test_access_denied_is_one_line():
    aws, stubber = stubbed_aws()
    stubber.add_client_error(
        "list_associations",
        service_error_code="AccessDeniedException",
        service_message=f"User: arn:aws:iam::{ACCOUNT}:user/dev is not authorized to perform: "
        "ssm:ListAssociations",
        http_status_code=400,
        expected_params={},
    )
    with stubber:
        result = run(["status"], aws)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: AWS denied ListAssociations in {REGION} (account {ACCOUNT}): User: "
        f"arn:aws:iam::{ACCOUNT}:user/dev is not "
        "authorized to perform: ssm:ListAssociations"
    )


def test_help_lists_the_four_commands():
    result = run(["--help"])
    assert result.exit_code == 0
    for command in ("plan", "status", "troubleshoot", "compliance"):
        assert f"  {command} " in result.stdout
    for command in ("status", "troubleshoot", "compliance"):
        help_text = run([command, "--help"]).stdout
        for flag in ("--profile", "--region", "--stack", "--json"):
            assert flag in help_text, (command, flag)
