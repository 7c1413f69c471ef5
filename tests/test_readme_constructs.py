"""What the README says about the constructs, checked against the sources it rests on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

# The guides: every page of docs/, each opening with its title (which ends a section).
README = "\n".join(
    page.read_text(encoding="utf-8")
    for page in sorted((Path(__file__).parent.parent / "docs").glob("*.md"))
)


def _section(title: str) -> str:
    """The text of the README section ``title`` (any heading level), up to the next heading of
    the same or a higher level."""
    match = re.search(rf"^(#+) {re.escape(title)}\n", README, re.MULTILINE)
    assert match, title
    level = len(match.group(1))
    rest = README[match.end() :]
    end = re.search(rf"^#{{1,{level}}} ", rest, re.MULTILINE)
    return " ".join((rest[: end.start()] if end else rest).split())


def test_what_stays_after_removal_is_said():
    text = _section("What stays after removal")
    assert "Explorer stays enabled" in text
    assert "The CloudWatch agent stays installed and keeps running" in text
    assert "which CloudWatch bills" in text
    assert "Inventory and compliance data stay" in text


def test_the_ssm_agent_prerequisite_is_said_with_the_guides_example():
    # Seed guide (Quick Setup, 2020): 「SSM エージェント は、Amazon Linux または Amazon Linux 2 に
    # 基づくすべての AMI にインストールされるわけではありません。たとえば、SSM エージェント は、
    # Amazon Linux 2 に基づく EKS に最適化された AMI にはプリインストールされません。」
    text = _section("Prerequisites on the instances")
    assert "SSM Agent must be installed and running" in text
    assert "never appears as a managed node" in text
    assert "EKS-optimized AMIs based on Amazon Linux 2" in text


def test_inventory_may_take_ten_minutes_is_said():
    # Seed guide: 「[Inventory collection (インベントリ収集)] オプションは、数個のインスタンスのみを
    # 選択した場合でも、完了までに最大 10 分かかることがあります。」
    assert "can take up to 10 minutes to complete, even for a few instances" in _section(
        "Prerequisites on the instances"
    )


@pytest.mark.parametrize(
    "phrase",
    [
        # Decided: the service role is described as the runbook's calls, the rest as parity.
        "allows what our runbook calls",
        "which our runbook never calls, are kept for parity",
        # allow_policy_attach attaches a subset of what AWS's managed policy may attach.
        "These are a subset of the policies AWS's "
        "`AWSQuickSetupManagedInstanceProfileExecutionPolicy`",
    ],
)
def test_the_service_role_and_allow_policy_attach_are_described_truly(phrase):
    assert phrase in " ".join(README.split())


def test_the_readme_no_longer_promises_that_only_the_earlier_inventory_fails():
    for title in (
        "Editing and removal: unlike the console",
        "Conflicts between configurations, found at synth time",
    ):
        text = _section(title)
        assert "the one created earlier fails" not in text
        assert "one created **earlier** fails" not in text
    assert (
        "Multiple apply all associations with document 'AWS-GatherSoftwareInventory' are not "
        "supported" in _section("Conflicts between configurations, found at synth time")
    )
