"""How the command reaches AWS: options from the environment as the AWS CLI reads them, one
client per service and Region, and member accounts through ``AssumeRole``.

A local stand-in for a boto3 session records the clients it is asked for (and how many are
being made at once), and its STS client answers ``AssumeRole`` with credentials whose
``Expiration`` each test chooses, shaped as STS's ``Credentials`` are (AccessKeyId,
SecretAccessKey, SessionToken, Expiration).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.stub import Stubber

from quicksetup_constructs.cli import aws as aws_module
from quicksetup_constructs.cli.aws import MEMBER_REFRESH, Aws, AwsOptions, _where, paginate


class Client:
    def __init__(self, session: Session, service: str, region: str, credentials: dict) -> None:
        self.session = session
        self.service = service
        self.region = region
        self.credentials = credentials
        self.closed = False

    def close(self) -> None:
        self.closed = True

    def assume_role(self, RoleArn: str, RoleSessionName: str) -> dict:
        with self.session.lock:
            self.session.assumed.append(RoleArn)
            self.session.assuming += 1
            self.session.most_assuming = max(self.session.most_assuming, self.session.assuming)
        time.sleep(self.session.latency)
        with self.session.lock:
            self.session.assuming -= 1
        account = RoleArn.split(":")[4]
        return {
            "Credentials": {
                "AccessKeyId": f"ASIA{account}",
                "SecretAccessKey": "secret",
                "SessionToken": "token",
                "Expiration": self.session.expiration(),
            }
        }


class Session:
    """What :class:`Aws` uses of a boto3 session."""

    def __init__(self, region: str | None = "us-east-1", latency: float = 0.0) -> None:
        self.region_name = region
        self.latency = latency
        self.clients: list[Client] = []
        self.lock = threading.Lock()
        self.making = 0
        self.most_making = 0
        self.assumed: list[str] = []
        self.assuming = 0
        self.most_assuming = 0
        self.expiration = lambda: datetime.now(UTC) + timedelta(hours=1)

    def client(self, service, region_name, endpoint_url, config, **credentials) -> Client:
        with self.lock:
            self.making += 1
            self.most_making = max(self.most_making, self.making)
        time.sleep(self.latency)
        client = Client(self, service, region_name, credentials)
        with self.lock:
            self.making -= 1
            self.clients.append(client)
        return client

    def get_partition_for_region(self, region: str) -> str:
        return "aws"


# options ------------------------------------------------------------------------------------


def test_the_environment_fills_what_the_options_leave_out():
    environ = {
        "AWS_PROFILE": "ops",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:4566",
    }
    assert AwsOptions().resolved(environ) == AwsOptions(
        profile="ops", region="eu-west-1", endpoint_url="http://127.0.0.1:4566"
    )


def test_aws_region_comes_before_aws_default_region_and_options_before_both():
    environ = {"AWS_REGION": "ap-northeast-1", "AWS_DEFAULT_REGION": "eu-west-1"}
    assert AwsOptions().resolved(environ).region == "ap-northeast-1"
    given = AwsOptions(profile="p", region="us-west-2", endpoint_url="http://e")
    assert given.resolved({**environ, "AWS_PROFILE": "q", "AWS_ENDPOINT_URL": "http://f"}) == given


def test_empty_variables_are_not_values():
    environ = {
        "AWS_PROFILE": "",
        "AWS_REGION": "",
        "AWS_DEFAULT_REGION": "",
        "AWS_ENDPOINT_URL": "",
    }
    assert AwsOptions().resolved(environ) == AwsOptions()


# clients ------------------------------------------------------------------------------------


def test_a_released_client_is_closed_and_made_anew():
    session = Session()
    aws = Aws(session)
    first = aws.client("ssm")
    assert aws.client("ssm", "us-east-1") is first
    aws.release("ssm")
    assert first.closed
    assert aws.client("ssm") is not first


def test_release_closes_the_client_of_its_region_only():
    session = Session()
    aws = Aws(session)
    here, there = aws.client("ssm"), aws.client("ssm", "eu-west-1")
    aws.release("ssm", "eu-west-1")
    assert (here.closed, there.closed) == (False, True)
    assert aws.client("ssm") is here
    aws.release("ssm", "ap-south-1")  # never made: nothing to close, no error
    assert not here.closed


def test_clients_asked_for_at_once_are_one_client_made_once():
    """Threads that all find no client make it once between them, and all get that one."""
    session = Session(latency=0.1)
    aws = Aws(session)
    got: list[Client] = []
    threads = [threading.Thread(target=lambda: got.append(aws.client("ssm"))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(session.clients) == 1
    assert got == session.clients * 4


# member accounts ----------------------------------------------------------------------------


def test_a_member_is_its_account_through_the_role_with_its_credentials():
    session = Session()
    aws = Aws(session)
    member = aws.member("210987654321", "QuickSetupReader")
    assert session.assumed == ["arn:aws:iam::210987654321:role/QuickSetupReader"]
    assert member.known_account == "210987654321"
    client = member.client("ssm", "eu-west-1")
    assert client.credentials == {
        "aws_access_key_id": "ASIA210987654321",
        "aws_secret_access_key": "secret",
        "aws_session_token": "token",
    }


def test_a_member_is_assumed_once_while_its_credentials_last():
    session = Session()
    aws = Aws(session)
    assert aws.member("210987654321", "R") is aws.member("210987654321", "R")
    assert len(session.assumed) == 1


@pytest.mark.parametrize(
    "expiration",
    [
        "2026-01-05T09:00:00Z",  # not a datetime: nothing to compare
        datetime(2999, 1, 1),  # naive: read as UTC
        datetime(2999, 1, 1, tzinfo=UTC),
    ],
)
def test_credentials_that_do_not_expire_soon_are_reused(expiration):
    session = Session()
    session.expiration = lambda: expiration
    aws = Aws(session)
    aws.member("210987654321", "R")
    aws.member("210987654321", "R")
    assert len(session.assumed) == 1


def test_credentials_within_the_refresh_margin_are_assumed_again(monkeypatch):
    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return now

    now = Frozen(2026, 12, 5, 12, 0, tzinfo=UTC)  # STS's Expiration is a datetime too
    monkeypatch.setattr(aws_module, "datetime", Frozen)
    session = Session()
    aws = Aws(session)
    session.expiration = lambda: now + MEMBER_REFRESH  # exactly at the margin: refresh
    aws.member("210987654321", "R")
    aws.member("210987654321", "R")
    assert len(session.assumed) == 2
    session.expiration = lambda: now + MEMBER_REFRESH + timedelta(seconds=1)
    aws.member("309876543210", "R")
    aws.member("309876543210", "R")
    assert len(session.assumed) == 3


def test_members_of_different_accounts_are_assumed_side_by_side():
    """One AssumeRole at a time per account, not one at a time overall."""
    session = Session(latency=0.2)
    aws = Aws(session)
    aws.client("sts")  # made before the threads start
    threads = [
        threading.Thread(target=aws.member, args=(account, "R"))
        for account in ("210987654321", "309876543210", "410987654321")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert session.most_assuming > 1


def test_a_member_makes_its_clients_under_the_parents_lock():
    """Clients of one session are never made at once (the session is shared by its members)."""
    session = Session(latency=0.05)
    aws = Aws(session)
    member = aws.member("210987654321", "R")
    regions = ["eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1"]
    threads = [threading.Thread(target=aws.client, args=("ssm", r)) for r in regions] + [
        threading.Thread(target=member.client, args=("ssm", r)) for r in regions
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert session.most_making == 1


# pages --------------------------------------------------------------------------------------


def test_pages_are_read_to_the_end_and_a_page_without_the_key_has_no_items():
    """A list member is optional in an answer (ListAssociations' ``Associations`` is not
    required by the service model): a page without it adds nothing; ``NextToken`` is followed."""
    ssm = boto3.client(
        "ssm", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    with Stubber(ssm) as stub:
        first = {"AssociationId": "11111111-2222-3333-4444-555555555555", "Name": "A"}
        last = {"AssociationId": "66666666-7777-8888-9999-000000000000", "Name": "B"}
        stub.add_response("list_associations", {"Associations": [first], "NextToken": "t1"})
        stub.add_response("list_associations", {"NextToken": "t2"}, {"NextToken": "t1"})
        stub.add_response("list_associations", {"Associations": [last]}, {"NextToken": "t2"})
        assert list(paginate(ssm, "list_associations", "Associations")) == [first, last]
        stub.assert_no_pending_responses()


# where an error happened --------------------------------------------------------------------


def test_where_names_the_region_and_the_account_as_far_as_known():
    aws = Aws(Session(), account="111122223333")
    assert _where(aws) == " in us-east-1 (account 111122223333)"
    assert _where(Aws(Session(region=None), account="111122223333")) == " (account 111122223333)"
    assert _where(Aws(Session())) == " in us-east-1"
    assert _where(Aws(Session(region=None))) == ""
    assert _where(None) == ""
