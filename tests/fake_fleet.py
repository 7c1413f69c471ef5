"""A local fake of one account and Region's fleet, for ``quicksetup status --managed-instances``:
a real HTTP endpoint on 127.0.0.1 that speaks each service's protocol, as botocore sends it.

- EC2 (query protocol, XML): ``DescribeInstances`` with ``Filter.N`` (``tag:<key>``,
  ``tag-key``, ``instance-id``), paginated by ``MaxResults`` (5 to 1000) and ``NextToken``.
- Systems Manager (JSON protocol): the configuration's associations (``ListAssociations``,
  ``DescribeAssociationExecutions``), ``GetServiceSetting``, ``ListResourceDataSync``, and
  ``DescribeInstanceInformation`` with an ``InstanceIds`` filter of 1 to 100 values,
  ``MaxResults`` 5 to 50 (larger is a ``ValidationException``, as in the service model).
- IAM (query protocol, XML): ``GetInstanceProfile``, ``ListAttachedRolePolicies``.
- Resource Groups (REST-JSON): ``ListGroupResources`` (``POST /list-group-resources``).
- STS: ``GetCallerIdentity``; CloudFormation: ``ListStackResources`` (no stack exists).

Every call waits ``latency`` seconds; the requests, their parameters and the most in flight at
once are kept. An action named in ``denied`` answers AccessDenied, in its protocol's form.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from .fake_aws import ACCOUNT, CALLER_IDENTITY, _Handler

REGION = "us-east-1"
CONFIG = "5b3c9d1e"
CORE_POLICY_ARN = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
_EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/"
_IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"
_JSON = "application/x-amz-json-1.1"
_RAN = 1767603600  # 2026-01-05 09:00 UTC
EC2_ACTIONS = frozenset({"DescribeInstances"})
IAM_ACTIONS = frozenset({"GetInstanceProfile", "ListAttachedRolePolicies"})


@dataclass
class Instance:
    instance_id: str
    state: str = "running"
    profile: str | None = None
    """The name of its instance profile (None: none attached)."""
    tags: dict[str, str] = field(default_factory=dict)
    ping: str | None = None
    """Its ``PingStatus`` as a managed node (None: not a managed node)."""


@dataclass
class FakeFleet:
    """The account's instances, instance profiles (name -> role name, or None for a profile
    with no role), roles (name -> attached policy ARNs), resource groups (name -> instance
    ids), and the configuration's association targets (option -> ``Targets``)."""

    instances: list[Instance] = field(default_factory=list)
    profiles: dict[str, str | None] = field(default_factory=dict)
    roles: dict[str, list[str]] = field(default_factory=dict)
    groups: dict[str, list[str]] = field(default_factory=dict)
    targets: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {
            "UpdateSSMAgent": [{"Key": "tag:Environment", "Values": ["production"]}],
        }
    )
    dhmc_role: str = "$None"
    """The Default Host Management Configuration setting's value (``$None``: off)."""
    latency: float = 0.0
    denied: set[str] = field(default_factory=set)
    url: str = ""
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """(action, parameters) of each request."""
    max_in_flight: int = 0
    _in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def calls(self, action: str) -> list[dict[str, Any]]:
        return [params for name, params in self.requests if name == action]

    def answer(self, action: str, params: dict[str, Any]) -> tuple[int, bytes, str, dict]:
        if action == "GetCallerIdentity":
            return 200, CALLER_IDENTITY.encode(), "text/xml", {}
        if action in self.denied:
            return _denied(action)
        handler = getattr(self, f"_{action}", None)
        if handler is None:
            return _json_error(400, "InvalidAction", f"the fake does not answer {action}")
        return handler(params)

    # Systems Manager: the configuration

    def _ListAssociations(self, params: dict[str, Any]) -> tuple[int, bytes, str, dict]:
        associations = [
            {
                "AssociationId": _association_id(index),
                "AssociationName": f"QuickSetup-{option}-{CONFIG}",
                "Name": f"AWS-{option}",
                "AssociationVersion": "1",
                "Targets": targets,
                "LastExecutionDate": _RAN,
                "Overview": {
                    "Status": "Success",
                    "DetailedStatus": "Success",
                    "AssociationStatusAggregatedCount": {"Success": 1},
                },
            }
            for index, (option, targets) in enumerate(self.targets.items())
        ]
        return _json({"Associations": associations})

    def _DescribeAssociationExecutions(
        self, params: dict[str, Any]
    ) -> tuple[int, bytes, str, dict]:
        return _json(
            {
                "AssociationExecutions": [
                    {
                        "AssociationId": params.get("AssociationId", ""),
                        "AssociationVersion": "1",
                        "ExecutionId": "e" + params.get("AssociationId", "")[1:],
                        "Status": "Success",
                        "DetailedStatus": "Success",
                        "CreatedTime": _RAN,
                        "ResourceCountByStatus": "{Success=1}",
                    }
                ]
            }
        )

    def _GetServiceSetting(self, params: dict[str, Any]) -> tuple[int, bytes, str, dict]:
        return _json(
            {
                "ServiceSetting": {
                    "SettingId": params.get("SettingId", ""),
                    "SettingValue": self.dhmc_role,
                }
            }
        )

    def _ListResourceDataSync(self, params: dict[str, Any]) -> tuple[int, bytes, str, dict]:
        return _json({"ResourceDataSyncItems": []})

    # Systems Manager: managed nodes

    def _DescribeInstanceInformation(self, params: dict[str, Any]) -> tuple[int, bytes, str, dict]:
        size = int(params.get("MaxResults") or 10)
        if not 5 <= size <= 50:
            return _json_error(400, "ValidationException", "MaxResults: 5 to 50")
        wanted: list[str] | None = None
        for item in params.get("Filters") or []:
            if item.get("Key") == "InstanceIds":
                values = item.get("Values") or []
                if not 1 <= len(values) <= 100:
                    return _json_error(
                        400, "ValidationException", "Filters.Values: 1 to 100 members"
                    )
                wanted = values
        by_id = {instance.instance_id: instance for instance in self.instances}
        chosen = (
            self.instances
            if wanted is None
            else [
                by_id[instance_id] for instance_id in dict.fromkeys(wanted) if instance_id in by_id
            ]
        )
        nodes = [instance for instance in chosen if instance.ping is not None]
        start = int(params.get("NextToken") or 0)
        page = nodes[start : start + size]
        answer: dict[str, Any] = {
            "InstanceInformationList": [
                {
                    "InstanceId": node.instance_id,
                    "PingStatus": node.ping,
                    "ResourceType": "EC2Instance",
                }
                for node in page
            ]
        }
        if start + size < len(nodes):
            answer["NextToken"] = str(start + size)
        return _json(answer)

    # EC2

    def _DescribeInstances(self, params: dict[str, Any]) -> tuple[int, bytes, str, dict]:
        filters: dict[str, list[str]] = {}
        for name, value in params.items():
            parts = name.split(".")
            if parts[0] == "Filter" and parts[2] == "Name":
                index = parts[1]
                filters[value] = [
                    v
                    for k, v in sorted(params.items(), key=lambda kv: kv[0])
                    if k.startswith(f"Filter.{index}.Value.")
                ]
        matched = [instance for instance in self.instances if _matches(instance, filters)]
        size = int(params.get("MaxResults") or 1000)
        if not 5 <= size <= 1000:
            return _ec2_error(400, "InvalidParameterValue", "MaxResults: 5 to 1000")
        start = int(params.get("NextToken") or 0)
        items = "".join(_instance_xml(instance) for instance in matched[start : start + size])
        token = f"<nextToken>{start + size}</nextToken>" if start + size < len(matched) else ""
        reservation = (
            f"<item><reservationId>r-0{start:016x}</reservationId><ownerId>{ACCOUNT}</ownerId>"
            f"<instancesSet>{items}</instancesSet></item>"
            if items
            else ""
        )
        body = (
            f'<DescribeInstancesResponse xmlns="{_EC2_NS}"><requestId>00000000-0000-0000-0000-'
            f"000000000000</requestId><reservationSet>{reservation}</reservationSet>{token}"
            "</DescribeInstancesResponse>"
        )
        return 200, body.encode(), "text/xml", {}

    # IAM

    def _GetInstanceProfile(self, params: dict[str, Any]) -> tuple[int, bytes, str, dict]:
        name = params.get("InstanceProfileName", "")
        if name not in self.profiles:
            return _iam_error(404, "NoSuchEntity", f"Instance Profile {name} cannot be found.")
        role = self.profiles[name]
        roles = (
            f"<member><Path>/</Path><RoleName>{escape(role)}</RoleName><RoleId>AROAEXAMPLE"
            f"</RoleId><Arn>arn:aws:iam::{ACCOUNT}:role/{escape(role)}</Arn>"
            "<CreateDate>2026-01-01T00:00:00Z</CreateDate></member>"
            if role
            else ""
        )
        return _iam_result(
            "GetInstanceProfile",
            (
                f"<InstanceProfile><Path>/</Path><InstanceProfileName>{escape(name)}"
                f"</InstanceProfileName><InstanceProfileId>AIPAEXAMPLE</InstanceProfileId>"
                f"<Arn>arn:aws:iam::{ACCOUNT}:instance-profile/{escape(name)}</Arn>"
                f"<CreateDate>2026-01-01T00:00:00Z</CreateDate><Roles>{roles}</Roles>"
                "</InstanceProfile>"
            ),
        )

    def _ListAttachedRolePolicies(self, params: dict[str, Any]) -> tuple[int, bytes, str, dict]:
        role = params.get("RoleName", "")
        if role not in self.roles:
            return _iam_error(404, "NoSuchEntity", f"The role with name {role} cannot be found.")
        members = "".join(
            f"<member><PolicyName>{escape(arn.rsplit('/', 1)[-1])}</PolicyName>"
            f"<PolicyArn>{escape(arn)}</PolicyArn></member>"
            for arn in self.roles[role]
        )
        return _iam_result(
            "ListAttachedRolePolicies",
            (f"<AttachedPolicies>{members}</AttachedPolicies><IsTruncated>false</IsTruncated>"),
        )

    # CloudFormation

    def _ListStackResources(self, params: dict[str, Any]) -> tuple[int, bytes, str, dict]:
        """No stack here: CloudFormation's ValidationError, "Stack with id <name> does not
        exist"."""
        name = params.get("StackName", "")
        body = (
            '<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">'
            "<Error><Type>Sender</Type><Code>ValidationError</Code>"
            f"<Message>Stack with id {escape(name)} does not exist</Message></Error>"
            "<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
        )
        return 400, body.encode(), "text/xml", {}

    # Resource Groups

    def _ListGroupResources(self, params: dict[str, Any]) -> tuple[int, bytes, str, dict]:
        group = params.get("Group") or params.get("GroupName") or ""
        if group not in self.groups:
            body = {"__type": "NotFoundException", "Message": f"Cannot find group {group}."}
            return (
                404,
                json.dumps(body).encode(),
                "application/json",
                {
                    "x-amzn-ErrorType": "NotFoundException",
                },
            )
        resources = [
            {
                "Identifier": {
                    "ResourceArn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/{instance_id}",
                    "ResourceType": "AWS::EC2::Instance",
                }
            }
            for instance_id in self.groups[group]
        ]
        return 200, json.dumps({"Resources": resources}).encode(), "application/json", {}


def _association_id(index: int) -> str:
    return f"{index:08x}-5b3c-4000-8000-{index:012x}"


def _matches(instance: Instance, filters: dict[str, list[str]]) -> bool:
    for name, values in filters.items():
        if name == "instance-id":
            if instance.instance_id not in values:
                return False
        elif name == "tag-key":
            if not set(values) & set(instance.tags):
                return False
        elif name.startswith("tag:"):
            if instance.tags.get(name[4:]) not in values:
                return False
        else:
            raise AssertionError(f"the fake does not filter on {name}")
    return True


def _instance_xml(instance: Instance) -> str:
    codes = {
        "pending": 0,
        "running": 16,
        "shutting-down": 32,
        "terminated": 48,
        "stopping": 64,
        "stopped": 80,
    }
    profile = (
        f"<iamInstanceProfile><arn>arn:aws:iam::{ACCOUNT}:instance-profile/"
        f"{escape(instance.profile)}</arn><id>AIPAEXAMPLE</id></iamInstanceProfile>"
        if instance.profile
        else ""
    )
    tags = "".join(
        f"<item><key>{escape(key)}</key><value>{escape(value)}</value></item>"
        for key, value in instance.tags.items()
    )
    return (
        f"<item><instanceId>{instance.instance_id}</instanceId><instanceState><code>"
        f"{codes.get(instance.state, 0)}</code><name>{instance.state}</name></instanceState>"
        f"{profile}<tagSet>{tags}</tagSet></item>"
    )


def _json(answer: dict[str, Any]) -> tuple[int, bytes, str, dict]:
    return 200, json.dumps(answer).encode(), _JSON, {}


def _json_error(status: int, code: str, message: str) -> tuple[int, bytes, str, dict]:
    return status, json.dumps({"__type": code, "message": message}).encode(), _JSON, {}


def _ec2_error(status: int, code: str, message: str) -> tuple[int, bytes, str, dict]:
    body = (
        f"<Response><Errors><Error><Code>{code}</Code><Message>{escape(message)}</Message>"
        "</Error></Errors><RequestID>00000000-0000-0000-0000-000000000000</RequestID></Response>"
    )
    return status, body.encode(), "text/xml", {}


def _iam_error(status: int, code: str, message: str) -> tuple[int, bytes, str, dict]:
    body = (
        f'<ErrorResponse xmlns="{_IAM_NS}"><Error><Type>Sender</Type><Code>{code}</Code>'
        f"<Message>{escape(message)}</Message></Error>"
        "<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
    )
    return status, body.encode(), "text/xml", {}


def _iam_result(action: str, inner: str) -> tuple[int, bytes, str, dict]:
    body = (
        f'<{action}Response xmlns="{_IAM_NS}"><{action}Result>{inner}</{action}Result>'
        "<ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId>"
        f"</ResponseMetadata></{action}Response>"
    )
    return 200, body.encode(), "text/xml", {}


def _denied(action: str) -> tuple[int, bytes, str, dict]:
    message = f"User: arn:aws:iam::{ACCOUNT}:user/operator is not authorized to perform: {action}"
    if action in EC2_ACTIONS:
        return _ec2_error(403, "UnauthorizedOperation", message)
    if action in IAM_ACTIONS:
        return _iam_error(403, "AccessDenied", message)
    if action == "ListGroupResources":
        body = {"__type": "ForbiddenException", "Message": message}
        return (
            403,
            json.dumps(body).encode(),
            "application/json",
            {
                "x-amzn-ErrorType": "ForbiddenException",
            },
        )
    return _json_error(400, "AccessDeniedException", message)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


@contextmanager
def fake_fleet(fleet: FakeFleet) -> Iterator[FakeFleet]:
    """Serve ``fleet`` on 127.0.0.1 (a free port) until the context ends."""

    class Handler(_Handler):
        def do_POST(self) -> None:  # the http.server API
            length = int(self.headers.get("Content-Length") or 0)
            text = self.rfile.read(length).decode("utf-8", "replace")
            target = self.headers.get("X-Amz-Target", "")
            path = urllib.parse.urlparse(self.path).path
            if path not in ("", "/"):  # REST-JSON (Resource Groups): the operation is the path
                action = {"/list-group-resources": "ListGroupResources"}.get(path, path)
                params = json.loads(text or "{}")
            elif target:  # JSON protocol
                action = target.rsplit(".", 1)[-1]
                params = json.loads(text or "{}")
            else:  # query protocol
                params = {k: v[0] for k, v in urllib.parse.parse_qs(text).items()}
                action = params.get("Action", "")
            with fleet._lock:
                fleet.requests.append((action, params))
                fleet._in_flight += 1
                fleet.max_in_flight = max(fleet.max_in_flight, fleet._in_flight)
            try:
                if fleet.latency:
                    time.sleep(fleet.latency)
                status, body, content_type, headers = fleet.answer(action, params)
            finally:
                with fleet._lock:
                    fleet._in_flight -= 1
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    server = _Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    fleet.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fleet
    finally:
        server.shutdown()
        server.server_close()
