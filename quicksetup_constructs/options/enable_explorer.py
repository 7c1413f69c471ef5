"""Enable Systems Manager Explorer once, so that the configuration's compliance, inventory and
association results show up on its dashboard.

Quick Setup runs ``AWS-EnableExplorer`` whenever any Host Management option is on. The runbook
acts on the account and Region, not on instances: the association has no targets and runs once,
when it is created, under a role of its own (see
:meth:`~quicksetup_constructs.rendering.roles.QuickSetupRoles.explorer_role`). Quick Setup turns
Explorer on once per account and Region: a stack holds one such association, created by its
first configuration that enables Explorer and shared by the others.
"""

from ..targets import DocumentKind
from .option import ManagedDocument, Option, RenderContext


def _parameters(context: RenderContext) -> dict[str, list[str]]:
    return {"AutomationAssumeRole": [context.explorer_role_arn]}


ENABLE_EXPLORER = Option(
    key="enable_explorer",
    title="Enable Systems Manager Explorer",
    association_name="EnableExplorer",
    document=ManagedDocument("AWS-EnableExplorer", DocumentKind.AUTOMATION),
    schedule=None,
    enabled_by_default=True,
    parameters=_parameters,
    targets_instances=False,
)
