"""Configurations of one app that can reach the same instances, found at synth time.

State Manager accepts what these configurations would do and fails, or silently misbehaves, only
on the instances:

- an account and Region holds **one inventory association for all instances**: AWS rejects a
  second one ("Multiple apply all associations with document 'AWS-GatherSoftwareInventory' are
  not supported", user guide, "Troubleshooting problems with Systems Manager Inventory");
- an instance takes only **one targeted inventory association**: where several associations
  that target instances by tag, id or resource group reach the same instance, they fail on it
  (:data:`.overlap.TARGETED_INVENTORY_RULE`). One that targets *all* instances beside a targeted
  one is no conflict: the instance runs the targeted one (seed guide, "Collect inventory every
  30 minutes");
- several **patch scans** of one instance overwrite each other's compliance data;
- **Default Host Management Configuration** is one setting per account and Region, whatever the
  instances: two configurations that both manage it fight over it, and removing either one
  turns it off for the other;
- an organization configuration over an account that also has a local one runs a **second set**
  of associations on the same instances, on overlapping schedules.

Every QuickSetupLocal and QuickSetupOrganization of an app is remembered when it is created and
compared with those created before it. Overlap is decided conservatively, from what is known at
synth time: two configurations *can overlap* unless it is provable that they cannot.

Where (account and Region):

- two local configurations can meet when their stacks' accounts are equal or either is unknown
  (an environment-agnostic stack), and the same holds for their Regions;
- two organization configurations can meet when they share a Region and an OU id, or either
  targets an organization root (``r-...``), which holds every OU. OUs with different ids are
  taken as disjoint: whether one is nested in the other is not known at synth time;
- a local and an organization configuration can meet when the local stack's Region is one of the
  organization's (or unknown), unless the local stack is known to be in the account the
  organization's stack is deployed from while ``call_as`` is ``SELF``: that is the management
  account, which a service-managed StackSet never deploys to. A delegated administrator account
  (``call_as="DELEGATED_ADMIN"``) is an ordinary member account and can be in the OUs;
- a local and an organization configuration *provably* meet only when the local stack is in
  that delegated administrator account, in one of the organization's Regions, and the
  organization targets the root (``r-...``), which holds every member account. Anywhere else
  whether the local account is in the OUs is known only to AWS Organizations.

Which instances (:meth:`InstanceTargets.can_overlap`): only the same tag key with value sets
that share no value, or two instance-id lists with no id in common, are disjoint. A tag key with
no value meets every value of it, two tag keys can be on one instance, and a resource group can
hold any instance.

What follows:

- both collect inventory for all instances, same kind (local and local, or organization and
  organization) → :class:`QuickSetupValidationError` for ``collect_inventory``, raised before
  the second construct is added to the tree; a local and an organization configuration that
  provably meet → the same error;
- both collect inventory with targets other than all instances, same kind →
  :class:`QuickSetupValidationError` for ``collect_inventory``; where exactly one targets all
  instances, nothing;
- both scan for patches, same kind → warning :data:`OVERLAPPING_PATCH_SCANS_WARNING`;
- two organization configurations that can meet both deliver inventory (``inventory_sync``)
  → :class:`QuickSetupValidationError` for ``inventory_sync``: an account and Region can hold
  one organization-based resource data sync ("Creating an inventory resource data sync for
  accounts defined in AWS Organizations");
- both turn on Default Host Management Configuration, same kind, in one account and Region
  (whatever their targets) → :class:`QuickSetupValidationError` for ``default_host_management``;
- a local and an organization configuration that may meet → warning
  :data:`LOCAL_AND_ORGANIZATION_OVERLAP_WARNING` (whether they really meet depends on the OU
  membership of the local stack's account, which only AWS Organizations knows).

Warnings are added to the configuration created second and can be acknowledged, with a reason,
on it or on any scope above it: ``cdk.Annotations.of(stack).acknowledge_warning(id, reason)``.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import dataclass

import aws_cdk as cdk
from constructs import Construct, IConstruct

from .configuration import Configuration
from .errors import QuickSetupValidationError
from .overlap import (
    ALL_INSTANCES_INVENTORY_RULE,
    TARGETED_INVENTORY_RULE,
    inventories_both_global,
    inventories_conflict,
)
from .rendering.shared import stack_environment
from .targets import InstanceTargets
from .validation import is_unresolved

OVERLAPPING_PATCH_SCANS_WARNING = "quicksetup:overlapping-patch-scans"
"""Id of the warning that two configurations can scan the same instances for patches."""
LOCAL_AND_ORGANIZATION_OVERLAP_WARNING = "quicksetup:local-and-organization-overlap"
"""Id of the warning that a local and an organization configuration can reach one account and
Region."""

_LOCAL = "QuickSetupLocal"
_ORGANIZATION = "QuickSetupOrganization"
_ROOT_PREFIX = "r-"


@dataclass(frozen=True)
class Coverage:
    """Where a configuration can act, and what it does there that can collide."""

    kind: str
    """``QuickSetupLocal`` or ``QuickSetupOrganization``."""
    path: str
    """The construct path, to name the configuration in messages."""
    targets: InstanceTargets
    collects_inventory: bool
    scans_for_patches: bool
    sets_default_host_management: bool
    account: str | None
    """Local: the stack's account. Organization: the account the StackSets are deployed from.
    None when unknown (an environment-agnostic stack)."""
    regions: frozenset[str] | None
    """The Regions it configures; None when unknown."""
    organizational_unit_ids: frozenset[str] | None = None
    """Organization only: its OUs; None when one of them is a token."""
    syncs_inventory: bool = False
    """Whether it creates an inventory resource data sync in each account and Region."""
    call_as: str = "SELF"
    """Organization only: ``SELF`` (the management account) or ``DELEGATED_ADMIN``."""

    def describe(self) -> str:
        where = (
            "in an unknown Region"
            if self.regions is None
            else "in " + ", ".join(sorted(self.regions))
        )
        if self.kind == _LOCAL:
            account = "an unknown account" if self.account is None else f"account {self.account}"
            return f"{self.kind} {self.path} ({self.targets.describe()}, {account}, {where})"
        units = (
            "unknown OUs"
            if self.organizational_unit_ids is None
            else ", ".join(sorted(self.organizational_unit_ids))
        )
        return f"{self.kind} {self.path} ({self.targets.describe()}, {units}, {where})"


def local_coverage(stack: cdk.Stack, path: str, configuration: Configuration) -> Coverage:
    """The coverage of a QuickSetupLocal in ``stack``."""
    account, region = stack_environment(stack)
    return Coverage(
        kind=_LOCAL,
        path=path,
        targets=configuration.targets,
        collects_inventory="collect_inventory" in configuration.enabled,
        scans_for_patches="scan_for_patches" in configuration.enabled,
        sets_default_host_management=configuration.default_host_management,
        account=account,
        regions=None if region is None else frozenset([region]),
    )


def organization_coverage(
    stack: cdk.Stack,
    path: str,
    configuration: Configuration,
    *,
    organizational_unit_ids: Iterable[str],
    regions: Iterable[str],
    call_as: str,
) -> Coverage:
    """The coverage of a QuickSetupOrganization deployed from ``stack``."""
    units = list(organizational_unit_ids)
    region_list = list(regions)
    return Coverage(
        kind=_ORGANIZATION,
        path=path,
        targets=configuration.targets,
        collects_inventory="collect_inventory" in configuration.enabled,
        scans_for_patches="scan_for_patches" in configuration.enabled,
        sets_default_host_management=configuration.default_host_management,
        account=stack_environment(stack)[0],
        regions=None if any(map(is_unresolved, region_list)) else frozenset(region_list),
        organizational_unit_ids=None if any(map(is_unresolved, units)) else frozenset(units),
        call_as=call_as,
        syncs_inventory=configuration.inventory_sync is not None,
    )


@dataclass(frozen=True)
class Finding:
    """A warning to add to the new configuration once it exists."""

    id: str
    message: str


_APPS: weakref.WeakKeyDictionary[IConstruct, list[Coverage]] = weakref.WeakKeyDictionary()
"""The configurations created so far, by app (the root of the construct tree)."""
_ROOTS: weakref.WeakKeyDictionary[cdk.Stack, IConstruct] = weakref.WeakKeyDictionary()


def _root(stack: cdk.Stack) -> IConstruct:
    """The root of ``stack``'s tree, asked of the jsii kernel once per stack."""
    root = _ROOTS.get(stack)
    if root is None:
        root = _ROOTS[stack] = stack.node.root
    return root


def check_conflicts(stack: cdk.Stack, coverage: Coverage) -> list[Finding]:
    """Compare a configuration about to be created with those already in its app.

    Raises :class:`QuickSetupValidationError` for a conflict that would break instances; returns
    the warnings to add with :func:`register` once the construct exists.
    """
    findings: list[Finding] = []
    for other in _APPS.get(_root(stack), ()):
        if not _can_meet(coverage, other):
            continue
        same_instances = coverage.targets.can_overlap(other.targets)
        both_set_dhmc = coverage.sets_default_host_management and other.sets_default_host_management
        if coverage.kind != other.kind:
            if _all_instances_inventories(coverage, other) and _provably_meet(coverage, other):
                raise _all_instances_inventory_error(coverage, other, provably=True)
            if same_instances or both_set_dhmc:
                findings.append(_local_and_organization(coverage, other, same_instances))
            continue
        if coverage.syncs_inventory and other.syncs_inventory and coverage.kind == _ORGANIZATION:
            raise QuickSetupValidationError(
                "inventory_sync",
                coverage.describe(),
                f"None here or in {other.path}: {coverage.describe()} and {other.describe()} "
                "can be in the same account and Region, where Systems Manager allows one "
                "organization-based resource data sync (the second fails to create). Deliver "
                "the inventory from one of them only",
            )
        if both_set_dhmc:
            raise QuickSetupValidationError(
                "default_host_management",
                True,
                f"False here or in {other.path}: {coverage.describe()} and {other.describe()} "
                "can be in the same account and Region, where Default Host Management "
                "Configuration is a single setting (removing either configuration would turn "
                "it off for both). Turn it on in one configuration only",
            )
        if _all_instances_inventories(coverage, other):
            raise _all_instances_inventory_error(coverage, other, provably=False)
        if not same_instances:
            continue
        if _targeted_inventories_meet(coverage, other):
            raise QuickSetupValidationError(
                "collect_inventory",
                True,
                f"False here or in {other.path}, or targets that cannot meet: "
                f"{coverage.describe()} and {other.describe()} can reach the same instances, "
                f"and {TARGETED_INVENTORY_RULE}. Switch collect_inventory off in one of them, "
                "give them disjoint targets, e.g. InstanceTargets.tag('Env', 'a') and "
                "InstanceTargets.tag('Env', 'b'), or let one of them target all instances "
                "(InstanceTargets.all_instances() is global, and a targeted inventory "
                "association beside it is no conflict)",
            )
        if coverage.scans_for_patches and other.scans_for_patches:
            findings.append(
                Finding(
                    OVERLAPPING_PATCH_SCANS_WARNING,
                    f"{coverage.describe()} and {other.describe()} can scan the same instances for "
                    "patches: each scan overwrites the other's patch compliance data. Switch "
                    "scan_for_patches off in one of them, or give them disjoint targets.",
                )
            )
    return findings


def register(
    construct: Construct, stack: cdk.Stack, coverage: Coverage, findings: Iterable[Finding]
) -> None:
    """Remember ``coverage`` for the configurations created after it, and add ``findings`` to
    ``construct`` as warnings."""
    _APPS.setdefault(_root(stack), []).append(coverage)
    annotations = None
    for finding in findings:
        annotations = annotations or cdk.Annotations.of(construct)
        annotations.add_warning_v2(finding.id, finding.message)


def _local_and_organization(new: Coverage, other: Coverage, same_instances: bool) -> Finding:
    local, organization = (new, other) if new.kind == _LOCAL else (other, new)
    effects = []
    if same_instances:
        effects.append("a second set of associations runs on the same instances")
        if _targeted_inventories_meet(local, organization):
            effects.append(TARGETED_INVENTORY_RULE)
        if _all_instances_inventories(local, organization):
            effects.append(ALL_INSTANCES_INVENTORY_RULE)
        if local.scans_for_patches and organization.scans_for_patches:
            effects.append("the two patch scans overwrite each other's compliance data")
    if local.sets_default_host_management and organization.sets_default_host_management:
        effects.append(
            "both manage Default Host Management Configuration, and removing either turns it "
            "off for the account and Region"
        )
    return Finding(
        LOCAL_AND_ORGANIZATION_OVERLAP_WARNING,
        f"{local.describe()} and {organization.describe()} can configure the same account and "
        f"Region if that account is in the OUs: {'; '.join(effects)}. Deploy the local "
        "configuration only to accounts outside the OUs (the management account is never "
        "targeted), give the two disjoint targets, or acknowledge this warning.",
    )


def _all_instances_inventories(a: Coverage, b: Coverage) -> bool:
    """Whether both collect inventory for all instances
    (:func:`.overlap.inventories_both_global`)."""
    return (
        a.collects_inventory
        and b.collects_inventory
        and inventories_both_global(a.targets, b.targets)
    )


def _all_instances_inventory_error(
    new: Coverage, other: Coverage, *, provably: bool
) -> QuickSetupValidationError:
    where = "are both in" if provably else "can be in"
    return QuickSetupValidationError(
        "collect_inventory",
        True,
        f"False here or in {other.path}, or targets other than all instances: "
        f"{new.describe()} and {other.describe()} {where} one account and Region and would "
        f"each create an inventory association for all instances there, but "
        f"{ALL_INSTANCES_INVENTORY_RULE}. Collect inventory in one of them only",
    )


def _targeted_inventories_meet(a: Coverage, b: Coverage) -> bool:
    """Whether both collect inventory with associations that conflict on an instance
    (:func:`.overlap.inventories_conflict`)."""
    return (
        a.collects_inventory and b.collects_inventory and inventories_conflict(a.targets, b.targets)
    )


def _can_meet(a: Coverage, b: Coverage) -> bool:
    """Whether two configurations can act in one account and Region."""
    if not _regions_meet(a.regions, b.regions):
        return False
    if a.kind == b.kind == _LOCAL:
        return a.account is None or b.account is None or a.account == b.account
    if a.kind == b.kind == _ORGANIZATION:
        if a.organizational_unit_ids is None or b.organizational_unit_ids is None:
            return True
        units = a.organizational_unit_ids | b.organizational_unit_ids
        return bool(a.organizational_unit_ids & b.organizational_unit_ids) or any(
            unit.startswith(_ROOT_PREFIX) for unit in units
        )
    local, organization = (a, b) if a.kind == _LOCAL else (b, a)
    deployed_from_management_account = organization.call_as == "SELF"
    return not (
        deployed_from_management_account
        and local.account is not None
        and local.account == organization.account
    )


def _provably_meet(a: Coverage, b: Coverage) -> bool:
    """Whether a local and an organization configuration are provably in one account and
    Region: the local stack is in the delegated administrator account the organization is
    deployed from, which is a member account, the organization targets the root, which holds
    every member account, and the local stack's Region is one of the organization's."""
    local, organization = (a, b) if a.kind == _LOCAL else (b, a)
    region = next(iter(local.regions), None) if local.regions else None
    return (
        organization.call_as == "DELEGATED_ADMIN"
        and local.account is not None
        and local.account == organization.account
        and organization.organizational_unit_ids is not None
        and any(unit.startswith(_ROOT_PREFIX) for unit in organization.organizational_unit_ids)
        and region is not None
        and organization.regions is not None
        and region in organization.regions
    )


def _regions_meet(a: frozenset[str] | None, b: frozenset[str] | None) -> bool:
    return a is None or b is None or bool(a & b)
