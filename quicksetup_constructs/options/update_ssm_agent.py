"""Update SSM Agent every two weeks."""

from .option import ManagedDocument, Option

UPDATE_SSM_AGENT = Option(
    key="update_ssm_agent",
    title="Update Systems Manager (SSM) Agent every two weeks",
    association_name="UpdateSSMAgent",
    document=ManagedDocument("AWS-UpdateSSMAgent"),
    schedule="rate(14 days)",
    enabled_by_default=True,
)
