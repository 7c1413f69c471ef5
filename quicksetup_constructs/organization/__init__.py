"""Quick Setup for an organization: two service-managed StackSets rendered from the catalogue."""

from .construct import MANAGEMENT_ACCOUNT_WARNING, TARGET_COUNT_WARNING, QuickSetupOrganization
from .preferences import RolloutPreferences
from .regions import ORGANIZATION_REGIONS

__all__ = [
    "MANAGEMENT_ACCOUNT_WARNING",
    "ORGANIZATION_REGIONS",
    "TARGET_COUNT_WARNING",
    "QuickSetupOrganization",
    "RolloutPreferences",
]
