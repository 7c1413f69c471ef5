"""`quicksetup import`: console configurations read with botocore's Stubber (every request and
response checked against the ``ssm-quicksetup`` and ``ssm`` service models, which moto does
not implement), the generated app run as it is, and its templates checked against what the
API documentation says each parameter means.

Meanings, from the documentation of ``ConfigurationDefinitionInput.Parameters`` (Quick Setup
API reference; botocore's ``ssm-quicksetup`` model carries the same text), Host Management
(``AWSQuickSetupType-SSMHostMgmt``), all values strings:

- UpdateSSMAgent: "whether the SSM Agent is updated on the target instances every 2 weeks. The
  default value is "true"";
- UpdateEc2LaunchAgent: "whether the EC2 Launch agent is updated on the target instances every
  month. The default value is "false"";
- CollectInventory: default "true" (the API text repeats the EC2 Launch sentence; the user
  guide: "Collect inventory from your instances every 30 minutes");
- ScanInstances: "whether the target instances are scanned daily for available patches. The
  default value is "true"";
- InstallCloudWatchAgent: "whether the Amazon CloudWatch agent is installed on the target
  instances. The default value is "false"";
- UpdateCloudWatchAgent: "whether the Amazon CloudWatch agent is updated on the target
  instances every month. The default value is "false"";
- IsPolicyAttachAllowed: "whether Quick Setup attaches policies to instances profiles already
  associated with the target instances. The default value is "false"";
- TargetType: "*, InstanceIds, ResourceGroups, and Tags. Use * to target all instances in the
  account", with TargetInstances ("A comma separated list of instance IDs"), TargetTagKey /
  TargetTagValue, ResourceGroupName;
- TargetAccounts (local) or TargetOrganizationalUnits ("A comma separated list of
  organizational units"), and TargetRegions ("(Required) A comma separated list of Amazon Web
  Services Regions").

How State Manager writes targets (``Target``, ssm API reference): "To target all instances in
the Amazon Web Services Region: Key=InstanceIds,Values=*"; "For Run Command and Maintenance
Windows: Key=InstanceIds,Values=instance-id-1,...; Key=tag:tag-key,Values=tag-value-1,...;
Key=resource-groups:Name,Values=resource-group-name".
"""

from __future__ import annotations

import json
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import boto3
import pytest
from botocore.stub import Stubber
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from quicksetup_constructs.cli.aws import Aws
from quicksetup_constructs.cli.main import main

from . import cli_json
from .test_properties import BASE, NO_SHRINKING

ACCOUNT = "111122223333"
REGION = "us-east-1"
MANAGER_ARN = (
    f"arn:aws:ssm-quicksetup:{REGION}:{ACCOUNT}:configuration-manager/"
    "7cac1a1b-64a9-4c9a-97e8-8c68928b8f13"
)
OTHER_ARN = MANAGER_ARN[:-4] + "0000"
HOST_MANAGEMENT = "AWSQuickSetupType-SSMHostMgmt"
DHMC = "AWSQuickSetupType-DHMC"
DHMC_SETTING = "/ssm/managed-instance/default-ec2-instance-management-role"

# What the documentation says, written out here (not read from the importer's tables) -------

SWITCH_DEFAULTS = {
    "UpdateSSMAgent": "true", "UpdateEc2LaunchAgent": "false", "CollectInventory": "true",
    "ScanInstances": "true", "InstallCloudWatchAgent": "false", "UpdateCloudWatchAgent": "false",
    "IsPolicyAttachAllowed": "false",
}
EVERY_TWO_WEEKS, EVERY_30_MINUTES, DAILY, MONTHLY = (
    "rate(14 days)", "rate(30 minutes)", "rate(1 day)", "rate(30 days)"
)
"""Quick Setup's own schedules for these words (its Host Management template: SSM Agent
rate(14 days), inventory rate(30 minutes), patch scan rate(1 day), CloudWatch agent update
rate(30 days))."""


# Answers of the two APIs ---------------------------------------------------------------------


def manager(arn: str = MANAGER_ARN, name: str = "prod-hosts",
            definitions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"ManagerArn": arn, "Name": name, "ConfigurationDefinitions": definitions or []}


def definition(kind: str = HOST_MANAGEMENT, id: str = "abcd1", **parameters: str) -> dict[str, Any]:
    return {"Id": id, "Type": kind, "Parameters": parameters}


def local(**parameters: str) -> dict[str, Any]:
    return definition(**{"TargetAccounts": ACCOUNT, "TargetRegions": REGION, **parameters})


def stubbed() -> tuple[Aws, Stubber, Stubber]:
    aws = Aws(boto3.Session(region_name=REGION, aws_access_key_id="testing",
                            aws_secret_access_key="testing"), account=ACCOUNT)
    return aws, Stubber(aws.client("ssm-quicksetup")), Stubber(aws.client("ssm"))


def expect_managers(quicksetup: Stubber, *managers: dict[str, Any]) -> None:
    quicksetup.add_response("list_configuration_managers", {"ConfigurationManagersList": [
        {"ManagerArn": m["ManagerArn"], "Name": m["Name"]} for m in managers
    ]}, {})
    for found in managers:
        quicksetup.add_response("get_configuration_manager", found,
                                {"ManagerArn": found["ManagerArn"]})


def expect_associations(ssm: Stubber, *associations: dict[str, Any]) -> None:
    ssm.add_response("list_associations", {"Associations": list(associations)}, {})


def legacy_association(option: str, configuration_id: str = "qm255",
                       targets: list[dict[str, Any]] | None = None,
                       schedule: str | None = None, document: str = "AWS-UpdateSSMAgent",
                       number: int = 1) -> dict[str, Any]:
    association = {
        "AssociationName": f"AWS-QuickSetup-SSMHostMgmt-{option}-{configuration_id}",
        "AssociationId": f"{number:08d}-2222-4333-8444-555555555555", "Name": document,
        "Targets": targets or [{"Key": "InstanceIds", "Values": ["*"]}],
    }
    if schedule:
        association["ScheduleExpression"] = schedule
    return association


def run(aws: Aws, stubbers: tuple[Stubber, ...], args: list[str]):
    for stubber in stubbers:
        stubber.activate()
    try:
        result = CliRunner(env={"COLUMNS": "200"}).invoke(
            main, ["import", *args], obj=aws, catch_exceptions=False
        )
    finally:
        for stubber in stubbers:
            stubber.deactivate()
    for stubber in stubbers:
        stubber.assert_no_pending_responses()
    return result


def import_app(*managers: dict[str, Any], associations: tuple[dict[str, Any], ...] = (),
               args: tuple[str, ...] = ()) -> Any:
    aws, quicksetup, ssm = stubbed()
    expect_managers(quicksetup, *managers)
    if "--manager" not in args:
        expect_associations(ssm, *associations)
    return run(aws, (quicksetup, ssm), list(args))


# Running the generated app -------------------------------------------------------------------


def synthesize(code: str, directory: Path) -> dict[str, Any]:
    """Run the generated app in this process and return every stack's template, by stack id.

    Its ``cdk.App()`` writes to ``directory`` (the jsii kernel, started once per process, does
    not see a later ``CDK_OUTDIR``), without CDK's built-in template validation (the
    assertions below are the check here, and cfn-lint's in test_properties)."""
    app_file = directory / "app.py"
    app_file.write_text(code)
    out = directory / "cdk.out"

    class App(cdk.App):
        def __init__(self, **props: Any) -> None:
            props.setdefault("outdir", str(out))
            super().__init__(builtin_cloud_formation_validation=False, **props)

    original, cdk.App = cdk.App, App
    try:
        runpy.run_path(str(app_file), run_name="__main__")
    finally:
        cdk.App = original
    manifest = json.loads((out / "manifest.json").read_text())
    return {
        name: json.loads((out / artifact["properties"]["templateFile"]).read_text())
        for name, artifact in manifest["artifacts"].items()
        if artifact["type"] == "aws:cloudformation:stack"
    }


def associations_of(template: dict[str, Any]) -> list[dict[str, Any]]:
    """Each association's properties, with ``Document``: the managed document's name, or the
    content of the stack's own document."""
    resources = template["Resources"]
    found = []
    for resource in resources.values():
        if resource["Type"] != "AWS::SSM::Association":
            continue
        properties = dict(resource["Properties"])
        name = properties["Name"]
        properties["Document"] = (
            resources[name["Ref"]]["Properties"]["Content"] if isinstance(name, dict) else name
        )
        found.append(properties)
    return found


def runs_package(document: Any, package: str) -> bool:
    """Whether an own Command document installs ``package`` with AWS-ConfigureAWSPackage."""
    return isinstance(document, dict) and any(
        step.get("inputs", {}).get("documentPath") == "AWS-ConfigureAWSPackage"
        and json.loads(step["inputs"]["documentParameters"]).get("name") == package
        for step in document.get("mainSteps", [])
    )


def expected_targets(parameters: dict[str, str]) -> list[dict[str, Any]]:
    """State Manager's targets for the definition's TargetType (ssm API reference, Target)."""
    kind = parameters.get("TargetType", "*")
    if kind == "Tags":
        return [{"Key": f"tag:{parameters['TargetTagKey']}",
                 "Values": [parameters["TargetTagValue"]]}]
    if kind == "InstanceIds":
        return [{"Key": "InstanceIds", "Values": parameters["TargetInstances"].split(",")}]
    if kind == "ResourceGroups":
        return [{"Key": "resource-groups:Name", "Values": [parameters["ResourceGroupName"]]}]
    return [{"Key": "InstanceIds", "Values": ["*"]}]


def check_host_management(template: dict[str, Any], parameters: dict[str, str]) -> None:
    """The template does what the definition's parameters mean, per the API documentation."""
    on = {name: parameters.get(name, default) == "true"
          for name, default in SWITCH_DEFAULTS.items()}
    associations = associations_of(template)
    by_document = {a["Document"]: a for a in associations if isinstance(a["Document"], str)}
    own = [a for a in associations if isinstance(a["Document"], dict)]

    def present(document: str, schedule: str | None) -> bool:
        association = by_document.get(document)
        if association is None:
            return False
        assert association.get("ScheduleExpression") == schedule, document
        assert association["Targets"] == expected_targets(parameters), document
        return True

    assert present("AWS-UpdateSSMAgent", EVERY_TWO_WEEKS) == on["UpdateSSMAgent"]
    assert present("AWS-GatherSoftwareInventory", EVERY_30_MINUTES) == on["CollectInventory"]
    scans = [a for a in associations if a.get("Parameters", {}).get("Operation") == ["Scan"]]
    assert bool(scans) == on["ScanInstances"]
    for scan in scans:
        assert scan["ScheduleExpression"] == DAILY
        assert scan["Targets"] == expected_targets(parameters)
    launch = [a for a in own if runs_package(a["Document"], "AWSEC2Launch-Agent")]
    assert [a.get("ScheduleExpression") for a in launch] == (
        [MONTHLY] if on["UpdateEc2LaunchAgent"] else []
    )
    cloudwatch = sorted(
        (a.get("ScheduleExpression") or "once")
        for a in own if runs_package(a["Document"], "AmazonCloudWatchAgent")
    )
    assert cloudwatch == sorted(
        (["once"] if on["InstallCloudWatchAgent"] else [])
        + ([MONTHLY] if on["UpdateCloudWatchAgent"] else [])
    )
    [attach] = [a for a in associations if "AllowPolicyAttach" in a.get("Parameters", {})]
    assert attach["Parameters"]["AllowPolicyAttach"] == [
        "true" if on["IsPolicyAttachAllowed"] else "false"
    ]


# The round trip: any documented Host Management definition ----------------------------------

tag_key = st.from_regex(r"[A-Za-z][A-Za-z0-9_.:/=+@-]{0,20}", fullmatch=True).filter(
    lambda key: not key.lower().startswith("aws:")
)
targeting = st.one_of(
    st.just({}),
    st.just({"TargetType": "*"}),
    st.builds(lambda k, v: {"TargetType": "Tags", "TargetTagKey": k, "TargetTagValue": v},
              tag_key, st.from_regex(r"[A-Za-z0-9_.:/=+@-]{1,20}", fullmatch=True)),
    st.builds(lambda ids: {"TargetType": "InstanceIds", "TargetInstances": ",".join(ids)},
              st.lists(st.from_regex(r"i-[0-9a-f]{17}", fullmatch=True), min_size=1,
                       max_size=5, unique=True)),
    st.builds(lambda name: {"TargetType": "ResourceGroups", "ResourceGroupName": name},
              st.from_regex(r"[a-zA-Z0-9_.-]{1,30}", fullmatch=True)),
)
switches = st.fixed_dictionaries({}, optional={
    name: st.sampled_from(["true", "false"]) for name in SWITCH_DEFAULTS
})
regions = st.lists(st.sampled_from(["us-east-1", "eu-west-1", "ap-northeast-1"]), min_size=1,
                   max_size=2, unique=True)


@settings(BASE, max_examples=12, phases=NO_SHRINKING)
@given(switches=switches, targeting=targeting, regions=regions)
def test_import_then_synth_does_what_the_definition_means(
    switches, targeting, regions, tmp_path_factory
):
    parameters = {**switches, **targeting, "TargetAccounts": ACCOUNT,
                  "TargetRegions": ",".join(regions)}
    result = import_app(manager(definitions=[definition(**parameters)]))
    assert result.exit_code == 0, result.output
    templates = synthesize(result.stdout, tmp_path_factory.mktemp("app"))
    stack_ids = ["ProdHosts"] if len(regions) == 1 else [f"ProdHosts-{r}" for r in regions]
    assert sorted(templates) == sorted(stack_ids), "one stack per target Region"
    for template in templates.values():
        check_host_management(template, parameters)


organization_targeting = targeting.filter(lambda t: t.get("TargetType") != "InstanceIds")
organizational_units = st.lists(st.from_regex(r"ou-[a-z0-9]{4}-[a-z0-9]{8}", fullmatch=True),
                                min_size=1, max_size=3, unique=True)


@settings(BASE, max_examples=4, phases=NO_SHRINKING)
@given(switches=switches, targeting=organization_targeting, units=organizational_units,
       regions=regions)
def test_import_then_synth_of_an_organization_definition(
    switches, targeting, units, regions, tmp_path_factory
):
    parameters = {**switches, **targeting, "TargetOrganizationalUnits": ",".join(units),
                  "TargetRegions": ",".join(regions)}
    result = import_app(manager(name="org", definitions=[definition(**parameters)]))
    assert result.exit_code == 0, result.output
    [template] = synthesize(result.stdout, tmp_path_factory.mktemp("org")).values()
    stack_sets = [r["Properties"] for r in template["Resources"].values()
                  if r["Type"] == "AWS::CloudFormation::StackSet"]
    regional = next(s for s in stack_sets if "AWS::SSM::Association" in s["TemplateBody"])
    [instances] = regional["StackInstancesGroup"]
    assert instances["DeploymentTargets"]["OrganizationalUnitIds"] == units
    assert instances["Regions"] == regions
    check_host_management(json.loads(regional["TemplateBody"]), parameters)


def test_an_organization_definition_becomes_stack_sets_over_its_ous_and_regions(
    tmp_path
):
    parameters = {"TargetOrganizationalUnits": "ou-abcd-11112222,ou-abcd-33334444",
                  "TargetRegions": "us-east-1,ap-northeast-1", "TargetType": "Tags",
                  "TargetTagKey": "Patch", "TargetTagValue": "yes", "ScanInstances": "false"}
    result = import_app(manager(name="org hosts", definitions=[definition(**parameters)]))
    assert result.exit_code == 0, result.output
    [template] = synthesize(result.stdout, tmp_path).values()
    stack_sets = [r["Properties"] for r in template["Resources"].values()
                  if r["Type"] == "AWS::CloudFormation::StackSet"]
    assert stack_sets and all(s["PermissionModel"] == "SERVICE_MANAGED" for s in stack_sets)
    regional = next(s for s in stack_sets if "AWS::SSM::Association" in s["TemplateBody"])
    [instances] = regional["StackInstancesGroup"]
    assert instances["DeploymentTargets"]["OrganizationalUnitIds"] == [
        "ou-abcd-11112222", "ou-abcd-33334444"
    ]
    assert instances["Regions"] == ["us-east-1", "ap-northeast-1"]
    check_host_management(json.loads(regional["TemplateBody"]), parameters)


def test_a_default_host_management_definition_sets_the_service_setting_and_updates_the_agent(
    tmp_path
):
    """AWSQuickSetupType-DHMC: UpdateSSMAgent ("every 2 weeks", default "true"),
    TargetOrganizationalUnits and TargetRegions (both required); the setting is
    /ssm/managed-instance/default-ec2-instance-management-role ("Default Host Management
    Configuration", Systems Manager user guide)."""
    parameters = {"TargetOrganizationalUnits": "ou-abcd-11112222", "TargetRegions": "eu-west-1"}
    result = import_app(manager(name="dhmc", definitions=[definition(DHMC, **parameters)]))
    assert result.exit_code == 0, result.output
    [template] = synthesize(result.stdout, tmp_path).values()
    bodies = [json.loads(r["Properties"]["TemplateBody"]) for r in template["Resources"].values()
              if r["Type"] == "AWS::CloudFormation::StackSet"]
    resources = [r for body in bodies for r in body["Resources"].values()]
    settings_ = [r["Properties"] for r in resources if r["Type"] == "AWS::SSM::ServiceSetting"
                 or r.get("Properties", {}).get("SettingId") == DHMC_SETTING]
    assert any(s.get("SettingId") == DHMC_SETTING for s in settings_)
    documents = [r["Properties"]["Name"] for r in resources if r["Type"] == "AWS::SSM::Association"]
    assert documents == ["AWS-UpdateSSMAgent"], "DHMC updates the agent and nothing else"


def test_the_generated_app_runs_as_it_is_and_is_formatted_and_lint_clean(tmp_path):
    parameters = {"TargetType": "InstanceIds", "TargetInstances": ",".join(
        f"i-0123456789abcdef{n}" for n in range(8)), "InstallCloudWatchAgent": "true"}
    result = import_app(manager(definitions=[local(**parameters), definition(
        "AWSQuickSetupType-PatchPolicy", id="pp1")]))
    assert result.exit_code == 0, result.output
    app = tmp_path / "app.py"
    app.write_text(result.stdout)
    ruff = [sys.executable, "-m", "ruff"]
    formatted = subprocess.run([*ruff, "format", "--isolated", "--check", str(app)],
                               capture_output=True, text=True, check=False)
    assert formatted.returncode == 0, formatted.stdout
    lint = subprocess.run([*ruff, "check", "--isolated", str(app)], capture_output=True,
                          text=True, check=False)
    assert lint.returncode == 0, lint.stdout
    environment = {**os.environ, "CDK_OUTDIR": str(tmp_path / "cdk.out")}
    subprocess.run([sys.executable, str(app)], cwd=tmp_path, env=environment, check=True,
                   capture_output=True)
    assert (tmp_path / "cdk.out" / "ProdHosts.template.json").exists()


# What the command prints and writes -------------------------------------------------------------


def test_every_parameter_is_written_as_a_prop_and_the_rest_is_a_comment_and_a_warning():
    result = import_app(manager(definitions=[
        local(TargetType="Tags", TargetTagKey="Environment", TargetTagValue="production",
              UpdateSSMAgent="false", IsPolicyAttachAllowed="true", QSForceUpdateParam="1",
              SomethingNew="x"),
        definition("AWSQuickSetupType-PatchPolicy", id="pp1"),
    ]))
    assert result.exit_code == 0, result.output
    code = result.stdout
    assert 'targets=InstanceTargets.tag("Environment", "production"),' in code
    for prop, value in [("update_ssm_agent", False), ("update_ec2_launch_agent", False),
                        ("collect_inventory", True), ("scan_for_patches", True),
                        ("install_cloudwatch_agent", False), ("update_cloudwatch_agent", False),
                        ("allow_policy_attach", True)]:
        assert f"    {prop}={value},\n" in code
    assert "QSForceUpdateParam" not in code + result.stderr, "the service's own, not a setting"
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 2
    assert "SomethingNew" in warnings[0] and "AWSQuickSetupType-PatchPolicy" in warnings[1]
    comments = " ".join(line[2:] for line in code.splitlines() if line.startswith("# "))
    assert "configuration manager prod-hosts: parameter SomethingNew='x' is not imported" in (
        comments)
    assert "definition pp1 of type AWSQuickSetupType-PatchPolicy is not imported" in comments


def test_the_cutover_plan_deploys_then_deletes_the_console_configuration(tmp_path):
    output = tmp_path / "app.py"
    result = import_app(
        manager(definitions=[local(TargetType="Tags", TargetTagKey="Env",
                                   TargetTagValue="prod")]),
        manager(OTHER_ARN, "dhmc", [definition(DHMC, TargetOrganizationalUnits="r-abcd",
                                               TargetRegions=REGION)]),
        args=("--output-file", str(output), "--output", "text"),
    )
    assert result.exit_code == 0, result.output
    assert output.read_text().startswith('"""Quick Setup of account 111122223333')
    plan = result.stdout
    steps = re.findall(r"^(\d)\. (.+)$", plan, re.MULTILINE)
    titles = [title for _, title in steps]
    assert titles.index("Delete the console's Default Host Management configurations first") < (
        titles.index("Deploy the app")) < titles.index("Delete the console's configurations")
    assert f"cdk deploy --app 'python {output}' ProdHosts Dhmc" in plan
    assert (f"aws ssm-quicksetup delete-configuration-manager --manager-arn {MANAGER_ARN} "
            f"--region {REGION}") in plan
    # The user guide: "if some instances already have a non-global inventory configuration,
    # the configuration created earlier fails" (Collect inventory every 30 minutes).
    assert "the console's (created earlier) fails" in " ".join(plan.split())
    assert "quicksetup status --stack ProdHosts" in plan


def test_older_console_associations_become_a_local_configuration_with_their_schedules():
    tag = [{"Key": "tag:Team", "Values": ["web"]}]
    associations = (
        legacy_association("UpdateSSMAgent", targets=tag, schedule="rate(7 days)", number=1),
        legacy_association("CollectInventory", targets=tag, schedule=EVERY_30_MINUTES,
                           document="AWS-GatherSoftwareInventory", number=2),
        legacy_association("AttachIAMToInstance", schedule=MONTHLY, number=3,
                           document="AWSQuickSetup-CreateAndAttachIAMToInstance-qm255",
                           targets=[{"Key": "ParameterValues", "Values": ["i-x"]}]),
        legacy_association("UpdateSSMAgent", configuration_id="abcd1", number=4),
    )
    aws, quicksetup, ssm = stubbed()
    expect_managers(quicksetup, manager(definitions=[local()]))
    expect_associations(ssm, *associations)
    ssm.add_response(
        "describe_association",
        {"AssociationDescription": {"Parameters": {"IsPolicyAttachAllowed": ["true"]}}},
        {"AssociationId": associations[2]["AssociationId"]},
    )
    result = run(aws, (quicksetup, ssm), [])
    assert result.exit_code == 0, result.output
    code = result.stdout
    assert code.count("QuickSetupLocal(") == 2, "the manager's own associations are its"
    legacy = code[code.index('"ConsoleQm255",'):]
    assert 'targets=InstanceTargets.tag("Team", "web"),' in legacy
    for prop, value in [("update_ssm_agent", True), ("collect_inventory", True),
                        ("scan_for_patches", False), ("attach_instance_profile", True),
                        ("enable_explorer", False), ("allow_policy_attach", True)]:
        assert f"    {prop}={value},\n" in legacy
    assert 'schedules={"update_ssm_agent": "rate(7 days)"},' in legacy, "only what differs"


def test_import_as_json_follows_the_contract():
    result = import_app(manager(definitions=[local()]), args=("--output", "json"))
    assert result.exit_code == 0, result.output
    data = cli_json.data(result.stdout)
    [(key, configuration)] = data["configurations"].items()
    assert key == "ProdHosts" == configuration["stack"]
    assert configuration["construct"] == "QuickSetupLocal"
    assert configuration["props"]["collect_inventory"] is True
    assert data["code"].startswith('"""Quick Setup of account')
    assert [step["title"] for step in data["cutover"]][1] == "Deploy the app"


# Bad input: one line, exit 2, nothing written ----------------------------------------------------


@pytest.mark.parametrize(("parameters", "named"), [
    ({"UpdateSSMAgent": "yes"}, "parameter UpdateSSMAgent is 'yes'"),
    ({"TargetType": "Everything"}, "parameter TargetType is 'Everything'"),
    ({"TargetType": "Tags", "TargetTagKey": "Env"}, "parameter TargetTagValue is None"),
    ({"TargetType": "InstanceIds", "TargetInstances": "i-1"}, "parameter TargetInstances is 'i-1'"),
    ({"TargetRegions": ""}, "parameter TargetRegions is ''"),
    ({"TargetAccounts": "", "TargetOrganizationalUnits": "ou-abcd-11112222",
      "TargetType": "InstanceIds", "TargetInstances": "i-0123456789abcdef0"},
     "parameter TargetType is 'InstanceIds'"),
    ({"TargetAccounts": "", "TargetOrganizationalUnits": "ou-1"},
     "parameter TargetOrganizationalUnits is 'ou-1'"),
    ({"TargetAccounts": "1234"}, "parameter TargetAccounts is '1234'"),
])
def test_a_value_the_api_would_not_give_is_one_line_and_nothing_is_written(
    parameters, named, tmp_path
):
    output = tmp_path / "app.py"
    result = import_app(manager(definitions=[local(**parameters)]),
                        args=("--output-file", str(output)))
    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("error: configuration manager prod-hosts: ") and named in line
    assert not output.exists() and list(tmp_path.iterdir()) == []


def test_an_account_without_quick_setup_is_one_line():
    result = import_app()
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        (f"error: no Quick Setup configuration in {REGION} (account {ACCOUNT}): no "
         "configuration manager, and no association named AWS-QuickSetup-SSMHostMgmt-*; pass "
         "--region?")
    ]


def test_only_unknown_configuration_types_is_nothing_to_import():
    result = import_app(manager(definitions=[definition("AWSQuickSetupType-SSMOpsCenter")]))
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"error: nothing to import in {REGION}") and "SSMOpsCenter" in line


def test_a_denied_call_is_one_line_and_a_json_error():
    aws, quicksetup, _ = stubbed()
    quicksetup.add_client_error("list_configuration_managers", "AccessDeniedException",
                                "User is not authorized to perform: ssm-quicksetup:"
                                "ListConfigurationManagers", 403)
    result = run(aws, (quicksetup,), ["--output", "json"])
    assert result.exit_code == 2
    envelope = cli_json.envelope(result.stdout)
    assert envelope["data"] is None
    assert envelope["error"]["message"].startswith(
        f"AWS denied ListConfigurationManagers in {REGION} (account {ACCOUNT}): "
    )


def test_manager_picks_one_and_an_unknown_one_is_one_line():
    chosen = manager(OTHER_ARN, "other", [local(CollectInventory="false")])
    aws, quicksetup, ssm = stubbed()
    quicksetup.add_response("list_configuration_managers", {"ConfigurationManagersList": [
        {"ManagerArn": MANAGER_ARN, "Name": "prod-hosts"}, {"ManagerArn": OTHER_ARN,
                                                             "Name": "other"}]}, {})
    quicksetup.add_response("get_configuration_manager", chosen, {"ManagerArn": OTHER_ARN})
    result = run(aws, (quicksetup, ssm), ["--manager", "other"])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("QuickSetupLocal(") == 1 and '"Other",' in result.stdout
    aws, quicksetup, ssm = stubbed()
    quicksetup.add_response("list_configuration_managers", {"ConfigurationManagersList": []}, {})
    result = run(aws, (quicksetup, ssm), ["--manager", "nope"])
    assert result.exit_code == 2
    assert "no configuration manager named 'nope'" in result.stderr


def test_managers_are_read_page_by_page():
    aws, quicksetup, ssm = stubbed()
    first = manager(definitions=[local()])
    second = manager(OTHER_ARN, "second", [local(ScanInstances="false")])
    quicksetup.add_response("list_configuration_managers", {
        "ConfigurationManagersList": [{"ManagerArn": MANAGER_ARN, "Name": "prod-hosts"}],
        "NextToken": "page-2"}, {})
    quicksetup.add_response("list_configuration_managers", {
        "ConfigurationManagersList": [{"ManagerArn": OTHER_ARN, "Name": "second"}]},
        {"StartingToken": "page-2"})
    quicksetup.add_response("get_configuration_manager", first, {"ManagerArn": MANAGER_ARN})
    quicksetup.add_response("get_configuration_manager", second, {"ManagerArn": OTHER_ARN})
    expect_associations(ssm)
    result = run(aws, (quicksetup, ssm), [])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("QuickSetupLocal(") == 2


def test_the_readme_maps_every_documented_parameter():
    """The README's table names every parameter the API documents for Host Management and
    Default Host Management (read from the service model's own documentation)."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("ssm-quicksetup")
    text = re.sub(r"<[^>]+>", " ", model.shape_for("ConfigurationDefinitionInput")
                  .members["Parameters"].documentation)
    text = " ".join(text.split())
    host = text[text.index("QuickSetupType-SSMHostMgmt"):text.index("QuickSetupType-Distributor")]
    documented = set(re.findall(r"\b([A-Z][A-Za-z0-9]+) Description:", host))
    assert {"UpdateSSMAgent", "TargetRegions", "IsPolicyAttachAllowed"} <= documented
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = readme[readme.index("## Moving from the console"):]
    table = {name for row in section.splitlines() if row.startswith("| `")
             for name in re.findall(r"`([A-Za-z0-9]+)`", row.split("|")[1])}
    assert documented <= table, sorted(documented - table)
