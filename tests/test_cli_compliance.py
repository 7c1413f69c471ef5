"""`quicksetup compliance`: patch compliance of the instances each configuration scans.

State Manager and Compliance are not implemented by moto: botocore's Stubber answers on the
real client and checks every request and response against the service model.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from .test_cli_status import association, association_id, execution, run, stubbed_aws

SCANNED = datetime(2026, 1, 5, 3, 12, tzinfo=UTC)
EXECUTION = "cccccccc-0000-4000-8000-000000000003"
INSTANCES = ["i-0000000000000000a", "i-0000000000000000b", "i-0000000000000000c",
             "i-0000000000000000d"]
PATCH = [{"Key": "ComplianceType", "Values": ["Patch"], "Type": "EQUAL"}]


def summary(instance: str, status: str, compliant: int, **severities: int) -> dict:
    missing = sum(severities.values())
    return {
        "ComplianceType": "Patch", "ResourceType": "ManagedInstance", "ResourceId": instance,
        "Status": status, "OverallSeverity": "CRITICAL" if severities.get("Critical") else "HIGH",
        "ExecutionSummary": {"ExecutionTime": SCANNED, "ExecutionId": EXECUTION,
                             "ExecutionType": "Command"},
        "CompliantSummary": {"CompliantCount": compliant},
        "NonCompliantSummary": {
            "NonCompliantCount": missing,
            "SeveritySummary": {f"{name}Count": count for name, count in severities.items()},
        },
    }


def item(instance: str, patch: str, severity: str, title: str) -> dict:
    return {"ComplianceType": "Patch", "ResourceType": "ManagedInstance", "ResourceId": instance,
            "Id": patch, "Title": title, "Status": "NON_COMPLIANT", "Severity": severity,
            "Details": {"Classification": "Security", "PatchState": "Missing"}}


def expect_compliance(stubber, *, top: int = 5) -> None:
    stubber.add_response("list_associations", {"Associations": [
        association("scan_for_patches", {"Success": 4}, "Success"),
        association("update_ssm_agent", {"Success": 4}, "Success"),
        association("collect_inventory", {"Success": 1}, "Success", config="0e2d9f11"),
    ]}, {})
    scan = association_id("scan_for_patches")
    latest = execution("scan_for_patches", "Success", "{Success=4}")
    latest["AssociationExecutions"][0]["ExecutionId"] = EXECUTION
    stubber.add_response("describe_association_executions", latest,
                         {"AssociationId": scan, "MaxResults": 1})
    stubber.add_response("describe_association_execution_targets", {"AssociationExecutionTargets": [
        {"AssociationId": scan, "AssociationVersion": "1", "ExecutionId": EXECUTION,
         "ResourceId": instance, "ResourceType": "ManagedInstance", "Status": "Success",
         "DetailedStatus": "Success", "LastExecutionDate": SCANNED}
        for instance in INSTANCES
    ]}, {"AssociationId": scan, "ExecutionId": EXECUTION})
    stubber.add_response("list_resource_compliance_summaries", {"ResourceComplianceSummaryItems": [
        summary("i-0000000000000000a", "COMPLIANT", 41),
        summary("i-0000000000000000b", "NON_COMPLIANT", 30, High=9, Medium=3),
        summary("i-0000000000000000c", "NON_COMPLIANT", 38, Critical=1, Low=1),
        summary("i-0ffffffffffffffff", "NON_COMPLIANT", 12, Critical=5),  # not a target
    ]}, {"Filters": PATCH})
    offenders = {
        "i-0000000000000000c": [
            item("i-0000000000000000c", "ALAS2023-2025-812", "LOW", "ALAS2023-2025-812 curl"),
            item("i-0000000000000000c", "ALAS2023-2025-799", "CRITICAL",
                 "ALAS2023-2025-799 openssl-libs"),
        ],
        "i-0000000000000000b": [
            item("i-0000000000000000b", f"KB50{n}", "HIGH", f"2026-01 Cumulative Update KB50{n}")
            for n in range(9)
        ],
    }
    for instance, items in list(offenders.items())[:top]:
        stubber.add_response("list_compliance_items", {"ComplianceItems": items}, {
            "ResourceIds": [instance], "ResourceTypes": ["ManagedInstance"],
            "Filters": PATCH + [{"Key": "Status", "Values": ["NON_COMPLIANT"], "Type": "EQUAL"}],
        })


def test_compliance_counts_the_scanned_instances_and_ranks_the_worst():
    aws, stubber = stubbed_aws()
    expect_compliance(stubber)
    with stubber:
        result = run(["compliance", "--json"], aws)
    stubber.assert_no_pending_responses()
    assert result.exit_code == 1, result.output  # findings: two instances miss patches
    without_scan, scanned = sorted(json.loads(result.stdout), key=lambda c: c["scan_association"] or "")
    assert (without_scan["configuration_id"], without_scan["scan_association"]) == ("0e2d9f11", None)
    assert scanned["scan_association"] == "QuickSetup-ScanForPatches-7a422481"
    assert [i["instance_id"] for i in scanned["instances"]] == INSTANCES
    assert scanned["summary"] == {"COMPLIANT": 1, "NON_COMPLIANT": 2, "NO_DATA": 1}
    first, second = scanned["worst"]
    assert first["instance_id"] == "i-0000000000000000c", "one critical patch outranks nine high"
    assert first["severities"] == {"Critical": 1, "Low": 1}
    assert [patch for patch, _, _ in first["missing"]] == ["ALAS2023-2025-799", "ALAS2023-2025-812"]
    assert (second["instance_id"], second["non_compliant"]) == ("i-0000000000000000b", 12)


def test_compliance_top_limits_the_offenders():
    aws, stubber = stubbed_aws()
    expect_compliance(stubber, top=1)
    with stubber:
        result = run(["compliance", "--json", "--top", "1"], aws)
    stubber.assert_no_pending_responses()
    scanned = next(c for c in json.loads(result.stdout) if c["scan_association"])
    assert [i["instance_id"] for i in scanned["worst"]] == ["i-0000000000000000c"]


def test_compliance_for_people():
    aws, stubber = stubbed_aws()
    expect_compliance(stubber)
    with stubber:
        result = run(["compliance"], aws)
    assert result.exit_code == 1  # non-compliant instances are findings
    for text in (
        "4 instance(s) scanned by QuickSetup-ScanForPatches-7a422481",
        "1 compliant, 2 non-compliant, 1 without patch data", "Worst offenders",
        "Critical: ALAS2023-2025-799 openssl-libs", "Patch scan not configured",
    ):
        assert text in result.stdout, text
