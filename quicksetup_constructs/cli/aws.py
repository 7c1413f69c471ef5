"""Talking to AWS: a boto3 session from ``--profile`` / ``--region`` (as the AWS CLI reads
them), cached clients, member-account sessions, and the one-line errors for what goes wrong.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from ..region_code import REGION_CODE
from .errors import CliError

T = TypeVar("T")

_MEMBER_SESSION_NAME = "quicksetup-status"
MEMBER_REFRESH = timedelta(minutes=5)
"""A member account's credentials are assumed again when they expire within this time."""

CONNECT_TIMEOUT_SECONDS = 5
"""How long a connection may take to open, as ``--cli-connect-timeout`` (AWS CLI: 60)."""
READ_TIMEOUT_SECONDS = 8
"""How long an answer may take, as ``--cli-read-timeout`` (AWS CLI: 60). With
:data:`ATTEMPTS` tries and the standard retry mode's back-off, a call to an endpoint that
accepts and never answers gives up within 30 s."""
ATTEMPTS = 3
"""Tries of each call in botocore's standard retry mode (the first and two retries)."""


@dataclass(frozen=True)
class AwsOptions:
    """How to reach AWS, from the global options and the environment, as the AWS CLI v2 reads
    them: ``--profile`` / ``AWS_PROFILE``; ``--region`` / ``AWS_REGION`` /
    ``AWS_DEFAULT_REGION`` / the profile's; ``--endpoint-url`` / ``AWS_ENDPOINT_URL``;
    ``--cli-connect-timeout`` and ``--cli-read-timeout`` in seconds (0: wait forever)."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    connect_timeout: float = CONNECT_TIMEOUT_SECONDS
    read_timeout: float = READ_TIMEOUT_SECONDS

    def resolved(self, environ: Mapping[str, str] = os.environ) -> AwsOptions:
        """These options with the environment's values where none was given."""
        return AwsOptions(
            profile=self.profile or environ.get("AWS_PROFILE") or None,
            region=(
                self.region
                or environ.get("AWS_REGION")
                or environ.get("AWS_DEFAULT_REGION")
                or None
            ),
            endpoint_url=self.endpoint_url or environ.get("AWS_ENDPOINT_URL") or None,
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
        )

    def client_config(self) -> Any:
        """botocore's client configuration: the timeouts (None where 0) and standard retries."""
        from botocore.config import Config

        return Config(
            connect_timeout=self.connect_timeout or None,
            read_timeout=self.read_timeout or None,
            retries={"mode": "standard", "total_max_attempts": ATTEMPTS},
        )


def check_region(region: str) -> None:
    """``region`` is shaped like an AWS Region name (``us-east-1``)."""
    if not REGION_CODE.fullmatch(region):
        raise _not_a_region(region)


def _not_a_region(region: Any) -> CliError:
    return CliError(
        f"--region {region!r} is not an AWS Region name (like us-east-1 or ap-northeast-1)"
    )


NO_REGION = "no AWS Region: pass --region, or set AWS_REGION or a region in the profile"


class Aws:
    """A boto3 session and the clients made from it, one per service and Region.

    A member account's :class:`Aws` (:meth:`member`) shares its parent's session and makes its
    clients with the credentials ``sts:AssumeRole`` gave: one session for every account, as a
    session costs megabytes and a client far less. Sessions are not thread-safe (botocore
    creates a session's components lazily, and the maintainers ask that clients of one session
    not be created in parallel: boto/botocore#2985, boto/boto3#1592), while clients are once
    created; so every client of a session is created under one lock, shared by its members.
    """

    def __init__(
        self,
        session: Any,
        options: AwsOptions | None = None,
        *,
        credentials: Mapping[str, Any] | None = None,
        account: str | None = None,
        parent: Aws | None = None,
    ) -> None:
        self.session = session
        self.options = options or AwsOptions()
        self._config: Any = parent._config if parent else self.options.client_config()
        self._clients: dict[tuple[str, str], Any] = {}
        self._members: dict[str, Aws] = {}
        self._account: str | None = account
        self._credentials = dict(credentials) if credentials else None
        """A member account's credentials (``AssumeRole``'s), None for the session's own."""
        self._lock: threading.RLock = parent._lock if parent else threading.RLock()
        """Held while a client of the (shared) session is created."""
        self._member_locks: dict[str, threading.Lock] = {}
        self._partition: str | None = None

    @classmethod
    def from_options(
        cls,
        profile: str | None = None,
        region: str | None = None,
        options: AwsOptions | None = None,
    ) -> Aws:
        """The session the AWS CLI would use with these options (``profile`` and ``region``
        override ``options``'), with the environment's values where none is given."""
        import boto3
        from botocore.exceptions import ProfileNotFound

        given = options or AwsOptions()
        resolved = AwsOptions(
            profile=profile or given.profile,
            region=region or given.region,
            endpoint_url=given.endpoint_url,
            connect_timeout=given.connect_timeout,
            read_timeout=given.read_timeout,
        ).resolved()
        if resolved.region is not None:
            check_region(resolved.region)
        try:
            return cls(
                boto3.Session(profile_name=resolved.profile, region_name=resolved.region),
                resolved,
            )
        except ProfileNotFound:
            raise CliError(
                f"AWS profile {resolved.profile!r} not found in the AWS config or credentials "
                "files (see `aws configure list-profiles`)"
            ) from None

    @property
    def region(self) -> str:
        region = self.session.region_name
        if not region:
            raise CliError(NO_REGION)
        return region

    def client(self, service: str, region: str | None = None) -> Any:
        """The client of ``service`` in ``region`` (default: the session's)."""
        region = region or self.region
        key = (service, region)
        client = self._clients.get(key)
        if client is None:
            with self._lock:
                client = self._clients.get(key)
                if client is None:
                    client = self._clients[key] = self.session.client(
                        service,
                        region_name=region,
                        endpoint_url=self.options.endpoint_url,
                        config=self._config,
                        **self._credential_arguments(),
                    )
        return client

    def release(self, service: str, region: str | None = None) -> None:
        """Forget (and close) the client of ``service`` in ``region``: a member account's
        clients are released once read, so that memory does not grow with the accounts."""
        with self._lock:
            client = self._clients.pop((service, region or self.region), None)
        if client is not None:
            client.close()

    def _credential_arguments(self) -> dict[str, Any]:
        if self._credentials is None:
            return {}
        return {
            "aws_access_key_id": self._credentials["AccessKeyId"],
            "aws_secret_access_key": self._credentials["SecretAccessKey"],
            "aws_session_token": self._credentials.get("SessionToken"),
        }

    def _expires_soon(self) -> bool:
        expiration = (self._credentials or {}).get("Expiration")
        if not isinstance(expiration, datetime):
            return False
        if expiration.tzinfo is None:
            expiration = expiration.replace(tzinfo=UTC)
        return expiration - datetime.now(UTC) <= MEMBER_REFRESH

    @property
    def known_account(self) -> str | None:
        """The account of the credentials if it was read already, else None (no AWS call)."""
        return self._account

    @property
    def account(self) -> str:
        """The account of the credentials (STS GetCallerIdentity)."""
        if self._account is None:
            self._account = self.client("sts").get_caller_identity()["Account"]
        return self._account

    def member(self, account: str, role_name: str) -> Aws:
        """``account``, through role ``role_name`` there: ``AssumeRole`` once, the credentials
        reused until they expire within :data:`MEMBER_REFRESH`. Thread-safe: one
        ``AssumeRole`` at a time per account."""
        with self._lock:
            lock = self._member_locks.setdefault(account, threading.Lock())
        with lock:
            member = self._members.get(account)
            if member is None or member._expires_soon():
                credentials = self.client("sts").assume_role(
                    RoleArn=f"arn:{self._partition_name()}:iam::{account}:role/{role_name}",
                    RoleSessionName=_MEMBER_SESSION_NAME,
                )["Credentials"]
                member = Aws(
                    self.session,
                    self.options,
                    credentials=credentials,
                    account=account,
                    parent=self,
                )
                with self._lock:
                    self._members[account] = member
            return member

    def _partition_name(self) -> str:
        with self._lock:  # reads the session's endpoint data
            if self._partition is None:
                self._partition = self.session.get_partition_for_region(self.region)
            return self._partition


def paginate(client: Any, operation: str, key: str, **params: Any) -> Iterator[Any]:
    """Every item under ``key`` of every page of ``operation``."""
    for page in client.get_paginator(operation).paginate(**params):
        yield from page.get(key, [])


@contextmanager
def aws_errors(aws: Aws | None = None) -> Iterator[None]:
    """Turn what boto3 raises into a :class:`CliError` of one line."""
    from botocore.exceptions import (
        ClientError,
        ConnectTimeoutError,
        EndpointConnectionError,
        InvalidRegionError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
        ProfileNotFound,
        ReadTimeoutError,
        TokenRetrievalError,
    )
    from botocore.parsers import ResponseParserError

    try:
        yield
    except (NoCredentialsError, PartialCredentialsError):
        raise CliError(
            "no AWS credentials found: run `aws configure` or `aws sso login`, set "
            "AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or pass --profile"
        ) from None
    except TokenRetrievalError as error:
        raise CliError(f"AWS credentials could not be refreshed: {error}") from None
    except ProfileNotFound as error:
        raise CliError(f"{error} (see `aws configure list-profiles`)") from None
    except NoRegionError:
        raise CliError(NO_REGION) from None
    except InvalidRegionError as error:
        raise _not_a_region(error.kwargs.get("region_name")) from None
    except (ReadTimeoutError, ConnectTimeoutError) as error:
        waited = (
            "--cli-read-timeout"
            if isinstance(error, ReadTimeoutError)
            else ("--cli-connect-timeout")
        )
        raise CliError(
            f"endpoint not answering: {error.kwargs.get('endpoint_url')}{_where(aws)} "
            f"(gave up after {ATTEMPTS} tries; {waited} waits longer)"
        ) from None
    except EndpointConnectionError as error:
        raise CliError(
            f"cannot reach the endpoint {error.kwargs.get('endpoint_url')}{_where(aws)}: check the "
            "Region, --endpoint-url and the network"
        ) from None
    except ResponseParserError as error:
        raise CliError(
            f"the answer of AWS{_where(aws)} could not be read: {one_line(str(error))}"
        ) from None
    except ClientError as error:
        raise CliError(describe_client_error(error, _where(aws))) from None


def _where(aws: Aws | None) -> str:
    """`` in us-east-1 (account 111111111111)``, as far as it is known."""
    if aws is None:
        return ""
    region = aws.session.region_name
    account = f"account {aws.known_account}" if aws.known_account else ""
    return "".join(
        [
            f" in {region}" if region else "",
            f" ({account})" if account else "",
        ]
    )


_TAG = re.compile(r"<[^>]+>")


def one_line(text: str, limit: int = 200) -> str:
    """``text`` on one line: markup (an HTML error page's) dropped, white space folded, cut
    at ``limit`` characters."""
    folded = " ".join(_TAG.sub(" ", text).split())
    return folded if len(folded) <= limit else folded[: limit - 1] + "…"


def describe_client_error(error: Any, where: str = "") -> str:
    """``AccessDenied`` and friends: the call that failed, where, and why, on one line."""
    code = error.response.get("Error", {}).get("Code", "Error")
    message = one_line(str(error.response.get("Error", {}).get("Message", error)))
    operation = getattr(error, "operation_name", "the request")
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if code in ("ExpiredToken", "ExpiredTokenException", "RequestExpired"):
        return f"the AWS credentials have expired ({operation}{where}): refresh them and try again"
    if code in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation"):
        return f"AWS denied {operation}{where}: {message}"
    if code in ("UnrecognizedClientException", "InvalidClientTokenId", "SignatureDoesNotMatch"):
        return f"the AWS credentials were rejected ({operation}{where}): {message}"
    if code in ("Throttling", "ThrottlingException", "TooManyRequestsException"):
        return (
            f"{operation}{where} was throttled after {ATTEMPTS} tries: {message}; try again later"
        )
    if code.isdigit() or (isinstance(status, int) and status >= 500):
        return f"{operation}{where} failed: the service answered HTTP {status or code}: {message}"
    return f"{operation}{where} failed: {code}: {message}"


def error_code(error: Exception) -> str | None:
    response = getattr(error, "response", None)
    return response.get("Error", {}).get("Code") if isinstance(response, dict) else None


def call_or(default: Callable[[], T], function: Callable[[], T]) -> T:
    """``function()``, or ``default()`` when AWS answers with an error."""
    from botocore.exceptions import ClientError

    try:
        return function()
    except ClientError:
        return default()
