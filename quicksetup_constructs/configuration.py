"""A Quick Setup configuration: validated props, independent of where it is rendered."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import QuickSetupValidationError
from .options import (
    ATTACH_INSTANCE_PROFILE_OPTION,
    CATALOGUE,
    ENABLE_EXPLORER,
    MANAGED_NODE_POLICIES,
    OPTIONS_BY_KEY,
    SCAN_FOR_PATCHES,
    InventorySettings,
    InventorySync,
    Option,
    ScanBaseline,
)
from .options.inventory_sync import MAX_SYNC_NAME, SYNC_NAME_PREFIX
from .schedule import validate_schedule
from .targets import InstanceTargets
from .validation import check_pattern, check_type, is_unresolved

_CONFIGURATION_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_PARAMETER_NAME = re.compile(r"[a-zA-Z0-9_.\-/]{1,2048}")


@dataclass(frozen=True)
class OptionSettings:
    """Settings that refine individual options."""

    inventory: InventorySettings
    cloudwatch_agent_config_parameter: str | None
    allow_policy_attach: bool
    scan_baseline: ScanBaseline | None = None
    """The patch baseline of the scan; None: each operating system's default."""


@dataclass(frozen=True)
class Configuration:
    """Everything needed to render one Quick Setup configuration."""

    configuration_id: str
    targets: InstanceTargets
    options: tuple[Option, ...]
    """The enabled options, in catalogue order."""
    schedules: Mapping[str, str | None]
    """Effective schedule of every enabled option, by key (None: runs once)."""
    settings: OptionSettings
    default_host_management: bool = False
    """Turn on Default Host Management Configuration for the account and Region."""
    inventory_sync: InventorySync | None = None
    """Where the inventory of each account and Region is delivered; None: nowhere."""

    @property
    def enabled(self) -> frozenset[str]:
        return frozenset(option.key for option in self.options)

    @property
    def attaches_profile(self) -> bool:
        return ATTACH_INSTANCE_PROFILE_OPTION in self.options

    @property
    def enables_explorer(self) -> bool:
        return ENABLE_EXPLORER in self.options

    @property
    def instance_role_policies(self) -> tuple[str, ...]:
        """The AWS managed policies an instance's role needs for the enabled options: those the
        default instance role carries, and the only ones ``allow_policy_attach`` may attach to
        the role of a profile an instance already has."""
        names = MANAGED_NODE_POLICIES + tuple(
            name for option in self.options for name in option.instance_role_policies
        )
        return tuple(dict.fromkeys(names))

    @property
    def attachable_policies(self) -> tuple[str, ...]:
        """The policies the instance-profile automation attaches to the role of a profile an
        instance already has: :attr:`instance_role_policies` with ``allow_policy_attach``,
        none without."""
        return self.instance_role_policies if self.settings.allow_policy_attach else ()

    def association_name(self, option: Option) -> str:
        return f"QuickSetup-{option.association_name}-{self.configuration_id}"


def derive_configuration_id(path: str) -> str:
    """A short id that is stable for a construct path: the first 8 hex digits of its SHA-256."""
    return hashlib.sha256(path.encode("utf-8")).hexdigest()[:8]


def configuration_from_props(construct_path: str, props: Mapping[str, Any]) -> Configuration:
    """Validate a construct's keyword arguments and build its :class:`Configuration`.

    ``props`` holds one flag per catalogue option, named by the option's key, and the props
    every configuration has (``targets``, ``schedules``, ``inventory``, ...): a constructor
    passes its ``locals()``.
    """
    targets = props["targets"]
    return build_configuration(
        construct_path=construct_path,
        configuration_id=props["configuration_id"],
        targets=InstanceTargets.all_instances() if targets is None else targets,
        enabled={option.key: props[option.key] for option in CATALOGUE},
        schedules=props["schedules"],
        inventory=props["inventory"],
        cloudwatch_agent_config_parameter=props["cloudwatch_agent_config_parameter"],
        allow_policy_attach=props["allow_policy_attach"],
        scan_baseline=props["scan_baseline"],
        default_host_management=props["default_host_management"],
        inventory_sync=props["inventory_sync"],
    )


def build_configuration(
    *,
    construct_path: str,
    configuration_id: str | None,
    targets: InstanceTargets,
    enabled: Mapping[str, Any],
    schedules: Mapping[str, str] | None,
    inventory: InventorySettings | None,
    cloudwatch_agent_config_parameter: str | None,
    allow_policy_attach: Any,
    scan_baseline: ScanBaseline | None = None,
    default_host_management: Any = False,
    inventory_sync: InventorySync | None = None,
) -> Configuration:
    """Validate props and build a :class:`Configuration`.

    Raises :class:`QuickSetupValidationError` for the first bad prop.
    ``enabled`` maps each option key of the catalogue to its flag.
    """
    for key, flag in enabled.items():
        check_type(key, flag, bool, "True or False")
    options = tuple(option for option in CATALOGUE if enabled[option.key])

    if configuration_id is None:
        configuration_id = derive_configuration_id(construct_path)
    check_pattern(
        "configuration_id",
        configuration_id,
        _CONFIGURATION_ID,
        "1-64 letters, digits and _.- (it ends every association name)",
    )
    if is_unresolved(configuration_id):
        raise QuickSetupValidationError(
            "configuration_id", configuration_id, "a literal string, not a token"
        )
    check_type(
        "targets",
        targets,
        InstanceTargets,
        "an InstanceTargets, e.g. InstanceTargets.tag('Env', 'prod')",
    )
    check_type("allow_policy_attach", allow_policy_attach, bool, "True or False")
    check_type("default_host_management", default_host_management, bool, "True or False")

    if inventory is None:
        inventory = InventorySettings()
    check_type("inventory", inventory, InventorySettings, "an InventorySettings or None")
    inventory.validate("inventory")

    if cloudwatch_agent_config_parameter is not None:
        check_pattern(
            "cloudwatch_agent_config_parameter",
            cloudwatch_agent_config_parameter,
            _PARAMETER_NAME,
            "None or an SSM parameter name of letters, digits and _.-/",
        )

    if inventory_sync is not None:
        check_type(
            "inventory_sync",
            inventory_sync,
            InventorySync,
            "None or an InventorySync, e.g. InventorySync.to_new_bucket()",
        )
        longest = MAX_SYNC_NAME - len(SYNC_NAME_PREFIX)
        if len(configuration_id) > longest:
            raise QuickSetupValidationError(
                "configuration_id",
                configuration_id,
                f"at most {longest} characters with inventory_sync (it names the resource data "
                f"sync {SYNC_NAME_PREFIX}<id>, at most {MAX_SYNC_NAME})",
            )

    if scan_baseline is not None:
        check_type(
            "scan_baseline",
            scan_baseline,
            ScanBaseline,
            "None or a ScanBaseline, e.g. ScanBaseline.tagged('PatchBaseline', ['web'])",
        )
        if SCAN_FOR_PATCHES not in options:
            raise QuickSetupValidationError(
                "scan_baseline",
                scan_baseline,
                "a baseline only for an enabled scan; set scan_for_patches=True or remove "
                "scan_baseline",
            )

    return Configuration(
        configuration_id=configuration_id,
        targets=targets,
        options=options,
        schedules=_effective_schedules(options, schedules),
        settings=OptionSettings(
            inventory=inventory,
            cloudwatch_agent_config_parameter=cloudwatch_agent_config_parameter,
            allow_policy_attach=allow_policy_attach,
            scan_baseline=scan_baseline,
        ),
        default_host_management=default_host_management,
        inventory_sync=inventory_sync,
    )


def _effective_schedules(
    options: tuple[Option, ...], overrides: Mapping[str, str] | None
) -> dict[str, str | None]:
    overrides = {} if overrides is None else overrides
    check_type("schedules", overrides, Mapping, "a dict of option name to schedule expression")
    enabled = {option.key for option in options}
    for key, expression in overrides.items():
        if key not in OPTIONS_BY_KEY:
            raise QuickSetupValidationError(
                "schedules", key, "option names: " + ", ".join(OPTIONS_BY_KEY)
            )
        if key not in enabled:
            raise QuickSetupValidationError(
                f"schedules[{key!r}]",
                expression,
                f"a schedule only for an enabled option; set {key}=True or remove this schedule",
            )
        validate_schedule(f"schedules[{key!r}]", expression)
    return {option.key: overrides.get(option.key, option.schedule) for option in options}
