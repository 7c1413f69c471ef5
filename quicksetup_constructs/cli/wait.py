"""``quicksetup status --wait``: the cards read again, with backoff, until none is Pending
(the console's refresh, until the results page settles), or until ``--wait-timeout``.

The clock and the sleep are a :class:`Clock`, so that the schedule can be followed without
waiting for it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TextIO

from .printable import printable
from .status import PENDING, ConfigurationStatus

FIRST_DELAY_SECONDS = 5
"""The wait after the first read; each next wait is twice the last, up to the most."""
MOST_DELAY_SECONDS = 60
"""The longest wait between two reads."""
DEFAULT_TIMEOUT_SECONDS = 600
"""How long ``--wait`` waits by default (``--wait-timeout``)."""
NAMED_CARDS = 3
"""Pending cards named in the progress line; the others are counted."""


@dataclass(frozen=True)
class Clock:
    """Where the time comes from: seconds that only go forward, and a sleep."""

    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


CLOCK = Clock()
"""The clock ``status --wait`` uses."""

Progress = Callable[[list[str], float, float], None]
"""Called with the cards still Pending, the seconds waited so far and the next wait."""


@dataclass(frozen=True)
class Waited:
    """The cards of the last read, and the ones still Pending in it (empty: settled)."""

    statuses: list[ConfigurationStatus]
    pending: list[str]
    """``<configuration id> <card key>`` of each card still Pending."""
    waited: float
    """Seconds from the first read to the last."""
    reads: int


def pending_cards(statuses: list[ConfigurationStatus]) -> list[str]:
    """``<configuration id> <card key>`` of every Pending card: options and settings."""
    found: list[str] = []
    for status in statuses:
        cards: list[Any] = [
            *status.options,
            status.host_management,
            status.inventory_sync,
            getattr(status, "managed_instances", None),
        ]
        found.extend(
            f"{status.configuration_id} {card.key}"
            for card in cards
            if card is not None and card.status == PENDING
        )
    return found


def delays() -> Iterator[float]:
    """The waits between reads: :data:`FIRST_DELAY_SECONDS`, doubled each time, up to
    :data:`MOST_DELAY_SECONDS`."""
    delay = FIRST_DELAY_SECONDS
    while True:
        yield delay
        delay = min(delay * 2, MOST_DELAY_SECONDS)


def wait_until_settled(
    read: Callable[[], list[ConfigurationStatus]],
    *,
    timeout: float,
    clock: Clock = CLOCK,
    progress: Progress | None = None,
) -> Waited:
    """Call ``read`` until no card is Pending, waiting :func:`delays` between calls; the last
    wait is cut so that the last read is made when ``timeout`` seconds are over."""
    started = clock.now()
    for reads, delay in enumerate(delays(), 1):
        statuses = read()
        pending = pending_cards(statuses)
        waited = clock.now() - started
        left = timeout - waited
        if not pending or left <= 0:
            return Waited(statuses, pending, waited, reads)
        pause = min(delay, left)
        if progress is not None:
            progress(pending, waited, pause)
        clock.sleep(pause)
    raise AssertionError("unreachable")  # pragma: no cover


def timeout_line(waited: Waited) -> str:
    """The cards still Pending once the time is over, in one line."""
    return (
        f"{len(waited.pending)} card(s) still Pending after {waited.waited:.0f} s: "
        f"{', '.join(printable(card) for card in waited.pending)} (--wait-timeout waits longer)"
    )


def progress_line(pending: list[str], waited: float, pause: float, timeout: float) -> str:
    named = ", ".join(printable(card) for card in pending[:NAMED_CARDS])
    more = f" and {len(pending) - NAMED_CARDS} more" if len(pending) > NAMED_CARDS else ""
    return (
        f"Waiting for {len(pending)} Pending card(s) ({named}{more}): {waited:.0f} s of "
        f"{timeout:.0f} s, next read in {pause:.0f} s…"
    )


@contextmanager
def wait_progress(
    timeout: float,
    *,
    quiet: bool = False,
    stream: TextIO | None = None,
) -> Iterator[Progress]:
    """A progress line on ``stream`` (standard error) while waiting, only in a terminal and
    never when ``quiet`` (``--output json``). Yields the :data:`Progress` to call."""
    stream = stream if stream is not None else sys.stderr
    if quiet or not stream.isatty():
        yield lambda pending, waited, pause: None
        return
    from rich.console import Console
    from rich.text import Text

    with Console(file=stream, highlight=False).status(
        "Reading associations…", spinner="dots"
    ) as status:
        yield lambda pending, waited, pause: status.update(
            Text(progress_line(pending, waited, pause, timeout))
        )
