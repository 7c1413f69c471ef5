"""The one renderer: a configuration becomes its State Manager associations and, when chosen,
the resources of the account and Region (Default Host Management Configuration, the inventory's
resource data sync), wherever it is placed."""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from ..configuration import Configuration
from ..options import RenderContext
from ..options.inventory_sync import BucketReference
from .default_host_management import render_default_host_management
from .documents import document_name
from .inventory_sync import render_inventory_sync
from .shared import stack_of


@dataclass(frozen=True)
class RoleReferences:
    """How the rendered resources name the roles they run under ("" where not needed)."""

    service_role_arn: str = ""
    """The role that attaches the instance profile."""
    instance_profile_name: str = ""
    explorer_role_arn: str = ""
    """The role that enables Explorer."""
    default_host_management_role_name: str = ""
    """The Default Host Management Configuration role, as the service setting holds it."""


@dataclass(frozen=True)
class RenderedConfiguration:
    associations: dict[str, ssm.CfnAssociation]
    """One association per enabled option, keyed by option."""
    default_host_management: ssm.CfnServiceSetting | None
    """The DHMC service setting (None when ``default_host_management`` is off)."""
    inventory_sync: cdk.CfnResource | None
    """The resource data sync of the inventory (None without ``inventory_sync``)."""

    @property
    def creates_nothing(self) -> bool:
        return (
            not self.associations
            and self.default_host_management is None
            and self.inventory_sync is None
        )


def render_configuration(
    scope: Construct,
    configuration: Configuration,
    roles: RoleReferences,
    inventory_bucket: BucketReference | None = None,
) -> RenderedConfiguration:
    """Create ``configuration``'s resources in ``scope``; ``inventory_bucket`` is where the
    inventory goes, given with ``configuration.inventory_sync``.

    Construct ids are the options' ``association_name`` and fixed names, so each logical ID
    stays the same whatever else changes.
    """
    sync = configuration.inventory_sync
    if sync is not None:
        assert inventory_bucket is not None, "inventory_sync needs the bucket it writes to"
    return RenderedConfiguration(
        associations=_render_associations(scope, configuration, roles),
        default_host_management=(
            render_default_host_management(
                scope, configuration.configuration_id, roles.default_host_management_role_name
            )
            if configuration.default_host_management
            else None
        ),
        inventory_sync=(
            render_inventory_sync(scope, configuration.configuration_id, sync, inventory_bucket)
            if sync is not None and inventory_bucket is not None
            else None
        ),
    )


def _render_associations(
    scope: Construct, configuration: Configuration, roles: RoleReferences
) -> dict[str, ssm.CfnAssociation]:
    context = RenderContext(
        settings=configuration.settings,
        enabled=configuration.enabled,
        service_role_arn=roles.service_role_arn,
        instance_profile_name=roles.instance_profile_name,
        explorer_role_arn=roles.explorer_role_arn,
        attachable_policies=configuration.attachable_policies,
    )
    associations = {}
    account_wide = _ACCOUNT_WIDE.setdefault(stack_of(scope), {})
    for option in configuration.options:
        if not option.targets_instances and option.key in account_wide:
            associations[option.key] = account_wide[option.key]
            continue
        associations[option.key] = ssm.CfnAssociation(
            scope,
            option.association_name,
            name=document_name(scope, option.document),
            association_name=configuration.association_name(option),
            targets=(
                configuration.targets.render(option.document_kind)
                if option.targets_instances
                else None
            ),
            parameters=dict(option.parameters(context)) or None,
            schedule_expression=configuration.schedules[option.key],
            sync_compliance=option.sync_compliance,
            automation_target_parameter_name=option.automation_target_parameter_name,
        )
        if not option.targets_instances:
            account_wide[option.key] = associations[option.key]
    return associations


def account_wide_associations(stack: cdk.Stack) -> Mapping[str, ssm.CfnAssociation]:
    """The associations of ``stack`` that act on its account and Region, by option."""
    return _ACCOUNT_WIDE.get(stack, {})


_ACCOUNT_WIDE: weakref.WeakKeyDictionary[cdk.Stack, dict[str, ssm.CfnAssociation]] = (
    weakref.WeakKeyDictionary()
)
"""The associations of options that act on the account and Region rather than on instances
(Explorer), by stack and option: the first configuration of a stack that enables one creates
it, under its own construct path and name, and the configurations after it share it, as Quick
Setup turns Explorer on once per account and Region."""
