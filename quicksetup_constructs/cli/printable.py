"""AWS's strings made safe to print and to write into a generated file.

Names, descriptions, parameters and messages that ``quicksetup`` reads from an account are
untrusted input: a value holding a newline could start a line that looks like the command's
own, and an escape sequence would reach the terminal raw. :func:`printable` writes every such
character as a visible escape, the way Python writes it in a string literal.
"""

from __future__ import annotations

import unicodedata

_UNSAFE_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
"""Control characters (C0, DEL, C1: newline, ESC, NUL...), lone surrogates, and the Unicode line
and paragraph separators."""


def _escape(character: str) -> str:
    code = ord(character)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with each control character, lone surrogate and line or paragraph separator
    written as ``\\xNN`` or ``\\uNNNN``; a backslash that could start such an escape is doubled,
    so that the result reads back unambiguously. Printable text is returned unchanged."""
    if text.isprintable() and "\\x" not in text and "\\u" not in text:
        return text
    return "".join(
        "\\\\"
        if character == "\\"
        else _escape(character)
        if unicodedata.category(character) in _UNSAFE_CATEGORIES
        else character
        for character in text
    )


def message_line(message: str) -> str:
    """``message`` ready for one line of output: kept as it is when every character is
    printable (values in it already escaped by :func:`printable` stay escaped once), else
    :func:`printable` of the whole."""
    return message if message.isprintable() else printable(message)
