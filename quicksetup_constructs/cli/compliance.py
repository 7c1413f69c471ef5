"""``quicksetup compliance``: patch compliance of each configuration's instances.

The instances are those the configuration's patch scan ran on last (the targets of the scan
association's latest execution), so tags, resource groups and instance ids are resolved the
way State Manager resolved them. Their patch compliance is read from Systems Manager
Compliance (``ComplianceType`` ``Patch``): the non-compliant instances are listed worst first
(the most missing patches of the highest severity), ``--limit`` of them with their missing
patches (``ListComplianceItems``, one call per instance listed).

Severities are spelled as the Compliance API spells them (``CRITICAL``, ``HIGH``, ``MEDIUM``,
``LOW``, ``INFORMATIONAL``, ``UNSPECIFIED``), everywhere. The missing patches come from the
Compliance API rather than ``DescribeInstancePatches``, whose ``Severity`` is the vendor's
(``Important``, ``Moderate``, ...): the compliance item's is the one the counts of
``ListResourceComplianceSummaries`` are made of.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from .aws import Aws, paginate
from .discovery import DeployedConfiguration
from .status import latest_execution

SCAN_OPTION_KEY = "scan_for_patches"
"""The catalogue option whose association scans for patches."""
SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNSPECIFIED")
"""Patch severities, worst first, as the Compliance API spells them."""
UNSPECIFIED = "UNSPECIFIED"
PATCH = "Patch"
DEFAULT_LIMIT = 50
"""Non-compliant instances listed per configuration (``--limit``)."""


@dataclass(frozen=True)
class MissingPatch:
    """A patch an instance misses (a non-compliant ``Patch`` compliance item)."""

    patch_id: str
    severity: str
    """One of :data:`SEVERITIES`."""
    title: str
    state: str | None = None
    """The patch's state (``Missing``, ``Failed``, ``InstalledPendingReboot``, ...), from the
    item's details."""


@dataclass(frozen=True)
class InstanceCompliance:
    instance_id: str
    status: str
    """``COMPLIANT``, ``NON_COMPLIANT`` or ``NO_DATA`` (never reported)."""
    compliant: int = 0
    non_compliant: int = 0
    severities: dict[str, int] = field(default_factory=dict)
    """Missing patches by severity (keys of :data:`SEVERITIES`)."""
    last_scan: datetime | None = None
    missing: list[MissingPatch] = field(default_factory=list)
    """Missing patches, worst first (instances listed in ``worst`` only)."""

    def rank(self) -> tuple[int, ...]:
        return (
            *tuple(self.severities.get(severity, 0) for severity in SEVERITIES),
            self.non_compliant,
        )


@dataclass(frozen=True)
class ConfigurationCompliance:
    configuration_id: str
    region: str
    stack: str | None
    targets: str
    scan_association: str | None
    """None: the configuration does not scan for patches."""
    instances: list[InstanceCompliance]
    worst: list[InstanceCompliance]
    """The non-compliant instances, worst first, with their missing patches: ``--limit`` of
    them (all with ``--limit 0``)."""
    more: int = 0
    """Non-compliant instances not in ``worst`` (``--limit``)."""
    scan_missing: bool = False
    """The stack has the scan association, Systems Manager does not (deleted outside
    CloudFormation)."""

    JSON_EXTRA = ("summary",)

    def count(self, status: str) -> int:
        return sum(1 for instance in self.instances if instance.status == status)

    @property
    def non_compliant(self) -> bool:
        """Whether an instance the scan targets misses patches."""
        return self.count("NON_COMPLIANT") > 0

    @property
    def summary(self) -> dict[str, int]:
        """Instances by patch compliance: COMPLIANT, NON_COMPLIANT, NO_DATA."""
        return {status: self.count(status) for status in ("COMPLIANT", "NON_COMPLIANT", "NO_DATA")}


def compliance(
    aws: Aws, configurations: list[DeployedConfiguration], *, limit: int = DEFAULT_LIMIT
) -> list[ConfigurationCompliance]:
    """Patch compliance of each configuration's scanned instances; the non-compliant ones worst
    first, ``limit`` of them (0: all) with their missing patches."""
    summaries: dict[str, dict[str, Any]] | None = None
    results = []
    for configuration in configurations:
        scan = next((a for a in configuration.associations if a.match.key == SCAN_OPTION_KEY), None)
        if scan is None:
            results.append(_result(configuration, None, [], []))
            continue
        if scan.missing:
            results.append(
                replace(_result(configuration, scan.association_name, [], []), scan_missing=True)
            )
            continue
        instances = _scanned_instances(aws, scan.association_id)
        if summaries is None:
            summaries = _patch_summaries(aws)
        compliance = [_instance(instance, summaries.get(instance)) for instance in instances]
        offenders = sorted(
            (i for i in compliance if i.status == "NON_COMPLIANT"),
            key=lambda i: i.rank(),
            reverse=True,
        )
        listed = offenders[:limit] if limit else offenders
        worst = [_with_missing(aws, instance) for instance in listed]
        # the instances listed carry their missing patches wherever they appear
        filled = {instance.instance_id: instance for instance in worst}
        compliance = [filled.get(instance.instance_id, instance) for instance in compliance]
        results.append(
            _result(
                configuration,
                scan.association_name,
                compliance,
                worst,
                len(offenders) - len(listed),
            )
        )
    return results


def _result(
    configuration: DeployedConfiguration,
    scan: str | None,
    instances: list[InstanceCompliance],
    worst: list[InstanceCompliance],
    more: int = 0,
) -> ConfigurationCompliance:
    return ConfigurationCompliance(
        configuration_id=configuration.configuration_id,
        region=configuration.region,
        stack=configuration.stack,
        targets=configuration.targets,
        scan_association=scan,
        instances=instances,
        worst=worst,
        more=more,
    )


def _scanned_instances(aws: Aws, association_id: str) -> list[str]:
    execution = latest_execution(aws, association_id)
    if execution is None:
        return []
    return sorted(
        {
            target["ResourceId"]
            for target in paginate(
                aws.client("ssm"),
                "describe_association_execution_targets",
                "AssociationExecutionTargets",
                AssociationId=association_id,
                ExecutionId=execution.execution_id,
            )
        }
    )


def _patch_summaries(aws: Aws) -> dict[str, dict[str, Any]]:
    return {
        summary["ResourceId"]: summary
        for summary in paginate(
            aws.client("ssm"),
            "list_resource_compliance_summaries",
            "ResourceComplianceSummaryItems",
            Filters=[{"Key": "ComplianceType", "Values": [PATCH], "Type": "EQUAL"}],
        )
    }


def _instance(instance_id: str, summary: dict[str, Any] | None) -> InstanceCompliance:
    if summary is None:
        return InstanceCompliance(instance_id, "NO_DATA")
    non_compliant = summary.get("NonCompliantSummary") or {}
    severity_summary = non_compliant.get("SeveritySummary") or {}
    return InstanceCompliance(
        instance_id=instance_id,
        status=summary.get("Status", "NO_DATA"),
        compliant=(summary.get("CompliantSummary") or {}).get("CompliantCount", 0),
        non_compliant=non_compliant.get("NonCompliantCount", 0),
        severities={
            severity: count
            for severity in SEVERITIES
            if (count := severity_summary.get(f"{severity.title()}Count", 0))
        },
        last_scan=(summary.get("ExecutionSummary") or {}).get("ExecutionTime"),
    )


def _with_missing(aws: Aws, instance: InstanceCompliance) -> InstanceCompliance:
    items = list(
        paginate(
            aws.client("ssm"),
            "list_compliance_items",
            "ComplianceItems",
            ResourceIds=[instance.instance_id],
            ResourceTypes=["ManagedInstance"],
            Filters=[
                {"Key": "ComplianceType", "Values": [PATCH], "Type": "EQUAL"},
                {"Key": "Status", "Values": ["NON_COMPLIANT"], "Type": "EQUAL"},
            ],
        )
    )
    missing = [
        MissingPatch(
            patch_id=item.get("Id", ""),
            severity=spell_severity(item.get("Severity")),
            title=item.get("Title", ""),
            state=(item.get("Details") or {}).get("PatchState"),
        )
        for item in items
    ]
    order = {name: index for index, name in enumerate(SEVERITIES)}
    missing.sort(key=lambda patch: order[patch.severity])
    return replace(instance, missing=missing)


def spell_severity(value: str | None) -> str:
    """``value`` spelled as in :data:`SEVERITIES` (``UNSPECIFIED`` when unknown)."""
    spelled = (value or "").upper()
    return spelled if spelled in SEVERITIES else UNSPECIFIED
