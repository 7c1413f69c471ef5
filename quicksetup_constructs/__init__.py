"""AWS Systems Manager Quick Setup (Host Management) as AWS CDK constructs."""

from .errors import QuickSetupValidationError
from .local import QuickSetupLocal
from .options import (
    InventoryFilePath,
    InventoryRegistryKey,
    InventorySettings,
    InventorySync,
    ScanBaseline,
)
from .organization import ORGANIZATION_REGIONS, QuickSetupOrganization, RolloutPreferences
from .targets import InstanceTargets

__all__ = [
    "InstanceTargets",
    "InventoryFilePath",
    "InventoryRegistryKey",
    "InventorySettings",
    "InventorySync",
    "ORGANIZATION_REGIONS",
    "QuickSetupLocal",
    "QuickSetupOrganization",
    "QuickSetupValidationError",
    "RolloutPreferences",
    "ScanBaseline",
]
