"""The generated CDK app, as Python source already in the shape ``ruff format`` gives it: one
argument per line with trailing commas, double quotes, lines within 88 characters, comments
wrapped."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

from ..printable import printable
from .code import Code, literal
from .console import IMPORTED_FROM_TAG
from .translate import ImportedConfiguration

WIDTH = 88
"""``ruff format``'s default line length."""
INDENT = "    "


def app_source(
    configurations: Sequence[ImportedConfiguration],
    *,
    header: Sequence[str],
    skipped: Sequence[str] = (),
) -> str:
    """A runnable ``app.py``: one stack and one construct per configuration, ``header`` (its
    paragraphs, "" between them) as the module docstring, and ``skipped`` (what was not
    imported) as comments."""
    constructs = sorted({configuration.construct for configuration in configurations})
    needs_targets = any("targets" in configuration.props for configuration in configurations)
    names = (["InstanceTargets"] if needs_targets else []) + constructs
    docstring = [
        line for paragraph in header for line in (textwrap.wrap(paragraph, WIDTH - 3) or [""])
    ]
    lines = ['"""' + docstring[0], *docstring[1:], '"""', "", "import aws_cdk as cdk", ""]
    lines += [*_import_line("quicksetup_constructs", names), "", "app = cdk.App()"]
    for note in skipped:
        lines += ["", *comment(note, "")]
    for configuration in configurations:
        lines += ["", *_configuration(configuration)]
    lines += ["", "app.synth()"]
    return "\n".join(lines) + "\n"


def _configuration(configuration: ImportedConfiguration) -> list[str]:
    lines = comment(f"From {configuration.source} ({configuration.definition}).", "")
    for note in configuration.notes:
        lines += comment(f"{note}.", "")
    environment = Code(
        f"cdk.Environment(account={literal(configuration.account)}, "
        f"region={literal(configuration.region)})"
    )
    lines += call(
        "stack = cdk.Stack",
        [Code("app"), configuration.stack],
        {
            "env": environment,
            "tags": {IMPORTED_FROM_TAG: configuration.imported_from},
        },
    )
    lines += call(configuration.construct, [Code("stack"), configuration.name], configuration.props)
    return lines


def _import_line(module: str, names: Sequence[str]) -> list[str]:
    line = f"from {module} import {', '.join(names)}"
    if len(line) <= WIDTH:
        return [line]
    return [f"from {module} import (", *(f"{INDENT}{name}," for name in names), ")"]


def call(function: str, args: Sequence[Any], kwargs: dict[str, Any], indent: str = "") -> list[str]:
    """``function(`` with each argument on a line of its own, and a trailing comma."""
    lines = [f"{indent}{function}("]
    inner = indent + INDENT
    arguments = [("", value) for value in args] + [(f"{k}=", v) for k, v in kwargs.items()]
    for prefix, value in arguments:
        lines += _value_lines(f"{inner}{prefix}", value, inner, ",")
    return [*lines, f"{indent})"]


def _value_lines(start: str, value: Any, indent: str, end: str) -> list[str]:
    """``value`` after ``start``: on one line when it fits, else exploded."""
    flat = f"{start}{literal(value)}{end}"
    if len(flat) <= WIDTH or not _explodable(value):
        return [flat]
    inner = indent + INDENT
    if isinstance(value, Code):
        assert value.call is not None
        function, args = value.call
        lines = [line for arg in args for line in _value_lines(inner, arg, inner, ",")]
        return [f"{start}{function}(", *lines, f"{indent}){end}"]
    if isinstance(value, dict):
        items = [
            line
            for k, v in value.items()
            for line in _value_lines(f"{inner}{literal(k)}: ", v, inner, ",")
        ]
        return [f"{start}{{", *items, f"{indent}}}{end}"]
    items = [line for item in value for line in _value_lines(inner, item, inner, ",")]
    return [f"{start}[", *items, f"{indent}]{end}"]


def _explodable(value: Any) -> bool:
    if isinstance(value, Code):
        return value.call is not None
    return isinstance(value, list | tuple | dict)


def comment(text: str, indent: str) -> list[str]:
    """``text`` as ``#`` lines within :data:`WIDTH`, its control characters escaped
    (:func:`printable`), so that none starts a line of its own."""
    return [
        f"{indent}# {line}"
        for line in textwrap.wrap(
            printable(text), WIDTH - len(indent) - 2, break_long_words=False, break_on_hyphens=False
        )
    ]
