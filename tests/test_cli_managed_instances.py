"""`quicksetup status --managed-instances`: the targeted instances Systems Manager does not
manage, each with its likely reason, against a local fake of EC2, Systems Manager, IAM and
Resource Groups that speaks each service's protocol (tests/fake_fleet.py).

The reasons are the user guide's, "Troubleshooting managed node availability"
(https://docs.aws.amazon.com/systems-manager/latest/userguide/
fleet-manager-troubleshooting-managed-nodes.html): a node is managed when SSM Agent is installed
and running, an EC2 instance has an IAM instance profile attached, and the agent can reach a
Systems Manager endpoint to register, after which the service checks its health (its ping
status: Online, ConnectionLost or Inactive, in the ``PingStatus`` enum of the API).
"""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from quicksetup_constructs.cli.main import main
from quicksetup_constructs.cli.managed import GUIDE

from . import cli_json
from .fake_aws import ACCOUNT, isolate_aws_environment
from .fake_fleet import CORE_POLICY_ARN, REGION, FakeFleet, Instance, fake_fleet

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret"}
PRODUCTION = {"Environment": "production"}
ONE = "i-00000000000000001"
TWO = "i-00000000000000002"
CUSTOMER_POLICY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/AmazonSSMManagedInstanceCore"
"""A customer managed policy that only has the AWS managed policy's name."""
OTHER_POLICY_ARN = "arn:aws:iam::aws:policy/AmazonSSMPatchAssociation"


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    isolate_aws_environment(monkeypatch, tmp_path)


def fleet(*instances: Instance, **kwargs: Any) -> FakeFleet:
    """A fleet with two profiles: ``ssm`` (its role has AmazonSSMManagedInstanceCore) and
    ``bare`` (its role has another AWS managed policy only)."""
    options: dict[str, Any] = {
        "profiles": {"ssm": "SsmRole", "bare": "BareRole"},
        "roles": {"SsmRole": [CORE_POLICY_ARN], "BareRole": [OTHER_POLICY_ARN]},
    }
    options.update(kwargs)
    return FakeFleet(instances=list(instances), **options)


def run(fake: FakeFleet, *args: str, output: str = "json"):
    with fake_fleet(fake):
        return CliRunner(env={**CREDENTIALS, "COLUMNS": "200"}).invoke(
            main,
            [
                "status",
                "--managed-instances",
                "--region",
                REGION,
                "--endpoint-url",
                fake.url,
                "--output",
                output,
                *args,
            ],
        )


def card(result) -> dict[str, Any]:
    """The managed-instances card of the one configuration, from JSON valid under the schema."""
    [configuration] = cli_json.data(result.stdout)["configurations"].values()
    return configuration["managed_instances"]


def reason(fake: FakeFleet, instance_id: str = ONE) -> str | None:
    """The reason the card gives for ``instance_id`` (None: the instance is managed)."""
    result = run(fake)
    assert result.exit_code in (0, 1), result.output
    unmanaged = card(result)["unmanaged"]
    return unmanaged[instance_id]["reason"] if instance_id in unmanaged else None


def one_line_error(result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


# Each reason, and its near miss ---------------------------------------------------------------


@pytest.mark.parametrize("state", ["stopped", "stopping", "pending", "terminated"])
def test_an_instance_not_running_is_not_running(state):
    fake = fleet(Instance(ONE, state=state, profile="ssm", tags=PRODUCTION))
    assert reason(fake) == "not_running"


def test_a_running_instance_whose_agent_is_online_is_managed():
    fake = fleet(Instance(ONE, profile="ssm", tags=PRODUCTION, ping="Online"))
    assert reason(fake) is None


def test_a_stopped_instance_is_not_asked_about_as_a_managed_node():
    # DescribeInstanceInformation "does not return information for nodes that are either
    # Stopped or Terminated" (API reference): only running instances are looked up.
    fake = fleet(
        Instance(ONE, state="stopped", profile="ssm", tags=PRODUCTION, ping="Online"),
        Instance(TWO, profile="ssm", tags=PRODUCTION, ping="Online"),
    )
    run(fake)
    [call] = fake.calls("DescribeInstanceInformation")
    assert call["Filters"] == [{"Key": "InstanceIds", "Values": [TWO]}]


@pytest.mark.parametrize("ping", ["ConnectionLost", "Inactive"])
def test_a_registered_instance_whose_agent_is_not_online_is_agent_not_online(ping):
    fake = fleet(Instance(ONE, profile="ssm", tags=PRODUCTION, ping=ping))
    result = run(fake)
    item = card(result)["unmanaged"][ONE]
    assert (item["reason"], item["ping_status"], item["detail"]) == (
        "agent_not_online",
        ping,
        f"ping status {ping}",
    )


@pytest.mark.parametrize("dhmc_role", ["$None", ""], ids=["dhmc-off", "no-setting-value"])
def test_a_running_instance_without_a_profile_is_no_instance_profile(dhmc_role):
    # GetServiceSetting: $None when Default Host Management Configuration is off.
    fake = fleet(Instance(ONE, tags=PRODUCTION), dhmc_role=dhmc_role)
    assert reason(fake) == "no_instance_profile"


def test_without_a_profile_under_dhmc_the_agent_did_not_register_with_dhmc():
    """With Default Host Management Configuration on, "all instances using Instance Metadata
    Service Version 2 (IMDSv2) ... with SSM Agent version 3.2.582.0 or later installed
    automatically become managed instances": an instance profile is not needed, so its
    absence is not the reason (User Guide, "Default Host Management Configuration")."""
    role = "service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole"
    fake = fleet(Instance(ONE, tags=PRODUCTION), dhmc_role=role)
    result = run(fake)
    assert result.exit_code == 1, result.output
    assert card(result)["unmanaged"][ONE] == {
        "instance_id": ONE,
        "reason": "agent_not_registered",
        "detail": (
            "no instance profile, which Default Host Management Configuration (on, role "
            f"{role}) does not need; it manages instances that use IMDSv2 and run SSM Agent "
            "3.2.582.0 or later, and reach the Systems Manager endpoints"
        ),
        "guide": "https://docs.aws.amazon.com/systems-manager/latest/userguide/"
        "managed-instances-default-host-management.html",
        "state": "running",
        "instance_profile": None,
        "ping_status": None,
    }


def test_an_instance_without_a_profile_that_is_managed_is_not_listed():
    """A node registered otherwise (the Default Host Management Configuration needs no
    profile) is managed: its missing profile is no reason, and IAM is not asked."""
    fake = fleet(Instance(ONE, tags=PRODUCTION, ping="Online"))
    assert reason(fake) is None
    assert not fake.calls("GetInstanceProfile")


def test_a_profile_whose_role_lacks_the_core_policy_is_role_lacks_policy():
    fake = fleet(Instance(ONE, profile="bare", tags=PRODUCTION))
    result = run(fake)
    item = card(result)["unmanaged"][ONE]
    assert item["reason"] == "role_lacks_policy"
    assert "BareRole" in item["detail"] and "AmazonSSMManagedInstanceCore" in item["detail"]


def test_a_customer_policy_named_like_the_core_policy_is_not_it():
    # The AWS managed policy is arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore (IAM user
    # guide, "AWS managed policies": their ARNs have "aws" in place of the account).
    fake = fleet(
        Instance(ONE, profile="own", tags=PRODUCTION),
        profiles={"own": "OwnRole"},
        roles={"OwnRole": [CUSTOMER_POLICY_ARN]},
    )
    assert reason(fake) == "role_lacks_policy"


def test_a_profile_without_a_role_is_role_lacks_policy():
    fake = fleet(Instance(ONE, profile="empty", tags=PRODUCTION), profiles={"empty": None})
    result = run(fake)
    item = card(result)["unmanaged"][ONE]
    assert item["reason"] == "role_lacks_policy"
    assert item["detail"] == "instance profile empty has no role"


def test_a_running_instance_with_a_good_profile_and_no_node_is_agent_not_registered():
    fake = fleet(Instance(ONE, profile="ssm", tags=PRODUCTION))
    assert reason(fake) == "agent_not_registered"


def test_each_profile_is_read_once_however_many_instances_carry_it():
    fake = fleet(*(Instance(f"i-{n:017x}", profile="bare", tags=PRODUCTION) for n in range(5)))
    run(fake)
    assert len(fake.calls("GetInstanceProfile")) == 1
    assert len(fake.calls("ListAttachedRolePolicies")) == 1


def test_every_unmanaged_instance_cites_the_guide():
    fake = fleet(Instance(ONE, tags=PRODUCTION), Instance(TWO, state="stopped", tags=PRODUCTION))
    result = run(fake)
    assert {item["guide"] for item in card(result)["unmanaged"].values()} == {GUIDE}
    text = run(fake, output="text")
    lines = [line for line in text.stdout.splitlines() if line.startswith(ONE)]
    assert lines == [f"{ONE} · no instance profile · no IAM instance profile attached · {GUIDE}"]


def test_a_value_read_from_aws_is_printed_escaped():
    hostile = "Lost\x1b[2J\nerror: forged line"
    fake = fleet(Instance(ONE, profile="ssm", tags=PRODUCTION, ping=hostile))
    result = run(fake, output="text")
    assert "\x1b" not in result.stdout
    assert not any(line.startswith("error: forged") for line in result.stdout.splitlines())
    assert "ping status Lost\\x1b[2J\\x0aerror: forged line" in result.stdout


# The card and the exit code --------------------------------------------------------------------


def test_the_json_is_keyed_by_instance_id_and_valid_under_the_schema():
    fake = fleet(
        Instance(ONE, tags=PRODUCTION), Instance(TWO, profile="ssm", tags=PRODUCTION, ping="Online")
    )
    result = run(fake)
    managed = card(result)  # validated against the shipped schema
    assert list(managed["unmanaged"]) == [ONE]
    assert managed["unmanaged"][ONE]["instance_id"] == ONE
    assert (managed["target_count"], managed["managed_count"]) == (2, 1)


def test_a_running_unmanaged_instance_fails_the_card_and_exits_1():
    result = run(fleet(Instance(ONE, tags=PRODUCTION)))
    assert result.exit_code == 1
    assert card(result)["status"] == "Failed"


def test_instances_only_not_running_leave_the_card_a_success():
    result = run(fleet(Instance(ONE, state="stopped", tags=PRODUCTION)))
    assert result.exit_code == 0, result.output
    assert card(result)["status"] == "Success"


def test_without_the_flag_no_instance_is_read_and_the_card_is_null():
    fake = fleet(Instance(ONE, tags=PRODUCTION))
    with fake_fleet(fake):
        result = CliRunner(env=CREDENTIALS).invoke(
            main,
            [
                "status",
                "--region",
                REGION,
                "--endpoint-url",
                fake.url,
                "--output",
                "json",
            ],
        )
    [configuration] = cli_json.data(result.stdout)["configurations"].values()
    assert configuration["managed_instances"] is None
    assert not fake.calls("DescribeInstances")


# Targets -> instances ---------------------------------------------------------------------------


def test_a_tag_target_is_an_ec2_tag_filter():
    fake = fleet(Instance(ONE, tags=PRODUCTION), Instance(TWO, tags={"Environment": "test"}))
    result = run(fake)
    assert card(result)["target_count"] == 1
    [call] = fake.calls("DescribeInstances")
    assert (call["Filter.1.Name"], call["Filter.1.Value.1"]) == ("tag:Environment", "production")


def test_all_instances_is_every_instance_without_a_filter():
    fake = fleet(
        Instance(ONE),
        Instance(TWO, tags={"Environment": "test"}),
        targets={"UpdateSSMAgent": [{"Key": "InstanceIds", "Values": ["*"]}]},
    )
    result = run(fake)
    assert card(result)["target_count"] == 2
    [call] = fake.calls("DescribeInstances")
    assert not any(name.startswith("Filter.") for name in call)


def test_an_instance_ids_target_is_an_instance_id_filter():
    fake = fleet(
        Instance(ONE),
        Instance(TWO),
        targets={"AttachInstanceProfile": [{"Key": "ParameterValues", "Values": [TWO]}]},
    )
    result = run(fake)
    assert list(card(result)["unmanaged"]) == [TWO]
    [call] = fake.calls("DescribeInstances")
    assert (call["Filter.1.Name"], call["Filter.1.Value.1"]) == ("instance-id", TWO)


def test_a_resource_group_target_reads_the_group_through_its_api():
    fake = fleet(
        Instance(ONE),
        Instance(TWO),
        groups={"web": [TWO]},
        targets={"UpdateSSMAgent": [{"Key": "resource-groups:Name", "Values": ["web"]}]},
    )
    result = run(fake)
    assert list(card(result)["unmanaged"]) == [TWO]
    [call] = fake.calls("ListGroupResources")
    assert call["Group"] == "web"
    assert call["Filters"] == [{"Name": "resource-type", "Values": ["AWS::EC2::Instance"]}]


def test_a_large_resource_group_is_described_100_instance_ids_at_a_time():
    ids = [f"i-{n:017x}" for n in range(150)]
    fake = fleet(
        *(Instance(i, state="stopped") for i in ids),
        groups={"web": ids},
        targets={"UpdateSSMAgent": [{"Key": "resource-groups:Name", "Values": ["web"]}]},
    )
    result = run(fake)
    assert card(result)["target_count"] == 150
    chunks = [
        [value for name, value in call.items() if name.startswith("Filter.1.Value.")]
        for call in fake.calls("DescribeInstances")
    ]
    assert sorted(len(chunk) for chunk in chunks) == [50, 100]
    assert sorted(i for chunk in chunks for i in chunk) == ids


def test_a_resource_group_that_does_not_exist_is_one_line_exit_2():
    fake = fleet(
        Instance(ONE),
        targets={"UpdateSSMAgent": [{"Key": "resource-groups:Name", "Values": ["gone"]}]},
    )
    line = one_line_error(run(fake, output="table"))
    assert line == (
        f"error: resource group 'gone', a target of the configuration, does not exist in {REGION}"
    )


def test_a_target_kind_not_understood_is_an_error_never_all_instances():
    fake = fleet(
        Instance(ONE), targets={"UpdateSSMAgent": [{"Key": "tag-value", "Values": ["production"]}]}
    )
    line = one_line_error(run(fake, output="table"))
    assert "targets tag-value=production, which quicksetup cannot turn into instances" in line
    assert not fake.calls("DescribeInstances")


# Chunks, pages and concurrency ------------------------------------------------------------------


def test_more_than_100_running_instances_are_asked_about_in_chunks_of_100():
    # DescribeInstanceInformation: a filter's Values hold 1 to 100 items (API reference,
    # InstanceInformationStringFilter); the fake refuses more, as the service does.
    ids = [f"i-{n:017x}" for n in range(250)]
    fake = fleet(*(Instance(i, profile="ssm", tags=PRODUCTION, ping="Online") for i in ids))
    result = run(fake)
    assert result.exit_code == 0, result.output
    chunks = [
        call["Filters"][0]["Values"]
        for call in fake.calls("DescribeInstanceInformation")
        if "NextToken" not in call
    ]
    assert sorted(len(chunk) for chunk in chunks) == [50, 100, 100]
    assert sorted(i for chunk in chunks for i in chunk) == ids
    assert card(result)["managed_count"] == 250


def test_managed_nodes_are_read_page_after_page():
    # DescribeInstanceInformation: MaxResults 5 to 50 (API reference); 100 nodes of a chunk are
    # two pages, the second asked for with the first's NextToken.
    ids = [f"i-{n:017x}" for n in range(100)]
    fake = fleet(*(Instance(i, profile="ssm", tags=PRODUCTION, ping="Online") for i in ids))
    result = run(fake)
    calls = fake.calls("DescribeInstanceInformation")
    assert [(call["MaxResults"], call.get("NextToken")) for call in calls] == [
        (50, None),
        (50, "50"),
    ]
    assert card(result)["managed_count"] == 100
    assert card(result)["unmanaged"] == {}


def test_instances_are_read_page_after_page():
    # DescribeInstances: MaxResults 5 to 1000 (API reference), then NextToken.
    fake = fleet(*(Instance(f"i-{n:017x}", state="stopped", tags=PRODUCTION) for n in range(1200)))
    result = run(fake)
    calls = fake.calls("DescribeInstances")
    assert [(call["MaxResults"], call.get("NextToken")) for call in calls] == [
        ("1000", None),
        ("1000", "1000"),
    ]
    assert card(result)["target_count"] == 1200


def test_no_more_calls_than_max_concurrency_are_in_flight():
    """Nodes are read while instances still are: DescribeInstances pages (one call at a time)
    beside the node chunks (the others), N calls in all at most."""
    ids = [f"i-{n:017x}" for n in range(2100)]
    fake = fleet(
        *(Instance(i, profile="ssm", tags=PRODUCTION, ping="Online") for i in ids), latency=0.02
    )
    result = run(fake, "--max-concurrency", "3")
    assert result.exit_code == 0, result.output
    assert fake.max_in_flight == 3  # the bound, and reached


def test_max_concurrency_1_makes_one_call_at_a_time():
    ids = [f"i-{n:017x}" for n in range(1100)]  # two pages of instances
    fake = fleet(
        *(Instance(i, profile="ssm", tags=PRODUCTION, ping="Online") for i in ids), latency=0.01
    )
    result = run(fake, "--max-concurrency", "1")
    assert result.exit_code == 0, result.output
    assert fake.max_in_flight == 1
    assert card(result)["managed_count"] == 1100


# Bad input: one line, exit 2 --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "instance"),
    [
        ("DescribeInstances", Instance(ONE, tags=PRODUCTION)),
        ("DescribeInstanceInformation", Instance(ONE, tags=PRODUCTION)),
        ("GetInstanceProfile", Instance(ONE, profile="bare", tags=PRODUCTION)),
        ("ListAttachedRolePolicies", Instance(ONE, profile="bare", tags=PRODUCTION)),
    ],
)
def test_a_denied_call_is_one_line_exit_2(action, instance):
    fake = fleet(instance, denied={action})
    line = one_line_error(run(fake, output="table"))
    assert line.startswith(f"error: AWS denied {action} in {REGION}"), line


def test_a_denied_resource_groups_call_is_one_line_exit_2():
    fake = fleet(
        Instance(ONE),
        groups={"web": [ONE]},
        denied={"ListGroupResources"},
        targets={"UpdateSSMAgent": [{"Key": "resource-groups:Name", "Values": ["web"]}]},
    )
    line = one_line_error(run(fake, output="table"))
    assert line.startswith(f"error: ListGroupResources in {REGION}"), line
    assert "ForbiddenException" in line


def test_a_denied_call_under_json_is_the_error_envelope():
    fake = fleet(Instance(ONE, tags=PRODUCTION), denied={"DescribeInstances"})
    result = run(fake)
    assert result.exit_code == 2
    document = cli_json.envelope(result.stdout)
    assert document["data"] is None
    assert document["error"]["message"].startswith(f"AWS denied DescribeInstances in {REGION}")


def test_a_stack_that_does_not_exist_is_one_line_exit_2():
    line = one_line_error(run(fleet(), "--stack", "NoSuchStack", output="table"))
    assert line.startswith(f"error: stack 'NoSuchStack' does not exist in {REGION}")


def test_with_org_is_one_line_exit_2_and_reads_nothing():
    fake = fleet(Instance(ONE, tags=PRODUCTION))
    line = one_line_error(run(fake, "--org", output="table"))
    assert line == (
        "error: --managed-instances reads the configurations of this account and "
        "Region: not with --org"
    )
    assert fake.requests == []


def test_an_option_that_does_not_exist_exits_2_and_reads_nothing():
    fake = fleet(Instance(ONE, tags=PRODUCTION))
    result = run(fake, "--managed-instance-reasons", output="table")
    assert result.exit_code == 2
    assert "No such option '--managed-instance-reasons'" in result.stderr
    assert fake.requests == []
