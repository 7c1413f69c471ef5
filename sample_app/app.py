"""Sample CDK app: Quick Setup for the instances tagged Environment=production, and for every
instance of an organization's OUs in two Regions.

Run with ``npx cdk synth`` from the repository root; it needs no AWS account and no network
(the organization stack gives ``account_count``, so no accounts are looked up).
"""

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from quicksetup_constructs import InstanceTargets, QuickSetupLocal, QuickSetupOrganization


def build_app(app: cdk.App) -> cdk.App:
    """Add the sample stacks to ``app`` (with cdk-nag's AWS Solutions checks) and return it."""
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))

    stack = cdk.Stack(app, "QuickSetupLocalSample", description="Quick Setup Host Management")
    QuickSetupLocal(
        stack, "QuickSetup",
        targets=InstanceTargets.tag("Environment", "production"),
        install_cloudwatch_agent=True,
        update_cloudwatch_agent=True,
    )

    organization = cdk.Stack(
        app, "QuickSetupOrganizationSample",
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
