"""What people see: rich tables and cards, coloured by status.

Every string that comes from AWS or from a cloud assembly (names, ids, statuses, Regions,
messages, command output) is untrusted: it is shown through :func:`shown` where it becomes
console markup (``print`` of a string, a rule's title, a table cell given as a string) and
through :func:`printable` where it becomes plain :class:`~rich.text.Text`, so that no control
character reaches the terminal raw, no value starts a line of its own and no value becomes
markup. The newlines in what is printed are this module's own.

Command output is the exception that keeps its shape: AWS gives it as text with newlines,
which are its lines; it is split into lines, each shown on a line of its own and escaped
(:func:`output_line`), so that every other control character in a line (ESC, a carriage
return, NUL, ...) is still written as a visible escape.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.columns import Columns
from rich.console import Console, Group
from rich.markup import escape
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .compliance import SEVERITIES, ConfigurationCompliance
from .managed import REASONS, ManagedInstancesStatus
from .organization import ATHENA, NOT_READ, StackSetStatus, TargetStatus
from .organization_athena import NOT_IN_DATA
from .plan import Plan, PlannedConfiguration, StackSetDeployment
from .preflight import ERROR, KINDS, NOTE, WARNING, Preflight
from .printable import message_line, printable
from .schedules import Schedule
from .status import (
    FAILED,
    MISSING,
    NOT_CONFIGURED,
    PENDING,
    SUCCESS,
    ConfigurationStatus,
    HostManagementStatus,
    InventorySyncStatus,
    OptionStatus,
)
from .troubleshoot import (
    PLUGIN_OUTPUT_LIMIT,
    AssociationTroubles,
    ConfigurationTroubles,
    FailedOption,
    FailedTarget,
    FailureGroup,
    InstanceAssociation,
    InstanceTroubles,
)

if TYPE_CHECKING:
    from .importer.build import ImportResult

STYLES = {
    SUCCESS: "green",
    FAILED: "red",
    PENDING: "yellow",
    NOT_CONFIGURED: "bright_black",
    NOT_READ: "bright_black",
    "Missing": "yellow",
    "SUCCEEDED": "green",
    "FAILED": "red",
    "RUNNING": "yellow",
    "PENDING": "yellow",
    "CANCELLED": "red",
    "INOPERABLE": "red",
    "SKIPPED_SUSPENDED_ACCOUNT": "bright_black",
    "COMPLIANT": "green",
    "NON_COMPLIANT": "red",
    "NO_DATA": "bright_black",
}
SYMBOLS = {SUCCESS: "✓", FAILED: "✗", PENDING: "…", NOT_CONFIGURED: "–", MISSING: "!"}


def shown(text: str) -> str:
    """``text`` read from AWS or from the user, ready for console markup: control characters
    escaped (:func:`printable`), markup brackets escaped."""
    return escape(printable(text))


def output_line(line: str) -> Text:
    """One line of a step's output, indented under its step, control characters escaped: the
    output's own line breaks are where it was split into lines, so that none is left in
    ``line``, and any other control character (a carriage return, ESC, ...) would overwrite
    or restyle what the terminal shows."""
    return Text(f"    {printable(line)}", style="bright_black")


def console(*, color: bool = True, plain: bool = False, stderr: bool = False) -> Console:
    """Standard output's console (standard error's with ``stderr``): without colour when
    ``color`` is False (or NO_COLOR is set); ``plain`` (``--output text``): a
    :class:`PlainConsole`."""
    if plain:
        return PlainConsole(stderr=stderr)
    # emoji=False: a ``:name:`` in a value AWS returned stays text.
    return Console(highlight=False, emoji=False, no_color=None if color else True, stderr=stderr)


class PlainConsole(Console):
    """``--output text``: plain lines, never wrapped, without styles, emoji or box drawing. A
    rule is its title; a table, a row per line (its cells joined by `` · ``, under its
    title); a panel, its title and then its content; cards and groups, one after the
    other."""

    def __init__(self, *, stderr: bool = False) -> None:
        super().__init__(
            highlight=False, color_system=None, emoji=False, soft_wrap=True, stderr=stderr
        )

    def rule(self, title: Any = "", *args: Any, **kwargs: Any) -> None:
        if title:
            self.print(title)

    def print(self, *objects: Any, **kwargs: Any) -> None:
        kwargs["soft_wrap"] = True
        if not objects:
            super().print(**kwargs)
        for item in objects:
            for line in _plain_lines(item):
                super().print(line, **kwargs)


def _plain_lines(item: Any) -> list[Any]:
    """``item`` as what :class:`PlainConsole` prints, one element per line or text."""
    if isinstance(item, Table):
        lines: list[Any] = [item.title] if item.title else []
        cells = [list(column.cells) for column in item.columns]
        for row in range(item.row_count):
            texts = [_flat(column[row]) for column in cells if row < len(column)]
            lines.append(Text(" · ").join(text for text in texts if text.plain))
        return lines
    if isinstance(item, Panel):
        return ([item.title] if item.title else []) + _plain_lines(item.renderable)
    if isinstance(item, Padding):
        return _plain_lines(item.renderable)
    if isinstance(item, Group | Columns):
        found: list[Any] = []
        for index, inner in enumerate(item.renderables):
            if index and isinstance(item, Columns):
                found.append("")
            found += _plain_lines(inner)
        return found
    return [item]


def _flat(cell: Any) -> Text:
    """A table cell on one line."""
    text = Text.from_markup(cell) if isinstance(cell, str) else cell
    if not isinstance(text, Text):
        return Text(str(text))
    return Text(" ").join(line for line in text.split("\n") if line.plain)


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
    """``error: <message>`` on standard error, on one line: a message that still holds a raw
    control character is escaped (:func:`message_line`)."""
    Console(stderr=True, highlight=False, emoji=False, soft_wrap=True).print(
        f"[bold red]error:[/] {escape(message_line(message))}"
    )


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "never"


def styled(state: str | None) -> Text:
    """A status as AWS spells it, coloured when it is one of :data:`STYLES`."""
    state = state or "—"
    return Text(printable(state), style=STYLES.get(state, ""))


# plan -----------------------------------------------------------------------------------------


def print_plan(out: Console, plan: Plan) -> None:
    out.print(
        f"[bold]Quick Setup plan[/] of [cyan]{shown(plan.assembly)}[/]: "
        f"{len(plan.configurations)} configuration(s); runs in UTC, "
        f"as if deployed at {plan.now:%Y-%m-%d %H:%M}"
    )
    for configuration in plan.configurations:
        out.print()
        _print_planned_configuration(out, configuration)


def _print_planned_configuration(out: Console, configuration: PlannedConfiguration) -> None:
    out.rule(
        f"[bold]Configuration {shown(configuration.configuration_id)}[/] · "
        f"{shown(configuration.kind)} · stack {shown(configuration.stack)}",
        align="left",
    )
    out.print(f"[bold]Targets:[/] {shown(configuration.targets)}")
    for option in configuration.options:
        grid = _item(out, option.title, option.association_name)
        kind = option.document_type + (", created by the stack" if option.created_by_stack else "")
        grid.add_row(
            "  document",
            Text.assemble((printable(option.document), "cyan"), f" ({printable(kind)})"),
        )
        for step in option.document_steps:
            grid.add_row("", Text(f"step {printable(step)}", style="bright_black"))
        for index, (name, values) in enumerate(option.parameters.items()):
            grid.add_row(
                "  parameters" if index == 0 else "",
                Text(printable(f"{name} = {', '.join(values)}")),
            )
        if option.sync_compliance:
            grid.add_row(
                "  compliance", Text(f"SyncCompliance = {printable(option.sync_compliance)}")
            )
        grid.add_row("  targets", Text(printable(option.targets)))
        grid.add_row("  schedule", _schedule_words(option.schedule))
        grid.add_row(
            "  next runs",
            " · ".join(f"{run:%a %Y-%m-%d %H:%M}" for run in option.schedule.next_runs) or "—",
        )
        out.print(grid)
    for setting in configuration.settings:
        grid = _item(out, setting.title, setting.resource_type)
        for label, value in setting.details.items():
            grid.add_row(Text(f"  {printable(label)}"), Text(printable(value)))
        grid.add_row("  applies to", "the whole account and Region")
        out.print(grid)
    out.print()
    if configuration.not_configured:
        out.print(
            "[bold]Not configured:[/] "
            + shown(", ".join(title for _, title in configuration.not_configured))
        )
    if configuration.stack_sets:
        _print_deployments(out, configuration.stack_sets)
    if configuration.kind == "local":
        for created in configuration.created:
            resources = ", ".join(f"{count} {kind}" for kind, count in created.resources.items())
            out.print(
                f"[bold]Creates[/] in {shown(created.where)}: {shown(resources) or 'nothing'}"
            )


def _item(out: Console, title: str, aside: str) -> Table:
    """Print a configuration item's heading; return the grid of its details, to fill."""
    out.print()
    out.print(
        Text.assemble(
            ("● ", "cyan"), (printable(title), "bold"), "  ", (printable(aside), "bright_black")
        )
    )
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bright_black", no_wrap=True, min_width=12)
    grid.add_column(overflow="fold")
    return grid


def _schedule_words(schedule: Schedule) -> Text:
    words = Text(printable(schedule.words))
    expression = schedule.expression or ""
    if expression.startswith("rate("):
        words.append(", from creation")
    elif expression.startswith("cron(") and schedule.runs_on_creation:
        words.append("; also once when created")
    if expression:
        words.append(f"  {printable(expression)}", style="bright_black")
    return words


def _print_deployments(out: Console, deployments: list[StackSetDeployment]) -> None:
    for deployment in deployments:
        out.print()
        out.print(
            Text.assemble(
                ("● ", "cyan"), ("StackSet ", "bold"), (printable(deployment.name), "bold")
            )
        )
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bright_black", no_wrap=True, min_width=12)
        grid.add_column(overflow="fold")
        grid.add_row("  OUs", Text(printable(", ".join(deployment.organizational_unit_ids)) or "—"))
        grid.add_row("  Regions", Text(printable(", ".join(deployment.regions)) or "—"))
        grid.add_row("  targets", _deployment_targets(deployment))
        grid.add_row("  rollout", _rollout(deployment))
        resources = ", ".join(f"{count} {kind}" for kind, count in deployment.resources.items())
        grid.add_row(
            "  creates", Text(f"{printable(resources) or 'nothing'}, in every stack instance")
        )
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
        where = f" · stack {shown(status.stack)}" if status.stack else ""
        out.rule(
            f"[bold]Configuration {shown(status.configuration_id)}[/] · {shown(status.region)}"
            f"{where} · [{STYLES[status.status]}]{status.status}[/]",
            align="left",
        )
        out.print(f"[bold]Targets:[/] {shown(status.targets)}")
        cards = [_card(option) for option in status.options]
        if status.host_management is not None:
            cards.append(_host_management_card(status.host_management))
        if status.inventory_sync is not None:
            cards.append(_sync_card(status.inventory_sync))
        if status.managed_instances is not None:
            cards.append(_managed_card(status.managed_instances))
        out.print(Columns(cards, equal=True, width=46))
        if status.managed_instances is not None and status.managed_instances.unmanaged:
            _print_unmanaged(out, status.managed_instances)


def _heading(title: str, status: str) -> Text:
    """A card's title and status (long words, such as role names, folded)."""
    body = Text(printable(title), style="bold", overflow="fold")
    body.append(
        f"\n{SYMBOLS.get(status, '')} {printable(status)}", style=f"bold {STYLES.get(status, '')}"
    )
    return body


def _card(option: OptionStatus) -> Panel:
    style = STYLES.get(option.status, "")
    body = _heading(option.title, option.status)
    if option.status == NOT_CONFIGURED:
        body.append("\noption not chosen", style="bright_black")
        return Panel(body, border_style=style)
    if option.status == MISSING:
        body.append(f"\n{printable(option.detail or '')}")
        for name in (option.association_name, option.association_id):
            if name:
                body.append(f"\n{printable(name)}", style="bright_black")
        return Panel(body, border_style=style)
    body.append(f"\nLast run: {when(option.last_run)}")
    if option.counts:
        counts = ", ".join(f"{count} {state}" for state, count in sorted(option.counts.items()))
        body.append(f"\nTargets: {option.targets} ({printable(counts)})")
    else:
        body.append("\nTargets: none reported yet")
    if option.detail and option.detail != option.status:
        body.append(f"\n{printable(option.detail)}", style="bright_black")
    if option.association_name:
        body.append(f"\n{printable(option.association_name)}", style="bright_black")
    return Panel(body, border_style=style)


def _host_management_card(card: HostManagementStatus) -> Panel:
    body = _heading(card.title, card.status)
    body.append(f"\nRole: {printable(card.value or '—')}")
    if card.names_role:
        body.append("\nthe configuration's role", style="bright_black")
    elif card.detail:
        body.append(f"\n{printable(card.detail)}")
    if card.last_modified:
        body.append(f"\nSet: {when(card.last_modified)}", style="bright_black")
    body.append(f"\n{printable(card.setting_id)}", style="bright_black")
    return Panel(body, border_style=STYLES.get(card.status, ""))


def _sync_card(card: InventorySyncStatus) -> Panel:
    body = _heading(card.title, card.status)
    if card.status == MISSING or card.last_status is None:
        body.append(f"\n{printable(card.detail or '')}")
    else:
        body.append(f"\nLast sync: {when(card.last_sync)}")
        body.append(f"\nLast success: {when(card.last_successful_sync)}")
    if card.last_message:
        body.append(
            f"\n{printable(card.last_message)}",
            style="red" if card.status == FAILED else "bright_black",
        )
    if card.bucket:
        body.append(f"\nBucket: {printable(card.bucket)}", style="bright_black")
    body.append(f"\n{printable(card.sync_name)}", style="bright_black")
    return Panel(body, border_style=STYLES.get(card.status, ""))


UNMANAGED_SHOWN = 50
"""Instances not managed listed per configuration (``--output json`` lists every one)."""


def _managed_card(card: ManagedInstancesStatus) -> Panel:
    body = _heading(card.title, card.status)
    body.append(f"\n{card.managed_count} of {card.target_count} targeted instance(s) managed")
    counts: dict[str, int] = {}
    for instance in card.unmanaged:
        counts[instance.reason] = counts.get(instance.reason, 0) + 1
    for reason, words in REASONS.items():
        if counts.get(reason):
            body.append(f"\n{counts[reason]} {words}")
    body.append(f"\n{printable(card.targets)}", style="bright_black")
    return Panel(body, border_style=STYLES.get(card.status, ""))


def _print_unmanaged(out: Console, card: ManagedInstancesStatus) -> None:
    """The instances not managed, each with its likely reason and the guide that explains it."""
    table = Table(title="Targeted instances not managed", title_justify="left", expand=True)
    table.add_column("Instance", no_wrap=True)
    table.add_column("Reason", no_wrap=True)
    table.add_column("Detail", ratio=1, overflow="fold")
    table.add_column("Guide", ratio=1, overflow="fold")
    for instance in card.unmanaged[:UNMANAGED_SHOWN]:
        table.add_row(
            Text(printable(instance.instance_id)),
            REASONS.get(instance.reason, instance.reason),
            Text(printable(instance.detail)),
            Text(instance.guide),
        )
    out.print(table)
    more = len(card.unmanaged) - UNMANAGED_SHOWN
    if more > 0:
        out.print(f"… and {more} more (--output json lists every one)")


@contextmanager
def organization_progress(*, quiet: bool = False) -> Iterator[Callable[[int, int], None]]:
    """``--org``'s progress on standard error, only in a terminal: a spinner while the
    StackSets are listed, then ``Reading targets… 120/2000``. Yields the function to call
    with the targets read and the targets to read."""
    if quiet or not sys.stderr.isatty():
        yield lambda done, total: None
        return
    with Console(stderr=True).status(
        "Reading StackSets and stack instances…", spinner="dots"
    ) as status:
        yield lambda done, total: status.update(f"Reading targets… {done}/{total}")


_NOT_READ_ACCOUNTS = 3
"""Accounts named in a line of targets not read; the others are counted."""


def _collapsed(target: TargetStatus) -> bool:
    """A target whose associations could not be read, and whose stack instance has nothing
    to say: it is counted in a line of its reason, not given a row."""
    return (
        target.association_status == NOT_READ
        and not target.reason
        and (
            target.detailed_status in (None, "SUCCEEDED")
            and target.instance_status in ("", "CURRENT")
        )
    )


def _not_read_lines(targets: list[TargetStatus]) -> list[Text]:
    """One line per reason why targets could not be read, with their count and a few of
    their accounts (the account in a reason is written ``<account>``, so that accounts denied
    alike are counted together)."""
    by_reason: dict[str, list[TargetStatus]] = {}
    for target in targets:
        if target.association_status == NOT_READ:
            reason = (
                (target.association_detail or "unknown reason").replace(target.account, "<account>")
                if target.account
                else (target.association_detail or "unknown reason")
            )
            by_reason.setdefault(reason, []).append(target)
    lines = []
    for reason, group in sorted(by_reason.items(), key=lambda item: -len(item[1])):
        accounts = list(dict.fromkeys(target.account for target in group))
        named = ", ".join(accounts[:_NOT_READ_ACCOUNTS])
        more = len(accounts) - _NOT_READ_ACCOUNTS
        line = Text.assemble(
            (NOT_READ, STYLES[NOT_READ]),
            f" · {len(group)} target(s): {message_line(reason)} (",
            "account " if len(accounts) == 1 else "accounts ",
            printable(named),
            f", … {more} more" if more > 0 else "",
            ")",
        )
        lines.append(line)
    return lines


def _stack_set_heading(stack_set: StackSetStatus) -> str:
    summary = ", ".join(
        f"{stack_set.count(state)} {state}"
        for state in ("SUCCEEDED", "RUNNING", "PENDING", "FAILED", "CANCELLED", "INOPERABLE")
        if stack_set.count(state)
    )
    holds = (
        "configuration " + ", ".join(stack_set.configuration_ids)
        if stack_set.configuration_ids
        else "no associations"
    )
    return printable(
        f"StackSet {stack_set.name} ({stack_set.status}) · {holds} · "
        f"{len(stack_set.targets)} target(s): {summary or 'none'}"
    )


def print_organization(out: Console, stack_sets: list[StackSetStatus]) -> None:
    """A table of the targets of each StackSet; the targets not read for the same reason
    (and whose stack instance succeeded) in one line under it. Read with Athena: each
    target's managed instances and how fresh its data is, and what the data cannot tell."""
    for index, stack_set in enumerate(stack_sets):
        if index:
            out.print()
        title = _stack_set_heading(stack_set)
        athena = stack_set.source == ATHENA
        rows = [target for target in stack_set.targets if not _collapsed(target)]
        if not rows:
            out.print(Text(title), soft_wrap=True)
        else:
            table = Table(title=escape(title), title_justify="left", expand=True)
            table.add_column("Account", no_wrap=True)
            table.add_column("Region", no_wrap=True)
            table.add_column("OU", no_wrap=True)
            table.add_column("Stack instance")
            table.add_column("Associations")
            for target in rows:
                table.add_row(
                    Text(printable(target.account)),
                    Text(printable(target.region)),
                    Text(printable(target.organizational_unit_id or "—")),
                    _stack_instance_cell(target),
                    _associations_cell(target),
                )
            out.print(table)
        for line in _not_read_lines(stack_set.targets):
            out.print(line, soft_wrap=True)
        if athena and stack_set.association_names:
            options = list(dict.fromkeys(k for t in stack_set.targets for k in t.options))
            unread = list(
                dict.fromkeys(
                    k for t in stack_set.targets for k, v in t.options.items() if v == NOT_IN_DATA
                )
            )
            if options:
                applied = "Options: " + ", ".join(options)
                if unread:
                    applied += f" ({NOT_IN_DATA}: {', '.join(unread)})"
                out.print(Text(printable(applied)), soft_wrap=True)
            for note in stack_set.notes:
                out.print(Text(printable(note), style="yellow"), soft_wrap=True)
            out.print(
                Text(
                    "Read from the inventory bucket with Athena: an option's state is the "
                    "association compliance of its document on the target's instances.",
                    style="bright_black",
                ),
                soft_wrap=True,
            )


def _stack_instance_cell(target: TargetStatus) -> Text:
    instance = styled(target.detailed_status or target.instance_status)
    if target.instance_status and target.instance_status != "CURRENT":
        instance.append(f" ({printable(target.instance_status)})", style="bright_black")
    if target.reason:
        instance.append(f"\n{printable(target.reason)}", style="bright_black")
    return instance


def _associations_cell(target: TargetStatus) -> Text:
    association = (
        Text("—")
        if target.association_status == NOT_CONFIGURED
        else styled(target.association_status)
    )
    failed = [key for key, state in target.options.items() if state == FAILED]
    if failed:
        association.append(": " + printable(", ".join(failed)))
    if target.association_status == NOT_READ:
        association.append(" (see below)", style="bright_black")
    elif target.association_detail:
        association.append(f"\n{message_line(target.association_detail)}", style="bright_black")
    for key, counts in target.option_counts.items():
        if target.options.get(key) == FAILED:
            words = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
            association.append(f"\n{printable(key)}: {printable(words)}", style="bright_black")
    for key, detail in target.option_details.items():
        if target.options.get(key) == PENDING:
            association.append(f"\n{printable(key)}: {printable(detail)}", style="bright_black")
    if target.managed_instances is not None:
        association.append(
            f"\n{target.managed_instances} managed instance(s), data of "
            f"{printable(target.data_as_of or 'no date')}",
            style="bright_black",
        )
    return association


def print_organization_troubles(out: Console, stack_sets: list[StackSetStatus]) -> None:
    """``troubleshoot --org``: per StackSet of associations, a row per failed option of each
    target with its latest failed execution; the targets not read, a line per reason."""
    with_associations = [stack_set for stack_set in stack_sets if stack_set.association_names]
    for index, stack_set in enumerate(with_associations):
        if index:
            out.print()
        failed = [target for target in stack_set.targets if target.failures]
        read = [
            target
            for target in stack_set.targets
            if target.association_status not in (NOT_READ, NOT_CONFIGURED)
        ]
        out.rule(
            f"[bold]StackSet {shown(stack_set.name)}[/] · configuration "
            f"{shown(', '.join(stack_set.configuration_ids))}",
            align="left",
        )
        if not failed:
            out.print(f"[green]✓ Nothing failed[/] in {len(read)} target(s) read")
        else:
            table = Table(
                title=f"{len(failed)} of {len(read)} target(s) read have failed options",
                title_justify="left",
                expand=True,
            )
            table.add_column("Account", no_wrap=True)
            table.add_column("Region", no_wrap=True)
            table.add_column("Failed option", overflow="fold")
            table.add_column("Latest failed execution", overflow="fold")
            for target in failed:
                for failure in target.failures:
                    option = Text.assemble(
                        (printable(failure.title), "bold"),
                        "\n",
                        (printable(failure.association_name), "bright_black"),
                    )
                    execution = failure.execution
                    if execution is None:
                        run = Text("none left in the association's history", style="yellow")
                    else:
                        counts = ", ".join(
                            f"{n} {state}" for state, n in sorted(execution.counts.items())
                        )
                        run = Text.assemble(
                            styled(execution.status),
                            f" at {when(execution.created)}",
                            f" ({printable(counts)})" if counts else "",
                            ("\n" + printable(execution.execution_id), "bright_black"),
                        )
                    table.add_row(
                        Text(printable(target.account)), Text(printable(target.region)), option, run
                    )
            out.print(table)
            out.print(
                "[bright_black]The output of each failed step: `quicksetup troubleshoot "
                "--region REGION` with the credentials of the account.[/]"
            )
        for line in _not_read_lines(stack_set.targets):
            out.print(line, soft_wrap=True)


# troubleshoot ---------------------------------------------------------------------------------


def print_troubles(out: Console, results: list[ConfigurationTroubles]) -> None:
    for index, result in enumerate(results):
        if index:
            out.print()
        status = result.status
        where = f" · stack {shown(status.stack)}" if status.stack else ""
        out.rule(
            f"[bold]Configuration {shown(status.configuration_id)}[/] · {shown(status.region)}"
            f"{where}",
            align="left",
        )
        for option in result.missing:
            out.print(
                Text.assemble(
                    (f"{SYMBOLS[MISSING]} ", STYLES[MISSING]),
                    (printable(option.title), "bold"),
                    " ",
                    styled(MISSING),
                    f": {printable(option.association_name or option.association_id or '')} "
                    f"{printable(option.detail or '')}",
                )
            )
        if not result.failed and not result.missing:
            configured = [o for o in status.options if o.status != NOT_CONFIGURED]
            out.print(
                f"[green]✓ Nothing failed[/]: {len(configured)} option(s), "
                + shown(", ".join(f"{o.title}: {o.status}" for o in configured))
            )
            continue
        for failed in result.failed:
            out.print(_failed_panel(failed))


def _execution_line(execution: Any) -> Text:
    counts = ", ".join(f"{n} {state}" for state, n in sorted(execution.counts.items()))
    return Text.assemble(
        ("Execution ", "bold"),
        printable(execution.execution_id),
        " ",
        styled(execution.status),
        f" at {when(execution.created)}",
        f" ({printable(counts)})" if counts else "",
    )


def _failed_panel(failed: FailedOption) -> Panel:
    option = failed.option
    parts: list[Any] = [Text(printable(option.association_name or ""), style="bright_black")]
    execution = failed.execution
    if execution is None:
        parts.append(
            Text("No failed execution is left in the association's history.", style="yellow")
        )
    else:
        line = _execution_line(execution)
        groups = len(failed.groups)
        line.append(
            f" · {failed.failed_targets} failed target(s)"
            + (f" in {groups} group(s) that failed alike" if groups > 1 else ""),
            style="bright_black",
        )
        parts.append(line)
    for group in failed.groups:
        parts.extend(_group_parts(group))
    return Panel(
        Group(*parts),
        title=f"[bold red]✗ {shown(option.title)}[/]",
        title_align="left",
        border_style="red",
    )


def _instances(group: FailureGroup) -> str:
    named = printable(", ".join(group.instance_ids))
    return named + (f" and {group.more_instances} more" if group.more_instances else "")


def _group_parts(group: FailureGroup) -> list[Text]:
    signature = group.signature
    parts = [
        Text.assemble(
            "\n",
            ("✗ ", "red"),
            (f"{group.count} target(s)", "bold"),
            ": ",
            _instances(group),
            (
                f" · {printable(group.source)}"
                if group.source
                and group.count == 1
                and not group.source.endswith(group.instance_ids[0])
                else "",
                "bright_black",
            ),
        )
    ]
    if signature.step is None:
        parts.append(Text(f"  {printable(group.detail or signature.first_line)}", style="yellow"))
        return parts
    line = _step_line(signature.step, group.action, group.status, signature.exit_code, group.detail)
    if signature.document:
        line.append(f" · {printable(signature.document)}", style="bright_black")
    parts.append(line)
    if group.truncated:
        parts.append(
            Text(
                f"    … (earlier lines left out; the first: {printable(signature.first_line)})",
                style="bright_black",
            )
        )
    parts.extend(output_line(line) for line in group.output)
    parts.extend(_output_ends(group.cut_by_aws, group.output_url))
    return parts


def _output_ends(cut_by_aws: bool, output_url: str | None) -> list[Text]:
    """After a step's output: that AWS cut it, and where the whole output is."""
    parts = []
    if cut_by_aws:
        parts.append(
            Text(
                f"    … (AWS returns the first {PLUGIN_OUTPUT_LIMIT:,} characters of a plugin's "
                "output; the rest is only where the command wrote its output, if anywhere)",
                style="yellow",
            )
        )
    if output_url:
        parts.append(Text(f"    full output: {printable(output_url)}", style="bright_black"))
    return parts


def _step_line(
    name: str,
    action: str | None,
    status: str,
    exit_code: int | None,
    detail: str | None,
    *,
    instance_id: str | None = None,
) -> Text:
    """``step <instance>: <name> (<action>) <status>, exit code N: <detail>``."""
    line = Text("  step ", style="bold")
    line.append(f"{printable(instance_id)}: " if instance_id else "", style="bold")
    line.append(printable(name), style="bold cyan")
    if action:
        line.append(f" ({printable(action)})", style="bright_black")
    line.append(" ")
    line.append_text(styled(status))
    if exit_code is not None:
        line.append(f", exit code {exit_code}")
    if detail and detail != status:
        line.append(f": {printable(detail)}")
    return line


def _target_parts(target: FailedTarget) -> list[Text]:
    """A failed target with every failed step and its output."""
    parts = [
        Text.assemble(
            "\n",
            ("✗ ", "red"),
            (printable(target.resource_id), "bold"),
            f" ({printable(target.resource_type)})" if target.resource_type else "",
            " ",
            styled(target.status),
            f" · {printable(target.detailed_status)}"
            if target.detailed_status and target.detailed_status != target.status
            else "",
            (
                f" · {printable(target.source)}"
                if target.source and not target.source.endswith(target.resource_id)
                else "",
                "bright_black",
            ),
        )
    ]
    for step in target.steps:
        parts.append(
            _step_line(
                step.name,
                step.action,
                step.status,
                step.response_code,
                step.detail,
                instance_id=step.instance_id,
            )
        )
        if step.truncated:
            parts.append(Text("    … (earlier lines left out)", style="bright_black"))
        parts.extend(output_line(line) for line in step.output)
        parts.extend(_output_ends(step.cut_by_aws, step.output_url))
    if target.note:
        parts.append(Text(f"  {printable(target.note)}", style="yellow"))
    return parts


def print_association_troubles(out: Console, result: AssociationTroubles) -> None:
    """``troubleshoot --association``: every failed target of the latest failed execution."""
    option = result.option
    out.rule(
        f"[bold]{shown(option.association_name or option.association_id or '')}[/] · "
        f"{shown(result.region)} · [{STYLES.get(option.status, '')}]{shown(option.status)}[/]",
        align="left",
    )
    out.print(
        Text.assemble(
            (printable(option.title), "bold"),
            "  ",
            (printable(option.association_id or ""), "bright_black"),
            f"  last run {when(option.last_run)}",
        )
    )
    if result.execution is None:
        out.print(Text("No failed execution in the association's history.", style="green"))
        return
    parts: list[Any] = [_execution_line(result.execution)]
    parts.append(Text(f"{len(result.targets)} failed target(s)", style="bright_black"))
    for target in result.targets:
        parts.extend(_target_parts(target))
    out.print(
        Panel(
            Group(*parts),
            title="[bold red]✗ Latest failed execution[/]",
            title_align="left",
            border_style="red",
        )
    )


def print_instance_troubles(out: Console, result: InstanceTroubles) -> None:
    """``troubleshoot --instance``: each Quick Setup association's latest run on the
    instance, and the full output of the failed ones."""
    out.rule(
        f"[bold]Instance {shown(result.instance_id)}[/] · {shown(result.region)}", align="left"
    )
    for association in result.associations:
        if association.status in (FAILED, "TimedOut", "Cancelled", "Undeliverable"):
            out.print(_instance_panel(association))
            continue
        out.print(
            Text.assemble(
                (f"{SYMBOLS.get(association.status, '•')} ", STYLES.get(association.status, "")),
                (printable(association.title), "bold"),
                " ",
                styled(association.status),
                f" · {when(association.execution_date)}  ",
                (printable(association.association_name), "bright_black"),
            )
        )


def _instance_panel(association: InstanceAssociation) -> Panel:
    parts: list[Any] = [
        Text.assemble(
            (printable(association.association_name), "bright_black"),
            " · ran ",
            when(association.execution_date),
            f" · {printable(association.detailed_status)}"
            if association.detailed_status and association.detailed_status != association.status
            else "",
        )
    ]
    if association.execution_summary:
        parts.append(Text(printable(association.execution_summary)))
    if association.error_code:
        parts.append(Text(f"error code {printable(association.error_code)}"))
    if association.execution_id or association.source:
        parts.append(
            Text(
                printable(
                    " · ".join(
                        filter(
                            None,
                            [
                                f"Execution {association.execution_id}"
                                if association.execution_id
                                else None,
                                association.source,
                            ],
                        )
                    )
                ),
                style="bright_black",
            )
        )
    parts.extend(
        _target_parts(
            FailedTarget(
                resource_id="",
                resource_type=None,
                status=association.status,
                detailed_status=None,
                source=None,
                steps=association.steps,
                note=association.note,
            )
        )[1:]
    )
    if association.output_url:
        parts.append(
            Text(f"output in S3: {printable(association.output_url)}", style="bright_black")
        )
    return Panel(
        Group(*parts),
        title=f"[bold red]✗ {shown(association.title)}[/]",
        title_align="left",
        border_style="red",
    )


# compliance -----------------------------------------------------------------------------------


def print_cutover(out: Console, result: ImportResult) -> None:
    """What ``import`` wrote, and the cut-over plan, step by step. Every string read from AWS
    is shown with its control characters escaped (:func:`printable`)."""
    written = f"Wrote {shown(result.output_file)}" if result.output_file else "The app above"
    names = ", ".join(f"{c.construct} {c.name}" for c in result.configurations)
    out.rule(
        f"[bold]Cut-over plan[/] · {shown(result.account)} · {shown(result.region)}", align="left"
    )
    out.print(f"{written}: {shown(names)}.")
    lines = isinstance(out, PlainConsole) or not out.is_terminal  # never wrap a command
    for number, step in enumerate(result.cutover, start=1):
        out.print()
        out.print(f"[bold]{number}. {shown(step.title)}[/]")
        for command in step.commands:
            out.print(f"   [cyan]$ {shown(command)}[/]", soft_wrap=True)
        for note in step.notes:
            if lines:
                out.print(Text(f"   • {printable(note)}"), soft_wrap=True)
            else:
                out.print(Padding(Text(f"• {printable(note)}"), (0, 0, 0, 3)))


def print_compliance(out: Console, results: list[ConfigurationCompliance]) -> None:
    for index, result in enumerate(results):
        if index:
            out.print()
        where = f" · stack {shown(result.stack)}" if result.stack else ""
        out.rule(
            f"[bold]Configuration {shown(result.configuration_id)}[/] · {shown(result.region)}"
            f"{where}",
            align="left",
        )
        if result.scan_missing:
            out.print(
                f"[yellow]{shown(result.scan_association or '')} was deleted outside "
                "CloudFormation[/]: no patch compliance to show."
            )
            continue
        if result.scan_association is None:
            out.print("[bright_black]Patch scan not configured: no patch compliance to show.[/]")
            continue
        if not result.instances:
            out.print(
                f"[yellow]{shown(result.scan_association)} has not run yet[/]: no instance scanned."
            )
            continue
        out.print(
            Text.assemble(
                f"{len(result.instances)} instance(s) scanned by "
                f"{printable(result.scan_association)} ({printable(result.targets)}): ",
                (f"{result.count('COMPLIANT')} compliant", "green"),
                ", ",
                (f"{result.count('NON_COMPLIANT')} non-compliant", "red"),
                ", " if result.count("NO_DATA") else "",
                (f"{result.count('NO_DATA')} without patch data", "bright_black")
                if result.count("NO_DATA")
                else "",
            )
        )
        if not result.worst:
            continue
        table = Table(
            title="Non-compliant instances, worst first", title_justify="left", expand=True
        )
        table.add_column("Instance", no_wrap=True)
        table.add_column("Missing", justify="right")
        table.add_column("By severity", no_wrap=True)
        table.add_column("Missing patches, worst first", ratio=1, overflow="fold")
        for instance in result.worst:
            severities = "\n".join(
                f"{instance.severities[s]} {s}" for s in SEVERITIES if instance.severities.get(s)
            )
            by_severity: dict[str, list[str]] = {}
            for patch in instance.missing:
                state = f" ({patch.state})" if patch.state and patch.state != "Missing" else ""
                by_severity.setdefault(patch.severity, []).append(patch.patch_id + state)
            missing = "\n".join(  # a line per severity: each line escaped on its own
                printable(f"{severity}: {', '.join(ids)}") for severity, ids in by_severity.items()
            )
            table.add_row(
                Text(printable(instance.instance_id)),
                str(instance.non_compliant),
                Text(severities or "—"),
                Text(missing or "—"),
            )
        out.print(table)
        if result.more:
            out.print(f"… and {result.more} more: --limit to see them")


# preflight ------------------------------------------------------------------------------------


def print_preflight(out: Console, result: Preflight) -> None:
    """Per configuration, what the account already has in its way: a row per finding (a line
    per finding when standard output is not a terminal, so that no command is wrapped)."""
    counts = [
        f"[red]{result.errors} error(s)[/]" if result.errors else "0 errors",
        f"[yellow]{result.warnings} warning(s)[/]" if result.warnings else "0 warnings",
    ] + ([f"{result.notes} note(s)"] if result.notes else [])
    out.print(
        f"[bold]Quick Setup preflight[/] of [cyan]{shown(result.assembly)}[/] in account "
        f"{shown(result.account)}, {shown(result.region)}: " + ", ".join(counts)
    )
    if result.migrating_from:
        out.print(
            Text(
                "Migrating from: " + printable(", ".join(result.migrating_from)),
                style="bright_black",
            ),
            soft_wrap=True,
        )
    for configuration in result.configurations:
        out.print()
        out.rule(
            f"[bold]Configuration {shown(configuration.configuration_id)}[/] · "
            f"{shown(configuration.kind)} · stack {shown(configuration.stack)}",
            align="left",
        )
        out.print(f"[bold]Targets:[/] {shown(configuration.targets)}")
        if configuration.note:
            style = "" if configuration.checked else "bright_black"
            out.print(
                Text(
                    ("" if configuration.checked else "Not checked: ")
                    + printable(configuration.note),
                    style=style,
                )
            )
        if not configuration.findings:
            if configuration.checked:
                out.print("[green]✓ nothing in the way[/]")
            continue
        table = Table(expand=True)
        table.add_column("Severity", no_wrap=True)
        table.add_column("Check", no_wrap=True)
        table.add_column("Existing", ratio=1, overflow="fold")
        table.add_column("What happens, what to do", ratio=2, overflow="fold")
        for finding in configuration.findings:
            symbol, style = _SEVERITIES[finding.severity]
            table.add_row(
                Text(f"{symbol} {finding.severity}", style=style),
                Text(printable(KINDS.get(finding.kind, finding.kind))),
                Text(
                    printable(finding.resource)
                    + (f"\n{printable(finding.resource_id)}" if finding.resource_id else "")
                ),
                Text(printable(finding.message)),
            )
        if out.is_terminal:
            out.print(table)
        else:
            for line in _plain_lines(table):
                out.print(line, soft_wrap=True)


_SEVERITIES = {ERROR: ("✗", "red"), WARNING: ("!", "yellow"), NOTE: ("·", "bright_black")}
