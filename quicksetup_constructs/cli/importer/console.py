"""What the console configured, read from the account: configuration managers through the
``ssm-quicksetup`` API, and the associations named ``AWS-QuickSetup-SSMHostMgmt-*`` that the
older console (Quick Setup before configuration managers) created.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from ..aws import Aws, paginate
from ..errors import CliError
from ..printable import printable
from .tokens import refuse_cdk_tokens

HOST_MANAGEMENT = "AWSQuickSetupType-SSMHostMgmt"
DEFAULT_HOST_MANAGEMENT = "AWSQuickSetupType-DHMC"
LEGACY_PREFIX = "AWS-QuickSetup-SSMHostMgmt-"
"""The start of the name of every association the console's Host Management made."""
LEGACY_NAME_SHAPE = f"{LEGACY_PREFIX}<Option>-<QSConfigurationId>"
"""How the older console named its associations."""
LEGACY_NAME = re.compile(
    re.escape(LEGACY_PREFIX) + r"(?P<option>[A-Za-z0-9]+)-(?P<id>[A-Za-z0-9_.-]+)"
)
""":data:`LEGACY_NAME_SHAPE`, as a pattern."""
MANAGER_ARN = re.compile(
    r"arn:aws[a-z-]*:ssm-quicksetup:(?P<region>[a-z0-9-]+):[0-9]{12}:"
    r"configuration-manager/[A-Za-z0-9-]+"
)
"""A configuration manager's ARN: ``arn:<partition>:ssm-quicksetup:<Region>:<account>:``
``configuration-manager/<id>``."""

IMPORTED_FROM_TAG = "quicksetup:imported-from"
"""The stack tag of every stack ``import`` writes: the manager's ARN, or
:data:`LEGACY_PREFIX` for the older console's configurations."""


@dataclass(frozen=True)
class Definition:
    """One configuration definition of a manager: its type and parameters (all strings), and
    what else ``GetConfigurationManager`` says of it (None where it says nothing)."""

    id: str
    type: str
    parameters: dict[str, str]
    type_version: str | None = None
    administration_role_arn: str | None = None
    """``LocalDeploymentAdministrationRoleArn``: the role the console deployed a local
    configuration with."""
    execution_role_name: str | None = None
    """``LocalDeploymentExecutionRoleName``."""


@dataclass(frozen=True)
class Manager:
    """A Quick Setup configuration manager (``GetConfigurationManager``)."""

    arn: str
    name: str
    definitions: tuple[Definition, ...]

    @property
    def region(self) -> str:
        """The Region the manager lives in (its ARN's fourth field); an ARN not shaped as
        :data:`MANAGER_ARN` is a :class:`CliError`."""
        return manager_arn(self.arn)["region"]


@dataclass(frozen=True)
class LegacyAssociation:
    """An association of the older console, as ``ListAssociations`` describes it, with the
    parameters ``DescribeAssociation`` gives where they matter."""

    name: str
    association_id: str
    option: str
    """The option part of the name (``UpdateSSMAgent``, ``CollectInventory``, ...)."""
    targets: tuple[tuple[str, tuple[str, ...]], ...]
    schedule: str | None
    parameters: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class LegacyConfiguration:
    """The associations of one configuration of the older console, by its id."""

    configuration_id: str
    associations: tuple[LegacyAssociation, ...]


@dataclass(frozen=True)
class ConsoleConfigurations:
    managers: tuple[Manager, ...]
    legacy: tuple[LegacyConfiguration, ...]
    unread: tuple[str, ...] = ()
    """Names of associations that start with :data:`LEGACY_PREFIX` but are not shaped as
    :data:`LEGACY_NAME`: not read, and named in a warning."""


PARAMETERS_READ = ("AttachIAMToInstance", "UpdateIAMForInstanceMgmt")
"""Options of the older console whose parameters matter (``IsPolicyAttachAllowed``,
``InstanceProfile``): only these are described one by one."""


def read_console(aws: Aws, manager: str | None = None) -> ConsoleConfigurations:
    """Every configuration manager of the account and Region (or the one whose name or ARN is
    ``manager``), and the older console's configurations that no manager's definition owns."""
    managers = tuple(read_managers(aws, wanted=manager))
    if manager is not None:
        return ConsoleConfigurations(managers, ())
    owned = {definition.id for found in managers for definition in found.definitions}
    configurations, unread = _legacy(aws)
    legacy = tuple(
        configuration
        for configuration in configurations
        if configuration.configuration_id not in owned
    )
    return ConsoleConfigurations(managers, legacy, unread)


def read_managers(
    aws: Aws,
    *,
    wanted: str | None = None,
    types: Collection[str] | None = None,
    region: str | None = None,
) -> list[Manager]:
    """The configuration managers of the account in ``region`` (default: the session's),
    described one by one: every one, the one whose name or ARN is ``wanted``, or those with a
    definition of one of ``types`` (others are listed, never described)."""
    client = aws.client("ssm-quicksetup", region)
    summaries = list(paginate(client, "list_configuration_managers", "ConfigurationManagersList"))
    found = []
    for summary in summaries:
        if wanted is not None and wanted not in (summary["ManagerArn"], summary.get("Name")):
            continue
        kinds = {d.get("Type") for d in summary.get("ConfigurationDefinitionSummaries") or []}
        if types is not None and not kinds & set(types):
            continue
        manager_arn(summary["ManagerArn"])  # before it is sent back in a request
        described = client.get_configuration_manager(ManagerArn=summary["ManagerArn"])
        manager_arn(described["ManagerArn"])
        refuse_cdk_tokens(f"configuration manager {printable(described['ManagerArn'])}", described)
        found.append(
            Manager(
                arn=described["ManagerArn"],
                name=described.get("Name") or summary.get("Name") or "",
                definitions=tuple(
                    Definition(
                        id=definition.get("Id", ""),
                        type=definition["Type"],
                        parameters=dict(definition.get("Parameters", {})),
                        type_version=definition.get("TypeVersion"),
                        administration_role_arn=definition.get(
                            "LocalDeploymentAdministrationRoleArn"
                        ),
                        execution_role_name=definition.get("LocalDeploymentExecutionRoleName"),
                    )
                    for definition in described.get("ConfigurationDefinitions", [])
                ),
            )
        )
    return found


def manager_arn(arn: str) -> re.Match[str]:
    """``arn`` matched against :data:`MANAGER_ARN`; any other string is a :class:`CliError`."""
    match = MANAGER_ARN.fullmatch(arn)
    if match is None:
        raise CliError(f"not a configuration manager's ARN: {shlex.quote(printable(arn))}")
    return match


def _legacy(aws: Aws) -> tuple[list[LegacyConfiguration], tuple[str, ...]]:
    """The older console's associations, grouped by configuration id, and the names of those
    that start with :data:`LEGACY_PREFIX` without its shape (``ListAssociations`` has no
    documented prefix filter: every association is listed)."""
    client = aws.client("ssm")
    groups: dict[str, list[LegacyAssociation]] = {}
    unread: list[str] = []
    for association in paginate(client, "list_associations", "Associations"):
        name = association.get("AssociationName", "")
        match = LEGACY_NAME.fullmatch(name)
        if match is None:
            if name.startswith(LEGACY_PREFIX):
                unread.append(name)
            continue
        where = f"association {printable(name)}"
        refuse_cdk_tokens(where, association)
        association_id = association.get("AssociationId")  # optional in the model
        if not association_id:
            raise CliError(f"{where}: ListAssociations gave no AssociationId, so it cannot be read")
        parameters: dict[str, tuple[str, ...]] = {}
        if match["option"] in PARAMETERS_READ:
            description = client.describe_association(AssociationId=association_id)[
                "AssociationDescription"
            ]
            refuse_cdk_tokens(where, description)
            parameters = {k: tuple(v) for k, v in description.get("Parameters", {}).items()}
        groups.setdefault(match["id"], []).append(
            LegacyAssociation(
                name=name,
                association_id=association_id,
                option=match["option"],
                targets=tuple(  # Key and Values are optional in the model: an empty one is refused
                    (target.get("Key", ""), tuple(target.get("Values", ())))
                    for target in association.get("Targets", [])
                ),
                schedule=association.get("ScheduleExpression"),
                parameters=parameters,
            )
        )
    configurations = [
        LegacyConfiguration(key, tuple(value)) for key, value in sorted(groups.items())
    ]
    return configurations, tuple(unread)


def split_list(value: str | None) -> list[str]:
    """A parameter's comma-separated list (``TargetRegions``, ...), without blanks."""
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def is_empty(found: ConsoleConfigurations) -> bool:
    return not found.managers and not found.legacy and not found.unread


def describe(item: Any) -> str:
    """How a manager or an older configuration is named in messages."""
    if isinstance(item, Manager):
        return f"configuration manager {printable(item.name or item.arn)}"
    return f"console configuration {item.configuration_id} (AWS-QuickSetup-SSMHostMgmt-*)"
