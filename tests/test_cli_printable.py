"""AWS's strings are printed so that none can start a line of its own or reach a terminal raw."""

from __future__ import annotations

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
