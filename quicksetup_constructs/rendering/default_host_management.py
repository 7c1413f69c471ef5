"""Default Host Management Configuration as a resource: the service setting that names its role."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from ..options.default_host_management import KEY, SETTING_ID
from ..validation import is_unresolved

_ROLE_ARN_MARKER = ":role/"

CONSTRUCT_ID = "DefaultHostManagement"
"""Construct id of the setting; part of its logical ID, so never change it."""
CONFIGURATION_METADATA = "QuickSetupConfigurationId"
"""Metadata key naming the configuration that a resource without a name of its own belongs to."""
OPTION_METADATA = "QuickSetupOption"
"""Metadata key naming the option (prop) that created a resource other than an association."""


def setting_value_of_role_arn(role_arn: str) -> str:
    """What the DHMC setting holds for the role ``role_arn``: its path without the leading ``/``,
    then its name (``arn:aws:iam::111122223333:role/service-role/Name`` gives
    ``service-role/Name``), as AWS's Default Host Management Configuration guide sets it
    (``--setting-value service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole``).

    ``iam.Role`` has no path attribute, and its ``role_name`` drops the path: the value comes
    from the ARN, computed here where the part after ``:role/`` is known, else at deploy time
    (``Fn::Select`` of ``Fn::Split`` on ``:role/``).
    """
    _, marker, path_and_name = role_arn.partition(_ROLE_ARN_MARKER)
    if marker and not is_unresolved(path_and_name):
        return path_and_name
    return cdk.Fn.select(1, cdk.Fn.split(_ROLE_ARN_MARKER, role_arn))


def render_default_host_management(
    scope: Construct, configuration_id: str, role_name: str
) -> ssm.CfnServiceSetting:
    """Register ``role_name`` (its path, if any, without the leading ``/``, then its name: see
    :func:`setting_value_of_role_arn`) as the account and Region's DHMC role."""
    setting = ssm.CfnServiceSetting(
        scope, CONSTRUCT_ID, setting_id=SETTING_ID, setting_value=role_name
    )
    setting.add_metadata(CONFIGURATION_METADATA, configuration_id)
    setting.add_metadata(OPTION_METADATA, KEY)
    return setting
