"""``quicksetup status --org``: per target (account × Region) of an organization
configuration, the deployment status of its stack instance and the status of its
associations there.

Stack instances come from the StackSet API of the management (or delegated administrator)
account. Associations live in the member accounts: they are read with ``--member-role``
(a role to assume in every member account); without it only targets in the current account
can be read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .aws import Aws, describe_client_error, paginate
from .catalogue import PREFIX, match_associations
from .discovery import DeployedAssociation, stack_resources
from .errors import CliError
from .status import FAILED, NOT_CONFIGURED, PENDING, SUCCESS, option_status
from .templates import STACK_SET, parse_template_body

NOT_READ = "Not read"


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


@dataclass(frozen=True)
class StackSetStatus:
    name: str
    stack_set_id: str
    status: str
    configuration_ids: list[str]
    association_names: list[str]
    targets: list[TargetStatus]

    JSON_EXTRA = ("summary",)

    def count(self, detailed_status: str) -> int:
        return sum(1 for target in self.targets if target.detailed_status == detailed_status)

    @property
    def summary(self) -> dict[str, int]:
        """Stack instances by detailed status, and targets by association status."""
        summary: dict[str, int] = {}
        for target in self.targets:
            for state in (target.detailed_status or target.instance_status,
                          f"associations {target.association_status}"):
                summary[state] = summary.get(state, 0) + 1
        return summary


def organization_status(
    aws: Aws, *, stack_name: str | None, member_role: str | None, delegated_admin: bool
) -> list[StackSetStatus]:
    """The StackSets of stack ``stack_name`` (or every Quick Setup StackSet) and their targets."""
    call_as = {"CallAs": "DELEGATED_ADMIN"} if delegated_admin else {}
    cloudformation = aws.client("cloudformation")
    stack_sets = [
        stack_set
        for stack_set in _stack_sets(aws, stack_name, call_as)
        if stack_name is not None or _is_quick_setup(stack_set)
    ]
    if not stack_sets:
        where = f"stack {stack_name!r}" if stack_name else f"{aws.region} (account {aws.account})"
        raise CliError(
            f"no Quick Setup StackSet in {where}: no StackSet holds associations named "
            f"{PREFIX}*"
        )
    reader = _AssociationReader(aws, member_role)
    results = []
    for stack_set in stack_sets:
        names = _association_names(stack_set)
        instances = paginate(
            cloudformation, "list_stack_instances", "Summaries",
            StackSetName=stack_set["StackSetName"], **call_as,
        )
        results.append(
            StackSetStatus(
                name=stack_set["StackSetName"],
                stack_set_id=stack_set.get("StackSetId", ""),
                status=stack_set.get("Status", ""),
                configuration_ids=sorted(
                    {match.configuration_id for match in match_associations(names).values()}
                ),
                association_names=names,
                targets=[_target(instance, names, reader) for instance in instances],
            )
        )
    return results


def _stack_sets(aws: Aws, stack_name: str | None, call_as: dict[str, str]) -> Iterable[dict[str, Any]]:
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


def _association_names(stack_set: dict[str, Any]) -> list[str]:
    template = parse_template_body(stack_set.get("TemplateBody"))
    if template is None:
        return []
    return list(match_associations(a.association_name for a in template.associations))


def _is_quick_setup(stack_set: dict[str, Any]) -> bool:
    return bool(_association_names(stack_set)) or stack_set.get("StackSetName", "").startswith(
        PREFIX
    )


def _target(instance: dict[str, Any], names: list[str], reader: _AssociationReader) -> TargetStatus:
    account, region = instance.get("Account", ""), instance.get("Region", "")
    detailed = (instance.get("StackInstanceStatus") or {}).get("DetailedStatus")
    common: dict[str, Any] = {
        "account": account,
        "region": region,
        "organizational_unit_id": instance.get("OrganizationalUnitId"),
        "instance_status": instance.get("Status", ""),
        "detailed_status": detailed,
        "reason": instance.get("StatusReason"),
    }
    if not names:
        return TargetStatus(**common, association_status=NOT_CONFIGURED)
    associations, problem = reader.read(account, region)
    if associations is None:
        return TargetStatus(**common, association_status=NOT_READ, association_detail=problem)
    options: dict[str, str] = {}
    for name, match in match_associations(names).items():
        association = associations.get(name)
        options[match.key] = option_status(association, None).status if association else "Missing"
    states = set(options.values())
    if FAILED in states:
        status = FAILED
    elif "Missing" in states or PENDING in states:
        status = PENDING
    else:
        status = SUCCESS
    missing = [key for key, state in options.items() if state == "Missing"]
    detail = ("not created yet: " + ", ".join(missing)) if missing else None
    return TargetStatus(
        **common, association_status=status, association_detail=detail, options=options
    )


class _AssociationReader:
    """The ``QuickSetup-*`` associations of each target, read once per account and Region."""

    def __init__(self, aws: Aws, member_role: str | None) -> None:
        self.aws = aws
        self.member_role = member_role
        self._cache: dict[tuple[str, str], tuple[dict[str, DeployedAssociation] | None, str | None]] = {}

    def read(self, account: str, region: str) -> tuple[dict[str, DeployedAssociation] | None, str | None]:
        key = (account, region)
        if key not in self._cache:
            self._cache[key] = self._read(account, region)
        return self._cache[key]

    def _read(self, account: str, region: str) -> tuple[dict[str, DeployedAssociation] | None, str | None]:
        from botocore.exceptions import ClientError

        try:
            if account == self.aws.account:
                session = self.aws
            elif self.member_role:
                session = self.aws.member(account, self.member_role)
            else:
                return None, "another account: pass --member-role to read its associations"
            associations = list(
                paginate(session.client("ssm", region), "list_associations", "Associations")
            )
            matches = match_associations(a.get("AssociationName", "") for a in associations)
            return {
                a["AssociationName"]: DeployedAssociation.from_api(a, matches[a["AssociationName"]])
                for a in associations
                if a.get("AssociationName", "") in matches
            }, None
        except ClientError as error:
            return None, describe_client_error(error)
