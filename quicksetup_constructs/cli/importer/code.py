"""Values of the generated app as Python source: literals, and expressions (:class:`Code`)."""

from __future__ import annotations

import json
from typing import Any, Self


class Code(str):
    """A Python expression of the generated app, e.g. ``InstanceTargets.tag("Env", "prod")``;
    a ``str`` (its source), so that it reads as such in JSON. ``call`` keeps the function and
    its arguments, for writing them one per line."""

    call: tuple[str, tuple[Any, ...]] | None

    def __new__(cls, source: str, call: tuple[str, tuple[Any, ...]] | None = None) -> Self:
        code = super().__new__(cls, source)
        code.call = call
        return code

    @classmethod
    def of_call(cls, function: str, *args: Any) -> Code:
        return cls(f"{function}({', '.join(literal(arg) for arg in args)})", (function, args))


def _escaped(source: str) -> str:
    """A JSON string literal with every character that is not printable (``str.isprintable``:
    control and format characters, separators, lone surrogates...) written as a Python escape,
    so that the generated file shows the value as it is read and no character of it can act
    on a terminal or an editor; the string's value is unchanged."""
    if source.isprintable():
        return source
    return "".join(
        character
        if character.isprintable()
        else f"\\u{ord(character):04x}"
        if ord(character) <= 0xFFFF
        else f"\\U{ord(character):08x}"
        for character in source
    )


def literal(value: Any) -> str:
    """``value`` as Python source, strings double-quoted as ``ruff format`` writes them."""
    if isinstance(value, Code):
        return str(value)
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, str):
        return _escaped(json.dumps(value, ensure_ascii=False))
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    return repr(value)
