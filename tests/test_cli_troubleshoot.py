"""`quicksetup troubleshoot`: from a failed card to the output of the failing step.

State Manager, Run Command and Automation are not implemented by moto: botocore's Stubber
answers on the real client and checks every request and response against the service model.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from botocore.stub import Stubber

from quicksetup_constructs.cli.catalogue import association_name
from quicksetup_constructs.options import OPTIONS_BY_KEY

from .test_cli_status import (
    ACCOUNT,
    CONFIG,
    REGION,
    STACK,
    association,
    association_id,
    data,
    execution,
    expect_stack,
    expect_successful_runs,
    run,
    stubbed_aws,
    synthesized_local_template,
    template_keys,
)

FAILED_AT = datetime(2026, 1, 4, 21, 30, tzinfo=UTC)
PARENT = "5c6d7e8f-0000-4000-8000-00000000a001"
CHILD = "5c6d7e8f-0000-4000-8000-00000000a002"
COMMAND = "0b1c2d3e-0000-4000-8000-00000000c001"
WEB = "i-0fedcba9876543210"
BATCH = "i-0123456789abcdef0"
AGENT_OUTPUT = """Updating amazon-ssm-agent from 3.3.987.0 to latest
Successfully downloaded manifest
Successfully downloaded updater version 3.3.1142.0
Updating amazon-ssm-agent from 3.3.987.0 to 3.3.1142.0
failed to install amazon-ssm-agent 3.3.1142.0: rpm -U exited with 1: error: Failed \
dependencies: libc.so.6(GLIBC_2.34)(64bit) is needed"""
DENIED = (
    "Step fails when it is Executing. Fail reason: An error occurred (UnauthorizedOperation) "
    "when calling the AssociateIamInstanceProfile operation: You are not authorized to "
    "perform this operation."
)


def configurations(result) -> dict[str, dict]:
    """``data.configurations`` of ``troubleshoot --json``: each keyed by the id of its
    ``status``, its ``failed`` options and its ``missing`` ones by option key."""
    found = data(result)["configurations"]
    for configuration_id, troubles in found.items():
        assert troubles["status"]["configuration_id"] == configuration_id
        assert all(failed["option"]["key"] == key for key, failed in troubles["failed"].items())
        assert all(missing["key"] == key for key, missing in troubles["missing"].items())
    return found


def failed_run(key: str, execution_id: str, counts: str) -> dict:
    answer = execution(key, "Failed", counts)
    answer["AssociationExecutions"][0] |= {"ExecutionId": execution_id, "CreatedTime": FAILED_AT}
    return answer


def expect_a_failed_command_and_a_failed_automation(
    stubber,
    *,
    failed_targets: int = 1,
    listed: int | None = None,
) -> None:
    """Two failed options: the Automation runbook (rate control, one failed child) and the
    Command document (``failed_targets`` failed targets, of which ``listed`` are among the
    command's failed invocations)."""
    stubber.add_response(
        "list_associations",
        {
            "Associations": [
                association("attach_instance_profile", {"Success": 1, "Failed": 1}, "Failed"),
                association("update_ssm_agent", {"Success": 2, "Failed": failed_targets}, "Failed"),
                association("collect_inventory", {"Success": 3}, "Success"),
            ]
        },
        {},
    )
    # status: the latest run of each association
    attach_run = failed_run(
        "attach_instance_profile", "aaaaaaaa-0000-4000-8000-000000000001", "{Failed=1, Success=1}"
    )
    stubber.add_response(
        "describe_association_executions",
        attach_run,
        {"AssociationId": association_id("attach_instance_profile"), "MaxResults": 1},
    )
    stubber.add_response(
        "describe_association_executions",
        execution("update_ssm_agent", "Success", "{Success=3}"),
        {"AssociationId": association_id("update_ssm_agent"), "MaxResults": 1},
    )
    stubber.add_response(
        "describe_association_executions",
        execution("collect_inventory", "Success", "{Success=3}"),
        {"AssociationId": association_id("collect_inventory"), "MaxResults": 1},
    )
    # the Automation runbook: its latest run failed; one automation ran per target
    stubber.add_response(
        "describe_association_execution_targets",
        {
            "AssociationExecutionTargets": [
                {
                    "AssociationId": association_id("attach_instance_profile"),
                    "AssociationVersion": "1",
                    "ExecutionId": "aaaaaaaa-0000-4000-8000-000000000001",
                    "ResourceId": PARENT,
                    "ResourceType": "AutomationExecution",
                    "Status": "Failed",
                    "DetailedStatus": "Failed",
                    "LastExecutionDate": FAILED_AT,
                }
            ]
        },
        {
            "AssociationId": association_id("attach_instance_profile"),
            "ExecutionId": "aaaaaaaa-0000-4000-8000-000000000001",
            "Filters": [{"Key": "Status", "Value": "Failed"}],
        },
    )
    stubber.add_response(
        "get_automation_execution",
        {
            "AutomationExecution": {
                "AutomationExecutionId": PARENT,
                "DocumentName": "QuickSetupLocalSample-Attach-Z3X8QK2LPA1M",
                "AutomationExecutionStatus": "Failed",
                "Mode": "Auto",
                "TargetParameterName": "InstanceId",
                "Targets": [{"Key": "tag:Environment", "Values": ["production"]}],
                "StepExecutions": [],
                "ExecutionStartTime": FAILED_AT,
            }
        },
        {"AutomationExecutionId": PARENT},
    )
    stubber.add_response(
        "describe_automation_executions",
        {
            "AutomationExecutionMetadataList": [
                {
                    "AutomationExecutionId": CHILD,
                    "DocumentName": "QuickSetupLocalSample-Attach-Z3X8QK2LPA1M",
                    "AutomationExecutionStatus": "Failed",
                    "ParentAutomationExecutionId": PARENT,
                    "Target": BATCH,
                    "ExecutionStartTime": FAILED_AT,
                }
            ]
        },
        {
            "Filters": [
                {"Key": "ParentExecutionId", "Values": [PARENT]},
                {"Key": "ExecutionStatus", "Values": ["Failed", "TimedOut", "Cancelled"]},
            ]
        },
    )
    stubber.add_response(
        "get_automation_execution",
        {
            "AutomationExecution": {
                "AutomationExecutionId": CHILD,
                "AutomationExecutionStatus": "Failed",
                "TargetParameterName": "InstanceId",
                "Parameters": {"InstanceId": [BATCH]},
                "StepExecutions": [
                    {
                        "StepName": "AttachProfileIfMissing",
                        "Action": "aws:executeScript",
                        "StepStatus": "Failed",
                        "FailureMessage": DENIED,
                        "FailureDetails": {
                            "FailureStage": "Execution",
                            "FailureType": "Verification",
                        },
                    }
                ],
            }
        },
        {"AutomationExecutionId": CHILD},
    )
    # the Command document: its latest run succeeded, the one before failed
    stubber.add_response(
        "describe_association_executions",
        failed_run(
            "update_ssm_agent", "bbbbbbbb-0000-4000-8000-000000000002", "{Failed=1, Success=2}"
        ),
        {
            "AssociationId": association_id("update_ssm_agent"),
            "MaxResults": 1,
            "Filters": [{"Key": "Status", "Value": "Failed", "Type": "EQUAL"}],
        },
    )
    stubber.add_response(
        "describe_association_execution_targets",
        {
            "AssociationExecutionTargets": [
                {
                    "AssociationId": association_id("update_ssm_agent"),
                    "AssociationVersion": "1",
                    "ExecutionId": "bbbbbbbb-0000-4000-8000-000000000002",
                    "ResourceId": instance,
                    "ResourceType": "ManagedInstance",
                    "Status": "Failed",
                    "DetailedStatus": "Failed",
                    "LastExecutionDate": FAILED_AT,
                    "OutputSource": {"OutputSourceId": COMMAND, "OutputSourceType": "RunCommand"},
                }
                for instance in [WEB, "i-0aaaaaaaaaaaaaaa1", "i-0aaaaaaaaaaaaaaa2"][:failed_targets]
            ]
        },
        {
            "AssociationId": association_id("update_ssm_agent"),
            "ExecutionId": "bbbbbbbb-0000-4000-8000-000000000002",
            "Filters": [{"Key": "Status", "Value": "Failed"}],
        },
    )
    instances = [WEB, "i-0aaaaaaaaaaaaaaa1", "i-0aaaaaaaaaaaaaaa2"][:failed_targets]
    if failed_targets == 1:  # one target: its invocation
        stubber.add_response(
            "list_command_invocations",
            {
                "CommandInvocations": [
                    invocation(WEB),
                ]
            },
            {"CommandId": COMMAND, "InstanceId": WEB, "Details": True},
        )
    else:  # several: the command's failed invocations, listed together
        stubber.add_response(
            "list_command_invocations",
            {"CommandInvocations": [invocation(instance) for instance in instances[:listed]]},
            {"CommandId": COMMAND, "Details": True, "Filters": FAILED_INVOCATIONS},
        )


FAILED_INVOCATIONS = [{"key": "Status", "value": "Failed"}]


def invocation(
    instance: str, output: str = AGENT_OUTPUT, code: int = 1, command: str = COMMAND
) -> dict:
    """A failed ``CommandInvocation`` of AWS-UpdateSSMAgent on ``instance``."""
    return {
        "CommandId": command,
        "InstanceId": instance,
        "DocumentName": "AWS-UpdateSSMAgent",
        "Status": "Failed",
        "StatusDetails": "Failed",
        "RequestedDateTime": FAILED_AT,
        "CommandPlugins": [
            {
                "Name": "aws:updateSsmAgent",
                "Status": "Failed",
                "StatusDetails": "Failed",
                "ResponseCode": code,
                "Output": output,
            }
        ],
    }


def test_troubleshoot_follows_each_failed_option_to_its_failed_steps():
    aws, stubber = stubbed_aws()
    expect_a_failed_command_and_a_failed_automation(stubber)
    with stubber:
        result = run(["troubleshoot", "--json"], aws)
    stubber.assert_no_pending_responses()
    assert result.exit_code == 1, "anything failed: exit code 1"
    [troubles] = configurations(result).values()
    assert troubles["status"]["status"] == "Failed"
    assert list(troubles["failed"]) == ["attach_instance_profile", "update_ssm_agent"]
    attach, agent = troubles["failed"].values()
    assert attach["option"]["key"] == "attach_instance_profile"
    assert attach["execution"]["execution_id"] == "aaaaaaaa-0000-4000-8000-000000000001"
    assert attach["failed_targets"] == 1
    [group] = attach["groups"]
    assert group["source"] == f"Automation {PARENT}"
    assert (group["count"], group["instance_ids"]) == (1, [BATCH]), "the child's instance"
    assert group["signature"] == {
        "document": "QuickSetupLocalSample-Attach-Z3X8QK2LPA1M",
        "step": "AttachProfileIfMissing",
        "exit_code": None,
        "first_line": DENIED,
    }
    assert (group["action"], group["status"], group["detail"]) == (
        "aws:executeScript",
        "Failed",
        DENIED,
    )

    assert agent["option"]["key"] == "update_ssm_agent"
    assert agent["execution"]["execution_id"] == "bbbbbbbb-0000-4000-8000-000000000002"
    assert agent["execution"]["counts"] == {"Failed": 1, "Success": 2}
    [group] = agent["groups"]
    assert (group["instance_ids"], group["source"]) == ([WEB], f"RunCommand {COMMAND}")
    assert group["signature"] == {
        "document": "AWS-UpdateSSMAgent",
        "step": "aws:updateSsmAgent",
        "exit_code": 1,
        "first_line": AGENT_OUTPUT.splitlines()[0],
    }
    assert group["output"] == AGENT_OUTPUT.splitlines()
    assert not group["truncated"]


def test_troubleshoot_for_people_shows_the_failing_output():
    aws, stubber = stubbed_aws()
    expect_a_failed_command_and_a_failed_automation(stubber)
    with stubber:
        result = run(["troubleshoot"], aws)
    assert result.exit_code == 1
    for text in (
        "✗ Update Systems Manager (SSM) Agent every two weeks",
        "QuickSetup-UpdateSSMAgent-7a422481",
        f"✗ 1 target(s): {WEB}",
        "step aws:updateSsmAgent Failed, exit code 1",
        "libc.so.6(GLIBC_2.34)(64bit) is needed",
        f"✗ 1 target(s): {BATCH}",
        "step AttachProfileIfMissing (aws:executeScript) Failed",
        "UnauthorizedOperation",
    ):
        assert text in result.stdout, text


def test_troubleshoot_keeps_output_short():
    aws, stubber = stubbed_aws()
    expect_a_failed_command_and_a_failed_automation(stubber, failed_targets=3)
    with stubber:
        result = run(["troubleshoot", "--json", "--lines", "2", "--max-targets", "1"], aws)
    stubber.assert_no_pending_responses()
    [troubles] = configurations(result).values()
    agent = troubles["failed"]["update_ssm_agent"]
    assert agent["failed_targets"] == 3
    [group] = agent["groups"]  # the three failed alike
    assert (group["count"], group["instance_ids"], group["more_instances"]) == (3, [WEB], 2)
    assert group["output"] == AGENT_OUTPUT.splitlines()[-2:]
    assert group["truncated"]
    assert group["signature"]["first_line"] == AGENT_OUTPUT.splitlines()[0], (
        "the signature reads the whole output"
    )


def test_troubleshoot_exits_0_when_nothing_failed():
    aws, stubber = stubbed_aws()
    stubber.add_response(
        "list_associations",
        {
            "Associations": [
                association("scan_for_patches", {"Success": 3}, "Success"),
            ]
        },
        {},
    )
    stubber.add_response(
        "describe_association_executions",
        execution("scan_for_patches", "Success", "{Success=3}"),
        {"AssociationId": association_id("scan_for_patches"), "MaxResults": 1},
    )
    with stubber:
        result = run(["troubleshoot"], aws)
    stubber.assert_no_pending_responses()
    assert result.exit_code == 0
    assert "✓ Nothing failed: 1 option(s), Scan instances for missing patches daily: Success" in (
        result.stdout
    )


# grouping by signature ------------------------------------------------------------------------

DOWNLOAD_OUTPUT = (
    "failed to download manifest: RequestError: send request failed\n"
    'caused by: Get "https://s3.us-east-1.amazonaws.com/amazon-ssm-us-east-1/'
    'ssm-agent-manifest.json": dial tcp: i/o timeout'
)
"""Fails at another line than :data:`AGENT_OUTPUT` (no route to S3)."""
OFFLINE_OUTPUT = "\n\n  failed to download manifest: no route to the S3 endpoint\nretrying later"
AGENT_RUN = "dddddddd-0000-4000-8000-000000000004"


def instance_id(n: int) -> str:
    return f"i-{n:017x}"


def expect_30_failed_agent_updates(stubber) -> None:
    """update_ssm_agent failed on 30 of 100 targets: 20 for want of a newer glibc, 10 without
    a route to S3 (every third), all from one command; targets and invocations in two pages."""
    stubber.add_response(
        "list_associations",
        {
            "Associations": [
                association("update_ssm_agent", {"Success": 70, "Failed": 30}, "Failed"),
            ]
        },
        {},
    )
    stubber.add_response(
        "describe_association_executions",
        failed_run("update_ssm_agent", AGENT_RUN, "{Failed=30, Success=70}"),
        {"AssociationId": association_id("update_ssm_agent"), "MaxResults": 1},
    )
    targets = [
        {
            "AssociationId": association_id("update_ssm_agent"),
            "AssociationVersion": "1",
            "ExecutionId": AGENT_RUN,
            "ResourceId": instance_id(n),
            "ResourceType": "ManagedInstance",
            "Status": "Failed",
            "DetailedStatus": "Failed",
            "LastExecutionDate": FAILED_AT,
            "OutputSource": {"OutputSourceId": COMMAND, "OutputSourceType": "RunCommand"},
        }
        for n in range(30)
    ]
    query = {
        "AssociationId": association_id("update_ssm_agent"),
        "ExecutionId": AGENT_RUN,
        "Filters": [{"Key": "Status", "Value": "Failed"}],
    }
    stubber.add_response(
        "describe_association_execution_targets",
        {"AssociationExecutionTargets": targets[:25], "NextToken": "page-2"},
        query,
    )
    stubber.add_response(
        "describe_association_execution_targets",
        {"AssociationExecutionTargets": targets[25:]},
        query | {"NextToken": "page-2"},
    )
    invocations = [
        invocation(instance_id(n), DOWNLOAD_OUTPUT if n % 3 == 2 else AGENT_OUTPUT)
        for n in range(30)
    ]
    query = {"CommandId": COMMAND, "Details": True, "Filters": FAILED_INVOCATIONS}
    stubber.add_response(
        "list_command_invocations",
        {"CommandInvocations": invocations[:20], "NextToken": "page-2"},
        query,
    )
    stubber.add_response(
        "list_command_invocations",
        {"CommandInvocations": invocations[20:]},
        query | {"NextToken": "page-2"},
    )


def test_troubleshoot_groups_targets_that_failed_alike():
    aws, stubber = stubbed_aws()
    expect_30_failed_agent_updates(stubber)
    with stubber:
        result = run(["troubleshoot", "--json"], aws)
    stubber.assert_no_pending_responses()  # and no call per target
    assert result.exit_code == 1
    [troubles] = configurations(result).values()
    [agent] = troubles["failed"].values()
    assert agent["failed_targets"] == 30
    glibc, download = agent["groups"]
    assert (glibc["count"], download["count"]) == (20, 10), "the largest group first"
    assert glibc["signature"] == {
        "document": "AWS-UpdateSSMAgent",
        "step": "aws:updateSsmAgent",
        "exit_code": 1,
        "first_line": "Updating amazon-ssm-agent from 3.3.987.0 to latest",
    }
    assert download["signature"] == glibc["signature"] | {
        "first_line": "failed to download manifest: RequestError: send request failed",
    }
    assert glibc["instance_ids"] == [instance_id(n) for n in (0, 1, 3, 4, 6)]
    assert download["instance_ids"] == [instance_id(n) for n in (2, 5, 8, 11, 14)]
    assert (glibc["more_instances"], download["more_instances"]) == (15, 5)
    assert glibc["output"] == AGENT_OUTPUT.splitlines()
    assert download["output"] == DOWNLOAD_OUTPUT.splitlines()


def test_troubleshoot_shows_each_group_once_for_people():
    aws, stubber = stubbed_aws()
    expect_30_failed_agent_updates(stubber)
    with stubber:
        result = run(["troubleshoot"], aws)
    assert result.exit_code == 1
    out = result.stdout
    assert "30 failed target(s) in 2 group(s) that failed alike" in out
    assert f"✗ 20 target(s): {instance_id(0)}, {instance_id(1)}, {instance_id(3)}, " in out
    assert "and 15 more" in out and "and 5 more" in out
    assert out.count("libc.so.6(GLIBC_2.34)(64bit) is needed") == 1, "the output once per group"
    assert out.count("dial tcp: i/o timeout") == 1
    assert out.count("step aws:updateSsmAgent Failed, exit code 1") == 2
    assert instance_id(29) not in out  # counted, not listed


def test_the_signature_is_the_first_non_empty_line():
    """Exit codes and first lines tell failures apart; blank lines and the rest do not."""
    from quicksetup_constructs.cli.troubleshoot import FailedStep, FailedTarget, group_failures

    def target(instance: str, output: str, code: int = 1) -> FailedTarget:
        lines = [line.strip() for line in output.splitlines() if line.strip()]
        return FailedTarget(
            instance,
            "ManagedInstance",
            "Failed",
            "Failed",
            f"RunCommand {COMMAND}",
            [FailedStep("aws:runShellScript", "Failed", response_code=code, output=lines)],
            document="AWS-RunShellScript",
        )

    gone = FailedTarget(
        BATCH,
        "ManagedInstance",
        "Failed",
        "Failed",
        f"RunCommand {COMMAND}",
        note="the command's invocation is no longer available (kept 30 days)",
    )
    groups = group_failures(
        [
            target("i-0000000000000000a", OFFLINE_OUTPUT),
            target(
                "i-0000000000000000b",
                "failed to download manifest: no route to the S3 endpoint\nother",
            ),
            target("i-0000000000000000c", OFFLINE_OUTPUT, code=2),
            gone,
        ],
        None,
        max_targets=5,
        lines=1,
    )
    assert [(g.count, g.signature.exit_code, g.signature.first_line) for g in groups] == [
        (2, 1, "failed to download manifest: no route to the S3 endpoint"),
        (1, 2, "failed to download manifest: no route to the S3 endpoint"),
        (1, None, "the command's invocation is no longer available (kept 30 days)"),
    ]
    assert groups[0].output == ["retrying later"] and groups[0].truncated, "--lines 1"
    assert groups[2].signature.step is None


# drill-down: one association ------------------------------------------------------------------

LONG_OUTPUT = "\n".join(f"step {n} of the agent update" for n in range(1, 25)) + "\n" + AGENT_OUTPUT


def expect_the_association_drill_down(stubber, by: str) -> None:
    """update_ssm_agent's latest run failed on three targets (found by id or by name)."""
    agent = association("update_ssm_agent", {"Success": 2, "Failed": 3}, "Failed")
    if by == "id":
        stubber.add_response(
            "describe_association",
            {"AssociationDescription": agent},
            {"AssociationId": association_id("update_ssm_agent")},
        )
    else:
        stubber.add_response(
            "list_associations",
            {"Associations": [agent]},
            {
                "AssociationFilterList": [
                    {"key": "AssociationName", "value": "QuickSetup-UpdateSSMAgent-7a422481"}
                ],
            },
        )
    stubber.add_response(
        "describe_association_executions",
        failed_run("update_ssm_agent", AGENT_RUN, "{Failed=3, Success=2}"),
        {"AssociationId": association_id("update_ssm_agent"), "MaxResults": 1},
    )
    instances = [WEB, BATCH, "i-0aaaaaaaaaaaaaaa1"]
    stubber.add_response(
        "describe_association_execution_targets",
        {
            "AssociationExecutionTargets": [
                {
                    "AssociationId": association_id("update_ssm_agent"),
                    "AssociationVersion": "1",
                    "ExecutionId": AGENT_RUN,
                    "ResourceId": instance,
                    "ResourceType": "ManagedInstance",
                    "Status": "Failed",
                    "DetailedStatus": "Failed",
                    "LastExecutionDate": FAILED_AT,
                    "OutputSource": {"OutputSourceId": COMMAND, "OutputSourceType": "RunCommand"},
                }
                for instance in instances
            ]
        },
        {
            "AssociationId": association_id("update_ssm_agent"),
            "ExecutionId": AGENT_RUN,
            "Filters": [{"Key": "Status", "Value": "Failed"}],
        },
    )
    stubber.add_response(
        "list_command_invocations",
        {"CommandInvocations": [invocation(instance, LONG_OUTPUT) for instance in instances]},
        {"CommandId": COMMAND, "Details": True, "Filters": FAILED_INVOCATIONS},
    )


def test_troubleshoot_association_shows_every_failed_target_in_full():
    aws, stubber = stubbed_aws()
    expect_the_association_drill_down(stubber, by="name")
    with stubber:
        result = run(
            ["troubleshoot", "--association", "QuickSetup-UpdateSSMAgent-7a422481", "--json"], aws
        )
    stubber.assert_no_pending_responses()
    assert result.exit_code == 1, result.output
    troubles = data(result)
    assert (troubles["option"]["key"], troubles["option"]["status"]) == (
        "update_ssm_agent",
        "Failed",
    )
    assert troubles["execution"]["execution_id"] == AGENT_RUN
    assert list(troubles["target_results"]) == [
        WEB,
        BATCH,
        "i-0aaaaaaaaaaaaaaa1",
    ], "every failed target, not grouped"
    assert all(
        target["resource_id"] == resource_id
        for resource_id, target in troubles["target_results"].items()
    )
    for target in troubles["target_results"].values():
        [step] = target["steps"]
        assert step["output"] == LONG_OUTPUT.splitlines(), "all 29 lines: --lines 0 by default"
        assert not step["truncated"]


def test_troubleshoot_association_by_id_for_people():
    aws, stubber = stubbed_aws()
    expect_the_association_drill_down(stubber, by="id")
    with stubber:
        result = run(["troubleshoot", "--association", association_id("update_ssm_agent")], aws)
    stubber.assert_no_pending_responses()
    assert result.exit_code == 1
    out = result.stdout
    for text in (
        "QuickSetup-UpdateSSMAgent-7a422481",
        f"Execution {AGENT_RUN}",
        "3 failed target(s)",
        f"✗ {WEB} (ManagedInstance) Failed",
        f"✗ {BATCH} (ManagedInstance) Failed",
    ):
        assert text in out, text
    assert out.count("step 1 of the agent update") == 3, "the full output of every target"


def test_troubleshoot_association_lines_still_limits():
    aws, stubber = stubbed_aws()
    expect_the_association_drill_down(stubber, by="id")
    with stubber:
        result = run(
            [
                "troubleshoot",
                "--association",
                association_id("update_ssm_agent"),
                "--lines",
                "3",
                "--json",
            ],
            aws,
        )
    [first, *_] = data(result)["target_results"].values()
    step = first["steps"][0]
    assert step["output"] == LONG_OUTPUT.splitlines()[-3:] and step["truncated"]


def caller(aws) -> Stubber:
    sts = Stubber(aws.client("sts"))
    sts.add_response(
        "get_caller_identity",
        {"Account": ACCOUNT, "UserId": "AIDAEXAMPLE", "Arn": f"arn:aws:iam::{ACCOUNT}:user/ops"},
        {},
    )
    return sts


def test_troubleshoot_association_unknown_id_is_one_line():
    aws, stubber = stubbed_aws()
    unknown = "99999999-0000-4000-8000-000000000000"
    stubber.add_client_error(
        "describe_association",
        service_error_code="AssociationDoesNotExist",
        service_message="",
        http_status_code=400,
        expected_params={"AssociationId": unknown},
    )
    with stubber, caller(aws):
        result = run(["troubleshoot", "--association", unknown], aws)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip() == (
        f"error: no association {unknown} in {REGION} (account {ACCOUNT}): check the id "
        "(`aws ssm list-associations`), or pass --region"
    )


def test_troubleshoot_association_unknown_name_is_one_line():
    aws, stubber = stubbed_aws()
    stubber.add_response(
        "list_associations",
        {"Associations": []},
        {
            "AssociationFilterList": [
                {"key": "AssociationName", "value": "QuickSetup-Nope-7a422481"}
            ],
        },
    )
    with stubber, caller(aws):
        result = run(["troubleshoot", "--association", "QuickSetup-Nope-7a422481"], aws)
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: no association named 'QuickSetup-Nope-7a422481' in us-east-1")


# drill-down: one instance ---------------------------------------------------------------------


def status_info(key: str, status: str, **fields) -> dict:
    """One ``InstanceAssociationStatusInfo`` of WEB."""
    option = OPTIONS_BY_KEY[key]
    return {
        "AssociationId": association_id(key),
        "AssociationName": association_name(option, CONFIG),
        "Name": option.document.name if hasattr(option.document, "name") else key,
        "AssociationVersion": "1",
        "InstanceId": WEB,
        "ExecutionDate": FAILED_AT,
        "Status": status,
        "DetailedStatus": status,
        **fields,
    }


def expect_the_instance_drill_down(stubber) -> None:
    stubber.add_response(
        "describe_instance_associations_status",
        {
            "InstanceAssociationStatusInfos": [
                status_info(
                    "collect_inventory",
                    "Success",
                    ExecutionSummary="1 out of 1 plugin processed, 1 success, 0 failed",
                ),
                {
                    "AssociationId": "99999999-0000-4000-8000-000000000000",
                    "Name": "AWS-RunShellScript",
                    "AssociationName": "nightly-cleanup",
                    "InstanceId": WEB,
                    "Status": "Failed",
                    "ExecutionDate": FAILED_AT,
                },  # not Quick Setup's
                status_info(
                    "update_ssm_agent",
                    "Failed",
                    ErrorCode="1",
                    ExecutionSummary="1 out of 1 plugin processed, 0 success, 1 failed, "
                    "0 timedout, 0 skipped. The operation aws:updateSsmAgent failed.",
                ),
            ]
        },
        {"InstanceId": WEB},
    )
    stubber.add_response(
        "describe_association_executions",
        {
            "AssociationExecutions": [
                failed_run("update_ssm_agent", AGENT_RUN, "{Failed=1, Success=2}")[
                    "AssociationExecutions"
                ][0],
            ]
        },
        {
            "AssociationId": association_id("update_ssm_agent"),
            "MaxResults": 3,
            "Filters": [
                {"Key": "CreatedTime", "Type": "LESS_THAN", "Value": "2026-01-04T21:30:01Z"},
            ],
        },
    )
    stubber.add_response(
        "describe_association_execution_targets",
        {
            "AssociationExecutionTargets": [
                {
                    "AssociationId": association_id("update_ssm_agent"),
                    "AssociationVersion": "1",
                    "ExecutionId": AGENT_RUN,
                    "ResourceId": WEB,
                    "ResourceType": "ManagedInstance",
                    "Status": "Failed",
                    "DetailedStatus": "Failed",
                    "LastExecutionDate": FAILED_AT,
                    "OutputSource": {"OutputSourceId": COMMAND, "OutputSourceType": "RunCommand"},
                },
            ]
        },
        {
            "AssociationId": association_id("update_ssm_agent"),
            "ExecutionId": AGENT_RUN,
            "Filters": [{"Key": "ResourceId", "Value": WEB}],
        },
    )
    stubber.add_response(
        "list_command_invocations",
        {
            "CommandInvocations": [
                invocation(WEB, LONG_OUTPUT),
            ]
        },
        {"CommandId": COMMAND, "InstanceId": WEB, "Details": True},
    )


def test_troubleshoot_instance_shows_each_association_on_it():
    aws, stubber = stubbed_aws()
    expect_the_instance_drill_down(stubber)
    with stubber:
        result = run(["troubleshoot", "--instance", WEB, "--json"], aws)
    stubber.assert_no_pending_responses()
    assert result.exit_code == 1, result.output
    troubles = data(result)
    assert troubles["instance_id"] == WEB
    assert list(troubles["associations"]) == [  # catalogue order; nightly-cleanup left out
        association_name(OPTIONS_BY_KEY[key], CONFIG)
        for key in ("update_ssm_agent", "collect_inventory")
    ]
    assert all(
        association["association_name"] == name
        for name, association in troubles["associations"].items()
    )
    agent, inventory = troubles["associations"].values()
    assert (inventory["key"], inventory["status"], inventory["steps"]) == (
        "collect_inventory",
        "Success",
        [],
    )
    assert (agent["key"], agent["status"], agent["error_code"]) == (
        "update_ssm_agent",
        "Failed",
        "1",
    )
    assert "The operation aws:updateSsmAgent failed." in agent["execution_summary"]
    assert (agent["execution_id"], agent["source"]) == (AGENT_RUN, f"RunCommand {COMMAND}")
    [step] = agent["steps"]
    assert step["output"] == LONG_OUTPUT.splitlines(), "the full output"


def test_troubleshoot_instance_for_people():
    aws, stubber = stubbed_aws()
    expect_the_instance_drill_down(stubber)
    with stubber:
        result = run(["troubleshoot", "--instance", WEB], aws)
    assert result.exit_code == 1
    for text in (
        f"Instance {WEB}",
        "✓ Collect inventory",
        "✗ Update Systems Manager (SSM) Agent",
        "step aws:updateSsmAgent Failed, exit code 1",
        "step 1 of the agent update",
        "libc.so.6(GLIBC_2.34)(64bit) is needed",
    ):
        assert text in result.stdout, text
    assert "nightly-cleanup" not in result.stdout


def test_troubleshoot_unknown_instance_is_one_line():
    aws, stubber = stubbed_aws()
    stubber.add_client_error(
        "describe_instance_associations_status",
        service_error_code="InvalidInstanceId",
        service_message="",
        http_status_code=400,
        expected_params={"InstanceId": WEB},
    )
    with stubber, caller(aws):
        result = run(["troubleshoot", "--instance", WEB], aws)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: instance {WEB} is not a managed node in {REGION} (account {ACCOUNT}): check the "
        "id (`aws ssm describe-instance-information`), or pass --region"
    )


def test_troubleshoot_instance_rejects_what_is_not_an_instance_id():
    aws, stubber = stubbed_aws()
    with stubber:  # no call
        result = run(["troubleshoot", "--instance", "web-1"], aws)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: 'web-1' is not a managed node id (like i-0123456789abcdef0 or mi-0123456789abcdef0)"
    )


def test_troubleshoot_drills_down_one_way_at_a_time():
    aws, stubber = stubbed_aws()
    with stubber:
        result = run(["troubleshoot", "--instance", WEB, "--association", "x-1"], aws)
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "give one" in result.stderr


# deleted outside CloudFormation -----------------------------------------------------------------


@pytest.fixture(scope="module")
def local_template() -> dict:
    return synthesized_local_template()


def test_troubleshoot_of_a_stack_reports_an_association_deleted_outside_cloudformation(
    local_template,
):
    aws, stubber = stubbed_aws()
    cloudformation = expect_stack(aws, stubber, local_template, missing=("update_ssm_agent",))
    keys = set(template_keys(local_template).values())
    expect_successful_runs(stubber, keys - {"update_ssm_agent"})
    with stubber, cloudformation:
        result = run(["troubleshoot", "--stack", STACK, "--json"], aws)
    stubber.assert_no_pending_responses()
    assert result.exit_code == 1, result.output
    [troubles] = configurations(result).values()
    assert troubles["failed"] == {}
    [missing] = troubles["missing"].values()
    assert (missing["key"], missing["status"], missing["detail"]) == (
        "update_ssm_agent",
        "Missing",
        "deleted outside CloudFormation",
    )


def test_an_invocation_missing_from_the_failed_ones_is_read_on_its_own():
    """The command's failed invocations are listed together; one that ended otherwise (timed
    out) is not among them, and is read by itself."""
    aws, stubber = stubbed_aws()
    expect_a_failed_command_and_a_failed_automation(stubber, failed_targets=2, listed=1)
    timed_out = invocation("i-0aaaaaaaaaaaaaaa1", "downloading the updater\n")
    timed_out |= {"Status": "TimedOut", "StatusDetails": "DeliveryTimedOut"}
    timed_out["CommandPlugins"][0] |= {"Status": "TimedOut", "ResponseCode": -1}
    stubber.add_response(
        "list_command_invocations",
        {"CommandInvocations": [timed_out]},
        {"CommandId": COMMAND, "InstanceId": "i-0aaaaaaaaaaaaaaa1", "Details": True},
    )
    with stubber:
        result = run(["troubleshoot", "--json"], aws)
    stubber.assert_no_pending_responses()
    [troubles] = configurations(result).values()
    agent = troubles["failed"]["update_ssm_agent"]
    assert [
        (g["instance_ids"], g["status"], g["signature"]["exit_code"]) for g in agent["groups"]
    ] == [
        ([WEB], "Failed", 1),
        (["i-0aaaaaaaaaaaaaaa1"], "TimedOut", -1),
    ]
