"""One query through Amazon Athena's API (shapes from botocore's ``athena`` model).

StartQueryExecution in a workgroup, with the values as ``ExecutionParameters`` (never
formatted into the SQL); GetQueryExecution polled with a bounded back-off until the query is
SUCCEEDED, FAILED or CANCELLED, the whole wait bounded by ``wait_timeout``; GetQueryResults
read page by page (``NextToken``). Each call keeps the CLI's bound (see :mod:`.aws`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .aws import Aws, one_line
from .errors import CliError

FIRST_POLL_SECONDS = 0.25
MAX_POLL_SECONDS = 2.0
"""GetQueryExecution is called after 0.25 s, then twice as late each time, at most 2 s."""
WAIT_TIMEOUT_SECONDS = 300.0
"""Default of ``--query-timeout``: how long a query may run before it is stopped."""
DONE = ("SUCCEEDED", "FAILED", "CANCELLED")
"""QueryExecutionStatus.State's final values (the others: QUEUED, RUNNING)."""


@dataclass(frozen=True)
class QueryResult:
    """A query's rows (column name → value, None for a null), and what it scanned."""

    query_execution_id: str
    columns: tuple[str, ...]
    rows: list[dict[str, str | None]]
    bytes_scanned: int


def string_parameter(value: str) -> str:
    """``value`` as an execution parameter of type varchar: Athena takes each parameter as a
    SQL literal, so a string goes in single quotes, a quote in it doubled (Athena user guide,
    "Use execution parameters", https://docs.aws.amazon.com/athena/latest/ug/
    querying-with-prepared-statements-querying-using-execution-parameters.html). The value
    stays data: it is never part of the query's text."""
    return "'" + value.replace("'", "''") + "'"


def narrowed(accounts: Sequence[str], regions: Sequence[str]) -> tuple[str, list[str]]:
    """`` AND accountid IN (?, ...) AND region IN (?, ...)`` for the values given (none: no
    condition), and the execution parameters that fill it, in order: the query's text holds
    placeholders only, and reads the partitions of those accounts and Regions alone."""
    where = ""
    parameters: list[str] = []
    for column, values in (("accountid", accounts), ("region", regions)):
        if values:
            where += f" AND {column} IN ({', '.join('?' for _ in values)})"
            parameters += [string_parameter(value) for value in values]
    return where, parameters


def count(value: str | None, what: str) -> int:
    """A count the data holds as text (every Glue column is a string): a CliError, not a
    guess, when it is not a number."""
    try:
        return int(value or 0)
    except ValueError:
        raise CliError(f"{what} is not a number in the query's result: {value!r}") from None


def run_query(
    aws: Aws,
    sql: str,
    parameters: Sequence[str],
    *,
    workgroup: str,
    database: str,
    wait_timeout: float = WAIT_TIMEOUT_SECONDS,
    page_size: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> QueryResult:
    """Run ``sql`` (``?`` placeholders, filled in order by ``parameters``, already literals:
    :func:`string_parameter`) in ``workgroup`` on ``database``, and read all its rows."""
    athena = aws.client("athena")
    start: dict[str, Any] = {
        "QueryString": sql,
        "QueryExecutionContext": {"Database": database},
        "WorkGroup": workgroup,
    }
    if parameters:
        start["ExecutionParameters"] = list(parameters)
    query_id = athena.start_query_execution(**start)["QueryExecutionId"]
    execution = _wait(athena, query_id, wait_timeout, sleep, clock)
    status = execution.get("Status", {})
    state = status.get("State")
    if state != "SUCCEEDED":
        reason = one_line(status.get("StateChangeReason") or "no reason given")
        raise CliError(f"Athena query {query_id} {state}: {reason}")
    columns, rows = _results(athena, query_id, page_size)
    scanned = execution.get("Statistics", {}).get("DataScannedInBytes") or 0
    return QueryResult(query_id, columns, rows, int(scanned))


def _wait(
    athena: Any,
    query_id: str,
    wait_timeout: float,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
) -> dict[str, Any]:
    """The query's execution once it is done; stopped, and a :class:`CliError`, when it is
    still running after ``wait_timeout`` seconds."""
    deadline = clock() + wait_timeout
    delay = FIRST_POLL_SECONDS
    while True:
        execution = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
        state = execution.get("Status", {}).get("State")
        if state in DONE:
            return execution
        left = deadline - clock()
        if left <= 0:
            from botocore.exceptions import BotoCoreError, ClientError

            with contextlib.suppress(BotoCoreError, ClientError):  # the timeout is the error
                athena.stop_query_execution(QueryExecutionId=query_id)
            raise CliError(
                f"Athena query {query_id} still {state} after {wait_timeout:g} s: stopped "
                "(--query-timeout waits longer)"
            )
        sleep(min(delay, left))
        delay = min(delay * 2, MAX_POLL_SECONDS)


def _results(
    athena: Any, query_id: str, page_size: int | None
) -> tuple[tuple[str, ...], list[dict[str, str | None]]]:
    """Every row of every page. The first row of a SELECT's first page holds the column
    names (Athena API reference, GetQueryResults), and is left out."""
    columns: tuple[str, ...] = ()
    rows: list[dict[str, str | None]] = []
    token: str | None = None
    first = True
    while True:
        params: dict[str, Any] = {"QueryExecutionId": query_id}
        if token:
            params["NextToken"] = token
        if page_size:
            params["MaxResults"] = page_size
        page = athena.get_query_results(**params)
        result_set = page.get("ResultSet", {})
        if first:
            info = result_set.get("ResultSetMetadata", {}).get("ColumnInfo", [])
            columns = tuple(column["Name"] for column in info)
        for index, row in enumerate(result_set.get("Rows", [])):
            values = [datum.get("VarCharValue") for datum in row.get("Data", [])]
            if first and index == 0 and tuple(values) == columns:
                continue
            rows.append(dict(zip(columns, values, strict=False)))
        first = False
        token = page.get("NextToken")
        if not token:
            return columns, rows
