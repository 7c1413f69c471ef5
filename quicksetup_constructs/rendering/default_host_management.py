"""Default Host Management Configuration as a resource: the service setting that names its role."""

from __future__ import annotations

from aws_cdk import aws_ssm as ssm
from constructs import Construct

from ..options.default_host_management import KEY, SETTING_ID

CONSTRUCT_ID = "DefaultHostManagement"
"""Construct id of the setting; part of its logical ID, so never change it."""
CONFIGURATION_METADATA = "QuickSetupConfigurationId"
"""Metadata key naming the configuration that a resource without a name of its own belongs to."""
OPTION_METADATA = "QuickSetupOption"
"""Metadata key naming the option (prop) that created a resource other than an association."""


def render_default_host_management(
    scope: Construct, configuration_id: str, role_name: str
) -> ssm.CfnServiceSetting:
    """Register ``role_name`` (its path, if any, without the leading ``/``, then its name) as the
    account and Region's DHMC role."""
    setting = ssm.CfnServiceSetting(
        scope, CONSTRUCT_ID, setting_id=SETTING_ID, setting_value=role_name
    )
    setting.add_metadata(CONFIGURATION_METADATA, configuration_id)
    setting.add_metadata(OPTION_METADATA, KEY)
    return setting
