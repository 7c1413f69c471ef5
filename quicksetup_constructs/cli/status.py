"""``quicksetup status``: a card per option, as the console's Quick Setup results page shows.

Success: the option ran on every target. Failed: it failed on at least one. Pending: it is
running, or has not run yet. Not configured: the configuration does not use the option.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .aws import Aws
from .catalogue import catalogue
from .discovery import DeployedAssociation, DeployedConfiguration

SUCCESS = "Success"
FAILED = "Failed"
PENDING = "Pending"
NOT_CONFIGURED = "Not configured"

FAILED_STATES = frozenset({"Failed", "TimedOut", "Cancelled", "Undeliverable", "Terminated"})
RUNNING_STATES = frozenset({"Pending", "InProgress", "Running", "Delayed", "Cancelling"})
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

    JSON_EXTRA = ("targets",)

    @property
    def targets(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class ConfigurationStatus:
    configuration_id: str
    region: str
    stack: str | None
    targets: str
    options: list[OptionStatus]

    JSON_EXTRA = ("status",)

    @property
    def status(self) -> str:
        states = {option.status for option in self.options}
        for state in (FAILED, PENDING, SUCCESS):
            if state in states:
                return state
        return NOT_CONFIGURED


def parse_counts(text: str) -> dict[str, int]:
    """``{Success=2, Failed=1}`` (``ResourceCountByStatus``) as a dict."""
    return {name: int(count) for name, count in _COUNT.findall(text or "")}


def latest_execution(aws: Aws, association_id: str, status: str | None = None) -> Execution | None:
    """The newest execution of the association (with ``status``, if given), or None."""
    params: dict[str, Any] = {"AssociationId": association_id, "MaxResults": 1}
    if status is not None:
        params["Filters"] = [{"Key": "Status", "Value": status, "Type": "EQUAL"}]
    executions = aws.client("ssm").describe_association_executions(**params).get(
        "AssociationExecutions", []
    )
    return Execution.from_api(executions[0]) if executions else None


def option_status(association: DeployedAssociation, execution: Execution | None) -> OptionStatus:
    """The card of one association, from its targets' latest statuses and its latest run."""
    counts = association.counts or (execution.counts if execution else {})
    running = execution is not None and execution.status in RUNNING_STATES
    if any(counts.get(state) for state in FAILED_STATES):
        status = FAILED
    elif running or any(counts.get(state) for state in RUNNING_STATES):
        status = PENDING
    elif execution is not None and execution.status in FAILED_STATES:
        status = FAILED
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
    )


def configuration_status(aws: Aws, configuration: DeployedConfiguration) -> ConfigurationStatus:
    """A card for every option of the catalogue (and any unknown ``QuickSetup-`` one)."""
    by_key = {association.match.key: association for association in configuration.associations}
    options: list[OptionStatus] = []
    for option in catalogue():
        association = by_key.pop(option.key, None)
        if association is None:
            options.append(OptionStatus(option.key, option.title, NOT_CONFIGURED))
        else:
            options.append(
                option_status(association, latest_execution(aws, association.association_id))
            )
    for association in by_key.values():
        options.append(
            option_status(association, latest_execution(aws, association.association_id))
        )
    return ConfigurationStatus(
        configuration_id=configuration.configuration_id,
        region=configuration.region,
        stack=configuration.stack,
        targets=configuration.targets,
        options=options,
    )
