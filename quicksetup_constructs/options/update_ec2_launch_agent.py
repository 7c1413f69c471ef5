"""Update the EC2Launch v2 agent of Windows instances every 30 days.

Quick Setup's ``UpdateEc2LaunchAgent`` option runs ``AWSEC2-UpdateLaunchAgent`` "every month".
AWS documents neither that document's type nor its parameters, so this option does not guess
them: our Command document installs the latest ``AWSEC2Launch-Agent`` package (the Distributor
package AWS documents for installing and updating EC2Launch v2) through
``AWS-ConfigureAWSPackage``, on Windows only; other instances skip the step and succeed.
"""

from ..documents.ec2_launch_agent import UPDATE_LAUNCH_AGENT
from .option import Option, OwnDocument

UPDATE_EC2_LAUNCH_AGENT = Option(
    key="update_ec2_launch_agent",
    title="Update the EC2Launch agent once every 30 days",
    association_name="UpdateEC2LaunchAgent",
    document=OwnDocument("UpdateEC2LaunchAgentDocument", UPDATE_LAUNCH_AGENT),
    schedule="rate(30 days)",
    enabled_by_default=False,
)
