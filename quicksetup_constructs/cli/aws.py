"""Talking to AWS: a boto3 session from ``--profile`` / ``--region`` (as the AWS CLI reads
them), cached clients, member-account sessions, and the one-line errors for what goes wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from .errors import CliError

T = TypeVar("T")

_MEMBER_SESSION_NAME = "quicksetup-status"


class Aws:
    """A boto3 session and the clients made from it, one per service and Region."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self._clients: dict[tuple[str, str], Any] = {}
        self._members: dict[str, Aws] = {}
        self._account: str | None = None

    @classmethod
    def from_options(cls, profile: str | None, region: str | None) -> Aws:
        """The session the AWS CLI would use with ``--profile`` and ``--region``."""
        import boto3
        from botocore.exceptions import ProfileNotFound

        try:
            return cls(boto3.Session(profile_name=profile, region_name=region))
        except ProfileNotFound:
            raise CliError(
                f"AWS profile {profile!r} not found in the AWS config or credentials files "
                "(see `aws configure list-profiles`)"
            ) from None

    @property
    def region(self) -> str:
        region = self.session.region_name
        if not region:
            raise CliError(
                "no AWS Region: pass --region, or set AWS_REGION or a region in the profile"
            )
        return region

    def client(self, service: str, region: str | None = None) -> Any:
        """The client of ``service`` in ``region`` (default: the session's)."""
        region = region or self.region
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = self.session.client(service, region_name=region)
        return self._clients[key]

    @property
    def account(self) -> str:
        """The account of the credentials (STS GetCallerIdentity)."""
        if self._account is None:
            self._account = self.client("sts").get_caller_identity()["Account"]
        return self._account

    def member(self, account: str, role_name: str) -> Aws:
        """A session in ``account``, through role ``role_name`` there."""
        if account not in self._members:
            import boto3

            partition = self.session.get_partition_for_region(self.region)
            credentials = self.client("sts").assume_role(
                RoleArn=f"arn:{partition}:iam::{account}:role/{role_name}",
                RoleSessionName=_MEMBER_SESSION_NAME,
            )["Credentials"]
            self._members[account] = Aws(
                boto3.Session(
                    aws_access_key_id=credentials["AccessKeyId"],
                    aws_secret_access_key=credentials["SecretAccessKey"],
                    aws_session_token=credentials["SessionToken"],
                    region_name=self.region,
                )
            )
        return self._members[account]


def paginate(client: Any, operation: str, key: str, **params: Any) -> Iterator[Any]:
    """Every item under ``key`` of every page of ``operation``."""
    for page in client.get_paginator(operation).paginate(**params):
        yield from page.get(key, [])


@contextmanager
def aws_errors(aws: Aws | None = None) -> Iterator[None]:
    """Turn what boto3 raises into a :class:`CliError` of one line."""
    from botocore.exceptions import (
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
        ProfileNotFound,
        TokenRetrievalError,
    )

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
        raise CliError(
            "no AWS Region: pass --region, or set AWS_REGION or a region in the profile"
        ) from None
    except EndpointConnectionError as error:
        raise CliError(f"cannot reach AWS: {error}") from None
    except ClientError as error:
        raise CliError(describe_client_error(error)) from None


def describe_client_error(error: Any) -> str:
    """``AccessDenied`` and friends, with the call that failed."""
    code = error.response.get("Error", {}).get("Code", "Error")
    message = error.response.get("Error", {}).get("Message", str(error))
    operation = getattr(error, "operation_name", "the request")
    if code in ("ExpiredToken", "ExpiredTokenException", "RequestExpired"):
        return f"the AWS credentials have expired ({operation}): refresh them and try again"
    if code in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation"):
        return f"AWS denied {operation}: {message}"
    if code in ("UnrecognizedClientException", "InvalidClientTokenId", "SignatureDoesNotMatch"):
        return f"the AWS credentials were rejected ({operation}): {message}"
    return f"{operation} failed: {code}: {message}"


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
