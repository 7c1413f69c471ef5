"""``--json``: every command's result as plain JSON (dates in ISO 8601, UTC)."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from typing import Any

JSON_EXTRA = "JSON_EXTRA"
"""A dataclass may name properties to include besides its fields."""


def jsonable(value: Any) -> Any:
    """``value`` with dataclasses, tuples and datetimes turned into JSON types."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        result = {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        for name in getattr(type(value), JSON_EXTRA, ()):
            result[name] = jsonable(getattr(value, name))
        return result
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(item) for item in value]
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return value


def dumps(value: Any) -> str:
    return json.dumps(jsonable(value), indent=2, ensure_ascii=False)
