"""The one renderer: a configuration's options become State Manager associations."""

from __future__ import annotations

from aws_cdk import aws_ssm as ssm
from constructs import Construct

from ..configuration import Configuration
from ..options import RenderContext
from .documents import document_name


def render_associations(
    scope: Construct,
    configuration: Configuration,
    *,
    service_role_arn: str,
    instance_profile_name: str,
    explorer_role_arn: str,
) -> dict[str, ssm.CfnAssociation]:
    """Create one association per enabled option in ``scope``; return them by option key.

    The construct id of each association is its option's ``association_name``, so its logical
    ID stays the same whatever else changes.
    """
    context = RenderContext(
        settings=configuration.settings,
        enabled=configuration.enabled,
        service_role_arn=service_role_arn,
        instance_profile_name=instance_profile_name,
        explorer_role_arn=explorer_role_arn,
    )
    associations = {}
    for option in configuration.options:
        associations[option.key] = ssm.CfnAssociation(
            scope, option.association_name,
            name=document_name(scope, option.document),
            association_name=configuration.association_name(option),
            targets=(
                configuration.targets.render(option.document_kind)
                if option.targets_instances else None
            ),
            parameters=dict(option.parameters(context)) or None,
            schedule_expression=configuration.schedules[option.key],
            sync_compliance=option.sync_compliance,
            automation_target_parameter_name=option.automation_target_parameter_name,
        )
    return associations
