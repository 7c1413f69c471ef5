"""AWS Systems Manager Quick Setup (Host Management) as AWS CDK constructs.

Each name is imported when first used, so that importing a part of the package that needs no
CDK (the ``quicksetup`` command, the option catalogue) does not start the jsii kernel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_exports

_EXPORTS = {
    "InstanceTargets": ".targets",
    "InventoryFilePath": ".options",
    "InventoryRegistryKey": ".options",
    "InventorySettings": ".options",
    "InventorySync": ".options",
    "ORGANIZATION_REGIONS": ".organization.regions",
    "QuickSetupLocal": ".local",
    "QuickSetupOrganization": ".organization.construct",
    "QuickSetupValidationError": ".errors",
    "RolloutPreferences": ".organization.preferences",
    "ScanBaseline": ".options",
}

__all__ = [  # spelled out, as type checkers read it; a test keeps it equal to _EXPORTS
    "ORGANIZATION_REGIONS",
    "InstanceTargets",
    "InventoryFilePath",
    "InventoryRegistryKey",
    "InventorySettings",
    "InventorySync",
    "QuickSetupLocal",
    "QuickSetupOrganization",
    "QuickSetupValidationError",
    "RolloutPreferences",
    "ScanBaseline",
]
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:
    from .errors import QuickSetupValidationError
    from .local import QuickSetupLocal
    from .options import (
        InventoryFilePath,
        InventoryRegistryKey,
        InventorySettings,
        InventorySync,
        ScanBaseline,
    )
    from .organization.construct import QuickSetupOrganization
    from .organization.preferences import RolloutPreferences
    from .organization.regions import ORGANIZATION_REGIONS
    from .targets import InstanceTargets
