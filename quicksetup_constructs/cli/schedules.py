"""An association schedule in words, and its next runs (UTC).

State Manager's expressions: ``rate(N unit)``; ``cron(...)`` with six fields (minutes, hours,
day-of-month, month, day-of-week, year; optionally led by a seconds field of 0), Quartz style:
``?`` in one day field, days of the week 1-7 = SUN-SAT, ``TUE#3``, ``6L``; ``at(...)`` for one
run; or none, for one run when the association is created. Every association also runs when it
is created, unless ``ApplyOnlyAtCronInterval`` is set (cron only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from .catalogue import rate_minutes

_RATE = re.compile(r"rate\((?P<n>\d+) (?P<unit>minute|minutes|hour|hours|day|days)\)")
_CRON = re.compile(r"cron\((?P<fields>[^()]+)\)")
_AT = re.compile(r"at\((?P<when>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)")
_DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_STEP_RANGES = {0: "0-59", 1: "0-23", 2: "1-31", 3: "1-12"}
_MAX_SEARCH_YEARS = 10


@dataclass(frozen=True)
class Schedule:
    """What a schedule means for people."""

    expression: str | None
    words: str
    next_runs: tuple[datetime, ...] = field(default=())
    """The next (up to) three runs, UTC; empty when they cannot be known offline."""
    runs_on_creation: bool = True
    """Runs once as soon as the association is created (or updated)."""


def describe_schedule(
    expression: str | None,
    *,
    now: datetime,
    apply_only_at_cron_interval: bool = False,
    count: int = 3,
) -> Schedule:
    """``expression`` in words and its next ``count`` runs after ``now``.

    For a rate, the first run is when the association is created; the runs listed assume it
    is created at ``now``.
    """
    now = now.astimezone(UTC)
    if expression is None:
        return Schedule(None, "runs once, when created", (now,), True)
    if match := _RATE.fullmatch(expression):
        minutes = rate_minutes(expression)
        if minutes is not None:
            step = timedelta(minutes=minutes)
            n, unit = int(match["n"]), match["unit"].rstrip("s")
            words = f"every {unit}" if n == 1 else f"every {n} {unit}s"
            return Schedule(expression, words, tuple(now + i * step for i in range(count)), True)
    if match := _CRON.fullmatch(expression):
        fields = match["fields"].split()
        if len(fields) == 7:
            fields = fields[1:]
        if len(fields) == 6:
            described = _cron_words(fields)
            runs = _cron_runs(fields, now, count)
            return Schedule(
                expression,
                f"{described} (UTC)" if described else expression,
                runs,
                not apply_only_at_cron_interval,
            )
    if match := _AT.fullmatch(expression):
        when = datetime.strptime(match["when"], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
        runs = (when,) if when > now else ()
        return Schedule(expression, f"once, at {when:%Y-%m-%d %H:%M} UTC", runs, False)
    return Schedule(expression, expression, (), True)


def _cron_words(fields: list[str]) -> str | None:
    try:
        from cron_descriptor import ExpressionDescriptor, Options

        options = Options()
        options.day_of_week_start_index_zero = False  # Quartz: 1-7 = SUN-SAT
        options.use_24hour_time_format = True
        return ExpressionDescriptor("0 " + " ".join(fields), options).get_description()
    except Exception:
        return None


def _cron_runs(fields: list[str], now: datetime, count: int) -> tuple[datetime, ...]:
    """The next runs, from croniter on the expression rewritten in Unix cron terms."""
    from croniter import croniter

    minutes, hours, day_of_month, month, day_of_week, year = fields
    unix = [
        _steps(minutes, 0),
        _steps(hours, 1),
        _steps(day_of_month.replace("?", "*"), 2),
        _steps(month, 3),
        _day_of_week(day_of_week),
    ]
    years = _years(year)
    try:
        iterator = croniter(" ".join(unix), now)
        runs: list[datetime] = []
        while len(runs) < count:
            run = iterator.get_next(datetime)
            if run.year > now.year + _MAX_SEARCH_YEARS or (years and run.year > max(years)):
                break
            if years is None or run.year in years:
                runs.append(run.astimezone(UTC))
        return tuple(runs)
    except (ValueError, KeyError, TypeError):
        return ()


def _steps(value: str, position: int) -> str:
    """``0/30`` (Quartz: from 0, every 30) becomes ``0-59/30``."""
    start, slash, step = value.partition("/")
    if slash and start.isdigit():
        _low, high = _STEP_RANGES[position].split("-")
        return f"{start}-{high}/{step}" if position < 4 else value
    return value


def _day_of_week(value: str) -> str:
    """Quartz days (1-7 = SUN-SAT, ``6L``, ``?``) in Unix terms (0-6, ``L5``, ``*``)."""
    if value == "?":
        return "*"

    def day(token: str) -> str:
        return str(int(token) - 1) if token.isdigit() else token

    if value.endswith("L") and len(value) > 1:
        token = value[:-1]
        index = _DAY_NAMES.index(token) if token in _DAY_NAMES else int(token) - 1
        return f"L{index}"
    if "#" in value:
        token, _, nth = value.partition("#")
        return f"{day(token)}#{nth}"
    return ",".join("-".join(day(part) for part in item.split("-")) for item in value.split(","))


def _years(value: str) -> set[int] | None:
    if value in ("*", "?"):
        return None
    years: set[int] = set()
    for item in value.split(","):
        low, _, high = item.partition("-")
        years.update(range(int(low), int(high or low) + 1))
    return years
