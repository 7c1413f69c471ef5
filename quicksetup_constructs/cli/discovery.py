"""Finding the deployed configurations: the associations of one stack, or every association
named ``QuickSetup-*`` in the account and Region."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .aws import Aws, error_code, paginate
from .catalogue import PREFIX, OptionMatch, catalogue, match_associations, share_account_wide
from .errors import CliError
from .templates import ASSOCIATION, STACK_SET, Target

_NESTED_STACK = "AWS::CloudFormation::Stack"


@dataclass(frozen=True)
class DeployedAssociation:
    """An association as State Manager describes it (``ListAssociations`` or
    ``DescribeAssociation``)."""

    association_id: str
    association_name: str
    match: OptionMatch
    document: str
    schedule: str | None
    targets: tuple[Target, ...]
    overview_status: str | None
    detailed_status: str | None
    counts: dict[str, int]
    """Targets by their latest status (``AssociationStatusAggregatedCount``)."""
    last_execution: datetime | None

    @classmethod
    def from_api(cls, association: dict[str, Any], match: OptionMatch) -> DeployedAssociation:
        overview = association.get("Overview") or {}
        return cls(
            association_id=association["AssociationId"],
            association_name=association.get("AssociationName", ""),
            match=match,
            document=association.get("Name", ""),
            schedule=association.get("ScheduleExpression"),
            targets=tuple(
                Target(target.get("Key", ""), tuple(target.get("Values", [])))
                for target in association.get("Targets") or []
            ),
            overview_status=overview.get("Status"),
            detailed_status=overview.get("DetailedStatus"),
            counts=dict(overview.get("AssociationStatusAggregatedCount") or {}),
            last_execution=association.get("LastExecutionDate"),
        )

    @property
    def document_kind(self) -> str | None:
        return self.match.option.document_kind.value if self.match.option else None


@dataclass(frozen=True)
class DeployedConfiguration:
    configuration_id: str
    region: str
    stack: str | None
    associations: list[DeployedAssociation] = field(default_factory=list)

    @property
    def targets(self) -> str:
        for association in self.associations:
            if association.document_kind != "Automation" and association.targets:
                return "; ".join(target.describe() for target in association.targets)
        for association in self.associations:
            if association.targets:
                return "; ".join(target.describe() for target in association.targets)
        return "no targets"


def find_configurations(aws: Aws, stack_name: str | None) -> list[DeployedConfiguration]:
    """The configurations of stack ``stack_name``, or every one in the account and Region.

    Raises :class:`CliError` for an unknown stack, or when there is no configuration.
    """
    if stack_name is not None:
        associations = list(_stack_associations(aws, stack_name))
    else:
        associations = list(_all_associations(aws))
    configurations: dict[str, DeployedConfiguration] = {}
    for association in associations:
        configuration_id = association.match.configuration_id
        configuration = configurations.setdefault(
            configuration_id,
            DeployedConfiguration(configuration_id, aws.region, stack_name),
        )
        configuration.associations.append(association)
    share_account_wide(
        {key: configuration.associations for key, configuration in configurations.items()},
        lambda association: association.match,
    )
    order = {option.key: index for index, option in enumerate(catalogue())}
    for configuration in configurations.values():
        configuration.associations.sort(key=lambda a: order.get(a.match.key, len(order)))
    return sorted(configurations.values(), key=lambda c: c.configuration_id)


def _all_associations(aws: Aws) -> Iterable[DeployedAssociation]:
    """Associations named ``QuickSetup-*``: the name filter of ``ListAssociations`` is not
    documented to match prefixes, so every association is listed and the names are checked
    here."""
    associations = list(paginate(aws.client("ssm"), "list_associations", "Associations"))
    matches = match_associations(a.get("AssociationName", "") for a in associations)
    found = False
    for association in associations:
        match = matches.get(association.get("AssociationName", ""))
        if match is not None:
            found = True
            yield DeployedAssociation.from_api(association, match)
    if not found:
        raise CliError(
            f"no Quick Setup configuration in {aws.region} (account {aws.account}): no "
            f"association there is named {PREFIX}*; deploy one, or pass --region"
        )


def stack_resources(aws: Aws, stack_name: str) -> list[dict[str, Any]]:
    """Every resource of the stack and of its nested stacks (``ListStackResources``)."""
    from botocore.exceptions import ClientError

    cloudformation = aws.client("cloudformation")
    resources: list[dict[str, Any]] = []
    pending = [stack_name]
    while pending:
        name = pending.pop(0)
        try:
            for resource in paginate(
                cloudformation, "list_stack_resources", "StackResourceSummaries", StackName=name
            ):
                resources.append(resource)
                if resource.get("ResourceType") == _NESTED_STACK and resource.get(
                    "PhysicalResourceId"
                ):
                    pending.append(resource["PhysicalResourceId"])
        except ClientError as error:
            if error_code(error) == "ValidationError" and "does not exist" in str(error):
                raise CliError(
                    f"stack {name!r} does not exist in {aws.region}: check the name "
                    "(`aws cloudformation list-stacks`), or pass --region"
                ) from None
            raise
    return resources


def _stack_associations(aws: Aws, stack_name: str) -> Iterable[DeployedAssociation]:
    resources = stack_resources(aws, stack_name)
    ssm = aws.client("ssm")
    descriptions = [
        ssm.describe_association(AssociationId=resource["PhysicalResourceId"])[
            "AssociationDescription"
        ]
        for resource in resources
        if resource.get("ResourceType") == ASSOCIATION and resource.get("PhysicalResourceId")
    ]
    matches = match_associations(d.get("AssociationName", "") for d in descriptions)
    found = False
    for description in descriptions:
        match = matches.get(description.get("AssociationName", ""))
        if match is not None:
            found = True
            yield DeployedAssociation.from_api(description, match)
    if not found:
        if any(resource.get("ResourceType") == STACK_SET for resource in resources):
            raise CliError(
                f"stack {stack_name!r} deploys its configuration to other accounts through "
                f"StackSets: run `quicksetup status --org --stack {stack_name}`"
            )
        raise CliError(
            f"stack {stack_name!r} in {aws.region} has no Quick Setup association "
            f"(none named {PREFIX}*)"
        )
