"""Explorer's organization-wide resource data sync (``explorer_organization_sync=True``).

One ``AWS::SSM::ResourceDataSync`` in the deploying account and Region gathers the OpsData of
every account of the configuration's OUs (or of the whole organization when it targets the
root) in its Regions, for Explorer and ``GetOpsSummary`` with its ``SyncName``.

Sources:

- [CFN] CloudFormation template reference, ``AWS::SSM::ResourceDataSync`` and its ``SyncSource``
  and ``AwsOrganizationsSource``:
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ssm-resourcedatasync-syncsource.html
  ("SourceType is either AwsOrganizations (if an organization is present in AWS Organizations)
  or SingleAccountMultiRegions"; ``SourceRegions`` required; ``IncludeFutureRegions``: "Whether
  to automatically synchronize and aggregate data from new AWS Regions when those Regions come
  online") and
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ssm-resourcedatasync-awsorganizationssource.html
  (``OrganizationSourceType``: "either OrganizationalUnits or EntireOrganization";
  ``OrganizationalUnits``: 1 to 1,000). ``SyncName``: 1 to 64 characters, create-only (a new
  name replaces the sync): the resource schema cfn-lint bundles.
- [API] Systems Manager API, ``CreateResourceDataSync``: "Specify SyncFromSource to synchronize
  data from a single account and multiple Regions, or multiple AWS accounts and AWS Regions, as
  listed in AWS Organizations for Explorer"; ``ResourceDataSyncAlreadyExistsException``: "A sync
  configuration with the same name already exists"; ``ResourceDataSyncCountExceededException``.
  The service model's ``ResourceDataSyncOrganizationalUnitId`` is
  ``^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$``: a root id is no OU, so a root is
  ``EntireOrganization``.
- [SYNC] Systems Manager user guide, "Setting up Systems Manager Explorer to display data from
  multiple accounts and Regions" (Explorer-resource-data-sync): "if you choose one of the AWS
  Organizations options, then Systems Manager automatically enables all OpsData sources in the
  selected Regions for all AWS accounts in your organization (or in the selected
  organizational units)"; "Explorer supports a maximum of five resource data syncs".
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ssm as ssm
from constructs import Construct, IConstruct

from ..errors import QuickSetupValidationError
from ..rendering.shared import stack_environment
from ..validation import check_type, is_unresolved

SYNC_NAME_PREFIX = "QuickSetup-ExplorerSync-"
"""The sync is named ``QuickSetup-ExplorerSync-<configuration id>`` (at most 64 characters:
the organization's configuration id has at most 40)."""
MAX_SYNC_NAME = 64
"""[CFN] ``SyncName``: at most 64 characters."""
MAX_SYNCS = 5
"""[SYNC] "Explorer supports a maximum of five resource data syncs"."""
SYNC_TYPE = "SyncFromSource"
SOURCE_TYPE = "AwsOrganizations"
ENTIRE_ORGANIZATION = "EntireOrganization"
ORGANIZATIONAL_UNITS = "OrganizationalUnits"
_ROOT_PREFIX = "r-"


def explorer_sync_name(configuration_id: str) -> str:
    """The sync's name for a configuration id."""
    return SYNC_NAME_PREFIX + configuration_id


def check_explorer_organization_sync(value: Any) -> None:
    check_type("explorer_organization_sync", value, bool, "True or False")


def sync_source(
    organizational_unit_ids: Sequence[str], regions: Sequence[str]
) -> ssm.CfnResourceDataSync.SyncSourceProperty:
    """The ``SyncSource``: the configuration's OUs in its Regions, or the whole organization
    when one of them is the root (which holds every OU). New Regions are not added on their own:
    the configuration's Regions are the ones it configures."""
    if any(
        not is_unresolved(unit) and unit.startswith(_ROOT_PREFIX)
        for unit in organizational_unit_ids
    ):
        source = ssm.CfnResourceDataSync.AwsOrganizationsSourceProperty(
            organization_source_type=ENTIRE_ORGANIZATION
        )
    else:
        source = ssm.CfnResourceDataSync.AwsOrganizationsSourceProperty(
            organization_source_type=ORGANIZATIONAL_UNITS,
            organizational_units=list(organizational_unit_ids),
        )
    return ssm.CfnResourceDataSync.SyncSourceProperty(
        source_type=SOURCE_TYPE,
        aws_organizations_source=source,
        source_regions=list(regions),
        include_future_regions=False,
    )


@dataclass(frozen=True)
class ExplorerSync:
    """An organization sync of an app: where it is created, and its name."""

    path: str
    """The configuration's construct path, to name it in messages."""
    name: str
    stack: str
    """The path of the stack it is created in."""
    account: str | None
    """The stack's account; None when unknown (an environment-agnostic stack)."""
    region: str | None
    """The stack's Region; None when unknown."""

    def describe(self) -> str:
        account = "an unknown account" if self.account is None else f"account {self.account}"
        region = "an unknown Region" if self.region is None else self.region
        return f"{self.path} ({account}, {region})"

    def can_meet(self, other: ExplorerSync) -> bool:
        """Whether the two can be in one account and Region (unknown meets anything)."""
        return _equal_or_unknown(self.account, other.account) and _equal_or_unknown(
            self.region, other.region
        )

    def surely_meets(self, other: ExplorerSync) -> bool:
        """Whether the two are known to be in one account and Region."""
        return self.stack == other.stack or (
            None not in (self.account, self.region)
            and (self.account, self.region) == (other.account, other.region)
        )


def _equal_or_unknown(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b


_APPS: weakref.WeakKeyDictionary[IConstruct, list[ExplorerSync]] = weakref.WeakKeyDictionary()
"""The organization syncs created so far, by app (the root of the construct tree)."""


def check_explorer_sync(
    stack: cdk.Stack, stack_path: str, path: str, name: str
) -> tuple[IConstruct, ExplorerSync]:
    """Compare a sync about to be created with those of the app; raise
    :class:`QuickSetupValidationError` if Systems Manager would refuse it. Returns what
    :func:`register_explorer_sync` needs once it is created."""
    account, region = stack_environment(stack)
    new = ExplorerSync(path, name, stack_path, account, region)
    root = stack.node.root
    existing = _APPS.get(root, [])
    for other in existing:
        if other.name == name and new.can_meet(other):
            raise QuickSetupValidationError(
                "explorer_organization_sync",
                True,
                f"False here or in {other.path}, or another configuration_id: {new.describe()} "
                f"and {other.describe()} can be in one account and Region, and would both "
                f"create the resource data sync {name}, where Systems Manager refuses a second "
                "sync of the same name (ResourceDataSyncAlreadyExistsException)",
            )
    together = [other for other in existing if new.surely_meets(other)]
    if len(together) >= MAX_SYNCS:
        raise QuickSetupValidationError(
            "explorer_organization_sync",
            True,
            f"False here: {new.describe()} would add a resource data sync where "
            f"{', '.join(other.path for other in together)} already create {len(together)}, "
            f"and Explorer supports at most {MAX_SYNCS} "
            "(ResourceDataSyncCountExceededException). Gather the organization's OpsData in "
            "fewer syncs: one sync of the root covers every OU",
        )
    return root, new


def register_explorer_sync(root: IConstruct, sync: ExplorerSync) -> None:
    """Remember ``sync`` for the configurations created after it."""
    _APPS.setdefault(root, []).append(sync)


def create_explorer_sync(
    scope: Construct,
    name: str,
    organizational_unit_ids: Sequence[str],
    regions: Sequence[str],
) -> ssm.CfnResourceDataSync:
    """The ``AWS::SSM::ResourceDataSync`` of ``scope`` (id ``ExplorerOrganizationSync``)."""
    return ssm.CfnResourceDataSync(
        scope,
        "ExplorerOrganizationSync",
        sync_name=name,
        sync_type=SYNC_TYPE,
        sync_source=sync_source(organizational_unit_ids, regions),
    )
