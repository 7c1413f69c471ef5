"""Update the Amazon CloudWatch agent every 30 days."""

from ..documents.cloudwatch_agent import UPDATE
from .install_cloudwatch_agent import CLOUDWATCH_AGENT_POLICY, INSTALL_CLOUDWATCH_AGENT
from .option import Option, OwnDocument, RenderContext

WAIT_FOR_INSTALL_SECONDS = 1800
"""Both associations run when created; the update waits for the first installation."""


def _parameters(context: RenderContext) -> dict[str, list[str]]:
    installing = INSTALL_CLOUDWATCH_AGENT.key in context.enabled
    return {"WaitSeconds": [str(WAIT_FOR_INSTALL_SECONDS if installing else 0)]}


UPDATE_CLOUDWATCH_AGENT = Option(
    key="update_cloudwatch_agent",
    title="Update the CloudWatch agent once every 30 days",
    association_name="UpdateCloudWatchAgent",
    document=OwnDocument("UpdateCloudWatchAgentDocument", UPDATE),
    schedule="rate(30 days)",
    enabled_by_default=False,
    parameters=_parameters,
    instance_role_policies=(CLOUDWATCH_AGENT_POLICY,),
)
