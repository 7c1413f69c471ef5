"""How a StackSet's operation preferences roll out over accounts and Regions.

CloudFormation's rules (``StackSetOperationPreferences``): a percentage of accounts is rounded
down, but never below 1 concurrent account; the failure tolerance percentage is rounded down;
``STRICT_FAILURE_TOLERANCE`` (the default mode) deploys to at most failure tolerance + 1
accounts at a time; Regions run one after another (``SEQUENTIAL``, the default) or all at once
(``PARALLEL``). Without preferences a StackSet deploys to one account at a time, and stops at
the first failure.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Rollout:
    """The waves of one create or update of every stack instance."""

    accounts: int
    regions: int
    concurrent_accounts: int
    """Accounts deployed at a time in one Region."""
    failure_tolerance: int
    """Accounts that may fail in a Region before the operation stops there."""
    parallel_regions: bool
    waves_per_region: int
    waves: int
    """Waves in all, one after another."""


def plan_rollout(preferences: Mapping[str, Any], *, accounts: int, regions: int) -> Rollout:
    """The waves that ``preferences`` imply for ``accounts`` accounts in ``regions`` Regions."""
    concurrent = _count(
        preferences.get("MaxConcurrentCount"),
        preferences.get("MaxConcurrentPercentage"),
        accounts,
        default=1,
        minimum=1,
    )
    tolerance = _count(
        preferences.get("FailureToleranceCount"),
        preferences.get("FailureTolerancePercentage"),
        accounts,
        default=0,
        minimum=0,
    )
    if preferences.get("ConcurrencyMode", "STRICT_FAILURE_TOLERANCE") == "STRICT_FAILURE_TOLERANCE":
        concurrent = min(concurrent, tolerance + 1)
    parallel = preferences.get("RegionConcurrencyType", "SEQUENTIAL") == "PARALLEL"
    per_region = math.ceil(accounts / concurrent) if accounts else 0
    return Rollout(
        accounts=accounts,
        regions=regions,
        concurrent_accounts=concurrent,
        failure_tolerance=tolerance,
        parallel_regions=parallel,
        waves_per_region=per_region,
        waves=per_region if parallel else per_region * regions,
    )


def _count(count: Any, percentage: Any, accounts: int, *, default: int, minimum: int) -> int:
    if isinstance(count, int):
        return max(count, minimum)
    if isinstance(percentage, int):
        return max(math.floor(accounts * percentage / 100), minimum)
    return default
