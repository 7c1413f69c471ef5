"""Reading ``quicksetup --output json`` in the tests: every document is checked against the JSON
Schema that ships in the package before a test looks inside it."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator

ENVELOPE = ["schema_version", "command", "account", "region", "generated_at", "data", "error"]


@cache
def validator() -> Draft202012Validator:
    schema = json.loads(
        (resources.files("quicksetup_constructs.cli") / "schema" / "output.schema.json").read_text()
    )
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def envelope(stdout: str) -> dict[str, Any]:
    """The one JSON object printed, valid against the schema, its fields in the contract's
    order."""
    document = json.loads(stdout)
    errors = sorted(validator().iter_errors(document), key=lambda error: list(error.path))
    assert not errors, [f"{list(error.path)}: {error.message[:300]}" for error in errors[:5]]
    assert list(document) == ENVELOPE
    return document


def data(stdout: str) -> dict[str, Any]:
    """The ``data`` of a command that did its job (``error`` null), valid against the schema."""
    document = envelope(stdout)
    assert document["error"] is None, document["error"]
    return document["data"]
