"""What AWS returns is untrusted input: every printer shows it with its control characters
escaped and its markup brackets literal, in every console (`--output table` in a terminal and
not, `--output text`), so that no value reaches the terminal raw or starts a line of its own.

The results are built directly, each string field holding the value under test.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from quicksetup_constructs.cli import render
from quicksetup_constructs.cli.compliance import (
    ConfigurationCompliance,
    InstanceCompliance,
    MissingPatch,
)
from quicksetup_constructs.cli.errors import CliError
from quicksetup_constructs.cli.organization import (
    NOT_READ,
    FailedOptionRun,
    StackSetStatus,
    TargetStatus,
    not_read_line,
)
from quicksetup_constructs.cli.plan import (
    Created,
    Plan,
    PlannedConfiguration,
    PlannedOption,
    PlannedSetting,
    StackSetDeployment,
)
from quicksetup_constructs.cli.preflight import (
    ConfigurationPreflight,
    Preflight,
    PreflightFinding,
)
from quicksetup_constructs.cli.rerun import (
    NOT_STARTED,
    OrganizationRerun,
    RerunTarget,
    not_started_line,
    print_organization_rerun,
)
from quicksetup_constructs.cli.schedules import Schedule
from quicksetup_constructs.cli.status import (
    FAILED,
    MISSING,
    NOT_CONFIGURED,
    PENDING,
    SUCCESS,
    ConfigurationStatus,
    Execution,
    HostManagementStatus,
    InventorySyncStatus,
    OptionStatus,
)
from quicksetup_constructs.cli.troubleshoot import (
    AssociationTroubles,
    ConfigurationTroubles,
    FailedOption,
    FailedStep,
    FailedTarget,
    FailureGroup,
    InstanceAssociation,
    InstanceTroubles,
    Signature,
)

from .test_properties import BASE, NO_SHRINKING

AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
MARK = "INJECTED"
UNSAFE = frozenset({"Cc", "Cs", "Zl", "Zp"})
RICH_STYLE = re.compile(r"\x1b\[[0-9;]*m")
"""The SGR sequences rich itself writes in a terminal (colours, bold)."""
BORDERS = " │┃║╭╮╰╯─━┌┐└┘├┤┬┴┼═╔╗╚╝╷╵"


# the results, each string from AWS holding ``v`` ------------------------------------------------


def execution(v: str) -> Execution:
    return Execution(v, v, v, AT, {v: 1})


def statuses(v: str) -> list[ConfigurationStatus]:
    options = [
        OptionStatus("a", v, SUCCESS, v, v, v, AT, execution(v), {v: 2}, v),
        OptionStatus("b", v, FAILED, v, v, v, AT, execution(v), {"Failed": 1}, v),
        OptionStatus("c", v, MISSING, v, v, v),
        OptionStatus("d", v, NOT_CONFIGURED),
        OptionStatus("e", v, PENDING, v, v, v),
    ]
    return [
        ConfigurationStatus(
            v,
            v,
            v,
            v,
            options,
            HostManagementStatus("h", v, FAILED, v, v, v, False, v, AT, v),
            InventorySyncStatus("s", v, FAILED, v, v, AT, AT, v, v, v),
        ),
        ConfigurationStatus(
            v, v, None, v, [], None, InventorySyncStatus("s", v, MISSING, v, detail=v)
        ),
    ]


def step(v: str, **fields: Any) -> FailedStep:
    return (
        FailedStep(v, v, v, v, 1, [v, v, "---Output truncated---"], True, v, v)
        if not fields
        else FailedStep(v, v, **fields)
    )


def troubles(v: str) -> list[ConfigurationTroubles]:
    option = OptionStatus("b", v, FAILED, v, v, v, AT, execution(v), {"Failed": 1}, v)
    groups = [
        FailureGroup(Signature(v, v, 1, v), 2, [v], [v, v], True, v, v, v, v, v),
        FailureGroup(Signature(v, None, None, v), 1, [v], [], False, v, None, v, None, v),
    ]
    status = statuses(v)[0]
    return [
        ConfigurationTroubles(
            status,
            [FailedOption(option, execution(v), 3, groups), FailedOption(option, None, 0, [])],
            [OptionStatus("c", v, MISSING, v, v, v)],
        ),
        ConfigurationTroubles(
            ConfigurationStatus(
                v, v, v, v, [OptionStatus("a", v, SUCCESS, v, v, v, AT, execution(v), {v: 1}, v)]
            ),
            [],
        ),
    ]


def failed_target(v: str) -> FailedTarget:
    return FailedTarget(v, v, v, v, v, [step(v), step(v, output=[v], instance_id=v)], v, v)


def association_troubles(v: str) -> list[AssociationTroubles]:
    option = OptionStatus("b", v, FAILED, v, v, v, AT, execution(v), {"Failed": 1}, v)
    return [
        AssociationTroubles(option, v, execution(v), [failed_target(v)]),
        AssociationTroubles(option, v, None, []),
    ]


def instance_troubles(v: str) -> InstanceTroubles:
    failed = InstanceAssociation("a", v, v, v, v, FAILED, v, AT, v, v, v, v, v, [step(v)], v)
    other = InstanceAssociation("b", v, v, v, v, v, v, AT, v, v, v)
    return InstanceTroubles(v, v, [failed, other])


def compliance(v: str) -> list[ConfigurationCompliance]:
    instance = InstanceCompliance(
        v,
        "NON_COMPLIANT",
        1,
        2,
        {"CRITICAL": 1},
        AT,
        [
            MissingPatch(v, v, v, v),
            MissingPatch(v, "CRITICAL", v, "Missing"),
        ],
    )
    return [
        ConfigurationCompliance(v, v, v, v, v, [instance], [instance], 3),
        ConfigurationCompliance(v, v, None, v, v, [], []),
        ConfigurationCompliance(v, v, v, v, v, [], [], scan_missing=True),
    ]


def stack_sets(v: str) -> list[StackSetStatus]:
    failure = FailedOptionRun("a", v, v, v, {v: 1}, execution(v))
    targets = [
        TargetStatus(
            v,
            v,
            v,
            v,
            v,
            v,
            FAILED,
            v,
            {v: FAILED},
            [failure, FailedOptionRun("b", v, v, v, {}, None)],
        ),
        TargetStatus(v, v, v, "CURRENT", "SUCCEEDED", None, NOT_READ, v),
        TargetStatus(v, v, None, v, v, v, NOT_CONFIGURED),
    ]
    return [StackSetStatus(v, v, v, [v], [v], targets), StackSetStatus(v, v, v, [v], [v], [])]


def plan(v: str) -> Plan:
    option = PlannedOption("a", v, v, v, v, True, v, (v,), {v: [v, v]}, v, Schedule(v, v, (AT,)), v)
    deployment = StackSetDeployment(v, v, v, [v], [v], None, None, 2000, True, None, {v: 1})
    configuration = PlannedConfiguration(
        v,
        v,
        "local",
        v,
        [option],
        [(v, v)],
        [PlannedSetting("s", v, v, v, {v: v})],
        [deployment],
        [Created(v, {v: 1})],
    )
    return Plan(v, AT, [configuration])


def preflight(v: str) -> Preflight:
    finding = PreflightFinding("error", v, v, v, v, v)
    return Preflight(
        v,
        v,
        v,
        v,
        [v],
        [
            ConfigurationPreflight(v, v, v, v, True, v, [finding]),
            ConfigurationPreflight(v, v, v, v, False, v, []),
        ],
    )


PRINTERS: dict[str, tuple[Callable[..., None], Callable[[str], Any]]] = {
    "status": (render.print_status, statuses),
    "troubleshoot": (render.print_troubles, troubles),
    "troubleshoot --association": (render.print_association_troubles, association_troubles),
    "troubleshoot --instance": (render.print_instance_troubles, instance_troubles),
    "compliance": (render.print_compliance, compliance),
    "status --org": (render.print_organization, stack_sets),
    "troubleshoot --org": (render.print_organization_troubles, stack_sets),
    "plan": (render.print_plan, plan),
    "preflight": (render.print_preflight, preflight),
}


ONE_RESULT = {"troubleshoot --association"}
"""Printers of one result, whose builder gives several to print one after the other."""


def printed(name: str, v: str, mode: str) -> tuple[str, str]:
    """What printer ``name`` writes for the results holding ``v``: (as written, its text
    without rich's own styles)."""
    printer, build = PRINTERS[name]
    file = io.StringIO()
    if mode == "text":
        out: Console = render.PlainConsole()
        out.file = file
    else:
        out = Console(
            file=file,
            force_terminal=mode == "terminal",
            width=300,
            record=True,
            color_system="truecolor" if mode == "terminal" else None,
            highlight=False,
        )
    results = build(v)
    for result in results if name in ONE_RESULT else [results]:
        printer(out, result)
    written = file.getvalue()
    text = out.export_text(styles=False) if mode != "text" else written
    return written, text


def raw_controls(text: str) -> list[str]:
    return [c for c in text if c != "\n" and unicodedata.category(c) in UNSAFE]


def lines_started_by_a_value(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.lstrip(BORDERS).startswith(MARK)]


# the property ----------------------------------------------------------------------------------

CONTROLS = st.sampled_from(
    [
        "\n",
        "\r",
        "\r\n",
        "\x1b[2J\x1b[H",
        "\x1b]0;title\x07",
        "\x00",
        "\x07",
        "\x08",
        "\t",
        "\x0b",
        "\x0c",
        "\x1c",
        "\u2028",
        "\u2029",
        "\u0085",
        "\x9b",
        "\ud800",
        "\udfff",
        "\x7f",
    ]
)
PREFIXES = st.one_of(
    st.sampled_from(["", "[red]x[/]", "[/]", "[bold", "\\x0a", "\\", "ok"]),
    st.text(max_size=12),
)


@pytest.mark.parametrize("name", sorted(PRINTERS))
@pytest.mark.parametrize("mode", ["terminal", "pipe", "text"])
@settings(BASE, max_examples=30, phases=NO_SHRINKING)
@given(prefix=PREFIXES, control=CONTROLS)
def test_no_aws_value_reaches_the_console_raw_or_starts_a_line(prefix, control, name, mode):
    """``mode``: rich in a terminal (styles written), rich into a pipe, ``--output text``."""
    value = f"{prefix}{control}{MARK}"
    written, text = printed(name, value, mode)
    assert MARK in text, "the printer shows the value"
    assert raw_controls(RICH_STYLE.sub("", written)) == []
    assert raw_controls(text) == []
    assert lines_started_by_a_value(text) == []


# one example per printer, readable on its own ----------------------------------------------------

ATTACK = "web\x1b[2J\nINJECTED [red]x[/]"
ATTACK_SHOWN = "web\\x1b[2J\\x0aINJECTED [red]x[/]"


@pytest.mark.parametrize("name", sorted(PRINTERS))
@pytest.mark.parametrize("mode", ["terminal", "pipe", "text"])
def test_each_printer_shows_an_escape_sequence_and_markup_literally(name, mode):
    written, text = printed(name, ATTACK, mode)
    assert ATTACK_SHOWN in text
    assert "\x1b[2J" not in written
    assert lines_started_by_a_value(text) == []


def test_command_output_keeps_its_lines_and_escapes_the_rest():
    """A step's output is shown a line per line AWS gave; a carriage return inside a line (which
    would overwrite it in a terminal) is shown as an escape."""
    text = one_failed_step_shown(["downloading 10%\r100%", "done"])
    assert "    downloading 10%\\x0d100%" in text
    assert "    done" in text


def test_aws_s_truncation_is_shown_apart_from_lines_left_out():
    text = one_failed_step_shown(["part 1", "---Output truncated---"])
    assert "AWS returns the first 2,500 characters of a plugin's output" in text
    assert "earlier lines left out" not in text


def one_failed_step_shown(output: list[str]) -> str:
    """What ``troubleshoot --association`` shows of one target whose one step failed with
    ``output``."""
    target = FailedTarget(
        "i-0123456789abcdef0",
        "ManagedInstance",
        "Failed",
        "Failed",
        None,
        [
            FailedStep("aws:runShellScript", "Failed", response_code=1, output=output),
        ],
    )
    option = OptionStatus("b", "Update the agent", FAILED, "QuickSetup-UpdateSSMAgent-x", "id")
    out = Console(file=io.StringIO(), width=200, record=True)
    render.print_association_troubles(
        out,
        AssociationTroubles(option, "us-east-1", Execution("e", "Failed", None, AT, {}), [target]),
    )
    return out.export_text()


# a message is escaped once -----------------------------------------------------------------------

DENIED = CliError("not authorized on web\x1b[2J").message
"""Why a target could not be read: a :class:`CliError`'s message, whose AWS values are escaped
already (``\\x1b`` for ESC)."""
DENIED_SHOWN = "not authorized on web\\x1b[2J"


def plain(printer: Callable[..., None], result: Any) -> str:
    out = render.PlainConsole()
    out.file = io.StringIO()
    printer(out, result)
    return out.file.getvalue()


def test_a_target_not_read_shows_its_reason_escaped_once():
    """Escaping the message again would show ``\\\\x1b``."""
    target = TargetStatus(
        "111122223333", "eu-west-1", None, "CURRENT", None, None, NOT_READ, DENIED
    )
    stack_set = StackSetStatus("QuickSetup-Org", "id", "ACTIVE", ["org"], ["a"], [target])
    assert not_read_line([stack_set]) == (
        f"1 target (account × Region) could not be read: {DENIED_SHOWN}"
    )
    for printer in (render.print_organization, render.print_organization_troubles):
        shown = plain(printer, [stack_set])
        assert f"1 target(s): {DENIED_SHOWN} (account 111122223333)" in shown, shown
        assert "\\\\x1b" not in shown


def test_a_target_not_started_shows_its_reason_escaped_once():
    target = RerunTarget("111122223333", "eu-west-1", NOT_STARTED, DENIED)
    result = OrganizationRerun(["QuickSetup-Org"], [target], 0)
    assert not_started_line(result) == (
        f"1 target(s) (account × Region) not started: {DENIED_SHOWN}"
    )
    assert plain(print_organization_rerun, result).splitlines()[1:] == [
        f"111122223333 · eu-west-1 · Not started · {DENIED_SHOWN}"
    ]
