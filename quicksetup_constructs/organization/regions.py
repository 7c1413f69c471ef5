"""The Regions where an Organization Quick Setup configuration may be deployed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import QuickSetupValidationError
from ..validation import check_type, is_unresolved

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
"""The 15 Regions where Quick Setup offers the Organization configuration type."""

_ALLOWED = "one of the Organization Quick Setup Regions: " + ", ".join(ORGANIZATION_REGIONS)


def check_region(prop: str, region: Any) -> None:
    """``region`` is one of :data:`ORGANIZATION_REGIONS` (or a token)."""
    check_type(prop, region, str, _ALLOWED)
    if not is_unresolved(region) and region not in ORGANIZATION_REGIONS:
        raise QuickSetupValidationError(prop, region, _ALLOWED)


def check_regions(prop: str, regions: Any) -> None:
    """``regions`` is a non-empty list of distinct Organization Quick Setup Regions."""
    check_type(prop, regions, (list, tuple), "a list of Regions, each " + _ALLOWED)
    if not regions:
        raise QuickSetupValidationError(
            prop, list(regions), "at least one Region, each " + _ALLOWED
        )
    for region in regions:
        check_region(prop, region)
    _check_distinct(prop, regions)


def _check_distinct(prop: str, values: Sequence[str]) -> None:
    literal = [value for value in values if not is_unresolved(value)]
    if len(set(literal)) != len(literal):
        raise QuickSetupValidationError(prop, list(values), "distinct values")
