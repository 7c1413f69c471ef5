"""QuickSetupOrganization(explorer_role_name=...): an existing role in every target account
runs ``AWS-EnableExplorer``; no ``QuickSetup-Explorer-<id>`` role is created."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest

from quicksetup_constructs import QuickSetupOrganization
from quicksetup_constructs.errors import QuickSetupValidationError
from quicksetup_constructs.rendering.roles import NAMED_IAM_METADATA

from .apps import joined, new_app
from .support import inner_nag_report, lint_findings, unacknowledged

ROLE = "MyExplorerRole"
ID = "0e0e0e0e"


def organization(**props: Any) -> QuickSetupOrganization:
    stack = cdk.Stack(
        new_app(), "Org", env=cdk.Environment(account="111111111111", region="us-east-1")
    )
    return QuickSetupOrganization(
        stack,
        "Org",
        organizational_unit_ids=["ou-abcd-11112222"],
        regions=["us-east-1"],
        account_count=2,
        configuration_id=ID,
        **props,
    )


@pytest.fixture(scope="module")
def named() -> QuickSetupOrganization:
    return organization(explorer_role_name=ROLE)


def _explorer_association(construct: QuickSetupOrganization) -> dict[str, Any]:
    (found,) = [
        r["Properties"]
        for r in construct.regional_template["Resources"].values()
        if r["Type"] == "AWS::SSM::Association"
        and r["Properties"]["AssociationName"].startswith("QuickSetup-EnableExplorer-")
    ]
    return found


def _role_names(construct: QuickSetupOrganization) -> list[str]:
    return [
        r["Properties"].get("RoleName")
        for r in construct.account_template["Resources"].values()
        if r["Type"] == "AWS::IAM::Role"
    ]


def test_no_explorer_role_is_created(named: QuickSetupOrganization) -> None:
    assert ROLE not in _role_names(named)
    assert "AWSSystemsManagerEnableExplorerExecutionPolicy" not in json.dumps(
        named.account_template
    )


def test_the_automation_runs_under_the_named_role(named: QuickSetupOrganization) -> None:
    (role,) = _explorer_association(named)["Parameters"]["AutomationAssumeRole"]
    assert joined(role).endswith(f":iam::${{AWS::AccountId}}:role/{ROLE}")


def test_the_name_is_exposed(named: QuickSetupOrganization) -> None:
    assert named.explorer_role_name == ROLE


def test_the_role_is_recorded_for_preflight(named: QuickSetupOrganization) -> None:
    (entry,) = [m for m in named.node.metadata if m.type == NAMED_IAM_METADATA]
    assert entry.data["kind"] == "organization"
    assert entry.data["roles"] == [
        {
            "prop": "explorer_role_name",
            "name": ROLE,
            "policies": ["AWSSystemsManagerEnableExplorerExecutionPolicy"],
        }
    ]


def test_without_the_prop_the_role_is_created() -> None:
    construct = organization()
    assert f"QuickSetup-Explorer-{ID}" in _role_names(construct)
    assert not [m for m in construct.node.metadata if m.type == NAMED_IAM_METADATA]


@pytest.mark.parametrize("name", ["", "a" * 65, "path/role", "my role"])
def test_fails_when_the_name_is_not_a_role_name(name: str) -> None:
    with pytest.raises(QuickSetupValidationError) as raised:
        organization(explorer_role_name=name)
    assert "explorer_role_name" in str(raised.value) and "1-64" in str(raised.value)


def test_fails_when_given_without_enable_explorer() -> None:
    with pytest.raises(QuickSetupValidationError) as raised:
        organization(explorer_role_name=ROLE, enable_explorer=False)
    assert "explorer_role_name" in str(raised.value)
    assert "enable_explorer=True" in str(raised.value)


def test_cfn_lint_finds_nothing_in_either_template(named: QuickSetupOrganization) -> None:
    assert lint_findings(named.account_template) == []
    assert lint_findings(named.regional_template) == []


def test_cdk_nag_finds_nothing_in_the_stack_set_templates() -> None:
    assert unacknowledged(inner_nag_report(organization(explorer_role_name=ROLE))) == []
