"""`quicksetup rerun`: a configuration's associations run once, now (``StartAssociationsOnce``),
after a confirmation, or with ``--yes``; ``--option`` for some of them; ``--org`` per target.

State Manager is botocore's Stubber on the real client (it checks each request against the
service model, and each batch of ids is an expected request); the prompt is answered in a
real terminal (a pseudo-terminal) by the installed command; ``--org`` runs against
tests/fake_aws.py's organization over real HTTP, taught ``StartAssociationsOnce`` here.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.stub import Stubber
from click.testing import CliRunner

from quicksetup_constructs.cli.main import main
from quicksetup_constructs.options import OPTIONS_BY_KEY

from . import cli_json
from .fake_aws import (
    ACCOUNT as ORGANIZATION_ACCOUNT,
)
from .fake_aws import (
    ORGANIZATION_OPTIONS,
    FakeOrganization,
    fake_aws,
    fake_organization,
    isolate_aws_environment,
)
from .test_cli_startup import _run as run_without_node
from .test_cli_status import (
    ACCOUNT,
    CONFIG,
    REGION,
    STACK,
    association,
    association_id,
    expect_stack,
    local_associations,
    run,
    stubbed_aws,
    synthesized_local_template,
    template_keys,
)

# API reference, StartAssociationsOnce (docs.aws.amazon.com/systems-manager/latest/
# APIReference/API_StartAssociationsOnce.html), AssociationIds: "Array Members: Minimum number
# of 1 item. Maximum number of 10 items." A literal, never rerun.py's own constant.
MOST_IDS_PER_CALL = 10
OTHER = "0c0ffee1"
"""A second configuration in the same account and Region."""
LOCAL_KEYS = [
    "attach_instance_profile",
    "update_ssm_agent",
    "collect_inventory",
    "scan_for_patches",
]
"""The options of :func:`local_associations`, in catalogue order."""
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret"}


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    isolate_aws_environment(monkeypatch, tmp_path)


def rerun_data(result) -> dict[str, Any]:
    """``data`` of ``rerun --json`` (valid against the schema): each configuration keyed by
    its id, each of its options by key."""
    found = cli_json.data(result.stdout)
    for configuration_id, configuration in found["configurations"].items():
        assert configuration["configuration_id"] == configuration_id
        assert all(option["key"] == key for key, option in configuration["options"].items())
    return found


def one_line_error(result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: ")
    return line


def expect_start(stubber: Stubber, ids: list[str]) -> None:
    stubber.add_response("start_associations_once", {}, {"AssociationIds": ids})


# every association, some, in batches ------------------------------------------------------------


def test_yes_starts_every_association_of_the_configuration_in_one_call():
    aws, stubber = stubbed_aws()
    stubber.add_response("list_associations", {"Associations": local_associations()}, {})
    expect_start(stubber, [association_id(key) for key in LOCAL_KEYS])
    with stubber:
        result = run(["rerun", "--yes", "--json"], aws)
    stubber.assert_no_pending_responses()
    assert result.exit_code == 0, result.output
    found = rerun_data(result)
    assert (found["region"], found["started_count"], found["findings"]) == (REGION, 4, False)
    options = found["configurations"][CONFIG]["options"]
    assert list(options) == LOCAL_KEYS
    assert {option["result"] for option in options.values()} == {"Started"}
    assert options["update_ssm_agent"]["association_id"] == association_id("update_ssm_agent")


def every_option(config: str) -> list[dict[str, Any]]:
    return [association(key, {"Success": 1}, "Success", config) for key in OPTIONS_BY_KEY]


def fifteen_ids() -> list[str]:
    """The ids of two configurations of every option, as rerun starts them: configurations by
    id (0c0ffee1 first), options in catalogue order, the shared Explorer association once."""
    instance_keys = [key for key in OPTIONS_BY_KEY if key != "enable_explorer"]
    return (
        [association_id(key, OTHER) for key in instance_keys]
        + [association_id("enable_explorer", CONFIG)]
        + [association_id(key, CONFIG) for key in instance_keys]
    )


def two_configurations() -> list[dict[str, Any]]:
    """Two configurations of every option: 7 instance options each, and the account's one
    Explorer association (named after the first configuration), shared by both."""
    return every_option(CONFIG) + [
        item for item in every_option(OTHER) if "EnableExplorer" not in item["AssociationName"]
    ]


def test_more_than_10_associations_are_started_10_a_call_each_once():
    aws, stubber = stubbed_aws()
    stubber.add_response("list_associations", {"Associations": two_configurations()}, {})
    ids = fifteen_ids()
    assert len(ids) == 15
    expect_start(stubber, ids[:MOST_IDS_PER_CALL])
    expect_start(stubber, ids[MOST_IDS_PER_CALL:])
    with stubber:
        result = run(["rerun", "--yes", "--json"], aws)
    stubber.assert_no_pending_responses()
    assert result.exit_code == 0, result.output
    found = rerun_data(result)
    assert found["started_count"] == 15
    assert set(found["configurations"]) == {CONFIG, OTHER}
    for configuration in found["configurations"].values():
        assert configuration["options"]["enable_explorer"]["association_id"] == (
            association_id("enable_explorer", CONFIG)
        )


def test_option_starts_only_the_named_options():
    aws, stubber = stubbed_aws()
    stubber.add_response("list_associations", {"Associations": local_associations()}, {})
    expect_start(stubber, [association_id("update_ssm_agent"), association_id("scan_for_patches")])
    with stubber:
        result = run(
            [
                "rerun",
                "--yes",
                "--json",
                "--option",
                "scan_for_patches",
                "--option",
                "update_ssm_agent",
            ],
            aws,
        )
    stubber.assert_no_pending_responses()
    assert result.exit_code == 0, result.output
    options = rerun_data(result)["configurations"][CONFIG]["options"]
    assert list(options) == ["update_ssm_agent", "scan_for_patches"]


def test_rerun_for_people_names_each_association_started():
    aws, stubber = stubbed_aws()
    stubber.add_response("list_associations", {"Associations": local_associations()}, {})
    expect_start(stubber, [association_id("collect_inventory")])
    with stubber:
        result = run(["rerun", "--yes", "--output", "text", "--option", "collect_inventory"], aws)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"Started 1 association(s) in {REGION}",
        f"Configuration {CONFIG}",
        f"  ✓ Started {OPTIONS_BY_KEY['collect_inventory'].title} · "
        f"QuickSetup-CollectInventory-{CONFIG} · {association_id('collect_inventory')}",
        "Follow them with: quicksetup status --wait",
    ]


# asking first --------------------------------------------------------------------------------


def test_without_yes_and_without_a_terminal_it_exits_2_and_starts_nothing():
    # decisions.md, 32: "rerun without --yes when stdin is not a terminal: exit 2, 'add --yes'"
    aws, stubber = stubbed_aws()
    stubber.add_response("list_associations", {"Associations": local_associations()}, {})
    with stubber:  # no StartAssociationsOnce is expected: one would fail the stubber
        result = CliRunner().invoke(main, ["rerun", "--output", "text"], obj=aws, input="y\n")
    stubber.assert_no_pending_responses()
    assert one_line_error(result) == (
        "error: rerun asks before it starts associations, and standard input is not a "
        "terminal: add --yes"
    )


def test_json_output_starts_without_asking():
    aws, stubber = stubbed_aws()
    stubber.add_response("list_associations", {"Associations": local_associations()}, {})
    expect_start(stubber, [association_id(key) for key in LOCAL_KEYS])
    with stubber:
        result = CliRunner().invoke(main, ["rerun", "--json"], obj=aws)
    stubber.assert_no_pending_responses()
    assert result.exit_code == 0, result.output
    assert rerun_data(result)["started_count"] == 4


def json_association(key: str) -> dict[str, Any]:
    """:func:`association` as the JSON protocol carries it (dates in epoch seconds)."""
    found = association(key, {"Success": 1}, "Success")
    found["LastExecutionDate"] = found["LastExecutionDate"].timestamp()
    return found


def answer_in_a_terminal(url: str, answer: str, tmp_path) -> tuple[int, str, str]:
    """``quicksetup rerun`` with standard input a pseudo-terminal that types ``answer``: its
    exit code, standard output and standard error."""
    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from quicksetup_constructs.cli.entry import main; main()",
                "rerun",
                "--output",
                "text",
                "--region",
                REGION,
                "--endpoint-url",
                url,
            ],
            stdin=terminal,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={
                **CREDENTIALS,
                "PATH": os.environ.get("PATH", ""),
                "HOME": str(tmp_path),
                "AWS_CONFIG_FILE": str(tmp_path / "none"),
                "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
                "AWS_EC2_METADATA_DISABLED": "true",
            },
        )
        os.write(controller, answer.encode())
        stdout, stderr = process.communicate(timeout=120)
    finally:
        os.close(terminal)
        os.close(controller)
    return process.returncode, stdout, stderr


@pytest.mark.parametrize(("answer", "started"), [("y\n", True), ("n\n", False)], ids=["yes", "no"])
def test_on_a_terminal_it_asks_first(tmp_path, answer, started):
    listed = {"Associations": [json_association(key) for key in LOCAL_KEYS]}
    with fake_aws(responses={"ListAssociations": listed, "StartAssociationsOnce": {}}) as fake:
        code, stdout, stderr = answer_in_a_terminal(fake.url, answer, tmp_path)
    assert code == 0, stderr
    assert f"  {OPTIONS_BY_KEY['update_ssm_agent'].title} · QuickSetup-UpdateSSMAgent-" in stderr
    assert "Run these 4 association(s) now, once? [y/N]" in stderr
    assert ("AmazonSSM.StartAssociationsOnce" in fake.requests) is started
    if started:
        assert stdout.startswith(f"Started 4 association(s) in {REGION}\n")
    else:
        assert (stdout, stderr.endswith(" Nothing started.\n")) == ("", True)


# what cannot be started ---------------------------------------------------------------------


def test_an_unknown_option_exits_2_before_any_call():
    aws, stubber = stubbed_aws()
    with stubber:  # nothing stubbed: any call would be an unexpected error
        result = run(["rerun", "--yes", "--option", "update_agent"], aws)
    message = one_line_error(result)
    assert message.startswith(
        "error: unknown option 'update_agent': --option takes the prop "
        "name of an option that runs an association ("
    )
    assert message.endswith("); nothing started")
    assert "update_ssm_agent" in message


def test_a_setting_is_no_option_to_rerun():
    aws, stubber = stubbed_aws()
    with stubber:
        result = run(["rerun", "--yes", "--option", "inventory_sync"], aws)
    assert "error: unknown option 'inventory_sync'" in one_line_error(result)


def test_an_option_the_configuration_lacks_exits_2_and_starts_nothing():
    aws, stubber = stubbed_aws()
    stubber.add_response("list_associations", {"Associations": local_associations()}, {})
    with stubber:
        result = run(
            [
                "rerun",
                "--yes",
                "--option",
                "update_ssm_agent",
                "--option",
                "install_cloudwatch_agent",
            ],
            aws,
        )
    stubber.assert_no_pending_responses()
    assert one_line_error(result) == (
        f"error: no configuration in {REGION} has option install_cloudwatch_agent: nothing started"
    )


def test_a_stack_that_does_not_exist_exits_2():
    aws, stubber = stubbed_aws()
    cloudformation = Stubber(aws.client("cloudformation"))
    cloudformation.add_client_error(
        "list_stack_resources",
        "ValidationError",
        "Stack with id NoSuchStack does not exist",
        400,
        expected_params={"StackName": "NoSuchStack"},
    )
    with stubber, cloudformation:
        result = run(["rerun", "--yes", "--stack", "NoSuchStack"], aws)
    assert one_line_error(result) == (
        f"error: stack 'NoSuchStack' does not exist in {REGION}: check the name "
        "(`aws cloudformation list-stacks`), or pass --region"
    )


def test_a_denied_start_is_one_line_and_exit_2():
    aws, stubber = stubbed_aws()
    stubber.add_response("list_associations", {"Associations": local_associations()}, {})
    stubber.add_client_error(
        "start_associations_once",
        "AccessDeniedException",
        "not authorized to perform: ssm:StartAssociationsOnce",
        400,
        expected_params={"AssociationIds": [association_id(key) for key in LOCAL_KEYS]},
    )
    with stubber:
        result = run(["rerun", "--yes", "--json"], aws)
    assert result.exit_code == 2
    document = cli_json.envelope(result.stdout)
    assert (document["command"], document["data"]) == ("rerun", None)
    assert document["error"]["message"] == (
        f"AWS denied StartAssociationsOnce in {REGION} (account {ACCOUNT}): not authorized to "
        "perform: ssm:StartAssociationsOnce"
    )


def test_a_refused_second_batch_says_how_many_were_started():
    aws, stubber = stubbed_aws()
    stubber.add_response("list_associations", {"Associations": two_configurations()}, {})
    expect_start(stubber, fifteen_ids()[:MOST_IDS_PER_CALL])
    stubber.add_client_error("start_associations_once", "AccessDeniedException", "denied", 400)
    with stubber:
        result = run(["rerun", "--yes"], aws)
    assert one_line_error(result) == (
        f"error: AWS denied StartAssociationsOnce in {REGION} (account {ACCOUNT}): denied "
        "(after 10 of 15 associations were started)"
    )


@pytest.fixture(scope="module")
def local_template() -> dict[str, Any]:
    return synthesized_local_template()


def test_an_association_deleted_outside_cloudformation_is_not_started(local_template):
    aws, stubber = stubbed_aws()
    cloudformation = expect_stack(aws, stubber, local_template, missing=("update_ssm_agent",))
    keys = [key for key in OPTIONS_BY_KEY if key in set(template_keys(local_template).values())]
    expect_start(stubber, [association_id(key) for key in keys if key != "update_ssm_agent"])
    with stubber, cloudformation:
        result = run(["rerun", "--yes", "--json", "--stack", STACK], aws)
    stubber.assert_no_pending_responses()
    assert result.exit_code == 1, result.output  # findings: one could not be started
    found = rerun_data(result)
    assert found["findings"] is True
    assert found["started_count"] == len(keys) - 1
    options = found["configurations"][CONFIG]["options"]
    assert options["update_ssm_agent"]["result"] == "Missing"
    assert options["update_ssm_agent"]["detail"] == ("deleted outside CloudFormation: not started")
    assert {options[key]["result"] for key in keys if key != "update_ssm_agent"} == {"Started"}


def test_rerun_starts_without_the_cdk(tmp_path):
    result = run_without_node(tmp_path, "rerun", "--yes", "--region", REGION)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == "CDK-MODULES: none"
    assert len(lines) == 2 and "credentials" in lines[0]


# --org ------------------------------------------------------------------------------------------

MEMBERS = ["200000000001", "200000000002"]
REGIONS = ["us-east-1", "ap-northeast-1"]
ASSOCIATIONS = "QuickSetup-19d1f875-Associations"


@dataclass
class StartingOrganization(FakeOrganization):
    """:class:`FakeOrganization` that also answers ``StartAssociationsOnce`` in each account,
    keeping the ids started per (account, Region)."""

    started: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def answer(
        self, action: str, params: dict[str, Any], account: str | None, region: str
    ) -> tuple[int, bytes, str]:
        if action != "StartAssociationsOnce" or account is None:
            return super().answer(action, params, account, region)
        with self._lock:
            self.started.setdefault((account, region), []).extend(params["AssociationIds"])
        return 200, b"{}", "application/x-amz-json-1.1"


def organization(**settings: Any) -> StartingOrganization:
    return StartingOrganization(
        accounts=[ORGANIZATION_ACCOUNT, *MEMBERS], regions=list(REGIONS), **settings
    )


def rerun_org(fake: FakeOrganization, *args: str):
    return CliRunner(env=CREDENTIALS).invoke(
        main,
        [
            "rerun",
            "--org",
            "--member-role",
            fake.member_role,
            "--region",
            REGIONS[0],
            "--endpoint-url",
            fake.url,
            *args,
        ],
    )


def targets(stdout: str) -> dict[str, dict[str, Any]]:
    found = cli_json.data(stdout)["target_results"]
    for target_id, target in found.items():
        assert target_id == f"{target['account']}/{target['region']}"
    return found


def test_org_starts_the_associations_in_every_target():
    with fake_organization(organization()) as fake:
        result = rerun_org(fake, "--json")
    assert result.exit_code == 0, result.output
    every = [(account, region) for account in fake.accounts for region in REGIONS]
    assert {key: sorted(ids) for key, ids in fake.started.items()} == {
        (account, region): sorted(
            fake.association_id(account, region, option) for option in ORGANIZATION_OPTIONS
        )
        for account, region in every
    }
    assert fake.assumed == {account: 1 for account in MEMBERS}
    found = targets(result.stdout)
    assert len(found) == len(every)
    assert {target["result"] for target in found.values()} == {"Started"}
    assert cli_json.data(result.stdout)["stack_set_names"] == [ASSOCIATIONS]
    assert cli_json.data(result.stdout)["started_count"] == len(every) * 5


def test_org_option_starts_only_that_option_in_each_target():
    with fake_organization(organization()) as fake:
        result = rerun_org(fake, "--yes", "--option", "update_ssm_agent", "--output", "text")
    assert result.exit_code == 0, result.output
    assert fake.started == {
        (account, region): [fake.association_id(account, region, "UpdateSSMAgent")]
        for account in fake.accounts
        for region in REGIONS
    }
    assert f"{MEMBERS[0]} · ap-northeast-1 · Started · update_ssm_agent" in result.stdout


def test_org_a_target_not_reached_is_not_started_and_exit_1():
    with fake_organization(organization(denied={MEMBERS[1]})) as fake:
        result = rerun_org(fake, "--json")
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(
        "error: 2 target(s) (account × Region) not started: AWS denied AssumeRole: "
    )
    assert not any(account == MEMBERS[1] for account, _ in fake.started)
    found = targets(result.stdout)
    denied = found[f"{MEMBERS[1]}/us-east-1"]
    assert (denied["result"], denied["options"]) == ("Not started", {})
    assert denied["detail"].startswith("AWS denied AssumeRole: ")
    assert found[f"{MEMBERS[0]}/us-east-1"]["result"] == "Started"


def test_org_an_option_no_stack_set_has_exits_2_and_starts_nothing():
    with fake_organization(organization()) as fake:
        result = rerun_org(fake, "--yes", "--option", "install_cloudwatch_agent")
    assert one_line_error(result).startswith(
        "error: no Quick Setup StackSet in us-east-1 (account "
    )
    assert "has option install_cloudwatch_agent: nothing started" in result.stderr
    assert fake.started == {}
    assert "AssumeRole" not in fake.requests
