"""``quicksetup status --org``: per target (account × Region) of an organization
configuration, the deployment status of its stack instance and the status of its
associations there.

Stack instances come from the StackSet API of the management (or delegated administrator)
account. Associations live in the member accounts: they are read with ``--member-role``
(a role to assume in every member account); without it only targets in the current account
can be read.

Targets are read in parallel by a bounded pool of threads (``--max-concurrency``), each
making one call at a time, so that no more calls than that are in flight. Every member
account is reached from the one session of the command (:meth:`Aws.member`): ``AssumeRole``
once per account, its credentials reused for every Region, and a target's client released
once read. A target that cannot be read (the role cannot be assumed, the call is denied or
throttled after its retries, ...) is ``Not read``, with the reason; the others are still read.
A target not read is a finding: :func:`not_read_line` says, in one line, how many and why.

``quicksetup troubleshoot --org`` reads the same, and for each failed option of a target the
latest failed execution of its association (``DescribeAssociationExecutions``, one call).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

from .aws import Aws, aws_errors, one_line, paginate
from .catalogue import PREFIX, match_associations
from .discovery import DeployedAssociation, stack_resources
from .errors import CliError
from .organization_athena import (
    NOT_IN_DATA,
    StackSetDocuments,
    TargetData,
    option_data,
    read_organization_data,
    stack_set_documents,
    target_state,
)
from .printable import message_line
from .status import (
    FAILED,
    MISSING,
    NOT_CONFIGURED,
    PENDING,
    SUCCESS,
    Execution,
    latest_execution,
    option_status,
    worst,
)
from .templates import STACK_SET, parse_template_body

NOT_READ = "Not read"
STATES = {"Success": SUCCESS, "Failed": FAILED, "Pending": PENDING, "NotRead": NOT_READ}
"""``--state``'s values (decision 27) and the association states they select."""
LIVE = "live"
ATHENA = "athena"
MAX_CONCURRENCY = 16
"""Targets read at a time by default (``--max-concurrency``, 1 to 64)."""
NO_MEMBER_ROLE = "another account: pass --member-role to read its associations"
NO_SOURCE = (
    NO_MEMBER_ROLE + ", or query the inventory bucket with Athena (InventorySync(..., "
    "athena=True), or --athena-workgroup)"
)
"""``status --org``'s reason, which can also read from Athena."""
NO_DATA = (
    "no data of this account and Region in the inventory bucket (no managed instance, or "
    "not synced yet)"
)
NOTHING_IN_DATA = "none of its associations is in the inventory data: --member-role reads them"

Progress = Callable[[int, int], None]
"""Called with the targets read so far and the targets to read."""


@dataclass(frozen=True)
class FailedOptionRun:
    """A failed option of a target, and the latest failed execution of its association."""

    key: str
    title: str
    association_name: str
    association_id: str
    counts: dict[str, int]
    """The association's targets by their latest status."""
    execution: Execution | None
    """The latest failed execution (None when none is left in the history)."""


@dataclass(frozen=True)
class TargetStatus:
    """One stack instance: an account in a Region."""

    account: str
    region: str
    organizational_unit_id: str | None
    instance_status: str
    """``CURRENT``, ``OUTDATED`` or ``INOPERABLE``."""
    detailed_status: str | None
    """``SUCCEEDED``, ``FAILED``, ``RUNNING``, ``PENDING``, ..."""
    reason: str | None
    association_status: str
    """Success, Failed, Pending, Not configured (no associations in this StackSet), or
    Not read."""
    association_detail: str | None = None
    options: dict[str, str] = field(default_factory=dict)
    """Status of each option's association in this target."""
    failures: list[FailedOptionRun] = field(default_factory=list)
    """``troubleshoot --org``: each failed option, with its latest failed execution."""
    option_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    """Read with Athena: each option's instances by compliance status."""
    option_details: dict[str, str] = field(default_factory=dict)
    """Read with Athena: why an option is Pending or Not in data."""
    managed_instances: int | None = None
    """Read with Athena: the managed instances the inventory holds (None: not read so)."""
    data_as_of: str | None = None
    """Read with Athena: the newest capture time of the target's rows."""


@dataclass(frozen=True)
class AthenaQuery:
    """The query ``status --org`` ran with Athena, and what it scanned (Athena bills by it)."""

    workgroup: str
    query_execution_id: str
    bytes_scanned: int


@dataclass(frozen=True)
class TargetFilter:
    """The targets to show (``--account``, ``--ou``, ``--target-region``, ``--state``); an
    empty set keeps all."""

    accounts: frozenset[str] = frozenset()
    organizational_units: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    states: frozenset[str] = frozenset()
    """Association states (:data:`STATES`' values)."""

    def keeps_instance(self, instance: dict[str, Any]) -> bool:
        return (
            _kept(self.accounts, instance.get("Account"))
            and _kept(self.organizational_units, instance.get("OrganizationalUnitId"))
            and _kept(self.regions, instance.get("Region"))
        )

    def keeps(self, target: TargetStatus) -> bool:
        return _kept(self.states, target.association_status)


def _kept(wanted: frozenset[str], value: str | None) -> bool:
    return not wanted or value in wanted


@dataclass(frozen=True)
class StackSetStatus:
    name: str
    stack_set_id: str
    status: str
    configuration_ids: list[str]
    association_names: list[str]
    targets: list[TargetStatus]
    source: str = LIVE
    """Where the associations were read: ``live`` (State Manager, in each account) or
    ``athena`` (the organization's inventory bucket)."""
    notes: list[str] = field(default_factory=list)
    """What the source cannot tell (options that run one document, ...)."""
    athena_query: AthenaQuery | None = None
    """The Athena query that read the targets (``athena``)."""

    JSON_EXTRA = ("summary",)

    def count(self, detailed_status: str) -> int:
        return sum(1 for target in self.targets if target.detailed_status == detailed_status)

    @property
    def summary(self) -> dict[str, int]:
        """Stack instances by detailed status, and targets by association status."""
        summary: dict[str, int] = {}
        for target in self.targets:
            for state in (
                target.detailed_status or target.instance_status,
                f"associations {target.association_status}",
            ):
                summary[state] = summary.get(state, 0) + 1
        return summary


def organization_status(
    aws: Aws,
    *,
    stack_name: str | None,
    member_role: str | None,
    delegated_admin: bool,
    max_concurrency: int = MAX_CONCURRENCY,
    progress: Progress | None = None,
    failures: bool = False,
    filters: TargetFilter = TargetFilter(),
    athena: Callable[[], AthenaSource | None] | None = None,
    athena_given: bool = False,
) -> list[StackSetStatus]:
    """The StackSets of stack ``stack_name`` (or every Quick Setup StackSet) and their targets
    that ``filters`` keeps. Associations are read live, ``max_concurrency`` targets at a time
    (other accounts through ``member_role``; with ``failures``, each failed option's latest
    failed execution too), or, without a member role, from the inventory bucket in one Athena
    query: where ``athena`` finds one, when a target is in another account or
    ``athena_given``."""
    call_as = {"CallAs": "DELEGATED_ADMIN"} if delegated_admin else {}
    cloudformation = aws.client("cloudformation")
    stack_sets = quick_setup_stack_sets(aws, stack_name, call_as)
    if not stack_sets:
        where = f"stack {stack_name!r}" if stack_name else f"{aws.region} (account {aws.account})"
        raise CliError(
            f"no Quick Setup StackSet in {where}: no StackSet holds associations named {PREFIX}*"
        )
    listed = []
    for stack_set in stack_sets:
        instances = [
            instance
            for instance in paginate(
                cloudformation,
                "list_stack_instances",
                "Summaries",
                StackSetName=stack_set["StackSetName"],
                **call_as,
            )
            if filters.keeps_instance(instance)
        ]
        listed.append((stack_set, association_names(stack_set), instances))
    if member_role is None and athena is not None:
        other = athena_given or any(
            instance.get("Account") != _own_account(aws)
            for _, names, instances in listed
            if names
            for instance in instances
        )
        source = athena() if other else None
        if source is not None:
            return _from_athena(aws, listed, source, filters)
    # Every target to read, once, with the association names of the StackSets deployed there.
    wanted: dict[tuple[str, str], set[str]] = {}
    for _, names, instances in listed:
        if names:
            for instance in instances:
                key = (instance.get("Account", ""), instance.get("Region", ""))
                wanted.setdefault(key, set()).update(names)
    reads: dict[tuple[str, str], TargetRead] = {}
    if wanted:
        no_role = NO_MEMBER_ROLE if athena is None else NO_SOURCE
        reader = AssociationReader(aws, member_role, failures=failures, no_role=no_role)
        reads = read_all(reader, wanted, max_concurrency, progress)
    return [
        _stack_set_status(
            stack_set,
            names,
            [_target(instance, names, reads) for instance in instances],
            filters,
        )
        for stack_set, names, instances in listed
    ]


def _own_account(aws: Aws) -> str:
    with aws_errors(aws):
        return aws.account


@dataclass(frozen=True)
class AthenaSource:
    """The organization's inventory, queryable: a workgroup and a Glue database."""

    workgroup: str
    database: str
    query_timeout: float
    page_size: int | None = None


def _from_athena(
    aws: Aws,
    listed: list[tuple[dict[str, Any], list[str], list[dict[str, Any]]]],
    athena: AthenaSource,
    filters: TargetFilter,
) -> list[StackSetStatus]:
    """Every StackSet's targets, their associations read from the inventory bucket."""
    data = read_organization_data(
        aws,
        workgroup=athena.workgroup,
        database=athena.database,
        accounts=filters.accounts,
        regions=filters.regions,
        query_timeout=athena.query_timeout,
        page_size=athena.page_size,
    )
    query = AthenaQuery(data.workgroup, data.query_execution_id, data.bytes_scanned)
    results = []
    for stack_set, names, instances in listed:
        documents = stack_set_documents(stack_set)
        targets = [_athena_target(instance, documents, data.targets) for instance in instances]
        results.append(
            _stack_set_status(
                stack_set,
                names,
                targets,
                filters,
                source=ATHENA,
                notes=list(documents.notes),
                athena_query=query,
            )
        )
    return results


def _stack_set_status(
    stack_set: dict[str, Any],
    names: list[str],
    targets: list[TargetStatus],
    filters: TargetFilter,
    **read: Any,
) -> StackSetStatus:
    return StackSetStatus(
        name=stack_set["StackSetName"],
        stack_set_id=stack_set.get("StackSetId", ""),
        status=stack_set.get("Status", ""),
        configuration_ids=sorted(
            {match.configuration_id for match in match_associations(names).values()}
        ),
        association_names=names,
        targets=[target for target in targets if filters.keeps(target)],
        **read,
    )


def not_read_line(stack_sets: list[StackSetStatus]) -> str | None:
    """How many targets (account × Region, each counted once) could not be read, and why, in
    one line; None when every target was read. Differing reasons are listed in the same line,
    the most frequent first, each with its count; the account in a reason is written
    ``<account>`` so that accounts refused alike count together. Reasons are messages whose
    AWS values are escaped already (:func:`message_line`: escaped once, not twice)."""
    reasons: dict[tuple[str, str], str] = {}
    for stack_set in stack_sets:
        for target in stack_set.targets:
            if target.association_status == NOT_READ:
                reason = target.association_detail or "unknown reason"
                if target.account:
                    reason = reason.replace(target.account, "<account>")
                reasons.setdefault((target.account, target.region), message_line(reason))
    if not reasons:
        return None
    by_reason = Counter(reasons.values()).most_common()
    if len(by_reason) == 1:
        why = by_reason[0][0]
    else:
        why = "; ".join(f"{reason} ({_targets(count)})" for reason, count in by_reason)
    return f"{_targets(len(reasons))} (account × Region) could not be read: {why}"


def _targets(count: int) -> str:
    return f"{count} target" if count == 1 else f"{count} targets"


def read_all(
    reader: AssociationReader,
    wanted: dict[tuple[str, str], set[str]],
    max_concurrency: int,
    progress: Progress | None,
) -> dict[tuple[str, str], TargetRead]:
    """Read every target, ``max_concurrency`` at a time (each worker makes one call at a
    time); ``progress`` is called here, in the calling thread."""
    total = len(wanted)
    if progress:
        progress(0, total)
    pool = ThreadPoolExecutor(
        max_workers=max(1, min(max_concurrency, total)), thread_name_prefix="quicksetup-read"
    )
    # The first Region of every account first, then the second of every account, ...: a
    # worker that finds its account's role being assumed waits for it, so the Regions of one
    # account are not started side by side.
    rank: dict[tuple[str, str], int] = {}
    started: dict[str, int] = {}
    for account, region in wanted:
        rank[account, region] = started.get(account, 0)
        started[account] = rank[account, region] + 1
    futures: dict[Future[TargetRead], tuple[str, str]] = {}
    try:
        for key in sorted(wanted, key=rank.__getitem__):  # stable: listing order within a rank
            futures[pool.submit(reader.read, key[0], key[1], frozenset(wanted[key]))] = key
        reads = {}
        for done, future in enumerate(as_completed(futures), 1):
            reads[futures[future]] = future.result()
            if progress:
                progress(done, total)
        return reads
    finally:
        # On an error (or ^C) the targets not started are dropped; a call under way ends
        # within its timeouts and retries.
        pool.shutdown(wait=False, cancel_futures=True)


def quick_setup_stack_sets(
    aws: Aws, stack_name: str | None, call_as: dict[str, str]
) -> list[dict[str, Any]]:
    """The StackSets of stack ``stack_name``, or every Quick Setup StackSet of the account."""
    return [
        stack_set
        for stack_set in _stack_sets(aws, stack_name, call_as)
        if stack_name is not None or _is_quick_setup(stack_set)
    ]


def _stack_sets(
    aws: Aws, stack_name: str | None, call_as: dict[str, str]
) -> Iterable[dict[str, Any]]:
    cloudformation = aws.client("cloudformation")
    if stack_name is not None:
        names = [
            resource["PhysicalResourceId"]
            for resource in stack_resources(aws, stack_name)
            if resource.get("ResourceType") == STACK_SET and resource.get("PhysicalResourceId")
        ]
    else:
        names = [
            summary["StackSetName"]
            for summary in paginate(
                cloudformation, "list_stack_sets", "Summaries", Status="ACTIVE", **call_as
            )
        ]
    for name in names:
        yield cloudformation.describe_stack_set(StackSetName=name, **call_as)["StackSet"]


def association_names(stack_set: dict[str, Any]) -> list[str]:
    template = parse_template_body(stack_set.get("TemplateBody"))
    if template is None:
        return []
    return list(match_associations(a.association_name for a in template.associations))


def _is_quick_setup(stack_set: dict[str, Any]) -> bool:
    return bool(association_names(stack_set)) or stack_set.get("StackSetName", "").startswith(
        PREFIX
    )


def _common(instance: dict[str, Any]) -> dict[str, Any]:
    """A stack instance's fields of :class:`TargetStatus`."""
    return {
        "account": instance.get("Account", ""),
        "region": instance.get("Region", ""),
        "organizational_unit_id": instance.get("OrganizationalUnitId"),
        "instance_status": instance.get("Status", ""),
        "detailed_status": (instance.get("StackInstanceStatus") or {}).get("DetailedStatus"),
        "reason": instance.get("StatusReason"),
    }


def _target(
    instance: dict[str, Any], names: list[str], reads: dict[tuple[str, str], TargetRead]
) -> TargetStatus:
    common = _common(instance)
    account, region = common["account"], common["region"]
    if not names:
        return TargetStatus(**common, association_status=NOT_CONFIGURED)
    read = reads[account, region]
    if read.associations is None:
        return TargetStatus(**common, association_status=NOT_READ, association_detail=read.problem)
    associations = read.associations
    options: dict[str, str] = {}
    failures: list[FailedOptionRun] = []
    for name, match in match_associations(names).items():
        association = associations.get(name)
        options[match.key] = option_status(association, None).status if association else MISSING
        if name in read.failures:
            assert association is not None
            failures.append(
                FailedOptionRun(
                    key=match.key,
                    title=match.title,
                    association_name=name,
                    association_id=association.association_id,
                    counts=association.counts,
                    execution=read.failures[name],
                )
            )
    status = worst(options.values())
    if status == MISSING:  # not created yet in this target: the StackSet is still deploying it
        status = PENDING
    missing = [key for key, state in options.items() if state == MISSING]
    detail = ("not created yet: " + ", ".join(missing)) if missing else None
    return TargetStatus(
        **common,
        association_status=status,
        association_detail=detail,
        options=options,
        failures=failures,
    )


def _athena_target(
    instance: dict[str, Any],
    documents: StackSetDocuments,
    data: dict[tuple[str, str], TargetData],
) -> TargetStatus:
    common = _common(instance)
    if not documents.options:
        return TargetStatus(**common, association_status=NOT_CONFIGURED)
    found = data.get((common["account"], common["region"]))
    if found is None:
        return TargetStatus(**common, association_status=NOT_READ, association_detail=NO_DATA)
    options = {match.key: option_data(rows, found) for match, rows in documents.options.values()}
    read: dict[str, Any] = {
        "options": {key: option.state for key, option in options.items()},
        "option_counts": {key: option.counts for key, option in options.items() if option.counts},
        "option_details": {key: option.detail for key, option in options.items() if option.detail},
        "managed_instances": found.instances,
        "data_as_of": found.captured,
    }
    if all(option.state == NOT_IN_DATA for option in options.values()):
        return TargetStatus(
            **common, association_status=NOT_READ, association_detail=NOTHING_IN_DATA, **read
        )
    return TargetStatus(**common, association_status=target_state(options.values()), **read)


@dataclass(frozen=True)
class TargetRead:
    """What was read of one target: its ``QuickSetup-*`` associations by name (None when they
    could not be read, and ``problem`` says why), and the latest failed execution of each
    failed one (``troubleshoot --org``)."""

    associations: dict[str, DeployedAssociation] | None
    problem: str | None = None
    failures: dict[str, Execution | None] = field(default_factory=dict)


class AssociationReader:
    """Reads the ``QuickSetup-*`` associations of a target; called from the worker threads.

    The own account is read with the command's credentials, any other through
    ``--member-role`` (:meth:`Aws.member`: ``AssumeRole`` once per account). An account whose
    role cannot be assumed is not asked again for its other Regions.
    """

    def __init__(
        self,
        aws: Aws,
        member_role: str | None,
        *,
        failures: bool,
        no_role: str = NO_MEMBER_ROLE,
    ) -> None:
        self.aws = aws
        self.member_role = member_role
        self.failures = failures
        self.no_role = no_role
        """Why a target of another account is not read without a member role."""
        with aws_errors(aws):
            self.own_account = aws.account  # here, before the workers start
        self._lock = threading.Lock()
        self._account_locks: dict[str, threading.Lock] = {}
        self._unreachable: dict[str, str] = {}
        """Why the role could not be assumed, by account."""

    def read(self, account: str, region: str, names: frozenset[str]) -> TargetRead:
        from botocore.exceptions import BotoCoreError

        try:
            aws = self._account(account)
            try:
                with aws_errors():
                    return self._read(aws, region, names)
            finally:
                if aws is not self.aws:
                    aws.release("ssm", region)
        except CliError as error:
            return TargetRead(None, error.message)
        except BotoCoreError as error:  # what aws_errors leaves: a connection closed, ...
            return TargetRead(None, one_line(f"{type(error).__name__}: {error}"))

    def _account(self, account: str) -> Aws:
        if account == self.own_account:
            return self.aws
        if not self.member_role:
            raise CliError(self.no_role)
        with self._lock:
            lock = self._account_locks.setdefault(account, threading.Lock())
        with lock:
            if account in self._unreachable:
                raise CliError(self._unreachable[account])
            try:
                with aws_errors():
                    return self.aws.member(account, self.member_role)
            except CliError as error:
                self._unreachable[account] = error.message
                raise

    def _read(self, aws: Aws, region: str, names: frozenset[str]) -> TargetRead:
        associations = list(
            paginate(aws.client("ssm", region), "list_associations", "Associations")
        )
        matches = match_associations(a.get("AssociationName", "") for a in associations)
        found = {
            a["AssociationName"]: DeployedAssociation.from_api(a, matches[a["AssociationName"]])
            for a in associations
            if a.get("AssociationName", "") in matches
        }
        failures: dict[str, Execution | None] = {}
        if self.failures:
            in_region = _InRegion(aws, region)
            for name in sorted(names & found.keys()):
                association = found[name]
                if option_status(association, None).status == FAILED:
                    failures[name] = latest_execution(
                        in_region,  # type: ignore[arg-type]
                        association.association_id,
                        status="Failed",
                    )
        return TargetRead(found, None, failures)


class _InRegion:
    """``aws`` whose clients default to ``region`` (for :func:`latest_execution`)."""

    def __init__(self, aws: Aws, region: str) -> None:
        self.aws = aws
        self.region = region

    def client(self, service: str, region: str | None = None) -> Any:
        return self.aws.client(service, region or self.region)
