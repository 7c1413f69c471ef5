"""The inventory bucket, queryable with Athena: ``InventorySync...(athena=True)``.

Sources (quoted next to each expectation below):

- [LAYOUT] Systems Manager user guide, "Walkthrough: Use resource data sync to aggregate
  inventory data" and "Querying inventory data from multiple Regions and accounts":
  https://docs.aws.amazon.com/systems-manager/latest/userguide/inventory-resource-data-sync.html
  https://docs.aws.amazon.com/systems-manager/latest/userguide/systems-manager-inventory-query.html
  Keys ``<prefix>/AWS:<Type>/accountid=<id>/region=<r>/resourcetype=ManagedInstanceInventory/
  <instance>.json``; "This feature uses AWS Glue to crawl the data in your Amazon S3 bucket,
  and Amazon Athena to query the data."
- [SCHEMA] Systems Manager user guide, "Metadata collected by inventory":
  https://docs.aws.amazon.com/systems-manager/latest/userguide/inventory-schema.html
  (``AWS:InstanceInformation`` 1.0: AgentType, AgentVersion, ComputerName, InstanceId,
  IpAddress, PlatformName, PlatformType, PlatformVersion, ResourceType, AgentStatus,
  InstanceStatus; ``AWS:Application`` 1.1: Name, ApplicationType, Publisher, Version, Release,
  Epoch, InstalledTime, Architecture, URL, Summary, PackageId).
- [COMPLIANCE] Systems Manager API reference, PutComplianceItems (ExecutionId, ExecutionType,
  ExecutionTime, Id, Title, Status, Severity, DocumentName, DocumentVersion, Classification,
  PatchBaselineId, PatchSeverity, PatchState, PatchGroup, InstalledTime) and
  ListResourceComplianceSummaries (ComplianceType, Status, OverallSeverity, compliant and
  non-compliant counts by severity).
- [CRAWLER] CloudFormation, AWS::Glue::Crawler SchemaChangePolicy: "A value of LOG specifies
  that if a table or partition is found to no longer exist, do not delete it, only log";
  UpdateBehavior "LOG | UPDATE_IN_DATABASE".
- [WORKGROUP] Athena API reference, WorkGroupConfiguration: BytesScannedCutoffPerQuery "Valid
  Range: Minimum value of 10000000"; EnforceWorkGroupConfiguration: "If set to "true", the
  settings for the workgroup override client-side settings."
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from quicksetup_constructs import InventorySync, QuickSetupLocal, QuickSetupOrganization
from quicksetup_constructs.errors import QuickSetupValidationError

from .apps import FLAG_SET_NAMES, arn_partition, joined, new_app
from .support import lint_findings, nag_report, unacknowledged

ACCOUNT = "111111111111"
ENV = cdk.Environment(account=ACCOUNT, region="us-east-1")
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ORGANIZATION_ID = "o-abcdef1234"

# Logical IDs (public API: they must never change).
DATABASE = "QSInventoryAthenaDatabaseB3B5E361"
TABLES = {
    "AWS:ComplianceItem": "QSInventoryAthenaComplianceItemTable9FF8B2EC",
    "AWS:ComplianceSummary": "QSInventoryAthenaComplianceSummaryTableEDFDBCF4",
    "AWS:InstanceInformation": "QSInventoryAthenaInstanceInformationTableD1B652D9",
    "AWS:Application": "QSInventoryAthenaApplicationTable3470F883",
}
CRAWLER = "QSInventoryAthenaCrawler575568B6"
CRAWLER_ROLE = "QSInventoryAthenaCrawlerRoleF783B1DA"
CRAWLER_POLICY = "QSInventoryAthenaCrawlerPolicy7F4034A2"
RESULTS = "QSInventoryAthenaResultsBucket94E858E1"
RESULTS_POLICY = "QSInventoryAthenaResultsBucketPolicyB83EC59E"
WORKGROUP = "QSInventoryAthenaWorkGroupF5784671"
INVENTORY_BUCKET = "QSInventoryBucket823C2486"

_COMMON = ["resourceid", "capturetime", "schemaversion"]
COLUMNS = {
    # [COMPLIANCE] PutComplianceItems' item fields.
    "AWS:ComplianceItem": [
        *_COMMON,
        *[
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
        ],
    ],
    # [COMPLIANCE] ListResourceComplianceSummaries' fields, the counts flattened by severity.
    "AWS:ComplianceSummary": [
        *_COMMON,
        *[
            "compliancetype",
            "status",
            "overallseverity",
            "executionid",
            "executiontype",
            "executiontime",
            "patchbaselineid",
            "patchgroup",
        ],
        *(
            f"{kind}{severity}count"
            for kind in ("compliant", "noncompliant")
            for severity in ("critical", "high", "medium", "low", "informational", "unspecified")
        ),
    ],
    # [SCHEMA] AWS:InstanceInformation; its ResourceType under another name (the partition
    # resourcetype has that one).
    "AWS:InstanceInformation": [
        *_COMMON,
        *[
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
        ],
    ],
    # [SCHEMA] AWS:Application 1.1.
    "AWS:Application": [
        *_COMMON,
        *[
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
        ],
    ],
}
TABLE_NAMES = {
    "AWS:ComplianceItem": "aws_compliance_item",
    "AWS:ComplianceSummary": "aws_compliance_summary",
    "AWS:InstanceInformation": "aws_instance_information",
    "AWS:Application": "aws_application",
}


def _joined(value: Any) -> Any:
    """As :func:`joined`, with ``Fn::GetAtt [X, Arn]`` written ``${X.Arn}`` (as ``Fn::Sub``)."""
    if isinstance(value, dict) and list(value) == ["Fn::GetAtt"]:
        return "${" + ".".join(value["Fn::GetAtt"]) + "}"
    if isinstance(value, dict) and list(value) == ["Fn::Join"]:
        separator, parts = value["Fn::Join"]
        return separator.join(str(_joined(part)) for part in parts)
    return joined(value)


def _canonical(value: Any) -> Any:
    """A template value with each ``Fn::Join`` joined (``${Ref}``, ``${X.Arn}``), and the
    ``Action`` and ``Resource`` lists of policy statements sorted (CDK sorts them under
    ``@aws-cdk/aws-iam:minimizePolicies``; IAM reads them as sets)."""
    value = _joined(value)
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    if isinstance(value, dict):
        out = {key: _canonical(item) for key, item in value.items()}
        for key in ("Action", "Resource"):
            if isinstance(out.get(key), list) and "Effect" in out:
                out[key] = sorted(out[key], key=json.dumps)
        return out
    return value


def _local_new_bucket(stack: cdk.Stack) -> QuickSetupLocal:
    return QuickSetupLocal(
        stack,
        "QS",
        configuration_id="prod",
        inventory_sync=InventorySync.to_new_bucket(prefix="inv", athena=True),
    )


def _local_own_bucket(stack: cdk.Stack) -> QuickSetupLocal:
    return QuickSetupLocal(
        stack,
        "QS",
        configuration_id="team",
        inventory_sync=InventorySync.to_bucket(
            "team-inventory",
            "us-east-1",
            prefix="inv",
            kms_key_arn=KEY,
            athena=True,
            athena_bytes_scanned_cutoff=20_000_000,
        ),
    )


def _organization(stack: cdk.Stack) -> QuickSetupOrganization:
    return QuickSetupOrganization(
        stack,
        "Org",
        configuration_id="org",
        organizational_unit_ids=["ou-abcd-11112222"],
        regions=["us-east-1"],
        account_count=3,
        inventory_sync=InventorySync.to_new_bucket(athena=True),
        organization_id=ORGANIZATION_ID,
    )


@pytest.fixture(scope="module", params=FLAG_SET_NAMES)
def built(request: pytest.FixtureRequest) -> SimpleNamespace:
    """Each configuration in an app of its own, with a reader granted, under one flag set."""
    templates = {}
    constructs: dict[str, Any] = {}
    for name, build in (
        ("new", _local_new_bucket),
        ("own", _local_own_bucket),
        ("org", _organization),
    ):
        stack = cdk.Stack(new_app(request.param), name, env=ENV)
        construct = constructs[name] = build(stack)
        construct.grant_query(iam.Role(stack, "Reader", assumed_by=iam.AccountRootPrincipal()))
        templates[name] = Template.from_stack(stack).to_json()
    return SimpleNamespace(
        flag_set=request.param,
        partition=arn_partition(request.param),
        templates=templates,
        constructs=constructs,
    )


def _resource(built: SimpleNamespace, logical_id: str, name: str = "new") -> Any:
    return _canonical(built.templates[name]["Resources"][logical_id])


def _reader_policy(built: SimpleNamespace, name: str) -> Any:
    [policy] = [
        resource
        for logical_id, resource in built.templates[name]["Resources"].items()
        if logical_id.startswith("ReaderDefaultPolicy")
    ]
    return _canonical(policy["Properties"]["PolicyDocument"]["Statement"])


# The Glue database and tables


def test_the_database_is_named_for_the_configuration(built):
    # Athena: database names take lowercase letters, digits and underscores.
    assert _resource(built, DATABASE) == {
        "Type": "AWS::Glue::Database",
        "Properties": {
            "CatalogId": ACCOUNT,
            "DatabaseInput": {
                "Description": "Inventory of Quick Setup configuration prod",
                "Name": "quicksetup_inventory_prod",
            },
        },
    }


@pytest.mark.parametrize("type_name", list(TABLES))
def test_each_table_reads_its_type_where_the_sync_writes_it(built, type_name):
    serde: dict[str, Any] = {"SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe"}
    if type_name == "AWS:InstanceInformation":
        # Athena user guide, "OpenX JSON SerDe": "mapping" maps a column to a JSON key.
        serde["Parameters"] = {"mapping.instance_resourcetype": "resourcetype"}
    assert _resource(built, TABLES[type_name]) == {
        "Type": "AWS::Glue::Table",
        "Properties": {
            "CatalogId": ACCOUNT,
            "DatabaseName": "quicksetup_inventory_prod",
            "TableInput": {
                "Description": f"{type_name}, as the resource data sync writes it",
                "Name": TABLE_NAMES[type_name],
                "Parameters": {"classification": "json", "EXTERNAL": "TRUE"},
                # [LAYOUT] accountid=<id>/region=<r>/resourcetype=ManagedInstanceInventory/
                "PartitionKeys": [
                    {"Name": key, "Type": "string"}
                    for key in ("accountid", "region", "resourcetype")
                ],
                "StorageDescriptor": {
                    "Columns": [{"Name": c, "Type": "string"} for c in COLUMNS[type_name]],
                    "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
                    # [LAYOUT] <prefix>/AWS:<Type>/...
                    "Location": f"s3://${{{INVENTORY_BUCKET}}}/inv/{type_name}/",
                    "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                    "SerdeInfo": serde,
                },
                "TableType": "EXTERNAL_TABLE",
            },
        },
        "DependsOn": [DATABASE],
    }


# The crawler (decision 23)


def _checkov_skips(resource: dict[str, Any]) -> dict[str, Any]:
    """``resource`` with its checkov skips by id only (their reasons are rendering/nag.py's)."""
    skips = resource["Metadata"]["checkov"]["skip"]
    assert all(skip["comment"] for skip in skips)
    resource["Metadata"]["checkov"]["skip"] = [skip["id"] for skip in skips]
    return resource


def test_the_crawler_adds_partitions_every_12_hours_and_changes_nothing_else(built):
    assert _checkov_skips(_resource(built, CRAWLER)) == {
        "Type": "AWS::Glue::Crawler",
        "Properties": {
            # Glue: partitions take the table's schema ("InheritFromTable").
            "Configuration": json.dumps(
                {
                    "Version": 1.0,
                    "CrawlerOutput": {"Partitions": {"AddOrUpdateBehavior": "InheritFromTable"}},
                },
                separators=(",", ":"),
            ),
            "Description": "Adds the partitions of new accounts and Regions to "
            "quicksetup_inventory_prod",
            "Name": "QuickSetup-Inventory-prod",
            "Role": f"${{{CRAWLER_ROLE}.Arn}}",
            "Schedule": {"ScheduleExpression": "cron(0 */12 * * ? *)"},
            # [CRAWLER] LOG: tables are left as declared.
            "SchemaChangePolicy": {"DeleteBehavior": "LOG", "UpdateBehavior": "LOG"},
            "Targets": {
                "CatalogTargets": [
                    {
                        "DatabaseName": "quicksetup_inventory_prod",
                        "Tables": list(TABLE_NAMES.values()),
                    }
                ]
            },
        },
        "DependsOn": sorted(TABLES.values()),
        "Metadata": {"checkov": {"skip": ["CKV_AWS_195"]}},
    }


def test_the_crawler_role_has_glues_policy_and_reads_only_the_inventory(built):
    assert _resource(built, CRAWLER_ROLE) == {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {
                "Statement": [
                    {
                        "Action": "sts:AssumeRole",
                        "Effect": "Allow",
                        "Principal": {"Service": "glue.amazonaws.com"},
                    }
                ],
                "Version": "2012-10-17",
            },
            "Description": f"Glue crawler of the inventory in ${{{INVENTORY_BUCKET}}}",
            "ManagedPolicyArns": [
                "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSGlueServiceRole",
                f"${{{CRAWLER_POLICY}}}",
            ],
        },
    }
    bucket = f"arn:{built.partition}:s3:::${{{INVENTORY_BUCKET}}}"
    assert _resource(built, CRAWLER_POLICY) == {
        "Type": "AWS::IAM::ManagedPolicy",
        "Properties": {
            "Description": "",
            "Path": "/",
            "PolicyDocument": {
                "Statement": [
                    {"Action": "s3:GetObject", "Effect": "Allow", "Resource": f"{bucket}/inv/*"},
                    {
                        "Action": ["s3:GetBucketLocation", "s3:ListBucket"],
                        "Condition": {"StringLike": {"s3:prefix": ["inv", "inv/*"]}},
                        "Effect": "Allow",
                        "Resource": bucket,
                    },
                ],
                "Version": "2012-10-17",
            },
        },
    }


# The workgroup and its results


def test_the_workgroup_enforces_engine_3_a_cutoff_and_encrypted_results(built):
    assert _resource(built, WORKGROUP) == {
        "Type": "AWS::Athena::WorkGroup",
        "Properties": {
            "Description": "Queries of the inventory of Quick Setup configuration prod",
            "Name": "QuickSetup-Inventory-prod",
            "RecursiveDeleteOption": True,
            "State": "ENABLED",
            "WorkGroupConfiguration": {
                "BytesScannedCutoffPerQuery": 10_000_000_000,
                "EnforceWorkGroupConfiguration": True,
                "EngineVersion": {"SelectedEngineVersion": "Athena engine version 3"},
                "PublishCloudWatchMetricsEnabled": True,
                "ResultConfiguration": {
                    "EncryptionConfiguration": {"EncryptionOption": "SSE_S3"},
                    "OutputLocation": f"s3://${{{RESULTS}}}/results/",
                },
            },
        },
    }


def test_the_cutoff_can_be_changed(built):
    [workgroup] = [
        r for r in built.templates["own"]["Resources"].values() if r["Type"].endswith("WorkGroup")
    ]
    assert workgroup["Properties"]["WorkGroupConfiguration"]["BytesScannedCutoffPerQuery"] == (
        20_000_000
    )


def test_the_results_bucket_is_private_encrypted_and_expires_results(built):
    assert _checkov_skips(_resource(built, RESULTS)) == {
        "Type": "AWS::S3::Bucket",
        "Properties": {
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                ]
            },
            "LifecycleConfiguration": {
                "Rules": [
                    {
                        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                        "ExpirationInDays": 30,
                        "Status": "Enabled",
                    }
                ]
            },
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
        },
        "UpdateReplacePolicy": "Retain",
        "DeletionPolicy": "Retain",
        "Metadata": {"checkov": {"skip": ["CKV_AWS_18", "CKV_AWS_21"]}},
    }


def test_the_results_bucket_refuses_requests_without_tls(built):
    arn = f"${{{RESULTS}.Arn}}"
    assert _resource(built, RESULTS_POLICY) == {
        "Type": "AWS::S3::BucketPolicy",
        "Properties": {
            "Bucket": f"${{{RESULTS}}}",
            "PolicyDocument": {
                "Statement": [
                    {
                        "Action": "s3:*",
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        "Effect": "Deny",
                        "Principal": {"AWS": "*"},
                        "Resource": sorted([arn, f"{arn}/*"], key=json.dumps),
                    }
                ],
                "Version": "2012-10-17",
            },
        },
    }


def test_the_names_are_stack_outputs_for_the_cli(built):
    # An output is not a resource: adding one (the crawler's, that inventory --org --refresh
    # reads) replaces nothing in a deployed stack.
    outputs = built.templates["new"]["Outputs"]
    assert {
        key: value for key, value in outputs.items() if key.startswith("QSInventoryAthena")
    } == {
        "QSInventoryAthenaWorkGroupName14BCDBE1": {
            "Description": "Athena workgroup of the inventory (prod)",
            "Value": {"Ref": WORKGROUP},
        },
        "QSInventoryAthenaDatabaseName3B4962D4": {
            "Description": "Glue database of the inventory (prod)",
            "Value": {"Ref": DATABASE},
        },
        "QSInventoryAthenaCrawlerNameD583112C": {
            "Description": "Glue crawler that adds the inventory's partitions (prod)",
            "Value": {"Ref": CRAWLER},
        },
    }
    athena = built.constructs["new"].inventory_athena
    assert (athena.workgroup_name, athena.database_name, athena.crawler_name) == (
        "QuickSetup-Inventory-prod",
        "quicksetup_inventory_prod",
        "QuickSetup-Inventory-prod",
    )


# grant_query (decision 25)


def _expected_reader_statements(
    partition: str, bucket: str, results: str, database: str, workgroup: str
) -> list[dict[str, Any]]:
    """The reader's whole policy; the crawler has the workgroup's name
    (``QuickSetup-Inventory-<id>``)."""
    region = f"us-east-1:{ACCOUNT}"
    glue = f"arn:{partition}:glue:{region}"
    return [
        # Service Authorization Reference, Athena: resource type "workgroup".
        {
            "Action": sorted(
                [
                    "athena:GetQueryExecution",
                    "athena:GetQueryResults",
                    "athena:StartQueryExecution",
                    "athena:StopQueryExecution",
                ]
            ),
            "Effect": "Allow",
            "Resource": f"arn:{partition}:athena:{region}:workgroup/{workgroup}",
        },
        # Service Authorization Reference, Glue: "catalog", "database" and "table".
        {
            "Action": ["glue:GetDatabase", "glue:GetPartitions", "glue:GetTable", "glue:GetTables"],
            "Effect": "Allow",
            "Resource": sorted(
                [
                    f"{glue}:catalog",
                    f"{glue}:database/{database}",
                    *(f"{glue}:table/{database}/{table}" for table in TABLE_NAMES.values()),
                ]
            ),
        },
        # Service Authorization Reference, Glue: StartCrawler and GetCrawler take the resource
        # type "crawler", arn:${Partition}:glue:${Region}:${Account}:crawler/${CrawlerName};
        # this crawler only (inventory --org --refresh).
        {
            "Action": ["glue:GetCrawler", "glue:StartCrawler"],
            "Effect": "Allow",
            "Resource": f"{glue}:crawler/{workgroup}",
        },
        {"Action": "s3:GetObject", "Effect": "Allow", "Resource": f"{bucket}/inv/*"},
        {
            "Action": ["s3:GetBucketLocation", "s3:ListBucket"],
            "Condition": {"StringLike": {"s3:prefix": ["inv", "inv/*"]}},
            "Effect": "Allow",
            "Resource": bucket,
        },
        {
            "Action": ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
            "Effect": "Allow",
            "Resource": f"{results}/results/*",
        },
        {
            "Action": ["s3:GetBucketLocation", "s3:ListBucket"],
            "Condition": {"StringLike": {"s3:prefix": ["results", "results/*"]}},
            "Effect": "Allow",
            "Resource": results,
        },
    ]


def test_grant_query_gives_a_reader_least_privilege(built):
    assert _reader_policy(built, "new") == _expected_reader_statements(
        built.partition,
        f"arn:{built.partition}:s3:::${{{INVENTORY_BUCKET}}}",
        f"${{{RESULTS}.Arn}}",
        "quicksetup_inventory_prod",
        "QuickSetup-Inventory-prod",
    )


def test_grant_query_of_your_bucket_decrypts_with_its_key(built):
    assert _reader_policy(built, "own") == [
        *_expected_reader_statements(
            built.partition,
            f"arn:{built.partition}:s3:::team-inventory",
            f"${{{RESULTS}.Arn}}",
            "quicksetup_inventory_team",
            "QuickSetup-Inventory-team",
        ),
        {"Action": "kms:Decrypt", "Effect": "Allow", "Resource": KEY},
    ]


def test_tables_of_your_bucket_read_it_by_name(built):
    [table] = [
        r
        for r in built.templates["own"]["Resources"].values()
        if r["Type"] == "AWS::Glue::Table"
        and r["Properties"]["TableInput"]["Name"] == "aws_application"
    ]
    location = table["Properties"]["TableInput"]["StorageDescriptor"]["Location"]
    assert location == "s3://team-inventory/inv/AWS:Application/"


def test_the_organization_queries_the_bucket_it_creates(built):
    resources = built.templates["org"]["Resources"]
    kinds = sorted(
        r["Type"]
        for logical_id, r in resources.items()
        if logical_id.startswith("OrgInventoryAthena")
    )
    assert kinds == sorted(
        [
            "AWS::Glue::Database",
            *["AWS::Glue::Table"] * 4,
            "AWS::Glue::Crawler",
            "AWS::IAM::Role",
            "AWS::IAM::ManagedPolicy",
            "AWS::S3::Bucket",
            "AWS::S3::BucketPolicy",
            "AWS::Athena::WorkGroup",
        ]
    )
    [bucket_id] = [
        logical_id
        for logical_id, r in resources.items()
        if r["Type"] == "AWS::S3::Bucket" and not logical_id.startswith("OrgInventoryAthena")
    ]
    [table] = [
        r
        for r in resources.values()
        if r["Type"] == "AWS::Glue::Table"
        and r["Properties"]["TableInput"]["Name"] == "aws_compliance_item"
    ]
    location = joined(table["Properties"]["TableInput"]["StorageDescriptor"]["Location"])
    assert location == f"s3://${{{bucket_id}}}/AWS:ComplianceItem/"
    assert built.constructs["org"].inventory_athena.database_name == "quicksetup_inventory_org"


# Linters


@pytest.mark.parametrize("name", ["new", "own", "org"])
def test_cfn_lint_finds_nothing(built, name):
    assert lint_findings(built.templates[name]) == []


def _without_readers(app: cdk.App) -> None:
    """The three configurations in one app, in three accounts (one all-instances inventory
    each)."""
    for account, (name, build) in zip(
        ("111111111111", "222222222222", "333333333333"),
        (("new", _local_new_bucket), ("own", _local_own_bucket), ("org", _organization)),
        strict=True,
    ):
        build(cdk.Stack(app, name, env=cdk.Environment(account=account, region="us-east-1")))


@pytest.mark.parametrize("flag_set", FLAG_SET_NAMES)
def test_cdk_nag_finds_nothing_unacknowledged(tmp_path, flag_set):
    report = nag_report(_without_readers, tmp_path, flag_set=flag_set)
    assert unacknowledged(report) == []


def test_checkov_finds_nothing(built, tmp_path):
    from checkov.cloudformation.runner import Runner
    from checkov.runner_filter import RunnerFilter

    paths = []
    for name, template in built.templates.items():
        paths.append(tmp_path / f"{name}.template.json")
        paths[-1].write_text(json.dumps(template))
    report = Runner().run(
        root_folder=None,
        files=[str(path) for path in paths],
        runner_filter=RunnerFilter(framework=["cloudformation"]),
    )
    failures = [
        f"{c.check_id} at {Path(c.file_path).name}:{c.resource}" for c in report.failed_checks
    ]
    assert failures == []
    # The workgroup's checks ran: CKV_AWS_82 (enforced configuration) among them.
    assert "CKV_AWS_82" in {check.check_id for check in report.passed_checks}


# Opt-out and validation


def test_without_athena_nothing_is_added():
    def template(**athena: Any) -> dict[str, Any]:
        stack = cdk.Stack(new_app(), "Stack", env=ENV)
        QuickSetupLocal(
            stack,
            "QS",
            configuration_id="prod",
            inventory_sync=InventorySync.to_new_bucket(prefix="inv", **athena),
        )
        return Template.from_stack(stack).to_json()

    default = template()
    assert default == template(athena=False)
    assert not any(
        r["Type"].startswith(("AWS::Glue::", "AWS::Athena::"))
        for r in default["Resources"].values()
    )
    assert "Outputs" not in default


def test_grant_query_without_athena_is_an_error():
    stack = cdk.Stack(new_app(), "Stack", env=ENV)
    local = QuickSetupLocal(stack, "QS", inventory_sync=InventorySync.to_new_bucket())
    assert local.inventory_athena is None
    with pytest.raises(QuickSetupValidationError, match="inventory_sync"):
        local.grant_query(iam.Role(stack, "Reader", assumed_by=iam.AccountRootPrincipal()))


@pytest.mark.parametrize(
    ("props", "prop"),
    [
        ({"athena": "yes"}, "inventory_sync.athena"),
        ({"athena": True, "athena_bytes_scanned_cutoff": 9_999_999}, "bytes_scanned_cutoff"),
        ({"athena": True, "athena_bytes_scanned_cutoff": True}, "bytes_scanned_cutoff"),
        ({"athena": True, "athena_bytes_scanned_cutoff": 1e10}, "bytes_scanned_cutoff"),
        ({"athena_bytes_scanned_cutoff": 20_000_000}, "bytes_scanned_cutoff"),
    ],
)
@pytest.mark.parametrize("factory", ["to_new_bucket", "to_bucket"])
def test_bad_athena_props_are_refused(props, prop, factory):
    # [WORKGROUP] "Minimum value of 10000000".
    args = ("team-inventory", "us-east-1") if factory == "to_bucket" else ()
    with pytest.raises(QuickSetupValidationError, match=prop):
        getattr(InventorySync, factory)(*args, **props)


def test_the_smallest_cutoff_athena_allows_is_accepted():
    sync = InventorySync.to_new_bucket(athena=True, athena_bytes_scanned_cutoff=10_000_000)
    assert (sync.athena, sync.athena_bytes_scanned_cutoff) == (True, 10_000_000)


def test_an_organization_delivering_to_your_bucket_queries_it_from_its_stack():
    stack = cdk.Stack(new_app(), "Org", env=ENV)
    org = QuickSetupOrganization(
        stack,
        "Org",
        configuration_id="org",
        organizational_unit_ids=["ou-abcd-11112222"],
        regions=["us-east-1"],
        account_count=3,
        inventory_sync=InventorySync.to_bucket("org-inventory", "us-east-1", athena=True),
    )
    assert org.inventory_bucket is None
    tables = Template.from_stack(stack).find_resources("AWS::Glue::Table")
    assert sorted(
        t["Properties"]["TableInput"]["StorageDescriptor"]["Location"] for t in tables.values()
    ) == sorted(f"s3://org-inventory/{type_name}/" for type_name in TABLE_NAMES)


@pytest.mark.parametrize(
    ("configuration_id", "database"),
    [("Prod-EU.1", "quicksetup_inventory_prod_eu_1"), ("team_a", "quicksetup_inventory_team_a")],
)
def test_the_database_name_is_one_athena_accepts(configuration_id, database):
    # Athena: database names take lowercase letters, digits and underscores only.
    stack = cdk.Stack(new_app(), "Stack", env=ENV)
    local = QuickSetupLocal(
        stack,
        "QS",
        configuration_id=configuration_id,
        inventory_sync=InventorySync.to_new_bucket(athena=True),
    )
    assert local.inventory_athena.database_name == database


def _added_by_local_athena() -> int:
    stack = cdk.Stack(new_app(), "Stack", env=ENV)
    QuickSetupLocal(stack, "QuickSetup", inventory_sync=InventorySync.to_new_bucket(athena=True))
    return len(Template.from_stack(stack).to_json()["Resources"])


@pytest.mark.parametrize("extra", [0, 1], ids=["fits exactly", "one too many"])
def test_the_500_resource_check_counts_what_athena_adds(extra):
    # CloudFormation quotas: 500 resources a stack; the CDK CLI adds AWS::CDK::Metadata (one
    # more) at synth, which the check keeps free.
    added = _added_by_local_athena()
    stack = cdk.Stack(new_app(), "Stack", env=ENV)
    for index in range(500 - 1 - added + extra):
        cdk.CfnWaitConditionHandle(stack, f"Handle{index}")
    sync = InventorySync.to_new_bucket(athena=True)
    if extra:
        with pytest.raises(QuickSetupValidationError, match=r"^scope: "):
            QuickSetupLocal(stack, "QuickSetup", inventory_sync=sync)
    else:
        QuickSetupLocal(stack, "QuickSetup", inventory_sync=sync)
        assert len(Template.from_stack(stack).to_json()["Resources"]) == 500 - 1
