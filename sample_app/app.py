"""Sample CDK app: Quick Setup for the instances tagged Environment=production.

Run with ``npx cdk synth`` from the repository root; it needs no AWS account and no network.
"""

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from quicksetup_constructs import InstanceTargets, QuickSetupLocal


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
    return app


if __name__ == "__main__":
    build_app(cdk.App()).synth()
