"""``--json``: every command's result as plain JSON (dates in ISO 8601, UTC)."""

from __future__ import annotations

import dataclasses
import json
import re
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


_RAW = re.compile("[\x7f-\x9f\u2028\u2029]")
"""What ``json.dumps`` leaves raw with ``ensure_ascii=False`` and a terminal may act on: DEL,
the C1 controls (``\\x9b`` starts a control sequence) and the line and paragraph separators
(JSON escapes the C0 controls itself)."""


def dumps(value: Any) -> str:
    """``value`` as indented JSON: text as it is, except control characters, escaped."""
    text = json.dumps(jsonable(value), indent=2, ensure_ascii=False)
    return _RAW.sub(lambda match: f"\\u{ord(match[0]):04x}", text)
