"""Custom resource: this account and Region's inventory resource data sync, delivering to a
bucket shared by the organization (S3Destination.DestinationDataSharing, which
AWS::SSM::ResourceDataSync cannot set). ResourceProperties: SyncName and S3Destination, passed
to CreateResourceDataSync as they are. The physical id is the sync's name.

Inlined as the function's ZipFile (at most 4,096 characters): standard library and boto3
only. It always answers CloudFormation, with the error as the reason when it fails.
"""

import json
import urllib.request


def handler(event, context, ssm=None):
    if ssm is None:
        import boto3

        ssm = boto3.client("ssm")
    physical_id = event.get("PhysicalResourceId") or event["RequestId"]
    try:
        physical_id = _apply(ssm, event, physical_id)
        status, reason = "SUCCESS", ""
    except Exception as error:  # every failure goes back to CloudFormation
        status, reason = "FAILED", f"{type(error).__name__}: {error}"[:1000]
    print(json.dumps({"RequestType": event["RequestType"], "PhysicalResourceId": physical_id,
                      "Status": status, "Reason": reason}))
    _respond(event, status, reason, physical_id)


def _apply(ssm, event, physical_id):
    props = event["ResourceProperties"]
    name = props["SyncName"]
    if event["RequestType"] == "Delete":
        if physical_id == name:  # not after a failed Create
            _call(ssm.delete_resource_data_sync, "ResourceDataSyncNotFoundException",
                  SyncName=name)
        return physical_id
    if event["RequestType"] == "Update" and physical_id == name:
        if event["OldResourceProperties"]["S3Destination"] == props["S3Destination"]:
            return name
        # A sync's destination cannot be updated: replace it under the same name.
        _call(ssm.delete_resource_data_sync, "ResourceDataSyncNotFoundException",
              SyncName=name)
    # A new name (Create, or an Update that renames: CloudFormation then deletes the old one).
    _call(ssm.create_resource_data_sync, "ResourceDataSyncAlreadyExistsException",
          SyncName=name, S3Destination=props["S3Destination"])
    return name


def _call(operation, harmless_error, **request):
    """``operation(**request)``; the error ``harmless_error`` means it is already done."""
    try:
        operation(**request)
    except Exception as error:
        if getattr(error, "response", {}).get("Error", {}).get("Code") != harmless_error:
            raise


def _respond(event, status, reason, physical_id):
    body = json.dumps({
        "Status": status, "Reason": reason or status, "PhysicalResourceId": physical_id,
        "StackId": event["StackId"], "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"], "Data": {},
    }).encode()
    request = urllib.request.Request(
        event["ResponseURL"], data=body, method="PUT",
        headers={"Content-Type": "", "Content-Length": str(len(body))},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
