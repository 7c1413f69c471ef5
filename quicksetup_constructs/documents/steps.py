"""Steps shared by this library's Command documents."""

from __future__ import annotations

import json

WINDOWS_ONLY = {"StringEquals": ["platformType", "Windows"]}
"""A step precondition: the step runs on Windows; other platforms skip it."""


def run_document(
    name: str,
    document: str,
    parameters: dict[str, str],
    *,
    precondition: dict[str, list[str]] | None = None,
) -> dict[str, object]:
    """An ``aws:runDocument`` step (its ``documentParameters`` are a JSON string)."""
    step: dict[str, object] = {
        "action": "aws:runDocument",
        "name": name,
        "inputs": {
            "documentType": "SSMDocument",
            "documentPath": document,
            "documentParameters": json.dumps(parameters, separators=(",", ":")),
        },
    }
    if precondition is not None:
        step["precondition"] = precondition
    return step
