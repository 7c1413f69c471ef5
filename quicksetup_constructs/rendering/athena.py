"""The inventory bucket, queryable with Amazon Athena (``InventorySync...(athena=True)``).

What the resource data sync writes, and how AWS documents querying it:

- [LAYOUT] Systems Manager user guide, "Walkthrough: Use resource data sync to aggregate
  inventory data" and "Querying inventory data from multiple Regions and accounts"
  (https://docs.aws.amazon.com/systems-manager/latest/userguide/inventory-resource-data-sync.html,
  https://docs.aws.amazon.com/systems-manager/latest/userguide/systems-manager-inventory-query.html):
  one folder per type under the sync's prefix, and in it
  ``AWS:<Type>/accountid=<id>/region=<r>/resourcetype=ManagedInstanceInventory/<instance>.json``,
  one JSON object per line (``SyncFormat: JsonSerDe``). AWS queries it with AWS Glue (a
  crawler) and Amazon Athena ("This feature uses AWS Glue to crawl the data in your Amazon S3
  bucket, and Amazon Athena to query the data").
- [SCHEMA] Systems Manager user guide, "Metadata collected by inventory"
  (https://docs.aws.amazon.com/systems-manager/latest/userguide/inventory-schema.html): the
  attributes of ``AWS:InstanceInformation`` and ``AWS:Application`` (version 1.1).
- [COMPLIANCE] Systems Manager API reference, PutComplianceItems (the item fields
  ExecutionId, ExecutionType, ExecutionTime, Id, Title, Status, Severity, DocumentName,
  DocumentVersion, Classification, PatchBaselineId, PatchSeverity, PatchState, PatchGroup,
  InstalledTime) and ListResourceComplianceSummaries (ComplianceType, Status, OverallSeverity,
  the compliant and non-compliant counts by severity).

The tables are declared here (decision 23); a scheduled Glue crawler with catalog targets on
them adds the partitions of new accounts and Regions, and changes nothing else.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from ..options.inventory_sync import InventorySync
from .nag import (
    acknowledge_managed_policies,
    acknowledge_rule,
    finding_partition,
    skip_checkov,
)

if TYPE_CHECKING:
    from aws_cdk import aws_athena as athena
    from aws_cdk import aws_glue as glue
    from aws_cdk import aws_s3 as s3

CONSTRUCT_ID = "InventoryAthena"
"""The construct that holds the resources; part of their logical IDs, so never change it."""
ENGINE_VERSION = "Athena engine version 3"
CRAWLER_SCHEDULE = "cron(0 */12 * * ? *)"
"""Every 12 hours, like the console's inventory detailed view (decision 23)."""
CRAWLER_CONFIGURATION = {
    "Version": 1.0,
    "CrawlerOutput": {"Partitions": {"AddOrUpdateBehavior": "InheritFromTable"}},
}
"""New partitions take the table's columns and format (Glue developer guide, "Setting crawler
configuration options": partitions inherit metadata properties from their table)."""
RESULTS_EXPIRATION_DAYS = 30
"""Query results are kept this long: a result is read when its query ends, and a re-run
costs less than keeping every result (it may list instances and packages) for ever."""
RESULTS_PREFIX = "results/"
JSON_SERDE = "org.openx.data.jsonserde.JsonSerDe"
"""The SerDe Athena documents for JSON (Athena user guide, "OpenX JSON SerDe"); it matches
keys to columns case-insensitively, so ``resourceId`` fills ``resourceid``."""
INPUT_FORMAT = "org.apache.hadoop.mapred.TextInputFormat"
OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
PARTITION_KEYS = ("accountid", "region", "resourcetype")
"""[LAYOUT] The ``<key>=<value>`` folders of every type."""

_RECORD = ("resourceid", "capturetime", "schemaversion")
"""Fields the sync adds to every line: the instance, when the data was captured, and the
type's schema version."""

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    # [COMPLIANCE] one line per association and per patch, per instance.
    "AWS:ComplianceItem": (
        *_RECORD,
        "compliancetype",
        "executionid",
        "executiontype",
        "executiontime",
        "id",
        "title",
        "status",
        "severity",
        "documentname",
        "documentversion",
        "classification",
        "patchbaselineid",
        "patchseverity",
        "patchstate",
        "patchgroup",
        "installedtime",
    ),
    # [COMPLIANCE] one line per compliance type, per instance.
    "AWS:ComplianceSummary": (
        *_RECORD,
        "compliancetype",
        "status",
        "overallseverity",
        "executionid",
        "executiontype",
        "executiontime",
        "patchbaselineid",
        "patchgroup",
        "compliantcriticalcount",
        "complianthighcount",
        "compliantmediumcount",
        "compliantlowcount",
        "compliantinformationalcount",
        "compliantunspecifiedcount",
        "noncompliantcriticalcount",
        "noncomplianthighcount",
        "noncompliantmediumcount",
        "noncompliantlowcount",
        "noncompliantinformationalcount",
        "noncompliantunspecifiedcount",
    ),
    # [SCHEMA] AWS:InstanceInformation 1.0.
    "AWS:InstanceInformation": (
        *_RECORD,
        "agenttype",
        "agentversion",
        "computername",
        "instanceid",
        "ipaddress",
        "platformname",
        "platformtype",
        "platformversion",
        "instance_resourcetype",
        "agentstatus",
        "instancestatus",
    ),
    # [SCHEMA] AWS:Application 1.1.
    "AWS:Application": (
        *_RECORD,
        "name",
        "applicationtype",
        "publisher",
        "version",
        "release",
        "epoch",
        "installedtime",
        "architecture",
        "url",
        "summary",
        "packageid",
    ),
}
"""The columns of each type's table, all strings (the inventory's attributes are strings).
``AWS:InstanceInformation``'s own ``ResourceType`` attribute would clash with the partition
``resourcetype``: its column is ``instance_resourcetype``, filled through the SerDe's mapping
(``mapping.<column>``, Athena user guide, "OpenX JSON SerDe")."""

TABLE_NAMES = {
    "AWS:ComplianceItem": "aws_compliance_item",
    "AWS:ComplianceSummary": "aws_compliance_summary",
    "AWS:InstanceInformation": "aws_instance_information",
    "AWS:Application": "aws_application",
}
"""The Glue table of each synced type, the names the CLI queries."""

RESOURCES = 1 + len(TABLE_NAMES) + 3 + 2 + 1
"""Resources ``athena=True`` adds: the database, a table per type, the crawler with its role
and policy, the results bucket with its policy, the workgroup."""

_TABLE_IDS = {
    "AWS:ComplianceItem": "ComplianceItemTable",
    "AWS:ComplianceSummary": "ComplianceSummaryTable",
    "AWS:InstanceInformation": "InstanceInformationTable",
    "AWS:Application": "ApplicationTable",
}

QUERY_ACTIONS = (
    "athena:StartQueryExecution",
    "athena:GetQueryExecution",
    "athena:GetQueryResults",
    "athena:StopQueryExecution",
)
"""Service Authorization Reference, Amazon Athena: each has the resource type ``workgroup``."""
CATALOG_ACTIONS = ("glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartitions")
"""Service Authorization Reference, AWS Glue ("Actions, resources, and condition keys for AWS
Glue"): the required resource types are ``rootcatalog`` (``arn:...:catalog``) and ``database``,
and ``table`` for GetTable(s) and GetPartitions."""
CRAWLER_ACTIONS = ("glue:StartCrawler", "glue:GetCrawler")
"""``quicksetup inventory --org --refresh`` starts the crawler and follows its crawl. Service
Authorization Reference, AWS Glue
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsglue.html): both
require the resource type ``crawler``,
``arn:${Partition}:glue:${Region}:${Account}:crawler/${CrawlerName}``."""


def database_name(configuration_id: str) -> str:
    """The Glue database: lowercase letters, digits and ``_`` (Athena's rule for database
    names), from the configuration id (a literal: configurations refuse a token)."""
    return "quicksetup_inventory_" + re.sub(r"[^a-z0-9_]", "_", configuration_id.lower())


def resource_name(configuration_id: str) -> str:
    """The workgroup and the crawler: ``QuickSetup-Inventory-<configuration id>``."""
    return InventorySync.sync_name(configuration_id)


@dataclass
class InventoryAthena:
    """The Athena resources of one configuration's inventory bucket, and how to read them."""

    scope: Construct
    database: glue.CfnDatabase
    tables: dict[str, glue.CfnTable]
    crawler: glue.CfnCrawler
    crawler_role: iam.Role
    results_bucket: s3.Bucket
    workgroup: athena.CfnWorkGroup
    database_name: str
    workgroup_name: str
    crawler_name: str
    inventory_bucket_name: str
    prefix: str | None
    kms_key_arn: str | None
    outputs: dict[str, cdk.CfnOutput] = field(default_factory=dict)

    def query_statements(self) -> list[iam.PolicyStatement]:
        """What a reader needs to query the inventory, and nothing more."""
        stack = cdk.Stack.of(self.scope)

        def glue_arn(resource: str) -> str:
            return stack.format_arn(
                service="glue", resource=resource, arn_format=cdk.ArnFormat.NO_RESOURCE_NAME
            )

        inventory = _bucket_arn(stack, self.inventory_bucket_name)
        statements = [
            # Purpose: run the inventory's queries, in this workgroup only.
            iam.PolicyStatement(
                actions=list(QUERY_ACTIONS),
                resources=[
                    stack.format_arn(
                        service="athena", resource="workgroup", resource_name=self.workgroup_name
                    )
                ],
            ),
            # Purpose: read the definitions of this database's tables and their partitions.
            iam.PolicyStatement(
                actions=list(CATALOG_ACTIONS),
                resources=[
                    glue_arn("catalog"),
                    glue_arn(f"database/{self.database_name}"),
                    *(
                        glue_arn(f"table/{self.database_name}/{name}")
                        for name in TABLE_NAMES.values()
                    ),
                ],
            ),
            # Purpose: start this crawler (inventory --org --refresh) and follow its crawl.
            iam.PolicyStatement(
                actions=list(CRAWLER_ACTIONS),
                resources=[
                    stack.format_arn(
                        service="glue", resource="crawler", resource_name=self.crawler_name
                    )
                ],
            ),
            # Purpose: read the inventory (under its prefix only).
            iam.PolicyStatement(
                actions=["s3:GetObject"],
                resources=[f"{inventory}/{_keys(self.prefix)}*"],
            ),
            _list_statement(inventory, self.prefix),
            # Purpose: write each query's results, and read them back.
            iam.PolicyStatement(
                actions=["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
                resources=[self.results_bucket.arn_for_objects(RESULTS_PREFIX + "*")],
            ),
            _list_statement(self.results_bucket.bucket_arn, RESULTS_PREFIX.rstrip("/")),
        ]
        if self.kms_key_arn is not None:
            # Purpose: the inventory is encrypted with this key.
            statements.append(
                iam.PolicyStatement(actions=["kms:Decrypt"], resources=[self.kms_key_arn])
            )
        return statements

    def grant_query(self, grantee: iam.IGrantable) -> None:
        """Let ``grantee`` query the inventory with Athena: least privilege, see
        :meth:`query_statements`."""
        for statement in self.query_statements():
            grantee.grant_principal.add_to_principal_policy(statement)


def _keys(prefix: str | None) -> str:
    return f"{prefix}/" if prefix else ""


def _bucket_arn(stack: cdk.Stack, bucket_name: str) -> str:
    return stack.format_arn(
        service="s3", region="", account="", resource=bucket_name,
        arn_format=cdk.ArnFormat.NO_RESOURCE_NAME,
    )  # fmt: skip


def _list_statement(bucket_arn: str, prefix: str | None) -> iam.PolicyStatement:
    """Purpose: list the bucket (under ``prefix`` only), and find its Region."""
    return iam.PolicyStatement(
        actions=["s3:ListBucket", "s3:GetBucketLocation"],
        resources=[bucket_arn],
        conditions=(None if not prefix else {"StringLike": {"s3:prefix": [prefix, f"{prefix}/*"]}}),
    )


def render_inventory_athena(
    scope: Construct, configuration_id: str, sync: InventorySync, inventory_bucket_name: str
) -> InventoryAthena:
    """The Glue database, tables and crawler over the bucket ``inventory_bucket_name``, and an
    Athena workgroup with its results bucket, in a construct ``InventoryAthena`` of
    ``scope``, with stack outputs of their names."""
    # Imported here: only configurations with athena=True need them.
    from aws_cdk import aws_athena as athena
    from aws_cdk import aws_glue as glue
    from aws_cdk import aws_s3 as s3

    host = Construct(scope, CONSTRUCT_ID)
    stack = cdk.Stack.of(scope)
    db_name = database_name(configuration_id)
    name = resource_name(configuration_id)
    keys = _keys(sync.prefix)

    database = glue.CfnDatabase(
        host,
        "Database",
        catalog_id=stack.account,
        database_input=glue.CfnDatabase.DatabaseInputProperty(
            name=db_name,
            description=f"Inventory of Quick Setup configuration {configuration_id}",
        ),
    )
    tables = {}
    for type_name, columns in TABLE_COLUMNS.items():
        table = glue.CfnTable(
            host,
            _TABLE_IDS[type_name],
            catalog_id=stack.account,
            database_name=db_name,
            table_input=glue.CfnTable.TableInputProperty(
                name=TABLE_NAMES[type_name],
                description=f"{type_name}, as the resource data sync writes it",
                table_type="EXTERNAL_TABLE",
                parameters={"classification": "json", "EXTERNAL": "TRUE"},
                partition_keys=[
                    glue.CfnTable.ColumnProperty(name=key, type="string") for key in PARTITION_KEYS
                ],
                storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
                    columns=[
                        glue.CfnTable.ColumnProperty(name=column, type="string")
                        for column in columns
                    ],
                    location=f"s3://{inventory_bucket_name}/{keys}{type_name}/",
                    input_format=INPUT_FORMAT,
                    output_format=OUTPUT_FORMAT,
                    serde_info=glue.CfnTable.SerdeInfoProperty(
                        serialization_library=JSON_SERDE,
                        parameters=(
                            {"mapping.instance_resourcetype": "resourcetype"}
                            if "instance_resourcetype" in columns
                            else None
                        ),
                    ),
                ),
            ),
        )
        table.node.add_dependency(database)
        tables[type_name] = table

    crawler_role = _crawler_role(host, stack, inventory_bucket_name, sync)
    crawler = glue.CfnCrawler(
        host,
        "Crawler",
        name=name,
        description=f"Adds the partitions of new accounts and Regions to {db_name}",
        role=crawler_role.role_arn,
        targets=glue.CfnCrawler.TargetsProperty(
            catalog_targets=[
                glue.CfnCrawler.CatalogTargetProperty(
                    database_name=db_name, tables=list(TABLE_NAMES.values())
                )
            ]
        ),
        schema_change_policy=glue.CfnCrawler.SchemaChangePolicyProperty(
            update_behavior="LOG", delete_behavior="LOG"
        ),
        configuration=json.dumps(CRAWLER_CONFIGURATION, separators=(",", ":")),
        schedule=glue.CfnCrawler.ScheduleProperty(schedule_expression=CRAWLER_SCHEDULE),
    )
    for table in tables.values():
        crawler.node.add_dependency(table)
    acknowledge_rule(crawler, "AwsSolutions-GL1", "athena-crawler-logs")
    skip_checkov(crawler, "CKV_AWS_195", "athena-crawler-logs")

    results = s3.Bucket(
        host,
        "ResultsBucket",
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        lifecycle_rules=[
            s3.LifecycleRule(
                expiration=cdk.Duration.days(RESULTS_EXPIRATION_DAYS),
                abort_incomplete_multipart_upload_after=cdk.Duration.days(1),
            )
        ],
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )
    acknowledge_rule(results, "AwsSolutions-S1", "athena-results-access-logs")
    acknowledge_rule(results, "NIST.800.53.R5-S3BucketLoggingEnabled", "athena-results-access-logs")
    skip_checkov(results, "CKV_AWS_18", "athena-results-access-logs")
    skip_checkov(results, "CKV_AWS_21", "athena-results-versioning")
    acknowledge_rule(
        results, "NIST.800.53.R5-S3BucketReplicationEnabled", "athena-results-replication"
    )
    acknowledge_rule(
        results, "NIST.800.53.R5-S3BucketVersioningEnabled", "athena-results-versioning"
    )
    acknowledge_rule(results, "NIST.800.53.R5-S3DefaultEncryptionKMS", "athena-results-encryption")

    workgroup = athena.CfnWorkGroup(
        host,
        "WorkGroup",
        name=name,
        description=f"Queries of the inventory of Quick Setup configuration {configuration_id}",
        state="ENABLED",
        recursive_delete_option=True,
        work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
            enforce_work_group_configuration=True,
            publish_cloud_watch_metrics_enabled=True,
            bytes_scanned_cutoff_per_query=sync.athena_bytes_scanned_cutoff,
            engine_version=athena.CfnWorkGroup.EngineVersionProperty(
                selected_engine_version=ENGINE_VERSION
            ),
            result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                output_location=f"s3://{results.bucket_name}/{RESULTS_PREFIX}",
                encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                    encryption_option="SSE_S3"
                ),
            ),
        ),
    )

    rendered = InventoryAthena(
        scope=host,
        database=database,
        tables=tables,
        crawler=crawler,
        crawler_role=crawler_role,
        results_bucket=results,
        workgroup=workgroup,
        database_name=db_name,
        workgroup_name=name,
        crawler_name=name,
        inventory_bucket_name=inventory_bucket_name,
        prefix=sync.prefix,
        kms_key_arn=sync.kms_key_arn,
    )
    for output_id, value, description in (
        ("WorkGroupName", workgroup.ref, "Athena workgroup of the inventory"),
        ("DatabaseName", database.ref, "Glue database of the inventory"),
        ("CrawlerName", crawler.ref, "Glue crawler that adds the inventory's partitions"),
    ):
        rendered.outputs[output_id] = cdk.CfnOutput(
            host, output_id, value=value, description=f"{description} ({configuration_id})"
        )
    return rendered


def _crawler_role(
    scope: Construct, stack: cdk.Stack, bucket_name: str, sync: InventorySync
) -> iam.Role:
    """Glue's service role policy, and read access to the inventory's prefix only."""
    bucket = _bucket_arn(stack, bucket_name)
    objects = f"{bucket}/{_keys(sync.prefix)}*"
    statements = [
        # Purpose: read the inventory the crawler lists partitions of.
        iam.PolicyStatement(actions=["s3:GetObject"], resources=[objects]),
        _list_statement(bucket, sync.prefix),
    ]
    if sync.kms_key_arn is not None:
        statements.append(
            iam.PolicyStatement(actions=["kms:Decrypt"], resources=[sync.kms_key_arn])
        )
    policy = iam.ManagedPolicy(scope, "CrawlerPolicy", statements=statements)
    acknowledge_rule(
        policy,
        "AwsSolutions-IAM5",
        "athena-crawler-objects",
        finding=f"Resource::{_finding(objects, policy)}",
    )
    role = iam.Role(
        scope,
        "CrawlerRole",
        assumed_by=iam.ServicePrincipal("glue.amazonaws.com"),
        description=f"Glue crawler of the inventory in {bucket_name}",
        managed_policies=[
            iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AWSGlueServiceRole"),
            policy,
        ],
    )
    acknowledge_managed_policies(role, ["service-role/AWSGlueServiceRole"])
    return role


def _finding(arn: str, scope: Construct) -> str:
    """``arn`` as cdk-nag writes it in a finding (the partition as in the template)."""
    resolved = cdk.Stack.of(scope).resolve(arn)
    if isinstance(resolved, str):
        return resolved
    parts = resolved["Fn::Join"][1]
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif part == {"Ref": "AWS::Partition"}:
            out.append("<AWS::Partition>")
        elif "Ref" in part:
            out.append(f"<{part['Ref']}>")
        else:
            out.append(finding_partition(scope))
    return "".join(out)
