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
from ..printable import printable
from .code import Code
from .console import (
    HOST_MANAGEMENT,
    LEGACY_PREFIX,
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
TARGETING = ("TargetType", "TargetInstances", "TargetTagKey", "TargetTagValue", "ResourceGroupName")
PLACEMENT = ("TargetAccounts", "TargetOrganizationalUnits", "TargetRegions")
SERVICE_SIDE = ("QSForceUpdateParam",)
"""Parameters the service adds to a definition itself: not settings, ignored."""
TARGET_TYPES = ("*", "InstanceIds", "ResourceGroups", "Tags")
ONLY_UPDATE_AGENT = {
    "collect_inventory": False,
    "scan_for_patches": False,
    "attach_instance_profile": False,
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

    @property
    def imported_from(self) -> str:
        """What ``preflight --migrating-from`` names the source by, and the stack's
        ``quicksetup:imported-from`` tag: the manager's ARN, or the older console's
        association name prefix."""
        return self.source if self.source.startswith("arn:") else LEGACY_PREFIX


def translate_definition(
    manager: Manager, definition: Definition, account: str, region: str
) -> list[ImportedConfiguration]:
    """The constructs that reproduce one definition of ``manager``: one organization
    configuration, or one local configuration per target account and Region. ``account``
    and ``region`` are where the manager lives (an organization configuration's stack goes
    there)."""
    where = describe(manager)
    parameters = definition.parameters
    known = {*PLACEMENT, *SERVICE_SIDE, *_known_parameters(definition.type)}
    notes = [
        f"{where}: parameter {name}={value!r} is not imported: the API documents no such "
        f"parameter for {definition.type}"
        for name, value in parameters.items()
        if name not in known
    ] + dropped_fields(where, definition)
    accounts, units, regions = _placements(where, definition)
    props: dict[str, Any]
    if definition.type == HOST_MANAGEMENT:
        props = _switches(where, parameters)
        targets = _targets(where, parameters, organization=bool(units))
        if targets is not None:
            props = {"targets": targets, **props}
    else:
        props = {
            "update_ssm_agent": _switch(where, parameters, SWITCHES[0]),
            "default_host_management": True,
            **ONLY_UPDATE_AGENT,
        }
    source, described = manager.arn, f"{definition.type} {definition.id}".strip()
    if units:
        return [
            ImportedConfiguration(
                name="",
                construct=ORGANIZATION,
                stack="",
                account=account,
                region=region,
                props={"organizational_unit_ids": units, "regions": regions, **props},
                source=source,
                definition=described,
                notes=notes,
            )
        ]
    return [
        ImportedConfiguration(
            name="",
            construct=LOCAL,
            stack="",
            account=target_account,
            region=target_region,
            props=dict(props),
            source=source,
            definition=described,
            notes=notes,
        )
        for target_account in accounts
        for target_region in regions
    ]


def dropped_fields(where: str, definition: Definition) -> list[str]:
    """What ``GetConfigurationManager`` gives beside the parameters and the app cannot
    carry: the local deployment roles (the console deployed a local configuration as a
    CloudFormation StackSet with them; ``cdk deploy`` deploys a stack with the CDK's
    bootstrap roles) and the type version (the app configures what this library does)."""
    notes = []
    roles = [
        f"{name} {value!r}"
        for name, value in (
            ("LocalDeploymentAdministrationRoleArn", definition.administration_role_arn),
            ("LocalDeploymentExecutionRoleName", definition.execution_role_name),
        )
        if value
    ]
    if roles:
        notes.append(
            f"{where}: definition {definition.id}'s {' and '.join(roles)} are not imported: "
            "the console deployed it through these roles, cdk deploy uses the CDK's bootstrap "
            "roles; nothing in the cut-over deletes them"
        )
    if definition.type_version:
        notes.append(
            f"{where}: definition {definition.id}'s TypeVersion {definition.type_version!r} "
            "is not imported: the app configures what this version of quicksetup-constructs "
            "does, shown by `quicksetup plan cdk.out`"
        )
    return notes


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


TARGETING_BY_TYPE = {
    "Tags": ("TargetTagKey", "TargetTagValue"),
    "InstanceIds": ("TargetInstances",),
    "ResourceGroups": ("ResourceGroupName",),
    "*": (),
}
"""The targeting parameters each ``TargetType`` reads (the API: "You must provide a value for
this parameter if you specify <type> for the TargetType parameter")."""


def _targets(where: str, parameters: Mapping[str, str], *, organization: bool) -> Code | None:
    """``InstanceTargets...`` for the targeting parameters; None for all instances. A
    targeting parameter that its ``TargetType`` does not read, or any targeting with
    ``TargetOrganizationalUnits``, is an error: read otherwise, it would widen the reach."""
    kind = parameters.get("TargetType")
    if kind is not None and kind not in TARGET_TYPES:
        raise _bad(where, "TargetType", kind, ", ".join(TARGET_TYPES))
    given = [name for name in TARGETING if parameters.get(name)]
    if organization and [name for name in given if name != "TargetType" or kind != "*"]:
        raise _together(
            where,
            [*given, "TargetOrganizationalUnits"],
            (
                "TargetType is for local deployments (\"Don't specify a value for this parameter "
                "if you're deploying to OUs\"): a configuration over OUs reaches every instance"
            ),
        )
    stray = [
        name
        for name in given
        if name != "TargetType" and name not in TARGETING_BY_TYPE[kind or "*"]
    ]
    if stray:
        raise _together(
            where,
            ["TargetType", *stray],
            (f"TargetType {kind or '(absent: all instances)'} reads none of {', '.join(stray)}"),
        )
    if kind is None or kind == "*":
        return None

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


def _placements(where: str, definition: Definition) -> tuple[list[str], list[str], list[str]]:
    """The accounts, OUs and Regions of a definition, each checked. ``TargetAccounts`` and
    ``TargetOrganizationalUnits`` are one or the other (the API: "A value must be provided for
    either TargetAccounts or TargetOrganizationalUnits"); Default Host Management takes OUs
    only ("TargetOrganizationalUnits ... (Required)", and no TargetAccounts)."""
    from quicksetup_constructs.organization.organizational_units import (
        check_organizational_units,
    )
    from quicksetup_constructs.organization.regions import check_regions

    parameters = definition.parameters
    regions = split_list(parameters.get("TargetRegions", ""))
    if not regions:
        raise _bad(
            where,
            "TargetRegions",
            parameters.get("TargetRegions"),
            "a comma-separated list of Regions (required)",
        )
    units = split_list(parameters.get("TargetOrganizationalUnits", ""))
    accounts = split_list(parameters.get("TargetAccounts", ""))
    if definition.type != HOST_MANAGEMENT and accounts:
        raise _bad(
            where,
            "TargetAccounts",
            parameters["TargetAccounts"],
            (
                f"no TargetAccounts for {definition.type}: it is deployed to OUs (its parameters "
                "are UpdateSSMAgent, TargetOrganizationalUnits and TargetRegions)"
            ),
        )
    if units and accounts:
        raise _together(
            where,
            ["TargetAccounts", "TargetOrganizationalUnits"],
            "a definition is deployed to either an account or OUs",
        )
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
        raise _bad(
            where,
            "TargetOrganizationalUnits" if definition.type != HOST_MANAGEMENT else "TargetAccounts",
            None,
            "OUs (required)"
            if definition.type != HOST_MANAGEMENT
            else "an account id, or TargetOrganizationalUnits (one of them is required)",
        )
    for account in accounts:
        if not _ACCOUNT.fullmatch(account):
            raise _bad(where, "TargetAccounts", account, "12-digit account ids")
    for region in regions:
        try:
            check_region(region)
        except CliError:
            raise _bad(where, "TargetRegions", region, "Region names like us-east-1") from None
    return accounts, [], regions


def _together(where: str, parameters: Sequence[str], why: str) -> CliError:
    return CliError(
        f"{where}: parameters {', '.join(parameters)} are given together; the API "
        f"does not allow it: {why}"
    )


def _bad(where: str, parameter: str, value: Any, allowed: str) -> CliError:
    return CliError(
        f"{where}: parameter {parameter} is {value!r}; the API gives {printable(allowed)}"
    )


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
    "update_ssm_agent",
    "update_ec2_launch_agent",
    "collect_inventory",
    "scan_for_patches",
    "install_cloudwatch_agent",
    "update_cloudwatch_agent",
    "attach_instance_profile",
    "enable_explorer",
)
"""Every option the props name, on when the older console left its association."""


def translate_legacy(
    configuration: LegacyConfiguration,
    account: str,
    region: str,
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
            notes.append(
                f"{where}: association {association.name} is not imported: its "
                "option is not one of Host Management's"
            )
            continue
        by_option[key] = association
    props: dict[str, Any] = {}
    targets = _legacy_targets(
        where,
        [
            association
            for association in configuration.associations
            if LEGACY_OPTIONS.get(association.option) not in (None, "enable_explorer")
        ],
    )
    if targets is not None:
        props["targets"] = targets
    props.update({key: key in by_option for key in LEGACY_SWITCHES})
    attach = by_option.get("attach_instance_profile")
    if attach is not None:
        allowed = attach.parameters.get("IsPolicyAttachAllowed", ("false",))
        if allowed not in (("true",), ("false",)):
            raise _bad(
                f"{where}: association {attach.name}",
                "IsPolicyAttachAllowed",
                list(allowed),
                '["true"] or ["false"]',
            )
        props["allow_policy_attach"] = allowed == ("true",)
        if attach.option == "UpdateIAMForInstanceMgmt":
            profile = ",".join(attach.parameters.get("InstanceProfile", ())) or "(unknown)"
            notes.append(
                f"{where}: the console gave instances your instance profile {profile}; "
                "QuickSetupLocal attaches a profile of its own to instances that have none "
                "(instance_profile_role= puts the role of your choice in it)"
            )
    schedules = {
        key: _legacy_schedule(where, association)
        for key, association in by_option.items()
        if association.schedule and association.schedule != default_schedules.get(key)
    }
    notes += [
        f"{where}: association {association.name} has no schedule (State Manager ran it once); "
        f"the app's {key} runs on {default_schedules[key]}"
        for key, association in by_option.items()
        if not association.schedule and default_schedules.get(key)
    ]
    if schedules:
        props["schedules"] = schedules
    return ImportedConfiguration(
        name="",
        construct=LOCAL,
        stack="",
        account=account,
        region=region,
        source=configuration.configuration_id,
        definition=", ".join(a.name for a in configuration.associations),
        props=props,
        notes=notes,
    )


def _legacy_schedule(where: str, association: LegacyAssociation) -> str:
    """The association's schedule, once the library has accepted it."""
    from quicksetup_constructs.schedule import validate_schedule

    try:
        validate_schedule("schedules", association.schedule)
    except QuickSetupValidationError as error:
        raise CliError(
            f"{where}: association {association.name} has the schedule "
            f"{association.schedule!r}, which the app cannot express: "
            f"{printable(error.allowed)}"
        ) from None
    assert association.schedule is not None
    return association.schedule


def _legacy_targets(where: str, associations: Sequence[LegacyAssociation]) -> Code | None:
    """The targets every association of an older console configuration reaches, as the
    library's factory call; None for all instances. Read with
    :meth:`InstanceTargets.from_association_target`, which knows the keys of Command
    documents and of Automation runbooks alike. An association with no target entry (State
    Manager's older ``InstanceId`` form: one instance), or with several (State Manager reaches
    their intersection), a key or value the library cannot build, or associations that reach
    different instances: a :class:`CliError`, never all instances."""
    from quicksetup_constructs.targets import InstanceTargets

    reached: dict[InstanceTargets, str] = {}
    for association in associations:
        if not association.targets:
            raise CliError(
                f"{where}: association {association.name} has no Targets (State "
                "Manager's older InstanceId form), which the app cannot express: "
                "InstanceTargets takes one target entry"
            )
        written = "; ".join(f"{key}={','.join(values)}" for key, values in association.targets)
        if len(association.targets) != 1:
            raise _unexpressible(where, association, written, "one target entry")
        [(key, values)] = association.targets
        try:
            found = InstanceTargets.from_association_target(key, values)
        except QuickSetupValidationError as error:
            raise _unexpressible(where, association, written, error.allowed) from None
        if len(found) != 1:
            raise _unexpressible(where, association, written, "one tag key (InstanceTargets.tag)")
        reached.setdefault(found[0], association.name)
    if len(reached) > 1:
        names = "; ".join(
            f"{name}: {printable(targets.describe())}" for targets, name in reached.items()
        )
        raise CliError(
            f"{where}: its associations reach different instances ({names}); one "
            "QuickSetupLocal has one targets"
        )
    if not reached:
        return None
    [targets] = reached
    if targets.is_all_instances:
        return None
    try:
        return _as_code(targets.python_expression())
    except QuickSetupValidationError as error:
        raise _unexpressible(where, None, targets.describe(), error.allowed) from None


def _as_code(expression: str) -> Code:
    """``InstanceTargets.<factory>(<literals>)``, as the library writes it, in the app's
    :class:`Code` (written as ``ruff format`` writes it)."""
    import ast

    call = ast.parse(expression, mode="eval").body
    assert isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
    return Code.of_call(
        f"InstanceTargets.{call.func.attr}", *(ast.literal_eval(arg) for arg in call.args)
    )


def _unexpressible(
    where: str, association: LegacyAssociation | None, targets: str, allowed: str
) -> CliError:
    named = f"association {association.name} targets" if association else "targets"
    return CliError(
        f"{where}: {named} {printable(targets)}, which the app cannot express: "
        f"InstanceTargets takes {printable(allowed)}"
    )
