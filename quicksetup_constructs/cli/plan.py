"""``quicksetup plan``: what a synthesized cloud assembly will configure, offline.

Every association named ``QuickSetup-<option>-<id>`` is an option of configuration ``<id>``,
wherever it is: in a stack's template (a local configuration) or inside a StackSet's
``TemplateBody`` (an organization configuration, deployed to OUs × Regions).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .assembly import AssemblyStack, read_assembly
from .catalogue import (
    OptionMatch,
    catalogue,
    match_associations,
    max_organization_targets,
    settings,
    share_account_wide,
)
from .errors import CliError
from .rollout import Rollout, plan_rollout
from .schedules import Schedule, describe_schedule
from .templates import AssociationSpec, ConfigurationResource, StackSetSpec


@dataclass(frozen=True)
class PlannedOption:
    """One option of a configuration: the association it creates."""

    key: str
    title: str
    association_name: str
    logical_id: str
    document: str
    """The document's name, or the logical id of the document the stack creates."""
    created_by_stack: bool
    document_type: str
    document_steps: tuple[str, ...]
    """``name (action)`` of each step, for a document the stack creates."""
    parameters: dict[str, list[str]]
    targets: str
    schedule: Schedule
    sync_compliance: str | None


@dataclass(frozen=True)
class PlannedSetting:
    """What a configuration sets in each account and Region besides its associations."""

    key: str
    title: str
    logical_id: str
    resource_type: str
    details: dict[str, str]


@dataclass(frozen=True)
class Created:
    """Resources created in one place (a stack, or every stack instance of a StackSet)."""

    where: str
    resources: dict[str, int]


@dataclass(frozen=True)
class StackSetDeployment:
    """Where an organization configuration's StackSet deploys, and how fast."""

    name: str
    logical_id: str
    description: str | None
    organizational_unit_ids: list[str]
    regions: list[str]
    accounts: int | None
    """Accounts deployed to; None when unknown (give ``--accounts``)."""
    targets: int | None
    """Stack instances: accounts × Regions."""
    limit: int
    auto_deployment: bool
    rollout: Rollout | None
    resources: dict[str, int]
    """What every stack instance creates, by resource type."""

    JSON_EXTRA = ("within_limit",)

    @property
    def within_limit(self) -> bool | None:
        return None if self.targets is None else self.targets <= self.limit


@dataclass(frozen=True)
class PlannedConfiguration:
    configuration_id: str
    stack: str
    kind: str
    """``local`` or ``organization``."""
    targets: str
    options: list[PlannedOption]
    not_configured: list[tuple[str, str]]
    """(key, title) of the catalogue's options and settings the configuration does not use."""
    settings: list[PlannedSetting] = field(default_factory=list)
    """Default Host Management Configuration and the inventory sync, when configured."""
    stack_sets: list[StackSetDeployment] = field(default_factory=list)
    created: list[Created] = field(default_factory=list)


@dataclass(frozen=True)
class Plan:
    assembly: str
    now: datetime
    configurations: list[PlannedConfiguration]

    @property
    def over_a_limit(self) -> bool:
        """Whether a StackSet would deploy more stack instances than the limit allows."""
        return any(
            deployment.within_limit is False
            for configuration in self.configurations
            for deployment in configuration.stack_sets
        )


def build_plan(
    directory: str | Path,
    *,
    now: datetime,
    accounts: int | None = None,
    context_files: Sequence[Path] = (),
) -> Plan:
    """The plan of the cloud assembly in ``directory``.

    ``accounts``: the number of accounts under the OUs of organization configurations; by
    default the count cached by the last synth in ``cdk.context.json`` (one of
    ``context_files``), if any.
    """
    stacks = read_assembly(directory)
    configurations: list[PlannedConfiguration] = []
    for stack in stacks:
        configurations.extend(_local(stack, now))
        for stack_set in stack.template.stack_sets:
            configurations.extend(_organization(stack, stack_set, now, accounts, context_files))
    if not configurations:
        raise CliError(
            f"no Quick Setup configuration in the cloud assembly {directory}: none of its "
            f"{len(stacks)} stack(s) has an association named QuickSetup-*"
        )
    return Plan(str(directory), now, configurations)


def _local(stack: AssemblyStack, now: datetime) -> Iterable[PlannedConfiguration]:
    for configuration_id, associations in by_configuration(stack.template.associations):
        planned_settings = configuration_settings(
            stack.template.configuration_resources, configuration_id
        )
        yield PlannedConfiguration(
            configuration_id=configuration_id,
            stack=stack.stack_name,
            kind="local",
            targets=targets_in_words(associations),
            options=[_option(association, match, now) for association, match in associations],
            not_configured=_not_configured(associations, planned_settings),
            settings=planned_settings,
            created=[
                Created(
                    f"stack {stack.stack_name} (shared by its configurations)",
                    stack.template.resource_types,
                )
            ],
        )


def _organization(
    stack: AssemblyStack,
    stack_set: StackSetSpec,
    now: datetime,
    accounts: int | None,
    context_files: Sequence[Path],
) -> Iterable[PlannedConfiguration]:
    if stack_set.template is None:
        return
    for configuration_id, associations in by_configuration(stack_set.template.associations):
        related = [stack_set] + [
            other
            for other in stack.template.stack_sets
            if other is not stack_set and configuration_id in other.name
        ]
        deployments = [
            _deployment(other, accounts, context_files)
            for other in sorted(related, key=lambda s: len(s.regions))
        ]
        planned_settings = configuration_settings(
            stack_set.template.configuration_resources, configuration_id, stack_set.parameters
        )
        yield PlannedConfiguration(
            configuration_id=configuration_id,
            stack=stack.stack_name,
            kind="organization",
            targets=targets_in_words(associations) + ", in every account × Region",
            options=[_option(association, match, now) for association, match in associations],
            not_configured=_not_configured(associations, planned_settings),
            settings=planned_settings,
            stack_sets=deployments,
            created=[
                Created(
                    f"every stack instance of StackSet {other.name}",
                    other.template.resource_types if other.template else {},
                )
                for other in sorted(related, key=lambda s: len(s.regions))
            ],
        )


def by_configuration(
    associations: Sequence[AssociationSpec],
) -> list[tuple[str, list[tuple[AssociationSpec, OptionMatch]]]]:
    """The associations named ``QuickSetup-*`` grouped by configuration id, each group in the
    catalogue's order (the account-wide ones shared by every configuration of the template)."""
    matches = match_associations(a.association_name for a in associations)
    groups: dict[str, list[tuple[AssociationSpec, OptionMatch]]] = {}
    for association in associations:
        match = matches.get(association.association_name)
        if match is not None:
            groups.setdefault(match.configuration_id, []).append((association, match))
    share_account_wide(groups, lambda pair: pair[1])
    order = {option.key: index for index, option in enumerate(catalogue())}
    return [
        (key, sorted(group, key=lambda pair: order.get(pair[1].key, len(order))))
        for key, group in groups.items()
    ]


def _option(association: AssociationSpec, match: OptionMatch, now: datetime) -> PlannedOption:
    document = association.document
    steps: tuple[str, ...] = ()
    if association.document_resource is not None:
        resource = association.document_resource
        document = resource.name or resource.logical_id
        steps = tuple(f"{name} ({action})" for name, action in resource.steps)
    return PlannedOption(
        key=match.key,
        title=match.title,
        association_name=association.association_name,
        logical_id=association.logical_id,
        document=document,
        created_by_stack=association.document_resource is not None,
        # The catalogue knows the kind of an AWS document; the template tells only for ours.
        document_type=(
            match.option.document_kind.value if match.option else association.document_type
        ),
        document_steps=steps,
        parameters=association.parameters,
        targets=association.describe_targets(),
        schedule=describe_schedule(
            association.schedule,
            now=now,
            apply_only_at_cron_interval=association.apply_only_at_cron_interval,
        ),
        sync_compliance=association.sync_compliance,
    )


def _not_configured(
    associations: Sequence[tuple[AssociationSpec, OptionMatch]],
    planned_settings: Sequence[PlannedSetting],
) -> list[tuple[str, str]]:
    used = {match.option.key for _, match in associations if match.option}
    used |= {setting.key for setting in planned_settings}
    return [(option.key, option.title) for option in catalogue() if option.key not in used] + [
        (key, title) for key, title in settings() if key not in used
    ]


def configuration_settings(
    resources: Sequence[ConfigurationResource],
    configuration_id: str,
    parameters: dict[str, str] | None = None,
) -> list[PlannedSetting]:
    """The settings of ``configuration_id``; ``${Name}`` of a template parameter is replaced by
    the value its StackSet gives it (``parameters``)."""
    given = {f"${{{name}}}": value for name, value in (parameters or {}).items()}
    titles = dict(settings())
    order = list(titles)
    return sorted(
        (
            PlannedSetting(
                key=resource.key,
                title=titles.get(resource.key, resource.key),
                logical_id=resource.logical_id,
                resource_type=resource.resource_type,
                details={
                    label: given.get(value, value) for label, value in resource.details.items()
                },
            )
            for resource in resources
            if resource.configuration_id == configuration_id
        ),
        key=lambda setting: order.index(setting.key) if setting.key in order else len(order),
    )


def targets_in_words(associations: Sequence[tuple[AssociationSpec, OptionMatch]]) -> str:
    """The instances, in words; the command documents' wording when they differ by type."""
    described = [a.describe_targets() for a, _ in associations if a.document_type != "Automation"]
    described = described or [a.describe_targets() for a, _ in associations]
    return described[0] if described else "no targets"


def _deployment(
    stack_set: StackSetSpec, accounts: int | None, context_files: Sequence[Path]
) -> StackSetDeployment:
    units = stack_set.organizational_unit_ids
    count = accounts
    if count is None and stack_set.accounts and not units:
        count = len(stack_set.accounts)
    if count is None and units:
        count = _cached_account_count(units, context_files)
    regions = stack_set.regions
    targets = None if count is None else count * len(regions)
    return StackSetDeployment(
        name=stack_set.name,
        logical_id=stack_set.logical_id,
        description=stack_set.description,
        organizational_unit_ids=units,
        regions=regions,
        accounts=count,
        targets=targets,
        limit=max_organization_targets(),
        auto_deployment=bool(stack_set.auto_deployment.get("Enabled")),
        rollout=(
            None
            if count is None
            else plan_rollout(stack_set.operation_preferences, accounts=count, regions=len(regions))
        ),
        resources=stack_set.template.resource_types if stack_set.template else {},
    )


def _cached_account_count(units: Sequence[str], context_files: Sequence[Path]) -> int | None:
    """The account count the construct looked up and cached in ``cdk.context.json``."""
    from quicksetup_constructs.organization.accounts import context_key

    key = context_key(units)
    for path in context_files:
        try:
            value = json.loads(path.read_text(encoding="utf-8")).get(key)
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
    return None
