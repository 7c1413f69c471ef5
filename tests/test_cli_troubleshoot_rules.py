"""The rules `quicksetup troubleshoot` states, each with its own case and its near miss.

State Manager and Run Command are answered by botocore's Stubber (see
tests/test_cli_troubleshoot.py): each request and response is checked against the service model.
"""

from __future__ import annotations

import pytest

from quicksetup_constructs.cli.troubleshoot import (
    FailedStep,
    FailedTarget,
    group_failures,
    read_failed_targets,
)

from .test_cli_status import association, association_id, run, stubbed_aws
from .test_cli_troubleshoot import (
    AGENT_RUN,
    COMMAND,
    FAILED_AT,
    WEB,
    configurations,
    failed_run,
    invocation,
)

AGENT_CUT = "\n".join(f"downloading part {n}" for n in range(1, 4)) + "\n---Output truncated---"
"""An output that the SSM Agent cut: it ends what it kept of standard output with the line
``---Output truncated---`` (amazon-ssm-agent, agent/framework/processor/executer/iohandler:
``TruncateOutput``). ``ListCommandInvocations`` returns at most 2,500 characters of a plugin's
output (botocore's ssm model: ``CommandPluginOutput`` max 2500; ``GetCommandInvocation``'s
``StandardOutputContent`` holds "the first 24,000 characters written by the plugin to stdout",
SSM API reference)."""


def lines_of(count: int) -> str:
    return "\n".join(f"line {n}" for n in range(1, count + 1))


def target(instance: str = WEB) -> dict:
    """A failed ``AssociationExecutionTarget`` whose output is a Run Command invocation."""
    return {
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


def read_one(answer: dict, *, lines: int, raw_target: dict | None = None) -> FailedTarget:
    """The failed target read with ``--lines lines``, its invocation answered by ``answer``."""
    aws, stubber = stubbed_aws()
    stubber.add_response(
        "list_command_invocations",
        {"CommandInvocations": [answer]},
        {"CommandId": COMMAND, "InstanceId": WEB, "Details": True},
    )
    with stubber:
        [found] = read_failed_targets(aws, [raw_target or target()], lines=lines)
    stubber.assert_no_pending_responses()
    return found


def grouped(output: str, args: list[str]) -> dict:
    """``troubleshoot --json ARGS`` of one failed target whose one plugin printed ``output``:
    its one group."""
    aws, stubber = stubbed_aws()
    stubber.add_response(
        "list_associations",
        {
            "Associations": [
                association("update_ssm_agent", {"Success": 2, "Failed": 1}, "Failed"),
            ]
        },
        {},
    )
    expect_agent_run_failed_on_web(stubber, "{Failed=1, Success=2}", output)
    with stubber:
        result = run(["troubleshoot", "--json", *args], aws)
    stubber.assert_no_pending_responses()
    [troubles] = configurations(result).values()
    [group] = troubles["failed"]["update_ssm_agent"]["groups"]
    return group


# the truncation boundary of --lines ------------------------------------------------------------


def test_output_of_exactly_lines_lines_is_not_truncated():
    group = grouped(lines_of(3), ["--lines", "3"])
    assert group["output"] == ["line 1", "line 2", "line 3"]
    assert group["truncated"] is False


def test_output_of_one_line_more_than_lines_is_truncated():
    group = grouped(lines_of(4), ["--lines", "3"])
    assert group["output"] == ["line 2", "line 3", "line 4"]
    assert group["truncated"] is True


def test_output_of_fewer_lines_than_lines_is_not_truncated():
    group = grouped(lines_of(2), ["--lines", "3"])
    assert (group["output"], group["truncated"]) == (["line 1", "line 2"], False)


def test_lines_defaults_to_the_last_20():
    boundary = grouped(lines_of(20), [])
    assert (len(boundary["output"]), boundary["truncated"]) == (20, False)
    over = grouped(lines_of(21), [])
    assert (over["output"][0], over["truncated"]) == ("line 2", True)


def test_lines_0_shows_every_line():
    group = grouped(lines_of(45), ["--lines", "0"])
    assert (len(group["output"]), group["truncated"]) == (45, False)


@pytest.mark.parametrize(("count", "truncated"), [(2, False), (3, False), (4, True)])
def test_a_drilled_down_step_is_truncated_only_past_lines(count, truncated):
    [step] = read_one(invocation(WEB, lines_of(count)), lines=3).steps
    assert step.output == [f"line {n}" for n in range(max(1, count - 2), count + 1)]
    assert step.truncated is truncated


def test_what_aws_cut_is_reported_as_aws_s_truncation_not_as_lines():
    [step] = read_one(invocation(WEB, AGENT_CUT), lines=10).steps
    assert step.output[-1] == "---Output truncated---", "AWS's own marker is kept"
    assert (step.truncated, step.cut_by_aws) == (False, True)
    group = grouped(AGENT_CUT, ["--lines", "10"])
    assert (group["truncated"], group["output"][-1]) == (False, "---Output truncated---")


def test_a_line_that_only_mentions_truncation_is_not_aws_s_cut():
    [step] = read_one(
        invocation(WEB, "log: ---Output truncated--- seen earlier\ndone"), lines=10
    ).steps
    assert step.cut_by_aws is False


def test_aws_s_truncation_is_told_to_people():
    aws, stubber = stubbed_aws()
    stubber.add_response(
        "describe_association",
        {"AssociationDescription": association("update_ssm_agent", {"Failed": 1}, "Failed")},
        {"AssociationId": association_id("update_ssm_agent")},
    )
    expect_agent_run_failed_on_web(stubber, "{Failed=1}", AGENT_CUT)
    with stubber:
        result = run(["troubleshoot", "--association", association_id("update_ssm_agent")], aws)
    assert "AWS returns the first 2,500 characters of a plugin's output" in result.stdout
    assert "earlier lines left out" not in result.stdout


# multi-plugin commands --------------------------------------------------------------------------


def plugin(name: str, status: str, output: str = "", code: int = 0, **fields) -> dict:
    """A ``CommandPlugin`` (ListCommandInvocations with Details=true)."""
    return {
        "Name": name,
        "Status": status,
        "StatusDetails": fields.pop("details", status),
        "ResponseCode": code,
        "Output": output,
        **fields,
    }


def multi_plugin(*plugins: dict, document: str = "AWS-ConfigureAWSPackage") -> dict:
    answer = invocation(WEB)
    answer["DocumentName"] = document
    answer["CommandPlugins"] = list(plugins)
    return answer


def test_successful_plugins_are_never_failed_steps():
    # CommandPluginStatus (botocore's ssm model): Pending, InProgress, Success, TimedOut,
    # Cancelled, Failed.
    found = read_one(
        multi_plugin(
            plugin("createDownloadFolder", "Success", "created /var/lib/amazon"),
            plugin("installPackage", "Failed", "rpm: dependency missing", 1),
            plugin("cleanUp", "Success", "removed 3 files"),
        ),
        lines=0,
    )
    assert [step.name for step in found.steps] == ["installPackage"]
    assert found.steps[0].output == ["rpm: dependency missing"]
    assert found.document == "AWS-ConfigureAWSPackage"


def test_every_failed_plugin_is_a_failed_step_in_aws_s_order():
    found = read_one(
        multi_plugin(
            plugin("PatchWindows", "Failed", "wuauserv stopped", 1),
            plugin("PatchLinux", "Success", "no patches missing"),
            plugin("PatchMacOS", "TimedOut", "", -1),
            plugin("Reboot", "Cancelled", "", -1),
            document="AWS-RunPatchBaseline",
        ),
        lines=0,
    )
    assert [(step.name, step.status) for step in found.steps] == [
        ("PatchWindows", "Failed"),
        ("PatchMacOS", "TimedOut"),
        ("Reboot", "Cancelled"),
    ]
    assert found.note is None


def test_a_skipped_plugin_is_not_a_failure():
    # A step whose precondition does not hold is skipped; its Status stays within
    # CommandPluginStatus (Success), and "Skipped" can only be its StatusDetails.
    found = read_one(
        multi_plugin(
            plugin(
                "PatchWindows",
                "Success",
                "Step execution skipped due to unsatisfied preconditions",
                details="Skipped",
            ),
            plugin("PatchLinux", "Failed", "yum: repository unreachable", 1),
            document="AWS-RunPatchBaseline",
        ),
        lines=0,
    )
    assert [step.name for step in found.steps] == ["PatchLinux"]


def test_pending_and_in_progress_plugins_are_not_failures():
    found = read_one(
        multi_plugin(
            plugin("first", "Pending"),
            plugin("second", "InProgress"),
        ),
        lines=0,
    )
    assert found.steps == []
    assert found.note == "the command ended Failed", "no failed plugin: the command's status"


def test_failed_plugins_of_one_target_are_grouped_each_in_aws_s_order():
    steps = [
        FailedStep("PatchWindows", "Failed", response_code=1, output=["a"]),
        FailedStep("PatchLinux", "Failed", response_code=1, output=["b"]),
    ]
    groups = group_failures(
        [
            FailedTarget(
                WEB,
                "ManagedInstance",
                "Failed",
                "Failed",
                f"RunCommand {COMMAND}",
                steps,
                document="AWS-RunPatchBaseline",
            )
        ],
        None,
        max_targets=5,
        lines=0,
    )
    assert [group.signature.step for group in groups] == ["PatchWindows", "PatchLinux"]


# grouping ---------------------------------------------------------------------------------------


def failed_alike(
    instances: list[str], first_line: str = "boom", code: int = 1
) -> list[FailedTarget]:
    return [
        FailedTarget(
            instance,
            "ManagedInstance",
            "Failed",
            "Failed",
            f"RunCommand {COMMAND}",
            [FailedStep("aws:runShellScript", "Failed", response_code=code, output=[first_line])],
            document="AWS-RunShellScript",
        )
        for instance in instances
    ]


INSTANCES = [f"i-{n:017x}" for n in range(1, 8)]


def test_max_targets_names_that_many_instances_and_counts_none_more():
    [group] = group_failures(failed_alike(INSTANCES[:3]), None, max_targets=3, lines=0)
    assert (group.instance_ids, group.more_instances) == (INSTANCES[:3], 0)


def test_instances_past_max_targets_are_counted_not_named():
    [group] = group_failures(failed_alike(INSTANCES[:4]), None, max_targets=3, lines=0)
    assert (group.instance_ids, group.count, group.more_instances) == (INSTANCES[:3], 4, 1)


def test_the_largest_group_comes_first():
    targets = failed_alike(INSTANCES[:1], "small") + failed_alike(INSTANCES[1:3], "large")
    groups = group_failures(targets, None, max_targets=5, lines=0)
    assert [group.signature.first_line for group in groups] == ["large", "small"]


def test_groups_of_one_size_keep_the_order_they_were_met_in():
    targets = failed_alike(INSTANCES[:1], "first") + failed_alike(INSTANCES[1:2], "second")
    groups = group_failures(targets, None, max_targets=5, lines=0)
    assert [group.signature.first_line for group in groups] == ["first", "second"]


def test_another_exit_code_is_another_group():
    targets = failed_alike(INSTANCES[:1], code=1) + failed_alike(INSTANCES[1:2], code=2)
    assert len(group_failures(targets, None, max_targets=5, lines=0)) == 2


def test_the_same_exit_code_and_first_line_is_one_group():
    targets = failed_alike(INSTANCES[:2], code=1)
    [group] = group_failures(targets, None, max_targets=5, lines=0)
    assert group.count == 2


# failed targets without a command's output ------------------------------------------------------


def test_a_target_without_output_says_so():
    raw = target() | {"ResourceType": "ManagedInstance"}
    del raw["OutputSource"]
    aws, stubber = stubbed_aws()
    with stubber:  # nothing to read
        [found] = read_failed_targets(aws, [raw], lines=0)
    assert (found.source, found.note) == (None, "no output was recorded for this target")


def test_an_automation_target_without_output_source_reads_its_automation():
    execution_id = "5c6d7e8f-0000-4000-8000-00000000a009"
    raw = target() | {"ResourceType": "AutomationExecution", "ResourceId": execution_id}
    del raw["OutputSource"]
    aws, stubber = stubbed_aws()
    stubber.add_response(
        "get_automation_execution",
        {
            "AutomationExecution": {
                "AutomationExecutionId": execution_id,
                "AutomationExecutionStatus": "Failed",
                "DocumentName": "AWS-AttachIAMToInstance",
                "StepExecutions": [
                    {
                        "StepName": "describe",
                        "Action": "aws:executeAwsApi",
                        "StepStatus": "Success",
                    },
                    {
                        "StepName": "attach",
                        "Action": "aws:executeAwsApi",
                        "StepStatus": "Failed",
                        "FailureMessage": "AccessDenied",
                    },
                ],
            }
        },
        {"AutomationExecutionId": execution_id},
    )
    with stubber:
        [found] = read_failed_targets(aws, [raw], lines=0)
    assert found.source == f"Automation {execution_id}"
    assert [(step.name, step.detail) for step in found.steps] == [("attach", "AccessDenied")], (
        "the successful step is not a failed step"
    )


def test_an_automation_without_a_failed_step_gives_its_failure_message():
    execution_id = "5c6d7e8f-0000-4000-8000-00000000a00a"
    raw = target() | {
        "OutputSource": {"OutputSourceId": execution_id, "OutputSourceType": "Automation"}
    }
    aws, stubber = stubbed_aws()
    stubber.add_response(
        "get_automation_execution",
        {
            "AutomationExecution": {
                "AutomationExecutionId": execution_id,
                "AutomationExecutionStatus": "Failed",
                "FailureMessage": "Execution timed out",
                "StepExecutions": [
                    {"StepName": "wait", "Action": "aws:sleep", "StepStatus": "Success"}
                ],
            }
        },
        {"AutomationExecutionId": execution_id},
    )
    with stubber:
        [found] = read_failed_targets(aws, [raw], lines=0)
    assert (found.steps, found.note) == ([], "Execution timed out")


def test_an_invocation_no_longer_kept_is_said_to_be_gone():
    aws, stubber = stubbed_aws()
    stubber.add_response(
        "list_command_invocations",
        {"CommandInvocations": []},
        {"CommandId": COMMAND, "InstanceId": WEB, "Details": True},
    )
    with stubber:
        [found] = read_failed_targets(aws, [target()], lines=0)
    assert found.note == "the command's invocation is no longer available (kept 30 days)"
    assert found.steps == []


# --instance and --association usage -------------------------------------------------------------


@pytest.mark.parametrize(
    "instance",
    [
        "i-0123456",
        "i-0123456789",
        "i-0123456789abcdef01",
        "mi-0123456789abcdef",
        "i-0123456789abcdef0 ",
    ],
)
def test_instance_ids_not_of_aws_s_forms_are_refused(instance):
    aws, stubber = stubbed_aws()
    with stubber:  # no call
        result = run(["troubleshoot", "--instance", instance], aws)
    assert result.exit_code == 2
    assert "is not a managed node id" in result.stderr


@pytest.mark.parametrize("instance", ["i-01234567", "i-0123456789abcdef0", "mi-0123456789abcdef0"])
def test_instance_ids_of_aws_s_forms_are_looked_up(instance):
    # EC2 ids: i- and 8 (older) or 17 hexadecimal characters; hybrid managed nodes: mi- and 17.
    aws, stubber = stubbed_aws()
    stubber.add_response(
        "describe_instance_associations_status",
        {"InstanceAssociationStatusInfos": []},
        {"InstanceId": instance},
    )
    with stubber:
        result = run(["troubleshoot", "--instance", instance], aws)
    stubber.assert_no_pending_responses()
    assert result.exit_code == 2
    assert f"no Quick Setup association has run on instance {instance}" in result.stderr


def test_association_drill_down_refuses_a_stack():
    aws, stubber = stubbed_aws()
    with stubber:
        result = run(["troubleshoot", "--association", "x-1", "--stack", "S"], aws)
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: --association names one association: leave out --stack"


@pytest.mark.parametrize("drill", ["--association", "--instance"])
def test_drill_downs_refuse_org(drill):
    aws, stubber = stubbed_aws()
    with stubber:
        result = run(["troubleshoot", drill, "i-0123456789abcdef0", "--org"], aws)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: --org reads the organization's StackSets: leave it out with {drill}"
    )


def expect_agent_run_failed_on_web(stubber, counts: str, output: str) -> None:
    """The agent update's latest run failed (``counts``), on WEB alone, with ``output``."""
    stubber.add_response(
        "describe_association_executions",
        failed_run("update_ssm_agent", AGENT_RUN, counts),
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
        {"CommandInvocations": [invocation(WEB, output)]},
        {"CommandId": COMMAND, "InstanceId": WEB, "Details": True},
    )
