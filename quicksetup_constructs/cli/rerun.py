"""``quicksetup rerun``: run a configuration's associations once, now (the console's "Apply
association now"), then follow them with ``quicksetup status --wait``.

The associations are found as ``status`` finds them (:func:`find_configurations`): a stack's,
or every ``QuickSetup-*`` one in the account and Region; ``--option`` keeps those of the named
options (the construct's prop names). ``StartAssociationsOnce`` takes at most
:data:`START_BATCH` ids a call, so they are started in batches of that many.

With ``--org``, per target (account × Region) of the organization's Quick Setup StackSets:
the associations of each StackSet deployed there are listed in the target's account (through
``--member-role``, as ``status --org`` reads them) and started there. A target that cannot be
reached is ``Not started``, with why; the others are started all the same.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import click

from .aws import Aws, aws_errors, paginate
from .catalogue import PREFIX, catalogue, match_associations
from .discovery import DELETED_OUTSIDE, DeployedAssociation, DeployedConfiguration
from .errors import CliError
from .organization import (
    AssociationReader,
    TargetRead,
    association_names,
    quick_setup_stack_sets,
    read_all,
)
from .printable import message_line, printable

START_BATCH = 10
"""Association ids per ``StartAssociationsOnce`` call. The API reference
(docs.aws.amazon.com/systems-manager/latest/APIReference/API_StartAssociationsOnce.html),
``AssociationIds``: "Minimum number of 1 item. Maximum number of 10 items."."""

STARTED = "Started"
MISSING = "Missing"
"""An association the stack has and Systems Manager does not: nothing to start."""
NOT_STARTED = "Not started"
"""A target (``--org``) whose associations could not be listed or started."""
NOTHING_TO_RUN = "Nothing to run"
"""A target (``--org``) where none of the StackSet's associations exists (yet)."""
ADD_YES = (
    "rerun asks before it starts associations, and standard input is not a terminal: add --yes"
)


@dataclass(frozen=True)
class RerunOption:
    """One option's association, and what ``rerun`` did with it."""

    key: str
    title: str
    association_name: str
    association_id: str
    result: str
    """``Started``, or ``Missing`` (deleted outside CloudFormation: not started)."""
    detail: str | None = None


@dataclass(frozen=True)
class RerunConfiguration:
    configuration_id: str
    region: str
    stack: str | None
    options: list[RerunOption]


@dataclass(frozen=True)
class Rerun:
    """``quicksetup rerun``: the associations started, per configuration."""

    region: str
    configurations: list[RerunConfiguration]
    started_count: int
    """Associations started (one shared by several configurations counts once)."""

    JSON_EXTRA = ("findings",)

    @property
    def findings(self) -> bool:
        """An association of the selection could not be started (exit code 1)."""
        return any(
            option.result != STARTED
            for configuration in self.configurations
            for option in configuration.options
        )


@dataclass(frozen=True)
class RerunTarget:
    """``rerun --org``: one target (an account in a Region)."""

    account: str
    region: str
    result: str
    """``Started``, ``Not started`` or ``Nothing to run``."""
    detail: str | None
    options: list[RerunOption] = field(default_factory=list)


@dataclass(frozen=True)
class OrganizationRerun:
    stack_set_names: list[str]
    target_results: list[RerunTarget]
    started_count: int
    """Associations started, in every target."""

    JSON_EXTRA = ("findings",)

    @property
    def findings(self) -> bool:
        """A target was not started (exit code 1)."""
        return any(target.result == NOT_STARTED for target in self.target_results)


# --option and the confirmation -----------------------------------------------------------------


def option_keys(names: Iterable[str]) -> frozenset[str] | None:
    """The options given with ``--option`` (None: every option), each checked against the
    catalogue: a name that is no option's raises :class:`CliError` before anything starts."""
    names = list(names)
    if not names:
        return None
    keys = [option.key for option in catalogue()]
    for name in names:
        if name not in keys:
            raise CliError(
                f"unknown option {name!r}: --option takes the prop name of an option that runs "
                f"an association ({', '.join(keys)}); nothing started"
            )
    return frozenset(names)


def confirm(question: str, lines: list[str], *, yes: bool, json_output: bool) -> bool:
    """Whether to go on: yes without asking under ``--yes`` or ``--output json``; else
    ``lines`` and ``question`` on standard error, answered on standard input, which must be a
    terminal (:data:`ADD_YES`, a :class:`CliError`, when it is not)."""
    if yes or json_output:
        return True
    if sys.stdin is None or not sys.stdin.isatty():
        raise CliError(ADD_YES)
    for line in lines:
        click.echo(line, err=True)
    return click.confirm(question, default=False, err=True)


# starting ----------------------------------------------------------------------------------------


def start_associations(client: Any, association_ids: list[str], aws: Aws | None = None) -> None:
    """``StartAssociationsOnce`` for every id, :data:`START_BATCH` a call. A call that fails
    after others succeeded says how many were started already."""
    for begin in range(0, len(association_ids), START_BATCH):
        try:
            with aws_errors(aws):
                client.start_associations_once(
                    AssociationIds=association_ids[begin : begin + START_BATCH]
                )
        except CliError as error:
            if not begin:
                raise
            raise CliError(
                f"{error.message} (after {begin} of {len(association_ids)} associations "
                "were started)"
            ) from None


def select(
    configurations: list[DeployedConfiguration],
    options: frozenset[str] | None,
    where: str,
) -> list[tuple[DeployedConfiguration, list[DeployedAssociation]]]:
    """The associations of each configuration to run (those of ``options``, or all). An
    option no configuration has raises :class:`CliError`: nothing is started."""
    chosen = []
    found: set[str] = set()
    for configuration in configurations:
        picked = [
            association
            for association in configuration.associations
            if options is None or association.match.key in options
        ]
        found.update(association.match.key for association in picked)
        if picked:
            chosen.append((configuration, picked))
    absent = [
        key
        for key in (option.key for option in catalogue())
        if key in (options or ()) and key not in found
    ]
    if absent:
        raise CliError(f"no configuration {where} has option {', '.join(absent)}: nothing started")
    return chosen


def describe(chosen: list[tuple[DeployedConfiguration, list[DeployedAssociation]]]) -> list[str]:
    """What :func:`rerun` would start, a line per association (for the confirmation)."""
    lines = []
    for configuration, associations in chosen:
        lines.append(f"Configuration {printable(configuration.configuration_id)}:")
        for association in associations:
            note = f" ({DELETED_OUTSIDE}: not started)" if association.missing else ""
            lines.append(
                f"  {printable(association.match.title)} · "
                f"{printable(association.association_name)}{note}"
            )
    return lines


def to_start(chosen: list[tuple[DeployedConfiguration, list[DeployedAssociation]]]) -> list[str]:
    """The ids to start, each once (an account-wide association is shared by configurations),
    without those Systems Manager no longer has."""
    return list(
        dict.fromkeys(
            association.association_id
            for _, associations in chosen
            for association in associations
            if not association.missing
        )
    )


def rerun(aws: Aws, chosen: list[tuple[DeployedConfiguration, list[DeployedAssociation]]]) -> Rerun:
    """Start the ``chosen`` associations once (:func:`select`)."""
    ids = to_start(chosen)
    if ids:
        start_associations(aws.client("ssm"), ids, aws)
    return Rerun(
        region=aws.region,
        configurations=[
            RerunConfiguration(
                configuration_id=configuration.configuration_id,
                region=configuration.region,
                stack=configuration.stack,
                options=[_option(association) for association in associations],
            )
            for configuration, associations in chosen
        ],
        started_count=len(ids),
    )


def _option(association: DeployedAssociation) -> RerunOption:
    """What was done with ``association``: started, unless Systems Manager no longer has it."""
    return RerunOption(
        key=association.match.key,
        title=association.match.title,
        association_name=association.association_name,
        association_id=association.association_id,
        result=MISSING if association.missing else STARTED,
        detail=f"{DELETED_OUTSIDE}: not started" if association.missing else None,
    )


# --org -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganizationSelection:
    """The StackSets whose associations ``rerun --org`` starts, and each target with the
    names of the associations to start there."""

    stack_set_names: list[str]
    targets: dict[tuple[str, str], set[str]]
    option_keys: list[str]


def select_organization(
    aws: Aws,
    *,
    stack_name: str | None,
    delegated_admin: bool,
    options: frozenset[str] | None,
) -> OrganizationSelection:
    """The Quick Setup StackSets of stack ``stack_name`` (or every one) and their targets,
    as ``status --org`` lists them. An option none of them has raises :class:`CliError`."""
    call_as = {"CallAs": "DELEGATED_ADMIN"} if delegated_admin else {}
    stack_sets = quick_setup_stack_sets(aws, stack_name, call_as)
    where = f"stack {stack_name!r}" if stack_name else f"{aws.region} (account {aws.account})"
    names_by_set = [(stack_set, association_names(stack_set)) for stack_set in stack_sets]
    if not any(names for _, names in names_by_set):
        raise CliError(
            f"no Quick Setup StackSet in {where}: no StackSet holds associations named {PREFIX}*"
        )
    used: list[str] = []
    keys: list[str] = []
    targets: dict[tuple[str, str], set[str]] = {}
    for stack_set, names in names_by_set:
        matches = match_associations(names)
        picked = [name for name in names if options is None or matches[name].key in options]
        if not picked:
            continue
        used.append(stack_set["StackSetName"])
        keys.extend(matches[name].key for name in picked)
        for instance in paginate(
            aws.client("cloudformation"),
            "list_stack_instances",
            "Summaries",
            StackSetName=stack_set["StackSetName"],
            **call_as,
        ):
            key = (instance.get("Account", ""), instance.get("Region", ""))
            targets.setdefault(key, set()).update(picked)
    absent = [
        key
        for key in (option.key for option in catalogue())
        if key in (options or ()) and key not in keys
    ]
    if absent:
        raise CliError(
            f"no Quick Setup StackSet in {where} has option {', '.join(absent)}: nothing started"
        )
    return OrganizationSelection(used, targets, list(dict.fromkeys(keys)))


def rerun_organization(
    aws: Aws,
    selection: OrganizationSelection,
    *,
    member_role: str | None,
    max_concurrency: int,
) -> OrganizationRerun:
    """Start the selected associations in every target, ``max_concurrency`` targets at a
    time (``status --org``'s pool and member sessions)."""
    reads = read_all(_Starter(aws, member_role), selection.targets, max_concurrency, None)
    targets = []
    for (account, region), names in selection.targets.items():
        read = reads[account, region]
        if read.associations is None:
            targets.append(RerunTarget(account, region, NOT_STARTED, read.problem))
            continue
        started = [read.associations[name] for name in sorted(names & read.associations.keys())]
        if not started:
            targets.append(
                RerunTarget(
                    account,
                    region,
                    NOTHING_TO_RUN,
                    "none of the StackSet's associations is there yet",
                )
            )
            continue
        targets.append(
            RerunTarget(
                account,
                region,
                STARTED,
                None,
                [_option(association) for association in started],
            )
        )
    return OrganizationRerun(
        stack_set_names=selection.stack_set_names,
        target_results=targets,
        started_count=sum(len(target.options) for target in targets),
    )


def not_started_line(result: OrganizationRerun) -> str | None:
    """How many targets were not started, and why (the most frequent reason first, the
    account in a reason written ``<account>``), in one line; None when none."""
    reasons = [
        message_line((target.detail or "unknown reason").replace(target.account, "<account>"))
        for target in result.target_results
        if target.result == NOT_STARTED
    ]
    if not reasons:
        return None
    counted = Counter(reasons).most_common()
    why = (
        counted[0][0]
        if len(counted) == 1
        else "; ".join(f"{reason} ({count})" for reason, count in counted)
    )
    return f"{len(reasons)} target(s) (account × Region) not started: {why}"


class _Starter(AssociationReader):
    """Lists a target's ``QuickSetup-*`` associations (as ``status --org`` reads them), then
    starts those of the selection there."""

    def __init__(self, aws: Aws, member_role: str | None) -> None:
        super().__init__(aws, member_role, failures=False)

    def _read(self, aws: Aws, region: str, names: frozenset[str]) -> TargetRead:
        read = super()._read(aws, region, names)
        listed = read.associations or {}
        found = {name: listed[name] for name in sorted(names & listed.keys())}
        ids = list(dict.fromkeys(association.association_id for association in found.values()))
        if ids:
            start_associations(aws.client("ssm", region), ids)
        return TargetRead(found, None)


# printing --------------------------------------------------------------------------------------


def print_rerun(out: Any, result: Rerun) -> None:
    """``rerun``, for people: each association started (or not, and why)."""
    from rich.text import Text

    out.print(
        Text(
            f"Started {result.started_count} association(s) in {printable(result.region)}",
            style="bold",
        )
    )
    for configuration in result.configurations:
        where = f" · stack {printable(configuration.stack)}" if configuration.stack else ""
        out.print(Text(f"Configuration {printable(configuration.configuration_id)}{where}"))
        for option in configuration.options:
            out.print(_option_line(option))
    out.print(Text("Follow them with: quicksetup status --wait", style="bright_black"))


def _option_line(option: RerunOption) -> Any:
    from rich.text import Text

    symbol, style = ("✓", "green") if option.result == STARTED else ("!", "yellow")
    line = Text(f"  {symbol} {option.result} ", style=style)
    line.append(
        f"{printable(option.title)} · {printable(option.association_name)} · "
        f"{printable(option.association_id)}"
    )
    if option.detail:
        line.append(f" · {printable(option.detail)}", style="bright_black")
    return line


def print_organization_rerun(out: Any, result: OrganizationRerun) -> None:
    """``rerun --org``, for people: a line per target."""
    from rich.text import Text

    started = sum(target.result == STARTED for target in result.target_results)
    out.print(
        Text(
            f"Started {result.started_count} association(s) in {started} of "
            f"{len(result.target_results)} target(s) (account × Region) of "
            f"{', '.join(printable(name) for name in result.stack_set_names)}",
            style="bold",
        )
    )
    for target in result.target_results:
        style = {STARTED: "green", NOT_STARTED: "red"}.get(target.result, "bright_black")
        line = Text(f"{printable(target.account)} · {printable(target.region)} · ")
        line.append(target.result, style=style)
        if target.options:
            line.append(" · " + ", ".join(option.key for option in target.options))
        if target.detail:
            line.append(f" · {message_line(target.detail)}", style="bright_black")
        out.print(line)
