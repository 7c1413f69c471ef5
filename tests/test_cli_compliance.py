"""`quicksetup compliance`: patch compliance of the instances each configuration scans.

State Manager and Compliance are not implemented by moto: botocore's Stubber answers on the
real client and checks every request and response against the service model.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from .test_cli_status import (
    STACK,
    association,
    association_id,
    data,
    execution,
    expect_stack,
    run,
    stubbed_aws,
    synthesized_local_template,
)

SCANNED = datetime(2026, 1, 5, 3, 12, tzinfo=UTC)
EXECUTION = "cccccccc-0000-4000-8000-000000000003"
INSTANCES = [
    "i-0000000000000000a",
    "i-0000000000000000b",
    "i-0000000000000000c",
    "i-0000000000000000d",
]
PATCH = [{"Key": "ComplianceType", "Values": ["Patch"], "Type": "EQUAL"}]


def summary(instance: str, status: str, compliant: int, **severities: int) -> dict:
    missing = sum(severities.values())
    return {
        "ComplianceType": "Patch",
        "ResourceType": "ManagedInstance",
        "ResourceId": instance,
        "Status": status,
        "OverallSeverity": "CRITICAL" if severities.get("Critical") else "HIGH",
        "ExecutionSummary": {
            "ExecutionTime": SCANNED,
            "ExecutionId": EXECUTION,
            "ExecutionType": "Command",
        },
        "CompliantSummary": {"CompliantCount": compliant},
        "NonCompliantSummary": {
            "NonCompliantCount": missing,
            "SeveritySummary": {f"{name}Count": count for name, count in severities.items()},
        },
    }


def item(instance: str, patch: str, severity: str, title: str) -> dict:
    return {
        "ComplianceType": "Patch",
        "ResourceType": "ManagedInstance",
        "ResourceId": instance,
        "Id": patch,
        "Title": title,
        "Status": "NON_COMPLIANT",
        "Severity": severity,
        "Details": {"Classification": "Security", "PatchState": "Missing"},
    }


def configurations(result) -> dict[str, dict]:
    """``data.configurations`` of ``compliance --json``: each keyed by its id, each of its
    ``instances`` by instance id; ``worst`` names instances among them."""
    found = data(result)["configurations"]
    for configuration_id, configuration in found.items():
        assert configuration["configuration_id"] == configuration_id
        instances = configuration["instances"]
        assert all(instance["instance_id"] == key for key, instance in instances.items())
        assert set(configuration["worst"]) <= set(instances)
        for instance in instances.values():
            assert all(patch["patch_id"] == key for key, patch in instance["missing"].items())
    return found


def expect_latest_scan_of(stubber, instances: list[str]) -> None:
    """The scan association's latest execution, which succeeded on every one of ``instances``."""
    scan = association_id("scan_for_patches")
    latest = execution("scan_for_patches", "Success", f"{{Success={len(instances)}}}")
    latest["AssociationExecutions"][0]["ExecutionId"] = EXECUTION
    stubber.add_response(
        "describe_association_executions", latest, {"AssociationId": scan, "MaxResults": 1}
    )
    stubber.add_response(
        "describe_association_execution_targets",
        {
            "AssociationExecutionTargets": [
                {
                    "AssociationId": scan,
                    "AssociationVersion": "1",
                    "ExecutionId": EXECUTION,
                    "ResourceId": instance,
                    "ResourceType": "ManagedInstance",
                    "Status": "Success",
                    "DetailedStatus": "Success",
                    "LastExecutionDate": SCANNED,
                }
                for instance in instances
            ]
        },
        {"AssociationId": scan, "ExecutionId": EXECUTION},
    )


def expect_compliance(stubber, *, top: int = 5) -> None:
    stubber.add_response(
        "list_associations",
        {
            "Associations": [
                association("scan_for_patches", {"Success": 4}, "Success"),
                association("update_ssm_agent", {"Success": 4}, "Success"),
                association("collect_inventory", {"Success": 1}, "Success", config="0e2d9f11"),
            ]
        },
        {},
    )
    expect_latest_scan_of(stubber, INSTANCES)
    stubber.add_response(
        "list_resource_compliance_summaries",
        {
            "ResourceComplianceSummaryItems": [
                summary("i-0000000000000000a", "COMPLIANT", 41),
                summary("i-0000000000000000b", "NON_COMPLIANT", 30, High=9, Medium=3),
                summary("i-0000000000000000c", "NON_COMPLIANT", 38, Critical=1, Low=1),
                summary("i-0ffffffffffffffff", "NON_COMPLIANT", 12, Critical=5),  # not a target
            ]
        },
        {"Filters": PATCH},
    )
    offenders = {
        "i-0000000000000000c": [
            item("i-0000000000000000c", "ALAS2023-2025-812", "LOW", "ALAS2023-2025-812 curl"),
            item(
                "i-0000000000000000c",
                "ALAS2023-2025-799",
                "CRITICAL",
                "ALAS2023-2025-799 openssl-libs",
            ),
        ],
        "i-0000000000000000b": [
            item("i-0000000000000000b", f"KB50{n}", "HIGH", f"2026-01 Cumulative Update KB50{n}")
            for n in range(9)
        ],
    }
    for instance, items in list(offenders.items())[:top]:
        stubber.add_response(
            "list_compliance_items",
            {"ComplianceItems": items},
            {
                "ResourceIds": [instance],
                "ResourceTypes": ["ManagedInstance"],
                "Filters": [
                    *PATCH,
                    {"Key": "Status", "Values": ["NON_COMPLIANT"], "Type": "EQUAL"},
                ],
            },
        )


def test_compliance_counts_the_scanned_instances_and_ranks_the_worst():
    aws, stubber = stubbed_aws()
    expect_compliance(stubber)
    with stubber:
        result = run(["compliance", "--json"], aws)
    stubber.assert_no_pending_responses()
    assert result.exit_code == 1, result.output  # findings: two instances miss patches
    without_scan, scanned = sorted(
        configurations(result).values(), key=lambda c: c["scan_association"] or ""
    )
    assert (without_scan["configuration_id"], without_scan["scan_association"]) == (
        "0e2d9f11",
        None,
    )
    assert scanned["scan_association"] == "QuickSetup-ScanForPatches-7a422481"
    assert list(scanned["instances"]) == INSTANCES
    assert scanned["summary"] == {"COMPLIANT": 1, "NON_COMPLIANT": 2, "NO_DATA": 1}
    first, second = (scanned["instances"][instance_id] for instance_id in scanned["worst"])
    assert first["instance_id"] == "i-0000000000000000c", "one critical patch outranks nine high"
    assert first["severities"] == {"CRITICAL": 1, "LOW": 1}, "severities as the API spells them"
    assert list(first["missing"]) == [  # worst first
        "ALAS2023-2025-799",
        "ALAS2023-2025-812",
    ]
    assert first["missing"]["ALAS2023-2025-799"] == {
        "patch_id": "ALAS2023-2025-799",
        "severity": "CRITICAL",
        "title": "ALAS2023-2025-799 openssl-libs",
        "state": "Missing",
    }
    assert (second["instance_id"], second["non_compliant"]) == ("i-0000000000000000b", 12)
    assert second["severities"] == {"HIGH": 9, "MEDIUM": 3}
    assert scanned["more"] == 0


@pytest.mark.parametrize("flag", ["--limit", "--top"])  # --top: its former name
def test_compliance_limit_pages_the_non_compliant_instances(flag):
    aws, stubber = stubbed_aws()
    expect_compliance(stubber, top=1)
    with stubber:
        result = run(["compliance", "--json", flag, "1"], aws)
    stubber.assert_no_pending_responses()
    scanned = next(c for c in configurations(result).values() if c["scan_association"])
    assert scanned["worst"] == ["i-0000000000000000c"]
    assert scanned["more"] == 1


def test_compliance_for_people():
    aws, stubber = stubbed_aws()
    expect_compliance(stubber)
    with stubber:
        result = run(["compliance"], aws)
    assert result.exit_code == 1  # non-compliant instances are findings
    for text in (
        "4 instance(s) scanned by QuickSetup-ScanForPatches-7a422481",
        "1 compliant, 2 non-compliant, 1 without patch data",
        "Non-compliant instances, worst first",
        "CRITICAL: ALAS2023-2025-799",
        "LOW: ALAS2023-2025-812",
        "1 CRITICAL",
        "9 HIGH",
        "3 MEDIUM",
        "HIGH: KB500, KB501, KB502, KB503, KB504",
        "Patch scan not configured",
    ):
        assert text in result.stdout, text
    assert "more: --limit" not in result.stdout, "every non-compliant instance is listed"


def test_compliance_spells_severities_one_way():
    aws, stubber = stubbed_aws()
    expect_compliance(stubber)
    with stubber:
        people = run(["compliance"], aws).stdout
    aws, stubber = stubbed_aws()
    expect_compliance(stubber)
    with stubber:
        as_json = run(["compliance", "--json"], aws)
    scripts = as_json.stdout
    other_spellings = re.compile(r"\b(Critical|High|Medium|Low|Informational|Unspecified)\b")
    assert not other_spellings.search(people), other_spellings.search(people)
    assert not other_spellings.search(scripts), other_spellings.search(scripts)
    severities = {
        severity
        for configuration in configurations(as_json).values()
        for instance in (configuration["instances"][i] for i in configuration["worst"])
        for severity in [
            *instance["severities"],
            *(p["severity"] for p in instance["missing"].values()),
        ]
    }
    assert severities == {"CRITICAL", "HIGH", "MEDIUM", "LOW"}


MANY = [f"i-{n:017x}" for n in range(60)]


def expect_many_non_compliant(stubber, *, listed: int) -> None:
    """60 scanned instances, all non-compliant: instance n misses n + 1 high patches."""
    stubber.add_response(
        "list_associations",
        {
            "Associations": [
                association("scan_for_patches", {"Success": 60}, "Success"),
            ]
        },
        {},
    )
    expect_latest_scan_of(stubber, MANY)
    stubber.add_response(
        "list_resource_compliance_summaries",
        {
            "ResourceComplianceSummaryItems": [
                summary(instance, "NON_COMPLIANT", 10, High=n + 1)
                for n, instance in enumerate(MANY)
            ]
        },
        {"Filters": PATCH},
    )
    for n, instance in list(enumerate(MANY))[::-1][:listed]:  # worst first
        stubber.add_response(
            "list_compliance_items",
            {
                "ComplianceItems": [
                    item(instance, f"KB{n:03}{k}", "HIGH", f"Update KB{n:03}{k}")
                    for k in range(n + 1)
                ]
            },
            {
                "ResourceIds": [instance],
                "ResourceTypes": ["ManagedInstance"],
                "Filters": [
                    *PATCH,
                    {"Key": "Status", "Values": ["NON_COMPLIANT"], "Type": "EQUAL"},
                ],
            },
        )


def test_compliance_lists_50_non_compliant_instances_by_default():
    aws, stubber = stubbed_aws()
    expect_many_non_compliant(stubber, listed=50)
    with stubber:
        result = run(["compliance"], aws)
    stubber.assert_no_pending_responses()
    assert result.exit_code == 1
    out = result.stdout
    for n, instance in enumerate(MANY):
        assert (instance in out) == (n >= 10), instance  # the 50 worst, each with its patches
    assert "HIGH: KB0590, KB0591" in out and "HIGH: KB0100," in out
    assert "… and 10 more: --limit to see them" in out


def test_compliance_limit_0_lists_them_all():
    aws, stubber = stubbed_aws()
    expect_many_non_compliant(stubber, listed=60)
    with stubber:
        result = run(["compliance", "--json", "--limit", "0"], aws)
    stubber.assert_no_pending_responses()
    [configuration] = configurations(result).values()
    assert configuration["worst"] == MANY[::-1]
    assert configuration["more"] == 0
    assert list(configuration["instances"][configuration["worst"][-1]]["missing"]) == ["KB0000"]


def test_compliance_of_a_stack_whose_scan_was_deleted_outside_cloudformation(local_template):
    aws, stubber = stubbed_aws()
    cloudformation = expect_stack(aws, stubber, local_template, missing=("scan_for_patches",))
    with stubber, cloudformation:
        result = run(["compliance", "--stack", STACK, "--json"], aws)
    stubber.assert_no_pending_responses()
    cloudformation.assert_no_pending_responses()
    assert result.exit_code == 0, result.output  # `status` reports it; nothing to rank here
    [configuration] = configurations(result).values()
    assert configuration["scan_missing"]
    assert configuration["scan_association"] == "QuickSetup-ScanForPatches-7a422481"
    assert configuration["instances"] == {}


@pytest.fixture(scope="module")
def local_template() -> dict:
    return synthesized_local_template()
