"""The two stacks a configuration deploys into every member account.

IAM is global, so the roles and the instance profile live in an *account* stack that one
StackSet deploys to a single home Region of each account, under fixed names. The *regional*
stack, deployed to every Region, holds the documents and associations and finds the roles by
name. Both are rendered by the same code as :class:`~quicksetup_constructs.QuickSetupLocal`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ssm as ssm

from ..configuration import Configuration
from ..options.inventory_sync import BucketReference
from ..rendering.renderer import RoleReferences, render_configuration
from ..rendering.roles import AccountWideNames, QuickSetupRoles
from ..rendering.shared import format_arn
from .template import template_stack

BUCKET_NAME_PARAMETER = "InventoryBucketName"
BUCKET_REGION_PARAMETER = "InventoryBucketRegion"


def account_wide_names(
    configuration_id: str, *, existing: Mapping[str, str | None] | None = None
) -> AccountWideNames:
    """The fixed names of a configuration's roles and instance profile in every account.

    ``existing``: names of roles that exist already in every account, by field of
    :class:`AccountWideNames` (``instance_role``, ``automation_role``, ``explorer_role``,
    ``default_host_management_role``; None: create the role). Default: create every role."""
    given: dict[str, Any] = {
        field: name for field, name in (existing or {}).items() if name is not None
    }
    return replace(
        AccountWideNames(
            instance_role=f"QuickSetup-Instance-{configuration_id}",
            instance_profile=f"QuickSetup-Instance-{configuration_id}",
            automation_role=f"QuickSetup-Automation-{configuration_id}",
            explorer_role=f"QuickSetup-Explorer-{configuration_id}",
            default_host_management_role=f"QuickSetup-DHMC-{configuration_id}",
            existing=frozenset(given),
        ),
        **given,
    )


@dataclass(frozen=True)
class MemberStacks:
    account: cdk.Stack
    """The roles and the instance profile, deployed once per account."""
    regional: cdk.Stack
    """The documents and associations, deployed to every Region."""
    associations: Mapping[str, ssm.CfnAssociation]
    """The associations of the regional stack, keyed by option."""
    bucket_parameters: tuple[str, str] | None = None
    """Names of the regional template's parameters for the name and Region of the inventory
    bucket the configuration creates (None when it creates none)."""


def build_member_stacks(
    app: cdk.App,
    configuration: Configuration,
    names: AccountWideNames,
    *,
    removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
) -> MemberStacks:
    """The account and regional stacks of ``configuration`` in ``app``. ``removal_policy``:
    of the instance role and profile, which instances keep using after a stack is deleted."""
    configuration_id = configuration.configuration_id
    account = template_stack(
        app,
        "AccountRoles",
        f"Quick Setup Host Management {configuration_id}: IAM roles and instance profile "
        "(one home Region per account)",
    )
    roles = QuickSetupRoles(account, "QuickSetupRoles", account_wide=names)
    if names.creates("instance_role"):
        instance_role: iam.IRole = roles.instance_role(configuration.instance_role_policies)
        instance_profile = roles.instance_profile()
    else:
        instance_role = iam.Role.from_role_name(account, "InstanceRole", names.instance_role)
        instance_profile = roles.instance_profile(instance_role)
    roles.retain_instance_profile(removal_policy)
    if configuration.attaches_profile and names.creates("automation_role"):
        roles.allow_attaching(instance_profile, instance_role, configuration.attachable_policies)
    if configuration.enables_explorer and names.creates("explorer_role"):
        roles.explorer_role()
    if configuration.default_host_management and names.creates("default_host_management_role"):
        roles.default_host_management_role()

    regional = template_stack(
        app,
        "Associations",
        f"Quick Setup Host Management {configuration_id}: State Manager associations",
    )
    service_role_arn = ""
    if configuration.attaches_profile:
        service_role_arn = _role_arn(regional, names.automation_role)
    sync = configuration.inventory_sync
    bucket_parameters = None
    inventory_bucket = sync.bucket if sync is not None else None
    if sync is not None and sync.creates_bucket:
        # The bucket is created beside the StackSets; its name reaches the template as a
        # parameter of the StackSet.
        bucket_parameters = (BUCKET_NAME_PARAMETER, BUCKET_REGION_PARAMETER)
        inventory_bucket = BucketReference(
            cdk.CfnParameter(
                regional,
                BUCKET_NAME_PARAMETER,
                type="String",
                description="The bucket that receives the inventory.",
            ).value_as_string,
            cdk.CfnParameter(
                regional,
                BUCKET_REGION_PARAMETER,
                type="String",
                description="The Region of the bucket that receives the inventory.",
            ).value_as_string,
        )
    rendered = render_configuration(
        regional,
        configuration,
        RoleReferences(
            service_role_arn=service_role_arn,
            instance_profile_name=names.instance_profile,
            explorer_role_arn=(
                _role_arn(regional, names.explorer_role) if configuration.enables_explorer else ""
            ),
            default_host_management_role_name=(
                names.default_host_management_role if configuration.default_host_management else ""
            ),
        ),
        None if inventory_bucket is None else inventory_bucket.in_organization(),
    )
    associations = rendered.associations
    if rendered.creates_nothing:
        # Every option is off: CloudFormation rejects a template without resources, so the
        # regional stacks hold one that costs nothing and does nothing.
        cdk.CfnWaitConditionHandle(regional, "NoOptionEnabled")
    return MemberStacks(
        account=account,
        regional=regional,
        associations=associations,
        bucket_parameters=bucket_parameters,
    )


def _role_arn(stack: cdk.Stack, role_name: str) -> str:
    """The ARN of the account stack's role ``role_name``, in a regional stack, as
    ``iam.Role.from_role_name(stack, ..., role_name).role_arn`` renders it (without importing
    the role, which adds nothing to the template)."""
    return format_arn(stack, "iam", "role", role_name, region="")
