"""Organization delivery of inventory (issue 12, defect 5), checked against AWS's documentation.

Sources (quoted next to each expectation below):

- [ORG] Systems Manager user guide, "Creating a resource data sync for Inventory", section
  "Creating an inventory resource data sync for accounts defined in AWS Organizations":
  https://docs.aws.amazon.com/systems-manager/latest/userguide/inventory-create-resource-data-sync.html#systems-manager-inventory-resource-data-sync-AWS-Organizations
- [API] CreateResourceDataSync and ResourceDataSyncDestinationDataSharing, Systems Manager API
  reference: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreateResourceDataSync.html
  and https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_ResourceDataSyncDestinationDataSharing.html
- [WALK] "Walkthrough: Use resource data sync to aggregate inventory data" (key layout):
  https://docs.aws.amazon.com/systems-manager/latest/userguide/inventory-resource-data-sync.html
- [CFN] CloudFormation "Custom resource response objects":
  https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html
- [UPD] UpdateResourceDataSync: "This API operation only supports a resource data sync that was
  created with a SyncFromSource SyncType."
  https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_UpdateResourceDataSync.html

The handler is run as Lambda runs it, against botocore's Stubber for ``ssm`` (which validates
every request against the service model) and a local HTTP server standing in for
CloudFormation's pre-signed response URL.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import http.server
import json
import shutil
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar

import aws_cdk as cdk
import boto3
import pytest
from aws_cdk.assertions import Template
from botocore.stub import Stubber

from quicksetup_constructs import InventorySync, QuickSetupLocal, QuickSetupOrganization
from quicksetup_constructs.options.inventory_sync import BucketReference
from quicksetup_constructs.organization.member_stacks import account_wide_names, build_member_stacks
from quicksetup_constructs.organization.template import new_template_app
from quicksetup_constructs.rendering import inventory_sync_handler
from quicksetup_constructs.rendering.inventory_sync import (
    HANDLER_PATH,
    ORGANIZATION_SYNC_TYPE,
    organization_sync_request,
    render_inventory_sync,
)

from .apps import FLAG_SET_NAMES, arn_partition, joined, new_app
from .support import acknowledgements, inner_nag_report, lint_findings, nag_packs, violations

ACCOUNT = "111111111111"
ENV = cdk.Environment(account=ACCOUNT, region="us-east-1")
REGIONS = ["us-east-1", "ap-northeast-1"]
ORGANIZATION_ID = "o-abcdef1234"
PREFIX = "inventory"
STACK_SET = "AWS::CloudFormation::StackSet"
BUCKET = "quicksetup-inventory-bucket"
"""The name the StackSet parameter InventoryBucketName has in the handler tests."""


@pytest.fixture(scope="module", params=FLAG_SET_NAMES)
def org(request: pytest.FixtureRequest, tmp_path_factory) -> SimpleNamespace:
    """One organization configuration with a new inventory bucket, synthesized under cdk-nag,
    under each feature flag set (tests/apps.py)."""
    outdir = tmp_path_factory.mktemp("org")
    app = new_app(request.param, outdir=str(outdir))
    cdk.Validations.of(app).add_plugins(*(pack(app) for pack in nag_packs()))
    stack = cdk.Stack(app, "Org", env=ENV)
    construct = QuickSetupOrganization(
        stack,
        "OrgQuickSetup",
        organizational_unit_ids=["ou-abcd-11112222"],
        regions=REGIONS,
        account_count=40,
        inventory_sync=InventorySync.to_new_bucket(prefix=PREFIX),
        organization_id=ORGANIZATION_ID,
    )
    try:
        app.synth()
    except RuntimeError as error:  # cdk-nag findings fail synthesis; the report names them
        assert "Validation failed" in str(error), error
    outer = json.loads((outdir / f"{stack.artifact_id}.template.json").read_text())
    report_path = outdir / "validation-report.json"
    return SimpleNamespace(
        flag_set=request.param,
        construct=construct,
        outer=outer,
        regional=construct.regional_template,
        sync_name=f"QuickSetup-Inventory-{construct.configuration.configuration_id}",
        report=json.loads(report_path.read_text()) if report_path.exists() else None,
    )


def _of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {i: r for i, r in template["Resources"].items() if r["Type"] == kind}


# What the regional StackSet template creates in every member account and Region


def test_the_sync_is_created_with_organization_data_sharing_as_aws_documents(org):
    assert _of_type(org.regional, "AWS::SSM::ResourceDataSync") == {}, (
        "AWS::SSM::ResourceDataSync cannot set DestinationDataSharing (resource provider issue 193)"
    )
    sync = org.regional["Resources"]["InventorySync"]
    assert sync["Type"] == ORGANIZATION_SYNC_TYPE
    properties = sync["Properties"]
    assert properties["SyncName"] == org.sync_name
    # [ORG] "aws ssm create-resource-data-sync --sync-name name --s3-destination
    # "BucketName=amzn-s3-demo-bucket,Prefix=prefix-name,SyncFormat=JsonSerDe,Region=AWS Region,
    # for example us-east-2,DestinationDataSharing={DestinationDataSharingType=Organization}""
    # [API] DestinationDataSharingType: "The sharing data type. Only Organization is supported."
    assert properties["S3Destination"] == {
        "BucketName": {"Ref": "InventoryBucketName"},
        "Prefix": PREFIX,
        "SyncFormat": "JsonSerDe",
        "Region": {"Ref": "InventoryBucketRegion"},
        "DestinationDataSharing": {"DestinationDataSharingType": "Organization"},
    }
    # The StackSet names the bucket of the organization's stack, and its Region.
    [stack_set] = [
        r
        for r in _of_type(org.outer, STACK_SET).values()
        if r["Properties"]["StackSetName"].endswith("-Associations")
    ]
    [bucket_id] = _of_type(org.outer, "AWS::S3::Bucket")
    assert stack_set["Properties"]["Parameters"] == [
        {"ParameterKey": "InventoryBucketName", "ParameterValue": {"Ref": bucket_id}},
        {"ParameterKey": "InventoryBucketRegion", "ParameterValue": ENV.region},
    ]


def test_the_function_runs_the_handler_source_that_is_tested_here(org):
    [function] = _of_type(org.regional, "AWS::Lambda::Function").values()
    source = Path(inventory_sync_handler.__file__).read_text(encoding="utf-8")
    # StackSet templates carry no assets: the code is inline. CDK's Code.fromInline and older
    # CloudFormation docs limit inline code to 4,096 characters.
    assert Path(inventory_sync_handler.__file__) == HANDLER_PATH
    assert function["Properties"]["Code"] == {"ZipFile": source}
    assert len(source) <= 4096
    assert function["Properties"]["Handler"] == "index.handler"
    assert function["Properties"]["Runtime"].startswith("python3.")
    sync = org.regional["Resources"]["InventorySync"]["Properties"]
    [function_id] = _of_type(org.regional, "AWS::Lambda::Function")
    assert sync["ServiceToken"] == {"Fn::GetAtt": [function_id, "Arn"]}
    # CloudFormation waits an hour by default for an answer that never comes; the handler
    # always answers, and ServiceTimeout bounds the wait if it cannot.
    assert function["Properties"]["Timeout"] < sync["ServiceTimeout"] <= 3600


def test_the_function_may_create_and_delete_only_its_own_sync(org):
    [role] = _of_type(org.regional, "AWS::IAM::Role").values()
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
        }
    ]
    assert "RoleName" not in role["Properties"] and "Policies" not in role["Properties"]
    [(policy_id, policy)] = _of_type(org.regional, "AWS::IAM::ManagedPolicy").items()
    assert role["Properties"]["ManagedPolicyArns"] == [{"Ref": policy_id}]
    ssm_statement, logs_statement = policy["Properties"]["PolicyDocument"]["Statement"]
    assert ssm_statement["Action"] == ["ssm:CreateResourceDataSync", "ssm:DeleteResourceDataSync"]
    assert ssm_statement["Resource"]["Fn::Join"][1][-1] == f":resource-data-sync/{org.sync_name}"
    assert logs_statement["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    [log_group_id] = _of_type(org.regional, "AWS::Logs::LogGroup")
    assert logs_statement["Resource"]["Fn::Join"][1][-2:] == [{"Ref": log_group_id}, ":*"]
    all_actions = {
        action
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
        for action in s["Action"]
    }
    # No ListResourceDataSync: it supports no resource-level permission (it would need "*"),
    # and the handler does not need it.
    assert all_actions == {
        "ssm:CreateResourceDataSync",
        "ssm:DeleteResourceDataSync",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    }


# CloudFormation (CreateStackSet, Capabilities): a template that "contains certain IAM
# resources" (AWS::IAM::Role among them) must acknowledge CAPABILITY_IAM.
def test_the_regional_stack_set_acknowledges_the_iam_role(org):
    [stack_set] = [
        r
        for r in _of_type(org.outer, STACK_SET).values()
        if r["Properties"]["StackSetName"].endswith("-Associations")
    ]
    assert "CAPABILITY_IAM" in stack_set["Properties"].get("Capabilities", [])


@pytest.mark.parametrize("region", REGIONS)
def test_the_regional_template_passes_cfn_lint(org, region):
    assert lint_findings(org.regional, region) == []


def test_both_cdk_nag_packs_pass_with_reasons_for_the_function(org):
    assert org.report is not None and violations(org.report) == []
    report = inner_nag_report(org.construct)
    assert violations(report) == []
    acknowledged = {
        s["ruleName"]: s["reason"]
        for s in acknowledgements(report)
        if any("InventorySync" in c["constructPath"] for c in s["violatingConstructs"])
    }
    assert set(acknowledged) == {
        "NIST.800.53.R5-LambdaConcurrency",
        "NIST.800.53.R5-LambdaDLQ",
        "NIST.800.53.R5-LambdaInsideVPC",
        "NIST.800.53.R5-CloudWatchLogGroupEncrypted",
        "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>"
        ":log-group:<InventorySyncHandlerLogs>:*]",
    }
    assert all(len(reason) > 80 for reason in acknowledged.values())


def test_inventory_to_your_bucket_is_delivered_with_organization_data_sharing_too(org):
    """A bucket of yours that every member account writes to is shared by the organization: the
    only multi-account delivery AWS documents without listing each account ([ORG])."""
    configuration = dataclasses.replace(
        org.construct.configuration,
        inventory_sync=InventorySync.to_bucket(
            "central-inventory",
            "eu-west-1",
            kms_key_arn="arn:aws:kms:eu-west-1:123456789012:key/abcd-1234",
        ),
    )
    app = new_template_app(org.construct)
    try:
        members = build_member_stacks(
            app, configuration, account_wide_names(configuration.configuration_id)
        )
        regional = Template.from_stack(members.regional).to_json()
    finally:
        shutil.rmtree(app.outdir, ignore_errors=True)
    assert "Parameters" not in regional
    assert regional["Resources"]["InventorySync"]["Properties"]["S3Destination"] == {
        "BucketName": "central-inventory",
        "Region": "eu-west-1",
        "SyncFormat": "JsonSerDe",
        # [API] S3Destination.AWSKMSKeyARN: the key that encrypts the delivered data.
        "AWSKMSKeyARN": "arn:aws:kms:eu-west-1:123456789012:key/abcd-1234",
        "DestinationDataSharing": {"DestinationDataSharingType": "Organization"},
    }


def test_a_single_account_keeps_the_cloudformation_resource():
    """QuickSetupLocal's sync stays an AWS::SSM::ResourceDataSync (what CloudFormation can
    create), and so does any sync rendered for a bucket that is not the organization's."""
    stack = cdk.Stack(new_app(), "Local", env=ENV)
    QuickSetupLocal(stack, "QuickSetup", inventory_sync=InventorySync.to_new_bucket())
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::SSM::ResourceDataSync", 1)
    template.resource_count_is(ORGANIZATION_SYNC_TYPE, 0)
    template.resource_count_is("AWS::Lambda::Function", 0)
    other = cdk.Stack(new_app(), "Other")
    sync = InventorySync.to_bucket("central-inventory", "eu-west-1")
    rendered = render_inventory_sync(
        other, "abc", sync, BucketReference("central-inventory", "eu-west-1")
    )
    assert rendered.cfn_resource_type == "AWS::SSM::ResourceDataSync"
    shared = render_inventory_sync(
        cdk.Stack(new_app(), "Shared"),
        "abc",
        sync,
        BucketReference("central-inventory", "eu-west-1").in_organization(),
    )
    assert shared.cfn_resource_type == ORGANIZATION_SYNC_TYPE


# The bucket policy of the organization's bucket


def _bucket_statements(org) -> dict[str, dict[str, Any]]:
    [policy] = _of_type(org.outer, "AWS::S3::BucketPolicy").values()
    return {s.get("Sid"): s for s in policy["Properties"]["PolicyDocument"]["Statement"]}


def _object_pattern(statement: dict[str, Any]) -> str:
    """The object ARN pattern of a statement, with the bucket ARN replaced by ``BUCKET``."""
    bucket_arn, *rest = statement["Resource"]["Fn::Join"][1]
    assert bucket_arn == {"Fn::GetAtt": [bucket_arn["Fn::GetAtt"][0], "Arn"]}
    return "BUCKET" + "".join(rest)


def test_the_bucket_policy_is_the_one_aws_documents_for_an_organization(org):
    statements = _bucket_statements(org)
    ssm = {"Service": "ssm.amazonaws.com"}
    # [ORG] "Sid": "SSMBucketPermissionsCheck", "Principal": {"Service": "ssm.amazonaws.com"},
    # "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::amzn-s3-demo-bucket"
    check = statements["SSMBucketPermissionsCheck"]
    assert (check["Principal"], check["Action"], check.get("Condition")) == (
        ssm,
        "s3:GetBucketAcl",
        None,
    )
    # [ORG] "Sid": " SSMBucketDelivery", "Action": "s3:PutObject", "Resource":
    # ["arn:aws:s3:::amzn-s3-demo-bucket/bucket-prefix/*/accountid=*/*"], "Condition":
    # {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control",
    # "aws:SourceOrgID": "organization-id"}}
    delivery = statements["SSMBucketDelivery"]
    assert (delivery["Principal"], delivery["Action"]) == (ssm, "s3:PutObject")
    assert _object_pattern(delivery) == f"BUCKET/{PREFIX}/*/accountid=*/*"
    assert delivery["Condition"] == {
        "StringEquals": {
            "s3:x-amz-acl": "bucket-owner-full-control",
            "aws:SourceOrgID": ORGANIZATION_ID,
        }
    }
    # [ORG] "Sid": " SSMBucketDeliveryTagging", "Action": "s3:PutObjectTagging", "Resource":
    # ["arn:aws:s3:::amzn-s3-demo-bucket/bucket-prefix/*/accountid=*/*"] -- no Condition.
    tagging = statements["SSMBucketDeliveryTagging"]
    assert (tagging["Principal"], tagging["Action"]) == (ssm, "s3:PutObjectTagging")
    assert _object_pattern(tagging) == f"BUCKET/{PREFIX}/*/accountid=*/*"
    assert "Condition" not in tagging


def test_the_bucket_s_own_account_may_deliver_with_a_standard_sync(org):
    """A standard sync (no DestinationDataSharing), such as the sample app's QuickSetupLocal in
    the management account, gets the policy AWS documents for it: [ORG], "Before you begin",
    "Resource": [".../*/accountid=111122223333/*", ...], "Condition": {"StringEquals":
    {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceAccount": "111122223333"},
    "ArnLike": {"aws:SourceArn": "arn:aws:ssm:*:111122223333:resource-data-sync/*"}}. Nothing
    documents that such a sync's request carries aws:SourceOrgID."""
    statement = _bucket_statements(org)["SSMBucketDeliveryThisAccount"]
    assert statement["Action"] == "s3:PutObject"
    assert _object_pattern(statement) == f"BUCKET/{PREFIX}/*/accountid={ACCOUNT}/*"
    assert joined(statement["Condition"]["ArnLike"]["aws:SourceArn"]) == (
        f"arn:{arn_partition(org.flag_set)}:ssm:*:{ACCOUNT}:resource-data-sync/*"
    )
    assert statement["Condition"]["StringEquals"] == {
        "s3:x-amz-acl": "bucket-owner-full-control",
        "aws:SourceAccount": ACCOUNT,
    }


def test_the_documented_key_layout_falls_under_the_policy(org):
    # [WALK]: tables at LOCATION 's3://bucket/bucket_prefix/AWS:Application/',
    # PARTITIONED BY (AccountId string, Region string, ResourceType string); [API]
    # ResourceDataSyncDestinationDataSharing: "Data is synchronized to individual key prefixes
    # in the central bucket. Each key prefix represents a different AWS account ID."
    member = (
        f"BUCKET/{PREFIX}/AWS:Application/accountid=222222222222/region=ap-northeast-1/"
        "resourcetype=ManagedInstanceInventory/i-0123456789abcdef0.json"
    )
    own = member.replace("222222222222", ACCOUNT)
    statements = _bucket_statements(org)
    for sid in ("SSMBucketDelivery", "SSMBucketDeliveryTagging"):
        assert fnmatch.fnmatchcase(member, _object_pattern(statements[sid])), sid
    this_account = _object_pattern(statements["SSMBucketDeliveryThisAccount"])
    assert fnmatch.fnmatchcase(own, this_account)
    assert not fnmatch.fnmatchcase(member, this_account)
    assert not fnmatch.fnmatchcase(
        member.replace(f"/{PREFIX}/", "/other/"), _object_pattern(statements["SSMBucketDelivery"])
    )


# The handler, as Lambda runs it


class _ResponseURL(http.server.BaseHTTPRequestHandler):
    """Stands in for CloudFormation's pre-signed S3 URL: records every PUT."""

    received: ClassVar[list[dict[str, Any]]] = []

    def do_PUT(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append(
            {
                "path": self.path,
                "content_type": self.headers.get("Content-Type"),
                "body": json.loads(body),
            }
        )
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def response_url():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ResponseURL)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def ssm():
    client = boto3.client(
        "ssm",
        region_name="ap-northeast-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    with Stubber(client) as stubber:
        yield SimpleNamespace(client=client, stubber=stubber)
        stubber.assert_no_pending_responses()


def _properties(org, **destination: Any) -> dict[str, Any]:
    """The custom resource's properties as CloudFormation sends them: the template's, with the
    StackSet parameters and the function ARN filled in."""
    properties = json.loads(json.dumps(org.regional["Resources"]["InventorySync"]["Properties"]))
    properties["ServiceToken"] = "arn:aws:lambda:ap-northeast-1:222222222222:function:handler"
    properties["ServiceTimeout"] = str(properties["ServiceTimeout"])
    properties["S3Destination"]["BucketName"] = BUCKET
    properties["S3Destination"]["Region"] = ENV.region
    properties["S3Destination"].update(destination)
    return properties


def _run(response_url, ssm, request_type: str, properties: dict[str, Any], **event: Any) -> dict:
    _ResponseURL.received.clear()
    request = {
        "RequestType": request_type,
        "ResponseURL": f"{response_url}/cfn-response?X-Amz-Signature=abc",
        "StackId": "arn:aws:cloudformation:ap-northeast-1:222222222222:stack/StackSet-x/guid",
        "RequestId": "request-1",
        "ResourceType": ORGANIZATION_SYNC_TYPE,
        "LogicalResourceId": "InventorySync",
        "ResourceProperties": properties,
    } | event
    inventory_sync_handler.handler(request, None, ssm=ssm.client)
    [response] = _ResponseURL.received
    # [CFN] the provider uploads the JSON response to the presigned URL (a PUT with no content
    # type, which the signature does not cover).
    assert response["path"] == "/cfn-response?X-Amz-Signature=abc"
    assert response["content_type"] == ""
    body = response["body"]
    # [CFN] "StackId ... RequestId ... LogicalResourceId: This response value should be copied
    # verbatim from the request."
    assert (body["StackId"], body["RequestId"], body["LogicalResourceId"]) == (
        request["StackId"],
        request["RequestId"],
        request["LogicalResourceId"],
    )
    # [CFN] "Reason ... Required if Status is FAILED"; "The total size of the response body
    # can't exceed 4096 bytes."
    assert body["Status"] in ("SUCCESS", "FAILED") and body["Reason"]
    assert len(json.dumps(body)) <= 4096
    return body


def _documented_request(org, **destination: Any) -> dict[str, Any]:
    """[ORG] create-resource-data-sync --sync-name <name> --s3-destination "BucketName=...,
    Prefix=...,SyncFormat=JsonSerDe,Region=...,DestinationDataSharing={DestinationDataSharingType=
    Organization}", as the API request [API]."""
    return {
        "SyncName": org.sync_name,
        "S3Destination": {
            "BucketName": BUCKET,
            "Prefix": PREFIX,
            "SyncFormat": "JsonSerDe",
            "Region": ENV.region,
            "DestinationDataSharing": {"DestinationDataSharingType": "Organization"},
        }
        | destination,
    }


def _client_error(ssm, operation: str, code: str, params: dict[str, Any]) -> None:
    ssm.stubber.add_client_error(
        operation,
        service_error_code=code,
        service_message=f"{code} from the stub",
        http_status_code=400,
        expected_params=params,
    )


def test_create_sends_the_documented_request(org, response_url, ssm):
    request = _documented_request(org)
    assert (
        organization_sync_request(
            org.construct.configuration.configuration_id,
            InventorySync.to_new_bucket(prefix=PREFIX),
            BucketReference(BUCKET, ENV.region, organization=True),
        )
        == request
    )
    ssm.stubber.add_response("create_resource_data_sync", {}, expected_params=request)
    body = _run(response_url, ssm, "Create", _properties(org))
    # [CFN] PhysicalResourceId "must be identical for all responses for the same resource":
    # the sync's name, which is unique in its account and Region.
    assert (body["Status"], body["PhysicalResourceId"]) == ("SUCCESS", org.sync_name)


def test_create_accepts_a_sync_of_that_name_that_already_exists(org, response_url, ssm):
    _client_error(
        ssm,
        "create_resource_data_sync",
        "ResourceDataSyncAlreadyExistsException",
        _documented_request(org),
    )
    body = _run(response_url, ssm, "Create", _properties(org))
    assert (body["Status"], body["PhysicalResourceId"]) == ("SUCCESS", org.sync_name)


def test_a_failed_create_reports_the_error_and_its_rollback_deletes_nothing(org, response_url, ssm):
    # [ORG] "you can only have one Organizations-based resource data sync": a second one fails.
    _client_error(
        ssm,
        "create_resource_data_sync",
        "ResourceDataSyncCountExceededException",
        _documented_request(org),
    )
    body = _run(response_url, ssm, "Create", _properties(org))
    assert body["Status"] == "FAILED"
    assert "ResourceDataSyncCountExceededException" in body["Reason"]
    assert body["PhysicalResourceId"] == "request-1", "not the name: no sync was created"
    # CloudFormation then deletes the failed resource: no sync of that name may be deleted
    # (one may exist that this resource did not create). The stubber has no response queued.
    rollback = _run(
        response_url,
        ssm,
        "Delete",
        _properties(org),
        PhysicalResourceId=body["PhysicalResourceId"],
        RequestId="request-2",
    )
    assert (rollback["Status"], rollback["PhysicalResourceId"]) == ("SUCCESS", "request-1")


def test_update_without_a_new_destination_changes_nothing(org, response_url, ssm):
    # CloudFormation does not support changing a custom resource's ServiceToken; ServiceTimeout
    # is a change that reaches the function without a new destination.
    old = _properties(org) | {"ServiceTimeout": "600"}
    body = _run(
        response_url,
        ssm,
        "Update",
        _properties(org),
        PhysicalResourceId=org.sync_name,
        OldResourceProperties=old,
    )
    assert (body["Status"], body["PhysicalResourceId"]) == ("SUCCESS", org.sync_name)


def test_update_of_the_destination_replaces_the_sync_under_its_name(org, response_url, ssm):
    # [UPD]: a SyncToDestination sync cannot be updated, so it is deleted and created again.
    ssm.stubber.add_response(
        "delete_resource_data_sync", {}, expected_params={"SyncName": org.sync_name}
    )
    ssm.stubber.add_response(
        "create_resource_data_sync",
        {},
        expected_params=_documented_request(org, Prefix="inventory-v2"),
    )
    body = _run(
        response_url,
        ssm,
        "Update",
        _properties(org, Prefix="inventory-v2"),
        PhysicalResourceId=org.sync_name,
        OldResourceProperties=_properties(org),
    )
    assert (body["Status"], body["PhysicalResourceId"]) == ("SUCCESS", org.sync_name)


def test_update_to_a_new_name_creates_it_and_leaves_the_old_one_to_cloudformation(
    org, response_url, ssm
):
    new = _properties(org) | {"SyncName": "QuickSetup-Inventory-renamed"}
    ssm.stubber.add_response(
        "create_resource_data_sync",
        {},
        expected_params=(_documented_request(org) | {"SyncName": "QuickSetup-Inventory-renamed"}),
    )
    body = _run(
        response_url,
        ssm,
        "Update",
        new,
        PhysicalResourceId=org.sync_name,
        OldResourceProperties=_properties(org),
    )
    # [CFN] "If the value returned is different, CloudFormation recognizes the update as a
    # replacement and sends a delete request to the old resource."
    assert (body["Status"], body["PhysicalResourceId"]) == (
        "SUCCESS",
        "QuickSetup-Inventory-renamed",
    )


def test_delete_deletes_the_sync(org, response_url, ssm):
    ssm.stubber.add_response(
        "delete_resource_data_sync", {}, expected_params={"SyncName": org.sync_name}
    )
    body = _run(response_url, ssm, "Delete", _properties(org), PhysicalResourceId=org.sync_name)
    assert (body["Status"], body["PhysicalResourceId"]) == ("SUCCESS", org.sync_name)


def test_delete_succeeds_when_the_sync_is_already_gone(org, response_url, ssm):
    _client_error(
        ssm,
        "delete_resource_data_sync",
        "ResourceDataSyncNotFoundException",
        {"SyncName": org.sync_name},
    )
    body = _run(response_url, ssm, "Delete", _properties(org), PhysicalResourceId=org.sync_name)
    assert (body["Status"], body["PhysicalResourceId"]) == ("SUCCESS", org.sync_name)


def test_any_other_error_fails_with_its_reason_and_never_hangs(org, response_url, ssm):
    _client_error(
        ssm, "delete_resource_data_sync", "AccessDeniedException", {"SyncName": org.sync_name}
    )
    body = _run(response_url, ssm, "Delete", _properties(org), PhysicalResourceId=org.sync_name)
    assert body["Status"] == "FAILED" and "AccessDeniedException" in body["Reason"]
    # A malformed request (no S3Destination) is answered too, before any SSM call.
    properties = _properties(org)
    del properties["S3Destination"]
    body = _run(response_url, ssm, "Create", properties)
    assert body["Status"] == "FAILED" and "S3Destination" in body["Reason"]
