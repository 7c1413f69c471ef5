"""The pieces `quicksetup plan` is built from: schedules in words and their next runs, rollout
waves, association names, and templates inside a StackSet's TemplateBody."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from quicksetup_constructs.cli.catalogue import match_association, match_associations
from quicksetup_constructs.cli.intrinsics import as_text
from quicksetup_constructs.cli.rollout import plan_rollout
from quicksetup_constructs.cli.schedules import describe_schedule
from quicksetup_constructs.cli.templates import parse_template

NOW = datetime(2026, 1, 1, 12, 34, tzinfo=UTC)  # a Thursday


def runs(expression: str | None) -> list[str]:
    return [f"{run:%a %Y-%m-%d %H:%M}" for run in describe_schedule(expression, now=NOW).next_runs]


@pytest.mark.parametrize(
    ("expression", "words", "expected"),
    [
        (
            "cron(0 3 ? * SUN *)",
            "At 03:00, only on Sunday (UTC)",
            ["Sun 2026-01-04 03:00", "Sun 2026-01-11 03:00", "Sun 2026-01-18 03:00"],
        ),
        (
            "cron(0 0 2 ? * 2 *)",
            "At 02:00, only on Monday (UTC)",  # seconds field; 2 is Monday
            ["Mon 2026-01-05 02:00", "Mon 2026-01-12 02:00", "Mon 2026-01-19 02:00"],
        ),
        (
            "cron(0/30 * ? * * *)",
            "Every 30 minutes (UTC)",
            ["Thu 2026-01-01 13:00", "Thu 2026-01-01 13:30", "Thu 2026-01-01 14:00"],
        ),
        (
            "cron(0 2 ? * 6L *)",
            "At 02:00, on the last Friday of the month (UTC)",
            ["Fri 2026-01-30 02:00", "Fri 2026-02-27 02:00", "Fri 2026-03-27 02:00"],
        ),
        (
            "cron(0 2 ? * TUE#3 *)",
            "At 02:00, on the third Tuesday of the month (UTC)",
            ["Tue 2026-01-20 02:00", "Tue 2026-02-17 02:00", "Tue 2026-03-17 02:00"],
        ),
        (
            "cron(0 2 L * ? *)",
            "At 02:00, on the last day of the month (UTC)",
            ["Sat 2026-01-31 02:00", "Sat 2026-02-28 02:00", "Tue 2026-03-31 02:00"],
        ),
        (
            "cron(30 2 ? * MON-FRI 2027)",
            "At 02:30, Monday through Friday, only in 2027 (UTC)",
            ["Fri 2027-01-01 02:30", "Mon 2027-01-04 02:30", "Tue 2027-01-05 02:30"],
        ),
    ],
)
def test_aws_cron_in_words_and_next_runs(expression, words, expected):
    assert describe_schedule(expression, now=NOW).words == words
    assert runs(expression) == expected


@pytest.mark.parametrize(
    ("expression", "words", "expected"),
    [
        (
            "rate(30 minutes)",
            "every 30 minutes",
            ["Thu 2026-01-01 12:34", "Thu 2026-01-01 13:04", "Thu 2026-01-01 13:34"],
        ),
        (
            "rate(1 day)",
            "every day",
            ["Thu 2026-01-01 12:34", "Fri 2026-01-02 12:34", "Sat 2026-01-03 12:34"],
        ),
        (
            "rate(2 hours)",
            "every 2 hours",
            ["Thu 2026-01-01 12:34", "Thu 2026-01-01 14:34", "Thu 2026-01-01 16:34"],
        ),
        (None, "runs once, when created", ["Thu 2026-01-01 12:34"]),
        ("at(2026-05-01T10:00:00)", "once, at 2026-05-01 10:00 UTC", ["Fri 2026-05-01 10:00"]),
        ("at(2025-05-01T10:00:00)", "once, at 2025-05-01 10:00 UTC", []),
    ],
)
def test_rate_once_and_at_schedules(expression, words, expected):
    assert describe_schedule(expression, now=NOW).words == words
    assert runs(expression) == expected


def test_cron_applied_only_at_its_interval_does_not_run_on_creation():
    assert describe_schedule("cron(0 3 ? * SUN *)", now=NOW).runs_on_creation
    assert not describe_schedule(
        "cron(0 3 ? * SUN *)", now=NOW, apply_only_at_cron_interval=True
    ).runs_on_creation


def test_rollout_without_preferences_is_one_account_at_a_time_region_after_region():
    rollout = plan_rollout({}, accounts=3, regions=2)
    assert (rollout.concurrent_accounts, rollout.failure_tolerance) == (1, 0)
    assert (rollout.parallel_regions, rollout.waves_per_region, rollout.waves) == (False, 3, 6)


def test_rollout_percentages_round_down_but_never_to_zero_accounts():
    rollout = plan_rollout(
        {
            "MaxConcurrentPercentage": 10,
            "FailureTolerancePercentage": 10,
            "ConcurrencyMode": "SOFT_FAILURE_TOLERANCE",
            "RegionConcurrencyType": "PARALLEL",
        },
        accounts=5,
        regions=3,
    )
    assert (rollout.concurrent_accounts, rollout.failure_tolerance, rollout.waves) == (1, 0, 5)


def test_strict_failure_tolerance_caps_concurrency_at_tolerance_plus_one():
    preferences = {"MaxConcurrentCount": 10, "FailureToleranceCount": 2}
    assert plan_rollout(preferences, accounts=30, regions=1).concurrent_accounts == 3
    soft = preferences | {"ConcurrencyMode": "SOFT_FAILURE_TOLERANCE"}
    assert plan_rollout(soft, accounts=30, regions=1).concurrent_accounts == 10
    assert plan_rollout(soft, accounts=30, regions=2).waves == 6


def test_association_names_split_into_option_and_configuration():
    match = match_association("QuickSetup-UpdateCloudWatchAgent-prod-eu-1")
    assert (match.key, match.configuration_id) == ("update_cloudwatch_agent", "prod-eu-1")
    assert match_association("AWS-QuickSetup-SSMHostMgmt-UpdateSSMAgent-qm255") is None
    assert match_association("QuickSetup-") is None
    matches = match_associations(
        [
            "QuickSetup-ScanForPatches-prod-eu-1",
            "QuickSetup-PatchNow-prod-eu-1",
            "nightly",
        ]
    )
    assert set(matches) == {"QuickSetup-ScanForPatches-prod-eu-1", "QuickSetup-PatchNow-prod-eu-1"}
    unknown = matches["QuickSetup-PatchNow-prod-eu-1"]
    assert (unknown.option, unknown.configuration_id) == (None, "prod-eu-1")


def test_stack_set_template_bodies_are_read_like_any_template():
    inner = {
        "Resources": {
            "Doc": {
                "Type": "AWS::SSM::Document",
                "Properties": {
                    "DocumentType": "Automation",
                    "Content": {"mainSteps": [{"name": "Attach", "action": "aws:executeScript"}]},
                },
            },
            "Assoc": {
                "Type": "AWS::SSM::Association",
                "Properties": {
                    "AssociationName": "QuickSetup-AttachInstanceProfile-x1",
                    "Name": {"Ref": "Doc"},
                    "Parameters": {
                        "AutomationAssumeRole": [
                            {
                                "Fn::Join": [
                                    "",
                                    [
                                        "arn:",
                                        {"Ref": "AWS::Partition"},
                                        ":iam::",
                                        {"Ref": "AWS::AccountId"},
                                        ":role/QuickSetup-Automation-x1",
                                    ],
                                ]
                            }
                        ]
                    },
                    "Targets": [{"Key": "ParameterValues", "Values": ["i-0123456789abcdef0"]}],
                },
            },
        }
    }
    template = parse_template(
        {
            "Resources": {
                "Set": {
                    "Type": "AWS::CloudFormation::StackSet",
                    "Properties": {
                        "StackSetName": "QuickSetup-x1-Associations",
                        "TemplateBody": json.dumps(inner),
                        "StackInstancesGroup": [
                            {
                                "DeploymentTargets": {"OrganizationalUnitIds": ["ou-a"]},
                                "Regions": ["eu-west-1"],
                            },
                            {
                                "DeploymentTargets": {"OrganizationalUnitIds": ["ou-b"]},
                                "Regions": ["eu-west-1", "eu-west-2"],
                            },
                        ],
                    },
                }
            }
        }
    )
    [stack_set] = template.stack_sets
    assert stack_set.organizational_unit_ids == ["ou-a", "ou-b"]
    assert stack_set.regions == ["eu-west-1", "eu-west-2"]
    [association] = stack_set.template.associations
    assert association.document_type == "Automation"
    assert association.document_resource.steps == (("Attach", "aws:executeScript"),)
    assert association.parameters["AutomationAssumeRole"] == [
        "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/QuickSetup-Automation-x1"
    ]
    assert association.describe_targets() == "instances i-0123456789abcdef0"
    assert association.schedule is None


def test_template_values_read_like_cdk_tokens():
    assert as_text({"Fn::GetAtt": ["Role", "Arn"]}) == "${Role.Arn}"
    assert as_text({"Fn::GetAtt": "Role.Arn"}) == "${Role.Arn}"
    assert as_text({"Ref": "Profile"}) == "${Profile}"
    assert as_text({"Fn::Sub": "arn:${AWS::Partition}:x"}) == "arn:${AWS::Partition}:x"
    assert as_text(True) == "true"
