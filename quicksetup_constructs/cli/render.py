"""What people see: rich tables and cards, coloured by status."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime
from typing import Any

from rich.columns import Columns
from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .compliance import SEVERITIES, ConfigurationCompliance
from .organization import NOT_READ, StackSetStatus
from .plan import Plan, PlannedConfiguration, StackSetDeployment
from .schedules import Schedule
from .status import FAILED, NOT_CONFIGURED, PENDING, SUCCESS, ConfigurationStatus, OptionStatus
from .troubleshoot import ConfigurationTroubles, FailedOption

STYLES = {
    SUCCESS: "green", FAILED: "red", PENDING: "yellow", NOT_CONFIGURED: "bright_black",
    NOT_READ: "bright_black", "Missing": "yellow",
    "SUCCEEDED": "green", "FAILED": "red", "RUNNING": "yellow", "PENDING": "yellow",
    "CANCELLED": "red", "INOPERABLE": "red", "SKIPPED_SUSPENDED_ACCOUNT": "bright_black",
    "COMPLIANT": "green", "NON_COMPLIANT": "red", "NO_DATA": "bright_black",
}
SYMBOLS = {SUCCESS: "✓", FAILED: "✗", PENDING: "…", NOT_CONFIGURED: "–"}


def console(*, color: bool = True, plain: bool = False) -> Console:
    """Standard output's console: without colour when ``color`` is False (or NO_COLOR is set);
    ``plain`` (``--output text``): no colour, no emoji, ASCII boxes."""
    if plain:
        return Console(highlight=False, no_color=True, emoji=False, safe_box=True)
    return Console(highlight=False, no_color=None if color else True)


@contextmanager
def waiting(message: str, *, quiet: bool = False) -> Iterator[None]:
    """A spinner on standard error while AWS answers (only in a terminal)."""
    if quiet or not sys.stderr.isatty():
        with nullcontext():
            yield
        return
    with Console(stderr=True).status(message, spinner="dots"):
        yield


def error_line(message: str) -> None:
    Console(stderr=True, highlight=False, soft_wrap=True).print(
        f"[bold red]error:[/] {escape(message)}"
    )


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "never"


def styled(state: str | None) -> Text:
    state = state or "—"
    return Text(state, style=STYLES.get(state, ""))


# plan -----------------------------------------------------------------------------------------


def print_plan(out: Console, plan: Plan) -> None:
    out.print(
        f"[bold]Quick Setup plan[/] of [cyan]{escape(plan.assembly)}[/]: "
        f"{len(plan.configurations)} configuration(s); runs in UTC, "
        f"as if deployed at {plan.now:%Y-%m-%d %H:%M}"
    )
    for configuration in plan.configurations:
        out.print()
        _print_planned_configuration(out, configuration)


def _print_planned_configuration(out: Console, configuration: PlannedConfiguration) -> None:
    out.rule(
        f"[bold]Configuration {escape(configuration.configuration_id)}[/] · "
        f"{configuration.kind} · stack {escape(configuration.stack)}",
        align="left",
    )
    out.print(f"[bold]Targets:[/] {escape(configuration.targets)}")
    for option in configuration.options:
        grid = _item(out, option.title, option.association_name)
        kind = option.document_type + (", created by the stack" if option.created_by_stack else "")
        grid.add_row("  document", Text.assemble((option.document, "cyan"), f" ({kind})"))
        for step in option.document_steps:
            grid.add_row("", Text(f"step {step}", style="bright_black"))
        for index, (name, values) in enumerate(option.parameters.items()):
            grid.add_row("  parameters" if index == 0 else "", f"{name} = {', '.join(values)}")
        if option.sync_compliance:
            grid.add_row("  compliance", f"SyncCompliance = {option.sync_compliance}")
        grid.add_row("  targets", option.targets)
        grid.add_row("  schedule", _schedule_words(option.schedule))
        grid.add_row(
            "  next runs",
            " · ".join(f"{run:%a %Y-%m-%d %H:%M}" for run in option.schedule.next_runs) or "—",
        )
        out.print(grid)
    for setting in configuration.settings:
        grid = _item(out, setting.title, setting.resource_type)
        for label, value in setting.details.items():
            grid.add_row(f"  {label}", value)
        grid.add_row("  applies to", "the whole account and Region")
        out.print(grid)
    out.print()
    if configuration.not_configured:
        out.print(
            "[bold]Not configured:[/] "
            + escape(", ".join(title for _, title in configuration.not_configured))
        )
    if configuration.stack_sets:
        _print_deployments(out, configuration.stack_sets)
    if configuration.kind == "local":
        for created in configuration.created:
            resources = ", ".join(f"{count} {kind}" for kind, count in created.resources.items())
            out.print(f"[bold]Creates[/] in {escape(created.where)}: {escape(resources) or 'nothing'}")


def _item(out: Console, title: str, aside: str) -> Table:
    """Print a configuration item's heading; return the grid of its details, to fill."""
    out.print()
    out.print(Text.assemble(("● ", "cyan"), (title, "bold"), "  ", (aside, "bright_black")))
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bright_black", no_wrap=True, min_width=12)
    grid.add_column(overflow="fold")
    return grid


def _schedule_words(schedule: Schedule) -> Text:
    words = Text(schedule.words)
    expression = schedule.expression or ""
    if expression.startswith("rate("):
        words.append(", from creation")
    elif expression.startswith("cron(") and schedule.runs_on_creation:
        words.append("; also once when created")
    if expression:
        words.append(f"  {expression}", style="bright_black")
    return words


def _print_deployments(out: Console, deployments: list[StackSetDeployment]) -> None:
    for deployment in deployments:
        out.print()
        out.print(Text.assemble(("● ", "cyan"), ("StackSet ", "bold"), (deployment.name, "bold")))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bright_black", no_wrap=True, min_width=12)
        grid.add_column(overflow="fold")
        grid.add_row("  OUs", ", ".join(deployment.organizational_unit_ids) or "—")
        grid.add_row("  Regions", ", ".join(deployment.regions) or "—")
        grid.add_row("  targets", _deployment_targets(deployment))
        grid.add_row("  rollout", _rollout(deployment))
        resources = ", ".join(f"{count} {kind}" for kind, count in deployment.resources.items())
        grid.add_row("  creates", f"{resources or 'nothing'}, in every stack instance")
        out.print(grid)


def _deployment_targets(deployment: StackSetDeployment) -> Text:
    regions = len(deployment.regions)
    if deployment.targets is None:
        return Text(
            f"? accounts × {regions} Region(s): give --accounts N to count them", style="yellow"
        )
    text = Text(
        f"{deployment.accounts:,} account(s) × {regions} Region(s) = {deployment.targets:,} "
        f"stack instances, of at most {deployment.limit:,}",
        style="green" if deployment.within_limit else "bold red",
    )
    if not deployment.within_limit:
        text.append(": over the limit")
    return text


def _rollout(deployment: StackSetDeployment) -> str:
    automatic = "; new accounts join by themselves" if deployment.auto_deployment else ""
    rollout = deployment.rollout
    if rollout is None:
        return "—" + automatic
    regions = "Regions in parallel" if rollout.parallel_regions else "Region by Region"
    return (
        f"{rollout.waves} wave(s) of up to {rollout.concurrent_accounts} account(s), {regions}; "
        f"a Region stops after more than {rollout.failure_tolerance} failure(s)" + automatic
    )


# status ---------------------------------------------------------------------------------------


def print_status(out: Console, statuses: list[ConfigurationStatus]) -> None:
    for index, status in enumerate(statuses):
        if index:
            out.print()
        where = f" · stack {escape(status.stack)}" if status.stack else ""
        out.rule(
            f"[bold]Configuration {escape(status.configuration_id)}[/] · {status.region}{where} · "
            f"[{STYLES[status.status]}]{status.status}[/]",
            align="left",
        )
        out.print(f"[bold]Targets:[/] {escape(status.targets)}")
        out.print(Columns([_card(option) for option in status.options], equal=True, width=46))


def _card(option: OptionStatus) -> Panel:
    style = STYLES.get(option.status, "")
    body = Text(option.title, style="bold")
    body.append(f"\n{SYMBOLS.get(option.status, '')} {option.status}", style=f"bold {style}")
    if option.status == NOT_CONFIGURED:
        body.append("\noption not chosen", style="bright_black")
        return Panel(body, border_style=style)
    body.append(f"\nLast run: {when(option.last_run)}")
    if option.counts:
        counts = ", ".join(f"{count} {state}" for state, count in sorted(option.counts.items()))
        body.append(f"\nTargets: {option.targets} ({counts})")
    else:
        body.append("\nTargets: none reported yet")
    if option.detail and option.detail != option.status:
        body.append(f"\n{option.detail}", style="bright_black")
    if option.association_name:
        body.append(f"\n{option.association_name}", style="bright_black")
    return Panel(body, border_style=style)


def print_organization(out: Console, stack_sets: list[StackSetStatus]) -> None:
    for index, stack_set in enumerate(stack_sets):
        if index:
            out.print()
        summary = ", ".join(
            f"{stack_set.count(state)} {state}"
            for state in ("SUCCEEDED", "RUNNING", "PENDING", "FAILED", "CANCELLED", "INOPERABLE")
            if stack_set.count(state)
        )
        holds = (
            "configuration " + ", ".join(stack_set.configuration_ids)
            if stack_set.configuration_ids else "no associations"
        )
        table = Table(
            title=(
                f"StackSet {stack_set.name} ({stack_set.status}) · {holds} · "
                f"{len(stack_set.targets)} target(s): {summary or 'none'}"
            ),
            title_justify="left",
            expand=True,
        )
        table.add_column("Account", no_wrap=True)
        table.add_column("Region", no_wrap=True)
        table.add_column("OU", no_wrap=True)
        table.add_column("Stack instance")
        table.add_column("Associations")
        for target in stack_set.targets:
            instance = styled(target.detailed_status or target.instance_status)
            if target.instance_status and target.instance_status != "CURRENT":
                instance.append(f" ({target.instance_status})", style="bright_black")
            if target.reason:
                instance.append(f"\n{target.reason}", style="bright_black")
            association = (
                Text("—") if target.association_status == NOT_CONFIGURED
                else styled(target.association_status)
            )
            failed = [key for key, state in target.options.items() if state == FAILED]
            if failed:
                association.append(": " + ", ".join(failed))
            if target.association_detail:
                association.append(f"\n{target.association_detail}", style="bright_black")
            table.add_row(
                target.account, target.region, target.organizational_unit_id or "—",
                instance, association,
            )
        out.print(table)


# troubleshoot ---------------------------------------------------------------------------------


def print_troubles(out: Console, results: list[ConfigurationTroubles]) -> None:
    for index, result in enumerate(results):
        if index:
            out.print()
        status = result.status
        where = f" · stack {escape(status.stack)}" if status.stack else ""
        out.rule(
            f"[bold]Configuration {escape(status.configuration_id)}[/] · {status.region}{where}",
            align="left",
        )
        if not result.failed:
            configured = [o for o in status.options if o.status != NOT_CONFIGURED]
            out.print(
                f"[green]✓ Nothing failed[/]: {len(configured)} option(s), "
                + ", ".join(f"{o.title}: {o.status}" for o in configured)
            )
            continue
        for failed in result.failed:
            out.print(_failed_panel(failed))


def _failed_panel(failed: FailedOption) -> Panel:
    option = failed.option
    parts: list[Any] = [Text(option.association_name or "", style="bright_black")]
    execution = failed.execution
    if execution is None:
        parts.append(Text("No failed execution is left in the association's history.", style="yellow"))
    else:
        counts = ", ".join(f"{n} {state}" for state, n in sorted(execution.counts.items()))
        parts.append(
            Text.assemble(
                ("Execution ", "bold"), execution.execution_id, " ",
                styled(execution.status), f" at {when(execution.created)}",
                f" ({counts})" if counts else "",
            )
        )
    for target in failed.targets:
        header = Text.assemble(
            "\n", ("✗ ", "red"), (target.resource_id, "bold"),
            f" ({target.resource_type})" if target.resource_type else "",
            " ", styled(target.status),
            f" · {target.detailed_status}" if target.detailed_status and target.detailed_status != target.status else "",
            (
                f" · {target.source}"
                if target.source and not target.source.endswith(target.resource_id) else "",
                "bright_black",
            ),
        )
        parts.append(header)
        for step in target.steps:
            line = Text("  step ", style="bold")
            line.append(step.name, style="bold cyan")
            if step.action:
                line.append(f" ({step.action})", style="bright_black")
            line.append(" ")
            line.append_text(styled(step.status))
            if step.response_code is not None:
                line.append(f", exit code {step.response_code}")
            if step.detail and step.detail != step.status:
                line.append(f": {step.detail}")
            parts.append(line)
            if step.truncated:
                parts.append(Text("    … (earlier lines left out)", style="bright_black"))
            for output_line in step.output:
                parts.append(Text(f"    {output_line}", style="bright_black"))
            if step.output_url:
                parts.append(Text(f"    full output: {step.output_url}", style="bright_black"))
        if target.note:
            parts.append(Text(f"  {target.note}", style="yellow"))
    if failed.more_targets:
        parts.append(Text(f"\n… and {failed.more_targets} more failed target(s) (--max-targets)"))
    return Panel(
        Group(*parts),
        title=f"[bold red]✗ {escape(option.title)}[/]",
        title_align="left",
        border_style="red",
    )


# compliance -----------------------------------------------------------------------------------


def print_compliance(out: Console, results: list[ConfigurationCompliance]) -> None:
    for index, result in enumerate(results):
        if index:
            out.print()
        where = f" · stack {escape(result.stack)}" if result.stack else ""
        out.rule(
            f"[bold]Configuration {escape(result.configuration_id)}[/] · {result.region}{where}",
            align="left",
        )
        if result.scan_association is None:
            out.print("[bright_black]Patch scan not configured: no patch compliance to show.[/]")
            continue
        if not result.instances:
            out.print(
                f"[yellow]{escape(result.scan_association)} has not run yet[/]: no instance scanned."
            )
            continue
        out.print(
            Text.assemble(
                f"{len(result.instances)} instance(s) scanned by {result.scan_association} "
                f"({result.targets}): ",
                (f"{result.count('COMPLIANT')} compliant", "green"), ", ",
                (f"{result.count('NON_COMPLIANT')} non-compliant", "red"),
                ", " if result.count("NO_DATA") else "",
                (f"{result.count('NO_DATA')} without patch data", "bright_black")
                if result.count("NO_DATA") else "",
            )
        )
        if not result.worst:
            continue
        table = Table(title="Worst offenders", title_justify="left", expand=True)
        table.add_column("Instance", no_wrap=True)
        table.add_column("Missing", justify="right")
        table.add_column("By severity", no_wrap=True)
        table.add_column("Missing patches, worst first", ratio=1, overflow="fold")
        for instance in result.worst:
            severities = "\n".join(
                f"{instance.severities[s]} {s}" for s in SEVERITIES if instance.severities.get(s)
            )
            missing = "\n".join(
                f"{severity.title()}: {title or item}" for item, severity, title in instance.missing[:3]
            )
            if len(instance.missing) > 3:
                missing += f"\n… {len(instance.missing) - 3} more"
            table.add_row(
                instance.instance_id, str(instance.non_compliant), severities or "—",
                missing or "—",
            )
        out.print(table)
