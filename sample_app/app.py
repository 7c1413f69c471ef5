"""Sample CDK app: Quick Setup for every instance of an organization's OUs in two Regions, and
for the instances tagged Environment=production in the organization's management account.

Run with ``npx cdk synth`` from the repository root; it needs no AWS account and no network
(the organization stack gives ``account_count``, so no accounts are looked up).

Both stacks are deployed to the management account (``111111111111`` here). The StackSets never
deploy to it, so the local configuration covers its instances and the two configurations cannot
reach the same instances: no overlap warning, no duplicate inventory association.
"""

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks, NIST80053R5Checks

from quicksetup_constructs import InstanceTargets, QuickSetupLocal, QuickSetupOrganization

MANAGEMENT_ACCOUNT = cdk.Environment(account="111111111111", region="us-east-1")
"""The organization's management account, where both stacks are deployed."""


def build_app(app: cdk.App) -> cdk.App:
    """Add the sample stacks to ``app`` (with cdk-nag's AWS Solutions and NIST 800-53 rev 5
    checks) and return it."""
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app), NIST80053R5Checks(app))

    stack = cdk.Stack(
        app, "QuickSetupLocalSample", env=MANAGEMENT_ACCOUNT,
        description="Quick Setup Host Management",
    )
    QuickSetupLocal(
        stack, "QuickSetup",
        targets=InstanceTargets.tag("Environment", "production"),
        update_ec2_launch_agent=True,
        install_cloudwatch_agent=True,
        update_cloudwatch_agent=True,
    )

    organization = cdk.Stack(
        app, "QuickSetupOrganizationSample", env=MANAGEMENT_ACCOUNT,
        description="Quick Setup Host Management for an organization (StackSets)",
    )
    QuickSetupOrganization(
        organization, "OrgQuickSetup",
        organizational_unit_ids=["ou-abcd-11112222", "ou-abcd-33334444"],
        regions=["us-east-1", "ap-northeast-1"],
        account_count=40,
    )
    return app


if __name__ == "__main__":
    build_app(cdk.App()).synth()
