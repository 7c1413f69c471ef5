"""Inventory delivered to one bucket: the bucket (when the configuration creates it) and the
resource data sync of each account and Region."""

from __future__ import annotations

from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ssm as ssm
from constructs import Construct

if TYPE_CHECKING:
    from aws_cdk import aws_s3 as s3

from ..options.inventory_sync import BucketReference, InventorySync
from .nag import acknowledge_rule, skip_checkov

SYNC_CONSTRUCT_ID = "InventorySync"
BUCKET_CONSTRUCT_ID = "InventoryBucket"
"""Construct ids; part of the logical IDs, so never change them."""
NONCURRENT_VERSION_DAYS = 7
"""Each delivery replaces an instance's objects; earlier versions are kept this long."""


def render_inventory_sync(
    scope: Construct, configuration_id: str, sync: InventorySync, bucket: BucketReference
) -> ssm.CfnResourceDataSync:
    """The resource data sync that sends this account and Region's inventory to ``bucket``."""
    return ssm.CfnResourceDataSync(
        scope, SYNC_CONSTRUCT_ID,
        sync_name=InventorySync.sync_name(configuration_id),
        bucket_name=bucket.bucket_name,
        bucket_region=bucket.bucket_region,
        bucket_prefix=sync.prefix,
        kms_key_arn=sync.kms_key_arn,
        sync_format="JsonSerDe",
    )


def create_inventory_bucket(
    scope: Construct, sync: InventorySync, *, organization_id: str | None = None
) -> s3.Bucket:
    """A bucket for the inventory of this stack's account or, with ``organization_id``, of every
    account of that organization: S3-managed encryption, no public access, TLS only, versioned,
    and kept when removed from the stack (it holds the inventory history)."""
    # Imported here: importing aws_s3 costs every app ~0.1 s, and few create this bucket.
    from aws_cdk import aws_s3 as s3

    bucket = s3.Bucket(
        scope, BUCKET_CONSTRUCT_ID,
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        versioned=True,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        lifecycle_rules=[s3.LifecycleRule(
            noncurrent_version_expiration=cdk.Duration.days(NONCURRENT_VERSION_DAYS)
        )],
        server_access_logs_bucket=sync.server_access_logs_bucket,
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )
    for statement in _delivery_statements(bucket, sync.prefix, organization_id):
        bucket.add_to_resource_policy(statement)
    if sync.server_access_logs_bucket is None:
        acknowledge_rule(bucket, "AwsSolutions-S1", "inventory-access-logs")
        acknowledge_rule(bucket, "NIST.800.53.R5-S3BucketLoggingEnabled", "inventory-access-logs")
        skip_checkov(bucket, "CKV_AWS_18", "inventory-access-logs")
    acknowledge_rule(bucket, "NIST.800.53.R5-S3BucketReplicationEnabled", "inventory-replication")
    acknowledge_rule(bucket, "NIST.800.53.R5-S3DefaultEncryptionKMS", "inventory-encryption")
    return bucket


def _delivery_statements(
    bucket: s3.Bucket, prefix: str | None, organization_id: str | None
) -> list[iam.PolicyStatement]:
    """What Systems Manager needs to deliver inventory, as AWS documents it for one account or
    for an organization."""
    ssm_principal = iam.ServicePrincipal("ssm.amazonaws.com")
    stack = cdk.Stack.of(bucket)
    keys = (f"{prefix}/" if prefix else "") + "*/accountid={}/*"
    statements = [
        # Purpose: Systems Manager checks the bucket's ACL before it delivers.
        iam.PolicyStatement(
            sid="SSMBucketPermissionsCheck", principals=[ssm_principal],
            actions=["s3:GetBucketAcl"], resources=[bucket.bucket_arn],
        ),
    ]
    if organization_id is None:
        # Purpose: the syncs of this account write under its own accountid= keys only.
        statements.append(iam.PolicyStatement(
            sid="SSMBucketDelivery", principals=[ssm_principal], actions=["s3:PutObject"],
            resources=[bucket.arn_for_objects(keys.format(stack.account))],
            conditions={
                "StringEquals": {
                    "s3:x-amz-acl": "bucket-owner-full-control",
                    "aws:SourceAccount": stack.account,
                },
                "ArnLike": {"aws:SourceArn": stack.format_arn(
                    service="ssm", region="*", resource="resource-data-sync", resource_name="*"
                )},
            },
        ))
        return statements
    # Purpose: the syncs of every account of the organization write under their accountid=
    # keys, and tag what they write.
    statements.append(iam.PolicyStatement(
        sid="SSMBucketDelivery", principals=[ssm_principal], actions=["s3:PutObject"],
        resources=[bucket.arn_for_objects(keys.format("*"))],
        conditions={"StringEquals": {
            "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceOrgID": organization_id,
        }},
    ))
    # AWS documents this statement without a condition, and no source key is documented for
    # the tagging request: a condition it lacks would make every delivery fail to tag.
    statements.append(iam.PolicyStatement(
        sid="SSMBucketDeliveryTagging", principals=[ssm_principal],
        actions=["s3:PutObjectTagging"], resources=[bucket.arn_for_objects(keys.format("*"))],
    ))
    return statements
