"""The option catalogue: every Quick Setup option, one declaration each."""

from .attach_instance_profile import ATTACH_INSTANCE_PROFILE_OPTION
from .collect_inventory import (
    COLLECT_INVENTORY,
    InventoryFilePath,
    InventoryRegistryKey,
    InventorySettings,
)
from .enable_explorer import ENABLE_EXPLORER
from .install_cloudwatch_agent import INSTALL_CLOUDWATCH_AGENT
from .inventory_sync import InventorySync
from .option import MANAGED_NODE_POLICIES, ManagedDocument, Option, OwnDocument, RenderContext
from .scan_for_patches import SCAN_FOR_PATCHES, ScanBaseline
from .update_cloudwatch_agent import UPDATE_CLOUDWATCH_AGENT
from .update_ec2_launch_agent import UPDATE_EC2_LAUNCH_AGENT
from .update_ssm_agent import UPDATE_SSM_AGENT

CATALOGUE: tuple[Option, ...] = (
    ATTACH_INSTANCE_PROFILE_OPTION,
    UPDATE_SSM_AGENT,
    UPDATE_EC2_LAUNCH_AGENT,
    COLLECT_INVENTORY,
    SCAN_FOR_PATCHES,
    INSTALL_CLOUDWATCH_AGENT,
    UPDATE_CLOUDWATCH_AGENT,
    ENABLE_EXPLORER,
)
"""Every option, in the order the console lists them (Explorer, which the console enables
with any option, last)."""

OPTIONS_BY_KEY: dict[str, Option] = {option.key: option for option in CATALOGUE}

__all__ = [
    "ATTACH_INSTANCE_PROFILE_OPTION",
    "CATALOGUE",
    "ENABLE_EXPLORER",
    "MANAGED_NODE_POLICIES",
    "OPTIONS_BY_KEY",
    "SCAN_FOR_PATCHES",
    "InventoryFilePath",
    "InventoryRegistryKey",
    "InventorySettings",
    "InventorySync",
    "ManagedDocument",
    "Option",
    "OwnDocument",
    "RenderContext",
    "ScanBaseline",
]
