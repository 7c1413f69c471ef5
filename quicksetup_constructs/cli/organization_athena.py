"""``status --org`` without a member role: each target's association compliance, from the
organization's inventory bucket with Amazon Athena (``InventorySync(..., athena=True)``).

What the data carries, and so how an association is recognised in it:

- [ITEM] Systems Manager API reference, ListComplianceItems, sample response: an association's
  compliance item on an instance has ``ComplianceType`` ``Association``, ``Id`` the
  association's id, an empty ``Title``, ``Status`` ``COMPLIANT`` or ``NON_COMPLIANT``, and
  the document's name in ``Details.DocumentName``
  (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_ListComplianceItems.html).
  The resource data sync writes these items as ``AWS:ComplianceItem`` rows
  (``rendering/athena.py``).
- [SYNC] CreateAssociation, ``SyncCompliance``: "In AUTO mode, the system uses the status of
  the association execution to determine the compliance status" (COMPLIANT when it ran
  successfully, NON-COMPLIANT otherwise); in MANUAL mode compliance "isn't managed by State
  Manager" (https://docs.aws.amazon.com/systems-manager/latest/APIReference/
  API_CreateAssociation.html).

The association's name is not in the data, and its id differs in every account. So an
option's rows are those of its association's *document*: the name the StackSet's template
gives, or, for a document the template creates without a name, the name CloudFormation
generates from the stack's name and the document's logical ID (CloudFormation user guide,
"Name type": ``MyStack-MyBucket-abcdefghijk1``). Two options that run one document cannot be
told apart, and another association of that document on the same instances counts too: the
command says so. An association with ``SyncCompliance: MANUAL`` (the patch scan: its document
reports patch compliance instead) or an Automation runbook has no such rows: its state is
:data:`NOT_IN_DATA`, and it does not count in the target's state.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .athena import WAIT_TIMEOUT_SECONDS, QueryResult, count, narrowed, run_query
from .aws import Aws
from .catalogue import OptionMatch, document_kind, match_associations
from .status import FAILED, PENDING, SUCCESS, worst
from .templates import AssociationSpec, parse_template_body

NOT_IN_DATA = "Not in data"
"""An option whose association the inventory data does not report (see the module)."""
COMPLIANT = "COMPLIANT"
"""[ITEM] The one status of a compliant item; any other (NON_COMPLIANT, ...) is a failure."""
ITEM_TABLE = "aws_compliance_item"
INSTANCE_TABLE = "aws_instance_information"
"""The Glue tables of ``AWS:ComplianceItem`` and ``AWS:InstanceInformation``
(``rendering/athena.py``'s ``TABLE_NAMES``)."""

_INSTANCES = (
    "SELECT 'instances' AS kind, accountid, region, CAST(NULL AS varchar) AS documentname, "
    "CAST(NULL AS varchar) AS status, count(DISTINCT resourceid) AS instances, "
    "max(capturetime) AS captured FROM " + INSTANCE_TABLE + " "
    "WHERE resourcetype = 'ManagedInstanceInventory'{where} GROUP BY accountid, region"
)
_ASSOCIATIONS = (
    "SELECT 'association' AS kind, accountid, region, documentname, status, "
    "count(DISTINCT resourceid) AS instances, max(capturetime) AS captured FROM "
    + ITEM_TABLE
    + " WHERE resourcetype = 'ManagedInstanceInventory' AND compliancetype = 'Association'"
    "{where} GROUP BY accountid, region, documentname, status"
)
"""Per account and Region: the managed instances in the data, and the instances of each
association document by compliance status. Values (accounts, Regions) are execution
parameters: ``{where}`` holds only placeholders."""


@dataclass(frozen=True)
class DocumentRows:
    """How an association's rows are recognised: by its document's name."""

    name: str | None = None
    """The document's name, where the template gives it."""
    logical_id: str | None = None
    """The logical ID of a document the template creates and CloudFormation names."""
    not_in_data: str | None = None
    """Why the data holds no rows of this association (then neither of the above)."""

    def matches(self, document_name: str) -> bool:
        if self.name is not None:
            return document_name == self.name
        return self.logical_id is not None and self.logical_id in document_name

    @property
    def key(self) -> str | None:
        return self.name or self.logical_id


def document_rows(association: AssociationSpec, match: OptionMatch) -> DocumentRows:
    """How ``association`` (of option ``match``)'s compliance rows are found in the data, or
    why they are not. Whether its document is an Automation runbook, the catalogue says for
    its options (an AWS-owned document's type is not in the template), the template for
    others."""
    if association.sync_compliance == "MANUAL":
        return DocumentRows(
            not_in_data="SyncCompliance MANUAL: its document reports patch compliance "
            "instead (quicksetup compliance --org)"
        )
    if (document_kind(match.option) or association.document_type) == "Automation":
        return DocumentRows(
            not_in_data="an Automation runbook: its runs are read live, with --member-role"
        )
    resource = association.document_resource
    if resource is None:
        return DocumentRows(name=association.document)
    if resource.name is not None and "${" not in resource.name:
        return DocumentRows(name=resource.name)
    return DocumentRows(logical_id=resource.logical_id)


@dataclass(frozen=True)
class StackSetDocuments:
    """The Quick Setup associations of one StackSet's template, each with its rows."""

    options: dict[str, tuple[OptionMatch, DocumentRows]]
    """Association name → its option and how its rows are found."""
    notes: tuple[str, ...]
    """What the data cannot tell, in words (options that share a document)."""


def stack_set_documents(stack_set: dict[str, Any]) -> StackSetDocuments:
    template = parse_template_body(stack_set.get("TemplateBody"))
    associations = list(template.associations) if template else []
    matches = match_associations(a.association_name for a in associations)
    options = {
        a.association_name: (
            matches[a.association_name],
            document_rows(a, matches[a.association_name]),
        )
        for a in associations
        if a.association_name in matches
    }
    by_document: dict[str, list[str]] = {}
    for match, rows in options.values():
        if rows.key is not None:
            by_document.setdefault(rows.key, []).append(match.key)
    notes = tuple(
        f"{' and '.join(sorted(keys))} run the same document ({document}): the data cannot "
        "tell them apart, each shows both"
        for document, keys in sorted(by_document.items())
        if len(keys) > 1
    )
    return StackSetDocuments(options, notes)


@dataclass
class TargetData:
    """What the data holds of one account in one Region."""

    instances: int = 0
    """Managed instances with an ``AWS:InstanceInformation`` row."""
    captured: str | None = None
    """The newest ``captureTime`` of its rows."""
    documents: dict[tuple[str, str], int] = field(default_factory=dict)
    """(document name, compliance status) → instances."""

    def seen(self, captured: str | None) -> None:
        if captured and (self.captured is None or captured > self.captured):
            self.captured = captured


@dataclass(frozen=True)
class OrganizationData:
    """The answer of the query, per (account, Region), and what it cost."""

    targets: dict[tuple[str, str], TargetData]
    workgroup: str
    query_execution_id: str
    bytes_scanned: int


def read_organization_data(
    aws: Aws,
    *,
    workgroup: str,
    database: str,
    accounts: Iterable[str] = (),
    regions: Iterable[str] = (),
    query_timeout: float = WAIT_TIMEOUT_SECONDS,
    page_size: int | None = None,
) -> OrganizationData:
    """One query: per account and Region, the managed instances and each association
    document's instances by compliance status (only ``accounts`` and ``regions``, if given:
    their partitions alone are read)."""
    where, parameters = narrowed(sorted(set(accounts)), sorted(set(regions)))
    sql = _INSTANCES.format(where=where) + " UNION ALL " + _ASSOCIATIONS.format(where=where)
    result = run_query(
        aws,
        sql,
        parameters * 2,
        workgroup=workgroup,
        database=database,
        wait_timeout=query_timeout,
        page_size=page_size,
    )
    return OrganizationData(
        _targets(result), workgroup, result.query_execution_id, result.bytes_scanned
    )


def _targets(result: QueryResult) -> dict[tuple[str, str], TargetData]:
    targets: dict[tuple[str, str], TargetData] = {}
    for row in result.rows:
        key = (row.get("accountid") or "", row.get("region") or "")
        data = targets.setdefault(key, TargetData())
        instances = count(row.get("instances"), "an instance count")
        data.seen(row.get("captured"))
        if row.get("kind") == "instances":
            data.instances += instances
        else:
            document = (row.get("documentname") or "", row.get("status") or "")
            data.documents[document] = data.documents.get(document, 0) + instances
    return targets


@dataclass(frozen=True)
class OptionData:
    """One option in one target, as the data tells it."""

    state: str
    """Success, Failed, Pending (no instance reported it yet) or Not in data."""
    counts: dict[str, int]
    """Instances by compliance status (``COMPLIANT``, ``NON_COMPLIANT``)."""
    detail: str | None = None


def option_data(rows: DocumentRows, data: TargetData) -> OptionData:
    """The state of an option whose rows ``rows`` finds in ``data``."""
    if rows.not_in_data is not None:
        return OptionData(NOT_IN_DATA, {}, rows.not_in_data)
    counts: dict[str, int] = {}
    for (document, status), instances in data.documents.items():
        if rows.matches(document):
            counts[status] = counts.get(status, 0) + instances
    if not counts:
        return OptionData(PENDING, {}, "no instance has reported it yet")
    failed = sum(n for status, n in counts.items() if status != COMPLIANT)
    return OptionData(FAILED if failed else SUCCESS, counts)


def target_state(options: Iterable[OptionData]) -> str:
    """The worst state of the options the data reports (Pending when it reports none)."""
    states = [option.state for option in options if option.state != NOT_IN_DATA]
    return worst(states) if states else PENDING
