"""A console configuration, as the construct and props that reproduce it.

One table, :data:`SWITCHES`, maps every on/off parameter the ``ssm-quicksetup`` API documents
for Host Management (``ConfigurationDefinitionInput.Parameters``) to its prop; targeting and
placement parameters are read by :func:`_targets` and :func:`_placements`. A value the API
would not produce (``UpdateSSMAgent: "yes"``, an unknown ``TargetType``) is a :class:`CliError`
naming the configuration, the parameter, the value and what is allowed; a parameter or option
that has no prop is kept as a note, which becomes a comment in the app and a warning.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from quicksetup_constructs.errors import QuickSetupValidationError

from ..aws import check_region
from ..errors import CliError
from .code import Code
from .console import (
    HOST_MANAGEMENT,
    Definition,
    LegacyAssociation,
    LegacyConfiguration,
    Manager,
    describe,
    split_list,
)

LOCAL, ORGANIZATION = "QuickSetupLocal", "QuickSetupOrganization"


@dataclass(frozen=True)
class Switch:
    """An on/off API parameter and the prop it sets."""

    parameter: str
    prop: str
    default: bool
    """The API's default when the parameter is absent."""


SWITCHES = (
    Switch("UpdateSSMAgent", "update_ssm_agent", True),
    Switch("UpdateEc2LaunchAgent", "update_ec2_launch_agent", False),
    Switch("CollectInventory", "collect_inventory", True),
    Switch("ScanInstances", "scan_for_patches", True),
    Switch("InstallCloudWatchAgent", "install_cloudwatch_agent", False),
    Switch("UpdateCloudWatchAgent", "update_cloudwatch_agent", False),
    Switch("IsPolicyAttachAllowed", "allow_policy_attach", False),
)
"""Host Management's switches, with the defaults the API documents."""
TARGETING = ("TargetType", "TargetInstances", "TargetTagKey", "TargetTagValue",
             "ResourceGroupName")
PLACEMENT = ("TargetAccounts", "TargetOrganizationalUnits", "TargetRegions")
SERVICE_SIDE = ("QSForceUpdateParam",)
"""Parameters the service adds to a definition itself: not settings, ignored."""
TARGET_TYPES = ("*", "InstanceIds", "ResourceGroups", "Tags")
ONLY_UPDATE_AGENT = {
    "collect_inventory": False, "scan_for_patches": False, "attach_instance_profile": False,
    "enable_explorer": False,
}
"""What a Default Host Management Configuration definition turns off: it sets the service
setting and updates SSM Agent, nothing else."""
_ACCOUNT = re.compile(r"\d{12}")
_BOOLEANS = ("true", "false")


@dataclass
class ImportedConfiguration:
    """One construct of the generated app, and where it came from."""

    name: str
    """The construct's id (the manager's name in PascalCase), unique in the app."""
    construct: str
    """``QuickSetupLocal`` or ``QuickSetupOrganization``."""
    stack: str
    """The id of the stack it is created in (one stack per configuration and Region)."""
    account: str
    region: str
    source: str
    """The manager's ARN, or the older console's configuration id."""
    definition: str
    """``<type> <definition id>``, or the older console's association names."""
    props: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    """What the props cannot say: comments in the code, warnings on standard error."""

    @property
    def targets_all_instances(self) -> bool:
        return "targets" not in self.props


def translate_definition(
    manager: Manager, definition: Definition, account: str, region: str
) -> list[ImportedConfiguration]:
    """The constructs that reproduce one definition of ``manager``: one organization
    configuration, or one local configuration per target Region. ``account`` and ``region``
    are where the manager lives (an organization configuration's stack goes there)."""
    where = describe(manager)
    parameters = definition.parameters
    known = {*PLACEMENT, *SERVICE_SIDE, *_known_parameters(definition.type)}
    notes = [
        f"{where}: parameter {name}={value!r} is not imported: the API documents no such "
        f"parameter for {definition.type}"
        for name, value in parameters.items() if name not in known
    ]
    props: dict[str, Any]
    if definition.type == HOST_MANAGEMENT:
        props = _switches(where, parameters)
        targets = _targets(where, parameters)
        if targets is not None:
            props = {"targets": targets, **props}
    else:
        props = {"update_ssm_agent": _switch(where, parameters, SWITCHES[0]),
                 "default_host_management": True, **ONLY_UPDATE_AGENT}
    common = {"source": manager.arn, "notes": notes,
              "definition": f"{definition.type} {definition.id}".strip()}
    accounts, units, regions = _placements(where, parameters)
    if units and parameters.get("TargetType") == "InstanceIds":
        raise _bad(where, "TargetType", "InstanceIds",
                   "no TargetType, *, Tags or ResourceGroups with TargetOrganizationalUnits "
                   "(instance ids name instances of one account)")
    if units:
        return [ImportedConfiguration(
            name="", construct=ORGANIZATION, stack="", account=account, region=region,
            props={"organizational_unit_ids": units, "regions": regions, **props}, **common,
        )]
    return [
        ImportedConfiguration(name="", construct=LOCAL, stack="", account=target_account,
                              region=target_region, props=dict(props), **common)
        for target_account in accounts for target_region in regions
    ]


def _known_parameters(kind: str) -> tuple[str, ...]:
    if kind == HOST_MANAGEMENT:
        return (*(switch.parameter for switch in SWITCHES), *TARGETING)
    return (SWITCHES[0].parameter,)


def _switches(where: str, parameters: Mapping[str, str]) -> dict[str, Any]:
    return {switch.prop: _switch(where, parameters, switch) for switch in SWITCHES}


def _switch(where: str, parameters: Mapping[str, str], switch: Switch) -> bool:
    value = parameters.get(switch.parameter)
    if value is None:
        return switch.default
    if value not in _BOOLEANS:
        raise _bad(where, switch.parameter, value, '"true" or "false"')
    return value == "true"


def _targets(where: str, parameters: Mapping[str, str]) -> Code | None:
    """``InstanceTargets...`` for the targeting parameters; None for all instances."""
    kind = parameters.get("TargetType")
    if kind is None or kind == "*":
        return None
    if kind not in TARGET_TYPES:
        raise _bad(where, "TargetType", kind, ", ".join(TARGET_TYPES))

    def required(name: str) -> str:
        value = parameters.get(name)
        if not value:
            raise _bad(where, name, value, f"a value, as TargetType is {kind}")
        return value

    from quicksetup_constructs.targets import InstanceTargets

    if kind == "Tags":
        key, value = required("TargetTagKey"), required("TargetTagValue")
        return _checked(where, "TargetTagKey/TargetTagValue", InstanceTargets.tag, key, value)
    if kind == "InstanceIds":
        ids = split_list(required("TargetInstances"))
        return _checked(where, "TargetInstances", InstanceTargets.instance_ids, ids)
    name = required("ResourceGroupName")
    return _checked(where, "ResourceGroupName", InstanceTargets.resource_group, name)


def _checked(where: str, parameter: str, factory: Callable[..., Any], *args: Any) -> Code:
    """``InstanceTargets.<factory>(args)``, once the library has accepted the arguments."""
    try:
        factory(*args)
    except QuickSetupValidationError as error:
        raise _bad(where, parameter, error.value, error.allowed) from None
    return Code.of_call(f"InstanceTargets.{factory.__name__}", *args)


def _placements(
    where: str, parameters: Mapping[str, str]
) -> tuple[list[str], list[str], list[str]]:
    """The accounts, OUs and Regions of a definition, each checked."""
    from quicksetup_constructs.organization.organizational_units import (
        check_organizational_units,
    )
    from quicksetup_constructs.organization.regions import check_regions

    regions = split_list(parameters.get("TargetRegions", ""))
    if not regions:
        raise _bad(where, "TargetRegions", parameters.get("TargetRegions"),
                   "a comma-separated list of Regions (required)")
    units = split_list(parameters.get("TargetOrganizationalUnits", ""))
    accounts = split_list(parameters.get("TargetAccounts", ""))
    if units:
        for parameter, check, values in (
            ("TargetOrganizationalUnits", check_organizational_units, units),
            ("TargetRegions", check_regions, regions),
        ):
            try:
                check(parameter, values)
            except QuickSetupValidationError as error:
                raise _bad(where, parameter, error.value, error.allowed) from None
        return [], units, regions
    if not accounts:
        raise _bad(where, "TargetAccounts", None,
                   "an account id, or TargetOrganizationalUnits (one of them is required)")
    for account in accounts:
        if not _ACCOUNT.fullmatch(account):
            raise _bad(where, "TargetAccounts", account, "12-digit account ids")
    for region in regions:
        try:
            check_region(region)
        except CliError:
            raise _bad(where, "TargetRegions", region, "Region names like us-east-1") from None
    return accounts, [], regions


def _bad(where: str, parameter: str, value: Any, allowed: str) -> CliError:
    return CliError(f"{where}: parameter {parameter} is {value!r}; the API gives {allowed}")


# The older console -------------------------------------------------------------------------

LEGACY_OPTIONS = {
    "AttachIAMToInstance": "attach_instance_profile",
    "UpdateIAMForInstanceMgmt": "attach_instance_profile",
    "EnableExplorer": "enable_explorer",
    "UpdateSSMAgent": "update_ssm_agent",
    "CollectInventory": "collect_inventory",
    "ScanForPatches": "scan_for_patches",
    "ManageCloudWatchAgent": "install_cloudwatch_agent",
    "UpdateCloudWatchAgent": "update_cloudwatch_agent",
}
"""The option part of the older console's association names, and the option it is."""
LEGACY_SWITCHES = (
    "update_ssm_agent", "update_ec2_launch_agent", "collect_inventory", "scan_for_patches",
    "install_cloudwatch_agent", "update_cloudwatch_agent", "attach_instance_profile",
    "enable_explorer",
)
"""Every option the props name, on when the older console left its association."""


def translate_legacy(
    configuration: LegacyConfiguration, account: str, region: str,
    default_schedules: Mapping[str, str | None],
) -> ImportedConfiguration:
    """The local configuration that reproduces an older console configuration of this account
    and Region: an option is on when its association is there, with its schedule when that
    differs from ``default_schedules`` (by option key)."""
    where = describe(configuration)
    by_option: dict[str, LegacyAssociation] = {}
    notes: list[str] = []
    for association in configuration.associations:
        key = LEGACY_OPTIONS.get(association.option)
        if key is None:
            notes.append(f"{where}: association {association.name} is not imported: its "
                         "option is not one of Host Management's")
            continue
        by_option[key] = association
    props: dict[str, Any] = {}
    targets = _legacy_targets(where, [a for k, a in by_option.items() if k != "enable_explorer"])
    if targets is not None:
        props["targets"] = targets
    props.update({key: key in by_option for key in LEGACY_SWITCHES})
    attach = by_option.get("attach_instance_profile")
    if attach is not None:
        allowed = attach.parameters.get("IsPolicyAttachAllowed", ("false",))
        props["allow_policy_attach"] = allowed[:1] == ("true",)
        if attach.option == "UpdateIAMForInstanceMgmt":
            profile = ",".join(attach.parameters.get("InstanceProfile", ())) or "(unknown)"
            notes.append(
                f"{where}: the console gave instances your instance profile {profile}; "
                "QuickSetupLocal attaches a profile of its own to instances that have none "
                "(instance_profile_role= puts the role of your choice in it)"
            )
    schedules = {
        key: association.schedule for key, association in by_option.items()
        if association.schedule and association.schedule != default_schedules.get(key)
    }
    if schedules:
        props["schedules"] = schedules
    return ImportedConfiguration(
        name="", construct=LOCAL, stack="", account=account, region=region,
        source=configuration.configuration_id,
        definition=", ".join(a.name for a in configuration.associations), props=props,
        notes=notes,
    )


def _legacy_targets(where: str, associations: Sequence[LegacyAssociation]) -> Code | None:
    """The targets of the first association that names instances (Run Command style keys);
    None for all instances."""
    for association in associations:
        for key, values in association.targets:
            if key == "InstanceIds":
                if list(values) == ["*"]:
                    return None
                return _targets(where, {"TargetType": "InstanceIds",
                                        "TargetInstances": ",".join(values)})
            if key.startswith("tag:") and values:
                return _targets(where, {"TargetType": "Tags", "TargetTagKey": key[4:],
                                        "TargetTagValue": values[0]})
            if key == "resource-groups:Name" and values:
                return _targets(where, {"TargetType": "ResourceGroups",
                                        "ResourceGroupName": values[0]})
    return None
