"""`quicksetup troubleshoot`: from a failed card to the output of the failing step.

State Manager, Run Command and Automation are not implemented by moto: botocore's Stubber
answers on the real client and checks every request and response against the service model.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from .test_cli_status import association, association_id, execution, run, stubbed_aws

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


def failed_run(key: str, execution_id: str, counts: str) -> dict:
    answer = execution(key, "Failed", counts)
    answer["AssociationExecutions"][0] |= {"ExecutionId": execution_id, "CreatedTime": FAILED_AT}
    return answer


def expect_a_failed_command_and_a_failed_automation(stubber, *, failed_targets: int = 1) -> None:
    stubber.add_response("list_associations", {"Associations": [
        association("attach_instance_profile", {"Success": 1, "Failed": 1}, "Failed"),
        association("update_ssm_agent", {"Success": 2, "Failed": failed_targets}, "Failed"),
        association("collect_inventory", {"Success": 3}, "Success"),
    ]}, {})
    # status: the latest run of each association
    attach_run = failed_run("attach_instance_profile", "aaaaaaaa-0000-4000-8000-000000000001",
                            "{Failed=1, Success=1}")
    stubber.add_response("describe_association_executions", attach_run,
                         {"AssociationId": association_id("attach_instance_profile"), "MaxResults": 1})
    stubber.add_response("describe_association_executions",
                         execution("update_ssm_agent", "Success", "{Success=3}"),
                         {"AssociationId": association_id("update_ssm_agent"), "MaxResults": 1})
    stubber.add_response("describe_association_executions",
                         execution("collect_inventory", "Success", "{Success=3}"),
                         {"AssociationId": association_id("collect_inventory"), "MaxResults": 1})
    # the Automation runbook: its latest run failed; one automation ran per target
    stubber.add_response("describe_association_execution_targets", {"AssociationExecutionTargets": [{
        "AssociationId": association_id("attach_instance_profile"), "AssociationVersion": "1",
        "ExecutionId": "aaaaaaaa-0000-4000-8000-000000000001", "ResourceId": PARENT,
        "ResourceType": "AutomationExecution", "Status": "Failed", "DetailedStatus": "Failed",
        "LastExecutionDate": FAILED_AT,
    }]}, {"AssociationId": association_id("attach_instance_profile"),
          "ExecutionId": "aaaaaaaa-0000-4000-8000-000000000001",
          "Filters": [{"Key": "Status", "Value": "Failed"}]})
    stubber.add_response("get_automation_execution", {"AutomationExecution": {
        "AutomationExecutionId": PARENT, "DocumentName": "QuickSetupLocalSample-Attach-Z3X8QK2LPA1M",
        "AutomationExecutionStatus": "Failed", "Mode": "Auto", "TargetParameterName": "InstanceId",
        "Targets": [{"Key": "tag:Environment", "Values": ["production"]}], "StepExecutions": [],
        "ExecutionStartTime": FAILED_AT,
    }}, {"AutomationExecutionId": PARENT})
    stubber.add_response("describe_automation_executions", {"AutomationExecutionMetadataList": [{
        "AutomationExecutionId": CHILD, "DocumentName": "QuickSetupLocalSample-Attach-Z3X8QK2LPA1M",
        "AutomationExecutionStatus": "Failed", "ParentAutomationExecutionId": PARENT,
        "Target": BATCH, "ExecutionStartTime": FAILED_AT,
    }]}, {"Filters": [{"Key": "ParentExecutionId", "Values": [PARENT]},
                      {"Key": "ExecutionStatus", "Values": ["Failed", "TimedOut", "Cancelled"]}]})
    stubber.add_response("get_automation_execution", {"AutomationExecution": {
        "AutomationExecutionId": CHILD, "AutomationExecutionStatus": "Failed",
        "TargetParameterName": "InstanceId", "Parameters": {"InstanceId": [BATCH]},
        "StepExecutions": [{
            "StepName": "AttachProfileIfMissing", "Action": "aws:executeScript",
            "StepStatus": "Failed", "FailureMessage": DENIED,
            "FailureDetails": {"FailureStage": "Execution", "FailureType": "Verification"},
        }],
    }}, {"AutomationExecutionId": CHILD})
    # the Command document: its latest run succeeded, the one before failed
    stubber.add_response("describe_association_executions",
                         failed_run("update_ssm_agent", "bbbbbbbb-0000-4000-8000-000000000002",
                                    "{Failed=1, Success=2}"),
                         {"AssociationId": association_id("update_ssm_agent"), "MaxResults": 1,
                          "Filters": [{"Key": "Status", "Value": "Failed", "Type": "EQUAL"}]})
    stubber.add_response("describe_association_execution_targets", {"AssociationExecutionTargets": [
        {"AssociationId": association_id("update_ssm_agent"), "AssociationVersion": "1",
         "ExecutionId": "bbbbbbbb-0000-4000-8000-000000000002", "ResourceId": instance,
         "ResourceType": "ManagedInstance", "Status": "Failed", "DetailedStatus": "Failed",
         "LastExecutionDate": FAILED_AT,
         "OutputSource": {"OutputSourceId": COMMAND, "OutputSourceType": "RunCommand"}}
        for instance in [WEB, "i-0aaaaaaaaaaaaaaa1", "i-0aaaaaaaaaaaaaaa2"][:failed_targets]
    ]}, {"AssociationId": association_id("update_ssm_agent"),
         "ExecutionId": "bbbbbbbb-0000-4000-8000-000000000002",
         "Filters": [{"Key": "Status", "Value": "Failed"}]})
    stubber.add_response("list_command_invocations", {"CommandInvocations": [{
        "CommandId": COMMAND, "InstanceId": WEB, "DocumentName": "AWS-UpdateSSMAgent",
        "Status": "Failed", "StatusDetails": "Failed", "RequestedDateTime": FAILED_AT,
        "CommandPlugins": [{
            "Name": "aws:updateSsmAgent", "Status": "Failed", "StatusDetails": "Failed",
            "ResponseCode": 1, "Output": AGENT_OUTPUT,
        }],
    }]}, {"CommandId": COMMAND, "InstanceId": WEB, "Details": True})


def test_troubleshoot_follows_each_failed_option_to_its_failed_steps():
    aws, stubber = stubbed_aws()
    expect_a_failed_command_and_a_failed_automation(stubber)
    with stubber:
        result = run(["troubleshoot", "--json"], aws)
    stubber.assert_no_pending_responses()
    assert result.exit_code == 1, "anything failed: exit code 1"
    [troubles] = json.loads(result.stdout)
    assert troubles["status"]["status"] == "Failed"
    attach, agent = troubles["failed"]
    assert attach["option"]["key"] == "attach_instance_profile"
    assert attach["execution"]["execution_id"] == "aaaaaaaa-0000-4000-8000-000000000001"
    [target] = attach["targets"]
    assert target["source"] == f"Automation {PARENT}"
    [step] = target["steps"]
    assert step["name"] == f"{BATCH}: AttachProfileIfMissing"
    assert (step["action"], step["status"], step["detail"]) == ("aws:executeScript", "Failed", DENIED)

    assert agent["option"]["key"] == "update_ssm_agent"
    assert agent["execution"]["execution_id"] == "bbbbbbbb-0000-4000-8000-000000000002"
    assert agent["execution"]["counts"] == {"Failed": 1, "Success": 2}
    [target] = agent["targets"]
    assert (target["resource_id"], target["source"]) == (WEB, f"RunCommand {COMMAND}")
    [step] = target["steps"]
    assert (step["name"], step["response_code"]) == ("aws:updateSsmAgent", 1)
    assert step["output"] == AGENT_OUTPUT.splitlines()
    assert not step["truncated"]


def test_troubleshoot_for_people_shows_the_failing_output():
    aws, stubber = stubbed_aws()
    expect_a_failed_command_and_a_failed_automation(stubber)
    with stubber:
        result = run(["troubleshoot"], aws)
    assert result.exit_code == 1
    for text in (
        "✗ Update Systems Manager (SSM) Agent every two weeks", "QuickSetup-UpdateSSMAgent-7a422481",
        f"✗ {WEB} (ManagedInstance) Failed", "step aws:updateSsmAgent Failed, exit code 1",
        "libc.so.6(GLIBC_2.34)(64bit) is needed", f"step {BATCH}: AttachProfileIfMissing",
        "UnauthorizedOperation",
    ):
        assert text in result.stdout, text


def test_troubleshoot_keeps_output_short():
    aws, stubber = stubbed_aws()
    expect_a_failed_command_and_a_failed_automation(stubber, failed_targets=3)
    with stubber:
        result = run(["troubleshoot", "--json", "--lines", "2", "--max-targets", "1"], aws)
    stubber.assert_no_pending_responses()
    agent = json.loads(result.stdout)[0]["failed"][1]
    assert agent["more_targets"] == 2
    [step] = agent["targets"][0]["steps"]
    assert step["output"] == AGENT_OUTPUT.splitlines()[-2:]
    assert step["truncated"]


def test_troubleshoot_exits_0_when_nothing_failed():
    aws, stubber = stubbed_aws()
    stubber.add_response("list_associations", {"Associations": [
        association("scan_for_patches", {"Success": 3}, "Success"),
    ]}, {})
    stubber.add_response("describe_association_executions",
                         execution("scan_for_patches", "Success", "{Success=3}"),
                         {"AssociationId": association_id("scan_for_patches"), "MaxResults": 1})
    with stubber:
        result = run(["troubleshoot"], aws)
    stubber.assert_no_pending_responses()
    assert result.exit_code == 0
    assert "✓ Nothing failed: 1 option(s), Scan instances for missing patches daily: Success" in (
        result.stdout
    )
