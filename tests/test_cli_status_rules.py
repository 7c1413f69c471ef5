"""Every rule a user reads from `quicksetup status`, each pinned by its own test: the state of
every card (an option's, the Default Host Management setting's, the inventory sync's, and each
target's under --org), the target counts at any size, and the exit code of each state.

State Manager and CloudFormation answer from botocore's Stubber (the stubbing helpers of
tests/test_cli_status.py), which checks each request and answer against the service model.
The AWS facts the expectations rest on, cited beside them:

- botocore's ssm model (``AssociationOverview.Status``: "Status can be: Pending, Success, or
  Failed"; ``AssociationExecution.ResourceCountByStatus``: a string, "an aggregate status of
  the resources in the execution based on the status type"; ``LastResourceDataSyncStatus``:
  Successful, Failed, InProgress; ``GetServiceSetting`` errors: ``ServiceSettingNotFound``);
- the AWS CLI's example of ``describe-association-executions`` (aws-cli,
  awscli/examples/ssm/describe-association-executions.rst), where ``ResourceCountByStatus``
  is written ``"{Success=1}"``: ``{Status=count, ...}``;
- the statuses of a target, which an association runs through Run Command: botocore's
  ``CommandInvocationStatus`` (Pending, InProgress, Delayed, Success, Cancelled, TimedOut,
  Failed, Cancelling) and ``CommandInvocation.StatusDetails``, whose terminal states besides
  Success are failures (Failed, Cancelled, TimedOut, Undeliverable, Terminated) and whose
  others are still on their way (Pending, In Progress, Delayed);
- "Understanding command statuses", AWS Systems Manager User Guide
  (https://docs.aws.amazon.com/systems-manager/latest/userguide/monitor-commands.html).
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.stub import Stubber
from click.testing import CliRunner

from quicksetup_constructs.cli.catalogue import association_name
from quicksetup_constructs.cli.main import main
from quicksetup_constructs.options import OPTIONS_BY_KEY

from . import cli_json
from .fake_aws import FakeOrganization, fake_organization, isolate_aws_environment
from .test_cli_status import (
    ACCOUNT,
    CONFIG,
    DHMC_ROLE,
    DHMC_SETTING,
    RAN,
    REGION,
    STACK,
    SYNC,
    association,
    association_id,
    configurations,
    data_sync,
    document_name,
    execution,
    expect_no_account_settings,
    expect_stack,
    expect_successful_runs,
    expect_update_agent_deleted,
    run,
    service_setting,
    stack_sets,
    stubbed_aws,
    synthesized_local_template,
    template_keys,
)

KEY = "scan_for_patches"
"""The option whose card the option tests read (the others are Not configured)."""

FAILED_STATES = ["Failed", "TimedOut", "Cancelled", "Undeliverable", "Terminated"]
"""A target's failed states: Run Command's terminal states other than Success
(``CommandInvocationStatus``: Cancelled, TimedOut, Failed; ``StatusDetails``: also
Undeliverable and Terminated, "This is a terminal state")."""
RUNNING_STATES = ["Pending", "InProgress", "Delayed", "Cancelling"]
"""A target's states on the way (``CommandInvocationStatus``: Pending, InProgress, Delayed,
Cancelling; ``StatusDetails``: Pending, In Progress and Delayed are not terminal)."""


# an option's card -----------------------------------------------------------------------------


def listed(status: str, counts: dict[str, int] | None, *, ran: bool = True) -> dict[str, Any]:
    """The association of ``KEY`` as ``ListAssociations`` gives it: ``Overview.Status``
    ``status``, ``AssociationStatusAggregatedCount`` ``counts`` (left out when None), and
    ``LastExecutionDate`` only if it ``ran``."""
    found = association(KEY, counts or {}, status)
    if counts is None:
        del found["Overview"]["AssociationStatusAggregatedCount"]
    if not ran:
        del found["LastExecutionDate"]
    return found


def status_of(found: dict[str, Any], latest: tuple[str, str] | None, *args: str):
    """``quicksetup status *args`` of the one association ``found``, whose latest execution
    (``DescribeAssociationExecutions``) has (Status, ResourceCountByStatus) ``latest``, or
    none when None."""
    aws, stubber = stubbed_aws()
    stubber.add_response("list_associations", {"Associations": [found]}, {})
    answer = execution(KEY, *latest) if latest else {"AssociationExecutions": []}
    stubber.add_response(
        "describe_association_executions",
        answer,
        {"AssociationId": association_id(KEY), "MaxResults": 1},
    )
    expect_no_account_settings(stubber)
    with stubber:
        result = run(["status", *args], aws)
    stubber.assert_no_pending_responses()
    return result


def card(result) -> dict[str, Any]:
    """The card of ``KEY`` in ``status --json``."""
    return configurations(result)[CONFIG]["options"][KEY]


def test_a_target_that_failed_is_failed_while_a_newer_run_is_in_progress():
    # AssociationStatusAggregatedCount: targets by their latest status, one Failed; the latest
    # execution (newest first, MaxResults 1) is InProgress.
    result = status_of(
        listed("Failed", {"Failed": 1, "Success": 2}), ("InProgress", "{InProgress=3}"), "--json"
    )
    assert card(result)["status"] == "Failed"
    assert result.exit_code == 1, result.output


def test_a_target_failed_in_the_running_execution_is_failed():
    # No aggregated count: the counts are the running execution's ResourceCountByStatus.
    result = status_of(
        listed("Pending", None), ("InProgress", "{Failed=1, InProgress=2}"), "--json"
    )
    assert card(result)["status"] == "Failed"
    assert result.exit_code == 1, result.output


def test_a_failed_latest_run_is_failed_while_targets_are_still_pending():
    result = status_of(
        listed("Pending", {"Pending": 2, "Success": 1}), ("Failed", "{Success=1}"), "--json"
    )
    assert card(result)["status"] == "Failed"
    assert result.exit_code == 1, result.output


def test_an_association_that_never_ran_is_pending_and_says_it_has_not_run_yet():
    # A new association: Overview.Status Pending, no LastExecutionDate, no execution yet.
    result = status_of(listed("Pending", None, ran=False), None, "--json")
    found = card(result)
    assert (found["status"], found["detail"], found["last_run"]) == (
        "Pending",
        "has not run yet",
        None,
    )
    assert result.exit_code == 0, result.output


def test_an_association_that_never_ran_reads_has_not_run_yet_for_people():
    result = status_of(listed("Pending", None, ran=False), None)
    assert "has not run yet" in result.stdout
    assert "✓ Success" not in result.stdout
    assert result.exit_code == 0, result.output


def test_an_association_that_ran_without_a_run_in_its_history_does_not_say_it_never_ran():
    # LastExecutionDate set, but no execution left: DetailedStatus is the detail.
    found = listed("Pending", None)
    found["Overview"]["DetailedStatus"] = "Associated"
    result = status_of(found, None, "--json")
    assert (card(result)["status"], card(result)["detail"]) == ("Pending", "Associated")


@pytest.mark.parametrize(
    ("resource_count_by_status", "counts", "total"),
    [
        ("{Success=1}", {"Success": 1}, 1),
        ("{Failed=30, Success=70}", {"Failed": 30, "Success": 70}, 100),
        ("{Success=1250, Failed=7}", {"Success": 1250, "Failed": 7}, 1257),
        ("{Failed=100, Pending=20, Success=3}", {"Failed": 100, "Pending": 20, "Success": 3}, 123),
    ],
    ids=["one-digit", "two-digit", "four-digit", "three-states"],
)
def test_resource_count_by_status_is_read_at_any_size(resource_count_by_status, counts, total):
    # ResourceCountByStatus is a string, {Status=count, ...} (the AWS CLI's example:
    # "{Success=1}"); without an aggregated count the card's counts are the latest run's.
    result = status_of(listed("Failed", None), ("Failed", resource_count_by_status), "--json")
    found = card(result)
    assert found["counts"] == counts
    assert found["last_execution"]["counts"] == counts
    assert found["target_count"] == total


def test_two_digit_counts_read_as_such_for_people():
    result = status_of(listed("Failed", None), ("Failed", "{Failed=30, Success=70}"))
    assert "Targets: 100 (30 Failed, 70 Success)" in result.stdout


def test_the_aggregated_count_of_the_targets_is_totalled():
    # AssociationStatusAggregatedCount: a map of status to a count of targets.
    result = status_of(
        listed("Failed", {"Failed": 12, "Success": 345}), ("Failed", "{Failed=1}"), "--json"
    )
    found = card(result)
    assert (found["counts"], found["target_count"]) == ({"Failed": 12, "Success": 345}, 357)


@pytest.mark.parametrize("state", FAILED_STATES)
def test_a_target_in_a_failed_state_makes_the_card_failed(state):
    # No execution left in the history: the targets' latest statuses alone decide.
    result = status_of(listed("Failed", {state: 1, "Success": 2}), None, "--json")
    assert card(result)["status"] == "Failed"
    assert result.exit_code == 1, result.output


@pytest.mark.parametrize("state", FAILED_STATES)
def test_a_latest_run_in_a_failed_state_makes_the_card_failed(state):
    result = status_of(listed("Pending", None), (state, "{}"), "--json")
    assert card(result)["status"] == "Failed"
    assert result.exit_code == 1, result.output


@pytest.mark.parametrize("state", RUNNING_STATES)
def test_a_target_in_a_running_state_makes_the_card_pending(state):
    result = status_of(listed("Success", {state: 1, "Success": 2}), None, "--json")
    assert card(result)["status"] == "Pending"
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("state", RUNNING_STATES)
def test_a_latest_run_in_a_running_state_makes_the_card_pending(state):
    # The overview still says Success (the previous run's): the run going on wins.
    result = status_of(listed("Success", None), (state, "{}"), "--json")
    assert card(result)["status"] == "Pending"
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("state", ["Failed", "Pending"])
def test_success_counts_with_a_zero_count_of_another_state_are_success(state):
    result = status_of(
        listed("Success", {state: 0, "Success": 3}), ("Success", "{Success=3}"), "--json"
    )
    assert card(result)["status"] == "Success"
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("overview", "expected", "exit_code"),
    [
        ("Success", "Success", 0),
        ("Failed", "Failed", 1),
    ],
)
def test_without_counts_or_a_run_the_overview_status_decides(overview, expected, exit_code):
    # AssociationOverview.Status: "Status can be: Pending, Success, or Failed."
    result = status_of(listed(overview, None), None, "--json")
    assert card(result)["status"] == expected
    assert result.exit_code == exit_code, result.output


def test_an_option_the_configuration_does_not_use_is_not_configured():
    result = status_of(listed("Success", {"Success": 3}), ("Success", "{Success=3}"), "--json")
    cards = configurations(result)[CONFIG]["options"]
    assert {key: found["status"] for key, found in cards.items() if key != KEY} == {
        key: "Not configured" for key in OPTIONS_BY_KEY if key != KEY
    }
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("overview", "counts", "latest", "exit_code"),
    [
        ("Success", {"Success": 3}, ("Success", "{Success=3}"), 0),
        ("Pending", {"Pending": 3}, ("InProgress", "{Pending=3}"), 0),
        ("Failed", {"Failed": 1, "Success": 2}, ("Failed", "{Failed=1, Success=2}"), 1),
    ],
    ids=["success", "pending", "failed"],
)
def test_exit_code_of_an_option_card(overview, counts, latest, exit_code):
    result = status_of(listed(overview, counts), latest)
    assert result.exit_code == exit_code, result.output


def test_exit_code_of_a_missing_option_card_is_1():
    aws, stubber, cloudformation = expect_update_agent_deleted(synthesized_local_template())
    with stubber, cloudformation:
        result = run(["status", "--stack", STACK], aws)
    assert "! Missing" in result.stdout
    assert result.exit_code == 1, result.output


# the Default Host Management and inventory sync cards, of a stack ------------------------------


def stack_status(setting: str | None, syncs: list[dict[str, Any]]):
    """``status --stack --json`` of a local configuration with DHMC and an inventory sync,
    whose associations all succeeded: ``GetServiceSetting`` answers ``setting`` (None:
    ``ServiceSettingNotFound``), ``ListResourceDataSync`` ``syncs``."""
    template = synthesized_local_template()
    aws, stubber = stubbed_aws()
    cloudformation = expect_stack(aws, stubber, template)
    expect_successful_runs(stubber, template_keys(template).values())
    if setting is None:
        stubber.add_client_error(
            "get_service_setting",
            service_error_code="ServiceSettingNotFound",
            service_message="",
            http_status_code=400,
            expected_params={"SettingId": DHMC_SETTING},
        )
    else:
        stubber.add_response(
            "get_service_setting", service_setting(setting), {"SettingId": DHMC_SETTING}
        )
    stubber.add_response("list_resource_data_sync", {"ResourceDataSyncItems": syncs}, {})
    with stubber, cloudformation:
        result = run(["status", "--stack", STACK, "--json"], aws)
    stubber.assert_no_pending_responses()
    cloudformation.assert_no_pending_responses()
    [status] = configurations(result).values()
    return result, status


SYNCED = [data_sync(SYNC, "Successful")]


def test_dhmc_naming_the_configurations_role_is_success():
    result, status = stack_status(DHMC_ROLE, SYNCED)
    host = status["host_management"]
    assert (host["status"], host["names_role"], host["detail"]) == ("Success", True, None)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("setting", ["$None", None], ids=["none", "setting-not-found"])
def test_dhmc_off_is_failed(setting):
    # The setting's value is $None when no role is registered; a setting never provisioned
    # answers ServiceSettingNotFound (GetServiceSetting's error).
    result, status = stack_status(setting, SYNCED)
    host = status["host_management"]
    assert (host["status"], host["names_role"]) == ("Failed", False)
    assert host["detail"] == "DHMC is off: the setting names no role"
    assert result.exit_code == 1, result.output


def test_dhmc_naming_another_role_is_failed():
    other = "service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole"
    result, status = stack_status(other, SYNCED)
    host = status["host_management"]
    assert (host["status"], host["value"], host["names_role"]) == ("Failed", other, False)
    assert host["detail"] == f"the setting names another role than {DHMC_ROLE}"
    assert result.exit_code == 1, result.output


@pytest.mark.parametrize(
    ("last_status", "expected", "exit_code"),
    [
        ("Successful", "Success", 0),
        ("Failed", "Failed", 1),
        ("InProgress", "Pending", 0),
    ],
)
def test_the_inventory_sync_card_follows_its_last_status(last_status, expected, exit_code):
    # LastResourceDataSyncStatus: Successful, Failed, InProgress.
    result, status = stack_status(DHMC_ROLE, [data_sync(SYNC, last_status)])
    sync = status["inventory_sync"]
    assert (sync["status"], sync["last_status"]) == (expected, last_status)
    assert result.exit_code == exit_code, result.output


def test_an_inventory_sync_that_never_synced_is_pending_and_says_so():
    never = {
        key: value
        for key, value in data_sync(SYNC, "Successful").items()
        if key not in ("LastStatus", "LastSyncTime", "LastSuccessfulSyncTime")
    }
    result, status = stack_status(DHMC_ROLE, [never])
    sync = status["inventory_sync"]
    assert (sync["status"], sync["last_status"], sync["detail"]) == (
        "Pending",
        None,
        "has not synced yet",
    )
    assert result.exit_code == 0, result.output


def test_an_inventory_sync_deleted_outside_cloudformation_is_missing():
    result, status = stack_status(DHMC_ROLE, [data_sync("another-sync", "Successful")])
    sync = status["inventory_sync"]
    assert (sync["status"], sync["detail"]) == ("Missing", "deleted outside CloudFormation")
    assert result.exit_code == 1, result.output


# the targets of --org -------------------------------------------------------------------------


ORG = "19d1f875"
ORG_STACK = "QuickSetupOrganizationSample"
ASSOCIATIONS = f"QuickSetup-{ORG}-Associations"
ROLES = f"QuickSetup-{ORG}-AccountRoles"
ORG_KEYS = ("update_ssm_agent", "scan_for_patches")
OTHER_ACCOUNTS = ("210987654321", "309876543210")
TOKYO = "ap-northeast-1"
NO_MEMBER_ROLE = "another account: pass --member-role to read its associations"
NO_SOURCE = (
    NO_MEMBER_ROLE + ", or query the inventory bucket with Athena (InventorySync(..., "
    "athena=True), or --athena-workgroup)"
)
"""Why ``status --org`` could not read another account: it can also read with Athena, where
the stack outputs name a workgroup (``troubleshoot --org`` cannot)."""


def stack_set_template(keys: tuple[str, ...]) -> str:
    """A StackSet's template: an association of each option of ``keys`` (or only a role)."""
    resources: dict[str, Any] = {
        f"Association{index}": {
            "Type": "AWS::SSM::Association",
            "Properties": {
                "AssociationName": association_name(OPTIONS_BY_KEY[key], ORG),
                "Name": f"AWS-{key}",
                "Targets": [{"Key": "InstanceIds", "Values": ["*"]}],
            },
        }
        for index, key in enumerate(keys)
    } or {"Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}}}
    return json.dumps({"Resources": resources})


def org_listed(key: str, status: str, counts: dict[str, int]) -> dict[str, Any]:
    return association(key, counts, status, config=ORG)


def org_status(
    targets: dict[tuple[str, str], list[dict[str, Any]] | None],
    *args: str,
    also: str | None = None,
    verb: str = "status",
):
    """``<verb> --org --stack`` of a stack with the associations' StackSet (and StackSet
    ``also``: ``ROLES``, which holds no association, or another of associations) deployed to
    ``targets``: an (account, Region) of the caller's account answers ``ListAssociations``
    with its list; any other account is not asked (None)."""
    aws, _ = stubbed_aws()
    cloudformation = Stubber(aws.client("cloudformation"))
    names = [ASSOCIATIONS, *([also] if also else [])]
    cloudformation.add_response(
        "list_stack_resources",
        {
            "StackResourceSummaries": [
                {
                    "LogicalResourceId": f"OrgStackSet{index}",
                    "PhysicalResourceId": f"{name}:0000-{index}",
                    "ResourceType": "AWS::CloudFormation::StackSet",
                    "ResourceStatus": "CREATE_COMPLETE",
                    "LastUpdatedTimestamp": RAN,
                }
                for index, name in enumerate(names)
            ]
        },
        {"StackName": ORG_STACK},
    )
    for index, name in enumerate(names):
        cloudformation.add_response(
            "describe_stack_set",
            {
                "StackSet": {
                    "StackSetName": name,
                    "StackSetId": f"{name}:0000-{index}",
                    "Status": "ACTIVE",
                    "TemplateBody": stack_set_template(() if name == ROLES else ORG_KEYS),
                }
            },
            {"StackSetName": f"{name}:0000-{index}"},
        )
    for index, name in enumerate(names):  # every StackSet described, then their instances
        cloudformation.add_response(
            "list_stack_instances",
            {
                "Summaries": [
                    {
                        "StackSetId": f"{name}:0000-{index}",
                        "Region": region,
                        "Account": account,
                        "Status": "CURRENT",
                        "StackInstanceStatus": {"DetailedStatus": "SUCCEEDED"},
                    }
                    for account, region in targets
                ]
            },
            {"StackSetName": name},
        )
    if verb == "status" and any(account != ACCOUNT for account, _ in targets):
        # Another account and no member role: the stack's outputs are read for a workgroup.
        cloudformation.add_response(
            "describe_stacks",
            {
                "Stacks": [
                    {"StackName": ORG_STACK, "CreationTime": RAN, "StackStatus": "CREATE_COMPLETE"}
                ]
            },
            {"StackName": ORG_STACK},
        )
    ssm = []
    for (account, region), found in targets.items():
        if account == ACCOUNT:
            assert found is not None
            stubber = Stubber(aws.client("ssm", region))  # one client, one call, per Region
            stubber.add_response("list_associations", {"Associations": found}, {})
            ssm.append(stubber)
    for stubber in (cloudformation, *ssm):
        stubber.activate()
    try:
        result = run([verb, "--org", "--stack", ORG_STACK, *args], aws)
    finally:
        for stubber in (cloudformation, *ssm):
            stubber.deactivate()
    for stubber in (cloudformation, *ssm):
        stubber.assert_no_pending_responses()
    return result


def org_targets(result, name: str = ASSOCIATIONS) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (target["account"], target["region"]): target
        for target in stack_sets(result)[name]["target_results"].values()
    }


def all_succeeded() -> list[dict[str, Any]]:
    return [org_listed(key, "Success", {"Success": 2}) for key in ORG_KEYS]


def test_org_target_whose_associations_all_succeeded_is_success():
    result = org_status({(ACCOUNT, REGION): all_succeeded()}, "--json")
    target = org_targets(result)[ACCOUNT, REGION]
    assert target["association_status"] == "Success"
    assert target["options"] == dict.fromkeys(ORG_KEYS, "Success")
    assert result.exit_code == 0, result.output


def test_org_target_with_a_failed_association_is_failed():
    found = [
        org_listed("update_ssm_agent", "Success", {"Success": 2}),
        org_listed("scan_for_patches", "Failed", {"Failed": 1, "Success": 1}),
    ]
    result = org_status({(ACCOUNT, REGION): found}, "--json")
    target = org_targets(result)[ACCOUNT, REGION]
    assert (target["association_status"], target["options"]["scan_for_patches"]) == (
        "Failed",
        "Failed",
    )
    assert result.exit_code == 1, result.output


def test_org_target_with_a_running_association_is_pending():
    found = [
        org_listed("update_ssm_agent", "Success", {"Success": 2}),
        org_listed("scan_for_patches", "Pending", {"InProgress": 2}),
    ]
    result = org_status({(ACCOUNT, REGION): found}, "--json")
    target = org_targets(result)[ACCOUNT, REGION]
    assert (target["association_status"], target["options"]["scan_for_patches"]) == (
        "Pending",
        "Pending",
    )
    assert result.exit_code == 0, result.output


def test_org_target_missing_an_association_is_pending_not_created_yet():
    # A stack instance whose association is not there yet (the StackSet is still deploying).
    result = org_status({(ACCOUNT, REGION): all_succeeded()[:1]}, "--json")
    target = org_targets(result)[ACCOUNT, REGION]
    assert target["association_status"] == "Pending"
    assert target["association_detail"] == "not created yet: scan_for_patches"
    assert result.exit_code == 0, result.output


def test_org_target_failed_wins_over_one_not_created_yet():
    found = [org_listed("update_ssm_agent", "Failed", {"Failed": 2})]
    result = org_status({(ACCOUNT, REGION): found}, "--json")
    assert org_targets(result)[ACCOUNT, REGION]["association_status"] == "Failed"
    assert result.exit_code == 1, result.output


def test_org_target_failed_wins_over_a_newer_run_in_progress():
    # ListAssociations' aggregated count: a target failed, others running the newer run.
    found = [
        org_listed("update_ssm_agent", "Success", {"Success": 2}),
        org_listed("scan_for_patches", "Pending", {"Failed": 1, "InProgress": 1}),
    ]
    result = org_status({(ACCOUNT, REGION): found}, "--json")
    target = org_targets(result)[ACCOUNT, REGION]
    assert target["options"]["scan_for_patches"] == "Failed"
    assert result.exit_code == 1, result.output


def test_org_target_of_a_stack_set_without_associations_is_not_configured():
    result = org_status({(ACCOUNT, REGION): all_succeeded()}, "--json", also=ROLES)
    assert org_targets(result, ROLES)[ACCOUNT, REGION]["association_status"] == "Not configured"
    assert result.exit_code == 0, result.output


# targets not read (decision 4: exit 1, one line of how many and why) ----------------------------


def test_org_with_every_target_read_exits_0_and_says_nothing_on_standard_error():
    result = org_status({(ACCOUNT, REGION): all_succeeded(), (ACCOUNT, TOKYO): all_succeeded()})
    assert result.stderr == ""
    assert result.exit_code == 0, result.output


def test_org_with_a_target_not_read_exits_1_with_one_line_of_why():
    result = org_status({(ACCOUNT, REGION): all_succeeded(), (OTHER_ACCOUNTS[0], REGION): None})
    assert result.stderr == (f"error: 1 target (account × Region) could not be read: {NO_SOURCE}\n")
    assert result.exit_code == 1, result.output


def test_org_counts_every_target_not_read_in_the_line():
    targets: dict[tuple[str, str], list[dict[str, Any]] | None] = {
        (ACCOUNT, REGION): all_succeeded(),
        (OTHER_ACCOUNTS[0], REGION): None,
        (OTHER_ACCOUNTS[0], TOKYO): None,
        (OTHER_ACCOUNTS[1], REGION): None,
    }
    result = org_status(targets)
    assert result.stderr == (
        f"error: 3 targets (account × Region) could not be read: {NO_SOURCE}\n"
    )
    assert result.exit_code == 1, result.output


def test_org_counts_a_target_not_read_once_whatever_stack_sets_deploy_to_it():
    # Two StackSets of associations reach (other account, us-east-1): one target.
    result = org_status(
        {(ACCOUNT, REGION): all_succeeded(), (OTHER_ACCOUNTS[0], REGION): None},
        "--json",
        also=f"QuickSetup-{ORG}-MoreAssociations",
    )
    assert [
        target["association_status"]
        for stack_set in stack_sets(result).values()
        for target in stack_set["target_results"].values()
        if target["account"] == OTHER_ACCOUNTS[0]
    ] == ["Not read", "Not read"]
    assert result.stderr.startswith("error: 1 target (account × Region) could not be read: ")


def test_org_json_stays_on_standard_output_when_a_target_is_not_read():
    result = org_status({(OTHER_ACCOUNTS[0], REGION): None}, "--json")
    assert org_targets(result)[OTHER_ACCOUNTS[0], REGION]["association_status"] == "Not read"
    assert result.stderr == (f"error: 1 target (account × Region) could not be read: {NO_SOURCE}\n")
    assert result.exit_code == 1, result.output


def test_org_a_failed_target_and_one_not_read_exit_1_with_the_line():
    found = [org_listed(key, "Failed", {"Failed": 2}) for key in ORG_KEYS]
    result = org_status({(ACCOUNT, REGION): found, (OTHER_ACCOUNTS[0], REGION): None})
    assert result.stderr.startswith("error: 1 target (account × Region) could not be read: ")
    assert result.exit_code == 1, result.output


def test_troubleshoot_org_with_a_target_not_read_exits_1_with_one_line_of_why():
    result = org_status(
        {(ACCOUNT, REGION): all_succeeded(), (OTHER_ACCOUNTS[0], REGION): None},
        "--json",
        verb="troubleshoot",
    )
    assert result.stderr == (
        f"error: 1 target (account × Region) could not be read: {NO_MEMBER_ROLE}\n"
    )
    assert result.exit_code == 1, result.output


def test_org_a_control_character_in_why_a_target_was_not_read_is_escaped():
    # The caller's own target is denied, with ESC and BEL in AWS's message.
    result = _org_denied_own_target("not authorized \x1b]0;owned\x07 here")
    [line] = result.stderr.splitlines()
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "x1b]0;owned" in line and "x07 here" in line  # shown escaped, not dropped
    assert result.exit_code == 1, result.output


def _org_denied_own_target(message: str):
    """``status --org`` of one target, the caller's own, whose ``ListAssociations`` is denied
    with ``message``."""
    aws, _ = stubbed_aws()
    cloudformation = Stubber(aws.client("cloudformation"))
    cloudformation.add_response(
        "list_stack_resources",
        {
            "StackResourceSummaries": [
                {
                    "LogicalResourceId": "OrgStackSet",
                    "PhysicalResourceId": f"{ASSOCIATIONS}:0000",
                    "ResourceType": "AWS::CloudFormation::StackSet",
                    "ResourceStatus": "CREATE_COMPLETE",
                    "LastUpdatedTimestamp": RAN,
                }
            ]
        },
        {"StackName": ORG_STACK},
    )
    cloudformation.add_response(
        "describe_stack_set",
        {
            "StackSet": {
                "StackSetName": ASSOCIATIONS,
                "StackSetId": f"{ASSOCIATIONS}:0000",
                "Status": "ACTIVE",
                "TemplateBody": stack_set_template(ORG_KEYS),
            }
        },
        {"StackSetName": f"{ASSOCIATIONS}:0000"},
    )
    cloudformation.add_response(
        "list_stack_instances",
        {
            "Summaries": [
                {
                    "StackSetId": f"{ASSOCIATIONS}:0000",
                    "Region": REGION,
                    "Account": ACCOUNT,
                    "Status": "CURRENT",
                    "StackInstanceStatus": {"DetailedStatus": "SUCCEEDED"},
                }
            ]
        },
        {"StackSetName": ASSOCIATIONS},
    )
    ssm = Stubber(aws.client("ssm", REGION))
    ssm.add_client_error(
        "list_associations",
        service_error_code="AccessDeniedException",
        service_message=message,
        http_status_code=400,
        expected_params={},
    )
    with cloudformation, ssm:
        return run(["status", "--org", "--stack", ORG_STACK], aws)


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    isolate_aws_environment(monkeypatch, tmp_path)


def test_org_lists_different_reasons_in_one_line_most_frequent_first(isolated):
    # AssumeRole denied in two member accounts (2 Regions each: 4 targets), ListAssociations
    # denied in a third (2 targets): two reasons, 6 targets, one line.
    from .fake_aws import ACCOUNT as MANAGEMENT

    denied, no_ssm = {"200000000001", "200000000002"}, {"200000000003"}
    fake = FakeOrganization(
        accounts=[MANAGEMENT, *sorted(denied | no_ssm), "200000000004"],
        regions=[REGION, TOKYO],
        denied=denied,
        no_ssm=no_ssm,
    )
    with fake_organization(fake) as fake:
        result = CliRunner(
            env={"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret"}
        ).invoke(
            main,
            [
                "status",
                "--org",
                "--member-role",
                fake.member_role,
                "--region",
                REGION,
                "--endpoint-url",
                fake.url,
                "--json",
            ],
        )
    assert result.exit_code == 1, result.output
    cli_json.data(result.stdout)  # the JSON, whole, on standard output
    [line] = result.stderr.splitlines()
    head = "error: 6 targets (account × Region) could not be read: "
    assert line.startswith(head), line
    assumed, listed = line.removeprefix(head).split("; ")
    assert assumed.startswith("AWS denied AssumeRole: "), line
    assert "arn:aws:iam::<account>:role/QuickSetupReader" in assumed, line
    assert assumed.endswith(" (4 targets)"), line
    assert listed.startswith("AWS denied ListAssociations"), line
    assert listed.endswith(" (2 targets)"), line


def test_org_orders_reasons_by_count_not_by_name_nor_by_the_first_target_met(isolated):
    # AssumeRole denied in the first member account (2 targets), ListAssociations denied in the
    # next two (4 targets): the more frequent reason leads, though it sorts and is met later.
    from .fake_aws import ACCOUNT as MANAGEMENT

    denied, no_ssm = {"200000000001"}, {"200000000002", "200000000003"}
    fake = FakeOrganization(
        accounts=[MANAGEMENT, *sorted(denied | no_ssm)],
        regions=[REGION, TOKYO],
        denied=denied,
        no_ssm=no_ssm,
    )
    with fake_organization(fake) as fake:
        result = CliRunner(
            env={"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret"}
        ).invoke(
            main,
            [
                "status",
                "--org",
                "--member-role",
                fake.member_role,
                "--region",
                REGION,
                "--endpoint-url",
                fake.url,
                "--json",
            ],
        )
    assert result.exit_code == 1, result.output
    [line] = result.stderr.splitlines()
    head = "error: 6 targets (account × Region) could not be read: "
    assert line.startswith(head), line
    listed, assumed = line.removeprefix(head).split("; ")
    assert listed.startswith("AWS denied ListAssociations"), line
    assert listed.endswith(" (4 targets)"), line
    assert assumed.startswith("AWS denied AssumeRole: "), line
    assert assumed.endswith(" (2 targets)"), line


# each card whole, as --json gives it ---------------------------------------------------------
#
# The fields come from botocore's ssm model: ``AssociationExecution`` (Status, DetailedStatus,
# CreatedTime, ResourceCountByStatus), ``ServiceSetting`` (SettingId, SettingValue,
# LastModifiedDate, LastModifiedUser: "The ARN of the last modified user"),
# ``ResourceDataSyncItem`` (``S3Destination``, whose ``BucketName`` is required). No member of
# the first three shapes is marked required: an answer without one is a case of its own.

DHMC_TITLE = "Turn on Default Host Management Configuration"
SYNC_TITLE = "Deliver the inventory to one S3 bucket"
"""The titles of the two settings' cards, as `status` shows them."""
STARTED = datetime(2026, 1, 5, 8, 55, tzinfo=UTC)
"""When the latest run was created: before the association's LastExecutionDate (RAN)."""


def run_of(key: str, **fields: Any) -> dict[str, Any]:
    """``DescribeAssociationExecutions``' answer: one run of ``key``, a success on 3 targets
    created at ``STARTED`` (as the AWS CLI's example of ``describe-association-executions``),
    with ``fields`` changed (None: left out)."""
    found = {
        "AssociationId": association_id(key),
        "AssociationVersion": "1",
        "ExecutionId": f"e{association_id(key)[1:]}",
        "Status": "Success",
        "DetailedStatus": "Success",
        "CreatedTime": STARTED,
        "ResourceCountByStatus": "{Success=3}",
    } | fields
    return {"AssociationExecutions": [{k: v for k, v in found.items() if v is not None}]}


def status_with(found: list[dict[str, Any]], runs: list[dict[str, Any]], *args: str):
    """``quicksetup status *args`` of the associations ``found``; ``runs``: the answers of
    ``DescribeAssociationExecutions``, in the order the cards are read (catalogue order, then
    the options it does not know)."""
    aws, stubber = stubbed_aws()
    stubber.add_response("list_associations", {"Associations": found}, {})
    for answer in runs:
        [latest] = answer["AssociationExecutions"]
        stubber.add_response(
            "describe_association_executions",
            answer,
            {"AssociationId": latest["AssociationId"], "MaxResults": 1},
        )
    expect_no_account_settings(stubber)
    with stubber:
        result = run(["status", *args], aws)
    stubber.assert_no_pending_responses()
    return result


def test_an_option_card_in_json_is_whole():
    result = status_with([listed("Success", {"Success": 3})], [run_of(KEY)], "--json")
    option = OPTIONS_BY_KEY[KEY]
    assert (
        card(result)
        == {
            "key": KEY,
            "title": option.title,
            "status": "Success",
            "association_name": association_name(option, CONFIG),
            "association_id": association_id(KEY),
            "detail": "Success",  # Overview.DetailedStatus
            "last_run": "2026-01-05T09:00:00Z",  # LastExecutionDate, not CreatedTime
            "last_execution": {
                "execution_id": f"e{association_id(KEY)[1:]}",
                "status": "Success",
                "detailed_status": "Success",
                "created": "2026-01-05T08:55:00Z",
                "counts": {"Success": 3},
            },
            "counts": {"Success": 3},
            "document": document_name(option),  # the association's Name
            "target_count": 3,
        }
    )
    assert result.exit_code == 0, result.output


def test_without_a_last_execution_date_the_last_run_is_the_latest_runs_creation():
    result = status_with([listed("Success", {"Success": 3}, ran=False)], [run_of(KEY)], "--json")
    assert card(result)["last_run"] == "2026-01-05T08:55:00Z"


def test_a_run_without_a_status_is_shown_with_an_empty_status_not_a_failure():
    # AssociationExecution.Status is optional in the model; the contract's Status is a string.
    result = status_with(
        [listed("Success", {"Success": 3})],
        [run_of(KEY, Status=None, DetailedStatus=None)],
        "--json",
    )
    found = card(result)
    assert found["last_execution"] == {
        "execution_id": f"e{association_id(KEY)[1:]}",
        "status": "",
        "detailed_status": None,
        "created": "2026-01-05T08:55:00Z",
        "counts": {"Success": 3},
    }
    assert found["status"] == "Success"
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("overview", ["Pending", "Failed"])
def test_targets_that_all_succeeded_are_success_whatever_the_overview_says(overview):
    # AssociationStatusAggregatedCount (targets by their latest status) and the latest run
    # say Success; the overview, a summary, lags behind: the targets' statuses decide.
    result = status_with([listed(overview, {"Success": 3})], [run_of(KEY)], "--json")
    assert card(result)["status"] == "Success"
    assert result.exit_code == 0, result.output


UNKNOWN = f"QuickSetup-FutureOption-{CONFIG}"
"""A Quick Setup association of an option the catalogue does not know, in configuration
CONFIG."""
UNKNOWN_ID = "0000ffff-0000-4000-8000-00000000ffff"


def test_an_option_the_catalogue_does_not_know_has_its_own_card_after_the_others():
    unknown = {
        "AssociationId": UNKNOWN_ID,
        "AssociationName": UNKNOWN,
        "Name": "AWS-RunPatchBaseline",
        "AssociationVersion": "1",
        "Targets": [{"Key": "tag:Environment", "Values": ["production"]}],
        "LastExecutionDate": RAN,
        "Overview": {
            "Status": "Failed",
            "DetailedStatus": "Failed",
            "AssociationStatusAggregatedCount": {"Failed": 1, "Success": 1},
        },
    }
    failed = run_of(KEY, Status="Failed", DetailedStatus="Failed", AssociationId=UNKNOWN_ID)
    failed["AssociationExecutions"][0]["ResourceCountByStatus"] = "{Failed=1, Success=1}"
    result = status_with(
        [unknown, listed("Success", {"Success": 3})], [run_of(KEY), failed], "--json"
    )
    cards = configurations(result)[CONFIG]["options"]
    assert list(cards) == [*OPTIONS_BY_KEY, UNKNOWN]
    assert cards[UNKNOWN] == {
        "key": UNKNOWN,
        "title": UNKNOWN,
        "status": "Failed",
        "association_name": UNKNOWN,
        "association_id": UNKNOWN_ID,
        "detail": "Failed",
        "last_run": "2026-01-05T09:00:00Z",
        "last_execution": {
            "execution_id": f"e{association_id(KEY)[1:]}",
            "status": "Failed",
            "detailed_status": "Failed",
            "created": "2026-01-05T08:55:00Z",
            "counts": {"Failed": 1, "Success": 1},
        },
        "counts": {"Failed": 1, "Success": 1},
        "document": "AWS-RunPatchBaseline",
        "target_count": 2,
    }
    assert result.exit_code == 1, result.output


def test_each_option_has_one_card_for_people():
    result = status_with([listed("Success", {"Success": 3})], [run_of(KEY)])
    assert result.stdout.count("option not chosen") == len(OPTIONS_BY_KEY) - 1
    assert result.stdout.count("Last run:") == 1
    assert result.exit_code == 0, result.output


def test_the_dhmc_card_in_json_is_whole():
    _, status = stack_status(DHMC_ROLE, SYNCED)
    assert status["host_management"] == {
        "key": "default_host_management",
        "title": DHMC_TITLE,
        "status": "Success",
        "setting_id": DHMC_SETTING,
        "value": DHMC_ROLE,
        "role": DHMC_ROLE,
        "names_role": True,
        "detail": None,
        "last_modified": "2026-01-05T09:00:00Z",
        "last_modified_by": f"arn:aws:sts::{ACCOUNT}:assumed-role/cfn/ops",
    }


def test_the_inventory_sync_card_in_json_is_whole():
    _, status = stack_status(DHMC_ROLE, SYNCED)
    assert status["inventory_sync"] == {
        "key": "inventory_sync",
        "title": SYNC_TITLE,
        "status": "Success",
        "sync_name": SYNC,
        "last_status": "Successful",
        "last_sync": "2026-01-05T08:30:00Z",
        "last_successful_sync": "2026-01-05T09:00:00Z",
        "last_message": None,
        "bucket": "inventory-bucket-123",  # S3Destination.BucketName
        "detail": None,
    }


def stack_status_of(
    template: dict[str, Any],
    setting: str | None,
    *,
    dhmc: bool = True,
    sync: bool = True,
    parameters: list[dict[str, str]] | None = None,
):
    """``status --stack --json`` of ``template`` (a variant of the local configuration's),
    whose associations all succeeded and whose sync last synced with success; ``setting``:
    the DHMC setting's value, read only when the stack has a DHMC setting (``dhmc``); the
    syncs are read only when it has a sync (``sync``); ``parameters``: the stack's
    (``DescribeStacks``), read when given."""
    aws, stubber = stubbed_aws()
    cloudformation = expect_stack(aws, stubber, template)
    if parameters is not None:
        cloudformation.add_response(
            "describe_stacks",
            {
                "Stacks": [
                    {
                        "StackName": STACK,
                        "CreationTime": RAN,
                        "StackStatus": "CREATE_COMPLETE",
                        "Parameters": parameters,
                    }
                ]
            },
            {"StackName": STACK},
        )
    expect_successful_runs(stubber, template_keys(template).values())
    if dhmc:
        stubber.add_response(
            "get_service_setting", service_setting(setting or ""), {"SettingId": DHMC_SETTING}
        )
    if sync:
        stubber.add_response("list_resource_data_sync", {"ResourceDataSyncItems": SYNCED}, {})
    with stubber, cloudformation:
        result = run(["status", "--stack", STACK, "--json"], aws)
    stubber.assert_no_pending_responses()
    cloudformation.assert_no_pending_responses()
    [status] = configurations(result).values()
    return result, status


def without_dhmc_setting() -> dict[str, Any]:
    template = copy.deepcopy(synthesized_local_template())
    for logical_id in _settings(template):
        del template["Resources"][logical_id]
    return template


def _settings(template: dict[str, Any]) -> list[str]:
    return [
        logical_id
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::SSM::ServiceSetting"
    ]


def test_a_stack_with_an_inventory_sync_and_no_dhmc_setting_has_no_dhmc_card():
    result, status = stack_status_of(without_dhmc_setting(), None, dhmc=False)
    assert status["host_management"] is None
    assert (status["inventory_sync"]["sync_name"], status["inventory_sync"]["status"]) == (
        SYNC,
        "Success",
    )
    assert result.exit_code == 0, result.output


def test_a_second_dhmc_setting_of_a_configuration_is_not_taken_for_an_inventory_sync():
    # Two DHMC settings of one configuration (the stack and a nested one, say), no sync.
    template = copy.deepcopy(synthesized_local_template())
    [logical_id] = _settings(template)
    template["Resources"][f"{logical_id}Again"] = template["Resources"][logical_id]
    for other, resource in list(template["Resources"].items()):
        if resource["Type"] == "AWS::SSM::ResourceDataSync":
            del template["Resources"][other]
    result, status = stack_status_of(template, DHMC_ROLE, sync=False)
    assert status["host_management"]["status"] == "Success"
    assert status["inventory_sync"] is None
    assert result.exit_code == 0, result.output


def with_the_dhmc_role_a_parameter() -> dict[str, Any]:
    """The template, its DHMC setting naming a role given as the CloudFormation parameter
    ``HostRole`` (the stack holds no such role)."""
    template = copy.deepcopy(synthesized_local_template())
    [logical_id] = _settings(template)
    template["Parameters"] = template.get("Parameters", {}) | {"HostRole": {"Type": "String"}}
    template["Resources"][logical_id]["Properties"]["SettingValue"] = {"Ref": "HostRole"}
    return template


def dhmc_card(setting: str, role: str | None, names_role: bool, status: str, detail: str | None):
    return {
        "key": "default_host_management",
        "title": DHMC_TITLE,
        "status": status,
        "setting_id": DHMC_SETTING,
        "value": setting,
        "role": role,
        "names_role": names_role,
        "detail": detail,
        "last_modified": "2026-01-05T09:00:00Z",
        "last_modified_by": f"arn:aws:sts::{ACCOUNT}:assumed-role/cfn/ops",
    }


@pytest.mark.parametrize(
    ("setting", "card"),
    [
        ("AppHostRole", ("AppHostRole", True, "Success", None)),
        (
            "AnyRole",
            ("AppHostRole", False, "Failed", "the setting names another role than AppHostRole"),
        ),
    ],
    ids=["the-parameters-role", "another-role"],
)
def test_a_role_given_as_a_stack_parameter_is_the_parameters_value(setting, card):
    # DescribeStacks: Stacks[].Parameters[].ParameterKey and ParameterValue, the value the
    # stack was deployed with (CloudFormation API Reference, "Parameter").
    result, status = stack_status_of(
        with_the_dhmc_role_a_parameter(),
        setting,
        parameters=[{"ParameterKey": "HostRole", "ParameterValue": "AppHostRole"}],
    )
    assert status["host_management"] == dhmc_card(setting, *card)
    assert result.exit_code == (0 if card[2] == "Success" else 1), result.output


def test_a_role_given_as_a_systems_manager_parameter_is_its_resolved_value():
    # ResolvedValue: "the value that corresponds to a Systems Manager parameter key",
    # returned only for Systems Manager parameter types (CloudFormation API Reference,
    # "Parameter"); ParameterValue is then the parameter's name.
    _, status = stack_status_of(
        with_the_dhmc_role_a_parameter(),
        "AppHostRole",
        parameters=[
            {
                "ParameterKey": "HostRole",
                "ParameterValue": "/platform/dhmc-role",
                "ResolvedValue": "AppHostRole",
            }
        ],
    )
    assert status["host_management"] == dhmc_card(
        "AppHostRole", "AppHostRole", True, "Success", None
    )


@pytest.mark.parametrize(
    "parameters",
    [
        [{"ParameterKey": "HostRole", "ParameterValue": "*****"}],
        [{"ParameterKey": "HostRole", "ParameterValue": "****"}],
        [],
    ],
    ids=["no-echo-5", "no-echo-4", "no-such-parameter"],
)
def test_a_role_that_cannot_be_read_is_failed_not_any_role(parameters):
    """A ``NoEcho`` parameter's value is "masked with asterisks (*****)" whenever a call
    describes the stack (CloudFormation, ``NoEcho``); an IAM role name cannot hold ``*``.
    Whatever role the setting names, the card cannot say it is the stack's."""
    result, status = stack_status_of(
        with_the_dhmc_role_a_parameter(), "AnyRole", parameters=parameters
    )
    assert status["host_management"] == dhmc_card(
        "AnyRole",
        "${HostRole}",
        False,
        "Failed",
        "the role the stack registers (${HostRole}) could not be read: whether the setting "
        "names it is unknown",
    )
    assert result.exit_code == 1, result.output


def test_a_role_the_template_does_not_write_is_failed_not_any_role():
    template = with_the_dhmc_role_a_parameter()
    [logical_id] = _settings(template)
    template["Resources"][logical_id]["Properties"]["SettingValue"] = ""
    result, status = stack_status_of(template, "AnyRole")
    assert status["host_management"] == dhmc_card(
        "AnyRole",
        "",
        False,
        "Failed",
        "the role the stack registers (not written) could not be read: whether the setting "
        "names it is unknown",
    )
    assert result.exit_code == 1, result.output


def test_dhmc_off_is_failed_whatever_the_role():
    _, status = stack_status_of(
        with_the_dhmc_role_a_parameter(),
        "$None",
        parameters=[{"ParameterKey": "HostRole", "ParameterValue": "AppHostRole"}],
    )
    assert status["host_management"] == dhmc_card(
        "$None", "AppHostRole", False, "Failed", "DHMC is off: the setting names no role"
    )


def account_status(value: str):
    """``status --json`` without --stack, of CONFIG (one association), the account's DHMC
    setting ``value``."""
    aws, stubber = stubbed_aws()
    stubber.add_response("list_associations", {"Associations": [listed("Success", None)]}, {})
    stubber.add_response(
        "describe_association_executions",
        run_of(KEY),
        {"AssociationId": association_id(KEY), "MaxResults": 1},
    )
    stubber.add_response("get_service_setting", service_setting(value), {"SettingId": DHMC_SETTING})
    stubber.add_response("list_resource_data_sync", {"ResourceDataSyncItems": []}, {})
    with stubber:
        result = run(["status", "--json"], aws)
    stubber.assert_no_pending_responses()
    return configurations(result)[CONFIG]


@pytest.mark.parametrize("value", [f"QuickSetup-DHMC-{CONFIG}", f"ops/QuickSetup-DHMC-{CONFIG}"])
def test_the_account_dhmc_setting_goes_to_the_configuration_its_value_ends_with(value):
    # The value: the role's name, with its path (IAM's PathPrefix "/ops/" gives "ops/<name>").
    assert account_status(value)["host_management"]["value"] == value


def test_the_account_dhmc_setting_ending_in_a_space_is_no_configurations():
    # ServiceSettingValue is any string of 1 to 4096 characters (botocore's model): the id
    # followed by a space does not end the value.
    assert account_status(f"QuickSetup-DHMC-{CONFIG} ")["host_management"] is None
