"""`quicksetup status --wait`: the cards read again, with backoff, until none is Pending; on
timeout, exit 1 with the cards still Pending. The clock is a fake one (``wait.CLOCK``): the
waits are recorded, never slept.

State Manager is botocore's Stubber on the real client: each read of the cards is a
``ListAssociations``, the latest run of each association, the DHMC setting and the syncs.
"""

from __future__ import annotations

import os
import pty
import select
import time

import pytest
from botocore.stub import Stubber
from click.testing import CliRunner

from quicksetup_constructs.cli import wait
from quicksetup_constructs.cli.main import main
from quicksetup_constructs.cli.status import (
    ConfigurationStatus,
    InventorySyncStatus,
    OptionStatus,
)

from . import cli_json
from .test_cli_status import (
    ACCOUNT,
    CONFIG,
    REGION,
    association,
    association_id,
    execution,
    expect_no_account_settings,
    run,
    stubbed_aws,
)

# The schedule, as docs/cli.md gives it: "5 s after the first read, then twice as long each
# time, up to 60 s"; the default timeout is 600 s.
DOCUMENTED_SCHEDULE = [5, 10, 20, 40, 60, 60]
DOCUMENTED_TIMEOUT = 600
INVENTORY = f"{CONFIG} collect_inventory"


class FakeClock:
    """Seconds that move only when slept; every sleep recorded."""

    def __init__(self) -> None:
        self.time = 1000.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.time += seconds


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(wait, "CLOCK", wait.Clock(now=fake.now, sleep=fake.sleep))
    return fake


def expect_read(stubber: Stubber, *, pending: bool) -> None:
    """One read of the cards: the attach option succeeded; the inventory is still running
    on 2 of its 3 targets (``pending``), or has succeeded on all three."""
    counts = {"Success": 1, "Pending": 2} if pending else {"Success": 3}
    stubber.add_response(
        "list_associations",
        {
            "Associations": [
                association("attach_instance_profile", {"Success": 3}, "Success"),
                association("collect_inventory", counts, "Pending" if pending else "Success"),
            ]
        },
        {},
    )
    for key, status, count in (
        ("attach_instance_profile", "Success", "{Success=3}"),
        (
            "collect_inventory",
            "InProgress" if pending else "Success",
            "{Success=1, Pending=2}" if pending else "{Success=3}",
        ),
    ):
        stubber.add_response(
            "describe_association_executions",
            execution(key, status, count),
            {"AssociationId": association_id(key), "MaxResults": 1},
        )
    expect_no_account_settings(stubber)


def statuses(*, option: str = "Success", sync: str | None = None) -> list[ConfigurationStatus]:
    return [
        ConfigurationStatus(
            configuration_id=CONFIG,
            region=REGION,
            stack=None,
            targets="every instance",
            options=[OptionStatus("collect_inventory", "Collect inventory", option)],
            inventory_sync=None
            if sync is None
            else InventorySyncStatus(
                "inventory_sync",
                "Deliver the inventory",
                sync,
                f"QuickSetup-Inventory-{CONFIG}",
            ),
        )
    ]


# the schedule ----------------------------------------------------------------------------------


def test_it_reads_again_until_no_card_is_pending(clock):
    aws, stubber = stubbed_aws()
    expect_read(stubber, pending=True)
    expect_read(stubber, pending=True)
    expect_read(stubber, pending=False)
    with stubber:
        result = run(["status", "--wait", "--json"], aws)
    stubber.assert_no_pending_responses()
    assert result.exit_code == 0, result.output
    assert clock.sleeps == DOCUMENTED_SCHEDULE[:2]
    [configuration] = cli_json.data(result.stdout)["configurations"].values()
    assert configuration["options"]["collect_inventory"]["status"] == "Success"
    assert result.stderr == ""


def test_the_waits_double_from_5_s_up_to_60_s_and_end_at_the_timeout():
    fake = FakeClock()
    reads = []

    def read():
        reads.append(fake.time)
        return statuses(option="Pending")

    waited = wait.wait_until_settled(
        read,
        timeout=300,
        clock=wait.Clock(now=fake.now, sleep=fake.sleep),
    )
    assert fake.sleeps == [5, 10, 20, 40, 60, 60, 60, 45]  # the last one cut at 300 s
    assert [moment - 1000 for moment in reads] == [0, 5, 15, 35, 75, 135, 195, 255, 300]
    assert (waited.pending, waited.waited, waited.reads) == ([INVENTORY], 300, 9)


def test_the_default_timeout_is_600_s(clock):
    aws, stubber = stubbed_aws()
    for _ in range(14):  # at 0, 5, 15, 35, 75, 135, ..., 555 and 600 s
        expect_read(stubber, pending=True)
    with stubber:
        result = run(["status", "--wait", "--json"], aws)
    stubber.assert_no_pending_responses()
    assert sum(clock.sleeps) == DOCUMENTED_TIMEOUT
    assert clock.sleeps[:6] == DOCUMENTED_SCHEDULE
    assert result.exit_code == 1


@pytest.mark.parametrize(
    ("card", "expected"),
    [
        ({"option": "Pending"}, [INVENTORY]),
        ({"sync": "Pending"}, [f"{CONFIG} inventory_sync"]),
        ({"option": "Failed", "sync": "Success"}, []),
    ],
    ids=["option", "inventory-sync", "failed-is-settled"],
)
def test_every_kind_of_card_can_be_pending(card, expected):
    assert wait.pending_cards(statuses(**card)) == expected


# the time is over ------------------------------------------------------------------------------


def test_on_timeout_it_exits_1_and_names_the_cards_still_pending(clock):
    aws, stubber = stubbed_aws()
    for _ in range(3):  # at 0, 5 and 12 s
        expect_read(stubber, pending=True)
    with stubber:
        result = run(["status", "--wait", "--wait-timeout", "12", "--output", "text"], aws)
    stubber.assert_no_pending_responses()
    assert result.exit_code == 1
    assert clock.sleeps == [5, 7]
    assert result.stderr == (
        f"error: 1 card(s) still Pending after 12 s: {INVENTORY} (--wait-timeout waits longer)\n"
    )
    assert "Targets: 3 (2 Pending, 1 Success)" in result.stdout  # the last read's cards


def test_on_timeout_the_json_holds_the_last_cards(clock):
    aws, stubber = stubbed_aws()
    expect_read(stubber, pending=True)
    with stubber:
        result = run(["status", "--wait", "--wait-timeout", "0", "--json"], aws)
    assert result.exit_code == 1
    assert clock.sleeps == []
    [configuration] = cli_json.data(result.stdout)["configurations"].values()
    assert configuration["options"]["collect_inventory"]["status"] == "Pending"
    assert result.stderr.startswith("error: 1 card(s) still Pending after 0 s: ")


# progress ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("output", ["text", "json"])
def test_no_progress_without_a_terminal(clock, output):
    aws, stubber = stubbed_aws()
    expect_read(stubber, pending=True)
    expect_read(stubber, pending=False)
    with stubber:
        result = run(["status", "--wait", "--output", output], aws)
    assert result.exit_code == 0, result.output
    assert clock.sleeps == [5]
    assert result.stderr == ""


def terminal_output(quiet: bool) -> str:
    """What :func:`wait.wait_progress` writes to a terminal (a pseudo-terminal) for one call
    of its progress."""
    controller, terminal = pty.openpty()
    written = b""
    try:
        with os.fdopen(os.dup(terminal), "w") as stream:
            assert stream.isatty()
            with wait.wait_progress(600, quiet=quiet, stream=stream) as progress:
                progress([INVENTORY, f"{CONFIG} inventory_sync"], 35, 40)
                time.sleep(0.2)  # a refresh of the spinner's line
            stream.flush()
        while select.select([controller], [], [], 0.2)[0]:
            written += os.read(controller, 65536)
    finally:
        os.close(terminal)
        os.close(controller)
    return written.decode("utf-8", "replace")


def test_progress_shows_on_a_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # the progress line on one line
    shown = terminal_output(quiet=False)
    assert f"Waiting for 2 Pending card(s) ({INVENTORY}, {CONFIG} inventory_sync)" in shown
    assert "35 s of 600 s, next read in 40 s" in shown


def test_no_progress_on_a_terminal_with_json():
    assert terminal_output(quiet=True) == ""


# what cannot be waited for ----------------------------------------------------------------------


def one_line_error(result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    [line] = result.stderr.strip().splitlines()
    return line


def test_wait_timeout_needs_wait():
    result = CliRunner().invoke(
        main,
        ["status", "--wait-timeout", "30", "--region", REGION],
        env={"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y"},
    )
    assert one_line_error(result) == "error: --wait-timeout goes with --wait"


def test_wait_is_not_for_org():
    result = CliRunner().invoke(
        main,
        ["status", "--wait", "--org", "--region", REGION],
        env={"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y"},
    )
    assert one_line_error(result) == (
        "error: --wait reads the cards of this account and Region: not with --org"
    )


def test_a_negative_wait_timeout_is_a_usage_error():
    result = CliRunner().invoke(main, ["status", "--wait", "--wait-timeout", "-1"])
    assert result.exit_code == 2
    assert "--wait-timeout" in result.stderr


def test_wait_on_a_stack_that_does_not_exist_exits_2(clock):
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
        result = run(["status", "--wait", "--stack", "NoSuchStack"], aws)
    assert one_line_error(result).startswith("error: stack 'NoSuchStack' does not exist in ")
    assert clock.sleeps == []


def test_a_call_denied_while_waiting_exits_2(clock):
    aws, stubber = stubbed_aws()
    expect_read(stubber, pending=True)
    stubber.add_client_error(
        "list_associations", "AccessDeniedException", "not authorized", 400, expected_params={}
    )
    with stubber:
        result = run(["status", "--wait"], aws)
    assert one_line_error(result) == (
        f"error: AWS denied ListAssociations in {REGION} (account {ACCOUNT}): not authorized"
    )
    assert clock.sleeps == [5]
