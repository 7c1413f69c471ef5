"""Counting the accounts under some OUs at synth time, cached in ``cdk.context.json``.

A service-managed StackSet deploys to every account under its OUs, child OUs included, except
the organization's management account. The count feeds the 2,000-target check. Like CDK's own
look-ups, the first synth asks AWS (AWS Organizations, with the credentials of the environment)
and writes the answer to ``cdk.context.json``; later synths read it from there and need no
network. Delete the key (or run ``cdk context --reset <key>``) to count again.

boto3 is imported only when a look-up is needed; it is not a dependency of this library.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..validation import is_unresolved

if TYPE_CHECKING:
    from constructs import Construct

CONTEXT_KEY_PREFIX = "quicksetup:organization-accounts:"
CONTEXT_FILE = "cdk.context.json"
_TIMEOUT_SECONDS = 5
_ACCOUNTS = ("list_accounts_for_parent", "Accounts")
_UNITS = ("list_organizational_units_for_parent", "OrganizationalUnits")


@dataclass(frozen=True)
class AccountCount:
    """The number of accounts a StackSet deploys to, or why it could not be counted."""

    count: int | None
    problem: str | None = None


def context_key(unit_ids: Iterable[str]) -> str:
    """The context key of a look-up, e.g. ``quicksetup:organization-accounts:ou-a,ou-b``."""
    return CONTEXT_KEY_PREFIX + ",".join(sorted(unit_ids))


def look_up_account_count(
    scope: Construct, unit_ids: Sequence[str], *, region: str | None = None
) -> AccountCount:
    """The accounts under ``unit_ids``: from the context, else from AWS (then cached).

    Never raises: a failed look-up returns the reason in ``problem``.
    """
    if any(is_unresolved(unit_id) for unit_id in unit_ids):
        return AccountCount(None, "organizational_unit_ids holds values known only at deploy time")
    key = context_key(unit_ids)
    cached = _as_count(scope.node.try_get_context(key))
    if cached is None:
        cached = _as_count(_read_context_file().get(key))
    if cached is not None:
        return AccountCount(cached)
    try:
        count = count_accounts(_organizations_client(region), unit_ids)
    except Exception as error:  # no boto3, no credentials, no network, access denied...
        return AccountCount(None, f"{type(error).__name__}: {error}")
    _write_context_file(key, count)
    return AccountCount(count)


def count_accounts(client: Any, unit_ids: Iterable[str]) -> int:
    """Distinct ACTIVE accounts under ``unit_ids`` and their child OUs, without the management
    account (which a service-managed StackSet never deploys to)."""
    return len(member_accounts(client, unit_ids))


def member_accounts(client: Any, unit_ids: Iterable[str]) -> set[str]:
    """The ids of the accounts :func:`count_accounts` counts."""
    management_account = client.describe_organization()["Organization"]["MasterAccountId"]
    accounts: set[str] = set()
    seen: set[str] = set()
    pending = list(unit_ids)
    while pending:
        parent = pending.pop()
        if parent in seen:
            continue
        seen.add(parent)
        for account in _children(client, _ACCOUNTS, parent):
            if account.get("State", account.get("Status")) == "ACTIVE":
                accounts.add(account["Id"])
        pending.extend(unit["Id"] for unit in _children(client, _UNITS, parent))
    accounts.discard(management_account)
    return accounts


def _children(client: Any, listing: tuple[str, str], parent: str) -> Iterable[dict[str, Any]]:
    """Every item of a paginated listing under ``parent``."""
    operation, key = listing
    for page in client.get_paginator(operation).paginate(ParentId=parent):
        yield from page[key]


def _organizations_client(region: str | None) -> Any:
    """An Organizations client that fails fast: short timeouts and no retries."""
    import boto3
    from botocore.config import Config

    session = boto3.session.Session()
    return session.client(
        "organizations",
        region_name=region or session.region_name or "us-east-1",
        config=Config(
            connect_timeout=_TIMEOUT_SECONDS,
            read_timeout=_TIMEOUT_SECONDS,
            retries={"total_max_attempts": 1},
        ),
    )


def _as_count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value >= 0:
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _read_context_file() -> dict[str, Any]:
    try:
        content = json.loads(Path(CONTEXT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return content if isinstance(content, dict) else {}


def _write_context_file(key: str, count: int) -> None:
    """Add ``key`` to ``cdk.context.json`` in the working directory, keeping the other keys.

    A file that is not a JSON object is left alone; the count is still used for this synth.
    """
    path = Path(CONTEXT_FILE)
    try:
        content = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        if isinstance(content, dict):
            content[key] = count
            path.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
    except (OSError, ValueError):
        pass
