"""Quick Setup for an organization: two service-managed StackSets rendered from the catalogue.

Names are imported when first used: the limits and Regions here are plain data that the
``quicksetup`` command reads without starting the CDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

_EXPORTS = {
    "MANAGEMENT_ACCOUNT_WARNING": ".construct",
    "ORGANIZATION_REGIONS": ".regions",
    "TARGET_COUNT_WARNING": ".construct",
    "QuickSetupOrganization": ".construct",
    "RolloutPreferences": ".preferences",
}

__all__ = [  # spelled out, as type checkers read it; a test keeps it equal to _EXPORTS
    "MANAGEMENT_ACCOUNT_WARNING",
    "ORGANIZATION_REGIONS",
    "TARGET_COUNT_WARNING",
    "QuickSetupOrganization",
    "RolloutPreferences",
]
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:
    from .construct import MANAGEMENT_ACCOUNT_WARNING, TARGET_COUNT_WARNING, QuickSetupOrganization
    from .preferences import RolloutPreferences
    from .regions import ORGANIZATION_REGIONS
