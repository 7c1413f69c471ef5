"""``quicksetup preflight``: before anything is deployed, what the account and Region already have
that the configurations of a cloud assembly would collide with.

Per configuration, each finding names the existing resource:

- **inventory**: an ``AWS-GatherSoftwareInventory`` association (any name) and the
  configuration's, both for all instances → error: AWS refuses the second one ("Multiple apply
  all associations with document 'AWS-GatherSoftwareInventory' are not supported", user guide,
  "Troubleshooting problems with Systems Manager Inventory"). Neither for all instances, and
  able to reach one instance → error: Quick Setup's guide says the one created earlier fails
  there ("Collect inventory every 30 minutes"), AWS's current Inventory page that several that
  each target by tags fail to run on it ("Configuring inventory collection"). One for all
  instances and one targeted → nothing (the rule: :mod:`quicksetup_constructs.overlap`);
- **patch scans**: an ``AWS-RunPatchBaseline*`` association (a scan, an install, a Quick Setup
  patch policy's) that can reach the instances the configuration scans → warning: the latest
  scan's compliance overwrites the other's;
- **Default Host Management Configuration**: the setting names another role → warning: the
  deploy does not fail, it changes the role of every instance of the account and Region;
- **resource data syncs**: one with the configuration's sync name → error
  (``CreateResourceDataSync`` fails with ``ResourceDataSyncAlreadyExists``); the existing ones
  and the app's new ones above :data:`MAX_DATA_SYNCS` → error (``ResourceDataSyncCountExceeded``);
- **console Quick Setup**: a configuration manager with a Host Management definition (or a DHMC
  one, for a configuration that sets DHMC) whose targets include the account (or OUs) and the
  Region → warning, saying what to do: delete a Host Management manager after the cut-over;
  deal with a DHMC one before ``cdk deploy`` (delete the manager when DHMC is all it holds,
  else remove its DHMC definition), so that its removal cannot turn off the setting the app has
  just set;
- **stack**: the configuration's stack was written by ``quicksetup import`` (it carries the tag
  ``quicksetup:imported-from``) and a CloudFormation stack of its name exists without that tag
  (or with another source in it) → error: the deploy would take over a stack the app did not
  make.

``migrating_from`` (``--migrating-from``: a manager's ARN, or an association name prefix such
as ``AWS-QuickSetup-SSMHostMgmt-``) turns a finding about that source into a note, but only
where ``quicksetup import``'s cut-over removes the resource before ``cdk deploy``: the source's
inventory associations, and its Default Host Management. Whatever still stands at deploy time
keeps its severity.

A configuration's own associations (``QuickSetup-<option>-<id>``, from an earlier deploy of its
stack) are no conflict; nor is its own sync when its associations are there too.

Where: the account of the credentials, in ``--region``. A local configuration is checked when
its stack deploys there (or is environment-agnostic). An organization configuration's
associations run in the member accounts of its OUs: it is checked, as one member account, when
the Region is one of its StackSet's and the account is not the one its StackSets are deployed
from; from that account (the management account, or a delegated administrator), only the
console configuration managers and its stack are compared.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
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
from .footprint import ORGANIZATION, Footprint, read_footprints, read_named_iam
from .importer.console import (
    DEFAULT_HOST_MANAGEMENT,
    HOST_MANAGEMENT,
    IMPORTED_FROM_TAG,
    LEGACY_NAME,
    Manager,
    read_managers,
    split_list,
)
from .status import DHMC_OFF, DHMC_SETTING_ID

ERROR = "error"
WARNING = "warning"
NOTE = "note"
"""An error or warning that ``--migrating-from`` acknowledged: the cut-over removes what it is
about before the deploy."""
INVENTORY_DOCUMENT = "AWS-GatherSoftwareInventory"
PATCH_DOCUMENTS = frozenset(
    {
        "AWS-RunPatchBaseline",
        "AWS-RunPatchBaselineAssociation",
        "AWS-RunPatchBaselineWithHooks",
    }
)
"""The documents that scan (or install) patches and report patch compliance; Quick Setup patch
policies run ``AWS-RunPatchBaseline``."""
MAX_DATA_SYNCS = 5
"""Resource data syncs per account and Region (AWS General Reference, "AWS Systems Manager
endpoints and quotas", Inventory)."""
CONSOLE_TYPES = {
    HOST_MANAGEMENT: "Host Management",
    DEFAULT_HOST_MANAGEMENT: "Default Host Management Configuration",
}
ALL_INSTANCES_REFUSED = (
    "Multiple apply all associations with document 'AWS-GatherSoftwareInventory' are not supported"
)
"""AWS's error for a second inventory association over all instances of a Region (user guide,
"Troubleshooting problems with Systems Manager Inventory")."""

INVENTORY_CONFLICT = "inventory_conflict"
INVENTORY_DUPLICATE = "inventory_duplicate"
PATCH_SCAN_OVERLAP = "patch_scan_overlap"
HOST_MANAGEMENT_ROLE = "default_host_management_role"
DATA_SYNC_EXISTS = "data_sync_exists"
DATA_SYNC_LIMIT = "data_sync_limit"
CONSOLE_QUICK_SETUP = "console_quick_setup"
STACK_EXISTS = "stack_exists"
NAMED_ROLE_MISSING = "named_role_missing"
NAMED_PROFILE_MISSING = "named_profile_missing"
ROLE_POLICY_MISSING = "role_policy_missing"
KINDS = {
    INVENTORY_CONFLICT: "inventory conflict",
    INVENTORY_DUPLICATE: "second global inventory",
    PATCH_SCAN_OVERLAP: "overlapping patch scans",
    HOST_MANAGEMENT_ROLE: "DHMC role",
    DATA_SYNC_EXISTS: "sync name taken",
    DATA_SYNC_LIMIT: "sync limit",
    CONSOLE_QUICK_SETUP: "console Quick Setup",
    STACK_EXISTS: "stack name taken",
    NAMED_ROLE_MISSING: "named role missing",
    NAMED_PROFILE_MISSING: "named profile missing",
    ROLE_POLICY_MISSING: "role policy missing",
}
"""Each kind of finding, in words."""


@dataclass(frozen=True)
class PreflightFinding:
    severity: str
    """``error`` (the deploy, or the existing resource, would fail), ``warning``, or ``note``
    (one that ``--migrating-from`` acknowledged)."""
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
    migrating_from: list[str]
    """The sources of ``--migrating-from``: manager ARNs, association name prefixes."""
    configurations: list[ConfigurationPreflight]

    JSON_EXTRA = ("errors", "warnings", "notes")

    @property
    def errors(self) -> int:
        return self._count(ERROR)

    @property
    def warnings(self) -> int:
        return self._count(WARNING)

    @property
    def notes(self) -> int:
        return self._count(NOTE)

    def _count(self, severity: str) -> int:
        return sum(
            finding.severity == severity
            for configuration in self.configurations
            for finding in configuration.findings
        )


def preflight(
    aws: Aws,
    directory: str | Path,
    *,
    stack_name: str | None = None,
    home_region: str | None = None,
    migrating_from: Sequence[str] = (),
    member_role: str | None = None,
) -> Preflight:
    """Compare the configurations of the cloud assembly in ``directory`` (of ``stack_name``)
    with the account and Region of ``aws``; the console's configuration managers are read in
    ``home_region`` (default: the Region of ``aws``). A finding about a source of
    ``migrating_from`` that the cut-over removes before the deploy is a note. The roles and
    instance profiles an organization configuration names are checked in its member accounts
    through ``member_role`` (the accounts under its OUs, read with AWS Organizations); without
    it, in this account only when it is checked as a member account, with a note.

    Raises :class:`CliError` when no configuration deploys to this account and Region, or a
    manager ARN of ``migrating_from`` is not a Host Management or DHMC manager of
    ``home_region``.
    """
    footprints = read_footprints(directory, stack_name)
    account, region = aws.account, aws.region
    home = home_region or region
    scopes = {f.configuration_id: _scope(f, account, region) for f in footprints}
    if not any(full or console for full, console, _ in scopes.values()):
        notes = "; ".join(
            f"{f.configuration_id} {scopes[f.configuration_id][2]}" for f in footprints
        )
        raise CliError(
            f"no configuration of {directory} deploys to account {account} in {region}: {notes}"
        )
    sources = list(dict.fromkeys(migrating_from))
    for source in sources:
        if source.startswith("arn:") and source.split(":")[3:4] != [home]:
            raise CliError(
                f"--migrating-from {source}: the manager is not in {home}; pass "
                "--home-region with the Region of its ARN"
            )
    checked = [f for f in footprints if scopes[f.configuration_id][0]]
    existing = _Existing(aws, home, checked, sources)
    named = read_named_iam(directory)
    named_iam: dict[str, _NamedIam] = {}

    def in_account(target: str) -> _NamedIam:
        if target not in named_iam:
            named_iam[target] = _NamedIam(
                aws if target == account else aws.member(target, str(member_role)), target
            )
        return named_iam[target]

    results = []
    for footprint in footprints:
        full, console, note = scopes[footprint.configuration_id]
        findings = existing.findings(footprint, console_only=not full) if full or console else []
        if footprint.imported_from and _stack_deploys_here(footprint, account, region):
            findings += existing.stack_findings(footprint)
        names = named.get(footprint.configuration_id)
        if names and footprint.kind != ORGANIZATION and full:
            findings += in_account(account).findings(footprint, names)
        elif names and footprint.kind == ORGANIZATION and member_role is not None:
            from quicksetup_constructs.organization.accounts import member_accounts

            units = names.get("organizational_unit_ids") or []
            for member in sorted(member_accounts(aws.client("organizations"), units)):
                findings += in_account(member).findings(footprint, names)
        elif names and footprint.kind == ORGANIZATION and (full or console):
            if full:
                findings += in_account(account).findings(footprint, names)
            unchecked = (
                f"the roles and instance profiles it names were checked in account {account} only"
                if full
                else "the roles and instance profiles it names were not checked"
            )
            note = "; ".join(
                filter(
                    None,
                    [note, f"{unchecked}: pass --member-role to check every member account"],
                )
            )
        results.append(
            ConfigurationPreflight(
                footprint.configuration_id,
                footprint.stack,
                footprint.kind,
                footprint.targets,
                full,
                note,
                findings,
            )
        )
    return Preflight(str(directory), account, region, home, sources, results)


def _scope(footprint: Footprint, account: str, region: str) -> tuple[bool, bool, str | None]:
    """(compare everything, compare the console's managers only, a note) for ``footprint`` in
    ``account`` and ``region``."""
    regions = footprint.regions
    if regions is not None and region not in regions:
        return False, False, f"deploys to {', '.join(regions)}, not {region}: pass --region"
    if footprint.kind != ORGANIZATION:
        if footprint.account not in (None, account):
            return (
                False,
                False,
                (f"deploys to account {footprint.account}: run with that account's credentials"),
            )
        return True, True, None
    if footprint.account == account:
        return (
            False,
            True,
            (
                f"its associations run in the member accounts of its OUs, never in account "
                f"{account}, which deploys its StackSets: run with a member account's credentials"
            ),
        )
    return True, True, f"account {account} checked as one member account of its OUs"


def _stack_deploys_here(footprint: Footprint, account: str, region: str) -> bool:
    """Whether the configuration's stack (not its StackSets) deploys to this account and
    Region."""
    return footprint.account in (None, account) and footprint.stack_region in (None, region)


class _Existing:
    """What the account and Region hold, read once, in this order, when a checked configuration
    needs it: associations, the DHMC setting, resource data syncs, console managers, then the
    stacks of the configurations ``quicksetup import`` wrote."""

    def __init__(
        self,
        aws: Aws,
        home_region: str,
        checked: list[Footprint],
        sources: list[str],
    ) -> None:
        self.aws = aws
        self.home_region = home_region
        self.sources = sources
        if checked:
            self.associations  # noqa: B018 - the fixed order of the calls
        if any(f.host_management_role is not None for f in checked):
            self.setting  # noqa: B018
        if any(f.inventory_sync for f in checked):
            self.syncs  # noqa: B018
        self.new_syncs = {
            f.inventory_sync
            for f in checked
            if f.inventory_sync and f.inventory_sync not in self.syncs
        }
        if any(source.startswith("arn:") for source in sources):
            missing = [
                s
                for s in sources
                if s.startswith("arn:") and s not in {m.arn for m in self.managers}
            ]
            if missing:
                raise CliError(
                    f"--migrating-from {missing[0]}: no configuration manager with a Host "
                    f"Management or Default Host Management definition has this ARN in "
                    f"{home_region} (see `aws ssm-quicksetup list-configuration-managers`)"
                )
        self._stacks: dict[str, dict[str, Any] | None] = {}

    @cached_property
    def associations(self) -> list[tuple[dict[str, Any], str | None]]:
        """Every association, with the id of the configuration it belongs to (by its name,
        ``QuickSetup-<option>-<id>``), if any."""
        found = list(paginate(self.aws.client("ssm"), "list_associations", "Associations"))
        matches = match_associations(a.get("AssociationName", "") for a in found)
        return [
            (
                a,
                match.configuration_id
                if (match := matches.get(a.get("AssociationName", "")))
                else None,
            )
            for a in found
        ]

    @cached_property
    def setting(self) -> str | None:
        """The DHMC role's name (with its path), or None when DHMC is off."""
        from botocore.exceptions import ClientError

        try:
            value = (
                self.aws.client("ssm")
                .get_service_setting(SettingId=DHMC_SETTING_ID)["ServiceSetting"]
                .get("SettingValue")
            )
        except ClientError as error:
            if error_code(error) != "ServiceSettingNotFound":
                raise
            return None
        return None if value in (None, "", DHMC_OFF) else value

    @cached_property
    def syncs(self) -> dict[str, dict[str, Any]]:
        """The syncs that deliver to S3 (inventory's kind), by name."""
        return {
            item["SyncName"]: item
            for item in paginate(
                self.aws.client("ssm"),
                "list_resource_data_sync",
                "ResourceDataSyncItems",
                SyncType="SyncToDestination",
            )
        }

    @cached_property
    def managers(self) -> list[Manager]:
        """Each console manager with a Host Management or DHMC definition, described."""
        return read_managers(self.aws, types=CONSOLE_TYPES, region=self.home_region)

    def source_of(self, association_name: str) -> str | None:
        """The ``--migrating-from`` source an association belongs to: a manager whose
        definition id ends its name (``AWS-QuickSetup-SSMHostMgmt-<Option>-<id>``), or a
        prefix its name starts with."""
        match = LEGACY_NAME.fullmatch(association_name)
        for source in self.sources:
            if source.startswith("arn:"):
                manager = next(m for m in self.managers if m.arn == source)
                if match and match["id"] in {d.id for d in manager.definitions}:
                    return source
            elif association_name.startswith(source):
                return source
        return None

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
                inventory = None
                if inventories_both_global(footprint.inventory, reach):
                    inventory = finding(
                        ERROR,
                        INVENTORY_DUPLICATE,
                        f"{name} already collects inventory from all instances, as this "
                        "configuration would: AWS refuses a second one in a Region "
                        f'("{ALL_INSTANCES_REFUSED}", Inventory troubleshooting), so the '
                        f"deploy fails. Delete {name} before `cdk deploy`, or switch "
                        "collect_inventory off here",
                    )
                elif inventories_conflict(footprint.inventory, reach):
                    inventory = finding(
                        ERROR,
                        INVENTORY_CONFLICT,
                        f"{name} already collects inventory from {reach.describe()}, and this "
                        f"configuration's ({footprint.targets}) can reach the same instances: "
                        "two targeted inventory associations fail on an instance both reach "
                        "(Quick Setup's guide: the one created earlier fails; AWS's Inventory "
                        "page: associations that each target by tags fail to run on it). "
                        f"Delete {name} before `cdk deploy`, give the two disjoint targets, or "
                        "switch collect_inventory off here",
                    )
                if inventory is not None:
                    source = self.source_of(name)
                    yield (
                        inventory
                        if source is None
                        else _acknowledged(inventory, source, "stops its inventory collection")
                    )
            if (
                document in PATCH_DOCUMENTS
                and footprint.patch_scan is not None
                and footprint.patch_scan.can_overlap(reach)
            ):
                yield finding(
                    WARNING,
                    PATCH_SCAN_OVERLAP,
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
            WARNING,
            HOST_MANAGEMENT_ROLE,
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
                    ERROR,
                    DATA_SYNC_EXISTS,
                    f"a resource data sync named {name} already exists (to bucket {bucket}): "
                    "creating it fails with ResourceDataSyncAlreadyExists. Delete it first: aws "
                    f"ssm delete-resource-data-sync --sync-name {name}",
                )
            return
        excess = len(self.syncs) + len(self.new_syncs) - MAX_DATA_SYNCS
        if excess > 0:
            names = ", ".join(sorted(self.syncs))
            if not self.syncs:
                counts = f"the app adds {len(self.new_syncs)} resource data syncs"
                fix = f"Switch inventory_sync off in {excess} of the app's configurations"
            else:
                counts = (
                    f"{len(self.syncs)} resource data sync(s) exist ({names}) and the app adds "
                    f"{len(self.new_syncs)}"
                )
                fix = (
                    "Delete 1 of them, or switch inventory_sync off here"
                    if excess == 1
                    else f"Remove {excess}: delete some of them, or switch inventory_sync off in "
                    "some of the app's configurations"
                )
            yield _Finder(footprint, names or "resource data syncs", None)(
                ERROR,
                DATA_SYNC_LIMIT,
                f"{counts}: more than the {MAX_DATA_SYNCS} an account and Region allow, so "
                f"creating {name} fails with ResourceDataSyncCountExceeded. {fix}",
            )

    def _console(self, footprint: Footprint, console_only: bool) -> Iterable[PreflightFinding]:
        for manager in self.managers:
            covering = {
                definition.type: definition
                for definition in manager.definitions
                if definition.type in CONSOLE_TYPES
                and _covers(
                    definition.parameters,
                    self.aws.account,
                    self.aws.region,
                    organizational_units_only=console_only,
                )
            }
            if footprint.host_management_role is None:
                covering.pop(DEFAULT_HOST_MANAGEMENT, None)
            if not covering:
                continue
            name = manager.name or manager.arn.rsplit("/", 1)[-1]
            kinds = " and ".join(CONSOLE_TYPES[kind] for kind in CONSOLE_TYPES if kind in covering)
            advice = []
            dhmc = covering.get(DEFAULT_HOST_MANAGEMENT)
            if dhmc is not None:
                advice.append(
                    "Before `cdk deploy`, so that removing it cannot turn off the setting this "
                    "configuration sets, "
                    + (
                        f"delete it: {self._delete(manager)}"
                        if all(d.type == DEFAULT_HOST_MANAGEMENT for d in manager.definitions)
                        else f"remove its definition {dhmc.id} in the console's Quick Setup "
                        "(ssm-quicksetup has no call that deletes one definition)"
                    )
                )
            if HOST_MANAGEMENT in covering or (dhmc is not None and len(manager.definitions) > 1):
                advice.append(f"After the cut-over delete it: {self._delete(manager)}")
            found = _Finder(footprint, name, manager.arn)(
                WARNING,
                CONSOLE_QUICK_SETUP,
                f"console Quick Setup {kinds} configuration manager {name} also configures "
                f"{self.aws.region}: its associations keep running beside this "
                f"configuration's. {'. '.join(advice)}",
            )
            removed_first = HOST_MANAGEMENT not in covering
            yield (
                found
                if manager.arn not in self.sources or not removed_first
                else (_acknowledged(found, manager.arn, "deals with its Default Host Management"))
            )

    def _delete(self, manager: Manager) -> str:
        return (
            f"aws ssm-quicksetup delete-configuration-manager --manager-arn {manager.arn} "
            f"--region {self.home_region}"
        )

    def stack_findings(self, footprint: Footprint) -> list[PreflightFinding]:
        """An error when a stack of the configuration's stack name exists without the
        ``quicksetup:imported-from`` tag its app gives it (CloudFormation ``DescribeStacks``)."""
        stack = self._stack(footprint.stack)
        if stack is None:
            return []
        tags = {tag.get("Key"): tag.get("Value") for tag in stack.get("Tags") or []}
        if tags.get(IMPORTED_FROM_TAG) == footprint.imported_from:
            return []  # an earlier deploy of the same import
        found = tags.get(IMPORTED_FROM_TAG)
        has = (
            f"with {IMPORTED_FROM_TAG}={found}" if found else f"without the tag {IMPORTED_FROM_TAG}"
        )
        return [
            _Finder(footprint, footprint.stack, stack.get("StackId"))(
                ERROR,
                STACK_EXISTS,
                f"a CloudFormation stack named {footprint.stack} already exists {has}: "
                "`cdk deploy` would update it, replacing what it holds with this configuration. "
                "Give the app's stack another id (the second argument of cdk.Stack in the app), "
                "or delete that stack if it is no longer needed",
            )
        ]

    def _stack(self, name: str) -> dict[str, Any] | None:
        """The stack ``name`` as ``DescribeStacks`` gives it; None when there is none."""
        from botocore.exceptions import ClientError

        if name not in self._stacks:
            try:
                stacks = self.aws.client("cloudformation").describe_stacks(StackName=name)["Stacks"]
            except ClientError as error:
                message = str(error.response.get("Error", {}).get("Message", ""))
                if error_code(error) != "ValidationError" or "does not exist" not in message:
                    raise
                stacks = []
            self._stacks[name] = stacks[0] if stacks else None
        return self._stacks[name]


class _NamedIam:
    """The roles and instance profiles that configurations name (and do not create), read
    from IAM once each: ``GetInstanceProfile``, ``GetRole``, ``ListAttachedRolePolicies``."""

    def __init__(self, aws: Aws, account: str) -> None:
        self.aws = aws
        self.account = account
        self._profiles: dict[str, dict[str, Any] | None] = {}
        self._roles: dict[str, str | None] = {}
        self._policies: dict[str, set[str]] = {}

    def findings(self, footprint: Footprint, names: dict[str, Any]) -> list[PreflightFinding]:
        """One error per named profile or role that does not exist, and per AWS managed
        policy its options need that the role lacks."""
        found: list[PreflightFinding] = []
        for profile in names.get("instance_profiles") or []:
            name = str(profile["name"])
            existing = self._profile(name)
            if existing is None:
                found.append(
                    _Finder(footprint, name, self._arn("instance-profile", name))(
                        ERROR,
                        NAMED_PROFILE_MISSING,
                        f"{profile['prop']}={name}: account {self.account} has no instance "
                        "profile of that name; create it (with a role) or fix the name",
                    )
                )
                continue
            for role in existing.get("Roles") or []:
                name = role["RoleName"]
                arn = role.get("Arn") or self._arn("role", name)
                found += self._missing_policies(footprint, name, arn, profile)
        for role in names.get("roles") or []:
            written = str(role["name"]).strip("/")  # a DHMC role may be "path/name"
            name = written.rsplit("/", 1)[-1]
            arn = self._role(name)
            if arn is None:
                found.append(
                    _Finder(footprint, name, self._arn("role", written))(
                        ERROR,
                        NAMED_ROLE_MISSING,
                        f"{role['prop']}={role['name']}: account {self.account} has no role of "
                        "that name; create it or fix the name",
                    )
                )
                continue
            found += self._missing_policies(footprint, name, arn, role)
        # a role named twice (as the profile's and as instance_profile_role) is one finding
        return list({finding.key: finding for finding in found}.values())

    def _missing_policies(
        self, footprint: Footprint, role_name: str, role_arn: str, named: dict[str, Any]
    ) -> list[PreflightFinding]:
        if not named.get("policies"):
            return []  # a role whose policies are the user's (service, DHMC): not listed
        attached = self._attached(role_name)
        return [
            _Finder(footprint, role_name, f"{role_arn}:{policy}")(
                ERROR,
                ROLE_POLICY_MISSING,
                f"{named['prop']}={named['name']}: role {role_name} of account {self.account} "
                f"lacks the AWS managed policy {policy}, which the configuration's options "
                "need; attach it",
            )
            for policy in named.get("policies") or []
            if policy not in attached
        ]

    def _arn(self, kind: str, name: str) -> str:
        """The ARN of the IAM ``kind`` (``role``, ``instance-profile``) ``name`` (with its path,
        ``path/name``) of the account (an id that tells the accounts apart)."""
        partition = self.aws.session.get_partition_for_region(self.aws.region)
        return f"arn:{partition}:iam::{self.account}:{kind}/{name}"

    def _profile(self, name: str) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        if name not in self._profiles:
            try:
                answer = self.aws.client("iam").get_instance_profile(InstanceProfileName=name)
                self._profiles[name] = answer["InstanceProfile"]
            except ClientError as error:
                if error_code(error) != "NoSuchEntity":
                    raise
                self._profiles[name] = None
        return self._profiles[name]

    def _role(self, name: str) -> str | None:
        """The ARN of the role ``name`` (with its path, as IAM gives it), or None when the
        account has no such role."""
        from botocore.exceptions import ClientError

        if name not in self._roles:
            try:
                role = self.aws.client("iam").get_role(RoleName=name)["Role"]
                self._roles[name] = role.get("Arn") or self._arn("role", name)
            except ClientError as error:
                if error_code(error) != "NoSuchEntity":
                    raise
                self._roles[name] = None
        return self._roles[name]

    def _attached(self, role_name: str) -> set[str]:
        if role_name not in self._policies:
            self._policies[role_name] = {
                policy["PolicyName"]
                for policy in paginate(
                    self.aws.client("iam"),
                    "list_attached_role_policies",
                    "AttachedPolicies",
                    RoleName=role_name,
                )
                if str(policy.get("PolicyArn", "")).split(":")[4:5] == ["aws"]
            }
        return self._policies[role_name]


def _acknowledged(finding: PreflightFinding, source: str, what: str) -> PreflightFinding:
    """``finding`` as a note: the cut-over from ``source`` removes it before the deploy."""
    return replace(
        finding,
        severity=NOTE,
        message=(
            f"{finding.message}. A note: the cut-over from {source} {what} before `cdk deploy` "
            "(--migrating-from)"
        ),
    )


@dataclass(frozen=True)
class _Finder:
    """Makes the findings of one configuration about one existing resource."""

    footprint: Footprint
    resource: str
    resource_id: str | None

    def __call__(self, severity: str, kind: str, message: str) -> PreflightFinding:
        return PreflightFinding(
            severity,
            kind,
            self.footprint.configuration_id,
            self.resource,
            self.resource_id,
            message,
        )


def _reach(association: dict[str, Any]) -> AssociationTargets:
    """The instances an association of ``ListAssociations`` targets (a legacy one names one
    instance in ``InstanceId``)."""
    targets = [(t.get("Key", ""), t.get("Values") or []) for t in association.get("Targets") or []]
    if not targets and association.get("InstanceId"):
        targets = [("InstanceIds", [association["InstanceId"]])]
    return AssociationTargets.read(targets)


def _names_own_role(footprint: Footprint, current: str) -> bool:
    """Whether the DHMC setting (``path/name``) already names the configuration's role: the
    same path and name, the name in any case (IAM does not distinguish role names by case,
    CreateRole); one whose name ends with the configuration id (``QuickSetup-DHMC-<id>``); or,
    for a role the stack creates (named by CloudFormation ``<stack>-...``), one of its stack's,
    the stack name in its own case (CloudFormation's stack names are case sensitive)."""
    role = footprint.host_management_role or ""
    path, _, name = current.rpartition("/")
    role_path, _, role_name = role.rpartition("/")
    if (path, name.casefold()) == (role_path, role_name.casefold()):
        return True
    if name.endswith(f"-{footprint.configuration_id}"):
        return True
    return "${" in role and name.startswith(f"{footprint.stack}-")


def _covers(
    parameters: dict[str, str],
    account: str,
    region: str,
    *,
    organizational_units_only: bool,
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
