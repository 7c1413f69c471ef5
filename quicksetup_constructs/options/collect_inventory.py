"""Collect inventory from instances every 30 minutes, and the extra types a user may add."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..errors import QuickSetupValidationError
from ..validation import check_type
from .option import ManagedDocument, Option, RenderContext

DEFAULT_TYPES = (
    "applications",
    "awsComponents",
    "networkConfig",
    "instanceDetailedInformation",
    "windowsUpdates",
    "services",
    "windowsRoles",
    "customInventory",
)
"""The inventory types Quick Setup enables (``AWS-GatherSoftwareInventory`` parameters)."""

_MAX_PARAMETER_LENGTH = 65535
_REGISTRY_ROOT = re.compile(r"(HKEY_[A-Z_]+|HK(LM|CU|CR|U|CC))\\.*")
_REGISTRY_ALLOWED = "a key under a registry root, e.g. HKEY_LOCAL_MACHINE\\SOFTWARE\\Amazon"
_FILE_PATH_ALLOWED = "a non-empty directory path, e.g. /var/log or %ProgramFiles%"
_PATTERNS_ALLOWED = "a non-empty list of file name patterns, e.g. ['*.conf']"
_VALUE_NAMES_ALLOWED = "a list of registry value names (empty: every value)"


def _check_strings(prop: str, values: object, allowed: str) -> None:
    """``values`` is a non-empty list (or tuple) of non-empty strings."""
    check_type(prop, values, (list, tuple), allowed)
    assert isinstance(values, list | tuple)
    if not values:
        raise QuickSetupValidationError(prop, list(values), allowed)
    for value in values:
        check_type(prop, value, str, allowed)
        if not value:
            raise QuickSetupValidationError(prop, list(values), allowed)


@dataclass(frozen=True)
class InventoryFilePath:
    """Collect metadata of the files under ``path`` whose names match ``patterns``."""

    path: str
    """Directory to scan, e.g. ``/var/log`` or ``%ProgramFiles%``."""
    patterns: Sequence[str]
    """File name patterns, e.g. ``["*.conf"]``."""
    recursive: bool = False
    """Scan sub-directories too. Default: False."""
    dir_scan_limit: int | None = None
    """Most directories to scan when recursive. Default: the agent's own limit."""

    def validate(self, prop: str) -> None:
        """Raise :class:`QuickSetupValidationError` naming ``prop`` for a malformed entry."""
        check_type(f"{prop}.path", self.path, str, _FILE_PATH_ALLOWED)
        if not self.path:
            raise QuickSetupValidationError(f"{prop}.path", self.path, _FILE_PATH_ALLOWED)
        _check_strings(f"{prop}.patterns", self.patterns, _PATTERNS_ALLOWED)
        check_type(f"{prop}.recursive", self.recursive, bool, "True or False")
        if self.dir_scan_limit is not None:
            check_type(
                f"{prop}.dir_scan_limit", self.dir_scan_limit, int, "None or a positive integer"
            )
            if self.dir_scan_limit < 1:
                raise QuickSetupValidationError(
                    f"{prop}.dir_scan_limit", self.dir_scan_limit, "None or a positive integer"
                )

    def to_json(self) -> dict[str, object]:
        entry: dict[str, object] = {
            "Path": self.path,
            "Pattern": list(self.patterns),
            "Recursive": self.recursive,
        }
        if self.dir_scan_limit is not None:
            entry["DirScanLimit"] = self.dir_scan_limit
        return entry


@dataclass(frozen=True)
class InventoryRegistryKey:
    """Collect the Windows registry values under ``path``."""

    path: str
    """Registry key, e.g. ``HKEY_LOCAL_MACHINE\\SOFTWARE\\Amazon``."""
    recursive: bool = False
    """Collect sub-keys too. Default: False."""
    value_names: Sequence[str] = ()
    """Collect only these values. Default: every value."""

    def validate(self, prop: str) -> None:
        """Raise :class:`QuickSetupValidationError` naming ``prop`` for a malformed entry."""
        check_type(f"{prop}.path", self.path, str, _REGISTRY_ALLOWED)
        if not _REGISTRY_ROOT.fullmatch(self.path):
            raise QuickSetupValidationError(f"{prop}.path", self.path, _REGISTRY_ALLOWED)
        check_type(f"{prop}.recursive", self.recursive, bool, "True or False")
        check_type(f"{prop}.value_names", self.value_names, (list, tuple), _VALUE_NAMES_ALLOWED)
        if self.value_names:
            _check_strings(f"{prop}.value_names", self.value_names, _VALUE_NAMES_ALLOWED)

    def to_json(self) -> dict[str, object]:
        entry: dict[str, object] = {"Path": self.path, "Recursive": self.recursive}
        if self.value_names:
            entry["ValueNames"] = list(self.value_names)
        return entry


@dataclass(frozen=True)
class InventorySettings:
    """Inventory types collected beyond Quick Setup's defaults."""

    files: Sequence[InventoryFilePath] = field(default=())
    """File metadata to collect (needs SSM Agent 2.2.64.0 or later). Default: none."""
    windows_registry: Sequence[InventoryRegistryKey] = field(default=())
    """Windows registry keys to collect. Default: none."""
    billing_info: bool | None = None
    """Collect platform billing (license-included) information. Default: None, the document's
    own default, as Quick Setup leaves it."""

    def validate(self, prop: str) -> None:
        check_type(f"{prop}.files", self.files, (list, tuple), "a list of InventoryFilePath")
        for entry in self.files:
            check_type(f"{prop}.files", entry, InventoryFilePath, "InventoryFilePath items")
            entry.validate(f"{prop}.files")
        check_type(
            f"{prop}.windows_registry",
            self.windows_registry,
            (list, tuple),
            "a list of InventoryRegistryKey",
        )
        for key in self.windows_registry:
            check_type(
                f"{prop}.windows_registry", key, InventoryRegistryKey, "InventoryRegistryKey items"
            )
            key.validate(f"{prop}.windows_registry")
        if self.billing_info is not None:
            check_type(f"{prop}.billing_info", self.billing_info, bool, "True, False or None")
        for name, value in self.extra_parameters().items():
            if len(value[0]) > _MAX_PARAMETER_LENGTH:
                raise QuickSetupValidationError(
                    f"{prop}.{name}",
                    f"<{len(value[0])} characters>",
                    f"at most {_MAX_PARAMETER_LENGTH} characters of JSON",
                )

    def extra_parameters(self) -> dict[str, list[str]]:
        extra: dict[str, list[str]] = {}
        if self.files:
            extra["files"] = [_compact_json([entry.to_json() for entry in self.files])]
        if self.windows_registry:
            extra["windowsRegistry"] = [
                _compact_json([key.to_json() for key in self.windows_registry])
            ]
        if self.billing_info is not None:
            extra["billingInfo"] = ["Enabled" if self.billing_info else "Disabled"]
        return extra


def _compact_json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def _parameters(context: RenderContext) -> dict[str, list[str]]:
    inventory: InventorySettings = context.settings.inventory
    return {name: ["Enabled"] for name in DEFAULT_TYPES} | inventory.extra_parameters()


COLLECT_INVENTORY = Option(
    key="collect_inventory",
    title="Collect inventory from your instances every 30 minutes",
    association_name="CollectInventory",
    document=ManagedDocument("AWS-GatherSoftwareInventory"),
    schedule="rate(30 minutes)",
    enabled_by_default=True,
    parameters=_parameters,
)
