"""``bench/org_athena.py`` (``status --org`` through Athena against the member-role path) at a
tiny size: its runs and its own checks, so that a broken benchmark shows before anyone
measures with it; and the checks and the fake's query cache it relies on, one by one."""

from __future__ import annotations

import json

import pytest

from bench import org_athena

from .fake_athena import FakeAthena

REGIONS = ["us-east-1", "eu-west-1"]
OPTIONS = ("update_ssm_agent", "collect_inventory", "scan_for_patches")
"""The option keys of :data:`org_athena.DATA_OPTIONS`."""


def test_the_benchmark_runs_both_paths_and_its_checks_at_a_tiny_size(tmp_path, capsys):
    figures_file = tmp_path / "figures.json"
    args = ["--accounts", "2", "--regions", ",".join(REGIONS), "--instances", "2"]
    args += ["--latency", "0", "--rounds", "1", "--json", str(figures_file)]
    assert org_athena.main(args) == 0
    figures = json.loads(figures_file.read_text())
    assert figures["targets"] == 4
    assert figures["instances"] == 8
    assert figures["files"] == 16  # two files (two types) per instance
    assert figures["failed_targets"] == 1  # the second account, in its first Region
    assert figures["bytes_scanned"] > 0
    assert figures["engine_seconds"] > 0
    # (A) assumed no role; (B) assumed the one member account's role.
    assert figures["runs"]["A"]["assume_role"] == [0]
    assert figures["runs"]["B"]["assume_role"] == [1]
    assert (
        figures["ratio_calls"]
        == figures["runs"]["A"]["calls"][0] / figures["runs"]["B"]["calls"][0]
    )
    assert all(0 < peak < 1000 for path in "AB" for peak in figures["runs"][path]["peak_mb"])
    out = capsys.readouterr().out
    assert "| (A) Athena, no member role |" in out
    assert "| A / B |" in out
    assert out.rstrip().endswith("within the targets")


@pytest.fixture
def fake(tmp_path):
    """The benchmark's organization (not served): 2 accounts × 2 Regions."""
    return org_athena.organization(2, REGIONS, 0.0, tmp_path)


def output(fake, source: str, **changed: dict) -> dict:
    """An output of ``status --org --output json`` as the benchmark expects it: every target
    in its planted state (``changed``: ``account/region`` → fields that differ)."""
    results = {}
    for key, state in org_athena.expected_states(fake).items():
        options = dict.fromkeys(OPTIONS, state) | {"attach_instance_profile": "Not in data"}
        target = {"association_status": state, "options": options, "managed_instances": 2}
        results[key] = target | changed.get(key, {})
    stack_set = {"source": source, "target_results": results}
    return {"data": {"stack_sets": {org_athena.ASSOCIATIONS: stack_set}}}


def run(result: dict, exit_code: int = 1) -> dict:
    return {"output": result, "exit_code": exit_code}


def test_the_planted_failure_is_one_target_of_the_second_account(fake):
    account = fake.accounts[1]
    assert fake.failed == {(account, REGIONS[0]): ("UpdateSSMAgent",)}
    assert org_athena.expected_states(fake)[f"{account}/{REGIONS[0]}"] == "Failed"


def test_a_run_in_its_planted_states_passes_the_checks(fake):
    org_athena.check_run(fake, "A", run(output(fake, "athena")), instances=2)
    org_athena.check_run(fake, "B", run(output(fake, "live")), instances=2)
    org_athena.compare(output(fake, "athena"), output(fake, "live"))


def test_a_target_not_in_its_planted_state_stops_the_run(fake):
    key = f"{fake.accounts[1]}/{REGIONS[0]}"
    wrong = output(fake, "athena", **{key: {"association_status": "Success"}})
    with pytest.raises(SystemExit, match=r"\(A\) targets not in their planted state: .*Success"):
        org_athena.check_run(fake, "A", run(wrong), instances=2)


def test_a_missing_target_stops_the_run(fake):
    partial = output(fake, "live")
    partial["data"]["stack_sets"][org_athena.ASSOCIATIONS]["target_results"].popitem()
    with pytest.raises(SystemExit, match=r"\(B\) gave 3 targets, not the 4"):
        org_athena.check_run(fake, "B", run(partial), instances=2)


def test_a_run_from_the_wrong_source_or_with_the_wrong_counts_stops_the_run(fake):
    with pytest.raises(SystemExit, match=r"\(A\) read from live"):
        org_athena.check_run(fake, "A", run(output(fake, "live")), instances=2)
    key = f"{fake.accounts[0]}/{REGIONS[1]}"
    fewer = output(fake, "athena", **{key: {"managed_instances": 1}})
    with pytest.raises(SystemExit, match=r"managed instances are not 2"):
        org_athena.check_run(fake, "A", run(fewer), instances=2)
    with pytest.raises(SystemExit, match=r"exit code 0 with 1 failed targets"):
        org_athena.check_run(fake, "A", run(output(fake, "athena"), exit_code=0), instances=2)


def test_paths_that_disagree_on_an_option_the_data_reports_stop_the_run(fake):
    key = f"{fake.accounts[0]}/{REGIONS[0]}"
    options = dict.fromkeys(OPTIONS, "Success") | {"attach_instance_profile": "Not in data"}
    live = output(fake, "live", **{key: {"options": options | {"collect_inventory": "Pending"}}})
    with pytest.raises(SystemExit, match=r"disagree .*collect_inventory: \('Success', 'Pending'\)"):
        org_athena.compare(output(fake, "athena"), live)
    # An option not in the data is not compared: live, it has its own state.
    live = output(fake, "live", **{key: {"options": options | {"attach_instance_profile": "x"}}})
    org_athena.compare(output(fake, "athena"), live)


def test_the_data_is_laid_out_as_the_sync_writes_it(fake, tmp_path):
    data = org_athena.write_data(fake, tmp_path, 2)
    assert data["files"] == 16
    account = fake.accounts[1]
    folder = (
        tmp_path / "AWS:ComplianceItem" / f"accountid={account}" / f"region={REGIONS[0]}"
        / "resourcetype=ManagedInstanceInventory"
    )  # fmt: skip
    files = sorted(folder.glob("i-*.json"))
    assert len(files) == 2
    rows = [json.loads(line) for path in files for line in path.read_text().splitlines()]
    assert len(rows) == 8  # four associations on each instance
    assert {row["DocumentName"] for row in rows} == {
        "AWS-UpdateSSMAgent", "AWS-CollectInventory", "AWS-ScanForPatches",
        org_athena.OTHER_DOCUMENT,
    }  # fmt: skip
    bad = [(r["resourceId"], r["DocumentName"]) for r in rows if r["Status"] != "COMPLIANT"]
    assert bad == [(files[0].stem, "AWS-UpdateSSMAgent")]


QUERY = {"QueryString": "SELECT count(*) AS n FROM aws_instance_information", "WorkGroup": "w"}


def rows(athena: FakeAthena) -> list:
    status, started = athena.answer("StartQueryExecution", dict(QUERY))
    assert status == 200
    _, results = athena.answer("GetQueryResults", started)
    return results["ResultSet"]["Rows"]


def test_the_fake_athena_runs_every_query_unless_asked_to_cache(fake, tmp_path):
    org_athena.write_data(fake, tmp_path, 2)
    athena = FakeAthena(root=tmp_path, workgroups={"w"})
    assert rows(athena)[1] == {"Data": [{"VarCharValue": "8"}]}
    assert rows(athena)[1] == {"Data": [{"VarCharValue": "8"}]}
    assert len(athena.engine_seconds) == 2 and athena.cache_hits == 0
    cached = FakeAthena(root=tmp_path, workgroups={"w"}, cache=True)
    first = rows(cached)
    (tmp_path / "AWS:InstanceInformation").rename(tmp_path / "gone")  # the engine would see 0
    assert rows(cached) == first
    assert len(cached.engine_seconds) == 1 and cached.cache_hits == 1
    _, started = cached.answer("StartQueryExecution", dict(QUERY))
    _, execution = cached.answer("GetQueryExecution", started)
    assert execution["QueryExecution"]["Statistics"]["DataScannedInBytes"] > 0
