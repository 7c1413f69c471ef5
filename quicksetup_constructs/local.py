"""QuickSetupLocal: Quick Setup Host Management for one account and Region."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from .configuration import Configuration, configuration_from_props
from .conflicts import check_conflicts, local_coverage, register
from .errors import QuickSetupValidationError
from .options import InventorySettings, InventorySync, ScanBaseline
from .options.inventory_sync import BucketReference
from .rendering.athena import InventoryAthena, render_inventory_athena
from .rendering.default_host_management import setting_value_of_role_arn
from .rendering.inventory_sync import create_inventory_bucket
from .rendering.renderer import RoleReferences, render_configuration
from .rendering.roles import NAMED_IAM_METADATA, QuickSetupRoles, named_iam
from .rendering.shared import node_path, remember_stack, stack_environment, token_attribute
from .rendering.stack_limit import check_stack_limit, local_resources, record
from .service_setting_regions import check_service_setting_regions
from .targets import InstanceTargets
from .validation import (
    check_given_only_with,
    check_id,
    check_pattern,
    check_removal_policy,
    check_role,
    check_scope,
)

if TYPE_CHECKING:  # aws_s3 is imported only when a configuration creates a bucket
    from aws_cdk import aws_s3 as s3


class QuickSetupLocal(Construct):
    """Configures the instances of this stack's account and Region the way Quick Setup's Host
    Management does: an instance profile for instances that have none, and one State Manager
    association per chosen option.

    Several configurations may share a stack; they share the default roles and the documents.
    Two configurations of one app that can reach the same instances are caught at synth time:
    both collecting inventory is an error, both scanning for patches a warning (see
    :mod:`quicksetup_constructs.conflicts`).
    """

    configuration: Configuration
    """The validated configuration (options, schedules, targets, id)."""
    instance_role: iam.IRole | None
    """The role in the instance profile (created, or ``instance_profile_role``; None for an
    existing ``instance_profile_name`` given without its role)."""
    instance_profile: iam.IInstanceProfile
    """The instance profile attached to targeted instances that have none (created, or the
    existing ``instance_profile_name``)."""
    service_role: iam.IRole | None
    """The role Systems Manager Automation uses to attach the profile (None when
    ``attach_instance_profile`` is off and no role was given)."""
    explorer_role: iam.IRole | None
    """The role ``AWS-EnableExplorer`` runs under (created, or ``explorer_role``; None when
    ``enable_explorer`` is off and no role was given)."""
    associations: Mapping[str, ssm.CfnAssociation]
    """The associations, keyed by option (``update_ssm_agent``, ...,
    ``attach_instance_profile``)."""
    default_host_management_role: iam.IRole | None
    """The role Default Host Management Configuration gives instances (created, or
    ``default_host_management_role``; None when ``default_host_management`` is off)."""
    default_host_management: ssm.CfnServiceSetting | None
    """The service setting that turns Default Host Management Configuration on (None when
    ``default_host_management`` is off)."""
    inventory_bucket: s3.IBucket | None
    """The bucket created for the inventory (None unless ``InventorySync.to_new_bucket()``)."""
    inventory_sync: cdk.CfnResource | None
    """The resource data sync that delivers the inventory (None without ``inventory_sync``): an
    ``AWS::SSM::ResourceDataSync``, or for a bucket of the organization the custom resource
    that creates one with Organization data sharing."""
    inventory_athena: InventoryAthena | None
    """The Glue database, tables and crawler and the Athena workgroup over the inventory (None
    unless ``inventory_sync`` has ``athena=True``)."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        targets: InstanceTargets | None = None,
        update_ssm_agent: bool = True,
        update_ec2_launch_agent: bool = False,
        collect_inventory: bool = True,
        scan_for_patches: bool = True,
        install_cloudwatch_agent: bool = False,
        update_cloudwatch_agent: bool = False,
        attach_instance_profile: bool = True,
        enable_explorer: bool = True,
        default_host_management: bool = False,
        instance_profile_role: iam.IRole | None = None,
        instance_profile_name: str | None = None,
        service_role: iam.IRole | None = None,
        explorer_role: iam.IRole | None = None,
        default_host_management_role: iam.IRole | None = None,
        allow_policy_attach: bool = False,
        schedules: Mapping[str, str] | None = None,
        inventory: InventorySettings | None = None,
        scan_baseline: ScanBaseline | None = None,
        inventory_sync: InventorySync | None = None,
        cloudwatch_agent_config_parameter: str | None = None,
        configuration_id: str | None = None,
        instance_profile_removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
    ) -> None:
        """
        :param targets: The instances to manage. Default: ``InstanceTargets.all_instances()``.
        :param update_ssm_agent: Update SSM Agent every 14 days. Default: True.
        :param update_ec2_launch_agent: Update the EC2Launch v2 agent of Windows instances every
            30 days. Default: False.
        :param collect_inventory: Collect inventory every 30 minutes. Default: True.
        :param scan_for_patches: Scan for missing patches daily (compliance only, nothing is
            installed). Default: True.
        :param install_cloudwatch_agent: Install and configure the CloudWatch agent once.
            Default: False.
        :param update_cloudwatch_agent: Update the CloudWatch agent every 30 days. Default: False.
        :param attach_instance_profile: Attach the instance profile every 30 days to targeted
            instances that have none (never replacing one). Default: True.
        :param enable_explorer: Enable Systems Manager Explorer in the account and Region once
            (``AWS-EnableExplorer``, as Quick Setup does), with a role of its own. A stack
            enables it once: the first configuration that asks creates the association, and the
            ones after it share it (``associations["enable_explorer"]``). Default: True.
        :param default_host_management: Turn on Default Host Management Configuration for the
            account and Region, with a role trusted by Systems Manager that carries
            AmazonSSMManagedEC2InstanceDefaultPolicy: instances without an instance profile are
            managed too (they need IMDSv2 and SSM Agent 3.2.582.0 or later). It acts on every
            instance, whatever ``targets``, and is turned off again when the option is switched
            off or the construct removed. Default: False.
        :param instance_profile_role: The role for the instance profile. Default: a role trusted
            by EC2 with AmazonSSMManagedInstanceCore and AmazonSSMPatchAssociation (and
            CloudWatchAgentServerPolicy when a CloudWatch option is on), shared in the stack.
            With ``instance_profile_name``: the role that existing profile holds (no profile is
            created; ``iam:PassRole`` of the default service role is granted on this role only).
        :param instance_profile_name: The name of an instance profile that exists in the
            account, used as it is, with ``attach_instance_profile``: the runbook attaches it,
            and no instance profile or instance role is created. Its role must already have
            the policies the options need (AmazonSSMManagedInstanceCore and
            AmazonSSMPatchAssociation, and CloudWatchAgentServerPolicy with a CloudWatch
            option; ``quicksetup preflight`` checks them). Without ``service_role``, also pass
            ``instance_profile_role`` (e.g. ``iam.Role.from_role_name(...)``), the role the
            profile holds: the default service role may pass that role only. 1-128 letters,
            digits and ``_+=,.@-``. Default: a profile created in the stack.
        :param service_role: The role Automation uses to attach the profile. Default: a role
            trusted by Systems Manager, limited to attaching this profile, shared in the stack
            (none when ``attach_instance_profile`` is off).
        :param explorer_role: The role ``AWS-EnableExplorer`` runs under. Default: a role
            trusted by Systems Manager Automation of this account, with
            AWSSystemsManagerEnableExplorerExecutionPolicy, shared in the stack (none when
            ``enable_explorer`` is off). The shared association runs under the role of the
            first configuration that enables Explorer.
        :param default_host_management_role: The role Default Host Management Configuration
            gives instances, with ``default_host_management``: trusted by ``ssm.amazonaws.com``
            and carrying AmazonSSMManagedEC2InstanceDefaultPolicy (or what your instances need).
            The service setting holds its path without the leading ``/`` and its name, read
            from its ARN (``service-role/MyRole`` for a role with ``path="/service-role/"``).
            Default: a role created in the stack, shared by its configurations.
        :param allow_policy_attach: For instances that already have a profile, attach to its
            role the policies the enabled options need: AmazonSSMManagedInstanceCore and
            AmazonSSMPatchAssociation, and CloudWatchAgentServerPolicy with a CloudWatch
            option. Default: False (such instances are left as they are).
        :param schedules: Schedule per option name, replacing the default, e.g.
            ``{"scan_for_patches": "cron(0 3 ? * * *)"}``. Default: Quick Setup's schedules.
        :param inventory: Inventory types to collect beyond Quick Setup's. Default: none.
        :param scan_baseline: The patch baseline the scan compares instances with:
            ``ScanBaseline.tagged(key, values)`` or ``ScanBaseline.of(cfn_patch_baseline)``.
            Default: each operating system's default patch baseline.
        :param inventory_sync: Deliver the inventory of the account and Region to one S3
            bucket: ``InventorySync.to_new_bucket()`` or ``InventorySync.to_bucket(name,
            region)``. Default: none (inventory stays in Systems Manager).
        :param cloudwatch_agent_config_parameter: Name of the SSM parameter holding the
            CloudWatch agent configuration. Default: the agent's default configuration.
        :param configuration_id: Ends every association name. Default: 8 hex digits derived
            from the construct path.
        :param instance_profile_removal_policy: What happens to the instance profile (and the
            default instance role in it) when it leaves the stack or the stack is deleted:
            instances that were given the profile keep using it, so it is kept by default.
            ``RETAIN``, ``RETAIN_ON_UPDATE_OR_DELETE`` or ``DESTROY``; configurations of one
            stack share the default role and profile, which keep the most retaining policy any
            of them asks for. A role you pass in is never deleted by this construct.
            Default: ``cdk.RemovalPolicy.RETAIN``.
        """
        stack = check_scope(scope)
        check_id(scope, id)
        check_role("instance_profile_role", instance_profile_role)
        check_role("service_role", service_role)
        check_role("explorer_role", explorer_role)
        check_role("default_host_management_role", default_host_management_role)
        check_removal_policy("instance_profile_removal_policy", instance_profile_removal_policy)
        path = f"{node_path(scope)}/{id}"
        configuration = configuration_from_props(path, locals())
        check_instance_profile_name(
            instance_profile_name,
            attaches_profile=configuration.attaches_profile,
            role_given=instance_profile_role is not None,
            service_role_given=service_role is not None,
        )
        check_given_only_with(
            "default_host_management_role",
            default_host_management_role,
            "default_host_management",
            configuration.default_host_management,
        )
        if configuration.default_host_management:
            check_service_setting_regions("default_host_management", [stack_environment(stack)[1]])
        coverage = local_coverage(stack, path, configuration)
        findings = check_conflicts(stack, coverage)
        resources = local_resources(
            stack,
            configuration,
            given_roles=frozenset(
                name
                for name, role in (
                    ("instance_profile_role", instance_profile_role),
                    ("instance_profile_name", instance_profile_name),
                    ("service_role", service_role),
                    ("explorer_role", explorer_role),
                    ("default_host_management_role", default_host_management_role),
                )
                if role is not None
            ),
        )
        check_stack_limit(stack, resources)
        super().__init__(scope, id)
        remember_stack(self, stack)
        self.configuration = configuration

        roles = QuickSetupRoles.of(self)
        if instance_profile_name is not None:
            self.instance_role = instance_profile_role
            self.instance_profile = iam.InstanceProfile.from_instance_profile_name(
                self, "InstanceProfile", instance_profile_name
            )
        elif instance_profile_role is None:
            self.instance_role = roles.instance_role(configuration.instance_role_policies)
            self.instance_profile = roles.instance_profile()
            roles.retain_instance_profile(instance_profile_removal_policy)
        else:
            self.instance_role = instance_profile_role
            self.instance_profile = iam.InstanceProfile(
                self, "InstanceProfile", role=instance_profile_role
            )
            self.instance_profile.apply_removal_policy(instance_profile_removal_policy)
        if service_role is not None:
            self.service_role = service_role
        elif configuration.attaches_profile:
            assert self.instance_role is not None  # check_instance_profile_name
            self.service_role = roles.allow_attaching(
                self.instance_profile,
                self.instance_role,
                configuration.attachable_policies,
                existing_profile=instance_profile_name is not None,
            )
        else:
            self.service_role = None
        if explorer_role is not None or not configuration.enables_explorer:
            self.explorer_role = explorer_role
        else:
            self.explorer_role = roles.explorer_role()

        if default_host_management_role is not None or not configuration.default_host_management:
            self.default_host_management_role = default_host_management_role
        else:
            self.default_host_management_role = roles.default_host_management_role()

        self.inventory_bucket = None
        inventory_bucket = None
        sync = configuration.inventory_sync
        if sync is not None and sync.creates_bucket:
            self.inventory_bucket = create_inventory_bucket(self, sync)
            inventory_bucket = BucketReference(self.inventory_bucket.bucket_name, stack.region)
        elif sync is not None:
            inventory_bucket = sync.bucket

        rendered = render_configuration(
            self,
            configuration,
            RoleReferences(
                service_role_arn=(
                    token_attribute(self.service_role, "role_arn") if self.service_role else ""
                ),
                instance_profile_name=token_attribute(
                    self.instance_profile, "instance_profile_name"
                ),
                explorer_role_arn=(
                    token_attribute(self.explorer_role, "role_arn") if self.explorer_role else ""
                ),
                default_host_management_role_name=_setting_value(
                    self.default_host_management_role, created=default_host_management_role is None
                ),
            ),
            inventory_bucket,
        )
        self.associations = rendered.associations
        self.default_host_management = rendered.default_host_management
        self.inventory_sync = rendered.inventory_sync
        if self.inventory_bucket is not None and self.inventory_sync is not None:
            # Systems Manager checks that it may write to the bucket when the sync is created.
            self.inventory_sync.node.add_dependency(self.inventory_bucket.policy)
        self.inventory_athena = None
        if sync is not None and sync.athena:
            assert inventory_bucket is not None
            self.inventory_athena = render_inventory_athena(
                self, configuration.configuration_id, sync, inventory_bucket.bucket_name
            )
        if configuration.settings.scan_baseline is not None:
            configuration.settings.scan_baseline.tag_baseline()
        named = named_iam(
            configuration,
            instance_profile_name=instance_profile_name,
            roles={
                "instance_profile_role": instance_profile_role,
                "service_role": service_role,
                "explorer_role": explorer_role,
                "default_host_management_role": default_host_management_role,
            },
        )
        if named:
            self.node.add_metadata(NAMED_IAM_METADATA, named)
        register(self, stack, coverage, findings)
        record(stack, resources)

    def grant_query(self, grantee: iam.IGrantable) -> None:
        """Let ``grantee`` query the inventory with Athena, with least privilege: the
        workgroup's queries, the tables' definitions, the inventory's files and the results.
        Needs ``InventorySync...(athena=True)``."""
        if self.inventory_athena is None:
            raise QuickSetupValidationError(
                "inventory_sync", None, "InventorySync.to_new_bucket(athena=True) or "
                "InventorySync.to_bucket(..., athena=True) for grant_query"
            )  # fmt: skip
        self.inventory_athena.grant_query(grantee)


_INSTANCE_PROFILE_NAME = re.compile(r"[A-Za-z0-9_+=,.@-]{1,128}")
"""IAM's ``InstanceProfileName`` (IAM API Reference, CreateInstanceProfile: "Pattern:
[\\w+=,.@-]+", length 1-128)."""


def check_instance_profile_name(
    name: str | None, *, attaches_profile: bool, role_given: bool, service_role_given: bool
) -> None:
    """``instance_profile_name``: None, or the name of an existing profile, given with
    ``attach_instance_profile``; and, for the default service role, with the role it holds."""
    if name is None:
        return
    check_pattern(
        "instance_profile_name",
        name,
        _INSTANCE_PROFILE_NAME,
        "None or an IAM instance profile name: 1-128 letters, digits and _+=,.@- (no path)",
    )
    check_given_only_with(
        "instance_profile_name", name, "attach_instance_profile", attaches_profile
    )
    if not role_given and not service_role_given:
        raise QuickSetupValidationError(
            "instance_profile_name",
            name,
            "an existing profile together with instance_profile_role (the role it holds: the "
            "default service role may pass that role only) or with service_role",
        )


def _setting_value(role: iam.IRole | None, *, created: bool) -> str:
    """What the DHMC service setting holds for ``role`` ("" without one): the name of the role
    the stack creates, which has no path; else the path and name read from the role's ARN."""
    if role is None:
        return ""
    if created:
        return role.role_name
    return setting_value_of_role_arn(token_attribute(role, "role_arn"))
