"""``quicksetup troubleshoot``: the console's path from a failed card to the failing step.

Failed option → its association → the latest failed execution → its failed targets → for a
Command document, each failed plugin of the command invocation on that instance; for an
Automation runbook, each failed step (of every failed child execution, when the runbook ran
with rate control: read side by side, :data:`AUTOMATION_READS` at a time).

Targets that fail the same way are grouped: one group per signature (document, step, exit code,
first line of the output), with its count, a few of its instances and the output once. The
drill-downs show everything: ``--association`` every failed target of one association's latest
failed execution, ``--instance`` the latest run of every Quick Setup association on one
instance.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from .aws import Aws, error_code, paginate
from .catalogue import catalogue, match_associations
from .discovery import DeployedConfiguration, find_association
from .errors import CliError
from .status import (
    FAILED,
    FAILED_STATES,
    FINDINGS,
    MISSING,
    ConfigurationStatus,
    Execution,
    OptionStatus,
    configuration_status,
    latest_execution,
    option_status,
)

T = TypeVar("T")
R = TypeVar("R")
DEFAULT_LINES = 20
"""Last lines of output shown per group of failures (``--lines``)."""
GROUP_INSTANCES = 5
"""Instances named per group of failures (``--max-targets``); the others are counted."""
_INSTANCE_ID = re.compile(r"(i-(\w{8}|\w{17}))|(mi-\w{17})")
_RUNS_TO_SEARCH = 3
"""Executions of an association searched for an instance's run (``--instance``)."""
_AUTOMATION_FAILED = ["Failed", "TimedOut", "Cancelled"]
AUTOMATION_READS = 8
"""``GetAutomationExecution`` calls at once for the failed children of a runbook run with
rate control: the API reads one execution a call, so they are read side by side, this many
at a time."""
PLUGIN_OUTPUT_LIMIT = 2500
"""Characters of a plugin's output that ``ListCommandInvocations`` returns (botocore's ssm
model: ``CommandPluginOutput``, max 2500); the whole output is in S3 when the command writes
there (``StandardOutputUrl``)."""
AWS_CUT_MARKERS = frozenset({"---Output truncated---", "---Error truncated----"})
"""The lines the SSM Agent writes where it cut a plugin's standard output or standard error
to fit :data:`PLUGIN_OUTPUT_LIMIT` (amazon-ssm-agent, ``iohandler.TruncateOutput``)."""


def cut_by_aws(output: list[str]) -> bool:
    """Whether ``output`` (a step's lines) holds a line where AWS cut the plugin's output."""
    return any(line.strip() in AWS_CUT_MARKERS for line in output)


@dataclass(frozen=True)
class FailedStep:
    """A failed plugin of a command, or a failed step of an automation."""

    name: str
    status: str
    action: str | None = None
    """The automation step's action; None for a command's plugin."""
    detail: str | None = None
    """Status details, or the failure message."""
    response_code: int | None = None
    output: list[str] = field(default_factory=list)
    """The last ``--lines`` lines of the step's output (all, with ``--lines 0``)."""
    truncated: bool = False
    """Lines of the output were left out by ``--lines`` (what AWS itself cut is
    :attr:`cut_by_aws`)."""
    output_url: str | None = None
    instance_id: str | None = None
    """The instance a child automation ran on (a runbook run with rate control)."""

    @property
    def cut_by_aws(self) -> bool:
        """AWS kept only the first :data:`PLUGIN_OUTPUT_LIMIT` characters of the output."""
        return cut_by_aws(self.output)


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
    document: str | None = None
    """The document the command or automation ran, as far as it is known."""


@dataclass(frozen=True)
class Signature:
    """How a target failed: targets with the same signature failed the same way."""

    document: str
    step: str | None
    """The failed plugin or step; None when no step output was recorded."""
    exit_code: int | None
    """The plugin's response code (None for an automation step)."""
    first_line: str
    """The first non-empty line of the step's output (of the failure message, for an
    automation step), or of the note when no step was recorded."""


@dataclass(frozen=True)
class FailureGroup:
    """The failed targets of one option that share a signature."""

    signature: Signature
    count: int
    """Instances (or executions) that failed this way."""
    instance_ids: list[str]
    """The first few of them (``--max-targets``)."""
    output: list[str]
    """The output of the first of them: its last ``--lines`` lines."""
    truncated: bool = False
    status: str = FAILED
    action: str | None = None
    detail: str | None = None
    output_url: str | None = None
    source: str | None = None
    """Where the output of the first of them comes from (``RunCommand <command id>``, ...)."""

    JSON_EXTRA = ("more_instances",)

    @property
    def cut_by_aws(self) -> bool:
        """AWS kept only the first :data:`PLUGIN_OUTPUT_LIMIT` characters of the output."""
        return cut_by_aws(self.output)

    @property
    def more_instances(self) -> int:
        """Instances of the group not named in ``instance_ids``."""
        return self.count - len(self.instance_ids)


@dataclass(frozen=True)
class FailedOption:
    option: OptionStatus
    execution: Execution | None
    """The latest failed execution (None: none left in the association's history)."""
    failed_targets: int
    """Failed targets of that execution."""
    groups: list[FailureGroup]
    """The failed targets grouped by signature, the largest group first."""


@dataclass(frozen=True)
class ConfigurationTroubles:
    status: ConfigurationStatus
    failed: list[FailedOption]
    missing: list[OptionStatus] = field(default_factory=list)
    """Options whose association the stack has and Systems Manager does not."""


@dataclass(frozen=True)
class AssociationTroubles:
    """``troubleshoot --association``: one association's latest failed execution, with every
    failed target and the full output of its failed steps."""

    option: OptionStatus
    """The association's card (status, latest run, targets by status)."""
    region: str
    execution: Execution | None
    """The latest failed execution (None: none in the association's history)."""
    targets: list[FailedTarget]

    JSON_EXTRA = ("findings",)

    @property
    def findings(self) -> bool:
        return self.option.status in FINDINGS


@dataclass(frozen=True)
class InstanceAssociation:
    """The latest run of one Quick Setup association on an instance
    (``DescribeInstanceAssociationsStatus``), and when it failed, its failed steps."""

    key: str
    title: str
    association_id: str
    association_name: str
    document: str | None
    status: str
    """As the API spells it: ``Success``, ``Failed``, ``Pending``, ..."""
    detailed_status: str | None
    execution_date: datetime | None
    execution_summary: str | None
    error_code: str | None
    output_url: str | None
    """Where the association writes its output in S3, if it does."""
    execution_id: str | None = None
    """The association execution the failed run belongs to, when it was found."""
    source: str | None = None
    steps: list[FailedStep] = field(default_factory=list)
    note: str | None = None


@dataclass(frozen=True)
class InstanceTroubles:
    """``troubleshoot --instance``: every Quick Setup association's latest run on one
    instance."""

    instance_id: str
    region: str
    associations: list[InstanceAssociation]

    JSON_EXTRA = ("findings",)

    @property
    def findings(self) -> bool:
        return any(a.status in FAILED_STATES for a in self.associations)


# every failed option, grouped -----------------------------------------------------------------


def troubleshoot(
    aws: Aws,
    configuration: DeployedConfiguration,
    *,
    max_targets: int = GROUP_INSTANCES,
    lines: int = DEFAULT_LINES,
) -> ConfigurationTroubles:
    status = configuration_status(aws, configuration)
    failed = [
        _failed_option(aws, option, max_targets=max_targets, lines=lines)
        for option in status.options
        if option.status == FAILED and option.association_id
    ]
    missing = [option for option in status.options if option.status == MISSING]
    return ConfigurationTroubles(status, failed, missing)


def _failed_option(aws: Aws, option: OptionStatus, *, max_targets: int, lines: int) -> FailedOption:
    execution, targets = _failed_execution(aws, option, lines=0)
    if execution is None:
        return FailedOption(option, None, 0, [])
    groups = group_failures(targets, option.document, max_targets=max_targets, lines=lines)
    return FailedOption(option, execution, len(targets), groups)


def _failed_execution(
    aws: Aws, option: OptionStatus, *, lines: int
) -> tuple[Execution | None, list[FailedTarget]]:
    """The latest failed execution of the option's association and its failed targets."""
    assert option.association_id is not None
    execution = option.last_execution
    if execution is None or execution.status not in FAILED_STATES:
        execution = latest_execution(aws, option.association_id, status="Failed")
    if execution is None:
        return None, []
    targets = list(
        paginate(
            aws.client("ssm"),
            "describe_association_execution_targets",
            "AssociationExecutionTargets",
            AssociationId=option.association_id,
            ExecutionId=execution.execution_id,
            Filters=[{"Key": "Status", "Value": "Failed"}],
        )
    )
    return execution, read_failed_targets(aws, targets, lines=lines)


def group_failures(
    targets: list[FailedTarget], document: str | None, *, max_targets: int, lines: int
) -> list[FailureGroup]:
    """``targets`` grouped by signature, the largest group first (then in the order met)."""
    groups: dict[Signature, list[tuple[str, FailedTarget, FailedStep | None]]] = {}
    for target in targets:
        for instance_id, step in _failures(target):
            groups.setdefault(_signature(target, step, document), []).append(
                (instance_id, target, step)
            )
    result = []
    for signature, members in sorted(groups.items(), key=lambda item: -len(item[1])):
        instances = list(dict.fromkeys(instance_id for instance_id, _, _ in members))
        _, target, step = members[0]
        output = step.output if step else []
        result.append(
            FailureGroup(
                signature=signature,
                count=len(instances),
                instance_ids=instances[:max_targets],
                output=output[-lines:] if lines else output,
                truncated=len(output) > lines > 0 or (step is not None and step.truncated),
                status=step.status if step else target.status,
                action=step.action if step else None,
                detail=step.detail if step else target.note,
                output_url=step.output_url if step else None,
                source=target.source,
            )
        )
    return result


def _failures(target: FailedTarget) -> Iterable[tuple[str, FailedStep | None]]:
    """(instance, failed step) of a target: a step per failed plugin or automation step, or
    none when no step output was recorded."""
    if not target.steps:
        yield target.resource_id, None
    for step in target.steps:
        yield step.instance_id or target.resource_id, step


def _signature(target: FailedTarget, step: FailedStep | None, document: str | None) -> Signature:
    document = target.document or document or ""
    if step is None:
        first = target.note or target.detailed_status or target.status
        return Signature(document, None, None, _first_line([_lines(first)]))
    detail = _lines(step.detail)
    sources = [step.output, detail] if step.action is None else [detail, step.output]
    return Signature(document, step.name, step.response_code, _first_line(sources))


def _lines(text: str | None) -> list[str]:
    return (text or "").splitlines()


def _first_line(sources: list[list[str]]) -> str:
    for lines in sources:
        for line in lines:
            if line.strip():
                return line.strip()
    return ""


# reading failed targets -----------------------------------------------------------------------


def read_failed_targets(
    aws: Aws, targets: list[dict[str, Any]], *, lines: int
) -> list[FailedTarget]:
    """Each failed target (``AssociationExecutionTarget``) with its failed steps.

    The invocations of a command that failed on several targets are listed together, page by
    page (``ListCommandInvocations`` of the command, failed ones), rather than one call per
    target; one not in that list is read on its own.
    """
    per_command: dict[str, int] = {}
    for target in targets:
        source = target.get("OutputSource") or {}
        if source.get("OutputSourceType") == "RunCommand" and source.get("OutputSourceId"):
            command_id = source["OutputSourceId"]
            per_command[command_id] = per_command.get(command_id, 0) + 1
    invocations: dict[tuple[str, str], dict[str, Any]] = {}
    for command_id, count in per_command.items():
        if count > 1:
            for invocation in paginate(
                aws.client("ssm"),
                "list_command_invocations",
                "CommandInvocations",
                CommandId=command_id,
                Details=True,
                Filters=[{"key": "Status", "value": "Failed"}],
            ):
                invocations[(command_id, invocation.get("InstanceId", ""))] = invocation
    return [_failed_target(aws, target, invocations, lines=lines) for target in targets]


def _failed_target(
    aws: Aws,
    target: dict[str, Any],
    invocations: dict[tuple[str, str], dict[str, Any]],
    *,
    lines: int,
) -> FailedTarget:
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
        invocation = invocations.get((source_id, resource_id))
        return FailedTarget(
            **common,
            source=f"RunCommand {source_id}",
            **_command_steps(aws, source_id, resource_id, lines, invocation),
        )
    automation_id = source_id if source_id else None
    if automation_id is None and resource_type and "Automation" in resource_type:
        automation_id = resource_id
    if automation_id:
        return FailedTarget(
            **common,
            source=f"Automation {automation_id}",
            **_automation_steps(aws, automation_id, lines),
        )
    return FailedTarget(**common, source=None, note="no output was recorded for this target")


def _command_steps(
    aws: Aws,
    command_id: str,
    instance_id: str,
    lines: int,
    invocation: dict[str, Any] | None = None,
) -> dict[str, Any]:
    if invocation is None:
        invocations = (
            aws.client("ssm")
            .list_command_invocations(CommandId=command_id, InstanceId=instance_id, Details=True)
            .get("CommandInvocations", [])
        )
        if not invocations:
            return {"note": "the command's invocation is no longer available (kept 30 days)"}
        invocation = invocations[0]
    steps = [
        _step(
            plugin.get("Name", ""),
            plugin.get("Status", ""),
            None,
            plugin.get("StatusDetails"),
            plugin.get("Output", ""),
            lines,
            response_code=plugin.get("ResponseCode"),
            output_url=plugin.get("StandardErrorUrl") or plugin.get("StandardOutputUrl") or None,
        )
        for plugin in invocation.get("CommandPlugins", [])
        if plugin.get("Status") in FAILED_STATES
    ]
    note = None
    if not steps:
        note = f"the command ended {invocation.get('StatusDetails') or invocation.get('Status')}"
    return {"steps": steps, "note": note, "document": invocation.get("DocumentName")}


def _automation_steps(aws: Aws, execution_id: str, lines: int) -> dict[str, Any]:
    ssm = aws.client("ssm")
    execution = ssm.get_automation_execution(AutomationExecutionId=execution_id)[
        "AutomationExecution"
    ]
    steps = _failed_automation_steps(execution, lines)
    if execution.get("TargetParameterName"):
        # Rate control: the runbook ran once per target, each run a child execution.
        children = list(
            paginate(
                ssm,
                "describe_automation_executions",
                "AutomationExecutionMetadataList",
                Filters=[
                    {"Key": "ParentExecutionId", "Values": [execution_id]},
                    {"Key": "ExecutionStatus", "Values": _AUTOMATION_FAILED},
                ],
            )
        )
        details = read_concurrently(
            lambda child: ssm.get_automation_execution(
                AutomationExecutionId=child["AutomationExecutionId"]
            )["AutomationExecution"],
            children,
        )
        for child, detail in zip(children, details, strict=True):
            target = child.get("Target") or _target_parameter(detail)
            for step in _failed_automation_steps(detail, lines):
                steps.append(
                    FailedStep(
                        name=step.name,
                        status=step.status,
                        action=step.action,
                        detail=step.detail,
                        output=step.output,
                        truncated=step.truncated,
                        instance_id=target,
                    )
                )
    note = None
    if not steps:
        note = execution.get("FailureMessage") or (
            f"the automation ended {execution.get('AutomationExecutionStatus')}"
        )
    return {"steps": steps, "note": note, "document": execution.get("DocumentName")}


def read_concurrently(
    read: Callable[[T], R], items: list[T], limit: int = AUTOMATION_READS
) -> list[R]:
    """``read`` of every item, at most ``limit`` calls at once, in the order of ``items``. The
    first error is raised once the calls under way have ended; those not started are
    dropped."""
    if len(items) <= 1:
        return [read(item) for item in items]
    pool = ThreadPoolExecutor(
        max_workers=min(limit, len(items)), thread_name_prefix="quicksetup-automation"
    )
    try:
        return list(pool.map(read, items))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


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
            _step(
                step.get("StepName", ""),
                step.get("StepStatus", ""),
                step.get("Action"),
                detail,
                "\n".join(output),
                lines,
            )
        )
    return steps


def _target_parameter(execution: dict[str, Any]) -> str | None:
    name = execution.get("TargetParameterName")
    values = (execution.get("Parameters") or {}).get(name or "", [])
    return values[0] if values else None


def _step(
    name: str,
    status: str,
    action: str | None,
    detail: str | None,
    output: str,
    lines: int,
    *,
    response_code: int | None = None,
    output_url: str | None = None,
) -> FailedStep:
    all_lines = [line.rstrip() for line in (output or "").strip().splitlines()]
    all_lines = [line for line in all_lines if line]
    return FailedStep(
        name=name,
        status=status,
        action=action,
        detail=detail,
        response_code=response_code,
        output=all_lines[-lines:] if lines else all_lines,
        truncated=len(all_lines) > lines > 0,
        output_url=output_url,
    )


def any_failed(results: list[ConfigurationTroubles]) -> bool:
    return any(result.failed or result.missing for result in results)


# --association ---------------------------------------------------------------------------------


def troubleshoot_association(aws: Aws, id_or_name: str, *, lines: int = 0) -> AssociationTroubles:
    """The latest failed execution of the association ``id_or_name`` (its id or its name),
    every failed target and the last ``lines`` lines (0: all) of each failed step."""
    association = find_association(aws, id_or_name)
    option = option_status(association, latest_execution(aws, association.association_id))
    execution, targets = _failed_execution(aws, option, lines=lines)
    return AssociationTroubles(option, aws.region, execution, targets)


# --instance ------------------------------------------------------------------------------------


def troubleshoot_instance(
    aws: Aws,
    instance_id: str,
    *,
    lines: int = 0,
    configurations: list[DeployedConfiguration] | None = None,
) -> InstanceTroubles:
    """The latest status of every Quick Setup association on instance ``instance_id``
    (``DescribeInstanceAssociationsStatus``), and for each failed one the last ``lines`` lines
    (0: all) of its failed steps. With ``configurations``, only their associations."""
    from botocore.exceptions import ClientError

    if not _INSTANCE_ID.fullmatch(instance_id):
        raise CliError(
            f"{instance_id!r} is not a managed node id (like i-0123456789abcdef0 or "
            "mi-0123456789abcdef0)"
        )
    ssm = aws.client("ssm")
    try:
        infos = list(
            paginate(
                ssm,
                "describe_instance_associations_status",
                "InstanceAssociationStatusInfos",
                InstanceId=instance_id,
            )
        )
    except ClientError as error:
        if error_code(error) != "InvalidInstanceId":
            raise
        raise CliError(
            f"instance {instance_id} is not a managed node in {aws.region} (account "
            f"{aws.account}): check the id (`aws ssm describe-instance-information`), or pass "
            "--region"
        ) from None
    matches = match_associations(info.get("AssociationName", "") for info in infos)
    allowed = (
        None
        if configurations is None
        else {
            association.association_id
            for configuration in configurations
            for association in configuration.associations
        }
    )
    found = [
        (info, matches[info.get("AssociationName", "")])
        for info in infos
        if info.get("AssociationName", "") in matches
        and (allowed is None or info.get("AssociationId") in allowed)
    ]
    if not found:
        quick_setup = sum(info.get("AssociationName", "") in matches for info in infos)
        raise CliError(
            f"no Quick Setup association has run on instance {instance_id} in {aws.region}"
            + (" from that stack" if configurations is not None else "")
            + (
                f" (its {quick_setup} QuickSetup-* association(s) are other configurations'; "
                f"{len(infos)} association(s) in all)"
                if quick_setup
                else f" (none named QuickSetup-* among its {len(infos)} association(s))"
            )
        )
    order = {option.key: index for index, option in enumerate(catalogue())}
    found.sort(
        key=lambda item: (
            order.get(item[1].key, len(order)),
            item[1].configuration_id,
        )
    )
    return InstanceTroubles(
        instance_id=instance_id,
        region=aws.region,
        associations=[
            _instance_association(aws, instance_id, info, match, lines) for info, match in found
        ],
    )


def _instance_association(
    aws: Aws, instance_id: str, info: dict[str, Any], match: Any, lines: int
) -> InstanceAssociation:
    association = InstanceAssociation(
        key=match.key,
        title=match.title,
        association_id=info.get("AssociationId", ""),
        association_name=info.get("AssociationName", ""),
        document=info.get("Name"),
        status=info.get("Status", ""),
        detailed_status=info.get("DetailedStatus"),
        execution_date=info.get("ExecutionDate"),
        execution_summary=info.get("ExecutionSummary"),
        error_code=info.get("ErrorCode") or None,
        output_url=((info.get("OutputUrl") or {}).get("S3OutputUrl") or {}).get("OutputUrl"),
    )
    if association.status not in FAILED_STATES:
        return association
    from dataclasses import replace

    return replace(association, **_instance_run(aws, association, instance_id, lines))


def _instance_run(
    aws: Aws, association: InstanceAssociation, instance_id: str, lines: int
) -> dict[str, Any]:
    """The failed steps of the association's run on the instance: the run is a target of the
    newest execution created at or before the instance's execution date."""
    ssm = aws.client("ssm")
    params: dict[str, Any] = {
        "AssociationId": association.association_id,
        "MaxResults": _RUNS_TO_SEARCH,
    }
    if association.execution_date is not None:
        ran = association.execution_date
        ran = ran.astimezone(UTC) if ran.tzinfo else ran.replace(tzinfo=UTC)
        params["Filters"] = [
            {
                "Key": "CreatedTime",
                "Type": "LESS_THAN",
                "Value": (ran + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        ]
    executions = ssm.describe_association_executions(**params).get("AssociationExecutions", [])
    for execution in executions:
        targets = ssm.describe_association_execution_targets(
            AssociationId=association.association_id,
            ExecutionId=execution["ExecutionId"],
            Filters=[{"Key": "ResourceId", "Value": instance_id}],
        ).get("AssociationExecutionTargets", [])
        if targets:
            [target] = read_failed_targets(aws, targets[:1], lines=lines)
            return {
                "execution_id": execution["ExecutionId"],
                "source": target.source,
                "steps": target.steps,
                "note": target.note,
            }
    return {
        "note": "the run on this instance is no longer in the association's execution history"
        + (f"; its output: {association.output_url}" if association.output_url else ""),
    }
