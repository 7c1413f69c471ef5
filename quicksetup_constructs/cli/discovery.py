"""Finding the deployed configurations: the associations of one stack, or every association
named ``QuickSetup-*`` in the account and Region."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from .aws import Aws, error_code, paginate
from .catalogue import PREFIX, OptionMatch, catalogue, match_associations, share_account_wide
from .errors import CliError
from .templates import (
    ASSOCIATION,
    INVENTORY_SYNC_PREFIX,
    RESOURCE_DATA_SYNC,
    SERVICE_SETTING,
    STACK_SET,
    Target,
    TemplateSpec,
    parse_template_body,
)

_NESTED_STACK = "AWS::CloudFormation::Stack"
_REFERENCE = re.compile(r"\$\{([A-Za-z0-9]+)\}")
DELETED_OUTSIDE = "deleted outside CloudFormation"
"""Why a resource of the stack is missing in Systems Manager."""
HOST_MANAGEMENT = "default_host_management"
"""Key of the Default Host Management Configuration setting (the prop that creates it)."""
INVENTORY_SYNC = "inventory_sync"
"""Key of the inventory's resource data sync (the prop that creates it)."""


@dataclass(frozen=True)
class DeployedAssociation:
    """An association as State Manager describes it (``ListAssociations`` or
    ``DescribeAssociation``)."""

    association_id: str
    association_name: str
    match: OptionMatch
    document: str
    schedule: str | None
    targets: tuple[Target, ...]
    overview_status: str | None
    detailed_status: str | None
    counts: dict[str, int]
    """Targets by their latest status (``AssociationStatusAggregatedCount``)."""
    last_execution: datetime | None
    missing: bool = False
    """The stack has the association, Systems Manager does not (``AssociationDoesNotExist``):
    it was deleted outside CloudFormation."""

    @classmethod
    def from_api(cls, association: dict[str, Any], match: OptionMatch) -> DeployedAssociation:
        overview = association.get("Overview") or {}
        return cls(
            association_id=association["AssociationId"],
            association_name=association.get("AssociationName", ""),
            match=match,
            document=association.get("Name", ""),
            schedule=association.get("ScheduleExpression"),
            targets=tuple(
                Target(target.get("Key", ""), tuple(target.get("Values", [])))
                for target in association.get("Targets") or []
            ),
            overview_status=overview.get("Status"),
            detailed_status=overview.get("DetailedStatus"),
            counts=dict(overview.get("AssociationStatusAggregatedCount") or {}),
            last_execution=association.get("LastExecutionDate"),
        )

    @property
    def document_kind(self) -> str | None:
        return self.match.option.document_kind.value if self.match.option else None


@dataclass(frozen=True)
class DeployedSetting:
    """What a configuration's stack creates besides associations: the Default Host Management
    Configuration service setting, or the inventory's resource data sync."""

    key: str
    """``default_host_management`` or ``inventory_sync``."""
    name: str
    """The setting's id, or the sync's name."""
    value: str | None = None
    """The role the DHMC setting registers: its name, or as the template writes it
    (``${Name}``) when neither a resource nor a parameter of the stack gives it; None for a
    sync."""


@dataclass(frozen=True)
class DeployedConfiguration:
    configuration_id: str
    region: str
    stack: str | None
    associations: list[DeployedAssociation] = field(default_factory=list)
    settings: list[DeployedSetting] = field(default_factory=list)
    """Read from the stack (``--stack``); empty otherwise."""

    @property
    def targets(self) -> str:
        for association in self.associations:
            if association.document_kind != "Automation" and association.targets:
                return "; ".join(target.describe() for target in association.targets)
        for association in self.associations:
            if association.targets:
                return "; ".join(target.describe() for target in association.targets)
        return "no targets"


def find_configurations(aws: Aws, stack_name: str | None) -> list[DeployedConfiguration]:
    """The configurations of stack ``stack_name``, or every one in the account and Region.

    Raises :class:`CliError` for an unknown stack, or when there is no configuration.
    """
    settings: list[tuple[str, DeployedSetting]] = []
    if stack_name is not None:
        stack = _StackReader(aws, stack_name)
        associations = list(_stack_associations(stack))
        settings = _stack_settings(stack)
    else:
        associations = list(_all_associations(aws))
    configurations: dict[str, DeployedConfiguration] = {}
    for association in associations:
        configuration_id = association.match.configuration_id
        configuration = configurations.setdefault(
            configuration_id,
            DeployedConfiguration(configuration_id, aws.region, stack_name),
        )
        configuration.associations.append(association)
    for configuration_id, setting in settings:
        if configuration_id in configurations:
            configurations[configuration_id].settings.append(setting)
    share_account_wide(
        {key: configuration.associations for key, configuration in configurations.items()},
        lambda association: association.match,
    )
    order = {option.key: index for index, option in enumerate(catalogue())}
    for configuration in configurations.values():
        configuration.associations.sort(key=lambda a: order.get(a.match.key, len(order)))
    return sorted(configurations.values(), key=lambda c: c.configuration_id)


def _all_associations(aws: Aws) -> Iterable[DeployedAssociation]:
    """Associations named ``QuickSetup-*``: the name filter of ``ListAssociations`` is not
    documented to match prefixes, so every association is listed and the names are checked
    here."""
    associations = list(paginate(aws.client("ssm"), "list_associations", "Associations"))
    matches = match_associations(a.get("AssociationName", "") for a in associations)
    found = False
    for association in associations:
        match = matches.get(association.get("AssociationName", ""))
        if match is not None:
            found = True
            yield DeployedAssociation.from_api(association, match)
    if not found:
        raise CliError(
            f"no Quick Setup configuration in {aws.region} (account {aws.account}): no "
            f"association there is named {PREFIX}*; deploy one, or pass --region"
        )


def stack_resources(aws: Aws, stack_name: str) -> list[dict[str, Any]]:
    """Every resource of the stack and of its nested stacks (``ListStackResources``)."""
    return [resource for _, resource in _owned_stack_resources(aws, stack_name)]


def _owned_stack_resources(aws: Aws, stack_name: str) -> list[tuple[str, dict[str, Any]]]:
    """(the stack that holds it, resource) of every resource of the stack and of its nested
    stacks."""
    from botocore.exceptions import ClientError

    cloudformation = aws.client("cloudformation")
    resources: list[tuple[str, dict[str, Any]]] = []
    pending = [stack_name]
    while pending:
        name = pending.pop(0)
        try:
            for resource in paginate(
                cloudformation, "list_stack_resources", "StackResourceSummaries", StackName=name
            ):
                resources.append((name, resource))
                if resource.get("ResourceType") == _NESTED_STACK and resource.get(
                    "PhysicalResourceId"
                ):
                    pending.append(resource["PhysicalResourceId"])
        except ClientError as error:
            if error_code(error) == "ValidationError" and "does not exist" in str(error):
                raise CliError(
                    f"stack {name!r} does not exist in {aws.region}: check the name "
                    "(`aws cloudformation list-stacks`), or pass --region"
                ) from None
            raise
    return resources


class _StackReader:
    """A stack's resources, and its templates (each read once, when first needed)."""

    def __init__(self, aws: Aws, stack_name: str) -> None:
        self.aws = aws
        self.name = stack_name
        self.resources = _owned_stack_resources(aws, stack_name)
        self._templates: dict[str, TemplateSpec | None] = {}
        self._parameters: dict[str, dict[str, str]] = {}

    def template(self, stack: str) -> TemplateSpec | None:
        """The template of ``stack`` (the stack or a nested one), or None if unreadable."""
        if stack not in self._templates:
            body = (
                self.aws.client("cloudformation").get_template(StackName=stack).get("TemplateBody")
            )
            self._templates[stack] = parse_template_body(body)
        return self._templates[stack]

    def physical_id(self, stack: str, logical_id: str) -> str | None:
        for owner, resource in self.resources:
            if owner == stack and resource.get("LogicalResourceId") == logical_id:
                return resource.get("PhysicalResourceId")
        return None

    def parameter(self, stack: str, key: str) -> str | None:
        """The value ``stack`` was deployed with for its parameter ``key`` (``DescribeStacks``:
        the ``ResolvedValue`` of a Systems Manager parameter type, else ``ParameterValue``);
        None when it has no such parameter, or hides its value (``NoEcho``: "masked with
        asterisks", which no role name holds)."""
        if stack not in self._parameters:
            described = self.aws.client("cloudformation").describe_stacks(StackName=stack)
            self._parameters[stack] = {
                parameter.get("ParameterKey", ""): parameter.get("ResolvedValue")
                or parameter.get("ParameterValue", "")
                for stack_ in described.get("Stacks", [])[:1]
                for parameter in stack_.get("Parameters", [])
            }
        value = self._parameters[stack].get(key)
        return None if not value or set(value) == {"*"} else value


def _stack_associations(stack: _StackReader) -> Iterable[DeployedAssociation]:
    """The stack's associations as Systems Manager describes them; one that Systems Manager
    no longer has (deleted outside CloudFormation) from the template, marked ``missing``."""
    from botocore.exceptions import ClientError

    ssm = stack.aws.client("ssm")
    descriptions: list[tuple[dict[str, Any], bool]] = []
    """(description, whether Systems Manager no longer has it)"""
    for owner, resource in stack.resources:
        if resource.get("ResourceType") != ASSOCIATION or not resource.get("PhysicalResourceId"):
            continue
        association_id = resource["PhysicalResourceId"]
        try:
            description = ssm.describe_association(AssociationId=association_id)[
                "AssociationDescription"
            ]
        except ClientError as error:
            if error_code(error) != "AssociationDoesNotExist":
                raise
            descriptions.append((_from_template(stack, owner, resource), True))
        else:
            descriptions.append((description, False))
    matches = match_associations(d.get("AssociationName", "") for d, _ in descriptions)
    found = False
    for description, missing in descriptions:
        match = matches.get(description.get("AssociationName", ""))
        if match is not None:
            found = True
            association = DeployedAssociation.from_api(description, match)
            yield replace(association, missing=True) if missing else association
    if not found:
        if any(resource.get("ResourceType") == STACK_SET for _, resource in stack.resources):
            raise CliError(
                f"stack {stack.name!r} deploys its configuration to other accounts through "
                f"StackSets: run `quicksetup status --org --stack {stack.name}`"
            )
        raise CliError(
            f"stack {stack.name!r} in {stack.aws.region} has no Quick Setup association "
            f"(none named {PREFIX}*)"
        )


def _from_template(stack: _StackReader, owner: str, resource: dict[str, Any]) -> dict[str, Any]:
    """An association the stack holds and Systems Manager does not, as ``DescribeAssociation``
    would have described it, from the template (its name, document, targets, schedule)."""
    association_id = resource["PhysicalResourceId"]
    template = stack.template(owner)
    spec = next(
        (
            a
            for a in (template.associations if template else ())
            if a.logical_id == resource.get("LogicalResourceId")
        ),
        None,
    )
    if spec is None:
        return {"AssociationId": association_id, "AssociationName": ""}
    return {
        "AssociationId": association_id,
        "AssociationName": spec.association_name,
        "Name": spec.document,
        "Targets": [{"Key": t.key, "Values": list(t.values)} for t in spec.targets],
        **({"ScheduleExpression": spec.schedule} if spec.schedule else {}),
    }


def _stack_settings(stack: _StackReader) -> list[tuple[str, DeployedSetting]]:
    """(configuration id, setting) of the stack's DHMC service settings (configuration and
    role from the template) and inventory syncs (configuration from the sync's name)."""
    found: list[tuple[str, DeployedSetting]] = []
    owners = list(
        dict.fromkeys(
            owner
            for owner, resource in stack.resources
            if resource.get("ResourceType") == SERVICE_SETTING
        )
    )
    for owner in owners:
        template = stack.template(owner)
        present = {
            resource.get("LogicalResourceId")
            for who, resource in stack.resources
            if who == owner and resource.get("ResourceType") == SERVICE_SETTING
        }
        for item in template.configuration_resources if template else ():
            if item.resource_type != SERVICE_SETTING or item.logical_id not in present:
                continue
            role = item.details.get("role")
            reference = _REFERENCE.fullmatch(role or "")
            if reference:  # a role of the stack, or a parameter; else unknown: role as written
                name = reference.group(1)
                role = stack.physical_id(owner, name) or stack.parameter(owner, name) or role
            found.append(
                (
                    item.configuration_id,
                    DeployedSetting(
                        HOST_MANAGEMENT,
                        item.details.get("setting", ""),
                        role,
                    ),
                )
            )
    for _, resource in stack.resources:
        name = resource.get("PhysicalResourceId") or ""
        if resource.get("ResourceType") == RESOURCE_DATA_SYNC and name.startswith(
            INVENTORY_SYNC_PREFIX
        ):
            found.append(
                (name[len(INVENTORY_SYNC_PREFIX) :], DeployedSetting(INVENTORY_SYNC, name))
            )
    return found


_ASSOCIATION_ID = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)


def find_association(aws: Aws, id_or_name: str) -> DeployedAssociation:
    """The association whose id (``DescribeAssociation``) or name (``ListAssociations``,
    filtered by name) is ``id_or_name``. One that is not named ``QuickSetup-*`` is read all
    the same, as an option of its own name.

    Raises :class:`CliError` when there is none, or when several have that name.
    """
    from botocore.exceptions import ClientError

    ssm = aws.client("ssm")
    if _ASSOCIATION_ID.fullmatch(id_or_name):
        try:
            description = ssm.describe_association(AssociationId=id_or_name)[
                "AssociationDescription"
            ]
        except ClientError as error:
            if error_code(error) != "AssociationDoesNotExist":
                raise
            raise CliError(
                f"no association {id_or_name} in {aws.region} (account {aws.account}): check "
                "the id (`aws ssm list-associations`), or pass --region"
            ) from None
    else:
        named = [
            association
            for association in paginate(
                ssm,
                "list_associations",
                "Associations",
                AssociationFilterList=[{"key": "AssociationName", "value": id_or_name}],
            )
            if association.get("AssociationName") == id_or_name
        ]
        if not named:
            raise CliError(
                f"no association named {id_or_name!r} in {aws.region} (account "
                f"{aws.account}): check the name (`aws ssm list-associations`), or pass --region"
            )
        if len(named) > 1:
            ids = ", ".join(association["AssociationId"] for association in named)
            raise CliError(
                f"{len(named)} associations are named {id_or_name!r} in {aws.region}: pass "
                f"the id of one ({ids})"
            )
        description = named[0]
    name = description.get("AssociationName", "")
    match = match_associations([name]).get(name) or OptionMatch(None, "", name or id_or_name)
    return DeployedAssociation.from_api(description, match)
