"""`quicksetup troubleshoot`: what it reads from each field of AWS's answers, pinned whole.

Each test feeds one answer (botocore's Stubber checks it against the ssm service model, where
no member of these output shapes is required) and asserts the whole object that the user
reads: a group of failures, a failed target, a failed step, an association on an instance.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from quicksetup_constructs.cli.catalogue import association_name, match_association
from quicksetup_constructs.cli.discovery import DeployedAssociation, DeployedConfiguration
from quicksetup_constructs.cli.errors import CliError
from quicksetup_constructs.cli.troubleshoot import (
    FailedStep,
    FailedTarget,
    group_failures,
    read_concurrently,
    read_failed_targets,
    troubleshoot_instance,
)
from quicksetup_constructs.options import OPTIONS_BY_KEY

from .test_cli_status import (
    CONFIG,
    REGION,
    association,
    association_id,
    data,
    execution,
    run,
    stubbed_aws,
)
from .test_cli_troubleshoot import (
    AGENT_RUN,
    BATCH,
    CHILD,
    COMMAND,
    FAILED_AT,
    PARENT,
    WEB,
    configurations,
    failed_run,
    invocation,
)
from .test_cli_troubleshoot_rules import read_one, target

GONE = "the command's invocation is no longer available (kept 30 days)"
NO_OUTPUT = "no output was recorded for this target"
STDOUT_URL = (
    "https://s3.us-east-1.amazonaws.com/ops-logs/agent/0b1c2d3e/i-0fedcba9876543210/"
    "awsupdateSsmAgent/stdout"
)
STDERR_URL = STDOUT_URL.rsplit("/", 1)[0] + "/stderr"
RUNBOOK = "QuickSetupLocalSample-Attach-Z3X8QK2LPA1M"


def agent_troubleshoot(answer: dict | None) -> dict:
    """``troubleshoot --json`` of the agent update, whose latest run failed on WEB alone and
    whose invocation there is ``answer`` (None: no longer kept): the option's failed
    object."""
    aws, stubber = stubbed_aws()
    stubber.add_response(
        "list_associations",
        {"Associations": [association("update_ssm_agent", {"Success": 2, "Failed": 1}, "Failed")]},
        {},
    )
    stubber.add_response(
        "describe_association_executions",
        failed_run("update_ssm_agent", AGENT_RUN, "{Failed=1, Success=2}"),
        {"AssociationId": association_id("update_ssm_agent"), "MaxResults": 1},
    )
    stubber.add_response(
        "describe_association_execution_targets",
        {"AssociationExecutionTargets": [target()]},
        {
            "AssociationId": association_id("update_ssm_agent"),
            "ExecutionId": AGENT_RUN,
            "Filters": [{"Key": "Status", "Value": "Failed"}],
        },
    )
    stubber.add_response(
        "list_command_invocations",
        {"CommandInvocations": [answer] if answer else []},
        {"CommandId": COMMAND, "InstanceId": WEB, "Details": True},
    )
    with stubber:
        result = run(["troubleshoot", "--json"], aws)
    stubber.assert_no_pending_responses()
    assert result.exit_code == 1, result.output
    [troubles] = configurations(result).values()
    return troubles["failed"]["update_ssm_agent"]


def one_plugin(**fields) -> dict:
    """The agent update's invocation on WEB, whose one plugin is ``fields``."""
    answer = invocation(WEB)
    answer["CommandPlugins"] = [fields]
    return answer


def group(**fields) -> dict:
    """A group of failures as ``--json`` prints it: one target (WEB) of the agent update's
    command, with ``fields``."""
    return {
        "signature": {},
        "count": 1,
        "instance_ids": [WEB],
        "more_instances": 0,
        "output": [],
        "truncated": False,
        "status": "Failed",
        "action": None,
        "detail": None,
        "output_url": None,
        "source": f"RunCommand {COMMAND}",
    } | fields


# troubleshoot: a failed option ------------------------------------------------------------------


def test_a_failed_option_without_a_failed_execution_left_has_no_targets():
    aws, stubber = stubbed_aws()
    stubber.add_response(
        "list_associations",
        {"Associations": [association("update_ssm_agent", {"Success": 2, "Failed": 1}, "Failed")]},
        {},
    )
    stubber.add_response(
        "describe_association_executions",
        execution("update_ssm_agent", "Success", "{Success=3}"),
        {"AssociationId": association_id("update_ssm_agent"), "MaxResults": 1},
    )
    stubber.add_response(  # the failed run has left the history
        "describe_association_executions",
        {"AssociationExecutions": []},
        {
            "AssociationId": association_id("update_ssm_agent"),
            "MaxResults": 1,
            "Filters": [{"Key": "Status", "Value": "Failed", "Type": "EQUAL"}],
        },
    )
    with stubber:
        result = run(["troubleshoot", "--json"], aws)
    stubber.assert_no_pending_responses()
    assert result.exit_code == 1, "the option failed"
    [troubles] = configurations(result).values()
    failed = troubles["failed"]["update_ssm_agent"]
    assert failed["option"]["status"] == "Failed"
    assert {name: value for name, value in failed.items() if name != "option"} == {
        "execution": None,
        "failed_targets": 0,
        "groups": [],
    }


def test_a_target_whose_invocation_is_gone_is_grouped_under_the_association_s_document():
    failed = agent_troubleshoot(None)
    assert failed["failed_targets"] == 1
    assert failed["groups"] == [
        group(
            signature={
                "document": "AWS-UpdateSSMAgent",  # the association's Name
                "step": None,
                "exit_code": None,
                "first_line": GONE,
            },
            detail=GONE,
        )
    ]


def test_a_failure_whose_document_is_not_known_has_an_empty_document():
    gone = FailedTarget(WEB, "ManagedInstance", "Failed", "Failed", f"RunCommand {COMMAND}")
    gone = replace(gone, note=GONE)
    [found] = group_failures([gone], None, max_targets=5, lines=0)
    assert found.signature.document == ""


# troubleshoot: a failed plugin ------------------------------------------------------------------


def test_a_plugin_that_printed_nothing_is_signed_by_its_status_details():
    # Without S3 output, ListCommandInvocations gives the URLs as empty strings.
    answer = one_plugin(
        Name="aws:updateSsmAgent",
        Status="TimedOut",
        StatusDetails="ExecutionTimedOut",
        ResponseCode=-1,
        Output="",
        StandardOutputUrl="",
        StandardErrorUrl="",
    )
    [found] = agent_troubleshoot(answer)["groups"]
    assert found == group(
        signature={
            "document": "AWS-UpdateSSMAgent",
            "step": "aws:updateSsmAgent",
            "exit_code": -1,
            "first_line": "ExecutionTimedOut",
        },
        status="TimedOut",
        detail="ExecutionTimedOut",
    )


def test_a_plugin_reported_by_its_status_alone_has_empty_name_output_and_first_line():
    [found] = agent_troubleshoot(one_plugin(Status="Failed", ResponseCode=1))["groups"]
    assert found == group(
        signature={
            "document": "AWS-UpdateSSMAgent",
            "step": "",
            "exit_code": 1,
            "first_line": "",
        },
    )


def test_the_full_output_is_the_standard_output_s_when_there_is_no_standard_error():
    answer = one_plugin(
        Name="aws:updateSsmAgent",
        Status="Failed",
        StatusDetails="Failed",
        ResponseCode=1,
        Output="rpm -U exited with 1",
        StandardOutputUrl=STDOUT_URL,
        StandardErrorUrl="",
    )
    [found] = agent_troubleshoot(answer)["groups"]
    assert found == group(
        signature={
            "document": "AWS-UpdateSSMAgent",
            "step": "aws:updateSsmAgent",
            "exit_code": 1,
            "first_line": "rpm -U exited with 1",
        },
        output=["rpm -U exited with 1"],
        detail="Failed",
        output_url=STDOUT_URL,
    )


def test_the_full_output_is_the_standard_error_s_when_there_is_one():
    answer = one_plugin(
        Name="aws:updateSsmAgent",
        Status="Failed",
        ResponseCode=1,
        Output="rpm -U exited with 1",
        StandardOutputUrl=STDOUT_URL,
        StandardErrorUrl=STDERR_URL,
    )
    [step] = read_one(answer, lines=0).steps
    assert step.output_url == STDERR_URL


def test_the_indentation_of_output_lines_is_kept_and_trailing_blanks_dropped():
    output = 'Traceback (most recent call last):  \n  File "/tmp/update.py", line 3\n    raise\n'
    [step] = read_one(invocation(WEB, output), lines=0).steps
    assert step.output == [
        "Traceback (most recent call last):",
        '  File "/tmp/update.py", line 3',
        "    raise",
    ]


def test_lines_1_of_a_two_line_output_is_its_last_line_truncated():
    [step] = read_one(invocation(WEB, "downloading\nfailed"), lines=1).steps
    assert (step.output, step.truncated) == (["failed"], True)


# troubleshoot: a command without a failed plugin ------------------------------------------------


def test_a_command_without_plugins_ended_as_its_status_details_say():
    # CommandInvocationStatus TimedOut, StatusDetails DeliveryTimedOut: the command never
    # reached the node, and no plugin ran.
    answer = invocation(WEB) | {"Status": "TimedOut", "StatusDetails": "DeliveryTimedOut"}
    del answer["CommandPlugins"]
    found = read_one(answer, lines=0)
    assert (found.steps, found.note) == ([], "the command ended DeliveryTimedOut")


def test_a_command_without_status_details_ended_as_its_status_says():
    answer = invocation(WEB) | {"Status": "Cancelled", "CommandPlugins": []}
    del answer["StatusDetails"]
    found = read_one(answer, lines=0)
    assert (found.steps, found.note) == ([], "the command ended Cancelled")


def test_a_run_command_source_without_an_id_recorded_no_output():
    raw = target() | {"OutputSource": {"OutputSourceType": "RunCommand"}}
    aws, stubber = stubbed_aws()
    with stubber:  # nothing to read
        [found] = read_failed_targets(aws, [raw], lines=0)
    assert (found.source, found.note, found.steps) == (None, NO_OUTPUT, [])


# --association: a failed target -----------------------------------------------------------------


def association_drill_down(raw_targets: list[dict]) -> tuple:
    """The agent update's latest run failed on ``raw_targets``: the session and its stubber,
    the reads of the targets' output left to add."""
    aws, stubber = stubbed_aws()
    stubber.add_response(
        "describe_association",
        {"AssociationDescription": association("update_ssm_agent", {"Failed": 1}, "Failed")},
        {"AssociationId": association_id("update_ssm_agent")},
    )
    stubber.add_response(
        "describe_association_executions",
        failed_run("update_ssm_agent", AGENT_RUN, "{Failed=1}"),
        {"AssociationId": association_id("update_ssm_agent"), "MaxResults": 1},
    )
    stubber.add_response(
        "describe_association_execution_targets",
        {"AssociationExecutionTargets": raw_targets},
        {
            "AssociationId": association_id("update_ssm_agent"),
            "ExecutionId": AGENT_RUN,
            "Filters": [{"Key": "Status", "Value": "Failed"}],
        },
    )
    return aws, stubber


def target_results(aws, stubber) -> dict:
    with stubber:
        result = run(
            ["troubleshoot", "--association", association_id("update_ssm_agent"), "--json"], aws
        )
    stubber.assert_no_pending_responses()
    assert result.exit_code == 1, result.output
    return data(result)["target_results"]


def test_a_failed_target_is_shown_whole():
    aws, stubber = association_drill_down([target()])
    stubber.add_response(
        "list_command_invocations",
        {"CommandInvocations": [invocation(WEB, "rpm -U exited with 1")]},
        {"CommandId": COMMAND, "InstanceId": WEB, "Details": True},
    )
    assert target_results(aws, stubber) == {
        WEB: {
            "resource_id": WEB,
            "resource_type": "ManagedInstance",
            "status": "Failed",
            "detailed_status": "Failed",
            "source": f"RunCommand {COMMAND}",
            "steps": [
                {
                    "name": "aws:updateSsmAgent",
                    "status": "Failed",
                    "action": None,
                    "detail": "Failed",
                    "response_code": 1,
                    "output": ["rpm -U exited with 1"],
                    "truncated": False,
                    "output_url": None,
                    "instance_id": None,
                }
            ],
            "note": None,
            "document": "AWS-UpdateSSMAgent",
        }
    }


def test_a_target_reported_without_resource_or_status_is_shown_with_empty_strings():
    aws, stubber = association_drill_down([{"ExecutionId": AGENT_RUN}])
    assert target_results(aws, stubber) == {
        "": {
            "resource_id": "",
            "resource_type": None,
            "status": "",
            "detailed_status": None,
            "source": None,
            "steps": [],
            "note": NO_OUTPUT,
            "document": None,
        }
    }


# Automation: a failed step ----------------------------------------------------------------------


def read_automation(automation: dict, *, lines: int = 0, children: list | None = None):
    """The failed target whose output is the automation ``automation`` (and, when it ran with
    rate control, its failed ``children``: (listing, GetAutomationExecution) pairs)."""
    execution_id = automation["AutomationExecutionId"]
    raw = target() | {
        "ResourceId": execution_id,
        "ResourceType": "AutomationExecution",
        "OutputSource": {"OutputSourceId": execution_id, "OutputSourceType": "Automation"},
    }
    aws, stubber = stubbed_aws()
    stubber.add_response(
        "get_automation_execution",
        {"AutomationExecution": automation},
        {"AutomationExecutionId": execution_id},
    )
    if children is not None:
        stubber.add_response(
            "describe_automation_executions",
            {"AutomationExecutionMetadataList": [listing for listing, _ in children]},
            {
                "Filters": [
                    {"Key": "ParentExecutionId", "Values": [execution_id]},
                    {"Key": "ExecutionStatus", "Values": ["Failed", "TimedOut", "Cancelled"]},
                ]
            },
        )
        for listing, detail in children:
            stubber.add_response(
                "get_automation_execution",
                {"AutomationExecution": detail},
                {"AutomationExecutionId": listing["AutomationExecutionId"]},
            )
    with stubber:
        [found] = read_failed_targets(aws, [raw], lines=lines)
    stubber.assert_no_pending_responses()
    return found


def automation(*steps: dict, **fields) -> dict:
    return {
        "AutomationExecutionId": PARENT,
        "DocumentName": RUNBOOK,
        "AutomationExecutionStatus": "Failed",
        "StepExecutions": list(steps),
    } | fields


DENIED = "An error occurred (AccessDenied) when calling the AssociateIamInstanceProfile operation"


def test_a_failed_step_s_outputs_are_its_output_lines():
    # StepExecution.Outputs: AutomationParameterMap, each name with a list of values.
    step = {
        "StepName": "attach",
        "Action": "aws:executeScript",
        "StepStatus": "Failed",
        "FailureMessage": DENIED,
        "Outputs": {"InstanceId": ["i-0123456789abcdef0"], "Checked": ["profile", "role"]},
    }
    found = read_automation(automation(step))
    assert found.steps == [
        FailedStep(
            name="attach",
            status="Failed",
            action="aws:executeScript",
            detail=DENIED,
            output=["InstanceId: i-0123456789abcdef0", "Checked: profile, role"],
        )
    ]


def test_an_automation_step_is_signed_by_its_failure_message_before_its_outputs():
    step = {
        "StepName": "attach",
        "Action": "aws:executeScript",
        "StepStatus": "Failed",
        "FailureMessage": DENIED,
        "Outputs": {"InstanceId": ["i-0123456789abcdef0"]},
    }
    [found] = group_failures([read_automation(automation(step))], None, max_targets=5, lines=0)
    assert found.signature.first_line == DENIED


def test_a_failed_step_without_a_failure_message_gives_its_failure_type():
    step = {
        "StepName": "attach",
        "Action": "aws:executeScript",
        "StepStatus": "Failed",
        "FailureDetails": {"FailureStage": "Execution", "FailureType": "Verification"},
    }
    [found] = read_automation(automation(step)).steps
    assert found.detail == "Verification"


def test_a_failed_step_without_a_name_is_named_empty():
    [found] = read_automation(automation({"StepStatus": "TimedOut"})).steps
    assert found == FailedStep(name="", status="TimedOut")


def test_an_automation_without_step_executions_gives_its_failure_message():
    answer = automation(FailureMessage="Execution timed out")
    del answer["StepExecutions"]
    found = read_automation(answer)
    assert (found.steps, found.note) == ([], "Execution timed out")


def test_an_automation_without_a_failure_message_ended_as_its_status_says():
    found = read_automation(automation(AutomationExecutionStatus="TimedOut"))
    assert (found.steps, found.note) == ([], "the automation ended TimedOut")


# Automation with rate control: the failed children ----------------------------------------------


def child(listing: dict, detail: dict) -> tuple[dict, dict]:
    return (
        {"AutomationExecutionId": CHILD, "AutomationExecutionStatus": "Failed"} | listing,
        {"AutomationExecutionId": CHILD, "AutomationExecutionStatus": "Failed"} | detail,
    )


ATTACH_STEP = {
    "StepName": "AttachProfileIfMissing",
    "Action": "aws:executeScript",
    "StepStatus": "Failed",
    "FailureMessage": DENIED,
}
RATE_CONTROL = automation(TargetParameterName="InstanceId")


def test_a_failed_child_is_read_whole_with_its_instance():
    step = ATTACH_STEP | {"Outputs": {"Tried": ["1", "2", "3"], "Role": ["ops"], "Gave": ["up"]}}
    found = read_automation(
        RATE_CONTROL,
        lines=2,
        children=[
            child(
                {"Target": BATCH},
                {
                    "TargetParameterName": "InstanceId",
                    "Parameters": {"InstanceId": [BATCH]},
                    "StepExecutions": [step],
                },
            )
        ],
    )
    assert found == FailedTarget(
        resource_id=PARENT,
        resource_type="AutomationExecution",
        status="Failed",
        detailed_status="Failed",
        source=f"Automation {PARENT}",
        steps=[
            FailedStep(
                name="AttachProfileIfMissing",
                status="Failed",
                action="aws:executeScript",
                detail=DENIED,
                output=["Role: ops", "Gave: up"],  # the last 2 lines
                truncated=True,
                instance_id=BATCH,
            )
        ],
        note=None,
        document=RUNBOOK,
    )


def children_instances(listing: dict, detail: dict) -> list[str | None]:
    found = read_automation(
        RATE_CONTROL,
        children=[child(listing, detail | {"StepExecutions": [ATTACH_STEP]})],
    )
    return [step.instance_id for step in found.steps]


def test_a_child_s_instance_is_the_target_it_is_listed_with():
    assert children_instances({"Target": BATCH}, {}) == [BATCH]


def test_a_child_listed_without_a_target_ran_on_what_its_target_parameter_names():
    detail = {
        "TargetParameterName": "InstanceId",
        "Parameters": {
            "AutomationAssumeRole": ["arn:aws:iam::123456789012:role/attach"],
            "InstanceId": [BATCH],
        },
    }
    assert children_instances({}, detail) == [BATCH]


def test_a_child_without_a_target_or_its_parameter_has_no_instance_of_its_own():
    assert children_instances({}, {"TargetParameterName": "InstanceId"}) == [None]


# reading the children side by side --------------------------------------------------------------

READS_AT_ONCE = 8
"""decisions.md, 30: "concurrent GetAutomationExecution calls, bounded (8)"."""


def test_reads_go_8_at_a_time_and_no_more():
    lock = threading.Condition()
    in_flight, most = 0, 0

    def read(item: int) -> int:
        nonlocal in_flight, most
        with lock:
            in_flight += 1
            most = max(most, in_flight)
            lock.notify_all()
            lock.wait_for(lambda: most >= READS_AT_ONCE, timeout=1)
            in_flight -= 1
        return item * 10

    assert read_concurrently(read, list(range(20))) == [n * 10 for n in range(20)]
    assert most == READS_AT_ONCE


def test_two_reads_go_side_by_side():
    both = threading.Barrier(2, timeout=5)

    def read(item: str) -> str:
        both.wait()  # each waits for the other: one after the other would never meet
        return item.upper()

    assert read_concurrently(read, ["a", "b"]) == ["A", "B"]


def test_the_first_error_is_raised_once_the_reads_under_way_have_ended():
    started, ended = threading.Event(), threading.Event()

    def read(item: int) -> int:
        if item == 0:
            started.wait(5)
            raise RuntimeError("denied")
        started.set()
        time.sleep(0.3)
        ended.set()
        return item

    with pytest.raises(RuntimeError, match="denied"):
        read_concurrently(read, [0, 1])
    assert ended.is_set()


# --instance -------------------------------------------------------------------------------------

INVENTORY_URL = f"https://s3.{REGION}.amazonaws.com/ops-logs/inventory/{WEB}/"


def instance_info(key: str, status: str, config: str = CONFIG, **fields) -> dict:
    """One ``InstanceAssociationStatusInfo`` of WEB."""
    return {
        "AssociationId": association_id(key, config),
        "AssociationName": association_name(OPTIONS_BY_KEY[key], config),
        "InstanceId": WEB,
        "ExecutionDate": FAILED_AT,
        "Status": status,
    } | fields


def instance_troubles(*infos: dict, exit_code: int = 0) -> dict:
    aws, stubber = stubbed_aws()
    stubber.add_response(
        "describe_instance_associations_status",
        {"InstanceAssociationStatusInfos": list(infos)},
        {"InstanceId": WEB},
    )
    with stubber:
        result = run(["troubleshoot", "--instance", WEB, "--json"], aws)
    stubber.assert_no_pending_responses()
    assert result.exit_code == exit_code, result.output
    return data(result)["associations"]


def test_an_association_on_the_instance_is_shown_whole():
    name = association_name(OPTIONS_BY_KEY["collect_inventory"], CONFIG)
    info = instance_info(
        "collect_inventory",
        "Success",
        Name="AWS-GatherSoftwareInventory",
        DetailedStatus="Success",
        ExecutionSummary="1 out of 1 plugin processed, 1 success, 0 failed",
        ErrorCode="",
        OutputUrl={"S3OutputUrl": {"OutputUrl": INVENTORY_URL}},
    )
    assert instance_troubles(info) == {
        name: {
            "key": "collect_inventory",
            "title": OPTIONS_BY_KEY["collect_inventory"].title,
            "association_id": association_id("collect_inventory"),
            "association_name": name,
            "document": "AWS-GatherSoftwareInventory",
            "status": "Success",
            "detailed_status": "Success",
            "execution_date": "2026-01-04T21:30:00Z",
            "execution_summary": "1 out of 1 plugin processed, 1 success, 0 failed",
            "error_code": None,  # an empty ErrorCode is none
            "output_url": INVENTORY_URL,
            "execution_id": None,
            "source": None,
            "steps": [],
            "note": None,
        }
    }


def test_an_association_reported_by_its_name_alone_is_shown_with_empty_strings():
    name = association_name(OPTIONS_BY_KEY["collect_inventory"], CONFIG)
    [found] = instance_troubles({"AssociationName": name}).values()
    assert {field: found[field] for field in ("association_id", "status", "document")} == {
        "association_id": "",
        "status": "",
        "document": None,
    }


def test_an_association_without_a_name_on_the_instance_is_not_quick_setup_s():
    # AssociationName is optional when an association is created.
    unnamed = {"AssociationId": "99999999-0000-4000-8000-000000000000", "Status": "Success"}
    found = instance_troubles(unnamed, instance_info("collect_inventory", "Success"))
    assert [association["key"] for association in found.values()] == ["collect_inventory"]


def test_an_association_of_an_option_not_in_the_catalogue_comes_after_the_catalogue_s():
    newer = f"QuickSetup-SomeNewerOption-{CONFIG}"
    found = instance_troubles(
        {"AssociationId": "99999999-0000-4000-8000-000000000000", "AssociationName": newer}
        | {"Status": "Success", "ExecutionDate": FAILED_AT},
        instance_info("collect_inventory", "Success"),
    )
    assert [association["key"] for association in found.values()] == ["collect_inventory", newer]


OTHER_CONFIG = "5d1e2f3a"


def stack_configuration() -> DeployedConfiguration:
    """The configuration that ``--stack`` reads: collect_inventory of :data:`CONFIG`."""
    match = match_association(association_name(OPTIONS_BY_KEY["collect_inventory"], CONFIG))
    assert match is not None
    deployed = DeployedAssociation.from_api(
        association("collect_inventory", {"Success": 1}, "Success"), match
    )
    return DeployedConfiguration(CONFIG, REGION, "QuickSetupLocalSample", [deployed])


def instance_of_stack(*infos: dict):
    aws, stubber = stubbed_aws()
    stubber.add_response(
        "describe_instance_associations_status",
        {"InstanceAssociationStatusInfos": list(infos)},
        {"InstanceId": WEB},
    )
    with stubber:
        return troubleshoot_instance(aws, WEB, configurations=[stack_configuration()])


def test_with_a_stack_only_its_associations_on_the_instance_are_shown():
    found = instance_of_stack(
        instance_info("collect_inventory", "Success", config=OTHER_CONFIG),
        instance_info("collect_inventory", "Success"),
    )
    assert [a.association_id for a in found.associations] == [association_id("collect_inventory")]


def test_with_a_stack_none_of_whose_associations_ran_on_the_instance_is_one_line():
    """The instance's Quick Setup associations are another configuration's: the line says so,
    not that none is named QuickSetup-*."""
    with pytest.raises(CliError) as raised:
        instance_of_stack(
            instance_info("collect_inventory", "Success", config=OTHER_CONFIG),
            {"AssociationName": "nightly-cleanup", "Status": "Success"},
        )
    assert str(raised.value) == (
        f"no Quick Setup association has run on instance {WEB} in {REGION} from that stack "
        "(its 1 QuickSetup-* association(s) are other configurations'; 2 association(s) in all)"
    )


def test_with_a_stack_and_no_quick_setup_association_on_the_instance_is_one_line():
    with pytest.raises(CliError) as raised:
        instance_of_stack({"AssociationName": "nightly-cleanup", "Status": "Success"})
    assert str(raised.value) == (
        f"no Quick Setup association has run on instance {WEB} in {REGION} from that stack "
        "(none named QuickSetup-* among its 1 association(s))"
    )


def test_an_instance_without_quick_setup_associations_is_one_line():
    aws, stubber = stubbed_aws()
    stubber.add_response(
        "describe_instance_associations_status",
        {
            "InstanceAssociationStatusInfos": [
                {"AssociationName": "nightly-cleanup", "Status": "Success"},
                {"AssociationName": "weekly-scan", "Status": "Success"},
            ]
        },
        {"InstanceId": WEB},
    )
    with stubber:
        result = run(["troubleshoot", "--instance", WEB], aws)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: no Quick Setup association has run on instance {WEB} in {REGION} "
        "(none named QuickSetup-* among its 2 association(s))"
    )


# --instance: the failed run, searched in the history --------------------------------------------

HISTORY_GONE = "the run on this instance is no longer in the association's execution history"


def failed_on_instance(info: dict, searched: str, *answers: dict) -> dict:
    """``troubleshoot --instance`` of one failed agent update (``info``), searched among the
    executions created before ``searched``: ``answers`` are DescribeAssociationExecutions'
    and then DescribeAssociationExecutionTargets' of the first of them."""
    aws, stubber = stubbed_aws()
    stubber.add_response(
        "describe_instance_associations_status",
        {"InstanceAssociationStatusInfos": [info]},
        {"InstanceId": WEB},
    )
    query = {
        "AssociationId": association_id("update_ssm_agent"),
        "MaxResults": 3,
        "Filters": [{"Key": "CreatedTime", "Type": "LESS_THAN", "Value": searched}],
    }
    stubber.add_response("describe_association_executions", answers[0], query)
    if len(answers) > 1:
        stubber.add_response(
            "describe_association_execution_targets",
            answers[1],
            {
                "AssociationId": association_id("update_ssm_agent"),
                "ExecutionId": AGENT_RUN,
                "Filters": [{"Key": "ResourceId", "Value": WEB}],
            },
        )
    with stubber:
        result = run(["troubleshoot", "--instance", WEB, "--json"], aws)
    stubber.assert_no_pending_responses()
    assert result.exit_code == 1, result.output
    [found] = data(result)["associations"].values()
    return found


@pytest.fixture
def tokyo_time(monkeypatch):
    """The machine's clock in Asia/Tokyo (UTC+9)."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_run_is_searched_by_the_instance_s_execution_date_in_utc(tokyo_time):
    # 23:30 at UTC+2 is 21:30 UTC; CreatedTime LESS_THAN the next second, in UTC.
    ran = datetime(2026, 1, 4, 23, 30, tzinfo=timezone(timedelta(hours=2)))
    found = failed_on_instance(
        instance_info("update_ssm_agent", "Failed", ExecutionDate=ran),
        "2026-01-04T21:30:01Z",
        {"AssociationExecutions": []},
    )
    assert found["note"] == HISTORY_GONE


def test_a_run_gone_from_the_history_says_where_its_output_is():
    found = failed_on_instance(
        instance_info(
            "update_ssm_agent", "Failed", OutputUrl={"S3OutputUrl": {"OutputUrl": INVENTORY_URL}}
        ),
        "2026-01-04T21:30:01Z",
        {},  # no AssociationExecutions
    )
    assert (found["note"], found["execution_id"], found["steps"]) == (
        f"{HISTORY_GONE}; its output: {INVENTORY_URL}",
        None,
        [],
    )


def test_a_run_not_among_the_execution_s_targets_is_gone_from_the_history():
    run_before = failed_run("update_ssm_agent", AGENT_RUN, "{Failed=1}")
    found = failed_on_instance(
        instance_info("update_ssm_agent", "Failed"),
        "2026-01-04T21:30:01Z",
        run_before,
        {},  # no AssociationExecutionTargets
    )
    assert (found["note"], found["execution_id"]) == (HISTORY_GONE, None)
