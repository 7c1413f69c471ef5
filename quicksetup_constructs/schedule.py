"""State Manager's rules for association schedules, checked at synth time.

cfn-lint does not check ``ScheduleExpression``; State Manager rejects a bad one only at
deploy time, after the rest of the stack was created. The rules (AWS Systems Manager user
guide, "Reference: Cron and rate expressions"):

- ``rate(N unit)``: unit ``minute(s)``, ``hour(s)`` or ``day(s)``, singular exactly when N is 1;
  the interval is at least 30 minutes and less than 31 days.
- ``cron(fields)``: minutes, hours, day-of-month, month, day-of-week and year, optionally led by
  a seconds field that must be ``0``. Exactly one of day-of-month and day-of-week is ``?``;
  associations cannot name months, so the month is ``*`` (or ``1/1``); minutes is one minute of
  the hour, or every 30 minutes (``0/30``).
- ``at(yyyy-mm-ddThh:mm:ss)``: one run at that UTC time.
"""

from __future__ import annotations

import re
from datetime import datetime

from .errors import QuickSetupValidationError
from .validation import check_type, is_unresolved

ALLOWED = (
    "rate(N minutes|hours|days) from 30 minutes to 30 days (singular unit when N is 1), "
    "cron(min hour day-of-month * day-of-week year) with one of the day fields '?', "
    "or at(yyyy-mm-ddThh:mm:ss)"
)

_RATE = re.compile(r"rate\((?P<n>[1-9][0-9]*) (?P<unit>minute|minutes|hour|hours|day|days)\)")
_MINUTES_PER_UNIT = {"minute": 1, "hour": 60, "day": 24 * 60}
_MIN_RATE_MINUTES = 30
_MAX_RATE_MINUTES_EXCLUSIVE = 31 * 24 * 60

_CRON = re.compile(r"cron\((?P<fields>[^()]+)\)")
_AT = re.compile(r"at\((?P<when>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)")

_NUMBER_LIST = r"\d{1,2}(?:-\d{1,2})?(?:,\d{1,2}(?:-\d{1,2})?)*"
_DAY_NAME = r"(?:SUN|MON|TUE|WED|THU|FRI|SAT|[1-7])"
_CRON_FIELDS = {
    "minutes": re.compile(r"[0-5]?\d|(?:[0-2]?\d|\*)/30"),
    "hours": re.compile(rf"\*|{_NUMBER_LIST}|(?:\d{{1,2}}|\*)/(?:1|2|4|8|12)"),
    "day-of-month": re.compile(rf"\?|\*|L|{_NUMBER_LIST}|\d{{1,2}}L?"),
    "month": re.compile(r"\*|1/1"),
    "day-of-week": re.compile(
        rf"\?|\*|{_DAY_NAME}(?:-{_DAY_NAME})?(?:,{_DAY_NAME}(?:-{_DAY_NAME})?)*|{_DAY_NAME}#[1-5]|{_DAY_NAME}L"
    ),
    "year": re.compile(r"\*|\d{4}(?:-\d{4})?"),
}


def validate_schedule(prop: str, expression: object) -> None:
    """Raise :class:`QuickSetupValidationError` unless ``expression`` is a schedule State
    Manager accepts for an association. Tokens are not checked."""
    check_type(prop, expression, str, ALLOWED)
    assert isinstance(expression, str)
    if is_unresolved(expression):
        return
    if expression.startswith("rate("):
        _validate_rate(prop, expression)
    elif expression.startswith("cron("):
        _validate_cron(prop, expression)
    elif expression.startswith("at("):
        _validate_at(prop, expression)
    else:
        raise QuickSetupValidationError(prop, expression, ALLOWED)


def rate_minutes(expression: str) -> int | None:
    """The interval of a ``rate(...)`` expression in minutes, or None for other expressions."""
    match = _RATE.fullmatch(expression)
    if match is None:
        return None
    unit = match["unit"].rstrip("s")
    return int(match["n"]) * _MINUTES_PER_UNIT[unit]


def _validate_rate(prop: str, expression: str) -> None:
    match = _RATE.fullmatch(expression)
    if match is None:
        raise QuickSetupValidationError(prop, expression, ALLOWED)
    singular = not match["unit"].endswith("s")
    if singular != (match["n"] == "1"):
        raise QuickSetupValidationError(
            prop, expression, "a singular unit exactly when N is 1, e.g. rate(1 day), rate(2 days)"
        )
    minutes = rate_minutes(expression)
    assert minutes is not None
    if not _MIN_RATE_MINUTES <= minutes < _MAX_RATE_MINUTES_EXCLUSIVE:
        raise QuickSetupValidationError(
            prop, expression, "a rate of at least 30 minutes and less than 31 days"
        )


def _validate_cron(prop: str, expression: str) -> None:
    match = _CRON.fullmatch(expression)
    fields = match["fields"].split() if match else []
    if len(fields) == 7:
        seconds, *fields = fields
        if seconds != "0":
            raise QuickSetupValidationError(prop, expression, "a seconds field of 0, or none")
    if len(fields) != 6:
        raise QuickSetupValidationError(prop, expression, ALLOWED)
    for (name, pattern), value in zip(_CRON_FIELDS.items(), fields, strict=True):
        if not pattern.fullmatch(value):
            raise QuickSetupValidationError(
                prop, expression, f"a valid {name} field (got {value!r}); {ALLOWED}"
            )
    day_of_month, day_of_week = fields[2], fields[4]
    if (day_of_month == "?") == (day_of_week == "?"):
        raise QuickSetupValidationError(
            prop, expression, "'?' in exactly one of day-of-month and day-of-week"
        )


def _validate_at(prop: str, expression: str) -> None:
    match = _AT.fullmatch(expression)
    try:
        if match is None:
            raise ValueError
        datetime.strptime(match["when"], "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        raise QuickSetupValidationError(prop, expression, ALLOWED) from None
