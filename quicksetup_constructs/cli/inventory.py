"""``quicksetup inventory --org``: which instances, in which accounts and Regions, have a
package (below a version), from the organization's inventory with Amazon Athena.

The workgroup, the Glue database and the crawler are the stack outputs
``InventorySync(athena=True)`` creates (``rendering/athena.py``:
``…InventoryAthenaWorkGroupName…``, ``…InventoryAthenaDatabaseName…`` and
``…InventoryAthenaCrawlerName…``), or ``--athena-workgroup`` / ``--athena-database`` /
``--crawler``. ``--refresh`` starts the crawler first (:mod:`.crawler`). The
query narrows by package name (an execution parameter); versions are compared here, as rpm or
dpkg compare them (decision 26, :mod:`.versions`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .athena import WAIT_TIMEOUT_SECONDS, QueryResult, narrowed, run_query, string_parameter
from .aws import Aws, paginate
from .crawler import CrawlerRefresh
from .errors import CliError
from .versions import Version, compare

APPLICATION_TABLE = "aws_application"
"""The Glue table of ``AWS:Application`` (``rendering/athena.py``'s ``TABLE_NAMES``)."""
_OUTPUT = re.compile(
    r"^(?P<scope>.*)InventoryAthena(?P<name>WorkGroupName|DatabaseName|CrawlerName)[0-9A-F]{8}$"
)
"""A stack output of ``rendering/athena.py``: its logical ID is the construct's path (ending in
``InventoryAthena``), the output's id and CDK's hash of the path."""

QUERY = (
    "SELECT accountid, region, resourceid, name, version, release, epoch, architecture, "
    "capturetime FROM " + APPLICATION_TABLE + " "
    "WHERE resourcetype = 'ManagedInstanceInventory' AND name = ?"
)
"""The constant SQL: the package name (and ``--account``, ``--target-region``) are execution
parameters."""
_ORDER = " ORDER BY accountid, region, resourceid"

HINT = (
    "create them with InventorySync(..., athena=True), or pass --athena-workgroup and "
    "--athena-database"
)


@dataclass(frozen=True)
class InstalledVersion:
    """One installed copy of the package."""

    version: str
    architecture: str | None

    @property
    def key(self) -> str:
        """``VERSION.ARCHITECTURE`` (as rpm names a package's copy), or the version."""
        return f"{self.version}.{self.architecture}" if self.architecture else self.version


@dataclass
class InstancePackage:
    """An instance that has the package, where it is, and when its inventory was taken."""

    instance_id: str
    account: str
    region: str
    capture_time: str | None
    versions: list[InstalledVersion] = field(default_factory=list)


@dataclass
class OrganizationInventory:
    """The answer of ``inventory --org``."""

    application: str
    version_below: str | None
    version_scheme: str
    workgroup: str
    database: str
    query_execution_id: str
    bytes_scanned: int
    instances: list[InstancePackage]
    refresh: CrawlerRefresh | None = None
    """The crawl ``--refresh`` waited for before the query; None without ``--refresh``."""

    @property
    def accounts(self) -> list[str]:
        return sorted({instance.account for instance in self.instances})

    JSON_EXTRA = ("accounts",)


def find_athena(
    aws: Aws,
    stack_name: str | None,
    workgroup: str | None,
    database: str | None,
    outputs: list[tuple[str, str]] | None = None,
) -> tuple[str, str]:
    """The workgroup and database to query: those given, else the stack outputs of
    ``stack_name`` (or of every stack in the account and Region; ``outputs``, when they were
    read already)."""
    if workgroup and database:
        return workgroup, database
    found = athena_outputs(aws, stack_name) if outputs is None else outputs
    if workgroup:
        found = [pair for pair in found if pair[0] == workgroup]
        if not found:
            raise CliError(
                f"no Glue database found for the workgroup {workgroup!r}: pass --athena-database"
            )
    where = f"stack {stack_name}" if stack_name else "any stack of the account and Region"
    if not found:
        raise CliError(f"no inventory Athena workgroup found in the outputs of {where}: {HINT}")
    if len(found) > 1:
        names = ", ".join(sorted(pair[0] for pair in found))
        raise CliError(
            f"several inventory Athena workgroups in {where} ({names}): pass --athena-workgroup"
        )
    return found[0]


def find_crawler(aws: Aws, stack_name: str | None, workgroup: str | None) -> str:
    """The Glue crawler of the inventory: the stack output beside ``workgroup`` (the one
    queried), or the only one in the outputs of ``stack_name`` (or of every stack in the
    account and Region)."""
    where = f"stack {stack_name}" if stack_name else "any stack of the account and Region"
    found = sorted(
        {
            names["CrawlerName"]
            for names in _scopes(aws, stack_name)
            if "CrawlerName" in names and workgroup in (None, names.get("WorkGroupName"))
        }
    )
    if not found:
        beside = f" beside the workgroup {workgroup!r}" if workgroup else ""
        raise CliError(
            f"no inventory Glue crawler found{beside} in the outputs of {where}: pass --crawler"
        )
    if len(found) > 1:
        raise CliError(
            f"several inventory Glue crawlers in {where} ({', '.join(found)}): pass --crawler "
            "or --athena-workgroup"
        )
    return found[0]


def athena_outputs(aws: Aws, stack_name: str | None) -> list[tuple[str, str]]:
    """(workgroup, database) of every ``InventorySync(athena=True)`` in the outputs of stack
    ``stack_name``, or of every stack of the account and Region."""
    return sorted(
        {
            (names["WorkGroupName"], names["DatabaseName"])
            for names in _scopes(aws, stack_name)
            if "WorkGroupName" in names and "DatabaseName" in names
        }
    )


def _scopes(aws: Aws, stack_name: str | None) -> list[dict[str, str]]:
    """The names each ``InventoryAthena`` of the stacks' outputs gives: output id → value."""
    cloudformation = aws.client("cloudformation")
    params = {"StackName": stack_name} if stack_name else {}
    found: list[dict[str, str]] = []
    for stack in paginate(cloudformation, "describe_stacks", "Stacks", **params):
        scopes: dict[str, dict[str, str]] = {}
        for output in stack.get("Outputs") or []:
            match = _OUTPUT.match(output.get("OutputKey", ""))
            if match and output.get("OutputValue"):
                scopes.setdefault(match["scope"], {})[match["name"]] = output["OutputValue"]
        found += scopes.values()
    return found


def organization_inventory(
    aws: Aws,
    application: str,
    *,
    workgroup: str,
    database: str,
    version_below: str | None = None,
    version_scheme: str = "rpm",
    accounts: Sequence[str] = (),
    regions: Sequence[str] = (),
    query_timeout: float = WAIT_TIMEOUT_SECONDS,
    page_size: int | None = None,
) -> OrganizationInventory:
    """The instances that have ``application`` (below ``version_below``), in ``accounts`` and
    ``regions`` when given."""
    threshold = Version.parse(version_below) if version_below else None
    where, narrowing = narrowed(sorted(set(accounts)), sorted(set(regions)))
    sql = QUERY + where + _ORDER
    parameters = [string_parameter(application), *narrowing]
    result = run_query(
        aws,
        sql,
        parameters,
        workgroup=workgroup,
        database=database,
        wait_timeout=query_timeout,
        page_size=page_size,
    )
    return OrganizationInventory(
        application=application,
        version_below=version_below,
        version_scheme=version_scheme,
        workgroup=workgroup,
        database=database,
        query_execution_id=result.query_execution_id,
        bytes_scanned=result.bytes_scanned,
        instances=_instances(result, threshold, version_scheme),
    )


def _instances(
    result: QueryResult, threshold: Version | None, scheme: str
) -> list[InstancePackage]:
    instances: dict[tuple[str, str, str], InstancePackage] = {}
    for row in result.rows:
        text = row.get("version") or ""
        installed = Version.parse(text, epoch=row.get("epoch"), release=row.get("release"))
        if threshold is not None and compare(installed, threshold, scheme) >= 0:
            continue
        key = (row.get("accountid") or "", row.get("region") or "", row.get("resourceid") or "")
        instance = instances.get(key)
        if instance is None:
            instance = instances[key] = InstancePackage(
                instance_id=key[2],
                account=key[0],
                region=key[1],
                capture_time=row.get("capturetime"),
            )
        instance.versions.append(InstalledVersion(_spelled(installed), row.get("architecture")))
    return list(instances.values())


def _spelled(version: Version) -> str:
    epoch = f"{version.epoch}:" if version.epoch else ""
    release = f"-{version.release}" if version.release else ""
    return f"{epoch}{version.version}{release}"


def scanned(count: int) -> str:
    """Bytes in words: ``1.5 MB`` (powers of 1000, as Athena bills by the TB)."""
    value = float(count)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000:
            return f"{count} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} TB"


def print_inventory(out: Any, result: OrganizationInventory) -> None:
    """A table of the instances (per account and Region) that have the package."""
    from rich.markup import escape
    from rich.table import Table

    below = f" below {result.version_below}" if result.version_below else ""
    title = (
        f"{escape(result.application)}{escape(below)}: {len(result.instances)} instance(s) in "
        f"{len(result.accounts)} account(s)"
    )
    table = Table(title=title, title_justify="left")
    for column in ("Account", "Region", "Instance"):
        table.add_column(column, no_wrap=True)
    table.add_column("Version", overflow="fold")
    table.add_column("Inventory taken", overflow="fold")
    for instance in result.instances:
        versions = ", ".join(
            f"{v.version} ({v.architecture})" if v.architecture else v.version
            for v in instance.versions
        )
        table.add_row(
            instance.account,
            instance.region,
            escape(instance.instance_id),
            escape(versions),
            escape(instance.capture_time or ""),
        )
    out.print(table)
