"""A local Amazon Athena that runs each query for real, over HTTP: botocore's ``athena`` model
speaks REST-JSON (``POST /query-executions``, ``GET /query-executions/{id}[/results]``,
``POST /query-executions/{id}/stop``); the JSON protocol's ``X-Amz-Target`` is answered too.

StartQueryExecution translates the query from Trino's SQL (Athena engine version 3) to
DuckDB's with sqlglot, gives its ``ExecutionParameters`` to DuckDB as parameters, and runs it
on files laid out as the resource data sync writes them
(``<prefix>/AWS:Application/accountid=<id>/region=<r>/resourcetype=ManagedInstanceInventory/
<instance>.json``, one JSON object per line), each Glue table a view over its type's files.
GetQueryExecution, GetQueryResults (``page_size`` rows a page, the first row of the first page
the column names) and StopQueryExecution answer as the Athena API reference describes. The
endpoint also answers CloudFormation's DescribeStacks (the stack's outputs) and STS's
GetCallerIdentity, and Glue's StartCrawler and GetCrawler (JSON protocol, ``X-Amz-Target:
AWSGlue.<Action>``, botocore's ``glue`` model) for the crawlers of ``crawlers``, whose crawls
are scripted (:class:`FakeCrawler`).
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import duckdb
import sqlglot

from quicksetup_constructs.rendering.athena import PARTITION_KEYS, TABLE_COLUMNS

from .fake_aws import (
    _CLOUDFORMATION_NS,
    CALLER_IDENTITY,
    _Handler,
    _json_error,
    _serving,
    _xml_error,
    _xml_result,
)

TABLE_TYPES = {
    "aws_application": "AWS:Application",
    "aws_compliance_item": "AWS:ComplianceItem",
    "aws_compliance_summary": "AWS:ComplianceSummary",
    "aws_instance_information": "AWS:InstanceInformation",
}
"""The Glue table → the synced type whose files it reads (``rendering/athena.py``)."""
_RECORD = ("resourceId", "captureTime", "schemaVersion")
_SEVERITIES = ("Critical", "High", "Medium", "Low", "Informational", "Unspecified")
TABLE_KEYS = {
    "AWS:Application": (
        *_RECORD, "Name", "ApplicationType", "Publisher", "Version", "Release", "Epoch",
        "InstalledTime", "Architecture", "URL", "Summary", "PackageId",
    ),
    "AWS:ComplianceItem": (
        *_RECORD, "ComplianceType", "ExecutionId", "ExecutionType", "ExecutionTime", "Id",
        "Title", "Status", "Severity", "DocumentName", "DocumentVersion", "Classification",
        "PatchBaselineId", "PatchSeverity", "PatchState", "PatchGroup", "InstalledTime",
    ),
    "AWS:ComplianceSummary": (
        *_RECORD, "ComplianceType", "Status", "OverallSeverity", "ExecutionId", "ExecutionType",
        "ExecutionTime", "PatchBaselineId", "PatchGroup",
        *(f"Compliant{s}Count" for s in _SEVERITIES),
        *(f"NonCompliant{s}Count" for s in _SEVERITIES),
    ),
    "AWS:InstanceInformation": (
        *_RECORD, "AgentType", "AgentVersion", "ComputerName", "InstanceId", "IpAddress",
        "PlatformName", "PlatformType", "PlatformVersion", "AgentStatus", "InstanceStatus",
    ),
}  # fmt: skip
"""The keys of each type's lines as the sync spells them; the SerDe matches them to the
table's lowercase columns, as DuckDB's case-insensitive names do. ``AWS:InstanceInformation``'s
``ResourceType`` is left out: DuckDB's names ignore case, so it would clash with the partition
``resourcetype`` (Glue maps it to ``instance_resourcetype``)."""
assert {
    type_name: tuple(key.lower() for key in keys) for type_name, keys in TABLE_KEYS.items()
} == {
    type_name: tuple(c for c in columns if c != "instance_resourcetype")
    for type_name, columns in TABLE_COLUMNS.items()
}, "the fake's keys and the library's columns differ"
_LITERAL = re.compile(r"'((?:[^']|'')*)'")


@dataclass
class FakeAthena:
    """An account's Athena over ``root`` (the inventory bucket, under its prefix).

    ``workgroups``: the workgroups that exist; ``state``: ``run`` (queries run at once),
    ``hang`` (queries stay RUNNING until stopped) or ``fail`` (queries end FAILED with
    ``reason``); ``denied``: StartQueryExecution is denied; ``stacks``: stack name → its
    outputs (key → value)."""

    root: Path
    workgroups: set[str] = field(default_factory=lambda: {"primary"})
    state: str = "run"
    reason: str = "SYNTAX_ERROR: line 1:8: Column 'x' cannot be resolved"
    denied: bool = False
    page_size: int = 1000
    stacks: dict[str, dict[str, str]] = field(default_factory=dict)
    url: str = ""
    requests: list[str] = field(default_factory=list)
    started: list[dict[str, Any]] = field(default_factory=list)
    """The parameters of each StartQueryExecution."""
    stopped: list[str] = field(default_factory=list)
    crawlers: dict[str, FakeCrawler] = field(default_factory=dict)
    """Glue crawlers by name."""
    crawler_denied: bool = False
    """StartCrawler and GetCrawler are denied."""
    crawls_started: list[str] = field(default_factory=list)
    """The crawler of each StartCrawler that started a crawl."""
    cache: bool = False
    """Answer a query whose text and parameters were run before from that run's result,
    without running it again (a benchmark leaves the engine's own time out this way). Off
    by default: with it, data written after the first run is not seen."""
    engine_seconds: list[float] = field(default_factory=list)
    """The time DuckDB took on each query it ran (views created, query run, rows fetched)."""
    cache_hits: int = 0
    """Queries answered from :attr:`cache`."""
    _results_cache: dict[tuple[str, tuple[str, ...]], dict[str, Any]] = field(default_factory=dict)
    _queries: dict[str, dict[str, Any]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # Athena

    def answer(self, action: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if action in GLUE_ACTIONS:
            return self._glue(action, params)
        if action == "StartQueryExecution":
            return self._start(params)
        query = self._queries.get(params.get("QueryExecutionId", ""))
        if query is None:
            return 400, _error("InvalidRequestException", "QueryExecution was not found")
        if action == "GetQueryExecution":
            return 200, {"QueryExecution": self._execution(query)}
        if action == "StopQueryExecution":
            self.stopped.append(query["id"])
            query["state"] = "CANCELLED"
            return 200, {}
        if action == "GetQueryResults":
            return self._results(query, params)
        return 400, _error("InvalidAction", f"the fake does not answer {action}")

    def _start(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self.started.append(params)
        if self.denied:
            return 400, _error(
                "AccessDeniedException",
                "User: arn:aws:iam::111122223333:user/operator is not authorized to perform: "
                "athena:StartQueryExecution on resource: arn:aws:athena:us-east-1:"
                "111122223333:workgroup/" + str(params.get("WorkGroup")),
            )
        if params.get("WorkGroup", "primary") not in self.workgroups:
            return 400, _error(
                "InvalidRequestException", f"WorkGroup {params.get('WorkGroup')} is not found."
            )
        query = {"id": str(uuid.uuid4()), "state": "RUNNING", "params": params, "scanned": 0}
        with self._lock:
            self._queries[query["id"]] = query
        if self.state == "fail":
            query.update(state="FAILED", reason=self.reason)
        elif self.state == "run":
            self._run(query)
        return 200, {"QueryExecutionId": query["id"]}

    def _run(self, query: dict[str, Any]) -> None:
        """Run the query on DuckDB: SUCCEEDED with its rows, or FAILED with DuckDB's error.
        With :attr:`cache`, a query run before with the same text and parameters is answered
        from that run's rows, the engine left alone."""
        params = query["params"]
        key = (params["QueryString"], tuple(params.get("ExecutionParameters") or ()))
        if self.cache and key in self._results_cache:
            with self._lock:
                self.cache_hits += 1
            query.update(self._results_cache[key])
            return
        started = time.perf_counter()
        try:
            values = [_literal(value) for value in params.get("ExecutionParameters") or []]
            sql = sqlglot.transpile(params["QueryString"], read="trino", write="duckdb")[0]
            with duckdb.connect() as db:
                for table, type_name in TABLE_TYPES.items():
                    query["scanned"] += self._create_view(db, table, type_name)
                cursor = db.execute(sql, values)
                # Glue's column names are lowercase, and so are Athena's result columns.
                columns = [column[0].lower() for column in cursor.description or []]
                rows = [[None if v is None else str(v) for v in row] for row in cursor.fetchall()]
        except (duckdb.Error, sqlglot.errors.SqlglotError, ValueError) as error:
            query.update(state="FAILED", reason=str(error).splitlines()[0])
            return
        finally:
            self.engine_seconds.append(time.perf_counter() - started)
        query.update(state="SUCCEEDED", columns=columns, rows=rows)
        if self.cache:
            self._results_cache[key] = {
                "state": "SUCCEEDED",
                "columns": columns,
                "rows": rows,
                "scanned": query["scanned"],
            }

    def _create_view(self, db: Any, table: str, type_name: str) -> int:
        """``table`` over its type's files (every Glue column a string: no type detection), or
        empty when there are none; the bytes of those files."""
        files = sorted((self.root / type_name).glob("**/*.json"))
        keys = TABLE_KEYS[type_name]
        if not files:
            columns = ", ".join(f'"{key}" VARCHAR' for key in (*keys, *PARTITION_KEYS))
            db.execute(f"CREATE TABLE {table} ({columns})")
            return 0
        glob = str(self.root / type_name / "**" / "*.json").replace("'", "''")
        columns = ", ".join(f"'{key}': 'VARCHAR'" for key in keys)
        db.execute(
            f"CREATE VIEW {table} AS SELECT * FROM read_json('{glob}', "
            "format = 'newline_delimited', hive_partitioning = true, "
            f"hive_types_autocast = false, columns = {{{columns}}})"
        )
        return sum(path.stat().st_size for path in files)

    def _execution(self, query: dict[str, Any]) -> dict[str, Any]:
        status: dict[str, Any] = {"State": query["state"]}
        if query.get("reason"):
            status["StateChangeReason"] = query["reason"]
        return {
            "QueryExecutionId": query["id"],
            "Query": query["params"]["QueryString"],
            "StatementType": "DML",
            "WorkGroup": query["params"].get("WorkGroup", "primary"),
            "ExecutionParameters": query["params"].get("ExecutionParameters") or [],
            "Status": status,
            "Statistics": {"DataScannedInBytes": query["scanned"]},
        }

    def _results(self, query: dict[str, Any], params: dict[str, Any]) -> tuple[int, Any]:
        if query["state"] != "SUCCEEDED":
            return 400, _error(
                "InvalidRequestException", f"Query has not yet finished. Current state: "
                f"{query['state']}"
            )  # fmt: skip
        columns = query["columns"]
        lines = [columns, *query["rows"]]  # the first row: the column names
        start = int(params.get("NextToken") or 0)
        size = min(int(params.get("MaxResults") or self.page_size), self.page_size)
        page = lines[start : start + size]
        answer: dict[str, Any] = {
            "UpdateCount": 0,
            "ResultSet": {
                "Rows": [
                    {"Data": [{} if v is None else {"VarCharValue": v} for v in line]}
                    for line in page
                ],
                "ResultSetMetadata": {
                    "ColumnInfo": [{"Name": name, "Type": "varchar"} for name in columns]
                },
            },
        }
        if start + size < len(lines):
            answer["NextToken"] = str(start + size)
        return 200, answer

    # Glue

    def _glue(self, action: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """StartCrawler and GetCrawler, as the Glue API reference describes them."""
        name = params.get("Name", "")
        if self.crawler_denied:
            return 400, _error(
                "AccessDeniedException",
                "User: arn:aws:iam::111122223333:user/operator is not authorized to perform: "
                f"glue:{action} on resource: arn:aws:glue:us-east-1:111122223333:crawler/{name}",
            )
        crawler = self.crawlers.get(name)
        if crawler is None:
            return 400, _error(
                "EntityNotFoundException", f"Crawler entry with name {name} does not exist"
            )
        if action == "StartCrawler":
            if crawler.state != "READY":
                return 400, _error(
                    "CrawlerRunningException", f"Crawler with name {name} has already started"
                )
            crawler.start()
            self.crawls_started.append(name)
            return 200, {}
        return 200, {"Crawler": crawler.describe(name)}

    # CloudFormation

    def describe_stacks(self, params: dict[str, str]) -> tuple[int, bytes, str]:
        name = params.get("StackName")
        if name is not None and name not in self.stacks:
            return _xml_error(
                400, "ValidationError", f"Stack with id {name} does not exist", _CLOUDFORMATION_NS
            )
        members = "".join(
            f"<member><StackName>{stack}</StackName><StackId>arn:aws:cloudformation:us-east-1:"
            f"111122223333:stack/{stack}/0</StackId><CreationTime>2026-01-05T09:00:00Z"
            "</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus><Outputs>"
            + "".join(
                f"<member><OutputKey>{key}</OutputKey><OutputValue>{xml_escape(value)}"
                "</OutputValue></member>"
                for key, value in outputs.items()
            )
            + "</Outputs></member>"
            for stack, outputs in self.stacks.items()
            if name in (None, stack)
        )
        return _xml_result("DescribeStacks", f"<Stacks>{members}</Stacks>")


def _literal(value: str) -> str:
    """An execution parameter of type varchar: a quoted literal, its quotes doubled."""
    match = _LITERAL.fullmatch(value)
    if match is None:
        raise ValueError(f"INVALID_PARAMETER: {value!r} is not a literal")
    return match[1].replace("''", "'")


def _error(code: str, message: str) -> dict[str, Any]:
    return {"__type": code, "Message": message}


GLUE_ACTIONS = ("StartCrawler", "GetCrawler")


@dataclass
class FakeCrawler:
    """A Glue crawler whose crawls are scripted. ``state``: READY, or RUNNING (a crawl under
    way). After StartCrawler, GetCrawler answers READY (with the previous ``last`` crawl)
    ``lag`` times, then RUNNING ``polls`` times, then READY with a new ``last`` crawl: its
    ``status`` (SUCCEEDED, FAILED, CANCELLED) and, when FAILED, ``error``. A crawl found
    RUNNING goes on for ``left`` more answers. ``last``: None when it never ran."""

    state: str = "READY"
    polls: int = 2
    lag: int = 0
    status: str = "SUCCEEDED"
    error: str = "Service Principal: glue.amazonaws.com is not authorized to perform: s3:GetObject"
    last: dict[str, Any] | None = None
    left: int = 2
    lagging: int = 0
    crawls: int = 0

    def start(self) -> None:
        self.state, self.lagging, self.left = "RUNNING", self.lag, self.polls

    def describe(self, name: str) -> dict[str, Any]:
        """GetCrawler's ``Crawler`` (shapes of botocore's ``glue`` model: Crawler,
        LastCrawlInfo), one answer further in the script."""
        shown = self.state
        if self.state == "RUNNING":
            if self.lagging > 0:
                self.lagging -= 1
                shown = "READY"
            elif self.left > 0:
                self.left -= 1
            else:
                self.crawls += 1
                self.state = shown = "READY"
                self.last = {"Status": self.status, "StartTime": 1767603600 + 60 * self.crawls}
                if self.status == "FAILED":
                    self.last["ErrorMessage"] = self.error
        described: dict[str, Any] = {
            "Name": name,
            "State": shown,
            "Schedule": {"ScheduleExpression": "cron(0 */12 * * ? *)", "State": "SCHEDULED"},
        }
        if self.last is not None:
            described["LastCrawl"] = self.last
        return described


def write_rows(
    root: Path, type_name: str, account: str, region: str, instance: str, *rows: dict
) -> None:
    """``rows`` (attributes of ``type_name``) as the sync writes an instance's file of that
    type: one JSON object per line, with the sync's own fields."""
    folder = (
        root
        / type_name
        / f"accountid={account}"
        / f"region={region}"
        / "resourcetype=ManagedInstanceInventory"
    )
    folder.mkdir(parents=True, exist_ok=True)
    record = {"resourceId": instance, "captureTime": CAPTURED, "schemaVersion": "1.0"}
    lines = [json.dumps(record | row) for row in rows]
    (folder / f"{instance}.json").write_text("\n".join(lines) + "\n")


CAPTURED = "2026-01-05T09:00:00Z"
"""The ``captureTime`` of the rows :func:`write_rows` writes, unless a row gives its own."""


def write_inventory(root: Path, account: str, region: str, instance: str, *rows: dict) -> None:
    """``rows`` (``AWS:Application`` attributes) as the sync writes an instance's file."""
    defaults = {"Name": "", "Version": "", "Release": "", "Epoch": "", "Architecture": "x86_64"}
    write_rows(
        root, "AWS:Application", account, region, instance,
        *({"schemaVersion": "1.1"} | defaults | row for row in rows),
    )  # fmt: skip


@contextmanager
def fake_athena(athena: FakeAthena) -> Iterator[FakeAthena]:
    """Serve ``athena`` on 127.0.0.1 (a free port) until the context ends."""
    fake = athena

    class Handler(_Handler):
        def _athena(self, action: str, params: dict[str, Any]) -> None:
            fake.requests.append(action)
            status, answer = fake.answer(action, params)
            self.send_response(status)
            body = json.dumps(answer).encode()
            if status >= 400:
                self.send_header("x-amzn-ErrorType", answer["__type"])
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # the http.server API: Athena's REST routes
            url = urllib.parse.urlsplit(self.path)
            parts = [urllib.parse.unquote(p) for p in url.path.strip("/").split("/")]
            params: dict[str, Any] = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
            if parts[:1] == ["query-executions"] and len(parts) >= 2:
                params["QueryExecutionId"] = parts[1]
                action = "GetQueryResults" if parts[2:] == ["results"] else "GetQueryExecution"
                self._athena(action, params)
                return
            self._send(*_json_error(404, "UnknownOperationException", self.path))

        def do_POST(self) -> None:  # the http.server API
            length = int(self.headers.get("Content-Length") or 0)
            text = self.rfile.read(length).decode("utf-8", "replace")
            target = self.headers.get("X-Amz-Target", "")
            parts = [urllib.parse.unquote(p) for p in self.path.strip("/").split("/")]
            if target or parts[:1] == ["query-executions"]:  # JSON or REST-JSON protocol
                params = json.loads(text or "{}")
                if target:
                    action = target.rsplit(".", 1)[-1]
                elif len(parts) == 3 and parts[2] == "stop":
                    action, params["QueryExecutionId"] = "StopQueryExecution", parts[1]
                else:
                    action = "StartQueryExecution"
                self._athena(action, params)
                return
            params = {k: v[0] for k, v in urllib.parse.parse_qs(text).items()}
            action = params.get("Action", "")
            fake.requests.append(action)
            if action == "GetCallerIdentity":
                self._send(200, CALLER_IDENTITY.encode(), "text/xml")
            elif action == "DescribeStacks":
                self._send(*fake.describe_stacks(params))
            else:
                self._send(*_json_error(400, "InvalidAction", action))

    with _serving(Handler) as fake.url:
        yield fake


def write_patch_summary(
    root: Path, account: str, region: str, instance: str, status: str, **missing: int
) -> None:
    """An instance's ``AWS:ComplianceSummary`` file as the sync writes it: its ``Patch`` line
    (``status``; ``missing``: severity in lowercase → missing patches, as the sync's strings)
    and an ``Association`` line that a patch query must leave out."""
    counts = {
        f"NonCompliant{severity.title()}Count": str(missing.get(severity.lower(), 0))
        for severity in ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNSPECIFIED")
    }
    write_rows(
        root, "AWS:ComplianceSummary", account, region, instance,
        {"ComplianceType": "Patch", "Status": status, "OverallSeverity": "UNSPECIFIED",
         "ExecutionType": "Command", "ExecutionTime": CAPTURED, **counts},
        {"ComplianceType": "Association", "Status": "NON_COMPLIANT",
         "NonCompliantCriticalCount": "90"},
    )  # fmt: skip
