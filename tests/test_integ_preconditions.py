"""What ``make integ`` checks before it deploys (integ/preconditions.py): the organization
test's settings, the OU holding only the member account, a VPC for the test instances, and
credentials that outlive the longest waiter. Against moto and the environment only."""

from __future__ import annotations

import json
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from tests.fake_aws import isolate_aws_environment

ROOT = Path(__file__).resolve().parents[1]
INTEG = ROOT / "integ"
sys.path.insert(0, str(INTEG))

from preconditions import (  # integ/preconditions.py
    MEMBER_ACCOUNT,
    MEMBER_ROLE,
    ORG_CALL_AS,
    ORG_OU,
    VPC_ID,
    PreconditionFailed,
    check,
    check_environment,
    longest_waiter,
)

LOCAL_APP, ORGANIZATION_APP = INTEG / "integ_local.py", INTEG / "integ_organization.py"
LOCAL_SNAPSHOT = INTEG / "integ_local.py.snapshot"
ORGANIZATION_SNAPSHOT = INTEG / "integ_organization.py.snapshot"
SNAPSHOT_OU = "ou-abcd-11112222"
"""The OU the organization app's snapshot deploys to (its placeholder)."""

SETTINGS = {
    ORG_OU: "ou-ab12-cdef3456",
    MEMBER_ACCOUNT: "210987654321",
    MEMBER_ROLE: "OrganizationAccountAccessRole",
    ORG_CALL_AS: "DELEGATED_ADMIN",
    VPC_ID: "vpc-0a1b2c3d",
}


@pytest.fixture
def environment(monkeypatch, tmp_path):
    """Long-term keys and a Region, no setting of the integration tests."""
    isolate_aws_environment(monkeypatch, tmp_path)
    for name in (*SETTINGS, "AWS_SECURITY_TOKEN", "AWS_CREDENTIAL_EXPIRATION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    # A check that calls AWS where a test expects none reaches a closed local port, not AWS;
    # the fixtures that start moto unset this.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    return monkeypatch


# Settings ----------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", [ORG_OU, MEMBER_ACCOUNT, MEMBER_ROLE])
def test_each_missing_organization_setting_is_named(environment, missing):
    for name, value in SETTINGS.items():
        if name != missing:
            environment.setenv(name, value)
    with pytest.raises(PreconditionFailed) as failed:
        check_environment([LOCAL_APP, ORGANIZATION_APP])
    assert f"{missing} is not set" in str(failed.value)
    assert "\n" not in str(failed.value)


@pytest.mark.parametrize("missing", [MEMBER_ACCOUNT, MEMBER_ROLE])
def test_the_ou_setting_alone_asks_for_the_others(environment, missing):
    for name in (ORG_OU, MEMBER_ACCOUNT, MEMBER_ROLE):
        if name != missing:
            environment.setenv(name, SETTINGS[name])
    with pytest.raises(PreconditionFailed, match=f"{missing} is not set, and {ORG_OU} is set"):
        check_environment([LOCAL_APP])


def test_the_local_test_alone_needs_no_organization_setting(environment):
    check_environment([LOCAL_APP])


def test_well_formed_settings_pass(environment):
    for name, value in SETTINGS.items():
        environment.setenv(name, value)
    environment.setenv(VPC_ID, "vpc-0123456789abcdef0")  # the 17-character form
    check_environment([LOCAL_APP, ORGANIZATION_APP])


@pytest.mark.parametrize(
    ("name", "value"),
    [
        (ORG_OU, "r-ab12"),  # a root, not an OU
        (ORG_OU, "ou-ab12-cdef"),  # 4 characters after the second hyphen, not 8 to 32
        (MEMBER_ACCOUNT, "21098765432"),  # 11 digits
        (MEMBER_ROLE, "arn:aws:iam::210987654321:role/Reader"),  # an ARN, not a name
        (MEMBER_ROLE, "R" * 65),  # over 64 characters
        (ORG_CALL_AS, "self"),  # the enum is upper case
        (VPC_ID, "vpc-123"),
    ],
)
def test_a_setting_of_the_wrong_shape_is_refused(environment, name, value):
    for setting, good in SETTINGS.items():
        environment.setenv(setting, good)
    environment.setenv(name, value)
    with pytest.raises(PreconditionFailed) as failed:
        check_environment([LOCAL_APP, ORGANIZATION_APP])
    assert str(failed.value).startswith(f"{name}={value!r} is not ")


def test_without_credentials_the_environment_check_stops(environment):
    environment.delenv("AWS_ACCESS_KEY_ID")
    with pytest.raises(PreconditionFailed, match="no AWS credentials found; set AWS_PROFILE"):
        check_environment([LOCAL_APP])


# The organization ----------------------------------------------------------------------------


@pytest.fixture
def organization(environment, tmp_path):
    """An organization (moto) with an OU that holds the member account, and the organization
    app's snapshot deploying to that OU. Yields (organizations client, OU, member, assembly)."""
    environment.delenv("AWS_ENDPOINT_URL")
    with mock_aws():
        client = boto3.client("organizations")
        client.create_organization(FeatureSet="ALL")
        root = client.list_roots()["Roots"][0]["Id"]
        unit = client.create_organizational_unit(ParentId=root, Name="integ")
        unit_id = unit["OrganizationalUnit"]["Id"]
        member = _account(client, "member", unit_id)
        environment.setenv(MEMBER_ACCOUNT, member)
        assembly = tmp_path / "organization.out"
        shutil.copytree(ORGANIZATION_SNAPSHOT, assembly)
        for template in assembly.glob("*.template.json"):
            template.write_text(template.read_text().replace(SNAPSHOT_OU, unit_id))
        yield client, unit_id, member, assembly


def _account(client, name: str, parent: str) -> str:
    """A new account of the organization, moved under ``parent``."""
    status = client.create_account(Email=f"{name}@example.com", AccountName=name)
    account = status["CreateAccountStatus"]["AccountId"]
    root = client.list_roots()["Roots"][0]["Id"]
    client.move_account(AccountId=account, SourceParentId=root, DestinationParentId=parent)
    return account


def _child(client, parent: str, name: str) -> str:
    return client.create_organizational_unit(ParentId=parent, Name=name)["OrganizationalUnit"]["Id"]


def test_an_ou_holding_only_the_member_account_passes(organization):
    _, unit, member, assembly = organization
    notes = check(ORGANIZATION_APP, assembly)
    assert f"organization: {unit} holds only the member account {member}" in notes


@pytest.mark.parametrize("depth", [0, 1, 2], ids=["directly", "in-a-child-ou", "two-ous-down"])
def test_an_ou_with_another_account_fails_with_the_count(organization, depth):
    client, unit, member, assembly = organization
    parent = unit
    for level in range(depth):
        parent = _child(client, parent, f"level{level}")
    _account(client, "other", parent)
    with pytest.raises(PreconditionFailed) as failed:
        check(ORGANIZATION_APP, assembly)
    assert str(failed.value).startswith(f"OU {unit} holds 2 accounts (child OUs included): ")
    assert f"set {ORG_OU} to an OU that holds only {member}" in str(failed.value)


def test_an_ou_without_the_member_account_fails_saying_so(organization):
    client, unit, member, assembly = organization
    root = client.list_roots()["Roots"][0]["Id"]
    client.move_account(AccountId=member, SourceParentId=unit, DestinationParentId=root)
    _account(client, "other", unit)
    with pytest.raises(PreconditionFailed) as failed:
        check(ORGANIZATION_APP, assembly)
    assert str(failed.value).startswith(
        f"OU {unit} holds 1 account (child OUs included), and the member account {member} is "
        "not among them: "
    )


def test_accounts_are_counted_past_the_first_page(organization):
    client, unit, _, assembly = organization
    for index in range(24):  # 25 accounts in the OU with the member; moto's pages hold 20
        _account(client, f"other{index}", unit)
    with pytest.raises(PreconditionFailed, match=f"OU {unit} holds 25 accounts"):
        check(ORGANIZATION_APP, assembly)


def test_an_ou_that_does_not_exist_fails_in_one_line(organization):
    _, unit, _, assembly = organization
    for template in assembly.glob("*.template.json"):
        template.write_text(template.read_text().replace(unit, "ou-zzzz-zzzzzzzz"))
    with pytest.raises(PreconditionFailed) as failed:
        check(ORGANIZATION_APP, assembly)
    assert str(failed.value).startswith("cannot list the accounts under OU ou-zzzz-zzzzzzzz: ")
    assert "ParentNotFoundException" in str(failed.value) and "\n" not in str(failed.value)


def test_a_stack_set_assembly_without_a_member_account_stops(organization, environment):
    _, unit, _, assembly = organization
    environment.delenv(MEMBER_ACCOUNT)
    with pytest.raises(PreconditionFailed) as failed:
        check(ORGANIZATION_APP, assembly)
    assert f"deploys StackSets to {unit} and {MEMBER_ACCOUNT} is not set" in str(failed.value)


def test_stack_set_targets_other_than_ous_are_refused(environment, tmp_path):
    stack_set = {
        "Type": "AWS::CloudFormation::StackSet",
        "Properties": {
            "PermissionModel": "SERVICE_MANAGED",
            "StackSetName": "s",
            "StackInstancesGroup": [
                {
                    "Regions": ["us-east-1"],
                    "DeploymentTargets": {
                        "OrganizationalUnitIds": ["ou-ab12-cdef3456"],
                        "Accounts": ["210987654321"],
                        "AccountFilterType": "INTERSECTION",
                    },
                }
            ],
        },
    }
    assembly = _assembly(tmp_path, {"Org": {"Resources": {"StackSet": stack_set}}}, [])
    with pytest.raises(PreconditionFailed, match="understands OU ids only"):
        check(ORGANIZATION_APP, assembly)


# The network of the test instances --------------------------------------------------------


@pytest.fixture
def ec2(environment):
    environment.delenv("AWS_ENDPOINT_URL")
    with mock_aws():
        yield boto3.client("ec2", region_name="us-east-1")


def _delete_default_vpc(ec2) -> None:
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])
    for subnet in subnets["Subnets"]:
        ec2.delete_subnet(SubnetId=subnet["SubnetId"])
    ec2.delete_vpc(VpcId=vpc["VpcId"])


def test_a_region_with_a_default_vpc_passes(ec2):
    default = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]
    notes = check(LOCAL_APP, LOCAL_SNAPSHOT)
    vpc = default["VpcId"]
    assert f"network: the test instances go into the default VPC {vpc} of us-east-1" in notes


def test_a_region_without_a_default_vpc_fails(ec2):
    _delete_default_vpc(ec2)
    with pytest.raises(PreconditionFailed) as failed:
        check(LOCAL_APP, LOCAL_SNAPSHOT)
    assert str(failed.value).startswith(
        "us-east-1 has no default VPC for the test instances: "
        f"set {VPC_ID} to a VPC of us-east-1 that has a subnet"
    )


def test_a_default_vpc_without_a_default_subnet_fails(ec2):
    # Amazon VPC user guide, "Default VPCs": an instance launched without a subnet goes into
    # the default subnet of its Availability Zone; a subnet one creates is not a default one.
    default = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [default["VpcId"]]}])
    for subnet in subnets["Subnets"]:
        ec2.delete_subnet(SubnetId=subnet["SubnetId"])
    # moto makes the first subnet created in an Availability Zone its default subnet (AWS
    # makes none so: CreateDefaultSubnet does), so the plain subnet is the second one.
    prefix = default["CidrBlock"].rsplit(".", 2)[0]
    first, _ = (
        ec2.create_subnet(
            VpcId=default["VpcId"],
            CidrBlock=f"{prefix}.{index}.0/24",
            AvailabilityZone="us-east-1a",
        )["Subnet"]
        for index in (200, 201)
    )
    ec2.delete_subnet(SubnetId=first["SubnetId"])
    with pytest.raises(PreconditionFailed, match="has no default subnet for the test instances"):
        check(LOCAL_APP, LOCAL_SNAPSHOT)


def test_a_vpc_id_that_exists_passes_without_a_default_vpc(ec2, environment):
    _delete_default_vpc(ec2)
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24")
    environment.setenv(VPC_ID, vpc)
    notes = check(LOCAL_APP, LOCAL_SNAPSHOT)
    assert f"network: the test instances go into VPC {vpc} ({VPC_ID}) of us-east-1" in notes


def test_a_vpc_id_that_does_not_exist_fails(ec2, environment):
    environment.setenv(VPC_ID, "vpc-0123456789abcdef0")
    with pytest.raises(PreconditionFailed) as failed:
        check(LOCAL_APP, LOCAL_SNAPSHOT)
    assert str(failed.value).startswith(
        f"VPC vpc-0123456789abcdef0 ({VPC_ID}) does not exist in us-east-1: set {VPC_ID} to "
    )


def test_a_vpc_id_without_a_subnet_fails(ec2, environment):
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    environment.setenv(VPC_ID, vpc)
    with pytest.raises(PreconditionFailed, match=f"VPC {vpc} .* has no subnet for the test"):
        check(LOCAL_APP, LOCAL_SNAPSHOT)


# Waiters -------------------------------------------------------------------------------------


def _waiter(retry: list[dict]) -> dict:
    """A state machine as ``wait_for_assertions`` synthesizes it: a ``Fn::Join`` of the ASL
    around the handler's ARN, with ``retry`` as the task's retriers."""
    return {
        "Type": "AWS::StepFunctions::StateMachine",
        "Properties": {
            "DefinitionString": {
                "Fn::Join": [
                    "",
                    [
                        (
                            '{"StartAt":"framework-isComplete-task","States":{"framework-isComplete-task":'
                            f'{{"End":true,"Retry":{json.dumps(retry)},"Type":"Task","Resource":"'
                        ),
                        {"Fn::GetAtt": ["Handler", "Arn"]},
                        '"}}}',
                    ],
                ],
            }
        },
    }


def _assembly(tmp_path: Path, stacks: dict[str, dict], waiters: list[dict]) -> Path:
    """A cloud assembly of one test case: ``stacks``, and an assertion stack of ``waiters``
    (named Waiter0, Waiter1, ...)."""
    directory = tmp_path / "cdk.out"
    directory.mkdir(parents=True)
    (directory / "integ.json").write_text(
        json.dumps(
            {
                "version": "55.0.0",
                "testCases": {
                    "Case/DefaultTest": {
                        "stacks": list(stacks),
                        "assertionStack": "Case/DefaultTest/DeployAssert",
                        "assertionStackName": "CaseAssert",
                    },
                },
            }
        )
    )
    assertions = {"Resources": {f"Waiter{i}": waiter for i, waiter in enumerate(waiters)}}
    for name, template in {**stacks, "CaseAssert": assertions}.items():
        (directory / f"{name}.template.json").write_text(json.dumps(template))
    return directory


RETRY = {"ErrorEquals": ["States.ALL"]}


def test_the_local_snapshots_longest_waiter_is_the_later_timeout_the_app_declares():
    import integ_local  # integ/integ_local.py; LATER: 1 minute interval, 55 minutes in all

    waiter = longest_waiter(LOCAL_SNAPSHOT)
    assert waiter.seconds == integ_local.LATER["total_timeout"].to_seconds() == 55 * 60


def test_a_waiters_total_follows_its_backoff_its_cap_and_the_defaults(tmp_path):
    # Step Functions developer guide, "Handling errors in Step Functions workflows": retry n
    # waits IntervalSeconds (default 1) x BackoffRate (default 2.0) ** (n - 1), at most
    # MaxDelaySeconds, for MaxAttempts (default 3) retries.
    waiters = [
        _waiter([{**RETRY, "IntervalSeconds": 10, "MaxAttempts": 4, "BackoffRate": 2}]),
        _waiter(
            [
                {
                    **RETRY,
                    "IntervalSeconds": 10,
                    "MaxAttempts": 4,
                    "BackoffRate": 2,
                    "MaxDelaySeconds": 30,
                    "JitterStrategy": "FULL",
                }
            ]
        ),
        _waiter([RETRY]),
        _waiter(
            [
                {**RETRY, "IntervalSeconds": 60, "MaxAttempts": 2, "BackoffRate": 1},
                {**RETRY, "IntervalSeconds": 35, "MaxAttempts": 1},
            ]
        ),
    ]
    totals = [
        longest_waiter(_assembly(tmp_path / str(i), {}, [waiter])).seconds
        for i, waiter in enumerate(waiters)
    ]
    assert totals == [10 + 20 + 40 + 80, 10 + 20 + 30 + 30, 1 + 2 + 4, 60 + 60 + 35]
    assert longest_waiter(_assembly(tmp_path / "all", {}, waiters)).name == "Waiter3"


def test_a_retrier_field_not_understood_is_refused(tmp_path):
    assembly = _assembly(tmp_path, {}, [_waiter([{**RETRY, "MaxRetries": 5}])])
    with pytest.raises(PreconditionFailed, match=r"fields \['MaxRetries'\]"):
        longest_waiter(assembly)


def test_an_intrinsic_where_a_number_belongs_is_refused(tmp_path):
    waiter = _waiter([RETRY])
    parts = waiter["Properties"]["DefinitionString"]["Fn::Join"][1]
    head, tail = parts[0].split('"Retry":[{')
    parts[0:1] = [head + '"Retry":[{"IntervalSeconds":', {"Ref": "Interval"}, "," + tail]
    with pytest.raises(PreconditionFailed, match="not JSON once joined"):
        longest_waiter(_assembly(tmp_path, {}, [waiter]))


# Credentials' lifetime ---------------------------------------------------------------------


@pytest.fixture
def waiting(tmp_path):
    """An assembly whose longest waiter waits 55 minutes, like the local app's."""
    return _assembly(
        tmp_path,
        {},
        [
            _waiter([{**RETRY, "IntervalSeconds": 30, "MaxAttempts": 60, "BackoffRate": 1}]),
            _waiter([{**RETRY, "IntervalSeconds": 60, "MaxAttempts": 55, "BackoffRate": 1}]),
        ],
    )


def _session_credentials(environment, expires_in: timedelta | None) -> None:
    environment.setenv("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE")
    environment.setenv("AWS_SESSION_TOKEN", "token")
    if expires_in is not None:
        expiry = datetime.now(UTC) + expires_in
        environment.setenv("AWS_CREDENTIAL_EXPIRATION", expiry.isoformat(timespec="seconds"))


def test_session_credentials_expiring_before_the_longest_waiter_fail_with_both_figures(
    environment, waiting
):
    _session_credentials(environment, timedelta(minutes=40, seconds=30))
    with pytest.raises(PreconditionFailed) as failed:
        check(LOCAL_APP, waiting)
    assert str(failed.value) == (
        "the AWS credentials (env) expire in 40 min, and the longest waiter (Waiter1) may wait "
        "55 min: renew them for at least 55 min and run again"
    )


def test_session_credentials_outliving_the_longest_waiter_pass(environment, waiting):
    _session_credentials(environment, timedelta(minutes=56))
    (note,) = check(LOCAL_APP, waiting)
    assert note.startswith("credentials: env, expire in 55 min; the longest waiter (Waiter1) ")


def test_expired_session_credentials_fail(environment, waiting):
    _session_credentials(environment, timedelta(minutes=-1))
    with pytest.raises(PreconditionFailed, match=r"^the AWS credentials \(env\) have expired"):
        check(LOCAL_APP, waiting)


def test_long_term_keys_pass_with_a_note(environment, waiting):
    assert check(LOCAL_APP, waiting) == [
        (
            "credentials: long-term access keys (env), no expiry; the longest waiter (Waiter1) may "
            "wait 55 min"
        )
    ]


def test_session_credentials_of_unknown_expiry_pass_with_a_note_saying_how_to_check(
    environment, waiting
):
    _session_credentials(environment, None)
    (note,) = check(LOCAL_APP, waiting)
    assert "of unknown expiry, not checked" in note
    assert "set AWS_CREDENTIAL_EXPIRATION" in note


def _profile(environment, tmp_path: Path, config: str) -> None:
    environment.delenv("AWS_ACCESS_KEY_ID")
    environment.delenv("AWS_SECRET_ACCESS_KEY")
    (tmp_path / "config").write_text(config)
    environment.setenv("AWS_PROFILE", "integ")


def test_a_role_assumed_again_from_long_term_keys_passes_with_a_note(
    environment, waiting, tmp_path
):
    _profile(
        environment,
        tmp_path,
        (
            "[profile integ]\nrole_arn = arn:aws:iam::210987654321:role/Deployer\n"
            "source_profile = keys\n"
            "[profile keys]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n"
        ),
    )
    (note,) = check(LOCAL_APP, waiting)
    assert note.startswith(
        "credentials: the role is assumed again from the long-term keys of profile keys "
    )


def test_the_expiry_of_a_credential_process_is_compared(environment, waiting, tmp_path):
    expiry = datetime.now(UTC) + timedelta(minutes=20, seconds=30)
    script = tmp_path / "credentials.py"
    script.write_text(
        "import json\nprint(json.dumps("
        + repr(
            {
                "Version": 1,
                "AccessKeyId": "ASIAEXAMPLE",
                "SecretAccessKey": "secret",
                "SessionToken": "token",
                "Expiration": expiry.isoformat(timespec="seconds"),
            }
        )
        + "))\n"
    )
    _profile(
        environment,
        tmp_path,
        (f"[profile integ]\ncredential_process = {sys.executable} {script}\n"),
    )
    with pytest.raises(PreconditionFailed, match=r"\(custom-process\) expire in 20 min, .* 55 min"):
        check(LOCAL_APP, waiting)
