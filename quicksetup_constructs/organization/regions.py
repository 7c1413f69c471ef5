"""The Regions where an Organization Quick Setup configuration is documented to deploy.

AWS's Quick Setup guide lists 15 Regions for the Organization type (the seed guide,
「[組織] 高速セットアップ は、以下の AWS リージョンで使用できます」, and the user guide's "Quick
Setup Host Management" page, doc_source/quick-setup-host-management.md of
awsdocs/aws-systems-manager-user-guide: "Organization Quick Setup is available in the following
AWS Regions"). A newer edition of that page is reported to list Europe (Stockholm) too; no AWS
page found here says so, so the list stays the documented 15. The configuration itself is made
of service-managed StackSets, which CloudFormation deploys to any Region: a Region outside the
list is a warning (:data:`OUTSIDE_DOCUMENTED_REGIONS_WARNING`), not an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ..errors import QuickSetupValidationError
from ..region_code import REGION_CODE
from ..validation import check_pattern, check_type, is_unresolved

ORGANIZATION_REGIONS: tuple[str, ...] = (
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ap-south-1",
    "ap-northeast-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "ca-central-1",
    "sa-east-1",
)
"""The 15 Regions where Quick Setup documents the Organization configuration type."""

OUTSIDE_DOCUMENTED_REGIONS_WARNING = "quicksetup:region-outside-organization-list"
"""Id of the warning that a Region is not one of :data:`ORGANIZATION_REGIONS`."""

_ALLOWED = "an AWS Region code such as us-east-1"


def check_region(prop: str, region: Any) -> None:
    """``region`` is written as an AWS Region code (or is a token)."""
    check_pattern(prop, region, REGION_CODE, _ALLOWED)


def check_regions(prop: str, regions: Any) -> None:
    """``regions`` is a non-empty list of distinct AWS Region codes."""
    check_type(prop, regions, (list, tuple), "a list of Regions, each " + _ALLOWED)
    if not regions:
        raise QuickSetupValidationError(
            prop, list(regions), "at least one Region, each " + _ALLOWED
        )
    for region in regions:
        check_region(prop, region)
    _check_distinct(prop, regions)


def outside_documented_regions(regions: Iterable[str]) -> list[str]:
    """The Regions of ``regions`` (tokens aside) that are not :data:`ORGANIZATION_REGIONS`."""
    return [
        region
        for region in dict.fromkeys(regions)
        if not is_unresolved(region) and region not in ORGANIZATION_REGIONS
    ]


def outside_documented_regions_message(outside: Sequence[str]) -> str:
    """The warning for Regions outside :data:`ORGANIZATION_REGIONS`, naming the list."""
    return (
        f"{', '.join(outside)} {'is' if len(outside) == 1 else 'are'} not among the Regions "
        "where Quick Setup documents the Organization configuration type: "
        f"{', '.join(ORGANIZATION_REGIONS)}. The StackSets deploy there all the same; check "
        "that Systems Manager offers what the configuration uses in that Region, or "
        "acknowledge this warning."
    )


def _check_distinct(prop: str, values: Sequence[str]) -> None:
    literal = [value for value in values if not is_unresolved(value)]
    if len(set(literal)) != len(literal):
        raise QuickSetupValidationError(prop, list(values), "distinct values")
