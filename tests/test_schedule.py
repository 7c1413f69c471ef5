import pytest

from quicksetup_constructs import QuickSetupValidationError
from quicksetup_constructs.schedule import rate_minutes, validate_schedule

VALID = [
    "rate(30 minutes)",
    "rate(1 hour)",
    "rate(12 hours)",
    "rate(1 day)",
    "rate(30 days)",
    "cron(0 2 ? * SUN *)",
    "cron(0 0 ? * THU#2 *)",
    "cron(0/30 * * * ? *)",
    "cron(0 0/30 * * * ? *)",
    "cron(15 */4 * * ? *)",
    "cron(0 3 L * ? *)",
    "cron(30 23 ? * MON-FRI *)",
    "at(2027-01-31T09:30:00)",
]

INVALID = [
    ("every day", "allowed: rate(N"),
    ("rate(29 minutes)", "at least 30 minutes"),
    ("rate(31 days)", "less than 31 days"),
    ("rate(1 days)", "singular unit exactly when N is 1"),
    ("rate(2 day)", "singular unit exactly when N is 1"),
    ("rate(0 days)", "allowed: rate(N"),
    ("rate(1 week)", "allowed: rate(N"),
    ("cron(0 2 * * SUN *)", "'?' in exactly one"),
    ("cron(0 2 ? * ? *)", "'?' in exactly one"),
    ("cron(0 2 ? 3 SUN *)", "month"),
    ("cron(*/5 * * * ? *)", "minutes"),
    ("cron(0 2 ? * SUN)", "allowed: rate(N"),
    ("cron(5 0 2 ? * SUN *)", "seconds field of 0"),
    ("at(2027-02-30T09:30:00)", "allowed: rate(N"),
    ("", "allowed: rate(N"),
]


@pytest.mark.parametrize("expression", VALID)
def test_accepts_state_manager_schedules(expression):
    validate_schedule("schedules['x']", expression)


@pytest.mark.parametrize(("expression", "reason"), INVALID)
def test_fails_when_schedule_breaks_state_manager_rules(expression, reason):
    with pytest.raises(QuickSetupValidationError) as raised:
        validate_schedule("schedules['scan_for_patches']", expression)
    message = str(raised.value)
    assert message.startswith("schedules['scan_for_patches']: ")
    assert repr(expression) in message
    assert reason in message


def test_fails_when_schedule_is_not_a_string():
    with pytest.raises(QuickSetupValidationError, match=r"^schedules\['x'\]: 14"):
        validate_schedule("schedules['x']", 14)


@pytest.mark.parametrize(
    ("expression", "minutes"),
    [
        ("rate(30 minutes)", 30),
        ("rate(1 hour)", 60),
        ("rate(14 days)", 20160),
        ("cron(0 2 ? * SUN *)", None),
    ],
)
def test_rate_minutes(expression, minutes):
    assert rate_minutes(expression) == minutes
