"""`quicksetup status --org` and `troubleshoot --org` over many accounts: targets read in
parallel (at most ``--max-concurrency`` calls in flight), ``AssumeRole`` once per account and
again only near expiry, and the targets that could not be read collapsed into one line per
reason (every one of them kept in the JSON).

AWS is played over real HTTP by tests/fake_aws.py's :class:`FakeOrganization` (127.0.0.1):
the management account's StackSets (CloudFormation, paginated), STS, and State Manager in each
member account; it counts the requests and the most of them in flight.
"""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from quicksetup_constructs.cli.aws import ATTEMPTS
from quicksetup_constructs.cli.main import main

from . import cli_json
from .fake_aws import ACCOUNT, FakeOrganization, fake_organization, isolate_aws_environment

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret"}
MEMBERS = [f"{200000000000 + index:012d}" for index in range(11)]
ACCOUNTS = [ACCOUNT, *MEMBERS]
"""The caller's own account (read with its own credentials) and 11 member accounts."""
REGIONS = ["us-east-1", "ap-northeast-1"]
ASSOCIATIONS = "QuickSetup-19d1f875-Associations"
ROLES = "QuickSetup-19d1f875-AccountRoles"


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    isolate_aws_environment(monkeypatch, tmp_path)


def organization(**settings: Any) -> FakeOrganization:
    return FakeOrganization(accounts=list(ACCOUNTS), regions=list(REGIONS), **settings)


def run(fake: FakeOrganization, *args: str):
    return CliRunner(env=CREDENTIALS).invoke(
        main,
        [
            *args,
            "--org",
            "--member-role",
            fake.member_role,
            "--region",
            REGIONS[0],
            "--endpoint-url",
            fake.url,
        ],
    )


def stack_sets(stdout: str) -> dict[str, dict[str, Any]]:
    """``data.stack_sets`` of ``--output json`` (the contract's envelope, ``error`` null): each
    StackSet keyed by its name, each of its ``target_results`` by ``account/region``, each
    failure of a target by option key."""
    found = cli_json.data(stdout)["stack_sets"]  # checked against the schema the package ships
    for name, stack_set in found.items():
        assert stack_set["name"] == name
        for target_id, target in stack_set["target_results"].items():
            assert target_id == f"{target['account']}/{target['region']}"
            assert all(failure["key"] == key for key, failure in target["failures"].items())
    return found


def by_target(stack_set: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (target["account"], target["region"]): target
        for target in stack_set["target_results"].values()
    }


def test_every_target_is_read_with_one_assume_role_per_account():
    failed = (MEMBERS[3], "ap-northeast-1")
    with fake_organization(organization(page_size=7, failed={failed: ("ScanForPatches",)})) as fake:
        result = run(fake, "status", "--json")
    # findings: a target's association failed; `status --org` now exits 1 for a Failed target,
    # as `status` does for a Failed card (it exited 0 before)
    assert result.exit_code == 1, result.output
    assert result.stderr == ""  # no progress line without a terminal
    found = stack_sets(result.stdout)
    assert set(found) == {ASSOCIATIONS, ROLES}, "only Quick Setup StackSets"
    targets = by_target(found[ASSOCIATIONS])
    assert set(targets) == {(account, region) for account in ACCOUNTS for region in REGIONS}
    assert targets[failed]["association_status"] == "Failed"
    assert targets[failed]["options"]["scan_for_patches"] == "Failed"
    others = [target for key, target in targets.items() if key != failed]
    assert {target["association_status"] for target in others} == {"Success"}
    assert all(set(t["options"].values()) == {"Success"} and len(t["options"]) == 5 for t in others)
    assert [t["association_status"] for t in found[ROLES]["target_results"].values()] == [
        "Not configured"
    ] * 12
    # paginated: 24 + 12 stack instances, 7 a page
    assert fake.requests.count("ListStackInstances") == 4 + 2
    # one AssumeRole per member account, none for the caller's own; each target read once
    assert fake.assumed == {account: 1 for account in MEMBERS}
    assert fake.read == {(account, region): 1 for account in ACCOUNTS for region in REGIONS}


@pytest.mark.parametrize(("max_concurrency", "latency"), [(1, 0.002), (4, 0.02)])
def test_no_more_calls_in_flight_than_max_concurrency(max_concurrency, latency):
    with fake_organization(organization(latency=latency)) as fake:
        result = run(fake, "status", "--json", "--max-concurrency", str(max_concurrency))
    assert result.exit_code == 0, result.output
    assert len(stack_sets(result.stdout)[ASSOCIATIONS]["target_results"]) == 24
    assert fake.max_in_flight <= max_concurrency
    if max_concurrency > 1:
        assert fake.max_in_flight > 1, "targets are read in parallel"


@pytest.mark.parametrize("value", ["0", "65", "many"])
def test_max_concurrency_is_from_1_to_64(value):
    result = CliRunner(env=CREDENTIALS).invoke(
        main, ["status", "--org", "--max-concurrency", value, "--region", "us-east-1"]
    )
    assert result.exit_code == 2
    assert "--max-concurrency" in result.stderr


def test_targets_not_read_collapse_into_one_line_per_reason():
    denied, no_ssm, throttled = MEMBERS[:5], MEMBERS[5:8], MEMBERS[8]
    settings = {"denied": set(denied), "no_ssm": set(no_ssm), "throttled": {throttled}}
    with fake_organization(organization(**settings)) as fake:
        text = run(fake, "status", "--output", "text")
        assumed, reads = dict(fake.assumed), dict(fake.read)
        fake.throttled.clear()  # its retries back off for seconds: once is enough
        as_json = run(fake, "status", "--json")
    assert text.exit_code == 1, text.output  # targets not read are a finding
    assert text.stderr.startswith("error: 18 targets (account × Region) could not be read: ")
    section = text.stdout[text.stdout.index(f"StackSet {ASSOCIATIONS}") :]
    lines = section.splitlines()
    collapsed = [line for line in lines if line.startswith("Not read · ")]
    assert len(collapsed) == 3, text.stdout
    assert collapsed[0] == (
        "Not read · 10 target(s): AWS denied AssumeRole: User: "
        f"arn:aws:iam::{ACCOUNT}:user/operator is not authorized to perform: sts:AssumeRole "
        "on resource: arn:aws:iam::<account>:role/QuickSetupReader "
        f"(accounts {denied[0]}, {denied[1]}, {denied[2]}, … 2 more)"
    )
    assert collapsed[1].startswith("Not read · 6 target(s): AWS denied ListAssociations: ")
    assert collapsed[1].endswith(f"(accounts {no_ssm[0]}, {no_ssm[1]}, {no_ssm[2]})")
    assert collapsed[2] == (
        f"Not read · 2 target(s): ListAssociations was throttled after {ATTEMPTS} tries: "
        f"Rate exceeded; try again later (account {throttled})"
    )
    # no row of their own: the accounts not named in a line appear nowhere
    assert denied[3] not in section and denied[4] not in section
    assert sum(MEMBERS[9] in line for line in lines) == 2  # a target read: a row per Region
    # AssumeRole once per account, denied or not; a throttled call tried ATTEMPTS times
    assert assumed == {account: 1 for account in MEMBERS}
    assert reads[throttled, "us-east-1"] == ATTEMPTS
    assert not any(account in denied for account, _ in reads)
    # the JSON keeps every target, each with its own reason
    targets = by_target(stack_sets(as_json.stdout)[ASSOCIATIONS])
    assert len(targets) == 24
    for account in denied:
        for region in REGIONS:
            target = targets[account, region]
            assert target["association_status"] == "Not read"
            assert target["association_detail"].startswith("AWS denied AssumeRole: ")
            assert f"arn:aws:iam::{account}:role/QuickSetupReader" in target["association_detail"]
    assert targets[no_ssm[0], "us-east-1"]["association_detail"].startswith(
        "AWS denied ListAssociations"
    )
    assert sum(t["association_status"] == "Not read" for t in targets.values()) == 16


def test_member_credentials_are_assumed_again_when_they_expire_within_5_minutes():
    with fake_organization(organization(expires_in=240)) as fake:
        result = run(fake, "status", "--json")
    assert result.exit_code == 0, result.output
    assert fake.assumed == {account: len(REGIONS) for account in MEMBERS}


def test_troubleshoot_org_finds_the_failed_option_of_a_member_account():
    failed = (MEMBERS[10], "ap-northeast-1")
    with fake_organization(organization(failed={failed: ("UpdateSSMAgent",)})) as fake:
        as_json = run(fake, "troubleshoot", "--json")
        text = run(fake, "troubleshoot", "--output", "text")
    assert as_json.exit_code == 1, as_json.output  # findings
    targets = by_target(stack_sets(as_json.stdout)[ASSOCIATIONS])
    [failure] = targets[failed]["failures"].values()
    assert failure["key"] == "update_ssm_agent"
    assert failure["association_name"] == "QuickSetup-UpdateSSMAgent-19d1f875"
    execution = failure["execution"]
    assert execution["status"] == "Failed"
    assert execution["counts"] == {"Failed": 1, "Success": 1}
    assert execution["created"] == "2026-01-05T09:00:00Z"
    assert all(not t["failures"] for key, t in targets.items() if key != failed)
    # the latest failed execution is asked of the failed option only, in its account
    assert fake.requests.count("DescribeAssociationExecutions") == 2  # once per run
    assert text.exit_code == 1
    assert "1 of 24 target(s) read have failed options" in text.stdout
    row = next(line for line in text.stdout.splitlines() if MEMBERS[10] in line)
    assert "ap-northeast-1" in row and "Update Systems" in row
    assert execution["execution_id"][:12] in text.stdout


def test_troubleshoot_org_says_nothing_failed_in_the_targets_read():
    with fake_organization(organization(denied={MEMBERS[0]})) as fake:
        result = run(fake, "troubleshoot", "--output", "text")
    assert result.exit_code == 1, result.output  # nothing failed, but 2 targets not read
    assert result.stderr.startswith("error: 2 targets (account × Region) could not be read: ")
    assert "Nothing failed in 22 target(s) read" in result.stdout
    assert "Not read · 2 target(s): AWS denied AssumeRole" in result.stdout
    assert "DescribeAssociationExecutions" not in fake.requests
