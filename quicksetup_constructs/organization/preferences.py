"""How fast a StackSet operation rolls out, and when it stops."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import aws_cloudformation as cfn

from ..errors import QuickSetupValidationError
from ..validation import check_choice, check_type, is_unresolved
from .regions import check_region

DEFAULT_MAX_CONCURRENT_PERCENTAGE = 50
DEFAULT_FAILURE_TOLERANCE_PERCENTAGE = 10

_REGION_CONCURRENCY = ("PARALLEL", "SEQUENTIAL")
_CONCURRENCY_MODES = ("SOFT_FAILURE_TOLERANCE", "STRICT_FAILURE_TOLERANCE")


@dataclass(frozen=True)
class RolloutPreferences:
    """StackSet operation preferences for creating and updating stack instances.

    CloudFormation's own defaults deploy to one account at a time, Region after Region, and
    stop at the first failure. These defaults deploy to all Regions at once and to half the
    accounts of a Region at a time, and stop a Region once more than 10% of its accounts
    failed. Give a count *or* a percentage for each limit, not both. Automatic deployments to
    accounts that join an OU later do not use these preferences (a CloudFormation rule).
    """

    region_concurrency_type: str = "PARALLEL"
    """``PARALLEL`` or ``SEQUENTIAL``. Default: ``PARALLEL``."""
    region_order: Sequence[str] | None = None
    """Order of the Regions (useful with ``SEQUENTIAL``). Default: CloudFormation's."""
    max_concurrent_percentage: int | None = None
    """Percentage of a Region's accounts deployed at a time (1-100). Default: 50, when
    ``max_concurrent_count`` is not given either."""
    max_concurrent_count: int | None = None
    """Number of accounts deployed at a time (1 or more). Default: none (the percentage)."""
    failure_tolerance_percentage: int | None = None
    """Percentage of a Region's accounts that may fail before the operation stops there
    (0-100). Default: 10, when ``failure_tolerance_count`` is not given either."""
    failure_tolerance_count: int | None = None
    """Number of accounts that may fail (0 or more). Default: none (the percentage)."""
    concurrency_mode: str = "SOFT_FAILURE_TOLERANCE"
    """``SOFT_FAILURE_TOLERANCE`` keeps deploying at full concurrency until the tolerance is
    exceeded; ``STRICT_FAILURE_TOLERANCE`` lowers the concurrency to the failure tolerance + 1.
    Default: ``SOFT_FAILURE_TOLERANCE``."""

    def validate(self, prop: str, regions: Sequence[str]) -> None:
        """Raise :class:`QuickSetupValidationError` for values CloudFormation would reject."""
        check_choice(
            f"{prop}.region_concurrency_type", self.region_concurrency_type, _REGION_CONCURRENCY
        )
        check_choice(f"{prop}.concurrency_mode", self.concurrency_mode, _CONCURRENCY_MODES)
        for name, count, percentage in (
            ("max_concurrent", self.max_concurrent_count, self.max_concurrent_percentage),
            ("failure_tolerance", self.failure_tolerance_count, self.failure_tolerance_percentage),
        ):
            if count is not None and percentage is not None:
                raise QuickSetupValidationError(
                    f"{prop}.{name}_count",
                    count,
                    f"either {name}_count or {name}_percentage, not both "
                    "(CloudFormation rejects the pair)",
                )
        _check_number(f"{prop}.max_concurrent_count", self.max_concurrent_count, 1, None)
        _check_number(f"{prop}.max_concurrent_percentage", self.max_concurrent_percentage, 1, 100)
        _check_number(f"{prop}.failure_tolerance_count", self.failure_tolerance_count, 0, None)
        _check_number(
            f"{prop}.failure_tolerance_percentage", self.failure_tolerance_percentage, 0, 100
        )
        if (
            self.concurrency_mode == "STRICT_FAILURE_TOLERANCE"
            and self.max_concurrent_count is not None
            and self.failure_tolerance_count is not None
            and self.max_concurrent_count > self.failure_tolerance_count + 1
        ):
            raise QuickSetupValidationError(
                f"{prop}.max_concurrent_count",
                self.max_concurrent_count,
                "at most failure_tolerance_count + 1 with STRICT_FAILURE_TOLERANCE",
            )
        if self.region_order is not None:
            check_type(
                f"{prop}.region_order", self.region_order, (list, tuple), "a list of Regions"
            )
            for region in self.region_order:
                check_region(f"{prop}.region_order", region)
                if not is_unresolved(region) and region not in regions:
                    raise QuickSetupValidationError(
                        f"{prop}.region_order",
                        region,
                        "only Regions of regions: " + ", ".join(map(str, regions)),
                    )
            literal = [region for region in self.region_order if not is_unresolved(region)]
            if len(set(literal)) != len(literal):
                raise QuickSetupValidationError(
                    f"{prop}.region_order",
                    list(self.region_order),
                    "distinct Regions of regions: " + ", ".join(map(str, regions)),
                )

    def render(
        self, *, with_region_order: bool = True
    ) -> cfn.CfnStackSet.OperationPreferencesProperty:
        """The ``OperationPreferences`` of a StackSet, with the defaults filled in.

        ``with_region_order``: include ``region_order`` (not for a single-Region StackSet)."""
        max_percentage = self.max_concurrent_percentage
        if max_percentage is None and self.max_concurrent_count is None:
            max_percentage = DEFAULT_MAX_CONCURRENT_PERCENTAGE
        tolerance_percentage = self.failure_tolerance_percentage
        if tolerance_percentage is None and self.failure_tolerance_count is None:
            tolerance_percentage = DEFAULT_FAILURE_TOLERANCE_PERCENTAGE
        return cfn.CfnStackSet.OperationPreferencesProperty(
            region_concurrency_type=self.region_concurrency_type,
            region_order=(
                list(self.region_order) if self.region_order and with_region_order else None
            ),
            max_concurrent_percentage=max_percentage,
            max_concurrent_count=self.max_concurrent_count,
            failure_tolerance_percentage=tolerance_percentage,
            failure_tolerance_count=self.failure_tolerance_count,
            concurrency_mode=self.concurrency_mode,
        )


def _check_number(prop: str, value: int | None, low: int, high: int | None) -> None:
    allowed = f"None or an integer from {low}" + (f" to {high}" if high is not None else " up")
    if value is None or is_unresolved(value):
        return
    check_type(prop, value, int, allowed)
    if value < low or (high is not None and value > high):
        raise QuickSetupValidationError(prop, value, allowed)
