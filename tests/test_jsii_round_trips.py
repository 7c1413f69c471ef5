"""A guard on the construct's cost that is not a timed test: the number of jsii round trips
(each a JSON message to the Node.js kernel and back) that building a configuration makes is
deterministic, and must not grow past the budgets written here. Lower a budget when the code
gets cheaper; raise one only with a reason in the commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest
from jsii._kernel.providers import process

from quicksetup_constructs import InstanceTargets, QuickSetupLocal, QuickSetupOrganization

from .apps import new_app

EVERY_OPTION = dict(
    update_ec2_launch_agent=True,
    install_cloudwatch_agent=True,
    update_cloudwatch_agent=True,
    allow_policy_attach=True,
)
FIRST_CONFIGURATION_BUDGET = 54
"""One QuickSetupLocal with every option on, in a new stack: its roles, documents and
cdk-nag acknowledgements included (136 before the round trips were first cut, then 96 before
the acknowledgements were batched, the managed policies passed to the roles and the automation
policy's statements parsed as one document; the hand-written twin in bench/, which acknowledges
nothing, makes 61 in a new process, where this one makes 60)."""
FURTHER_CONFIGURATION_BUDGET = 6
"""Each further tag-targeted configuration with the default options in the same stack: its
four associations, its construct and the check that its id is free (18.5 before)."""
ORGANIZATION_BUDGET = 75
"""One QuickSetupOrganization with every option on (two OUs, two Regions, a given account
count): its two StackSet templates built and synthesized in their own app included (123 before
the cuts that brought the local configuration from 96 to 54; 74 before the StackSets' app read
the feature flags of the user's app, one round trip)."""


def _round_trips(build: Callable[[], Any], monkeypatch: pytest.MonkeyPatch) -> int:
    calls = 0
    send = process._NodeProcess.send

    def counting(self, request, response_type):
        nonlocal calls
        calls += 1
        return send(self, request, response_type)

    with monkeypatch.context() as patch:
        patch.setattr(process._NodeProcess, "send", counting)
        build()
    return calls


@pytest.fixture(autouse=True)
def warm() -> None:
    """Once-per-process costs (the CDK's modules, cached tokens) are paid before counting."""
    QuickSetupLocal(cdk.Stack(new_app(), "Warm"), "QuickSetup", **EVERY_OPTION)


def test_one_configuration_stays_within_its_round_trip_budget(monkeypatch):
    stack = cdk.Stack(new_app(), "Stack")
    calls = _round_trips(lambda: QuickSetupLocal(stack, "QuickSetup", **EVERY_OPTION), monkeypatch)
    assert calls <= FIRST_CONFIGURATION_BUDGET


def test_each_further_configuration_stays_within_its_round_trip_budget(monkeypatch):
    stack = cdk.Stack(new_app(), "Stack")
    QuickSetupLocal(stack, "First", targets=InstanceTargets.tag("Team", "first"))
    counts = [
        _round_trips(
            lambda index=index: QuickSetupLocal(
                stack, f"Team{index}", targets=InstanceTargets.tag("Team", str(index))
            ),
            monkeypatch,
        )
        for index in range(5)
    ]
    assert max(counts) <= FURTHER_CONFIGURATION_BUDGET, counts
    assert len(set(counts)) == 1, counts  # deterministic: the same work for each


def test_one_organization_stays_within_its_round_trip_budget(monkeypatch):
    stack = cdk.Stack(new_app(), "Stack")
    calls = _round_trips(
        lambda: QuickSetupOrganization(
            stack,
            "OrgQuickSetup",
            organizational_unit_ids=["ou-abcd-11112222", "ou-abcd-33334444"],
            regions=["us-east-1", "ap-northeast-1"],
            account_count=40,
            **EVERY_OPTION,
        ),
        monkeypatch,
    )
    assert calls <= ORGANIZATION_BUDGET, calls
