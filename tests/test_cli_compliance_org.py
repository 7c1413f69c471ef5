"""``quicksetup compliance --org``: the organization's patch compliance, from Athena (run for
real by a local Athena: tests/fake_athena.py translates the SQL with sqlglot and runs it on
DuckDB over files laid out as the resource data sync writes them), or from Explorer's
``GetOpsSummary`` (botocore's Stubber: every request and answer checked against the model)."""

from __future__ import annotations

import json
import time

import boto3
import pytest
from botocore.stub import Stubber
from click.testing import CliRunner

from quicksetup_constructs.cli import compliance_org
from quicksetup_constructs.cli.aws import Aws
from quicksetup_constructs.cli.main import main

from . import cli_json
from .fake_athena import FakeAthena, fake_athena, write_patch_summary
from .fake_aws import isolate_aws_environment

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret"}
A, B = "111111111111", "222222222222"
WORKGROUP = "QuickSetup-Inventory-prod"
DATABASE = "quicksetup_inventory_prod"
OUTPUTS = {
    "QSInventoryAthenaWorkGroupName14BCDBE1": WORKGROUP,
    "QSInventoryAthenaDatabaseName5F0E2A11": DATABASE,
}
SYNC = "QuickSetup-ExplorerSync-7a422481"


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    isolate_aws_environment(monkeypatch, tmp_path)


@pytest.fixture
def fake(tmp_path):
    """2 accounts x 2 Regions; i-a3 misses 12 HIGH patches, i-a4 9 HIGH and 3 MEDIUM."""
    root = tmp_path / "bucket" / "inventory"
    write_patch_summary(root, A, "us-east-1", "i-a1", "COMPLIANT")
    write_patch_summary(root, A, "us-east-1", "i-a2", "NON_COMPLIANT", critical=1, low=1)
    write_patch_summary(root, A, "us-east-1", "i-a3", "NON_COMPLIANT", high=12)
    write_patch_summary(root, A, "eu-west-1", "i-a4", "NON_COMPLIANT", high=9, medium=3)
    write_patch_summary(root, B, "us-east-1", "i-b1", "COMPLIANT")
    write_patch_summary(root, B, "us-east-1", "i-b2", "COMPLIANT")
    write_patch_summary(root, B, "eu-west-1", "i-b3", "NON_COMPLIANT", critical=2)
    athena = FakeAthena(root=root, workgroups={WORKGROUP}, stacks={"Inventory": OUTPUTS})
    with fake_athena(athena) as served:
        yield served


def run(fake: FakeAthena, *args: str):
    return CliRunner(env={**CREDENTIALS, "AWS_ENDPOINT_URL": fake.url}).invoke(
        main, ["compliance", "--org", "--region", "us-east-1", *args]
    )


def _json(fake: FakeAthena, *args: str, exit_code: int = 1) -> dict:
    result = run(fake, "--output", "json", *args)
    assert result.exit_code == exit_code, (result.output, result.stderr)
    found = cli_json.data(result.stdout)
    for target_id, target in found["target_results"].items():
        assert target_id == f"{target['account']}/{target['region']}"
    for instance_id, instance in found["instances"].items():
        assert instance["instance_id"] == instance_id
    return found


def _one_line_error(result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def _counts(data: dict) -> dict[str, tuple[int, int]]:
    return {
        key: (target["compliant"], target["non_compliant"])
        for key, target in data["target_results"].items()
    }


# Athena: the answer -------------------------------------------------------------------------


def test_counts_per_account_and_region(fake):
    data = _json(fake)
    assert _counts(data) == {
        f"{A}/eu-west-1": (0, 1),
        f"{A}/us-east-1": (1, 2),
        f"{B}/eu-west-1": (0, 1),
        f"{B}/us-east-1": (2, 0),
    }
    assert data["summary"] == {"COMPLIANT": 3, "NON_COMPLIANT": 4}
    assert (data["source"], data["workgroup"], data["database"]) == ("athena", WORKGROUP, DATABASE)


def test_the_worst_come_first_and_two_digit_counts_are_numbers(fake):
    """Critical first; then 12 HIGH before 9 HIGH + 3 MEDIUM (as strings, "9" > "12")."""
    instances = _json(fake)["instances"]
    assert list(instances) == ["i-b3", "i-a2", "i-a3", "i-a4"]
    assert [instance["rank"] for instance in instances.values()] == [1, 2, 3, 4]
    assert instances["i-a3"]["severities"] == {"HIGH": 12}
    assert instances["i-a3"]["non_compliant"] == 12
    assert instances["i-a4"]["severities"] == {"HIGH": 9, "MEDIUM": 3}
    assert (instances["i-a4"]["account"], instances["i-a4"]["region"]) == (A, "eu-west-1")
    assert instances["i-a4"]["capture_time"] == "2026-01-05T09:00:00Z"


def test_limit_lists_the_worst_and_counts_the_rest(fake):
    data = _json(fake, "--limit", "2")
    assert (list(data["instances"]), data["more"]) == (["i-b3", "i-a2"], 2)
    data = _json(fake, "--limit", "0")
    assert (len(data["instances"]), data["more"]) == (4, 0)


def test_the_text_output_shows_targets_and_the_worst(fake):
    result = run(fake, "--output", "text")
    assert result.exit_code == 1, result.output
    assert f"{A}" in result.stdout and "eu-west-1" in result.stdout
    assert "3 compliant" in result.stdout and "4 non-compliant" in result.stdout
    assert result.stdout.index("i-b3") < result.stdout.index("i-a4")
    assert "12 HIGH" in result.stdout


# Athena: parameters, bytes, failures ---------------------------------------------------------


def test_filters_are_execution_parameters(fake):
    data = _json(fake, "--account", A, "--target-region", "eu-west-1")
    assert _counts(data) == {f"{A}/eu-west-1": (0, 1)}
    assert list(data["instances"]) == ["i-a4"]
    for start in fake.started:
        assert start["ExecutionParameters"] == [f"'{A}'", "'eu-west-1'"]
        assert A not in start["QueryString"] and "eu-west-1" not in start["QueryString"]


def test_several_accounts_and_regions(fake):
    data = _json(fake, "--account", A, "--account", B, "--target-region", "us-east-1")
    assert set(_counts(data)) == {f"{A}/us-east-1", f"{B}/us-east-1"}


def test_a_hostile_region_is_a_parameter_not_sql(fake):
    hostile = "x' OR '1'='1"
    data = _json(fake, "--target-region", hostile, exit_code=0)
    assert data["target_results"] == {} and data["instances"] == {}
    start = fake.started[-1]
    assert start["ExecutionParameters"] == ["'x'' OR ''1''=''1'"]
    assert "OR '1'" not in start["QueryString"]


def test_an_account_that_is_not_12_digits_is_refused_before_any_call(fake):
    line = _one_line_error(run(fake, "--account", "1' OR '1"))
    assert "12 digits" in line
    assert fake.requests == []


def test_the_bytes_scanned_are_a_json_field(fake):
    data = _json(fake)
    files = sorted((fake.root / "AWS:ComplianceSummary").glob("**/*.json"))
    assert data["bytes_scanned"] == 2 * sum(path.stat().st_size for path in files) > 0
    assert len(data["query_execution_ids"]) == 2


def test_the_bytes_scanned_go_to_standard_error_in_text_mode(fake):
    result = run(fake, "--output", "text")
    assert "Athena scanned" in result.stderr
    assert "Athena scanned" not in result.stdout


def test_a_failed_query_is_one_line_with_its_reason(fake):
    fake.state = "fail"
    line = _one_line_error(run(fake))
    assert "FAILED" in line and fake.reason in line


def test_a_hung_query_is_stopped_after_the_query_timeout(fake):
    fake.state = "hang"
    started = time.monotonic()
    line = _one_line_error(run(fake, "--query-timeout", "1"))
    assert time.monotonic() - started < 10
    assert "still RUNNING after 1 s" in line
    assert len(fake.stopped) == 1


def test_all_compliant_exits_0(fake):
    data = _json(fake, "--account", B, "--target-region", "us-east-1", exit_code=0)
    assert _counts(data) == {f"{B}/us-east-1": (2, 0)}


def test_every_page_of_results_is_read(fake):
    data = _json(fake, "--page-size", "2")
    assert len(data["instances"]) == 4
    assert fake.requests.count("GetQueryResults") > 2


# Explorer's GetOpsSummary -------------------------------------------------------------------


def stubbed() -> tuple[Aws, Stubber, Stubber]:
    """An :class:`Aws` whose Systems Manager and CloudFormation clients answer from Stubbers;
    the account's stacks have no Athena outputs."""
    aws = Aws(
        boto3.Session(region_name="us-east-1", **{k.lower(): v for k, v in CREDENTIALS.items()}),
        account="999999999999",
    )
    cloudformation = Stubber(aws.client("cloudformation"))
    cloudformation.add_response("describe_stacks", {"Stacks": []}, {})
    return aws, Stubber(aws.client("ssm")), cloudformation


def syncs(*names: str) -> dict:
    return {
        "ResourceDataSyncItems": [
            {
                "SyncName": name,
                "SyncType": "SyncFromSource",
                "SyncSource": {"SourceType": "AwsOrganizations", "SourceRegions": ["us-east-1"]},
            }
            for name in names
        ]
    }


def entity(instance: str, account: str, region: str, status: str, kind: str = "Patch") -> dict:
    """One instance's ``AWS:ComplianceSummary`` OpsData, from the organization sync."""
    return {
        "Id": instance,
        "Data": {
            "AWS:ComplianceSummary": {
                "CaptureTime": "2026-01-05T09:00:00Z",
                "Content": [
                    {
                        "ComplianceType": kind,
                        "Status": status,
                        "SourceAccountId": account,
                        "SourceRegion": region,
                    }
                ],
            }
        },
    }


def ops_request(token: str | None = None) -> dict:
    return {
        "SyncName": SYNC,
        "Filters": [
            {"Key": "AWS:ComplianceSummary.ComplianceType", "Values": ["Patch"], "Type": "Equal"}
        ],
        "ResultAttributes": [{"TypeName": "AWS:ComplianceSummary"}],
        "MaxResults": 50,
        **({"NextToken": token} if token else {}),
    }


def run_stubbed(aws: Aws, *args: str):
    return CliRunner(env={"COLUMNS": "200"}).invoke(
        main, ["compliance", "--org", *args], obj=aws, catch_exceptions=False
    )


def test_explorer_counts_per_account_and_region_over_every_page():
    aws, ssm, cloudformation = stubbed()
    ssm.add_response(
        "list_resource_data_sync", syncs("Other", SYNC), {"SyncType": "SyncFromSource"}
    )
    ssm.add_response(
        "get_ops_summary",
        {
            "Entities": [
                entity("i-a1", A, "us-east-1", "COMPLIANT"),
                entity("i-a2", A, "us-east-1", "NON_COMPLIANT"),
            ],
            "NextToken": "page-2",
        },
        ops_request(),
    )
    ssm.add_response(
        "get_ops_summary",
        {
            "Entities": [
                entity("i-b1", B, "eu-west-1", "NON_COMPLIANT"),
                entity("i-b2", B, "eu-west-1", "NON_COMPLIANT", kind="Association"),
            ]
        },
        ops_request("page-2"),
    )
    with ssm, cloudformation:
        result = run_stubbed(aws, "--output", "json")
        ssm.assert_no_pending_responses()
    assert result.exit_code == 1, result.output
    data = cli_json.data(result.stdout)
    assert _counts(data) == {f"{A}/us-east-1": (1, 1), f"{B}/eu-west-1": (0, 1)}
    assert (data["source"], data["sync_name"], data["instances"]) == ("explorer", SYNC, {})
    assert data["bytes_scanned"] is None


def test_explorer_all_compliant_exits_0_and_filters_accounts():
    aws, ssm, cloudformation = stubbed()
    ssm.add_response(
        "get_ops_summary",
        {
            "Entities": [
                entity("i-a1", A, "us-east-1", "COMPLIANT"),
                entity("i-b1", B, "us-east-1", "NON_COMPLIANT"),
            ]
        },
        ops_request(),
    )
    with ssm, cloudformation:  # --sync-name: no ListResourceDataSync, no Athena
        result = run_stubbed(aws, "--sync-name", SYNC, "--account", A, "--output", "json")
        ssm.assert_no_pending_responses()
    assert result.exit_code == 0, result.output
    assert _counts(cli_json.data(result.stdout)) == {f"{A}/us-east-1": (1, 0)}


def test_several_explorer_syncs_ask_for_sync_name_in_one_line():
    aws, ssm, cloudformation = stubbed()
    second = "QuickSetup-ExplorerSync-0b1c2d3e"
    ssm.add_response("list_resource_data_sync", syncs(SYNC, second), {"SyncType": "SyncFromSource"})
    with ssm, cloudformation:
        result = CliRunner().invoke(main, ["compliance", "--org"], obj=aws)
    line = _one_line_error(result)
    assert "--sync-name" in line and SYNC in line and second in line


def test_neither_source_is_a_one_line_hint():
    aws, ssm, cloudformation = stubbed()
    ssm.add_response("list_resource_data_sync", syncs("Other"), {"SyncType": "SyncFromSource"})
    with ssm, cloudformation:
        result = CliRunner().invoke(main, ["compliance", "--org"], obj=aws)
    line = _one_line_error(result)
    assert "athena=True" in line and "--athena-workgroup" in line
    assert "explorer_organization_sync=True" in line and "--sync-name" in line


# The library and the CLI agree --------------------------------------------------------------


def test_the_cli_reads_the_names_the_library_gives():
    from quicksetup_constructs.organization.explorer_sync import SYNC_NAME_PREFIX
    from quicksetup_constructs.rendering.athena import TABLE_COLUMNS, TABLE_NAMES

    assert compliance_org.SYNC_NAME_PREFIX == SYNC_NAME_PREFIX
    assert TABLE_NAMES["AWS:ComplianceSummary"] == compliance_org.SUMMARY_TABLE
    columns = set(TABLE_COLUMNS["AWS:ComplianceSummary"])
    assert set(compliance_org._COUNT_COLUMNS.values()) <= columns


def test_organization_options_need_org():
    aws, _, _ = stubbed()
    result = CliRunner().invoke(main, ["compliance", "--target-region", "eu-west-1"], obj=aws)
    assert "add --org" in _one_line_error(result)


def test_the_organization_path_runs_without_the_cdk(fake, tmp_path):
    from .test_cli_startup import _run

    prelude = "import os\n" + "".join(
        f"os.environ[{key!r}] = {value!r}\n" for key, value in CREDENTIALS.items()
    )
    result = _run(
        tmp_path,
        "compliance", "--org", "--region", "us-east-1", "--endpoint-url", fake.url,
        "--output", "json", prelude=prelude,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert '"target_results"' in result.stdout
    assert result.stderr.strip().splitlines()[-1] == "CDK-MODULES: none"


def test_a_count_that_is_not_a_number_is_an_error_not_zero(fake, tmp_path):
    """A missing-patch count the data holds as text must read as a number: a guess (0) would
    rank the instance as compliant as can be."""
    folder = next((fake.root / "AWS:ComplianceSummary").glob("accountid=*/region=*/*"))
    path = next(folder.glob("*.json"))
    lines = path.read_text().splitlines()
    first = json.loads(lines[0])
    first |= {"Status": "NON_COMPLIANT", "NonCompliantHighCount": "many"}
    path.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n")
    line = _one_line_error(run(fake))
    assert line == "error: the HIGH count is not a number in the query's result: 'many'"
