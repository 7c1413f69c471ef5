"""``quicksetup preflight``: before anything is deployed, what the account and Region already have
that the configurations of a cloud assembly would collide with.

Per configuration, each finding names the existing resource:

- **inventory**: an ``AWS-GatherSoftwareInventory`` association (any name) and the
  configuration's, neither for all instances and able to reach one instance → error: State
  Manager fails the one created earlier, the existing one. Both for all instances → warning:
  each instance runs one and skips the other. One for all instances and one targeted → nothing
  (the rule: :mod:`quicksetup_constructs.overlap`);
- **patch scans**: an ``AWS-RunPatchBaseline*`` association (a scan, an install, a Quick Setup
  patch policy's) that can reach the instances the configuration scans → warning: the latest
  scan's compliance overwrites the other's;
- **Default Host Management Configuration**: the setting names another role → warning: the
  deploy does not fail, it changes the role of every instance of the account and Region;
- **resource data syncs**: one with the configuration's sync name → error (``CreateResourceDataSync``
  fails with ``ResourceDataSyncAlreadyExists``); the existing ones and the app's new ones above
  :data:`MAX_DATA_SYNCS` → error (``ResourceDataSyncCountExceeded``);
- **console Quick Setup**: a configuration manager with a Host Management definition (or a DHMC
  one, for a configuration that sets DHMC) whose targets include the account (or OUs) and the
  Region → warning, with the command that deletes it after the cut-over.

A configuration's own associations (``QuickSetup-<option>-<id>``, from an earlier deploy of its
stack) are no conflict; nor is its own sync when its associations are there too.

Where: the account of the credentials, in ``--region``. A local configuration is checked when
its stack deploys there (or is environment-agnostic). An organization configuration's
associations run in the member accounts of its OUs: it is checked, as one member account, when
the Region is one of its StackSet's and the account is not the one its StackSets are deployed
from; from that account (the management account, or a delegated administrator), only the
console configuration managers are compared.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from quicksetup_constructs.overlap import (
    AssociationTargets,
    inventories_both_global,
    inventories_conflict,
)

from .aws import Aws, error_code, paginate
from .catalogue import match_associations
from .errors import CliError
from .footprint import ORGANIZATION, Footprint, read_footprints
from .importer.console import (
    DEFAULT_HOST_MANAGEMENT,
    HOST_MANAGEMENT,
    Manager,
    read_managers,
    split_list,
)
from .status import DHMC_OFF, DHMC_SETTING_ID

ERROR = "error"
WARNING = "warning"
INVENTORY_DOCUMENT = "AWS-GatherSoftwareInventory"
PATCH_DOCUMENTS = frozenset({
    "AWS-RunPatchBaseline", "AWS-RunPatchBaselineAssociation", "AWS-RunPatchBaselineWithHooks",
})
"""The documents that scan (or install) patches and report patch compliance; Quick Setup patch
policies run ``AWS-RunPatchBaseline``."""
MAX_DATA_SYNCS = 5
"""Resource data syncs per account and Region (AWS General Reference, "AWS Systems Manager
endpoints and quotas", Inventory)."""
CONSOLE_TYPES = {HOST_MANAGEMENT: "Host Management",
                 DEFAULT_HOST_MANAGEMENT: "Default Host Management Configuration"}

INVENTORY_CONFLICT = "inventory_conflict"
INVENTORY_DUPLICATE = "inventory_duplicate"
PATCH_SCAN_OVERLAP = "patch_scan_overlap"
HOST_MANAGEMENT_ROLE = "default_host_management_role"
DATA_SYNC_EXISTS = "data_sync_exists"
DATA_SYNC_LIMIT = "data_sync_limit"
CONSOLE_QUICK_SETUP = "console_quick_setup"
KINDS = {
    INVENTORY_CONFLICT: "inventory conflict", INVENTORY_DUPLICATE: "second global inventory",
    PATCH_SCAN_OVERLAP: "overlapping patch scans", HOST_MANAGEMENT_ROLE: "DHMC role",
    DATA_SYNC_EXISTS: "sync name taken", DATA_SYNC_LIMIT: "sync limit",
    CONSOLE_QUICK_SETUP: "console Quick Setup",
}
"""Each kind of finding, in words."""


@dataclass(frozen=True)
class PreflightFinding:
    severity: str
    """``error`` (the deploy, or the existing resource, would fail) or ``warning``."""
    kind: str
    configuration_id: str
    resource: str
    """The existing resource's name."""
    resource_id: str | None
    """Its id or ARN, where it has one besides its name."""
    message: str
    """What will happen, and what to do, in one sentence."""

    JSON_EXTRA = ("key",)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.resource_id or self.resource}"


@dataclass(frozen=True)
class ConfigurationPreflight:
    configuration_id: str
    stack: str
    kind: str
    targets: str
    checked: bool
    """Whether the account and Region were compared with the configuration (False: it does not
    deploy there, see ``note``)."""
    note: str | None
    findings: list[PreflightFinding] = field(default_factory=list)


@dataclass(frozen=True)
class Preflight:
    assembly: str
    account: str
    region: str
    home_region: str
    """Where the console's configuration managers were read."""
    configurations: list[ConfigurationPreflight]

    JSON_EXTRA = ("errors", "warnings")

    @property
    def errors(self) -> int:
        return self._count(ERROR)

    @property
    def warnings(self) -> int:
        return self._count(WARNING)

    def _count(self, severity: str) -> int:
        return sum(
            finding.severity == severity
            for configuration in self.configurations for finding in configuration.findings
        )


def preflight(
    aws: Aws, directory: str | Path, *, stack_name: str | None = None,
    home_region: str | None = None,
) -> Preflight:
    """Compare the configurations of the cloud assembly in ``directory`` (of ``stack_name``)
    with the account and Region of ``aws``; the console's configuration managers are read in
    ``home_region`` (default: the Region of ``aws``).

    Raises :class:`CliError` when no configuration deploys to this account and Region.
    """
    footprints = read_footprints(directory, stack_name)
    account, region = aws.account, aws.region
    scopes = {f.configuration_id: _scope(f, account, region) for f in footprints}
    if not any(full or console for full, console, _ in scopes.values()):
        notes = "; ".join(f"{f.configuration_id} {scopes[f.configuration_id][2]}" for f in footprints)
        raise CliError(
            f"no configuration of {directory} deploys to account {account} in {region}: {notes}"
        )
    checked = [f for f in footprints if scopes[f.configuration_id][0]]
    existing = _Existing(aws, home_region or region, checked)
    results = []
    for footprint in footprints:
        full, console, note = scopes[footprint.configuration_id]
        findings = existing.findings(footprint, console_only=not full) if full or console else []
        results.append(ConfigurationPreflight(
            footprint.configuration_id, footprint.stack, footprint.kind, footprint.targets,
            full, note, findings,
        ))
    return Preflight(str(directory), account, region, home_region or region, results)


def _scope(footprint: Footprint, account: str, region: str) -> tuple[bool, bool, str | None]:
    """(compare everything, compare the console's managers only, a note) for ``footprint`` in
    ``account`` and ``region``."""
    regions = footprint.regions
    if regions is not None and region not in regions:
        return False, False, f"deploys to {', '.join(regions)}, not {region}: pass --region"
    if footprint.kind != ORGANIZATION:
        if footprint.account not in (None, account):
            return False, False, (
                f"deploys to account {footprint.account}: run with that account's credentials"
            )
        return True, True, None
    if footprint.account == account:
        return False, True, (
            f"its associations run in the member accounts of its OUs, never in account "
            f"{account}, which deploys its StackSets: run with a member account's credentials"
        )
    return True, True, f"account {account} checked as one member account of its OUs"


class _Existing:
    """What the account and Region hold, read once, in this order, when a checked configuration
    needs it: associations, the DHMC setting, resource data syncs, console managers."""

    def __init__(self, aws: Aws, home_region: str, checked: list[Footprint]) -> None:
        self.aws = aws
        self.home_region = home_region
        if checked:
            self.associations  # noqa: B018 - the fixed order of the calls
        if any(f.host_management_role is not None for f in checked):
            self.setting  # noqa: B018
        if any(f.inventory_sync for f in checked):
            self.syncs  # noqa: B018
        self.new_syncs = {
            f.inventory_sync for f in checked
            if f.inventory_sync and f.inventory_sync not in self.syncs
        }

    @cached_property
    def associations(self) -> list[tuple[dict[str, Any], str | None]]:
        """Every association, with the id of the configuration it belongs to (by its name,
        ``QuickSetup-<option>-<id>``), if any."""
        found = list(paginate(self.aws.client("ssm"), "list_associations", "Associations"))
        matches = match_associations(a.get("AssociationName", "") for a in found)
        return [
            (a, match.configuration_id if (match := matches.get(a.get("AssociationName", "")))
             else None)
            for a in found
        ]

    @cached_property
    def setting(self) -> str | None:
        """The DHMC role's name (with its path), or None when DHMC is off."""
        from botocore.exceptions import ClientError

        try:
            value = self.aws.client("ssm").get_service_setting(SettingId=DHMC_SETTING_ID)[
                "ServiceSetting"
            ].get("SettingValue")
        except ClientError as error:
            if error_code(error) != "ServiceSettingNotFound":
                raise
            return None
        return None if value in (None, "", DHMC_OFF) else value

    @cached_property
    def syncs(self) -> dict[str, dict[str, Any]]:
        """The syncs that deliver to S3 (inventory's kind), by name."""
        return {
            item["SyncName"]: item for item in paginate(
                self.aws.client("ssm"), "list_resource_data_sync", "ResourceDataSyncItems",
                SyncType="SyncToDestination",
            )
        }

    @cached_property
    def managers(self) -> list[Manager]:
        """Each console manager with a Host Management or DHMC definition, described."""
        return read_managers(self.aws, types=CONSOLE_TYPES, region=self.home_region)

    def findings(self, footprint: Footprint, *, console_only: bool) -> list[PreflightFinding]:
        found: list[PreflightFinding] = []
        if not console_only:
            deployed = any(owner == footprint.configuration_id for _, owner in self.associations)
            found += self._associations(footprint)
            found += self._host_management(footprint)
            found += self._syncs(footprint, deployed)
        found += self._console(footprint, console_only)
        return found

    def _associations(self, footprint: Footprint) -> Iterable[PreflightFinding]:
        for association, owner in self.associations:
            if owner == footprint.configuration_id:
                continue  # its own, from an earlier deploy
            document = association.get("Name", "").rsplit("/", 1)[-1]
            reach = _reach(association)
            name = association.get("AssociationName") or association["AssociationId"]
            finding = _Finder(footprint, name, association["AssociationId"])
            if document == INVENTORY_DOCUMENT and footprint.inventory is not None:
                if inventories_conflict(footprint.inventory, reach):
                    yield finding(
                        ERROR, INVENTORY_CONFLICT,
                        f"{name} already collects inventory from {reach.describe()}, and this "
                        f"configuration's ({footprint.targets}) can reach the same instances: "
                        f"State Manager fails the association created earlier, {name}, on every "
                        "instance both reach. Delete it at the cut-over, give the two disjoint "
                        "targets, or switch collect_inventory off here",
                    )
                elif inventories_both_global(footprint.inventory, reach):
                    yield finding(
                        WARNING, INVENTORY_DUPLICATE,
                        f"{name} already collects inventory from all instances, as this "
                        "configuration will: each instance runs one of the two and shows the "
                        f"other as Skipped. Delete {name} after the cut-over",
                    )
            if (
                document in PATCH_DOCUMENTS and footprint.patch_scan is not None
                and footprint.patch_scan.can_overlap(reach)
            ):
                yield finding(
                    WARNING, PATCH_SCAN_OVERLAP,
                    f"{name} ({document}) already patches or scans {reach.describe()}: each "
                    "scan overwrites the patch compliance the other reported, the latest wins. "
                    "Delete it after the cut-over, or switch scan_for_patches off here",
                )

    def _host_management(self, footprint: Footprint) -> Iterable[PreflightFinding]:
        role = footprint.host_management_role
        current = None if role is None else self.setting
        if role is None or current is None or _names_own_role(footprint, current):
            return
        yield _Finder(footprint, current, DHMC_SETTING_ID)(
            WARNING, HOST_MANAGEMENT_ROLE,
            f"Default Host Management Configuration already uses role {current}: the deploy "
            f"replaces it with {'the role the stack creates' if '${' in role else role} for "
            "every instance of the account and Region. Check that "
            "no instance relies on the current role, or switch default_host_management off here",
        )

    def _syncs(self, footprint: Footprint, deployed: bool) -> Iterable[PreflightFinding]:
        name = footprint.inventory_sync
        if name is None:
            return
        if name in self.syncs:
            if not deployed:
                bucket = (self.syncs[name].get("S3Destination") or {}).get("BucketName", "?")
                yield _Finder(footprint, name, None)(
                    ERROR, DATA_SYNC_EXISTS,
                    f"a resource data sync named {name} already exists (to bucket {bucket}): "
                    "creating it fails with ResourceDataSyncAlreadyExists. Delete it first: aws "
                    f"ssm delete-resource-data-sync --sync-name {name}",
                )
            return
        total = len(self.syncs) + len(self.new_syncs)
        if total > MAX_DATA_SYNCS:
            names = ", ".join(sorted(self.syncs))
            yield _Finder(footprint, names or "resource data syncs", None)(
                ERROR, DATA_SYNC_LIMIT,
                f"{len(self.syncs)} resource data sync(s) exist ({names}) and the app adds "
                f"{len(self.new_syncs)}: more than the {MAX_DATA_SYNCS} an account and Region "
                f"allow, so creating {name} fails with ResourceDataSyncCountExceeded. Delete "
                f"{total - MAX_DATA_SYNCS} of them, or switch inventory_sync off here",
            )

    def _console(self, footprint: Footprint, console_only: bool) -> Iterable[PreflightFinding]:
        for manager in self.managers:
            for definition in manager.definitions:
                kind = definition.type
                if kind not in CONSOLE_TYPES or not _covers(
                    definition.parameters, self.aws.account, self.aws.region,
                    organizational_units_only=console_only,
                ):
                    continue
                if kind == DEFAULT_HOST_MANAGEMENT and footprint.host_management_role is None:
                    continue
                arn = manager.arn
                name = manager.name or arn.rsplit("/", 1)[-1]
                yield _Finder(footprint, name, arn)(
                    WARNING, CONSOLE_QUICK_SETUP,
                    f"console Quick Setup {CONSOLE_TYPES[kind]} configuration manager {name} "
                    f"also configures {self.aws.region}: its associations keep running beside "
                    "this configuration's. After the cut-over delete it: aws ssm-quicksetup "
                    f"delete-configuration-manager --manager-arn {arn} --region "
                    f"{self.home_region}",
                )
                break


@dataclass(frozen=True)
class _Finder:
    """Makes the findings of one configuration about one existing resource."""

    footprint: Footprint
    resource: str
    resource_id: str | None

    def __call__(self, severity: str, kind: str, message: str) -> PreflightFinding:
        return PreflightFinding(
            severity, kind, self.footprint.configuration_id, self.resource, self.resource_id,
            message,
        )


def _reach(association: dict[str, Any]) -> AssociationTargets:
    """The instances an association of ``ListAssociations`` targets (a legacy one names one
    instance in ``InstanceId``)."""
    targets = [(t.get("Key", ""), t.get("Values") or []) for t in association.get("Targets") or []]
    if not targets and association.get("InstanceId"):
        targets = [("InstanceIds", [association["InstanceId"]])]
    return AssociationTargets.parse(targets)


def _names_own_role(footprint: Footprint, current: str) -> bool:
    """Whether the DHMC setting already names the configuration's role: the same name, or,
    for a role the stack creates (named by CloudFormation ``<stack>-...``), one of its stack's,
    or one whose name ends with the configuration id (``QuickSetup-DHMC-<id>``)."""
    role = footprint.host_management_role or ""
    name = current.rsplit("/", 1)[-1]
    if current == role or name.endswith(f"-{footprint.configuration_id}"):
        return True
    return "${" in role and name.startswith(f"{footprint.stack}-")


def _covers(
    parameters: dict[str, str], account: str, region: str, *, organizational_units_only: bool,
) -> bool:
    """Whether a console definition's ``TargetRegions`` hold ``region`` and its targets can
    hold ``account`` (it is one of ``TargetAccounts``, or it targets OUs); with
    ``organizational_units_only``, only a definition that targets OUs."""
    if region not in split_list(parameters.get("TargetRegions")):
        return False
    units = split_list(parameters.get("TargetOrganizationalUnits"))
    if organizational_units_only:
        return bool(units)
    return bool(units) or account in split_list(parameters.get("TargetAccounts"))
