"""Values ``import`` refuses to read: CDK token syntax (the generated app would resolve it at
synth, into a reference or a crash), and lone surrogates (no UTF-8 file can hold them). This
module does not import the CDK: the CLI runs without it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import CliError
from ..printable import printable

TOKEN_MARKERS = ("${Token[", "#{Token[")
"""The openings of the CDK's string and list token encodings (``${Token[KEY]}``,
``#{Token[KEY]}``). Any value that holds one is refused, whether or not the key is one the CDK
would resolve."""


def holds_cdk_token(value: str) -> bool:
    """Whether ``value`` holds the opening of a CDK token encoding."""
    return any(marker in value for marker in TOKEN_MARKERS)


def refuse_cdk_tokens(where: str, read: Any, field: str = "") -> None:
    """Raise :class:`CliError`, naming the field, when any string in ``read`` (an API
    response, walked through its mappings and lists; keys included) holds CDK token syntax or
    a lone surrogate."""
    if isinstance(read, str):
        if any("\ud800" <= character <= "\udfff" for character in read):
            raise CliError(
                f"{where}: {printable(field or 'a value')} holds a lone surrogate "
                f"({printable(read)!r}), which UTF-8 cannot encode"
            )
        if holds_cdk_token(read):
            raise CliError(
                f"{where}: {printable(field or 'a value')} holds CDK token syntax "
                f"({printable(read)!r}), which the app would resolve at synth"
            )
    elif isinstance(read, Mapping):
        for key, value in read.items():
            name = f"{field}.{key}" if field else str(key)
            refuse_cdk_tokens(where, key, f"{name} (a key)")
            refuse_cdk_tokens(where, value, name)
    elif isinstance(read, list | tuple):
        for index, value in enumerate(read):
            refuse_cdk_tokens(where, value, f"{field}[{index}]")
