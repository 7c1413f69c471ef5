"""Install and configure the Amazon CloudWatch agent once."""

from ..documents.cloudwatch_agent import INSTALL_AND_CONFIGURE
from .option import Option, OwnDocument, RenderContext

CLOUDWATCH_AGENT_POLICY = "CloudWatchAgentServerPolicy"
"""Lets the agent publish metrics and logs (and read its configuration parameter)."""


def _parameters(context: RenderContext) -> dict[str, list[str]]:
    parameter = context.settings.cloudwatch_agent_config_parameter
    if parameter is None:
        return {"ConfigurationSource": ["default"]}
    return {"ConfigurationSource": ["ssm"], "ConfigurationLocation": [parameter]}


INSTALL_CLOUDWATCH_AGENT = Option(
    key="install_cloudwatch_agent",
    title="Install and configure the CloudWatch agent",
    association_name="InstallCloudWatchAgent",
    document=OwnDocument("InstallCloudWatchAgentDocument", INSTALL_AND_CONFIGURE),
    schedule=None,
    enabled_by_default=False,
    parameters=_parameters,
    instance_role_policies=(CLOUDWATCH_AGENT_POLICY,),
)
