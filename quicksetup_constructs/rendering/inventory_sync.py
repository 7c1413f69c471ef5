"""Inventory delivered to one bucket: the bucket (when the configuration creates it) and the
resource data sync of each account and Region.

A single account's sync is an ``AWS::SSM::ResourceDataSync``. The syncs of an organization's
accounts deliver to a bucket shared by the organization, which AWS documents only through
``CreateResourceDataSync`` with ``S3Destination.DestinationDataSharing`` (type
``Organization``); ``AWS::SSM::ResourceDataSync`` has no such property
(aws-cloudformation-resource-providers-ssm issues 142 and 193). So the regional StackSet
template creates each of those syncs with a small custom resource: an inline Python function
(:mod:`.inventory_sync_handler`, no assets) with a role that may create and delete that one sync.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ssm as ssm
from constructs import Construct

if TYPE_CHECKING:
    from aws_cdk import aws_s3 as s3

from ..options.inventory_sync import BucketReference, InventorySync
from .nag import acknowledge_rule, finding_environment, finding_partition, skip_checkov

SYNC_CONSTRUCT_ID = "InventorySync"
BUCKET_CONSTRUCT_ID = "InventoryBucket"
"""Construct ids; part of the logical IDs, so never change them."""
NONCURRENT_VERSION_DAYS = 7
"""Each delivery replaces an instance's objects; earlier versions are kept this long."""

ORGANIZATION_SYNC_TYPE = "Custom::QuickSetupInventorySync"
"""The custom resource that creates an organization's sync in one account and Region."""
HANDLER_PATH = Path(__file__).with_name("inventory_sync_handler.py")
"""The function's code, inlined as its ``ZipFile`` (read, not imported: nothing else of it is
needed at synth time)."""
ZIP_FILE_LIMIT = 4096
"""The limit of inline (``ZipFile``) function code, in characters, that CDK's
``Code.from_inline`` enforces and earlier CloudFormation documentation gave."""
HANDLER_RUNTIME = "python3.14"
HANDLER_TIMEOUT_SECONDS = 60
SERVICE_TIMEOUT_SECONDS = 300
"""How long CloudFormation waits for the function's answer (its default is an hour)."""
LOG_RETENTION_DAYS = 365


def render_inventory_sync(
    scope: Construct, configuration_id: str, sync: InventorySync, bucket: BucketReference
) -> cdk.CfnResource:
    """The resource data sync that sends this account and Region's inventory to ``bucket``: an
    ``AWS::SSM::ResourceDataSync``, or for a bucket of the organization
    (``bucket.organization``) the custom resource that creates it with Organization data
    sharing. Both have the construct id (and logical ID) ``InventorySync``."""
    if bucket.organization:
        return _render_organization_sync(scope, configuration_id, sync, bucket)
    return ssm.CfnResourceDataSync(
        scope,
        SYNC_CONSTRUCT_ID,
        sync_name=InventorySync.sync_name(configuration_id),
        bucket_name=bucket.bucket_name,
        bucket_region=bucket.bucket_region,
        bucket_prefix=sync.prefix,
        kms_key_arn=sync.kms_key_arn,
        sync_format="JsonSerDe",
    )


def organization_sync_request(
    configuration_id: str, sync: InventorySync, bucket: BucketReference
) -> dict[str, object]:
    """The ``CreateResourceDataSync`` request of an organization's sync, as AWS documents it:
    ``aws ssm create-resource-data-sync --sync-name <name> --s3-destination "BucketName=...,
    Prefix=...,SyncFormat=JsonSerDe,Region=...,DestinationDataSharing={DestinationDataSharingType=
    Organization}"``, plus the KMS key of ``InventorySync.to_bucket(kms_key_arn=...)``."""
    destination: dict[str, object] = {
        "BucketName": bucket.bucket_name,
        "Region": bucket.bucket_region,
        "SyncFormat": "JsonSerDe",
        "DestinationDataSharing": {"DestinationDataSharingType": "Organization"},
    }
    if sync.prefix is not None:
        destination["Prefix"] = sync.prefix
    if sync.kms_key_arn is not None:
        destination["AWSKMSKeyARN"] = sync.kms_key_arn
    return {"SyncName": InventorySync.sync_name(configuration_id), "S3Destination": destination}


def _render_organization_sync(
    scope: Construct, configuration_id: str, sync: InventorySync, bucket: BucketReference
) -> cdk.CfnResource:
    # Imported here: few apps need them, and importing them costs every app time.
    from aws_cdk import aws_lambda as lambda_
    from aws_cdk import aws_logs as logs

    source = HANDLER_PATH.read_text(encoding="utf-8")
    assert len(source) <= ZIP_FILE_LIMIT, "the handler no longer fits a ZipFile"
    request = organization_sync_request(configuration_id, sync, bucket)
    stack = cdk.Stack.of(scope)
    prefix = SYNC_CONSTRUCT_ID + "Handler"
    log_group = logs.CfnLogGroup(scope, prefix + "Logs", retention_in_days=LOG_RETENTION_DAYS)
    skip_checkov(log_group, "CKV_AWS_158", "sync-function-log-encryption")
    acknowledge_rule(
        log_group, "NIST.800.53.R5-CloudWatchLogGroupEncrypted", "sync-function-log-encryption"
    )
    sync_arn = stack.format_arn(
        service="ssm", resource="resource-data-sync", resource_name=str(request["SyncName"])
    )
    log_streams = stack.format_arn(
        service="logs",
        resource="log-group",
        resource_name=f"{log_group.ref}:*",
        arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
    )
    policy = iam.ManagedPolicy(
        scope,
        prefix + "Policy",
        statements=[
            # Purpose: create the organization's sync of this account and Region, replace it when
            # its destination changes, and delete it with the stack. Only this one sync.
            iam.PolicyStatement(
                actions=["ssm:CreateResourceDataSync", "ssm:DeleteResourceDataSync"],
                resources=[sync_arn],
            ),
            # Purpose: the function's own log.
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[log_streams],
            ),
        ],
    )
    region, account = finding_environment(policy)
    acknowledge_rule(
        policy,
        "AwsSolutions-IAM5",
        "sync-function-log-stream",
        finding=f"Resource::arn:{finding_partition(policy)}:logs:{region}:{account}:log-group:"
        f"<{stack.get_logical_id(log_group)}>:*",
    )
    role = iam.Role(
        scope,
        prefix + "Role",
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        description=f"Creates and deletes the resource data sync {request['SyncName']}",
        managed_policies=[policy],
    )
    function = lambda_.CfnFunction(
        scope,
        prefix,
        description=f"Creates and deletes the resource data sync {request['SyncName']}",
        code=lambda_.CfnFunction.CodeProperty(zip_file=source),
        handler="index.handler",
        runtime=HANDLER_RUNTIME,
        role=role.role_arn,
        timeout=HANDLER_TIMEOUT_SECONDS,
        memory_size=128,
        logging_config=lambda_.CfnFunction.LoggingConfigProperty(log_group=log_group.ref),
    )
    for rule, check, topic in (
        ("NIST.800.53.R5-LambdaConcurrency", "CKV_AWS_115", "sync-function-concurrency"),
        ("NIST.800.53.R5-LambdaDLQ", "CKV_AWS_116", "sync-function-dlq"),
        ("NIST.800.53.R5-LambdaInsideVPC", "CKV_AWS_117", "sync-function-vpc"),
    ):
        acknowledge_rule(function, rule, topic)
        skip_checkov(function, check, topic)
    # Logical IDs: the sync keeps "InventorySync". A stack that holds the plain
    # AWS::SSM::ResourceDataSync of an earlier build then fails to update (CloudFormation does
    # not change a resource's type) instead of creating this sync beside the old one, which
    # CloudFormation would then delete by the same name. The function's ID must not change
    # either: CloudFormation does not update a custom resource's ServiceToken.
    return cdk.CfnResource(
        scope,
        SYNC_CONSTRUCT_ID,
        type=ORGANIZATION_SYNC_TYPE,
        properties={
            "ServiceToken": function.attr_arn,
            "ServiceTimeout": SERVICE_TIMEOUT_SECONDS,
            **request,
        },
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
        scope,
        BUCKET_CONSTRUCT_ID,
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        versioned=True,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        lifecycle_rules=[
            s3.LifecycleRule(
                noncurrent_version_expiration=cdk.Duration.days(NONCURRENT_VERSION_DAYS)
            )
        ],
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
    for an organization (Systems Manager user guide, "Creating a resource data sync for
    Inventory", https://docs.aws.amazon.com/systems-manager/latest/userguide/
    inventory-create-resource-data-sync.html)."""
    ssm_principal = iam.ServicePrincipal("ssm.amazonaws.com")
    stack = cdk.Stack.of(bucket)
    keys = (f"{prefix}/" if prefix else "") + "*/accountid={}/*"
    # Purpose: the syncs of this account (for an organization: its standard syncs, such as a
    # QuickSetupLocal's in the management account) write under its own accountid= keys only.
    # AWS documents this statement for syncs created without DestinationDataSharing.
    this_account = iam.PolicyStatement(
        sid="SSMBucketDelivery" if organization_id is None else "SSMBucketDeliveryThisAccount",
        principals=[ssm_principal],
        actions=["s3:PutObject"],
        resources=[bucket.arn_for_objects(keys.format(stack.account))],
        conditions={
            "StringEquals": {
                "s3:x-amz-acl": "bucket-owner-full-control",
                "aws:SourceAccount": stack.account,
            },
            "ArnLike": {
                "aws:SourceArn": stack.format_arn(
                    service="ssm", region="*", resource="resource-data-sync", resource_name="*"
                )
            },
        },
    )
    statements = [
        # Purpose: Systems Manager checks the bucket's ACL before it delivers.
        iam.PolicyStatement(
            sid="SSMBucketPermissionsCheck",
            principals=[ssm_principal],
            actions=["s3:GetBucketAcl"],
            resources=[bucket.bucket_arn],
        ),
    ]
    if organization_id is None:
        return [*statements, this_account]
    # Purpose: the syncs of every account of the organization, created with Organization data
    # sharing, write under their accountid= keys, and tag what they write. AWS documents these
    # two statements for that sync, and no other condition.
    statements.append(
        iam.PolicyStatement(
            sid="SSMBucketDelivery",
            principals=[ssm_principal],
            actions=["s3:PutObject"],
            resources=[bucket.arn_for_objects(keys.format("*"))],
            conditions={
                "StringEquals": {
                    "s3:x-amz-acl": "bucket-owner-full-control",
                    "aws:SourceOrgID": organization_id,
                }
            },
        )
    )
    # AWS documents this statement without a condition, and no source key is documented for
    # the tagging request: a condition it lacks would make every delivery fail to tag.
    statements.append(
        iam.PolicyStatement(
            sid="SSMBucketDeliveryTagging",
            principals=[ssm_principal],
            actions=["s3:PutObjectTagging"],
            resources=[bucket.arn_for_objects(keys.format("*"))],
        )
    )
    return [*statements, this_account]
