"""AWS's strings are printed so that none can start a line of its own or reach a terminal raw."""

from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quicksetup_constructs.cli.printable import printable


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("web-servers", "web-servers"),
        ("two\nlines", "two\\x0alines"),
        ("\x1b[2Jcleared", "\\x1b[2Jcleared"),
        ("nul\x00", "nul\\x00"),
        ("del\x7f c1\x85", "del\\x7f c1\\x85"),
        ("lone \ud800", "lone \\ud800"),
        ("para\u2029graph", "para\\u2029graph"),
        ("tab\there", "tab\\x09here"),
        ("日本語 é", "日本語 é"),
        ("C:\\path", "C:\\path"),
    ],
)
def test_control_characters_are_shown_as_escapes(raw, shown):
    assert printable(raw) == shown


def test_a_literal_escape_is_not_mistaken_for_an_escaped_character():
    assert printable("\\x0a") != printable("\n")
    assert printable("\\x0a") == "\\\\x0a"


@given(st.text())
def test_no_printed_value_holds_a_raw_control_character(text):
    shown = printable(text)
    assert not any(
        unicodedata.category(character) in ("Cc", "Cs", "Zl", "Zp") for character in shown
    )
    assert len(shown.splitlines()) <= 1
    shown.encode("utf-8")  # a lone surrogate would raise here


# JSON output ---------------------------------------------------------------------------------


def _raw_controls(text: str) -> list[str]:
    return [c for c in text if unicodedata.category(c) == "Cc" and c != "\n"] + [
        c for c in text if c in "\u2028\u2029"
    ]


@pytest.mark.parametrize("raw", ["\x1b[2J", "\x7f", "\x85", "\x9b31m", "\u2028", "\u2029"])
def test_json_output_escapes_every_control_character(raw):
    from quicksetup_constructs.cli.jsonout import dumps

    text = dumps({"name": f"a{raw}b", raw: "key"})
    assert _raw_controls(text) == []
    assert json.loads(text) == {"name": f"a{raw}b", raw: "key"}


@given(st.text())
def test_json_output_holds_no_raw_control_character_and_reads_back(value):
    from quicksetup_constructs.cli.jsonout import dumps

    text = dumps({"value": value})
    assert _raw_controls(text) == []
    assert json.loads(text) == {"value": value}


def test_json_output_keeps_other_text_as_it_is():
    from quicksetup_constructs.cli.jsonout import dumps

    assert dumps({"name": "é 東京 ✓"}) == '{\n  "name": "é 東京 ✓"\n}'


def test_an_emoji_code_in_a_value_stays_text(capsys):
    """rich turns ``:warning:`` in markup into an emoji unless told not to: a value AWS
    returned is shown as it is."""
    from quicksetup_constructs.cli.render import console, error_line, shown

    error_line("AWS denied Op: role :warning: here")
    assert capsys.readouterr().err == "error: AWS denied Op: role :warning: here\n"
    out = console(color=False)
    out.print(f"StackSet {shown('ops:warning:team')}")
    assert capsys.readouterr().out == "StackSet ops:warning:team\n"
