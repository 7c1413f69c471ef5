"""A local HTTP endpoint that answers AWS JSON-protocol calls the way a misbehaving service
does: it accepts and never answers, answers 500 with an HTML body, or throttles. Bound to
127.0.0.1 on a free port; every request it received is kept, and it stops with its context.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

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

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 - the http.server API
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

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        fake._release.set()
        server.shutdown()
        server.server_close()
