"""AWS Systems Manager Quick Setup (Host Management) as AWS CDK constructs."""

from .errors import QuickSetupValidationError
from .local import QuickSetupLocal
from .options import InventoryFilePath, InventoryRegistryKey, InventorySettings
from .targets import InstanceTargets

__all__ = [
    "InstanceTargets",
    "InventoryFilePath",
    "InventoryRegistryKey",
    "InventorySettings",
    "QuickSetupLocal",
    "QuickSetupValidationError",
]
