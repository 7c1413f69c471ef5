"""``quicksetup inventory --org --refresh``: start the Glue crawler that adds the partitions of
new accounts and Regions to the inventory's tables (decision 23), and wait for its crawl when
a query follows.

Shapes from botocore's ``glue`` model (JSON protocol, ``X-Amz-Target: AWSGlue.<Action>``) and
the AWS Glue API reference:

- StartCrawler (https://docs.aws.amazon.com/glue/latest/webapi/API_StartCrawler.html): takes
  ``Name``, answers nothing; "If the crawler is already running, returns a
  CrawlerRunningException".
- GetCrawler (https://docs.aws.amazon.com/glue/latest/webapi/API_GetCrawler.html):
  ``Crawler.State`` (``CrawlerState``: READY, RUNNING, STOPPING) and ``Crawler.LastCrawl``
  (``LastCrawlInfo``: ``Status`` SUCCEEDED, CANCELLED or FAILED, ``ErrorMessage``,
  ``StartTime``).

A crawl is over when the crawler is READY again and its ``LastCrawl`` is a newer one than
before the start (its ``StartTime`` changed), or once it was seen RUNNING or STOPPING: a crawler
may still answer READY, with the previous crawl, just after StartCrawler.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .athena import FIRST_POLL_SECONDS, MAX_POLL_SECONDS
from .aws import Aws, error_code, one_line
from .errors import CliError
from .printable import printable

RUNNING = "CrawlerRunningException"
"""StartCrawler's error when a crawl is under way (Glue API reference, StartCrawler)."""
READY = "READY"
"""``CrawlerState``: the crawler is idle (the others: RUNNING, STOPPING)."""
SUCCEEDED = "SUCCEEDED"
"""``LastCrawlStatus``: the crawl ended well (the others: CANCELLED, FAILED)."""
STARTED = "started"
ALREADY_RUNNING = "already_running"


@dataclass(frozen=True)
class CrawlerRefresh:
    """What ``--refresh`` did: the crawler, whether this command started its crawl or found
    one under way (``crawl``: ``started``, ``already_running``), and how the crawl ended when
    it was waited for (``crawl_status``: ``SUCCEEDED``; None when not waited for)."""

    crawler: str
    crawl: str
    crawl_status: str | None = None

    def line(self) -> str:
        """One line for people: ``Glue crawler NAME started.``"""
        name = printable(self.crawler)
        if self.crawl_status is not None:
            return f"Glue crawler {name}: crawl {self.crawl_status}."
        if self.crawl == ALREADY_RUNNING:
            return f"Glue crawler {name} is already running."
        return f"Glue crawler {name} started."


def refresh(
    aws: Aws,
    crawler: str,
    *,
    wait: bool,
    timeout: float,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> CrawlerRefresh:
    """Start ``crawler`` (a crawl under way counts as started); with ``wait``, wait at most
    ``timeout`` seconds for its crawl to end. A crawl that ends FAILED or CANCELLED, or still
    runs after ``timeout``, is a :class:`CliError`."""
    glue = aws.client("glue")
    before = _last_start(_get(glue, crawler)) if wait else None
    crawl = _start(glue, crawler)
    if not wait:
        return CrawlerRefresh(crawler, crawl)
    status = _wait(glue, crawler, before, timeout, sleep, clock)
    return CrawlerRefresh(crawler, crawl, status)


def _start(glue: Any, crawler: str) -> str:
    from botocore.exceptions import ClientError

    try:
        glue.start_crawler(Name=crawler)
    except ClientError as error:
        if error_code(error) == RUNNING:
            return ALREADY_RUNNING
        raise
    return STARTED


def _get(glue: Any, crawler: str) -> dict[str, Any]:
    return glue.get_crawler(Name=crawler).get("Crawler") or {}


def _last_start(described: dict[str, Any]) -> Any:
    return (described.get("LastCrawl") or {}).get("StartTime")


def _wait(
    glue: Any,
    crawler: str,
    before: Any,
    timeout: float,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
) -> str:
    """The ``LastCrawl.Status`` of the crawl that ends after the start (SUCCEEDED), polled as
    Athena's queries are (:mod:`.athena`); a :class:`CliError` for any other end, or none
    within ``timeout`` seconds (the crawl goes on: only its wait ends)."""
    deadline = clock() + timeout
    delay = FIRST_POLL_SECONDS
    busy = False
    while True:
        described = _get(glue, crawler)
        state = described.get("State")
        if state != READY:
            busy = True
        elif busy or _last_start(described) != before:
            return _ended(crawler, described.get("LastCrawl") or {})
        left = deadline - clock()
        if left <= 0:
            raise CliError(
                f"Glue crawler {printable(crawler)} still {state} after {timeout:g} s "
                "(--query-timeout waits longer; the crawl goes on)"
            )
        sleep(min(delay, left))
        delay = min(delay * 2, MAX_POLL_SECONDS)


def _ended(crawler: str, last: dict[str, Any]) -> str:
    status = last.get("Status")
    if status == SUCCEEDED:
        return SUCCEEDED
    reason = printable(one_line(last.get("ErrorMessage") or "no reason given"))
    raise CliError(f"Glue crawler {printable(crawler)} crawl {status}: {reason}")
