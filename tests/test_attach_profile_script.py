"""The instance-profile runbook's script, run against botocore's Stubber (real service models)."""

import boto3
import pytest
from botocore.stub import Stubber

from quicksetup_constructs.documents.attach_profile import ATTACH_INSTANCE_PROFILE
from quicksetup_constructs.documents.attach_profile_script import attach_profile_if_missing, handler

INSTANCE = "i-0123456789abcdef0"
FILTERS = [
    {"Name": "instance-id", "Values": [INSTANCE]},
    {"Name": "state", "Values": ["associating", "associated"]},
]
EXISTING_ARN = "arn:aws:iam::111111111111:instance-profile/team/TeamProfile"


@pytest.fixture
def clients():
    ec2 = boto3.client(
        "ec2", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    iam = boto3.client(
        "iam", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(ec2) as ec2_stub, Stubber(iam) as iam_stub:
        yield ec2, iam, ec2_stub, iam_stub
        ec2_stub.assert_no_pending_responses()
        iam_stub.assert_no_pending_responses()


def _current(stub, arn=None):
    associations = (
        []
        if arn is None
        else [
            {
                "AssociationId": "iip-assoc-0123456789abcdef0",
                "InstanceId": INSTANCE,
                "State": "associated",
                "IamInstanceProfile": {"Arn": arn, "Id": "AIPAEXAMPLE"},
            }
        ]
    )
    stub.add_response(
        "describe_iam_instance_profile_associations",
        {"IamInstanceProfileAssociations": associations},
        {"Filters": FILTERS},
    )


def _associate_request():
    return {"InstanceId": INSTANCE, "IamInstanceProfile": {"Name": "QuickSetupProfile"}}


def _no_profile_then_associate_fails(stub, code, message):
    _current(stub)
    stub.add_client_error(
        "associate_iam_instance_profile", code, message, expected_params=_associate_request()
    )


def test_attaches_our_profile_to_an_instance_without_one(clients):
    ec2, iam, ec2_stub, _ = clients
    _current(ec2_stub)
    ec2_stub.add_response("associate_iam_instance_profile", {}, _associate_request())
    result = attach_profile_if_missing(ec2, iam, INSTANCE, "QuickSetupProfile", False)
    assert result == {"Action": "Attached", "InstanceProfile": "QuickSetupProfile"}


def test_keeps_an_existing_profile_and_succeeds(clients):
    ec2, iam, ec2_stub, _ = clients
    _current(
        ec2_stub, EXISTING_ARN
    )  # no associate/disassociate response is stubbed: none may be called
    result = attach_profile_if_missing(ec2, iam, INSTANCE, "QuickSetupProfile", False)
    assert result == {"Action": "KeptExistingProfile", "InstanceProfile": EXISTING_ARN}


def _existing_profile_with_role(iam_stub):
    iam_stub.add_response(
        "get_instance_profile",
        {
            "InstanceProfile": {
                "Path": "/team/",
                "InstanceProfileName": "TeamProfile",
                "InstanceProfileId": "AIPAEXAMPLE0000000000",
                "Arn": EXISTING_ARN,
                "CreateDate": "2024-01-01T00:00:00Z",
                "Roles": [
                    {
                        "Path": "/",
                        "RoleName": "TeamRole",
                        "RoleId": "AROAEXAMPLE0000000000",
                        "Arn": "arn:aws:iam::111111111111:role/TeamRole",
                        "CreateDate": "2024-01-01T00:00:00Z",
                    }
                ],
            }
        },
        {"InstanceProfileName": "TeamProfile"},
    )


@pytest.mark.parametrize(
    "policies",
    [
        ("AmazonSSMManagedInstanceCore", "AmazonSSMPatchAssociation"),
        # With a CloudWatch option on: the agent needs CloudWatchAgentServerPolicy to publish, and
        # AWSQuickSetupManagedInstanceProfileExecutionPolicy lets Quick Setup attach it too.
        (
            "AmazonSSMManagedInstanceCore",
            "AmazonSSMPatchAssociation",
            "CloudWatchAgentServerPolicy",
        ),
    ],
    ids=["ssm", "ssm-and-cloudwatch"],
)
def test_with_policy_attach_adds_exactly_the_named_policies_to_the_existing_role(clients, policies):
    ec2, iam, ec2_stub, iam_stub = clients
    _current(ec2_stub, EXISTING_ARN)
    _existing_profile_with_role(iam_stub)
    for policy in policies:  # the Stubber fails on any other call, or on one more
        iam_stub.add_response(
            "attach_role_policy",
            {},
            {"RoleName": "TeamRole", "PolicyArn": f"arn:aws:iam::aws:policy/{policy}"},
        )
    result = attach_profile_if_missing(ec2, iam, INSTANCE, "QuickSetupProfile", True, policies)
    assert result["Action"] == "AttachedPoliciesToExistingRole"


def test_the_handler_passes_the_runbook_inputs_on(clients, monkeypatch):
    ec2, iam, ec2_stub, iam_stub = clients
    _current(ec2_stub, EXISTING_ARN)
    _existing_profile_with_role(iam_stub)
    iam_stub.add_response(
        "attach_role_policy",
        {},
        {
            "RoleName": "TeamRole",
            "PolicyArn": "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
        },
    )
    clients_by_name = {"ec2": ec2, "iam": iam}
    monkeypatch.setattr(boto3, "client", lambda name, *args, **kwargs: clients_by_name[name])
    payload = {
        name: value.replace("{{ ", "").replace(" }}", "")
        for name, value in ATTACH_INSTANCE_PROFILE["mainSteps"][0]["inputs"]["InputPayload"].items()
    }
    # What Automation hands the handler: each {{ Parameter }} of the InputPayload, resolved.
    values = {
        "InstanceId": INSTANCE,
        "InstanceProfileName": "QuickSetupProfile",
        "AllowPolicyAttach": "true",
        "PolicyNames": ["CloudWatchAgentServerPolicy"],
    }
    result = handler({key: values[parameter] for key, parameter in payload.items()}, None)
    assert result["Action"] == "AttachedPoliciesToExistingRole"


def test_retries_while_a_new_profile_is_not_yet_visible_to_ec2(clients):
    ec2, iam, ec2_stub, _ = clients
    _no_profile_then_associate_fails(
        ec2_stub, "InvalidParameterValue", "Invalid IAM Instance Profile name"
    )
    ec2_stub.add_response("associate_iam_instance_profile", {}, _associate_request())
    waits = []
    result = attach_profile_if_missing(
        ec2, iam, INSTANCE, "QuickSetupProfile", False, sleep=waits.append
    )
    assert result["Action"] == "Attached"
    assert waits == [10]


def test_other_errors_fail_the_step(clients):
    ec2, iam, ec2_stub, _ = clients
    _no_profile_then_associate_fails(ec2_stub, "IncorrectState", "There is an existing association")
    with pytest.raises(ec2.exceptions.ClientError, match="IncorrectState"):
        attach_profile_if_missing(ec2, iam, INSTANCE, "QuickSetupProfile", False)


def test_the_runbook_embeds_this_script_with_its_handler():
    step = ATTACH_INSTANCE_PROFILE["mainSteps"][0]
    namespace: dict = {}
    exec(compile(step["inputs"]["Script"], "script", "exec"), namespace)
    assert callable(namespace[step["inputs"]["Handler"]])
    assert set(step["inputs"]["InputPayload"]) == {
        "InstanceId",
        "InstanceProfileName",
        "AllowPolicyAttach",
        "PolicyNames",
    }
