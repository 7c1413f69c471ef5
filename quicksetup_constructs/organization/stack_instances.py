"""The limit on targets: one stack instance per account and Region."""

from __future__ import annotations

from ..errors import QuickSetupValidationError

MAX_TARGETS = 2000
"""Quick Setup's limit for an Organization configuration (accounts × Regions), which is also
CloudFormation's default quota of stack instances per StackSet."""


def check_target_count(prop: str, accounts: int, regions: int) -> None:
    """``accounts`` × ``regions`` is at most :data:`MAX_TARGETS`; ``prop`` is where the accounts
    came from (``account_count``, or ``organizational_unit_ids`` when looked up)."""
    targets = accounts * regions
    if targets > MAX_TARGETS:
        raise QuickSetupValidationError(
            prop,
            f"{accounts:,} accounts × {regions} Regions = {targets:,} targets",
            f"at most {MAX_TARGETS:,} targets (accounts × Regions); target fewer OUs or Regions, "
            "or split them between several QuickSetupOrganization constructs",
        )
