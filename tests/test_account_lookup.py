"""The synth-time account look-up, against a real moto server (AWS Organizations over HTTP)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from types import SimpleNamespace

import aws_cdk as cdk
import boto3
import pytest
from aws_cdk.assertions import Annotations, Match

from quicksetup_constructs import QuickSetupOrganization, QuickSetupValidationError
from quicksetup_constructs.organization.accounts import CONTEXT_FILE, context_key

from .apps import new_app
from .moto_server import free_port, moto_server

REGIONS = ["us-east-1", "eu-west-1"]
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
OTHER_KEY = "availability-zones:account=111111111111:region=us-east-1"


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture(scope="module")
def organization(moto_url) -> SimpleNamespace:
    """root: management account, 1 account, OU Workloads (22 accounts: more than a page) with
    child Prod (2 accounts) and grandchild Critical (1), OU Sandbox (2 accounts + 1 closed)."""
    client = boto3.client(
        "organizations",
        endpoint_url=moto_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    management = client.create_organization(FeatureSet="ALL")["Organization"]["MasterAccountId"]
    root = client.list_roots()["Roots"][0]["Id"]

    def unit(name: str, parent: str) -> str:
        created = client.create_organizational_unit(ParentId=parent, Name=name)
        return created["OrganizationalUnit"]["Id"]

    def accounts(count: int, parent: str, prefix: str) -> list[str]:
        ids = []
        for n in range(count):
            status = client.create_account(
                Email=f"{prefix}{n}@example.com", AccountName=f"{prefix}{n}"
            )
            account_id = status["CreateAccountStatus"]["AccountId"]
            if parent != root:
                client.move_account(
                    AccountId=account_id, SourceParentId=root, DestinationParentId=parent
                )
            ids.append(account_id)
        return ids

    workloads = unit("Workloads", root)
    prod = unit("Prod", workloads)
    critical = unit("Critical", prod)
    sandbox = unit("Sandbox", root)
    accounts(1, root, "loose")
    accounts(22, workloads, "workload")
    accounts(2, prod, "prod")
    accounts(1, critical, "critical")
    accounts(2, sandbox, "sandbox")
    client.close_account(AccountId=accounts(1, sandbox, "closed")[0])
    return SimpleNamespace(
        management=management, root=root, workloads=workloads, prod=prod, sandbox=sandbox
    )


@pytest.fixture
def aws_env(monkeypatch, tmp_path):
    """A clean working directory and AWS configuration: no profile, no config files."""
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "CDK_CONTEXT_JSON",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")  # nothing listens
    monkeypatch.chdir(tmp_path)
    return monkeypatch


@pytest.fixture
def moto_env(aws_env, moto_url):
    for name, value in CREDENTIALS.items():
        aws_env.setenv(name, value)
    aws_env.setenv("AWS_ENDPOINT_URL", moto_url)
    return aws_env


def _organization(
    unit_ids: list[str], app: cdk.App | None = None, **props
) -> tuple[cdk.Stack, QuickSetupOrganization]:
    stack = cdk.Stack(app or new_app(), "Org")
    return stack, QuickSetupOrganization(
        stack, "OrgQuickSetup", organizational_unit_ids=unit_ids, regions=REGIONS, **props
    )


def _context_file() -> dict:
    with open(CONTEXT_FILE, encoding="utf-8") as file:
        return json.load(file)


def _unchecked_warnings(stack: cdk.Stack) -> list:
    return Annotations.from_stack(stack).find_warning(
        "*", Match.string_like_regexp("2,000-target check .* could not be completed")
    )


def test_counts_active_accounts_under_ous_and_their_children(organization, moto_env):
    stack, org = _organization([organization.workloads, organization.sandbox])
    assert org.account_count == 22 + 2 + 1 + 2  # the closed account is not counted
    assert _unchecked_warnings(stack) == []


def test_counts_each_account_once_and_never_the_management_account(organization, moto_env):
    _, overlapping = _organization([organization.prod, organization.workloads])
    assert overlapping.account_count == 22 + 2 + 1
    _, everything = _organization([organization.root])
    assert everything.account_count == 1 + 22 + 2 + 1 + 2


def test_caches_the_count_in_cdk_context_json_keeping_other_keys(organization, moto_env):
    with open(CONTEXT_FILE, "w", encoding="utf-8") as file:
        json.dump({OTHER_KEY: ["us-east-1a"]}, file)
    _organization([organization.sandbox, organization.prod])
    key = context_key([organization.prod, organization.sandbox])
    units = sorted([organization.prod, organization.sandbox])
    assert key == f"quicksetup:organization-accounts:{units[0]},{units[1]}"
    assert _context_file() == {OTHER_KEY: ["us-east-1a"], key: 2 + 1 + 2}


def test_later_synths_read_the_cache_without_calling_aws(organization, moto_env):
    _organization([organization.workloads])
    cached = _context_file()
    moto_env.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")  # now unreachable

    # as under the CDK CLI, which passes cdk.context.json to the app as context
    stack, org = _organization([organization.workloads], app=new_app(context=cached))
    assert org.account_count == 25
    assert _unchecked_warnings(stack) == []
    # and as under `python app.py`, which reads the file in the working directory
    stack, org = _organization([organization.workloads])
    assert org.account_count == 25
    assert _unchecked_warnings(stack) == []


def test_fails_when_looked_up_accounts_exceed_2000_targets(aws_env, tmp_path):
    unit_id = "ou-abcd-11112222"
    (tmp_path / CONTEXT_FILE).write_text(json.dumps({context_key([unit_id]): 1001}))
    with pytest.raises(QuickSetupValidationError) as error:
        _organization([unit_id])
    assert error.value.prop == "organizational_unit_ids"
    assert "1,001 accounts × 2 Regions = 2,002 targets" in str(error.value)


def test_account_count_is_used_without_a_look_up(aws_env):
    stack, org = _organization(["ou-abcd-11112222"], account_count=7)
    assert org.account_count == 7
    assert _unchecked_warnings(stack) == []
    assert not os.path.exists(CONTEXT_FILE)


def test_warns_without_credentials(aws_env):
    started = time.monotonic()
    stack, org = _organization(["ou-abcd-11112222"])
    assert org.account_count is None
    [warning] = _unchecked_warnings(stack)
    message = warning.entry.data
    assert "NoCredentialsError" in message
    assert "Give account_count" in message and "cdk.context.json" in message
    assert time.monotonic() - started < 30
    assert not os.path.exists(CONTEXT_FILE)


def test_warns_when_organizations_cannot_be_reached(aws_env):
    for name, value in CREDENTIALS.items():
        aws_env.setenv(name, value)
    stack, org = _organization(["ou-abcd-11112222"])
    assert org.account_count is None
    [warning] = _unchecked_warnings(stack)
    assert "EndpointConnectionError" in warning.entry.data
