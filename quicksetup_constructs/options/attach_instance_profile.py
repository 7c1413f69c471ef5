"""Give targeted instances that have no instance profile ours, every 30 days.

Automation associations do not run by themselves on instances that join the targets later;
the schedule picks them up.
"""

from ..documents.attach_profile import ATTACH_INSTANCE_PROFILE
from ..targets import DocumentKind
from .option import Option, OwnDocument, RenderContext


def _parameters(context: RenderContext) -> dict[str, list[str]]:
    parameters = {
        "AutomationAssumeRole": [context.service_role_arn],
        "InstanceProfileName": [context.instance_profile_name],
        "AllowPolicyAttach": ["true" if context.attachable_policies else "false"],
    }
    if context.attachable_policies:
        parameters["PolicyNames"] = list(context.attachable_policies)
    return parameters


ATTACH_INSTANCE_PROFILE_OPTION = Option(
    key="attach_instance_profile",
    title="Attach the instance profile to instances that have none",
    association_name="AttachInstanceProfile",
    document=OwnDocument(
        "AttachInstanceProfileDocument", ATTACH_INSTANCE_PROFILE, DocumentKind.AUTOMATION
    ),
    schedule="rate(30 days)",
    enabled_by_default=True,
    parameters=_parameters,
    automation_target_parameter_name="InstanceId",
)
