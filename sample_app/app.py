"""Sample CDK app: Quick Setup for every instance of an organization's OUs in two Regions, and
for the instances tagged Environment=production in the organization's management account.

Run with ``npx cdk synth`` from the repository root; it needs no AWS account and no network
(the organization stack gives ``account_count``, so no accounts are looked up).

Both stacks are deployed to the management account (``111111111111`` here). The StackSets never
deploy to it, so the local configuration covers its instances and the two configurations cannot
reach the same instances: no overlap warning, no duplicate inventory association.

The organization's configuration also turns on Default Host Management Configuration in every
member account and Region, and creates one bucket for the inventory of all of them; the local
configuration delivers the management account's inventory to the same bucket.
"""

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks, NIST80053R5Checks

from quicksetup_constructs import (
    InstanceTargets,
    InventorySync,
    QuickSetupLocal,
    QuickSetupOrganization,
)

MANAGEMENT_ACCOUNT = cdk.Environment(account="111111111111", region="us-east-1")
"""The organization's management account, where both stacks are deployed."""
ORGANIZATION_ID = "o-a1b2c3d4e5"
INVENTORY_PREFIX = "inventory"


def build_app(app: cdk.App) -> cdk.App:
    """Add the sample stacks to ``app`` (with cdk-nag's AWS Solutions and NIST 800-53 rev 5
    checks) and return it."""
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app), NIST80053R5Checks(app))

    organization = cdk.Stack(
        app,
        "QuickSetupOrganizationSample",
        env=MANAGEMENT_ACCOUNT,
        description="Quick Setup Host Management for an organization (StackSets)",
    )
    org_quick_setup = QuickSetupOrganization(
        organization,
        "OrgQuickSetup",
        organizational_unit_ids=["ou-abcd-11112222", "ou-abcd-33334444"],
        regions=["us-east-1", "ap-northeast-1"],
        account_count=40,
        default_host_management=True,
        inventory_sync=InventorySync.to_new_bucket(prefix=INVENTORY_PREFIX),
        organization_id=ORGANIZATION_ID,
    )
    assert org_quick_setup.inventory_bucket is not None

    stack = cdk.Stack(
        app,
        "QuickSetupLocalSample",
        env=MANAGEMENT_ACCOUNT,
        description="Quick Setup Host Management",
    )
    QuickSetupLocal(
        stack,
        "QuickSetup",
        targets=InstanceTargets.tag("Environment", "production"),
        update_ec2_launch_agent=True,
        install_cloudwatch_agent=True,
        update_cloudwatch_agent=True,
        # The organization's bucket lets every account of the organization deliver, the
        # management account included.
        inventory_sync=InventorySync.to_bucket(
            org_quick_setup.inventory_bucket.bucket_name,
            MANAGEMENT_ACCOUNT.region,
            prefix=INVENTORY_PREFIX,
        ),
    )
    return app


if __name__ == "__main__":
    build_app(cdk.App()).synth()
