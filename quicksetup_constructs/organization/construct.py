"""QuickSetupOrganization: Quick Setup Host Management for every account of some OUs."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
from aws_cdk import aws_cloudformation as cfn
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from ..configuration import Configuration, configuration_from_props
from ..conflicts import check_conflicts, organization_coverage, register
from ..errors import QuickSetupValidationError
from ..options import InventorySettings, InventorySync, ScanBaseline
from ..rendering.athena import InventoryAthena, render_inventory_athena
from ..rendering.inventory_sync import create_inventory_bucket
from ..rendering.roles import NAMED_IAM_METADATA, named_iam
from ..rendering.shared import format_arn, node_path, stack_environment, stack_of, token_attribute
from ..rendering.stack_limit import check_stack_limit, organization_resources, record
from ..service_setting_regions import check_service_setting_regions
from ..targets import DocumentKind, InstanceTargets
from ..validation import (
    check_choice,
    check_given_only_with,
    check_id,
    check_pattern,
    check_removal_policy,
    check_role_name,
    check_role_name_with_path,
    check_scope,
    check_type,
    is_unresolved,
)
from .accounts import look_up_account_count
from .explorer_sync import (
    check_explorer_organization_sync,
    check_explorer_sync,
    create_explorer_sync,
    explorer_sync_name,
    register_explorer_sync,
)
from .member_stacks import account_wide_names, build_member_stacks
from .organizational_units import check_organizational_units
from .preferences import RolloutPreferences
from .regions import (
    OUTSIDE_DOCUMENTED_REGIONS_WARNING,
    check_region,
    check_regions,
    outside_documented_regions,
    outside_documented_regions_message,
)
from .stack_instances import check_target_count
from .template import check_template_size, new_template_app, synthesize_templates, template_body

if TYPE_CHECKING:  # aws_s3 is imported only when a configuration creates a bucket
    from aws_cdk import aws_iam as iam
    from aws_cdk import aws_s3 as s3

MANAGEMENT_ACCOUNT_WARNING = "quicksetup:management-account-not-targeted"
"""Id of the warning that the management account is not configured (acknowledge it with
``Annotations.of(construct).acknowledge_warning(...)`` once a QuickSetupLocal covers it)."""
TARGET_COUNT_WARNING = "quicksetup:target-count-unchecked"
"""Id of the warning that the 2,000-target check could not be completed."""

_CONFIGURATION_ID = re.compile(r"[A-Za-z0-9-]{1,40}")
_CONFIGURATION_ID_ALLOWED = (
    "1-40 letters, digits and hyphens (it names the StackSets and IAM roles)"
)

_CALL_AS = ("SELF", "DELEGATED_ADMIN")
_ORGANIZATION_ID = re.compile(r"o-[a-z0-9]{10,32}")


class QuickSetupOrganization(Construct):
    """Configures every instance of every account under some OUs, in several Regions, the way
    Quick Setup's Host Management does for an organization: through two service-managed
    StackSets with automatic deployment, so accounts that join the OUs later are covered too.

    The *account* StackSet creates the IAM roles and the instance profile once per account (in
    ``home_region``; IAM is global); the *regional* StackSet creates the documents and the
    associations in every Region and depends on it. Both templates are inline and asset-free:
    member accounts need no CDK bootstrap. Deploy this from the management account or a
    delegated administrator. The management account itself is never targeted.

    Other configurations of the same app that can reach the same instances are caught at synth
    time (see :mod:`quicksetup_constructs.conflicts`).
    """

    configuration: Configuration
    """The validated configuration (options, schedules, targets, id)."""
    organizational_unit_ids: list[str]
    """The OUs (or root) both StackSets deploy to."""
    regions: list[str]
    """The Regions the regional StackSet deploys to."""
    home_region: str
    """The Region of each account where the account StackSet creates the IAM resources."""
    account_count: int | None
    """Accounts under the OUs: ``account_count``, or the looked-up count (None if unknown)."""
    instance_role_name: str
    """Name of the instance role in every member account (created, or
    ``instance_profile_role_name``)."""
    instance_profile_name: str
    """Name of the instance profile in every member account."""
    automation_role_name: str | None
    """Name of the automation role in every member account (created, or ``service_role_name``;
    None when ``attach_instance_profile`` is off)."""
    explorer_role_name: str | None
    """Name of the role that enables Explorer in every member account (created, or
    ``explorer_role_name``; None when ``enable_explorer`` is off)."""
    default_host_management_role_name: str | None
    """Name of the Default Host Management Configuration role in every member account (created,
    or the one given; None when ``default_host_management`` is off)."""
    account_stack_set: cfn.CfnStackSet
    """The StackSet of the IAM roles and instance profile (one home Region per account)."""
    regional_stack_set: cfn.CfnStackSet
    """The StackSet of the documents and associations (every Region)."""
    account_template: dict[str, Any]
    """The account StackSet's template, as deployed."""
    regional_template: dict[str, Any]
    """The regional StackSet's template, as deployed."""
    account_template_stack: cdk.Stack
    """The stack (in an app of its own) rendered into ``account_template``, for inspection."""
    regional_template_stack: cdk.Stack
    """The stack (in an app of its own) rendered into ``regional_template``, for inspection."""
    associations: Mapping[str, ssm.CfnAssociation]
    """The associations of ``regional_template_stack`` by option, for inspection (the template
    is rendered when this construct is created; later changes to them are not deployed)."""
    inventory_bucket: s3.IBucket | None
    """The bucket created for the inventory (None unless ``InventorySync.to_new_bucket()``)."""
    inventory_athena: InventoryAthena | None
    """The Glue database, tables and crawler and the Athena workgroup over the inventory, in
    this stack (None unless ``inventory_sync`` has ``athena=True``)."""
    explorer_sync: ssm.CfnResourceDataSync | None
    """Explorer's organization-wide resource data sync, in this stack's account and Region
    (None unless ``explorer_organization_sync``)."""
    explorer_sync_name: str | None
    """Its name, the ``SyncName`` of ``GetOpsSummary`` (None unless
    ``explorer_organization_sync``)."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        organizational_unit_ids: Sequence[str],
        regions: Sequence[str],
        account_count: int | None = None,
        home_region: str | None = None,
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
        instance_profile_role_name: str | None = None,
        service_role_name: str | None = None,
        explorer_role_name: str | None = None,
        default_host_management_role_name: str | None = None,
        allow_policy_attach: bool = False,
        schedules: Mapping[str, str] | None = None,
        inventory: InventorySettings | None = None,
        scan_baseline: ScanBaseline | None = None,
        inventory_sync: InventorySync | None = None,
        organization_id: str | None = None,
        cloudwatch_agent_config_parameter: str | None = None,
        configuration_id: str | None = None,
        rollout: RolloutPreferences | None = None,
        call_as: str = "SELF",
        retain_stacks_on_account_removal: bool = False,
        explorer_organization_sync: bool = False,
        instance_profile_removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
    ) -> None:
        """
        :param organizational_unit_ids: The OUs (``ou-...``) or the root (``r-...``) to
            configure, child OUs included; 1 to 50. Required.
        :param regions: The Regions to configure. Required. A Region outside the 15 where Quick
            Setup documents the Organization type (``ORGANIZATION_REGIONS``) is a warning.
        :param account_count: The number of accounts under the OUs, for the 2,000-target check.
            Default: looked up in AWS Organizations at the first synth and cached in
            ``cdk.context.json`` (a warning if that is not possible).
        :param home_region: The Region of each account where the IAM roles and instance profile
            are created. Default: the first of ``regions``.
        :param targets: The instances to manage in each account and Region:
            ``InstanceTargets.all_instances()``, ``.tag(...)`` or ``.resource_group(...)``.
            Default: ``InstanceTargets.all_instances()``.
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
        :param enable_explorer: Enable Systems Manager Explorer in every account and Region once
            (``AWS-EnableExplorer``, as Quick Setup does), with a role of its own. Default: True.
        :param default_host_management: Turn on Default Host Management Configuration in every
            account and Region, with a role (in each account) trusted by Systems Manager that
            carries AmazonSSMManagedEC2InstanceDefaultPolicy: instances without an instance
            profile are managed too (they need IMDSv2 and SSM Agent 3.2.582.0 or later). It acts
            on every instance, whatever ``targets``, and is turned off again when the option is
            switched off or a stack instance deleted. Default: False.
        :param instance_profile_role_name: The name of a role that exists in every target
            account, for the instance profile (it needs what ``allow_policy_attach`` would
            attach: AmazonSSMManagedInstanceCore and AmazonSSMPatchAssociation, and
            CloudWatchAgentServerPolicy with a CloudWatch option). No instance role is created;
            the profile ``QuickSetup-Instance-<id>`` holds this role. Default: a role
            ``QuickSetup-Instance-<id>`` created in every account.
        :param service_role_name: The name of a role that exists in every target account, for
            the automation that attaches the instance profile (trusted by ``ssm.amazonaws.com``
            and allowed what the README lists for the service role), with
            ``attach_instance_profile``. No automation role is created. Default: a role
            ``QuickSetup-Automation-<id>`` created in every account.
        :param explorer_role_name: The name of a role that exists in every target account, for
            the ``AWS-EnableExplorer`` automation (its ``AutomationAssumeRole``), with
            ``enable_explorer``: trusted by ``ssm.amazonaws.com``, with
            AWSSystemsManagerEnableExplorerExecutionPolicy. No Explorer role is created.
            Default: a role ``QuickSetup-Explorer-<id>`` created in every account.
        :param default_host_management_role_name: The name of a role that exists in every target
            account, for Default Host Management Configuration, with
            ``default_host_management`` (trusted by ``ssm.amazonaws.com``, with
            AmazonSSMManagedEC2InstanceDefaultPolicy); ``path/name`` for a role with a path
            (``service-role/MyRole``), as the service setting holds it. No DHMC role is
            created. Default: a role ``QuickSetup-DHMC-<id>`` created in every account.
        :param allow_policy_attach: For instances that already have a profile, attach to its
            role the policies the enabled options need: AmazonSSMManagedInstanceCore and
            AmazonSSMPatchAssociation, and CloudWatchAgentServerPolicy with a CloudWatch
            option. Default: False (such instances are left as they are).
        :param schedules: Schedule per option name, replacing the default, e.g.
            ``{"scan_for_patches": "cron(0 3 ? * * *)"}``. Default: Quick Setup's schedules.
        :param inventory: Inventory types to collect beyond Quick Setup's. Default: none.
        :param scan_baseline: The patch baseline the scan compares instances with, in each
            account and Region: ``ScanBaseline.tagged(key, values)``. Default: each operating
            system's default patch baseline.
        :param inventory_sync: Deliver the inventory of every account and Region to one S3
            bucket: ``InventorySync.to_new_bucket()`` (created in this stack, with a bucket
            policy for the organization's accounts; needs ``organization_id``) or
            ``InventorySync.to_bucket(name, region)``. Default: none (inventory stays in each
            account and Region).
        :param organization_id: The organization's id (``o-...``), which the bucket policy of
            ``InventorySync.to_new_bucket()`` lets write. Default: None (required with it).
        :param cloudwatch_agent_config_parameter: Name of the SSM parameter (in each account and
            Region) holding the CloudWatch agent configuration. Default: the agent's default.
        :param configuration_id: Ends every association, role and StackSet name; 1-40 letters,
            digits and hyphens. Default: 8 hex digits derived from the construct path.
        :param rollout: How fast the StackSets roll out and when they stop. Default:
            ``RolloutPreferences()``: Regions in parallel, 50% of the accounts at a time,
            stop a Region when more than 10% of its accounts fail.
        :param call_as: ``SELF`` in the management account, ``DELEGATED_ADMIN`` in a delegated
            administrator account. Default: ``SELF``.
        :param retain_stacks_on_account_removal: Keep the roles and associations in an account
            that leaves the OUs. Default: False (they are removed).
        :param instance_profile_removal_policy: What happens to the instance role and profile of
            a member account when its stack instance is deleted (this construct or its stack is
            removed, or the account leaves the OUs): instances that were given the profile keep
            using it, so they are kept by default (``DeletionPolicy: Retain``). ``RETAIN``,
            ``RETAIN_ON_UPDATE_OR_DELETE`` or ``DESTROY``. A kept role and profile have fixed
            names: deploying the same configuration to that account again fails until they are
            deleted (or imported). Default: ``cdk.RemovalPolicy.RETAIN``.
        :param explorer_organization_sync: Create, in this stack's account and Region, an
            Explorer resource data sync ``QuickSetup-ExplorerSync-<id>`` that gathers the
            OpsData of every account of the OUs (the whole organization when the root is
            targeted) in ``regions``: managed instances, association and patch compliance,
            read with ``GetOpsSummary``. Systems Manager turns on the OpsData sources in those
            accounts itself, so ``enable_explorer`` is not needed for it. The stack must be in
            the management account or the Systems Manager (Explorer) delegated administrator,
            and the service-linked role ``AWSServiceRoleForAmazonSSM_AccountDiscovery`` must
            exist there (docs/organization.md). Default: False.
        """
        stack = check_scope(scope)
        check_id(scope, id)
        check_organizational_units("organizational_unit_ids", organizational_unit_ids)
        check_regions("regions", regions)
        home_region = regions[0] if home_region is None else home_region
        check_region("home_region", home_region)
        if configuration_id is not None:  # checked here first: the common check allows more
            check_pattern(
                "configuration_id", configuration_id, _CONFIGURATION_ID, _CONFIGURATION_ID_ALLOWED
            )
        path = f"{node_path(scope)}/{id}"
        # A derived id is 8 hex digits, which the organization pattern accepts too.
        configuration = configuration_from_props(path, locals())
        _check_no_instance_ids(configuration.targets)
        if configuration.settings.scan_baseline is not None:
            _check_baseline_in_every_account(configuration.settings.scan_baseline)
        _check_organization_id(organization_id, configuration.inventory_sync)
        check_role_name("instance_profile_role_name", instance_profile_role_name)
        check_role_name("service_role_name", service_role_name)
        check_given_only_with(
            "service_role_name",
            service_role_name,
            "attach_instance_profile",
            configuration.attaches_profile,
        )
        check_role_name("explorer_role_name", explorer_role_name)
        check_given_only_with(
            "explorer_role_name",
            explorer_role_name,
            "enable_explorer",
            configuration.enables_explorer,
        )
        check_role_name_with_path(
            "default_host_management_role_name", default_host_management_role_name
        )
        check_given_only_with(
            "default_host_management_role_name",
            default_host_management_role_name,
            "default_host_management",
            configuration.default_host_management,
        )
        if configuration.default_host_management:
            check_service_setting_regions("default_host_management", regions)
        rollout = RolloutPreferences() if rollout is None else rollout
        check_type("rollout", rollout, RolloutPreferences, "a RolloutPreferences or None")
        rollout.validate("rollout", regions)
        check_choice("call_as", call_as, _CALL_AS)
        check_type(
            "retain_stacks_on_account_removal",
            retain_stacks_on_account_removal,
            bool,
            "True or False",
        )
        check_removal_policy("instance_profile_removal_policy", instance_profile_removal_policy)
        check_explorer_organization_sync(explorer_organization_sync)
        accounts, problem = _accounts(scope, account_count, organizational_unit_ids)
        if accounts is not None:
            check_target_count(
                "account_count" if account_count is not None else "organizational_unit_ids",
                accounts,
                len(regions),
            )

        coverage = organization_coverage(
            stack,
            path,
            configuration,
            organizational_unit_ids=organizational_unit_ids,
            regions=regions,
            call_as=call_as,
        )
        findings = check_conflicts(stack, coverage)
        explorer_sync = None
        if explorer_organization_sync:
            explorer_sync = check_explorer_sync(
                stack,
                node_path(stack),
                path,
                explorer_sync_name(configuration.configuration_id),
            )
        resources = organization_resources(configuration) + (explorer_sync is not None)
        check_stack_limit(stack, resources)

        names = account_wide_names(
            configuration.configuration_id,
            existing={
                "instance_role": instance_profile_role_name,
                "automation_role": service_role_name,
                "explorer_role": explorer_role_name,
                "default_host_management_role": default_host_management_role_name,
            },
        )
        app = new_template_app(scope)
        members = build_member_stacks(
            app, configuration, names, removal_policy=instance_profile_removal_policy
        )
        account_template, regional_template = synthesize_templates(
            app, [members.account, members.regional]
        )
        account_body = template_body(account_template)
        regional_body = template_body(regional_template)
        check_template_size("account StackSet template", account_body)
        check_template_size("regional StackSet template", regional_body)

        super().__init__(scope, id)
        self.configuration = configuration
        self.organizational_unit_ids = list(organizational_unit_ids)
        self.regions = list(regions)
        self.home_region = home_region
        self.account_count = accounts
        self.instance_role_name = names.instance_role
        self.instance_profile_name = names.instance_profile
        self.automation_role_name = (
            names.automation_role if configuration.attaches_profile else None
        )
        self.explorer_role_name = names.explorer_role if configuration.enables_explorer else None
        self.default_host_management_role_name = (
            names.default_host_management_role if configuration.default_host_management else None
        )
        self.account_template = account_template
        self.regional_template = regional_template
        self.account_template_stack = members.account
        self.regional_template_stack = members.regional
        self.associations = members.associations

        common: dict[str, Any] = {
            "permission_model": "SERVICE_MANAGED",
            "call_as": call_as,
            "managed_execution": {"Active": True},
        }
        auto_deployment: dict[str, Any] = {
            "enabled": True,
            "retain_stacks_on_account_removal": retain_stacks_on_account_removal,
        }
        prefix = f"QuickSetup-{configuration.configuration_id}"
        self.account_stack_set = cfn.CfnStackSet(
            self,
            "AccountStackSet",
            stack_set_name=f"{prefix}-AccountRoles",
            description=account_template["Description"],
            auto_deployment=cfn.CfnStackSet.AutoDeploymentProperty(**auto_deployment),
            capabilities=["CAPABILITY_NAMED_IAM"],
            operation_preferences=rollout.render(with_region_order=False),
            stack_instances_group=[self._instances([home_region])],
            template_body=account_body,
            **common,
        )
        # Referring to the account StackSet also makes CloudFormation create the regional one
        # after it (and delete it before), as a DependsOn would.
        account_stack_set_arn = format_arn(
            stack, "cloudformation", "stackset", self.account_stack_set.attr_stack_set_id
        )
        self.inventory_bucket = None
        parameters = None
        if members.bucket_parameters is not None:
            assert configuration.inventory_sync is not None
            self.inventory_bucket = create_inventory_bucket(
                self, configuration.inventory_sync, organization_id=organization_id
            )
            name_parameter, region_parameter = members.bucket_parameters
            parameters = [
                cfn.CfnStackSet.ParameterProperty(
                    parameter_key=name_parameter, parameter_value=self.inventory_bucket.bucket_name
                ),
                cfn.CfnStackSet.ParameterProperty(
                    parameter_key=region_parameter,
                    parameter_value=token_attribute(stack, "region"),
                ),
            ]
        self.regional_stack_set = cfn.CfnStackSet(
            self,
            "RegionalStackSet",
            stack_set_name=f"{prefix}-Associations",
            description=regional_template["Description"],
            auto_deployment=cfn.CfnStackSet.AutoDeploymentProperty(
                depends_on=[account_stack_set_arn], **auto_deployment
            ),
            # IAM resources of the regional template (the role of an organization's inventory
            # sync function) need the capability; without them none is asked for.
            capabilities=(["CAPABILITY_IAM"] if _has_iam_resources(regional_template) else None),
            operation_preferences=rollout.render(),
            stack_instances_group=[self._instances(self.regions)],
            template_body=regional_body,
            parameters=parameters,
            **common,
        )
        if self.inventory_bucket is not None:
            # Systems Manager checks that it may write to the bucket when a sync is created.
            self.regional_stack_set.node.add_dependency(self.inventory_bucket.policy)
        self.inventory_athena = None
        sync = configuration.inventory_sync
        if sync is not None and sync.athena:
            bucket_name = (
                self.inventory_bucket.bucket_name
                if self.inventory_bucket is not None
                else sync.bucket.bucket_name  # type: ignore[union-attr]
            )
            self.inventory_athena = render_inventory_athena(
                self, configuration.configuration_id, sync, bucket_name
            )

        annotations = cdk.Annotations.of(self)
        annotations.add_warning_v2(
            MANAGEMENT_ACCOUNT_WARNING,
            "A service-managed StackSet never deploys to the organization's management "
            "account, so its instances are not configured. Cover it with a QuickSetupLocal "
            "in a stack for the management account (see the README).",
        )
        outside = outside_documented_regions([*self.regions, home_region])
        if outside:
            annotations.add_warning_v2(
                OUTSIDE_DOCUMENTED_REGIONS_WARNING, outside_documented_regions_message(outside)
            )
        if problem is not None:
            annotations.add_warning_v2(
                TARGET_COUNT_WARNING,
                "The 2,000-target check (accounts × Regions) could not be completed: the "
                f"accounts under {', '.join(self.organizational_unit_ids)} could not be "
                f"counted ({problem}). Give account_count, or synthesize once with credentials "
                "of the management account (or a delegated administrator) allowed "
                "organizations:ListAccountsForParent; the count is then cached in "
                "cdk.context.json.",
            )
        self.explorer_sync = None
        self.explorer_sync_name = None
        if explorer_sync is not None:
            root, explorer = explorer_sync
            self.explorer_sync = create_explorer_sync(
                self, explorer.name, self.organizational_unit_ids, self.regions
            )
            self.explorer_sync_name = explorer.name
            register_explorer_sync(root, explorer)
        named = named_iam(
            configuration,
            kind="organization",
            organizational_unit_ids=self.organizational_unit_ids,
            roles={
                "instance_profile_role_name": instance_profile_role_name,
                "service_role_name": service_role_name,
                "explorer_role_name": explorer_role_name,
                "default_host_management_role_name": default_host_management_role_name,
            },
        )
        if named:
            self.node.add_metadata(NAMED_IAM_METADATA, named)
        register(self, stack, coverage, findings)
        record(stack, resources)

    def grant_query(self, grantee: iam.IGrantable) -> None:
        """Let ``grantee`` query the organization's inventory with Athena, with least
        privilege: the workgroup's queries, the tables' definitions, the inventory's files and
        the results. Needs ``InventorySync...(athena=True)``."""
        if self.inventory_athena is None:
            raise QuickSetupValidationError(
                "inventory_sync", None, "InventorySync.to_new_bucket(athena=True) or "
                "InventorySync.to_bucket(..., athena=True) for grant_query"
            )  # fmt: skip
        self.inventory_athena.grant_query(grantee)

    def _instances(self, regions: list[str]) -> cfn.CfnStackSet.StackInstancesProperty:
        return cfn.CfnStackSet.StackInstancesProperty(
            deployment_targets=cfn.CfnStackSet.DeploymentTargetsProperty(
                organizational_unit_ids=self.organizational_unit_ids
            ),
            regions=regions,
        )


def _has_iam_resources(template: Mapping[str, Any]) -> bool:
    return any(
        resource["Type"].startswith("AWS::IAM::") for resource in template["Resources"].values()
    )


def _check_no_instance_ids(targets: InstanceTargets) -> None:
    """Instance ids differ in every account: an organization targets all, a tag or a group."""
    target = targets.render(DocumentKind.COMMAND)[0]
    if target.key == "InstanceIds" and list(target.values) != ["*"]:
        raise QuickSetupValidationError(
            "targets",
            targets,
            "InstanceTargets.all_instances(), .tag(...) or .resource_group(...) "
            "(instance ids differ in every account)",
        )


def _check_organization_id(organization_id: Any, sync: InventorySync | None) -> None:
    """A bucket created for an organization's inventory lets that organization write."""
    if organization_id is not None:
        check_pattern(
            "organization_id",
            organization_id,
            _ORGANIZATION_ID,
            "None or an organization id, o- followed by 10 to 32 lowercase letters and digits",
        )
    elif sync is not None and sync.creates_bucket:
        raise QuickSetupValidationError(
            "organization_id",
            None,
            "the organization's id (o-...) with InventorySync.to_new_bucket(): the bucket policy "
            "lets that organization's accounts deliver inventory",
        )


def _check_baseline_in_every_account(baseline: ScanBaseline) -> None:
    """A patch baseline of this app exists only in its own stack's account."""
    if baseline.baseline is not None:
        raise QuickSetupValidationError(
            "scan_baseline",
            baseline,
            "ScanBaseline.tagged(key, values), naming baselines that exist in every member "
            "account and Region (a CfnPatchBaseline of this app is not in the member accounts)",
        )


def _accounts(
    scope: Construct, account_count: Any, unit_ids: Sequence[str]
) -> tuple[int | None, str | None]:
    """The accounts for the target check, and why they are unknown (if they are)."""
    if account_count is not None:
        # CDK encodes a number token as a float: an int is never one, and needs no round trip
        if not isinstance(account_count, int) and is_unresolved(account_count):
            return None, "account_count is known only at deploy time"
        check_type("account_count", account_count, int, "None or a number of accounts (0 or more)")
        if account_count < 0:
            raise QuickSetupValidationError(
                "account_count", account_count, "None or a number of accounts (0 or more)"
            )
        return account_count, None
    result = look_up_account_count(scope, unit_ids, region=stack_environment(stack_of(scope))[1])
    return result.count, result.problem
