"""A local HTTP endpoint that answers AWS JSON-protocol calls the way a misbehaving service
does: it accepts and never answers, answers 500 with an HTML body, or throttles. Bound to
127.0.0.1 on a free port; every request it received is kept, and it stops with its context.

:func:`fake_organization` plays an organization instead (:class:`FakeOrganization`): the
management account's CloudFormation StackSets, STS, and State Manager in every member
account, with a latency per call, counting the requests and the most of them in flight.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
import urllib.parse
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape as xml_escape

AWS_VARIABLES = (
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
)


def isolate_aws_environment(monkeypatch, tmp_path) -> None:
    """No AWS configuration of the machine's, and no AWS variable but those a test sets."""
    for name in AWS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


HTML_ERROR = (
    "<html>\n<head><title>500 Internal Server Error</title></head>\n<body>\n"
    "<center><h1>500 Internal Server Error</h1></center>\n<hr><center>proxy</center>\n"
    "</body>\n</html>\n"
)

ACCOUNT = "111122223333"
CALLER_IDENTITY = (
    '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
    "<GetCallerIdentityResult>"
    f"<Arn>arn:aws:iam::{ACCOUNT}:user/operator</Arn><UserId>AIDAEXAMPLE</UserId>"
    f"<Account>{ACCOUNT}</Account></GetCallerIdentityResult>"
    "<ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId>"
    "</ResponseMetadata></GetCallerIdentityResponse>"
)
"""STS's answer to GetCallerIdentity (query protocol, XML)."""


class _Handler(http.server.BaseHTTPRequestHandler):
    """Answers with :meth:`_send`, keeps connections open (HTTP/1.1) and logs nothing."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else each answer waits for a delayed ACK (~40 ms)

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # a burst of new connections is queued, not refused


@contextmanager
def _serving(handler: type[_Handler]) -> Iterator[str]:
    """Serve ``handler`` on 127.0.0.1 (a free port) until the context ends; yields the URL."""
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class FakeAws:
    """What the endpoint does with each request: ``hang``, ``html-500``, ``throttle``, or
    ``ok`` (answers ``responses`` by ``X-Amz-Target``)."""

    mode: str = "ok"
    responses: dict[str, dict] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    """The ``X-Amz-Target`` of each request received."""
    signing_regions: list[str] = field(default_factory=list)
    """The Region each request was signed for (from its ``Authorization`` credential scope)."""
    url: str = ""
    _release: threading.Event = field(default_factory=threading.Event)


@contextmanager
def fake_aws(mode: str = "ok", responses: dict[str, dict] | None = None) -> Iterator[FakeAws]:
    fake = FakeAws(mode=mode, responses=responses or {})

    class Handler(_Handler):
        def do_POST(self) -> None:  # the http.server API
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", "replace")
            target = self.headers.get("X-Amz-Target", "")
            if not target and "Action=GetCallerIdentity" in body:
                target = "GetCallerIdentity"  # STS speaks the query protocol
            fake.requests.append(target)
            scope = self.headers.get("Authorization", "").split("Credential=", 1)[-1]
            fake.signing_regions.append(scope.split("/")[2] if scope.count("/") >= 4 else "")
            if fake.mode == "hang":
                fake._release.wait(timeout=120)  # accept, never answer (bounded)
                return
            if fake.mode == "html-500":
                self._send(500, HTML_ERROR.encode(), "text/html")
                return
            if fake.mode == "throttle":
                body = {"__type": "ThrottlingException", "message": "Rate exceeded"}
                self._send(400, json.dumps(body).encode(), "application/x-amz-json-1.1")
                return
            if target == "GetCallerIdentity":
                self._send(200, CALLER_IDENTITY.encode(), "text/xml")
                return
            answer = fake.responses.get(target.rsplit(".", 1)[-1], {})
            self._send(200, json.dumps(answer).encode(), "application/x-amz-json-1.1")

    with _serving(Handler) as fake.url:
        try:
            yield fake
        finally:
            fake._release.set()  # a hung request ends before the server stops


# An organization ----------------------------------------------------------------------------

ORGANIZATION_OPTIONS = (
    "AttachInstanceProfile",
    "UpdateSSMAgent",
    "CollectInventory",
    "ScanForPatches",
    "EnableExplorer",
)
"""The options (association names' middle part) of the fake organization's configuration."""
_CLOUDFORMATION_NS = "http://cloudformation.amazonaws.com/doc/2010-05-15/"
_STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
_RAN = 1767603600  # 2026-01-05 09:00 UTC


@dataclass
class FakeOrganization:
    """An organization of ``accounts`` whose Quick Setup StackSets deploy to ``regions``, as
    the management account (``ACCOUNT``, whose credentials are the caller's) sees it through
    CloudFormation (query protocol), STS (``GetCallerIdentity``, ``AssumeRole``) and, in
    each member account, State Manager (JSON protocol: ``ListAssociations``,
    ``DescribeAssociationExecutions``).

    Each StackSet's template holds the associations of configuration ``configuration_id``:
    ``QuickSetup-<Option>-<id>`` for each of ``ORGANIZATION_OPTIONS``. Every association
    succeeded on its targets, except the options ``failed`` names for an (account, Region).
    ``AssumeRole`` gives credentials whose access key id names the account, valid
    ``expires_in`` seconds; it is denied in the ``denied`` accounts. ``ListAssociations`` is
    denied in the ``no_ssm`` accounts and throttled in the ``throttled`` ones. Every request
    waits ``latency`` seconds before its answer.
    """

    accounts: list[str]
    regions: list[str]
    member_role: str = "QuickSetupReader"
    configuration_id: str = "19d1f875"
    latency: float = 0.0
    failed: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    denied: set[str] = field(default_factory=set)
    no_ssm: set[str] = field(default_factory=set)
    throttled: set[str] = field(default_factory=set)
    expires_in: int = 3600
    resources: dict[str, Any] | None = None
    """The ``Resources`` of the associations' StackSet template, instead of the fake's own
    (e.g. a template the library synthesized)."""
    athena: Any = None
    """A :class:`tests.fake_athena.FakeAthena` that answers Athena's calls and DescribeStacks
    (the management account's), or None."""
    page_size: int = 100
    """Stack instances per page of ListStackInstances (when the caller gives no MaxResults)."""
    url: str = ""
    requests: list[str] = field(default_factory=list)
    """The operation of each request (``AssumeRole``, ``ListAssociations``, ...)."""
    assumed: Counter = field(default_factory=Counter)
    """``AssumeRole`` requests by account."""
    read: Counter = field(default_factory=Counter)
    """``ListAssociations`` requests by (account, Region)."""
    max_in_flight: int = 0
    """The most requests the endpoint was handling at once."""
    _in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def stack_sets(self) -> dict[str, dict[str, Any]]:
        """Name → (template, Regions): the two StackSets of a configuration, and one that is
        not Quick Setup's."""
        config = self.configuration_id
        associations = {
            option: {
                "Type": "AWS::SSM::Association",
                "Properties": {
                    "AssociationName": f"QuickSetup-{option}-{config}",
                    "Name": f"AWS-{option}",
                    "ScheduleExpression": "rate(1 day)",
                    "Targets": [{"Key": "InstanceIds", "Values": ["*"]}],
                },
            }
            for option in ORGANIZATION_OPTIONS
        }
        role = {"Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}}}
        topic = {"Topic": {"Type": "AWS::SNS::Topic"}}
        return {
            f"QuickSetup-{config}-AccountRoles": {"Resources": role, "Regions": self.regions[:1]},
            f"QuickSetup-{config}-Associations": {
                "Resources": associations if self.resources is None else self.resources,
                "Regions": self.regions,
            },
            "AuditTopics": {"Resources": topic, "Regions": self.regions[:1]},
        }

    def instances(self, name: str) -> list[tuple[str, str]]:
        return [
            (account, region)
            for account in self.accounts
            for region in self.stack_sets[name]["Regions"]
        ]

    def association_id(self, account: str, region: str, option: str) -> str:
        index = ORGANIZATION_OPTIONS.index(option)
        return (
            f"{int(account) % 10**8:08d}-{index:04d}-4000-8000-{zlib.crc32(region.encode()):012d}"
        )

    # answers

    def answer(
        self, action: str, params: dict[str, str], account: str | None, region: str
    ) -> tuple[int, bytes, str]:
        if action == "GetCallerIdentity":
            return 200, CALLER_IDENTITY.encode(), "text/xml"
        if self.athena is not None and account == ACCOUNT:
            if action in ATHENA_ACTIONS:
                status, answer = self.athena.answer(action, params)
                return status, json.dumps(answer).encode(), _JSON
            if action == "DescribeStacks":
                return self.athena.describe_stacks(params)
        if action == "AssumeRole":
            return self._assume_role(params)
        stack_sets = {
            "ListStackSets": self._list_stack_sets,
            "DescribeStackSet": self._describe_stack_set,
            "ListStackInstances": self._list_stack_instances,
        }
        if action in stack_sets:
            if account != ACCOUNT:
                return _xml_error(
                    403, "AccessDenied", "only the management account", _CLOUDFORMATION_NS
                )
            return stack_sets[action](params)
        if account is None or (account != ACCOUNT and account not in self.accounts):
            return _json_error(
                400,
                "UnrecognizedClientException",
                "The security token included in the request is invalid.",
            )
        if action == "ListAssociations":
            with self._lock:
                self.read[account, region] += 1
            if account in self.throttled:
                return _json_error(400, "ThrottlingException", "Rate exceeded")
            if account in self.no_ssm:
                return _json_error(
                    400,
                    "AccessDeniedException",
                    (
                        f"User: arn:aws:sts::{account}:assumed-role/{self.member_role}/"
                        "quicksetup-status is not authorized to perform: ssm:ListAssociations"
                    ),
                )
            return self._list_associations(account, region)
        if action == "DescribeAssociationExecutions":
            return self._describe_association_executions(params)
        return _json_error(400, "InvalidAction", f"the fake does not answer {action}")

    def _assume_role(self, params: dict[str, str]) -> tuple[int, bytes, str]:
        arn = params.get("RoleArn", "")
        account = arn.split(":")[4] if arn.count(":") >= 5 else ""
        with self._lock:
            self.assumed[account] += 1
        if (
            account in self.denied
            or account not in self.accounts
            or (arn.rsplit("/", 1)[-1] != self.member_role)
        ):
            return _xml_error(
                403,
                "AccessDenied",
                (
                    f"User: arn:aws:iam::{ACCOUNT}:user/operator is not authorized to perform: "
                    f"sts:AssumeRole on resource: {arn}"
                ),
                _STS_NS,
            )
        expiration = datetime.now(UTC) + timedelta(seconds=self.expires_in)
        body = (
            f'<AssumeRoleResponse xmlns="{_STS_NS}"><AssumeRoleResult><Credentials>'
            f"<AccessKeyId>ASIA{account}</AccessKeyId><SecretAccessKey>secret</SecretAccessKey>"
            f"<SessionToken>token-{account}</SessionToken>"
            f"<Expiration>{expiration:%Y-%m-%dT%H:%M:%SZ}</Expiration></Credentials>"
            f"<AssumedRoleUser><Arn>arn:aws:sts::{account}:assumed-role/{self.member_role}/"
            f"{params.get('RoleSessionName', '')}</Arn><AssumedRoleId>AROAEXAMPLE:"
            f"{params.get('RoleSessionName', '')}</AssumedRoleId></AssumedRoleUser>"
            "</AssumeRoleResult><ResponseMetadata><RequestId>"
            "00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata>"
            "</AssumeRoleResponse>"
        )
        return 200, body.encode(), "text/xml"

    def _list_stack_sets(self, params: dict[str, str]) -> tuple[int, bytes, str]:
        members = "".join(
            f"<member><StackSetName>{name}</StackSetName><StackSetId>{name}:0000</StackSetId>"
            "<Status>ACTIVE</Status><PermissionModel>SERVICE_MANAGED</PermissionModel></member>"
            for name in self.stack_sets
        )
        return _xml_result("ListStackSets", f"<Summaries>{members}</Summaries>")

    def _describe_stack_set(self, params: dict[str, str]) -> tuple[int, bytes, str]:
        name = params.get("StackSetName", "").split(":")[0]
        if name not in self.stack_sets:
            return _xml_error(
                404, "StackSetNotFoundException", f"StackSet {name} not found", _CLOUDFORMATION_NS
            )
        body = json.dumps({"Resources": self.stack_sets[name]["Resources"]})
        return _xml_result(
            "DescribeStackSet",
            (
                f"<StackSet><StackSetName>{name}</StackSetName><StackSetId>{name}:0000</StackSetId>"
                f"<Status>ACTIVE</Status><TemplateBody>{xml_escape(body)}</TemplateBody>"
                "<PermissionModel>SERVICE_MANAGED</PermissionModel></StackSet>"
            ),
        )

    def _list_stack_instances(self, params: dict[str, str]) -> tuple[int, bytes, str]:
        name = params.get("StackSetName", "").split(":")[0]
        instances = self.instances(name) if name in self.stack_sets else []
        start = int(params.get("NextToken") or 0)
        size = int(params.get("MaxResults") or self.page_size)
        page = instances[start : start + size]
        members = "".join(
            f"<member><StackSetId>{name}:0000</StackSetId><Region>{region}</Region>"
            f"<Account>{account}</Account><Status>CURRENT</Status>"
            "<StackInstanceStatus><DetailedStatus>SUCCEEDED</DetailedStatus>"
            "</StackInstanceStatus><OrganizationalUnitId>ou-abcd-11112222"
            "</OrganizationalUnitId></member>"
            for account, region in page
        )
        token = f"<NextToken>{start + size}</NextToken>" if start + size < len(instances) else ""
        return _xml_result("ListStackInstances", f"<Summaries>{members}</Summaries>{token}")

    def _list_associations(self, account: str, region: str) -> tuple[int, bytes, str]:
        failed = self.failed.get((account, region), ())
        associations = []
        for option in ORGANIZATION_OPTIONS:
            counts = {"Success": 1, "Failed": 1} if option in failed else {"Success": 2}
            status = "Failed" if option in failed else "Success"
            associations.append(
                {
                    "AssociationId": self.association_id(account, region, option),
                    "AssociationName": f"QuickSetup-{option}-{self.configuration_id}",
                    "Name": f"AWS-{option}",
                    "AssociationVersion": "1",
                    "ScheduleExpression": "rate(1 day)",
                    "LastExecutionDate": _RAN,
                    "Targets": [{"Key": "InstanceIds", "Values": ["*"]}],
                    "Overview": {
                        "Status": status,
                        "DetailedStatus": status,
                        "AssociationStatusAggregatedCount": counts,
                    },
                }
            )
        return 200, json.dumps({"Associations": associations}).encode(), _JSON

    def _describe_association_executions(self, params: dict[str, Any]) -> tuple[int, bytes, str]:
        association_id = params.get("AssociationId", "")
        wants_failed = any(
            f.get("Key") == "Status" and f.get("Value") == "Failed"
            for f in params.get("Filters") or []
        )
        execution = {
            "AssociationId": association_id,
            "AssociationVersion": "1",
            "ExecutionId": "e" + association_id[1:],
            "Status": "Failed" if wants_failed else "Success",
            "DetailedStatus": "Failed" if wants_failed else "Success",
            "CreatedTime": _RAN,
            "ResourceCountByStatus": "{Failed=1, Success=1}" if wants_failed else "{Success=2}",
        }
        return 200, json.dumps({"AssociationExecutions": [execution]}).encode(), _JSON


_JSON = "application/x-amz-json-1.1"
ATHENA_ACTIONS = (
    "StartQueryExecution",
    "GetQueryExecution",
    "GetQueryResults",
    "StopQueryExecution",
)


def _xml_result(action: str, inner: str) -> tuple[int, bytes, str]:
    body = (
        f'<{action}Response xmlns="{_CLOUDFORMATION_NS}"><{action}Result>{inner}'
        f"</{action}Result><ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000"
        f"</RequestId></ResponseMetadata></{action}Response>"
    )
    return 200, body.encode(), "text/xml"


def _xml_error(status: int, code: str, message: str, namespace: str) -> tuple[int, bytes, str]:
    body = (
        f'<ErrorResponse xmlns="{namespace}"><Error><Type>Sender</Type><Code>{code}</Code>'
        f"<Message>{xml_escape(message)}</Message></Error>"
        "<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
    )
    return status, body.encode(), "text/xml"


def _json_error(status: int, code: str, message: str) -> tuple[int, bytes, str]:
    return status, json.dumps({"__type": code, "message": message}).encode(), _JSON


@contextmanager
def fake_organization(organization: FakeOrganization) -> Iterator[FakeOrganization]:
    """Serve ``organization`` on 127.0.0.1 (a free port) until the context ends."""
    fake = organization

    class Handler(_Handler):
        def do_POST(self) -> None:  # the http.server API
            length = int(self.headers.get("Content-Length") or 0)
            text = self.rfile.read(length).decode("utf-8", "replace")
            target = self.headers.get("X-Amz-Target", "")
            if target:  # JSON protocol
                action = target.rsplit(".", 1)[-1]
                try:
                    params = json.loads(text or "{}")
                except ValueError:
                    params = {}
            else:  # query protocol
                params = {k: v[0] for k, v in urllib.parse.parse_qs(text).items()}
                action = params.get("Action", "")
            scope = self.headers.get("Authorization", "").split("Credential=", 1)[-1].split("/")
            key = scope[0] if len(scope) >= 5 else ""
            region = scope[2] if len(scope) >= 5 else ""
            account = (
                ACCOUNT if key.startswith("AKIA") else (key[4:] if key.startswith("ASIA") else None)
            )
            with fake._lock:
                fake.requests.append(action)
                fake._in_flight += 1
                fake.max_in_flight = max(fake.max_in_flight, fake._in_flight)
            try:
                if fake.latency:
                    time.sleep(fake.latency)
                status, body, content_type = fake.answer(action, params, account, region)
            finally:
                with fake._lock:
                    fake._in_flight -= 1
            self._send(status, body, content_type)

    with _serving(Handler) as fake.url:
        yield fake
