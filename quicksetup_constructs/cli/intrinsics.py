"""CloudFormation values as text: ``{"Ref": "Role"}`` reads ``${Role}``, ``Fn::GetAtt`` reads
``${Role.Arn}``, ``Fn::Join`` is joined, the way CDK prints tokens."""

from __future__ import annotations

import json
from typing import Any


def as_text(value: Any) -> str:
    """A template value written for people; literals stay as they are."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return ", ".join(as_text(item) for item in value)
    if isinstance(value, dict) and len(value) == 1:
        ((function, argument),) = value.items()
        if function == "Ref":
            return "${" + str(argument) + "}"
        if function == "Fn::GetAtt":
            parts = argument if isinstance(argument, list) else str(argument).split(".", 1)
            return "${" + ".".join(as_text(part) for part in parts) + "}"
        if function == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
            separator, items = argument
            if isinstance(items, list):
                return as_text(separator).join(as_text(item) for item in items)
        if function == "Fn::Sub":
            return as_text(argument[0] if isinstance(argument, list) else argument)
        if function == "Fn::ImportValue":
            return "${Import:" + as_text(argument) + "}"
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def ref_target(value: Any) -> str | None:
    """The logical id a ``Ref`` points to, or None."""
    if isinstance(value, dict) and set(value) == {"Ref"} and isinstance(value["Ref"], str):
        return value["Ref"]
    return None
