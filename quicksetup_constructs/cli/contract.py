"""The JSON contract of ``--output json``: one object per command, the same envelope for every
verb and for errors, described by ``schema/output.schema.json`` (documented in
``docs/cli-json.md``).

Envelope: ``schema_version``, ``command``, ``account``, ``region``, ``generated_at`` (UTC),
``data`` (the verb's result, or null) and ``error`` (null, or ``{message, exit_code}``).

In ``data``, collections are objects keyed by their identity (a configuration by its id, an
option by its key, a stack set by its name, a target by ``account/region``, an instance by its
id) rather than positional arrays; each field has one type wherever it appears (``targets`` is
always the targets in words, ``target_count`` a number, ``target_results`` the per-target
objects), and each enum one spelling.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from .errors import ERROR_EXIT_CODE
from .jsonout import jsonable

SCHEMA_VERSION = "1"
"""Changes when a field is removed or changes type or meaning; new fields keep it."""

KEYED: dict[tuple[str, str], str] = {
    ("Plan", "configurations"): "configuration_id",
    ("PlannedConfiguration", "options"): "key",
    ("PlannedConfiguration", "settings"): "key",
    ("PlannedConfiguration", "stack_sets"): "name",
    ("PlannedConfiguration", "created"): "where",
    ("ConfigurationStatus", "options"): "key",
    ("StackSetStatus", "targets"): "target_id",
    ("TargetStatus", "failures"): "key",
    ("ConfigurationTroubles", "failed"): "key",
    ("ConfigurationTroubles", "missing"): "key",
    ("AssociationTroubles", "targets"): "resource_id",
    ("InstanceTroubles", "associations"): "association_name",
    ("ConfigurationCompliance", "instances"): "instance_id",
    ("InstanceCompliance", "missing"): "patch_id",
    ("Preflight", "configurations"): "configuration_id",
    ("ImportResult", "configurations"): "stack",
    ("ConfigurationPreflight", "findings"): "key",
    ("ManagedInstancesStatus", "unmanaged"): "instance_id",
    ("Rerun", "configurations"): "configuration_id",
    ("RerunConfiguration", "options"): "key",
    ("OrganizationRerun", "target_results"): "target_id",
    ("RerunTarget", "options"): "key",
    ("OrganizationInventory", "instances"): "instance_id",
    ("InstancePackage", "versions"): "key",
    ("OrganizationCompliance", "target_results"): "target_id",
    ("OrganizationCompliance", "instances"): "instance_id",
}
"""(dataclass, field) -> the attribute each element of that list is keyed by."""

RENAMED: dict[tuple[str, str], str] = {
    ("StackSetDeployment", "targets"): "target_count",
    ("OptionStatus", "targets"): "target_count",
    ("StackSetStatus", "targets"): "target_results",
    ("AssociationTroubles", "targets"): "target_results",
}
"""(dataclass, field) -> the field's name in the contract, so that one name has one type."""

REFERENCES: dict[tuple[str, str], str] = {("ConfigurationCompliance", "worst"): "instance_id"}
"""(dataclass, field) of ordered lists of elements that appear in full elsewhere: given as
their ids (the worst non-compliant instances, worst first, are in ``instances``)."""

PAIRS = {("PlannedConfiguration", "not_configured")}
"""(dataclass, field) of lists of (key, title) pairs, given as ``{key: title}``."""


TOP_LEVEL: dict[str, tuple[str, str]] = {
    "ConfigurationStatus": ("configurations", "configuration_id"),
    "ConfigurationTroubles": ("configurations", "configuration_id"),
    "ConfigurationCompliance": ("configurations", "configuration_id"),
    "StackSetStatus": ("stack_sets", "name"),
}
"""A verb whose result is a list: the object ``data`` holds it in, and its elements' key.
Results that are one object (``plan``, ``troubleshoot --association``/``--instance``) are
``data`` themselves."""
EMPTY_COLLECTION = {
    "status": "configurations",
    "troubleshoot": "configurations",
    "compliance": "configurations",
}
"""A verb whose result may be an empty list: the object ``data`` holds it in (``status --org``
and ``troubleshoot --org`` stop with an error when the organization has no StackSet)."""


def envelope(
    command: str,
    data: Any = None,
    *,
    account: str | None = None,
    region: str | None = None,
    error: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The object ``--output json`` prints for ``command``: its ``data`` in the contract's
    shape (null without), or its ``error``: a message, with the exit code of a command that
    could not do its job (``ERROR_EXIT_CODE``, the only one the schema allows). ``now``
    defaults to the current time."""
    return {
        "schema_version": SCHEMA_VERSION,
        "command": command,
        "account": account,
        "region": region,
        "generated_at": jsonable((now or datetime.now(UTC)).replace(microsecond=0)),
        "data": _data(command, data),
        "error": None if error is None else {"message": error, "exit_code": ERROR_EXIT_CODE},
    }


def _data(command: str, result: Any) -> Any:
    """A verb's result as the object ``data`` (None as null): a list goes under its
    collection's name."""
    if not isinstance(result, list):
        return view(result)
    if not result:
        return {EMPTY_COLLECTION[command]: {}}
    collection, key = TOP_LEVEL[type(result[0]).__name__]
    return {collection: {str(_identity(item, key)): view(item) for item in result}}


def view(value: Any) -> Any:
    """``value`` (a verb's result: dataclasses, lists of them) in the contract's shape."""
    if isinstance(value, list):
        return [view(item) for item in value]
    if not (dataclasses.is_dataclass(value) and not isinstance(value, type)):
        return jsonable(value)
    kind = type(value).__name__
    result: dict[str, Any] = {}
    names: list[str] = [f.name for f in dataclasses.fields(value)]
    names += getattr(value, "JSON_EXTRA", ())
    for name in names:
        item = getattr(value, name)
        field = RENAMED.get((kind, name), name)
        if (kind, name) in KEYED and isinstance(item, list):
            key = KEYED[(kind, name)]
            result[field] = {str(_identity(element, key)): view(element) for element in item}
        elif (kind, name) in REFERENCES:
            result[field] = [getattr(element, REFERENCES[(kind, name)]) for element in item]
        elif (kind, name) in PAIRS:
            result[field] = {str(key): title for key, title in item}
        else:
            result[field] = view(item)
    return result


def _identity(element: Any, key: str) -> Any:
    """The value ``element`` is keyed by: an attribute, or one of its option's."""
    if key == "target_id":
        return f"{element.account}/{element.region}"
    if hasattr(element, key):
        return getattr(element, key)
    owner = element.option if hasattr(element, "option") else element.status
    return getattr(owner, key)  # a failed option by its option's key; troubles by its status
