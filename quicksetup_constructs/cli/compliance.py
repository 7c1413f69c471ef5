"""``quicksetup compliance``: patch compliance of each configuration's instances.

The instances are those the configuration's patch scan ran on last (the targets of the scan
association's latest execution), so tags, resource groups and instance ids are resolved the
way State Manager resolved them. Their patch compliance is read from Systems Manager
Compliance (``ComplianceType`` ``Patch``); the worst offenders are the non-compliant instances
with the most missing patches of the highest severity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .aws import Aws, paginate
from .discovery import DeployedConfiguration
from .status import latest_execution

SCAN_OPTION_KEY = "scan_for_patches"
"""The catalogue option whose association scans for patches."""
SEVERITIES = ("Critical", "High", "Medium", "Low", "Informational", "Unspecified")
PATCH = "Patch"


@dataclass(frozen=True)
class InstanceCompliance:
    instance_id: str
    status: str
    """``COMPLIANT``, ``NON_COMPLIANT`` or ``NO_DATA`` (never reported)."""
    compliant: int = 0
    non_compliant: int = 0
    severities: dict[str, int] = field(default_factory=dict)
    """Missing patches by severity."""
    last_scan: Any = None
    missing: list[tuple[str, str, str]] = field(default_factory=list)
    """(id, severity, title) of missing patches, worst first (worst offenders only)."""

    def rank(self) -> tuple[int, ...]:
        return tuple(self.severities.get(severity, 0) for severity in SEVERITIES) + (
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
    aws: Aws, configurations: list[DeployedConfiguration], *, top: int
) -> list[ConfigurationCompliance]:
    summaries: dict[str, dict[str, Any]] | None = None
    results = []
    for configuration in configurations:
        scan = next(
            (a for a in configuration.associations if a.match.key == SCAN_OPTION_KEY), None
        )
        if scan is None:
            results.append(_result(configuration, None, [], []))
            continue
        instances = _scanned_instances(aws, scan.association_id)
        if summaries is None:
            summaries = _patch_summaries(aws)
        compliance = [_instance(instance, summaries.get(instance)) for instance in instances]
        offenders = sorted(
            (i for i in compliance if i.status == "NON_COMPLIANT"), key=lambda i: i.rank(),
            reverse=True,
        )[:top]
        worst = [_with_missing(aws, instance) for instance in offenders]
        results.append(_result(configuration, scan.association_name, compliance, worst))
    return results


def _result(
    configuration: DeployedConfiguration, scan: str | None,
    instances: list[InstanceCompliance], worst: list[InstanceCompliance],
) -> ConfigurationCompliance:
    return ConfigurationCompliance(
        configuration_id=configuration.configuration_id,
        region=configuration.region,
        stack=configuration.stack,
        targets=configuration.targets,
        scan_association=scan,
        instances=instances,
        worst=worst,
    )


def _scanned_instances(aws: Aws, association_id: str) -> list[str]:
    execution = latest_execution(aws, association_id)
    if execution is None:
        return []
    return sorted(
        {
            target["ResourceId"]
            for target in paginate(
                aws.client("ssm"), "describe_association_execution_targets",
                "AssociationExecutionTargets",
                AssociationId=association_id, ExecutionId=execution.execution_id,
            )
        }
    )


def _patch_summaries(aws: Aws) -> dict[str, dict[str, Any]]:
    return {
        summary["ResourceId"]: summary
        for summary in paginate(
            aws.client("ssm"), "list_resource_compliance_summaries",
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
            severity: severity_summary.get(f"{severity}Count", 0)
            for severity in SEVERITIES
            if severity_summary.get(f"{severity}Count", 0)
        },
        last_scan=(summary.get("ExecutionSummary") or {}).get("ExecutionTime"),
    )


def _with_missing(aws: Aws, instance: InstanceCompliance) -> InstanceCompliance:
    items = list(
        paginate(
            aws.client("ssm"), "list_compliance_items", "ComplianceItems",
            ResourceIds=[instance.instance_id], ResourceTypes=["ManagedInstance"],
            Filters=[
                {"Key": "ComplianceType", "Values": [PATCH], "Type": "EQUAL"},
                {"Key": "Status", "Values": ["NON_COMPLIANT"], "Type": "EQUAL"},
            ],
        )
    )
    order = {severity.upper(): index for index, severity in enumerate(SEVERITIES)}
    items.sort(key=lambda item: order.get(item.get("Severity", "UNSPECIFIED"), len(order)))
    return InstanceCompliance(
        instance_id=instance.instance_id,
        status=instance.status,
        compliant=instance.compliant,
        non_compliant=instance.non_compliant,
        severities=instance.severities,
        last_scan=instance.last_scan,
        missing=[
            (item.get("Id", ""), item.get("Severity", ""), item.get("Title", ""))
            for item in items
        ],
    )
