"""`quicksetup troubleshoot` reads the failed children of a runbook run with rate control side
by side: concurrent ``GetAutomationExecution`` calls, at most 8 at once (the API reads one
execution a call), and the output in the order the children were listed.

AWS is played over real HTTP on 127.0.0.1 by a State Manager endpoint written here on
tests/fake_aws.py's server: each child's ``GetAutomationExecution`` waits before its answer
(the later children less, so that they would finish first), and the endpoint counts the most
of those calls in flight.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from click.testing import CliRunner

from quicksetup_constructs.cli.catalogue import association_name
from quicksetup_constructs.cli.main import main
from quicksetup_constructs.options import OPTIONS_BY_KEY

from . import cli_json
from .fake_aws import _Handler, _serving, isolate_aws_environment

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret"}
REGION = "us-east-1"
CONFIG = "7a422481"
ASSOCIATION = "aaaaaaaa-0000-4000-8000-000000000001"
EXECUTION = "aaaaaaaa-0000-4000-8000-0000000000e1"
PARENT = "5c6d7e8f-0000-4000-8000-00000000a000"
RAN = 1767603600  # 2026-01-05 09:00 UTC
CHILDREN = 20
BOUND = 8
"""decisions.md, 30: "concurrent GetAutomationExecution calls, bounded (8)"."""
_JSON = "application/x-amz-json-1.1"


def child_id(index: int) -> str:
    return f"5c6d7e8f-0000-4000-8000-{index + 1:012x}"


def instance_id(index: int) -> str:
    return f"i-{index:017x}"


@dataclass
class FakeAutomation:
    """One failed association of the attach runbook, whose latest run failed in ``children``
    child executions; ``denied`` children's reads are refused."""

    children: int = CHILDREN
    latency: float = 0.03
    denied: set[int] = field(default_factory=set)
    url: str = ""
    child_reads: list[str] = field(default_factory=list)
    max_in_flight: int = 0
    _in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, action: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if action == "ListAssociations":
            return 200, {
                "Associations": [
                    {
                        "AssociationId": ASSOCIATION,
                        "AssociationName": association_name(
                            OPTIONS_BY_KEY["attach_instance_profile"], CONFIG
                        ),
                        "Name": "QuickSetupLocalSample-Attach-Z3X8QK2LPA1M",
                        "AssociationVersion": "1",
                        "Targets": [{"Key": "tag:Environment", "Values": ["production"]}],
                        "LastExecutionDate": RAN,
                        "Overview": {
                            "Status": "Failed",
                            "DetailedStatus": "Failed",
                            "AssociationStatusAggregatedCount": {"Failed": self.children},
                        },
                    }
                ]
            }
        if action == "DescribeAssociationExecutions":
            return 200, {
                "AssociationExecutions": [
                    {
                        "AssociationId": ASSOCIATION,
                        "AssociationVersion": "1",
                        "ExecutionId": EXECUTION,
                        "Status": "Failed",
                        "DetailedStatus": "Failed",
                        "CreatedTime": RAN,
                        "ResourceCountByStatus": f"{{Failed={self.children}}}",
                    }
                ]
            }
        if action == "DescribeAssociationExecutionTargets":
            return 200, {
                "AssociationExecutionTargets": [
                    {
                        "AssociationId": ASSOCIATION,
                        "AssociationVersion": "1",
                        "ExecutionId": EXECUTION,
                        "ResourceId": PARENT,
                        "ResourceType": "AutomationExecution",
                        "Status": "Failed",
                        "DetailedStatus": "Failed",
                        "LastExecutionDate": RAN,
                    }
                ]
            }
        if action == "DescribeAutomationExecutions":
            return 200, {
                "AutomationExecutionMetadataList": [
                    {
                        "AutomationExecutionId": child_id(index),
                        "AutomationExecutionStatus": "Failed",
                        "ParentAutomationExecutionId": PARENT,
                        "Target": instance_id(index),
                    }
                    for index in range(self.children)
                ]
            }
        if action == "GetAutomationExecution":
            return self._automation(params.get("AutomationExecutionId", ""))
        return 400, {"__type": "InvalidAction", "message": f"the fake does not answer {action}"}

    def _automation(self, execution_id: str) -> tuple[int, dict[str, Any]]:
        if execution_id == PARENT:
            return 200, {
                "AutomationExecution": {
                    "AutomationExecutionId": PARENT,
                    "AutomationExecutionStatus": "Failed",
                    "DocumentName": "QuickSetupLocalSample-Attach-Z3X8QK2LPA1M",
                    "TargetParameterName": "InstanceId",
                    "StepExecutions": [],
                }
            }
        index = next(i for i in range(self.children) if child_id(i) == execution_id)
        with self._lock:
            self.child_reads.append(execution_id)
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            # the later a child is listed, the sooner it is answered
            time.sleep(self.latency * (self.children - index) / self.children)
        finally:
            with self._lock:
                self._in_flight -= 1
        if index in self.denied:
            return 400, {
                "__type": "AccessDeniedException",
                "message": (
                    "User: arn:aws:iam::111122223333:user/operator is not authorized to perform: "
                    "ssm:GetAutomationExecution"
                ),
            }
        return 200, {
            "AutomationExecution": {
                "AutomationExecutionId": execution_id,
                "AutomationExecutionStatus": "Failed",
                "TargetParameterName": "InstanceId",
                "Parameters": {"InstanceId": [instance_id(index)]},
                "StepExecutions": [
                    {
                        "StepName": "AttachProfileIfMissing",
                        "Action": "aws:executeScript",
                        "StepStatus": "Failed",
                        "FailureMessage": f"failure number {index}",
                    }
                ],
            }
        }


@contextmanager
def fake_automation(fake: FakeAutomation) -> Iterator[FakeAutomation]:
    class Handler(_Handler):
        def do_POST(self) -> None:  # the http.server API
            length = int(self.headers.get("Content-Length") or 0)
            text = self.rfile.read(length).decode("utf-8", "replace")
            action = self.headers.get("X-Amz-Target", "").rsplit(".", 1)[-1]
            status, body = fake.answer(action, json.loads(text or "{}"))
            self._send(status, json.dumps(body).encode(), _JSON)

    with _serving(Handler) as fake.url:
        yield fake


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    isolate_aws_environment(monkeypatch, tmp_path)


def troubleshoot(fake: FakeAutomation, *args: str):
    return CliRunner(env=CREDENTIALS).invoke(
        main,
        [
            "troubleshoot",
            "--region",
            REGION,
            "--endpoint-url",
            fake.url,
            *args,
        ],
    )


def groups(stdout: str) -> list[dict[str, Any]]:
    [configuration] = cli_json.data(stdout)["configurations"].values()
    return configuration["failed"]["attach_instance_profile"]["groups"]


def test_failed_children_are_read_at_most_8_at_once():
    with fake_automation(FakeAutomation()) as fake:
        result = troubleshoot(fake, "--json")
    assert result.exit_code == 1, result.output  # findings: the runbook failed
    assert sorted(fake.child_reads) == sorted(child_id(index) for index in range(CHILDREN))
    assert fake.max_in_flight <= BOUND
    assert fake.max_in_flight > 1, "the children are read side by side"


def test_failed_children_keep_the_order_they_were_listed_in():
    with fake_automation(FakeAutomation()) as fake:
        result = troubleshoot(fake, "--json", "--max-targets", "1")
    # each child failed its own way: a group each, in the order the children were listed
    # (the largest group first, then in the order met), not in the order they were answered
    found = groups(result.stdout)
    assert [group["instance_ids"] for group in found] == [
        [instance_id(index)] for index in range(CHILDREN)
    ]
    assert [group["signature"]["first_line"] for group in found] == [
        f"failure number {index}" for index in range(CHILDREN)
    ]


def test_failed_children_for_people_are_in_the_listed_order():
    with fake_automation(FakeAutomation(children=10)) as fake:
        result = troubleshoot(fake, "--output", "text")
    assert result.exit_code == 1, result.output
    shown = [int(number) for number in re.findall(r"failure number (\d+)", result.stdout)]
    assert shown == list(range(10))


def test_a_denied_child_read_is_one_line_and_exit_2():
    with fake_automation(FakeAutomation(denied={13})) as fake:
        result = troubleshoot(fake)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: AWS denied GetAutomationExecution in {REGION}: ")
    assert "ssm:GetAutomationExecution" in line
