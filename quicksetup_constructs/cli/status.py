"""``quicksetup status``: a card per option, as the console's Quick Setup results page shows.

Success: the option ran on every target. Failed: it failed on at least one. Pending: it is
running, or has not run yet. Not configured: the configuration does not use the option.
Missing: the stack has the association, Systems Manager does not (deleted outside
CloudFormation).

Besides the options, a card for what the configuration sets for the whole account and Region:
Default Host Management Configuration (the service setting's value, and whether it names the
configuration's role) and the inventory's resource data sync (its last sync).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .aws import Aws, error_code, paginate
from .catalogue import catalogue
from .discovery import (
    DELETED_OUTSIDE,
    HOST_MANAGEMENT,
    INVENTORY_SYNC,
    DeployedAssociation,
    DeployedConfiguration,
)

SUCCESS = "Success"
FAILED = "Failed"
PENDING = "Pending"
NOT_CONFIGURED = "Not configured"
MISSING = "Missing"
FINDINGS = frozenset({FAILED, MISSING})
"""Card statuses that make ``status`` exit 1."""
SEVERITY = (FAILED, MISSING, PENDING, SUCCESS)
"""Card states from the worst to the best: a configuration shows the worst of its cards."""
DHMC_SETTING_ID = "/ssm/managed-instance/default-ec2-instance-management-role"
"""The service setting that names the Default Host Management Configuration role."""
DHMC_OFF = "$None"
"""The setting's value when no role is registered (DHMC off)."""
SYNC_STATUSES = {"Successful": SUCCESS, "Failed": FAILED, "InProgress": PENDING}
"""A sync's ``LastStatus`` as a card status."""

FAILED_STATES = frozenset({"Failed", "TimedOut", "Cancelled", "Undeliverable", "Terminated"})
"""A target's (or a run's) statuses that are failures: Run Command's terminal ones other than
Success (``CommandInvocationStatus``, and ``StatusDetails``' Undeliverable and Terminated)."""
RUNNING_STATES = frozenset({"Pending", "InProgress", "Running", "Delayed", "Cancelling"})
"""Statuses of a target (or a run) not finished yet."""
_COUNT = re.compile(r"([A-Za-z]+)=(\d+)")


@dataclass(frozen=True)
class Execution:
    """One run of an association (``DescribeAssociationExecutions``)."""

    execution_id: str
    status: str
    detailed_status: str | None
    created: datetime | None
    counts: dict[str, int]

    @classmethod
    def from_api(cls, execution: dict[str, Any]) -> Execution:
        return cls(
            execution_id=execution["ExecutionId"],
            status=execution.get("Status", ""),
            detailed_status=execution.get("DetailedStatus"),
            created=execution.get("CreatedTime"),
            counts=parse_counts(execution.get("ResourceCountByStatus", "")),
        )


@dataclass(frozen=True)
class OptionStatus:
    key: str
    title: str
    status: str
    association_name: str | None = None
    association_id: str | None = None
    detail: str | None = None
    last_run: datetime | None = None
    last_execution: Execution | None = None
    counts: dict[str, int] = field(default_factory=dict)
    """Targets by their latest status."""
    document: str | None = None
    """The document the association runs."""

    JSON_EXTRA = ("targets",)

    @property
    def targets(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class HostManagementStatus:
    """The Default Host Management Configuration card: the service setting
    ``/ssm/managed-instance/default-ec2-instance-management-role`` (``GetServiceSetting``)."""

    key: str
    title: str
    status: str
    """Success: the setting names the configuration's role. Failed: DHMC is off, the
    setting names another role, or the configuration's role could not be read."""
    setting_id: str
    value: str | None
    """The setting's current value: the role's name (with its path), or ``$None`` (off)."""
    role: str | None
    """The role the configuration registers: its name, or, when it could not be read, as the
    template writes it (``${Name}``, or None)."""
    names_role: bool
    """Whether the setting names the configuration's role."""
    detail: str | None = None
    last_modified: datetime | None = None
    last_modified_by: str | None = None


@dataclass(frozen=True)
class InventorySyncStatus:
    """The inventory sync card: the resource data sync ``QuickSetup-Inventory-<id>``
    (``ListResourceDataSync``)."""

    key: str
    title: str
    status: str
    """Success, Failed or Pending (``LastStatus`` Successful, Failed, InProgress or no sync
    yet); Missing: the stack has it, Systems Manager does not."""
    sync_name: str
    last_status: str | None = None
    """``Successful``, ``Failed`` or ``InProgress``, as the API spells it."""
    last_sync: datetime | None = None
    last_successful_sync: datetime | None = None
    last_message: str | None = None
    """``LastSyncStatusMessage``."""
    bucket: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class ConfigurationStatus:
    configuration_id: str
    region: str
    stack: str | None
    targets: str
    options: list[OptionStatus]
    host_management: HostManagementStatus | None = None
    """None: the configuration does not turn DHMC on (or, without ``--stack``, no setting
    names a role of its own)."""
    inventory_sync: InventorySyncStatus | None = None
    """None: the configuration has no inventory sync."""
    managed_instances: Any = None
    """The managed-instances card (``managed.ManagedInstancesStatus``), with
    ``--managed-instances``; None otherwise."""

    JSON_EXTRA = ("status",)

    @property
    def status(self) -> str:
        return worst(
            [option.status for option in self.options]
            + [
                card.status
                for card in (self.host_management, self.inventory_sync, self.managed_instances)
                if card
            ]
        )

    @property
    def findings(self) -> bool:
        """Whether an option or setting failed or is missing (exit code 1)."""
        return self.status in FINDINGS


def worst(states: Iterable[str]) -> str:
    """The worst of some cards' states (:data:`SEVERITY`); Not configured when none is known."""
    present = set(states)
    return next((state for state in SEVERITY if state in present), NOT_CONFIGURED)


def parse_counts(text: str) -> dict[str, int]:
    """``{Success=2, Failed=1}`` (``ResourceCountByStatus``) as a dict."""
    return {name: int(count) for name, count in _COUNT.findall(text or "")}


def latest_execution(aws: Aws, association_id: str, status: str | None = None) -> Execution | None:
    """The newest execution of the association (with ``status``, if given), or None."""
    params: dict[str, Any] = {"AssociationId": association_id, "MaxResults": 1}
    if status is not None:
        params["Filters"] = [{"Key": "Status", "Value": status, "Type": "EQUAL"}]
    executions = (
        aws.client("ssm").describe_association_executions(**params).get("AssociationExecutions", [])
    )
    return Execution.from_api(executions[0]) if executions else None


def option_status(association: DeployedAssociation, execution: Execution | None) -> OptionStatus:
    """The card of one association, from its targets' latest statuses and its latest run.

    Failed when a target's latest status or the latest run is a failure, even while a newer
    run goes on; else Pending while anything runs; else Success when a target succeeded (or,
    without counts, when the association's overview says so); else Pending (with "has not
    run yet" when it never ran)."""
    if association.missing:
        return OptionStatus(
            key=association.match.key,
            title=association.match.title,
            status=MISSING,
            association_name=association.association_name,
            association_id=association.association_id,
            detail=DELETED_OUTSIDE,
            document=association.document or None,
        )
    counts = association.counts or (execution.counts if execution else {})
    # A failure, of a target or of the latest run, wins over a run still going on.
    failed = execution is not None and execution.status in FAILED_STATES
    running = execution is not None and execution.status in RUNNING_STATES
    if failed or any(counts.get(state) for state in FAILED_STATES):
        status = FAILED
    elif running or any(counts.get(state) for state in RUNNING_STATES):
        status = PENDING
    elif counts.get("Success"):
        status = SUCCESS
    elif association.overview_status in FAILED_STATES:
        status = FAILED
    elif association.overview_status == "Success":
        status = SUCCESS
    else:
        status = PENDING
    detail = association.detailed_status
    if status == PENDING and association.last_execution is None and execution is None:
        detail = "has not run yet"
    return OptionStatus(
        key=association.match.key,
        title=association.match.title,
        status=status,
        association_name=association.association_name,
        association_id=association.association_id,
        detail=detail,
        last_run=association.last_execution or (execution.created if execution else None),
        last_execution=execution,
        counts=counts,
        document=association.document or None,
    )


def _card(aws: Aws, association: DeployedAssociation) -> OptionStatus:
    if association.missing:
        return option_status(association, None)
    return option_status(association, latest_execution(aws, association.association_id))


def configuration_status(aws: Aws, configuration: DeployedConfiguration) -> ConfigurationStatus:
    """A card for every option of the catalogue (and any unknown ``QuickSetup-`` one)."""
    by_key = {association.match.key: association for association in configuration.associations}
    options: list[OptionStatus] = []
    for option in catalogue():
        association = by_key.pop(option.key, None)
        if association is None:
            options.append(OptionStatus(option.key, option.title, NOT_CONFIGURED))
        else:
            options.append(_card(aws, association))
    for association in by_key.values():
        options.append(_card(aws, association))
    return ConfigurationStatus(
        configuration_id=configuration.configuration_id,
        region=configuration.region,
        stack=configuration.stack,
        targets=configuration.targets,
        options=options,
    )


def configuration_statuses(
    aws: Aws, configurations: list[DeployedConfiguration]
) -> list[ConfigurationStatus]:
    """``quicksetup status``: the option cards of each configuration, and the cards of its
    account-wide settings.

    From a stack (``--stack``), the settings are the stack's: its DHMC service setting (the
    role it registers, from the template) and its inventory sync. Otherwise the account's DHMC
    setting is given to the configuration whose id ends the role's name (the name Quick Setup
    gives an organization configuration's role, ``QuickSetup-DHMC-<id>``), and each sync named
    ``QuickSetup-Inventory-<id>`` to configuration ``<id>``.
    """
    from dataclasses import replace

    statuses = [configuration_status(aws, configuration) for configuration in configurations]
    reader = _SettingsReader(aws)
    result = []
    for configuration, status in zip(configurations, statuses, strict=True):
        if configuration.stack is not None:
            host, sync = _stack_settings(reader, configuration)
        else:
            host, sync = _account_settings(reader, configuration)
        result.append(replace(status, host_management=host, inventory_sync=sync))
    return result


class _SettingsReader:
    """The DHMC setting and the account's syncs, each read once, when first needed."""

    def __init__(self, aws: Aws) -> None:
        self.aws = aws
        self._setting: dict[str, Any] | None = None
        self._syncs: dict[str, dict[str, Any]] | None = None

    @property
    def setting(self) -> dict[str, Any]:
        """``ServiceSetting`` of ``GetServiceSetting`` (empty when there is none)."""
        if self._setting is None:
            from botocore.exceptions import ClientError

            try:
                self._setting = (
                    self.aws.client("ssm")
                    .get_service_setting(SettingId=DHMC_SETTING_ID)
                    .get("ServiceSetting")
                    or {}
                )
            except ClientError as error:
                if error_code(error) != "ServiceSettingNotFound":
                    raise
                self._setting = {}
        return self._setting

    @property
    def syncs(self) -> dict[str, dict[str, Any]]:
        """The account's resource data syncs (to S3) by name."""
        if self._syncs is None:
            self._syncs = {
                item.get("SyncName", ""): item
                for item in paginate(
                    self.aws.client("ssm"), "list_resource_data_sync", "ResourceDataSyncItems"
                )
            }
        return self._syncs


def _stack_settings(
    reader: _SettingsReader, configuration: DeployedConfiguration
) -> tuple[HostManagementStatus | None, InventorySyncStatus | None]:
    host = sync = None
    for setting in configuration.settings:
        if setting.key == HOST_MANAGEMENT and host is None:
            host = _host_management(reader.setting, setting.value)
        elif setting.key == INVENTORY_SYNC and sync is None:
            sync = _inventory_sync(setting.name, reader.syncs.get(setting.name))
    return host, sync


def _account_settings(
    reader: _SettingsReader, configuration: DeployedConfiguration
) -> tuple[HostManagementStatus | None, InventorySyncStatus | None]:
    from .templates import INVENTORY_SYNC_PREFIX

    host = None
    value = reader.setting.get("SettingValue")
    if (
        value
        and value != DHMC_OFF
        and value.rsplit("/", 1)[-1].endswith(f"-{configuration.configuration_id}")
    ):
        host = _host_management(reader.setting, value)
    name = f"{INVENTORY_SYNC_PREFIX}{configuration.configuration_id}"
    sync = _inventory_sync(name, reader.syncs[name]) if name in reader.syncs else None
    return host, sync


def _titles() -> dict[str, str]:
    from .catalogue import settings

    return dict(settings())


def _host_management(setting: dict[str, Any], role: str | None) -> HostManagementStatus:
    value = setting.get("SettingValue")
    names_role = bool(value) and value != DHMC_OFF and value == role
    if names_role:
        status, detail = SUCCESS, None
    elif not value or value == DHMC_OFF:
        status, detail = FAILED, "DHMC is off: the setting names no role"
    elif not role or "${" in role:
        status, detail = (
            FAILED,
            f"the role the stack registers ({role or 'not written'}) could not be read: whether "
            "the setting names it is unknown",
        )
    else:
        status, detail = FAILED, f"the setting names another role than {role}"
    return HostManagementStatus(
        key=HOST_MANAGEMENT,
        title=_titles()[HOST_MANAGEMENT],
        status=status,
        setting_id=DHMC_SETTING_ID,  # the one setting asked for
        value=value,
        role=role,
        names_role=names_role,
        detail=detail,
        last_modified=setting.get("LastModifiedDate"),
        last_modified_by=setting.get("LastModifiedUser"),
    )


def _inventory_sync(name: str, item: dict[str, Any] | None) -> InventorySyncStatus:
    title = _titles()[INVENTORY_SYNC]
    if item is None:
        return InventorySyncStatus(
            key=INVENTORY_SYNC,
            title=title,
            status=MISSING,
            sync_name=name,
            detail=DELETED_OUTSIDE,
        )
    last_status = item.get("LastStatus")
    status = SYNC_STATUSES.get(last_status or "", PENDING)
    return InventorySyncStatus(
        key=INVENTORY_SYNC,
        title=title,
        status=status,
        sync_name=name,
        last_status=last_status,
        last_sync=item.get("LastSyncTime"),
        last_successful_sync=item.get("LastSuccessfulSyncTime"),
        last_message=item.get("LastSyncStatusMessage") or None,
        bucket=(item.get("S3Destination") or {}).get("BucketName"),
        detail="has not synced yet" if last_status is None else None,
    )
