"""``quicksetup troubleshoot``: the console's path from a failed card to the failing step.

Failed option → its association → the latest failed execution → its failed targets → for a
Command document, each failed plugin of the command invocation on that instance; for an
Automation runbook, each failed step (of every failed child execution, when the runbook ran
with rate control).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .aws import Aws, paginate
from .discovery import DeployedConfiguration
from .status import (
    FAILED,
    FAILED_STATES,
    ConfigurationStatus,
    Execution,
    OptionStatus,
    configuration_status,
    latest_execution,
)

_AUTOMATION_FAILED = ["Failed", "TimedOut", "Cancelled"]


@dataclass(frozen=True)
class FailedStep:
    """A failed plugin of a command, or a failed step of an automation."""

    name: str
    status: str
    action: str | None = None
    detail: str | None = None
    """Status details, or the failure message."""
    response_code: int | None = None
    output: list[str] = field(default_factory=list)
    """The last lines of the step's output."""
    truncated: bool = False
    output_url: str | None = None


@dataclass(frozen=True)
class FailedTarget:
    resource_id: str
    resource_type: str | None
    status: str
    detailed_status: str | None
    source: str | None
    """``RunCommand <command id>`` or ``Automation <execution id>``."""
    steps: list[FailedStep] = field(default_factory=list)
    note: str | None = None


@dataclass(frozen=True)
class FailedOption:
    option: OptionStatus
    execution: Execution | None
    targets: list[FailedTarget]
    more_targets: int = 0
    """Failed targets not shown (``--max-targets``)."""


@dataclass(frozen=True)
class ConfigurationTroubles:
    status: ConfigurationStatus
    failed: list[FailedOption]


def troubleshoot(
    aws: Aws, configuration: DeployedConfiguration, *, max_targets: int, lines: int
) -> ConfigurationTroubles:
    status = configuration_status(aws, configuration)
    failed = [
        _failed_option(aws, option, max_targets=max_targets, lines=lines)
        for option in status.options
        if option.status == FAILED and option.association_id
    ]
    return ConfigurationTroubles(status, failed)


def _failed_option(aws: Aws, option: OptionStatus, *, max_targets: int, lines: int) -> FailedOption:
    assert option.association_id is not None
    execution = option.last_execution
    if execution is None or execution.status not in FAILED_STATES:
        execution = latest_execution(aws, option.association_id, status="Failed")
    if execution is None:
        return FailedOption(option, None, [])
    targets = [
        target
        for target in paginate(
            aws.client("ssm"), "describe_association_execution_targets",
            "AssociationExecutionTargets",
            AssociationId=option.association_id, ExecutionId=execution.execution_id,
            Filters=[{"Key": "Status", "Value": "Failed"}],
        )
    ]
    shown = [_failed_target(aws, target, lines=lines) for target in targets[:max_targets]]
    return FailedOption(option, execution, shown, max(len(targets) - max_targets, 0))


def _failed_target(aws: Aws, target: dict[str, Any], *, lines: int) -> FailedTarget:
    source = target.get("OutputSource") or {}
    source_type, source_id = source.get("OutputSourceType"), source.get("OutputSourceId")
    resource_id = target.get("ResourceId", "")
    resource_type = target.get("ResourceType")
    common: dict[str, Any] = {
        "resource_id": resource_id,
        "resource_type": resource_type,
        "status": target.get("Status", ""),
        "detailed_status": target.get("DetailedStatus"),
    }
    if source_type == "RunCommand" and source_id:
        return FailedTarget(
            **common, source=f"RunCommand {source_id}",
            **_command_steps(aws, source_id, resource_id, lines),
        )
    automation_id = source_id if source_id else None
    if automation_id is None and resource_type and "Automation" in resource_type:
        automation_id = resource_id
    if automation_id:
        return FailedTarget(
            **common, source=f"Automation {automation_id}",
            **_automation_steps(aws, automation_id, lines),
        )
    return FailedTarget(**common, source=None, note="no output was recorded for this target")


def _command_steps(aws: Aws, command_id: str, instance_id: str, lines: int) -> dict[str, Any]:
    invocations = aws.client("ssm").list_command_invocations(
        CommandId=command_id, InstanceId=instance_id, Details=True
    ).get("CommandInvocations", [])
    if not invocations:
        return {"note": "the command's invocation is no longer available (kept 30 days)"}
    invocation = invocations[0]
    steps = [
        _step(
            plugin.get("Name", ""), plugin.get("Status", ""), None, plugin.get("StatusDetails"),
            plugin.get("Output", ""), lines,
            response_code=plugin.get("ResponseCode"),
            output_url=plugin.get("StandardErrorUrl") or plugin.get("StandardOutputUrl") or None,
        )
        for plugin in invocation.get("CommandPlugins", [])
        if plugin.get("Status") in FAILED_STATES
    ]
    note = None
    if not steps:
        note = f"the command ended {invocation.get('StatusDetails') or invocation.get('Status')}"
    return {"steps": steps, "note": note}


def _automation_steps(aws: Aws, execution_id: str, lines: int) -> dict[str, Any]:
    ssm = aws.client("ssm")
    execution = ssm.get_automation_execution(AutomationExecutionId=execution_id)[
        "AutomationExecution"
    ]
    steps = _failed_automation_steps(execution, lines)
    if execution.get("TargetParameterName"):
        # Rate control: the runbook ran once per target, each run a child execution.
        for child in paginate(
            ssm, "describe_automation_executions", "AutomationExecutionMetadataList",
            Filters=[
                {"Key": "ParentExecutionId", "Values": [execution_id]},
                {"Key": "ExecutionStatus", "Values": _AUTOMATION_FAILED},
            ],
        ):
            detail = ssm.get_automation_execution(
                AutomationExecutionId=child["AutomationExecutionId"]
            )["AutomationExecution"]
            target = child.get("Target") or _target_parameter(detail)
            for step in _failed_automation_steps(detail, lines):
                steps.append(
                    FailedStep(
                        name=f"{target}: {step.name}" if target else step.name,
                        status=step.status, action=step.action, detail=step.detail,
                        output=step.output, truncated=step.truncated,
                    )
                )
    note = None
    if not steps:
        note = execution.get("FailureMessage") or (
            f"the automation ended {execution.get('AutomationExecutionStatus')}"
        )
    return {"steps": steps, "note": note}


def _failed_automation_steps(execution: dict[str, Any], lines: int) -> list[FailedStep]:
    steps = []
    for step in execution.get("StepExecutions", []):
        if step.get("StepStatus") not in FAILED_STATES:
            continue
        output = [
            f"{name}: {', '.join(map(str, values))}"
            for name, values in (step.get("Outputs") or {}).items()
        ]
        failure = step.get("FailureDetails") or {}
        detail = step.get("FailureMessage") or failure.get("FailureType")
        steps.append(
            _step(step.get("StepName", ""), step.get("StepStatus", ""), step.get("Action"),
                  detail, "\n".join(output), lines)
        )
    return steps


def _target_parameter(execution: dict[str, Any]) -> str | None:
    name = execution.get("TargetParameterName")
    values = (execution.get("Parameters") or {}).get(name or "", [])
    return values[0] if values else None


def _step(
    name: str, status: str, action: str | None, detail: str | None, output: str, lines: int,
    *, response_code: int | None = None, output_url: str | None = None,
) -> FailedStep:
    all_lines = [line.rstrip() for line in (output or "").strip().splitlines()]
    all_lines = [line for line in all_lines if line]
    return FailedStep(
        name=name, status=status, action=action, detail=detail, response_code=response_code,
        output=all_lines[-lines:] if lines else all_lines,
        truncated=len(all_lines) > lines > 0, output_url=output_url,
    )


def any_failed(results: list[ConfigurationTroubles]) -> bool:
    return any(result.failed for result in results)
