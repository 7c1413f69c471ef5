"""``quicksetup status --org`` without a member role: each target's associations read from the
organization's inventory bucket with Athena, end to end.

The StackSet's template is the one the library synthesizes (once per module). CloudFormation,
STS and Athena answer from one local endpoint (tests/fake_aws.py's FakeOrganization, with
tests/fake_athena.py's FakeAthena: the SQL is translated with sqlglot and run on DuckDB over
files laid out as the resource data sync writes them). The compliance rows are shaped as the
Systems Manager API reference's ListComplianceItems sample shows an association's item:
``ComplianceType`` ``Association``, ``Id`` the association id, an empty ``Title``,
``Status`` ``COMPLIANT`` / ``NON_COMPLIANT`` and the document's name.
"""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from click.testing import CliRunner

from quicksetup_constructs import QuickSetupOrganization
from quicksetup_constructs.cli.main import main
from quicksetup_constructs.cli.organization_athena import (
    DocumentRows,
    TargetData,
    option_data,
    stack_set_documents,
)
from quicksetup_constructs.cli.templates import parse_template_body

from . import cli_json
from .fake_athena import FakeAthena, write_rows
from .fake_aws import ACCOUNT, FakeOrganization, fake_organization, isolate_aws_environment

A, B = "210987654321", "345678901234"
REGIONS = ["us-east-1", "ap-northeast-1"]
WORKGROUP = "QuickSetup-Inventory-19d1f875"
DATABASE = "quicksetup_inventory_19d1f875"
OUTPUTS = {
    "OrgInventoryAthenaWorkGroupName14BCDBE1": WORKGROUP,
    "OrgInventoryAthenaDatabaseName5F0E2A11": DATABASE,
}
STACK = "QuickSetupOrganizationSample"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret"}
INSTANCE_OPTIONS = ("update_ssm_agent", "collect_inventory", "install_cloudwatch_agent")
"""The options whose association compliance the data reports (Command documents, AUTO)."""


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    isolate_aws_environment(monkeypatch, tmp_path)


@pytest.fixture(scope="module")
def resources() -> dict:
    """The ``Resources`` of the associations' StackSet template the library synthesizes."""
    stack = cdk.Stack(cdk.App(), "Org")
    org = QuickSetupOrganization(
        stack,
        "OrgQuickSetup",
        organizational_unit_ids=["ou-abcd-11112222"],
        regions=REGIONS,
        account_count=2,
        configuration_id="19d1f875",
        install_cloudwatch_agent=True,
    )
    return json.loads(org.regional_stack_set.template_body)["Resources"]


def documents(resources: dict) -> dict[str, str]:
    """Option key → the document name its association's rows carry in a member account: AWS's
    name, or for a document the template creates, a name CloudFormation generates from the
    stack's name and the document's logical ID."""
    template = parse_template_body(json.dumps({"Resources": resources}))
    assert template is not None
    found = stack_set_documents({"TemplateBody": json.dumps({"Resources": resources})})
    names = {}
    for association in template.associations:
        match, rows = found.options[association.association_name]
        if rows.name is not None:
            names[match.key] = rows.name
        elif rows.logical_id is not None:
            names[match.key] = f"StackSet-QuickSetup-19d1f875-0f1e-{rows.logical_id}-Xk3VbQ9aZ1"
    return names


def write_target(root, account, region, instances, statuses, names, captured=None):
    """``instances`` managed instances of ``account`` in ``region``; on each, the association
    compliance of every option of ``statuses`` (option → status, or a list: one per instance)."""
    for index in range(instances):
        instance = f"i-{account[-4:]}{region[-1]}{index:07x}"
        extra = {"captureTime": captured} if captured else {}
        write_rows(
            root, "AWS:InstanceInformation", account, region, instance,
            {"InstanceId": instance, "PlatformType": "Linux", "InstanceStatus": "Active"} | extra,
        )  # fmt: skip
        rows = []
        for option, status in statuses.items():
            value = status[index] if isinstance(status, list) else status
            rows.append(
                {
                    "ComplianceType": "Association",
                    "Id": f"{option[:8]}-0000-4000-8000-{index:012d}",
                    "Title": "",
                    "Status": value,
                    "Severity": "UNSPECIFIED",
                    "DocumentName": names[option],
                    "DocumentVersion": "1",
                    "ExecutionType": "Command",
                }
                | extra
            )
        if rows:
            write_rows(root, "AWS:ComplianceItem", account, region, instance, *rows)


@pytest.fixture
def organization(tmp_path, resources):
    """Two member accounts in two Regions, every association compliant on 3 instances each,
    and the inventory's Athena workgroup in the stack's outputs."""
    root = tmp_path / "bucket"
    names = documents(resources)
    for account in (A, B):
        for region in REGIONS:
            write_target(
                root, account, region, 3, dict.fromkeys(INSTANCE_OPTIONS, "COMPLIANT"), names
            )
    athena = FakeAthena(root=root, workgroups={WORKGROUP}, stacks={STACK: OUTPUTS})
    fake = FakeOrganization(accounts=[A, B], regions=REGIONS, resources=resources, athena=athena)
    with fake_organization(fake) as served:
        served.names = names  # type: ignore[attr-defined]
        yield served


def run(fake, *args: str):
    env = {**CREDENTIALS, "AWS_ENDPOINT_URL": fake.url, "COLUMNS": "200"}
    return CliRunner(env=env).invoke(main, ["status", "--org", "--region", "us-east-1", *args])


def associations_stack_set(result) -> dict:
    stack_sets = cli_json.data(result.stdout)["stack_sets"]
    return stack_sets["QuickSetup-19d1f875-Associations"]


def test_every_target_is_read_from_athena_without_a_member_role(organization):
    result = run(organization, "--output", "json")
    assert result.exit_code == 0, (result.output, result.stderr)
    stack_set = associations_stack_set(result)
    assert stack_set["source"] == "athena"
    assert stack_set["athena_query"]["workgroup"] == WORKGROUP
    assert stack_set["athena_query"]["bytes_scanned"] > 0
    assert set(stack_set["target_results"]) == {f"{a}/{r}" for a in (A, B) for r in REGIONS}
    for target in stack_set["target_results"].values():
        assert target["association_status"] == "Success"
        assert target["managed_instances"] == 3
        assert target["data_as_of"] == "2026-01-05T09:00:00Z"
        for option in INSTANCE_OPTIONS:
            assert target["options"][option] == "Success"
            assert target["option_counts"][option] == {"COMPLIANT": 3}
    # No call reached a member account: no role was assumed, no association listed.
    assert "AssumeRole" not in organization.requests
    assert "ListAssociations" not in organization.requests
    assert len(organization.athena.started) == 1
    assert organization.requests.count("DescribeStacks") == 1, "the outputs are read once"


def test_a_non_compliant_instance_fails_its_option_and_target(organization, tmp_path):
    names = organization.names
    statuses = dict.fromkeys(INSTANCE_OPTIONS, "COMPLIANT")
    statuses["update_ssm_agent"] = ["COMPLIANT", "NON_COMPLIANT", "COMPLIANT"]
    write_target(tmp_path / "bucket", A, "us-east-1", 3, statuses, names)
    result = run(organization, "--output", "json")
    assert result.exit_code == 1, result.output
    target = associations_stack_set(result)["target_results"][f"{A}/us-east-1"]
    assert target["association_status"] == "Failed"
    assert target["options"]["update_ssm_agent"] == "Failed"
    assert target["option_counts"]["update_ssm_agent"] == {"COMPLIANT": 2, "NON_COMPLIANT": 1}
    assert target["options"]["collect_inventory"] == "Success"
    other = associations_stack_set(result)["target_results"][f"{A}/ap-northeast-1"]
    assert other["association_status"] == "Success"


def test_an_option_no_instance_reported_is_pending(organization, tmp_path):
    statuses = dict.fromkeys(("update_ssm_agent", "collect_inventory"), "COMPLIANT")
    write_target(tmp_path / "bucket", B, "us-east-1", 3, statuses, organization.names)
    result = run(organization, "--output", "json")
    assert result.exit_code == 0, result.output
    target = associations_stack_set(result)["target_results"][f"{B}/us-east-1"]
    assert target["options"]["install_cloudwatch_agent"] == "Pending"
    assert target["option_details"]["install_cloudwatch_agent"] == (
        "no instance has reported it yet"
    )
    assert target["association_status"] == "Pending"


def test_a_target_without_data_is_not_read_and_counted(organization, tmp_path):
    import shutil

    for type_name in ("AWS:InstanceInformation", "AWS:ComplianceItem"):
        shutil.rmtree(tmp_path / "bucket" / type_name / f"accountid={B}" / "region=ap-northeast-1")
    result = run(organization)
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[-1] == (
        "error: 1 target (account × Region) could not be read: no data of this account and "
        "Region in the inventory bucket (no managed instance, or not synced yet)"
    )


def test_the_patch_scan_and_automation_runbooks_are_not_in_the_data(organization):
    """The patch scan's association has SyncCompliance MANUAL (its document reports patch
    compliance instead), and the instance-profile and Explorer runbooks are Automation: the
    data holds no association compliance of theirs, and they do not count in the state."""
    result = run(organization, "--output", "json")
    target = associations_stack_set(result)["target_results"][f"{A}/us-east-1"]
    not_in_data = {key for key, state in target["options"].items() if state == "Not in data"}
    assert not_in_data == {"scan_for_patches", "attach_instance_profile", "enable_explorer"}
    assert target["option_details"]["scan_for_patches"].startswith("SyncCompliance MANUAL")
    assert target["option_details"]["attach_instance_profile"].startswith("an Automation runbook")
    assert target["association_status"] == "Success"


def test_a_document_the_template_creates_is_matched_by_its_logical_id(resources):
    found = stack_set_documents({"TemplateBody": json.dumps({"Resources": resources})})
    rows = {match.key: rows for match, rows in found.options.values()}
    cloudwatch = rows["install_cloudwatch_agent"]
    assert cloudwatch.name is None and cloudwatch.logical_id in resources
    assert resources[cloudwatch.logical_id]["Type"] == "AWS::SSM::Document"
    generated = f"StackSet-QuickSetup-19d1f875-0f1e-{cloudwatch.logical_id}-Xk3VbQ9aZ1"
    data = TargetData(instances=1, documents={(generated, "COMPLIANT"): 1})
    assert option_data(cloudwatch, data).state == "Success"
    # AWS's own documents are matched by their whole name, nothing looser.
    assert rows["update_ssm_agent"] == DocumentRows(name="AWS-UpdateSSMAgent")
    near = TargetData(instances=1, documents={("AWS-UpdateSSMAgentV2", "NON_COMPLIANT"): 1})
    assert option_data(rows["update_ssm_agent"], near).state == "Pending"


def test_options_that_run_one_document_are_said_to_be_indistinct():
    template = {
        "Resources": {
            name: {
                "Type": "AWS::SSM::Association",
                "Properties": {
                    "AssociationName": f"QuickSetup-{name}-abcd",
                    "Name": "AWS-RunShellScript",
                },
            }
            for name in ("UpdateSSMAgent", "CollectInventory")
        }
    }
    found = stack_set_documents({"TemplateBody": json.dumps(template)})
    assert found.notes == (
        "collect_inventory and update_ssm_agent run the same document (AWS-RunShellScript): "
        "the data cannot tell them apart, each shows both",
    )


@pytest.mark.parametrize(
    ("args", "kept"),
    [
        (("--account", A), {f"{A}/us-east-1", f"{A}/ap-northeast-1"}),
        (("--target-region", "ap-northeast-1"), {f"{A}/ap-northeast-1", f"{B}/ap-northeast-1"}),
        (("--account", B, "--target-region", "us-east-1"), {f"{B}/us-east-1"}),
        (("--ou", "ou-zzzz-99999999"), set()),
    ],
)
def test_filters_keep_their_targets(organization, args, kept):
    result = run(organization, "--output", "json", *args)
    assert result.exit_code == 0, (result.output, result.stderr)
    assert set(associations_stack_set(result)["target_results"]) == kept


def test_account_and_region_filters_are_execution_parameters(organization):
    run(organization, "--output", "json", "--account", A, "--target-region", "us-east-1")
    [started] = organization.athena.started
    assert A not in started["QueryString"] and "us-east-1" not in started["QueryString"]
    # One account and one Region in each half of the query (instances, then associations).
    assert started["ExecutionParameters"] == [f"'{A}'", "'us-east-1'"] * 2


def test_state_keeps_the_targets_in_that_state(organization, tmp_path):
    statuses = dict.fromkeys(INSTANCE_OPTIONS, "NON_COMPLIANT")
    write_target(tmp_path / "bucket", B, "ap-northeast-1", 3, statuses, organization.names)
    result = run(organization, "--output", "json", "--state", "Failed")
    assert result.exit_code == 1
    assert set(associations_stack_set(result)["target_results"]) == {f"{B}/ap-northeast-1"}
    result = run(organization, "--output", "json", "--state", "Success")
    assert result.exit_code == 0
    assert len(associations_stack_set(result)["target_results"]) == 3


def test_filters_need_org(organization):
    result = CliRunner(env={**CREDENTIALS, "AWS_ENDPOINT_URL": organization.url}).invoke(
        main, ["status", "--region", "us-east-1", "--account", A]
    )
    assert result.exit_code == 2
    assert result.stderr == ("error: --account reads an organization: add --org\n")


def test_an_account_that_is_not_12_digits_is_refused(organization):
    result = run(organization, "--account", "1' OR '1'='1")
    assert result.exit_code == 2
    assert "is not an AWS account id (12 digits)" in result.stderr
    assert organization.athena.started == []


def test_with_a_member_role_the_associations_are_read_live(organization):
    result = run(organization, "--output", "json", "--member-role", organization.member_role)
    assert result.exit_code == 0, result.output
    assert associations_stack_set(result)["source"] == "live"
    assert organization.athena.started == []
    assert sorted(organization.assumed) == [A, B]


def test_the_bytes_scanned_are_printed_in_text_mode(organization):
    result = run(organization)
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("Athena scanned ")
    assert f"(workgroup {WORKGROUP})." in result.stderr
    assert "3 managed instance(s), data of 2026-01-05T09:00:00Z" in result.stdout
    # The applied configuration: the StackSet's options, those the data cannot tell named.
    assert (
        "Options: attach_instance_profile, update_ssm_agent, collect_inventory, "
        "scan_for_patches, install_cloudwatch_agent, enable_explorer (Not in data: "
        "attach_instance_profile, scan_for_patches, enable_explorer)"
    ) in result.stdout
    assert "Read from the inventory bucket with Athena" in result.stdout


def test_a_failed_query_is_one_line_exit_2(organization):
    organization.athena.state = "fail"
    result = run(organization)
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("error: Athena query ") and "FAILED: SYNTAX_ERROR" in line


def test_the_workgroup_can_be_given_for_targets_of_the_own_account(organization, tmp_path):
    """Targets in the caller's own account are read live unless the workgroup is given."""
    names = organization.names
    organization.accounts = [ACCOUNT]
    write_target(
        tmp_path / "bucket",
        ACCOUNT,
        "us-east-1",
        2,
        dict.fromkeys(INSTANCE_OPTIONS, "COMPLIANT"),
        names,
    )
    result = run(organization, "--output", "json")
    assert associations_stack_set(result)["source"] == "live"
    assert organization.athena.started == []
    result = run(
        organization,
        "--output",
        "json",
        "--athena-workgroup",
        WORKGROUP,
        "--athena-database",
        DATABASE,
    )
    assert associations_stack_set(result)["source"] == "athena"
    assert len(organization.athena.started) == 1


def test_a_count_that_is_not_a_number_is_an_error_not_zero():
    from quicksetup_constructs.cli.athena import count
    from quicksetup_constructs.cli.errors import CliError

    assert count("30", "a count") == 30
    with pytest.raises(
        CliError, match=r"^an instance count is not a number in the query's result: '3x'$"
    ):
        count("3x", "an instance count")
