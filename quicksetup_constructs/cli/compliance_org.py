"""``quicksetup compliance --org``: patch compliance per account and Region of the organization,
with the worst non-compliant instances, read in the deploying account.

Two sources, tried in this order:

- **Amazon Athena** over the organization's inventory bucket (``InventorySync(athena=True)``;
  the workgroup and the Glue database found as ``inventory --org`` finds them, or
  ``--athena-workgroup`` / ``--athena-database``). The table ``aws_compliance_summary``
  (``AWS:ComplianceSummary``, ``rendering/athena.py``) holds one line per compliance type per
  instance; the lines of ``ComplianceType`` ``Patch`` give each instance's status
  (``COMPLIANT`` / ``NON_COMPLIANT``) and its missing patches by severity
  (``NonCompliant<Severity>Count``, strings in the data). Two constant queries:
  the counts per account and Region, then the non-compliant instances, ranked here as
  ``quicksetup compliance`` ranks them (:meth:`.compliance.InstanceCompliance.rank`). Filters
  (``--account``, ``--target-region``) are execution parameters, never part of the SQL.
- **Explorer's organization sync** (``explorer_organization_sync=True``), through
  ``GetOpsSummary`` with its ``SyncName``: counts only.

[OPS] Systems Manager API reference, GetOpsSummary
(https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetOpsSummary.html) and
botocore's ``ssm`` service model: ``SyncName``; ``Filters`` (``OpsFilter``: ``Key``,
``Values``, ``Type`` one of ``Equal``, ``NotEqual``, ``BeginWith``, ``LessThan``,
``GreaterThan``, ``Exists``; at most 5); ``ResultAttributes`` (``OpsResultAttribute.TypeName``:
"Valid value: AWS:OpsItem, AWS:EC2InstanceInformation, AWS:OpsItemTrendline, or
AWS:ComplianceSummary"); ``MaxResults`` 1 to 50; the answer's ``Entities`` (``Id``, ``Data``:
type name → ``{CaptureTime, Content: [attribute → value]}``) and ``NextToken``.
[SYNCS] ListResourceDataSync: ``SyncType`` ``SyncFromSource`` lists the syncs "from
Organizations or from multiple Amazon Web Services Regions" (service model).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .athena import WAIT_TIMEOUT_SECONDS, count, narrowed, run_query
from .aws import Aws, paginate
from .compliance import DEFAULT_LIMIT, PATCH, SEVERITIES, InstanceCompliance
from .errors import CliError

SUMMARY_TABLE = "aws_compliance_summary"
"""The Glue table of ``AWS:ComplianceSummary`` (``rendering/athena.py``'s ``TABLE_NAMES``)."""
COMPLIANT = "COMPLIANT"
NON_COMPLIANT = "NON_COMPLIANT"
_WHERE = (
    " FROM " + SUMMARY_TABLE + " WHERE resourcetype = 'ManagedInstanceInventory'"
    " AND compliancetype = 'Patch'"
)
COUNTS_QUERY = (
    "SELECT accountid, region, "
    "count_if(status = 'COMPLIANT') AS compliant, "
    "count_if(status = 'NON_COMPLIANT') AS non_compliant" + _WHERE
)
"""Instances by patch compliance per account and Region (the filters follow)."""
_COUNT_COLUMNS = {severity: f"noncompliant{severity.lower()}count" for severity in SEVERITIES}
"""The column of each severity's missing patches (``rendering/athena.py``'s columns)."""
WORST_QUERY = (
    "SELECT accountid, region, resourceid, capturetime, "
    + ", ".join(f"{column} AS {severity.lower()}" for severity, column in _COUNT_COLUMNS.items())
    + _WHERE
    + " AND status = 'NON_COMPLIANT'"
)
"""The non-compliant instances and their missing patches by severity (strings in the data:
read as numbers here, and a count that is not one is an error, not a 0)."""
_GROUP = " GROUP BY accountid, region ORDER BY accountid, region"

SYNC_NAME_PREFIX = "QuickSetup-ExplorerSync-"
"""The names of the library's organization syncs (``organization/explorer_sync.py``'s
``SYNC_NAME_PREFIX``; a test keeps the two equal: importing the library loads the CDK)."""
SYNC_FROM_SOURCE = "SyncFromSource"
OPS_TYPE = "AWS:ComplianceSummary"
"""[OPS] The OpsData type of compliance summaries."""
OPS_FILTERS = [{"Key": f"{OPS_TYPE}.ComplianceType", "Values": [PATCH], "Type": "Equal"}]
"""[OPS] Only the ``Patch`` summaries: an ``OpsFilter`` on the type's attribute, spelled
``<TypeName>.<Attribute>``."""
OPS_PAGE_SIZE = 50
"""[OPS] ``MaxResults``: at most 50."""
OPS_ACCOUNT = "SourceAccountId"
OPS_REGION = "SourceRegion"
"""The attributes an organization sync's OpsData carries for the account and Region it came
from. Neither the API reference nor the service model lists them: ``SourceAccountId`` is the
filter key used on synced ``AWS:EC2InstanceInformation`` OpsData in published examples, and
``SourceRegion`` its Region counterpart, both still to be checked against a live sync. An
entity without them is counted under ``unknown``."""
UNKNOWN = "unknown"

HINT = (
    "no source of the organization's patch compliance: create InventorySync(..., athena=True) "
    "(or pass --athena-workgroup and --athena-database), or explorer_organization_sync=True "
    "(or pass --sync-name)"
)


@dataclass(frozen=True)
class TargetPatchCompliance:
    """The instances of one account and Region, by patch compliance."""

    account: str
    region: str
    compliant: int
    non_compliant: int


@dataclass(frozen=True)
class OrganizationInstanceCompliance:
    """A non-compliant instance, where it is, and what it misses."""

    instance_id: str
    account: str
    region: str
    rank: int
    """1 for the worst instance: the most missing patches of the highest severity."""
    non_compliant: int
    """Missing patches, every severity."""
    severities: dict[str, int]
    """Missing patches by severity (keys of :data:`.compliance.SEVERITIES`, none at 0)."""
    capture_time: str | None


@dataclass
class OrganizationCompliance:
    """The answer of ``compliance --org``."""

    source: str
    """``athena`` or ``explorer``."""
    workgroup: str | None
    database: str | None
    query_execution_ids: list[str]
    bytes_scanned: int | None
    """What the Athena queries scanned (None from Explorer)."""
    sync_name: str | None
    target_results: list[TargetPatchCompliance]
    instances: list[OrganizationInstanceCompliance]
    """The non-compliant instances, worst first: ``--limit`` of them (Athena only)."""
    more: int = 0
    """Non-compliant instances not listed (``--limit``)."""

    JSON_EXTRA = ("summary",)

    @property
    def summary(self) -> dict[str, int]:
        """Instances by patch compliance, every account and Region."""
        return {
            COMPLIANT: sum(target.compliant for target in self.target_results),
            NON_COMPLIANT: sum(target.non_compliant for target in self.target_results),
        }

    @property
    def non_compliant(self) -> bool:
        return self.summary[NON_COMPLIANT] > 0


# Athena -------------------------------------------------------------------------------------


def athena_compliance(
    aws: Aws,
    *,
    workgroup: str,
    database: str,
    accounts: tuple[str, ...] = (),
    regions: tuple[str, ...] = (),
    limit: int = DEFAULT_LIMIT,
    wait_timeout: float = WAIT_TIMEOUT_SECONDS,
    page_size: int | None = None,
) -> OrganizationCompliance:
    """Patch compliance per account and Region, and the worst non-compliant instances
    (``limit`` of them, 0: all), from the organization's inventory with Athena."""
    filters, parameters = narrowed(accounts, regions)

    def query(sql: str) -> Any:
        return run_query(
            aws,
            sql,
            parameters,
            workgroup=workgroup,
            database=database,
            wait_timeout=wait_timeout,
            page_size=page_size,
        )

    counts = query(COUNTS_QUERY + filters + _GROUP)
    worst = query(WORST_QUERY + filters)
    targets = [
        TargetPatchCompliance(
            account=row.get("accountid") or "",
            region=row.get("region") or "",
            compliant=count(row.get("compliant"), "a compliant count"),
            non_compliant=count(row.get("non_compliant"), "a non-compliant count"),
        )
        for row in counts.rows
    ]
    ranked = sorted(worst.rows, key=_rank, reverse=True)
    listed = ranked[:limit] if limit else ranked
    return OrganizationCompliance(
        source="athena",
        workgroup=workgroup,
        database=database,
        query_execution_ids=[counts.query_execution_id, worst.query_execution_id],
        bytes_scanned=counts.bytes_scanned + worst.bytes_scanned,
        sync_name=None,
        target_results=targets,
        instances=[_instance(row, index) for index, row in enumerate(listed, start=1)],
        more=len(ranked) - len(listed),
    )


def _severities(row: dict[str, str | None]) -> dict[str, int]:
    return {
        severity: n
        for severity in SEVERITIES
        if (n := count(row.get(severity.lower()), f"the {severity} count"))
    }


def _rank(row: dict[str, str | None]) -> tuple[int, ...]:
    """The order of ``quicksetup compliance``: its instances' own ranking."""
    severities = _severities(row)
    return InstanceCompliance(
        instance_id=row.get("resourceid") or "",
        status=NON_COMPLIANT,
        non_compliant=sum(severities.values()),
        severities=severities,
    ).rank()


def _instance(row: dict[str, str | None], rank: int) -> OrganizationInstanceCompliance:
    severities = _severities(row)
    return OrganizationInstanceCompliance(
        instance_id=row.get("resourceid") or "",
        account=row.get("accountid") or "",
        region=row.get("region") or "",
        rank=rank,
        non_compliant=sum(severities.values()),
        severities=severities,
        capture_time=row.get("capturetime"),
    )


# Explorer -----------------------------------------------------------------------------------


def find_sync(aws: Aws) -> str | None:
    """The organization sync of the library in the account and Region ([SYNCS]); None when
    there is none. Several: a :class:`CliError` that asks for ``--sync-name``."""
    names = sorted(
        item["SyncName"]
        for item in paginate(
            aws.client("ssm"),
            "list_resource_data_sync",
            "ResourceDataSyncItems",
            SyncType=SYNC_FROM_SOURCE,
        )
        if item.get("SyncName", "").startswith(SYNC_NAME_PREFIX)
    )
    if len(names) > 1:
        raise CliError(
            f"several Explorer organization syncs ({', '.join(names)}): pass --sync-name"
        )
    return names[0] if names else None


def explorer_compliance(
    aws: Aws,
    sync_name: str,
    *,
    accounts: tuple[str, ...] = (),
    regions: tuple[str, ...] = (),
) -> OrganizationCompliance:
    """Instances by patch compliance per account and Region, from Explorer's OpsData
    (``GetOpsSummary`` of ``sync_name``, every page)."""
    counts: dict[tuple[str, str], dict[str, int]] = {}
    entities = paginate(
        aws.client("ssm"),
        "get_ops_summary",
        "Entities",
        SyncName=sync_name,
        Filters=OPS_FILTERS,
        ResultAttributes=[{"TypeName": OPS_TYPE}],
        PaginationConfig={"PageSize": OPS_PAGE_SIZE},
    )
    for entity in entities:
        item = (entity.get("Data") or {}).get(OPS_TYPE) or {}
        for content in item.get("Content") or []:
            if content.get("ComplianceType", PATCH) != PATCH:
                continue
            account = content.get(OPS_ACCOUNT) or UNKNOWN
            region = content.get(OPS_REGION) or UNKNOWN
            if (accounts and account not in accounts) or (regions and region not in regions):
                continue
            target = counts.setdefault((account, region), {COMPLIANT: 0, NON_COMPLIANT: 0})
            status = content.get("Status")
            if status in target:
                target[status] += 1
    return OrganizationCompliance(
        source="explorer",
        workgroup=None,
        database=None,
        query_execution_ids=[],
        bytes_scanned=None,
        sync_name=sync_name,
        target_results=[
            TargetPatchCompliance(account, region, found[COMPLIANT], found[NON_COMPLIANT])
            for (account, region), found in sorted(counts.items())
        ],
        instances=[],
    )


# Both ---------------------------------------------------------------------------------------


def organization_compliance(
    aws: Aws,
    stack_name: str | None,
    *,
    workgroup: str | None = None,
    database: str | None = None,
    sync_name: str | None = None,
    accounts: tuple[str, ...] = (),
    regions: tuple[str, ...] = (),
    limit: int = DEFAULT_LIMIT,
    wait_timeout: float = WAIT_TIMEOUT_SECONDS,
    page_size: int | None = None,
) -> OrganizationCompliance:
    """From Athena when a workgroup is given or found in the stack outputs; else from the
    Explorer sync given or found; else a :class:`CliError` that says how to get one."""
    from .inventory import athena_outputs, find_athena

    if sync_name is None and (workgroup or database or athena_outputs(aws, stack_name)):
        found_workgroup, found_database = find_athena(aws, stack_name, workgroup, database)
        return athena_compliance(
            aws,
            workgroup=found_workgroup,
            database=found_database,
            accounts=accounts,
            regions=regions,
            limit=limit,
            wait_timeout=wait_timeout,
            page_size=page_size,
        )
    sync_name = sync_name or find_sync(aws)
    if sync_name is None:
        raise CliError(HINT)
    return explorer_compliance(aws, sync_name, accounts=accounts, regions=regions)


# Text ---------------------------------------------------------------------------------------


def print_organization_compliance(out: Any, result: OrganizationCompliance) -> None:
    """A table per account and Region, then the worst non-compliant instances."""
    from rich.table import Table
    from rich.text import Text

    from .render import shown

    where = (
        f"Athena workgroup {shown(result.workgroup or '')}"
        if result.source == "athena"
        else f"Explorer sync {shown(result.sync_name or '')}"
    )
    summary = result.summary
    out.rule(f"[bold]Patch compliance of the organization[/] · {where}", align="left")
    out.print(
        Text.assemble(
            f"{len(result.target_results)} target(s) (account × Region): ",
            (f"{summary[COMPLIANT]} compliant", "green"),
            ", ",
            (f"{summary[NON_COMPLIANT]} non-compliant", "red"),
        )
    )
    if result.target_results:
        targets = Table(title="Per account and Region", title_justify="left")
        for column in ("Account", "Region"):
            targets.add_column(column, no_wrap=True)
        targets.add_column("Compliant", justify="right")
        targets.add_column("Non-compliant", justify="right")
        for target in result.target_results:
            targets.add_row(
                shown(target.account),
                shown(target.region),
                str(target.compliant),
                Text(str(target.non_compliant), style="red" if target.non_compliant else ""),
            )
        out.print(targets)
    if result.source == "explorer":
        out.print(
            "[bright_black]Explorer gives counts only: the worst instances need the Athena "
            "source (InventorySync athena=True).[/]"
        )
    if not result.instances:
        return
    worst = Table(title="Non-compliant instances, worst first", title_justify="left")
    for column in ("Account", "Region", "Instance"):
        worst.add_column(column, no_wrap=True)
    worst.add_column("Missing", justify="right")
    worst.add_column("By severity", no_wrap=True)
    worst.add_column("Captured", overflow="fold")
    for instance in result.instances:
        severities = "\n".join(
            f"{instance.severities[s]} {s}" for s in SEVERITIES if instance.severities.get(s)
        )
        worst.add_row(
            shown(instance.account),
            shown(instance.region),
            shown(instance.instance_id),
            str(instance.non_compliant),
            Text(severities or "—"),
            shown(instance.capture_time or ""),
        )
    out.print(worst)
    if result.more:
        out.print(f"… and {result.more} more: --limit to see them")
