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
from hypothesis import example, given, settings
from hypothesis import strategies as st

from quicksetup_constructs.cli.aws import Aws
from quicksetup_constructs.cli.main import main

from . import cli_json
from .quicksetup_stubs import expect_managers
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
    "UpdateSSMAgent": "true",
    "UpdateEc2LaunchAgent": "false",
    "CollectInventory": "true",
    "ScanInstances": "true",
    "InstallCloudWatchAgent": "false",
    "UpdateCloudWatchAgent": "false",
    "IsPolicyAttachAllowed": "false",
}
EVERY_TWO_WEEKS, EVERY_30_MINUTES, DAILY, MONTHLY = (
    "rate(14 days)",
    "rate(30 minutes)",
    "rate(1 day)",
    "rate(30 days)",
)
"""Quick Setup's own schedules for these words (its Host Management template: SSM Agent
rate(14 days), inventory rate(30 minutes), patch scan rate(1 day), CloudWatch agent update
rate(30 days))."""


# Answers of the two APIs ---------------------------------------------------------------------


def manager(
    arn: str = MANAGER_ARN,
    name: str = "prod-hosts",
    definitions: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {"ManagerArn": arn, "Name": name, "ConfigurationDefinitions": definitions or []}


def definition(kind: str = HOST_MANAGEMENT, id: str = "abcd1", **parameters: str) -> dict[str, Any]:
    return {"Id": id, "Type": kind, "Parameters": parameters}


def local(**parameters: str) -> dict[str, Any]:
    return definition(**{"TargetAccounts": ACCOUNT, "TargetRegions": REGION, **parameters})


def stubbed() -> tuple[Aws, Stubber, Stubber]:
    aws = Aws(
        boto3.Session(
            region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
        ),
        account=ACCOUNT,
    )
    return aws, Stubber(aws.client("ssm-quicksetup")), Stubber(aws.client("ssm"))


def expect_associations(ssm: Stubber, *associations: dict[str, Any]) -> None:
    ssm.add_response("list_associations", {"Associations": list(associations)}, {})


def legacy_association(
    option: str,
    configuration_id: str = "qm255",
    targets: list[dict[str, Any]] | None = None,
    schedule: str | None = None,
    document: str = "AWS-UpdateSSMAgent",
    number: int = 1,
) -> dict[str, Any]:
    association = {
        "AssociationName": f"AWS-QuickSetup-SSMHostMgmt-{option}-{configuration_id}",
        "AssociationId": f"{number:08d}-2222-4333-8444-555555555555",
        "Name": document,
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


def import_app(
    *managers: dict[str, Any],
    associations: tuple[dict[str, Any], ...] = (),
    args: tuple[str, ...] = (),
) -> Any:
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
        return [
            {"Key": f"tag:{parameters['TargetTagKey']}", "Values": [parameters["TargetTagValue"]]}
        ]
    if kind == "InstanceIds":
        return [{"Key": "InstanceIds", "Values": parameters["TargetInstances"].split(",")}]
    if kind == "ResourceGroups":
        return [{"Key": "resource-groups:Name", "Values": [parameters["ResourceGroupName"]]}]
    return [{"Key": "InstanceIds", "Values": ["*"]}]


def check_host_management(template: dict[str, Any], parameters: dict[str, str]) -> None:
    """The template does what the definition's parameters mean, per the API documentation."""
    on = {
        name: parameters.get(name, default) == "true" for name, default in SWITCH_DEFAULTS.items()
    }
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
        for a in own
        if runs_package(a["Document"], "AmazonCloudWatchAgent")
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
    st.builds(
        lambda k, v: {"TargetType": "Tags", "TargetTagKey": k, "TargetTagValue": v},
        tag_key,
        st.from_regex(r"[A-Za-z0-9_.:/=+@-]{1,20}", fullmatch=True),
    ),
    st.builds(
        lambda ids: {"TargetType": "InstanceIds", "TargetInstances": ",".join(ids)},
        st.lists(
            st.from_regex(r"i-[0-9a-f]{17}", fullmatch=True), min_size=1, max_size=5, unique=True
        ),
    ),
    st.builds(
        lambda name: {"TargetType": "ResourceGroups", "ResourceGroupName": name},
        st.from_regex(r"[a-zA-Z0-9_.-]{1,30}", fullmatch=True),
    ),
)
switches = st.fixed_dictionaries(
    {}, optional={name: st.sampled_from(["true", "false"]) for name in SWITCH_DEFAULTS}
)
regions = st.lists(
    st.sampled_from(["us-east-1", "eu-west-1", "ap-northeast-1"]),
    min_size=1,
    max_size=2,
    unique=True,
)


@settings(BASE, max_examples=12, phases=NO_SHRINKING)
@given(switches=switches, targeting=targeting, regions=regions)
def test_import_then_synth_does_what_the_definition_means(
    switches, targeting, regions, tmp_path_factory
):
    parameters = {
        **switches,
        **targeting,
        "TargetAccounts": ACCOUNT,
        "TargetRegions": ",".join(regions),
    }
    result = import_app(manager(definitions=[definition(**parameters)]))
    assert result.exit_code == 0, result.output
    templates = synthesize(result.stdout, tmp_path_factory.mktemp("app"))
    stack_ids = ["ProdHosts"] if len(regions) == 1 else [f"ProdHosts-{r}" for r in regions]
    assert sorted(templates) == sorted(stack_ids), "one stack per target Region"
    for template in templates.values():
        check_host_management(template, parameters)


organization_targeting = st.sampled_from([{}, {"TargetType": "*"}])
"""TargetType, for an organization: "Don't specify a value for this parameter if you're
deploying to OUs" (the API); "*" is all instances, what an organization reaches anyway."""
organizational_units = st.lists(
    st.from_regex(r"ou-[a-z0-9]{4}-[a-z0-9]{8}", fullmatch=True),
    min_size=1,
    max_size=3,
    unique=True,
)


@settings(BASE, max_examples=4, phases=NO_SHRINKING)
@given(
    switches=switches, targeting=organization_targeting, units=organizational_units, regions=regions
)
def test_import_then_synth_of_an_organization_definition(
    switches, targeting, units, regions, tmp_path_factory
):
    parameters = {
        **switches,
        **targeting,
        "TargetOrganizationalUnits": ",".join(units),
        "TargetRegions": ",".join(regions),
    }
    result = import_app(manager(name="org", definitions=[definition(**parameters)]))
    assert result.exit_code == 0, result.output
    [template] = synthesize(result.stdout, tmp_path_factory.mktemp("org")).values()
    stack_sets = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::CloudFormation::StackSet"
    ]
    regional = next(s for s in stack_sets if "AWS::SSM::Association" in s["TemplateBody"])
    [instances] = regional["StackInstancesGroup"]
    assert instances["DeploymentTargets"]["OrganizationalUnitIds"] == units
    assert instances["Regions"] == regions
    check_host_management(json.loads(regional["TemplateBody"]), parameters)


def test_an_organization_definition_becomes_stack_sets_over_its_ous_and_regions(tmp_path):
    parameters = {
        "TargetOrganizationalUnits": "ou-abcd-11112222,ou-abcd-33334444",
        "TargetRegions": "us-east-1,ap-northeast-1",
        "ScanInstances": "false",
    }
    result = import_app(manager(name="org hosts", definitions=[definition(**parameters)]))
    assert result.exit_code == 0, result.output
    [template] = synthesize(result.stdout, tmp_path).values()
    stack_sets = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::CloudFormation::StackSet"
    ]
    assert stack_sets and all(s["PermissionModel"] == "SERVICE_MANAGED" for s in stack_sets)
    regional = next(s for s in stack_sets if "AWS::SSM::Association" in s["TemplateBody"])
    [instances] = regional["StackInstancesGroup"]
    assert instances["DeploymentTargets"]["OrganizationalUnitIds"] == [
        "ou-abcd-11112222",
        "ou-abcd-33334444",
    ]
    assert instances["Regions"] == ["us-east-1", "ap-northeast-1"]
    check_host_management(json.loads(regional["TemplateBody"]), parameters)


def test_a_default_host_management_definition_sets_the_service_setting_and_updates_the_agent(
    tmp_path,
):
    """AWSQuickSetupType-DHMC: UpdateSSMAgent ("every 2 weeks", default "true"),
    TargetOrganizationalUnits and TargetRegions (both required); the setting is
    /ssm/managed-instance/default-ec2-instance-management-role ("Default Host Management
    Configuration", Systems Manager user guide)."""
    parameters = {"TargetOrganizationalUnits": "ou-abcd-11112222", "TargetRegions": "eu-west-1"}
    result = import_app(manager(name="dhmc", definitions=[definition(DHMC, **parameters)]))
    assert result.exit_code == 0, result.output
    [template] = synthesize(result.stdout, tmp_path).values()
    bodies = [
        json.loads(r["Properties"]["TemplateBody"])
        for r in template["Resources"].values()
        if r["Type"] == "AWS::CloudFormation::StackSet"
    ]
    resources = [r for body in bodies for r in body["Resources"].values()]
    settings_ = [
        r["Properties"]
        for r in resources
        if r["Type"] == "AWS::SSM::ServiceSetting"
        or r.get("Properties", {}).get("SettingId") == DHMC_SETTING
    ]
    assert any(s.get("SettingId") == DHMC_SETTING for s in settings_)
    documents = [r["Properties"]["Name"] for r in resources if r["Type"] == "AWS::SSM::Association"]
    assert documents == ["AWS-UpdateSSMAgent"], "DHMC updates the agent and nothing else"


def test_the_generated_app_runs_as_it_is_and_is_formatted_and_lint_clean(tmp_path):
    parameters = {
        "TargetType": "InstanceIds",
        "TargetInstances": ",".join(f"i-0123456789abcdef{n}" for n in range(8)),
        "InstallCloudWatchAgent": "true",
    }
    result = import_app(
        manager(
            definitions=[local(**parameters), definition("AWSQuickSetupType-PatchPolicy", id="pp1")]
        )
    )
    assert result.exit_code == 0, result.output
    app = tmp_path / "app.py"
    app.write_text(result.stdout)
    ruff = [sys.executable, "-m", "ruff"]
    formatted = subprocess.run(
        [*ruff, "format", "--isolated", "--check", str(app)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert formatted.returncode == 0, formatted.stdout
    lint = subprocess.run(
        [*ruff, "check", "--isolated", str(app)], capture_output=True, text=True, check=False
    )
    assert lint.returncode == 0, lint.stdout
    environment = {**os.environ, "CDK_OUTDIR": str(tmp_path / "cdk.out")}
    subprocess.run(
        [sys.executable, str(app)], cwd=tmp_path, env=environment, check=True, capture_output=True
    )
    assert (tmp_path / "cdk.out" / "ProdHosts.template.json").exists()


# What the command prints and writes -------------------------------------------------------------


def test_every_parameter_is_written_as_a_prop_and_the_rest_is_a_comment_and_a_warning():
    result = import_app(
        manager(
            definitions=[
                local(
                    TargetType="Tags",
                    TargetTagKey="Environment",
                    TargetTagValue="production",
                    UpdateSSMAgent="false",
                    IsPolicyAttachAllowed="true",
                    QSForceUpdateParam="1",
                    SomethingNew="x",
                ),
                definition("AWSQuickSetupType-PatchPolicy", id="pp1"),
            ]
        )
    )
    assert result.exit_code == 0, result.output
    code = result.stdout
    assert 'targets=InstanceTargets.tag("Environment", "production"),' in code
    for prop, value in [
        ("update_ssm_agent", False),
        ("update_ec2_launch_agent", False),
        ("collect_inventory", True),
        ("scan_for_patches", True),
        ("install_cloudwatch_agent", False),
        ("update_cloudwatch_agent", False),
        ("allow_policy_attach", True),
    ]:
        assert f"    {prop}={value},\n" in code
    assert "QSForceUpdateParam" not in code + result.stderr, "the service's own, not a setting"
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 2
    assert "SomethingNew" in warnings[0] and "AWSQuickSetupType-PatchPolicy" in warnings[1]
    comments = " ".join(line[2:] for line in code.splitlines() if line.startswith("# "))
    assert "configuration manager prod-hosts: parameter SomethingNew='x' is not imported" in (
        comments
    )
    assert "definition pp1 of type AWSQuickSetupType-PatchPolicy is not imported" in comments


def steps_of(plan: str) -> list[tuple[str, str]]:
    """``(title, body)`` of each numbered step of a printed cut-over plan."""
    parts = re.split(r"^\d+\. (.+)$", plan, flags=re.MULTILINE)
    return list(zip(parts[1::2], parts[2::2], strict=True))


def test_the_cutover_plan_stops_what_would_collide_before_the_deploy(tmp_path):
    output = tmp_path / "app.py"
    result = import_app(
        manager(definitions=[local(TargetType="Tags", TargetTagKey="Env", TargetTagValue="prod")]),
        manager(
            OTHER_ARN,
            "dhmc",
            [definition(DHMC, TargetOrganizationalUnits="r-abcd", TargetRegions=REGION)],
        ),
        args=("--output-file", str(output), "--output", "text"),
    )
    assert result.exit_code == 0, result.output
    assert output.read_text().startswith('"""Quick Setup of account 111122223333')
    steps = dict(steps_of(result.stdout))
    titles = list(steps)
    assert titles == [
        "Synthesize the app and check the account for what it will meet",
        "Before the deploy: stop the console's inventory collection",
        "Before the deploy: delete the console's Default Host Management manager dhmc",
        "Deploy the app",
        "Until the console's configurations are deleted, both run",
        "Delete the console's configurations",
        "Check every option of the new configurations",
    ]
    delete = "aws ssm-quicksetup delete-configuration-manager --manager-arn {} --region " + REGION
    assert delete.format(OTHER_ARN) in steps[titles[2]], "DHMC goes before the deploy"
    assert delete.format(MANAGER_ARN) in steps[titles[5]], "Host Management after it"
    assert f"cdk deploy --app 'python {output}' ProdHosts Dhmc" in steps["Deploy the app"]
    assert (
        f"quicksetup preflight cdk.out --region {REGION} --home-region {REGION} "
        f"--migrating-from {MANAGER_ARN} --migrating-from {OTHER_ARN}"
    ) in steps[titles[0]]
    # Targeted inventories that meet: the seed's guide says the one created earlier fails,
    # AWS's Inventory page that those targeting by tags fail to run on the node: the console's
    # stops first, whichever would fail.
    assert "targeted ones that reach one instance fail to run on it" in steps[titles[1]]
    assert "quicksetup status --stack ProdHosts --region us-east-1" in steps[titles[-1]]
    assert "quicksetup status --org --stack Dhmc --member-role ROLE" in steps[titles[-1]]


def test_older_console_associations_become_a_local_configuration_with_their_schedules():
    tag = [{"Key": "tag:Team", "Values": ["web"]}]
    associations = (
        legacy_association("UpdateSSMAgent", targets=tag, schedule="rate(7 days)", number=1),
        legacy_association(
            "CollectInventory",
            targets=tag,
            schedule=EVERY_30_MINUTES,
            document="AWS-GatherSoftwareInventory",
            number=2,
        ),
        legacy_association(
            "AttachIAMToInstance",
            schedule=MONTHLY,
            number=3,
            document="AWSQuickSetup-CreateAndAttachIAMToInstance-qm255",
            targets=tag,
        ),
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
    legacy = code[code.index('"ConsoleQm255",') :]
    assert 'targets=InstanceTargets.tag("Team", "web"),' in legacy
    for prop, value in [
        ("update_ssm_agent", True),
        ("collect_inventory", True),
        ("scan_for_patches", False),
        ("attach_instance_profile", True),
        ("enable_explorer", False),
        ("allow_policy_attach", True),
    ]:
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
    assert [step["title"] for step in data["cutover"]][1:3] == [
        "Before the deploy: stop the console's inventory collection",
        "Deploy the app",
    ]


# Bad input: one line, exit 2, nothing written ----------------------------------------------------


@pytest.mark.parametrize(
    ("parameters", "named"),
    [
        ({"UpdateSSMAgent": "yes"}, "parameter UpdateSSMAgent is 'yes'"),
        ({"TargetType": "Everything"}, "parameter TargetType is 'Everything'"),
        ({"TargetType": "Tags", "TargetTagKey": "Env"}, "parameter TargetTagValue is None"),
        (
            {"TargetType": "InstanceIds", "TargetInstances": "i-1"},
            "parameter TargetInstances is 'i-1'",
        ),
        ({"TargetRegions": ""}, "parameter TargetRegions is ''"),
        (
            {
                "TargetAccounts": "",
                "TargetOrganizationalUnits": "ou-abcd-11112222",
                "TargetType": "InstanceIds",
                "TargetInstances": "i-0123456789abcdef0",
            },
            "parameters TargetType, TargetInstances, TargetOrganizationalUnits are given together",
        ),
        # TargetType, the API: "Don't specify a value for this parameter if you're deploying to OUs"
        (
            {
                "TargetAccounts": "",
                "TargetOrganizationalUnits": "ou-abcd-11112222",
                "TargetType": "Tags",
                "TargetTagKey": "Env",
                "TargetTagValue": "prod",
            },
            (
                "parameters TargetType, TargetTagKey, TargetTagValue, TargetOrganizationalUnits "
                "are given together"
            ),
        ),
        (
            {
                "TargetAccounts": "",
                "TargetOrganizationalUnits": "ou-abcd-11112222",
                "TargetType": "ResourceGroups",
                "ResourceGroupName": "web",
            },
            "parameters TargetType, ResourceGroupName, TargetOrganizationalUnits are given "
            "together",
        ),
        # "A value must be provided for either TargetAccounts or TargetOrganizationalUnits"
        (
            {"TargetOrganizationalUnits": "ou-abcd-11112222"},
            "parameters TargetAccounts, TargetOrganizationalUnits are given together",
        ),
        # a targeting parameter its TargetType does not read: never all instances by fall-through
        (
            {"TargetTagKey": "Env", "TargetTagValue": "prod"},
            "parameters TargetType, TargetTagKey, TargetTagValue are given together",
        ),
        (
            {
                "TargetType": "InstanceIds",
                "TargetInstances": "i-0123456789abcdef0",
                "ResourceGroupName": "web",
            },
            "parameters TargetType, ResourceGroupName are given together",
        ),
        (
            {"TargetAccounts": "", "TargetOrganizationalUnits": "ou-1"},
            "parameter TargetOrganizationalUnits is 'ou-1'",
        ),
        ({"TargetAccounts": "1234"}, "parameter TargetAccounts is '1234'"),
    ],
)
def test_a_value_the_api_would_not_give_is_one_line_and_nothing_is_written(
    parameters, named, tmp_path
):
    output = tmp_path / "app.py"
    result = import_app(
        manager(definitions=[local(**parameters)]), args=("--output-file", str(output))
    )
    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("error: configuration manager prod-hosts: ") and named in line
    assert not output.exists() and list(tmp_path.iterdir()) == []


def test_an_account_without_quick_setup_is_one_line():
    result = import_app()
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        (
            f"error: no Quick Setup configuration in {REGION} (account {ACCOUNT}): no "
            "configuration manager, and no association named AWS-QuickSetup-SSMHostMgmt-*; pass "
            "--region?"
        )
    ]


def test_only_unknown_configuration_types_is_nothing_to_import():
    result = import_app(manager(definitions=[definition("AWSQuickSetupType-SSMOpsCenter")]))
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"error: nothing to import in {REGION}") and "SSMOpsCenter" in line


def test_a_denied_call_is_one_line_and_a_json_error():
    aws, quicksetup, _ = stubbed()
    quicksetup.add_client_error(
        "list_configuration_managers",
        "AccessDeniedException",
        "User is not authorized to perform: ssm-quicksetup:ListConfigurationManagers",
        403,
    )
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
    quicksetup.add_response(
        "list_configuration_managers",
        {
            "ConfigurationManagersList": [
                {"ManagerArn": MANAGER_ARN, "Name": "prod-hosts"},
                {"ManagerArn": OTHER_ARN, "Name": "other"},
            ]
        },
        {},
    )
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
    quicksetup.add_response(
        "list_configuration_managers",
        {
            "ConfigurationManagersList": [{"ManagerArn": MANAGER_ARN, "Name": "prod-hosts"}],
            "NextToken": "page-2",
        },
        {},
    )
    quicksetup.add_response(
        "list_configuration_managers",
        {"ConfigurationManagersList": [{"ManagerArn": OTHER_ARN, "Name": "second"}]},
        {"StartingToken": "page-2"},
    )
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
    text = re.sub(
        r"<[^>]+>",
        " ",
        model.shape_for("ConfigurationDefinitionInput").members["Parameters"].documentation,
    )
    text = " ".join(text.split())
    host = text[text.index("QuickSetupType-SSMHostMgmt") : text.index("QuickSetupType-Distributor")]
    documented = set(re.findall(r"\b([A-Z][A-Za-z0-9]+) Description:", host))
    assert {"UpdateSSMAgent", "TargetRegions", "IsPolicyAttachAllowed"} <= documented
    readme = (Path(__file__).parent.parent / "docs" / "moving.md").read_text()
    section = readme[readme.index("# Moving from the console") :]
    table = {
        name
        for row in section.splitlines()
        if row.startswith("| `")
        for name in re.findall(r"`([A-Za-z0-9]+)`", row.split("|")[1])
    }
    assert documented <= table, sorted(documented - table)


# Construct and stack ids -------------------------------------------------------------------------


def test_managers_of_one_name_give_unique_construct_and_stack_ids():
    # Decisions: derived identifiers are "deterministic, valid and unique".
    arns = [MANAGER_ARN[:-4] + f"000{n}" for n in range(3)]
    managers = [
        manager(arn, name, [local()]) for arn, name in zip(arns, ["a", "a", "a2"], strict=True)
    ]
    result = import_app(*managers, args=("--output", "json"))
    assert result.exit_code == 0, result.output
    configurations = cli_json.data(result.stdout)["configurations"]
    assert {key: c["source"] for key, c in configurations.items()} == {
        "A": arns[0],
        "A3": arns[1],
        "A2": arns[2],
    }
    assert sorted(c["name"] for c in configurations.values()) == ["A", "A2", "A3"]


# --output-file ---------------------------------------------------------------------------------
# The issue: "--output-file overwrites an edited app without asking"; decisions: it "refuses an
# existing file without --force (migration); with --force it keeps the replaced file's mode";
# "--output-file through a symlink writes beside the link's target and keeps the link".


def test_output_file_refuses_an_existing_file_without_force_and_asks_aws_nothing(tmp_path):
    app = tmp_path / "app.py"
    app.write_text("# edited by hand\n")
    aws, quicksetup, ssm = stubbed()  # no answer queued: a call would fail the test
    result = run(aws, (quicksetup, ssm), ["--output-file", str(app)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"error: {app} exists: pass --force to replace it"]
    assert app.read_text() == "# edited by hand\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.py"]


def test_force_replaces_the_file_and_keeps_its_mode(tmp_path):
    app = tmp_path / "app.py"
    app.write_text("# edited by hand\n")
    app.chmod(0o640)
    result = import_app(manager(definitions=[local()]), args=("--output-file", str(app), "--force"))
    assert result.exit_code == 0, result.output
    assert app.read_text().startswith('"""Quick Setup of account')
    assert app.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.py"], "no temporary file left"


def test_a_new_file_gets_the_mode_of_the_umask(tmp_path):
    previous = os.umask(0o022)
    try:
        result = import_app(
            manager(definitions=[local()]), args=("--output-file", str(tmp_path / "app.py"))
        )
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "app.py").stat().st_mode & 0o777 == 0o644


def test_force_through_a_symlink_writes_its_target_and_keeps_the_link(tmp_path):
    (tmp_path / "src").mkdir()
    target = tmp_path / "src" / "app.py"
    target.write_text("# old\n")
    link = tmp_path / "app.py"
    link.symlink_to(target)
    result = import_app(
        manager(definitions=[local()]), args=("--output-file", str(link), "--force")
    )
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == target
    assert target.read_text().startswith('"""Quick Setup of account')


# What the importer drops is said ------------------------------------------------------------------
# GetConfigurationManager's ConfigurationDefinition (ssm-quicksetup API reference): besides Id,
# Type and Parameters, "LocalDeploymentAdministrationRoleArn: The ARN of the IAM role used to
# administrate local configuration deployments", "LocalDeploymentExecutionRoleName: The name of
# the IAM role used to deploy local configurations", "TypeVersion: The version of the Quick
# Setup type used". None of them has a prop.


def test_deployment_roles_and_type_version_are_warnings_comments_and_plan_notes():
    answer = manager(definitions=[local()])
    answer["ConfigurationDefinitions"][0].update(
        TypeVersion="2.0",
        LocalDeploymentAdministrationRoleArn=f"arn:aws:iam::{ACCOUNT}:role/QsAdministration",
        LocalDeploymentExecutionRoleName="QsExecution",
    )
    result = import_app(answer, args=("--output", "json"))
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 2, warnings
    assert "LocalDeploymentAdministrationRoleArn" in warnings[0]
    assert "LocalDeploymentExecutionRoleName 'QsExecution'" in warnings[0]
    assert "TypeVersion '2.0' is not imported" in warnings[1]
    data = cli_json.data(result.stdout)
    comments = " ".join(line[2:] for line in data["code"].splitlines() if line.startswith("# "))
    assert "TypeVersion '2.0' is not imported" in comments
    notes = " ".join(note for step in data["cutover"] for note in step["notes"])
    assert f"arn:aws:iam::{ACCOUNT}:role/QsAdministration" in notes and "QsExecution" in notes
    assert "type version 2.0 is not carried over" in notes


def test_a_dhmc_definition_with_accounts_is_one_line(tmp_path):
    # The API, AWSQuickSetupType-DHMC: UpdateSSMAgent, TargetOrganizationalUnits
    # "(Required)", TargetRegions "(Required)"; no TargetAccounts.
    output = tmp_path / "app.py"
    result = import_app(
        manager(definitions=[definition(DHMC, TargetAccounts=ACCOUNT, TargetRegions=REGION)]),
        args=("--output-file", str(output)),
    )
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("error: configuration manager prod-hosts: parameter TargetAccounts is")
    assert "no TargetAccounts for AWSQuickSetupType-DHMC" in line
    assert not output.exists()


# The older console's targets: reach kept exactly --------------------------------------------------
# State Manager's Target (ssm API reference): "Key=tag-key,Values=my-tag-key-1,..."; "Key=tag:
# tag-key,Values=tag-value-1,tag-value-2"; "Key=resource-groups:Name,Values=resource-group-name";
# for Automation, "Key=ParameterValues,Values=value-1,value-2" and
# "Key=ResourceGroup,Values=resource-group-name". AWS's Host Management template writes a tag key
# without a value as tag-key, and instance ids and groups as ParameterValues / ResourceGroup for
# its Automation runbook.

ATTACH_DOCUMENT = "AWSQuickSetup-CreateAndAttachIAMToInstance-qm255"


def import_legacy(
    command: list[dict[str, Any]], automation: list[dict[str, Any]], args: tuple[str, ...] = ()
) -> Any:
    """The older console's UpdateSSMAgent (a Command document) and AttachIAMToInstance (an
    Automation runbook) associations of one configuration, with these targets."""
    associations = (
        legacy_association("UpdateSSMAgent", targets=command, number=1),
        legacy_association(
            "AttachIAMToInstance", targets=automation, number=2, document=ATTACH_DOCUMENT
        ),
    )
    aws, quicksetup, ssm = stubbed()
    expect_managers(quicksetup)
    expect_associations(ssm, *associations)
    ssm.add_response(
        "describe_association",
        {"AssociationDescription": {"Parameters": {"IsPolicyAttachAllowed": ["false"]}}},
        {"AssociationId": associations[1]["AssociationId"]},
    )
    return run(aws, (quicksetup, ssm), list(args))


IDS = ["i-01234567", "i-89abcdef"]


@pytest.mark.parametrize(
    ("command", "automation", "expected"),
    [
        (
            [{"Key": "tag-key", "Values": ["Patch"]}],
            [{"Key": "tag-key", "Values": ["Patch"]}],
            'InstanceTargets.tag("Patch")',
        ),
        (
            [{"Key": "tag:Env", "Values": ["prod", "staging"]}],
            [{"Key": "tag:Env", "Values": ["prod", "staging"]}],
            'InstanceTargets.tag("Env", "prod", "staging")',
        ),
        (
            [{"Key": "InstanceIds", "Values": IDS}],
            [{"Key": "ParameterValues", "Values": IDS}],
            f'InstanceTargets.instance_ids(["{IDS[0]}", "{IDS[1]}"])',
        ),
        (
            [{"Key": "resource-groups:Name", "Values": ["web"]}],
            [{"Key": "ResourceGroup", "Values": ["web"]}],
            'InstanceTargets.resource_group("web")',
        ),
    ],
)
def test_older_console_targets_keep_their_reach(command, automation, expected):
    result = import_legacy(command, automation)
    assert result.exit_code == 0, result.output
    assert f"    targets={expected},\n" in result.stdout


@pytest.mark.parametrize(
    ("command", "automation", "named"),
    [
        (
            [{"Key": "tag-key", "Values": ["Patch", "Team"]}],
            [{"Key": "tag-key", "Values": ["Patch", "Team"]}],
            "tag-key=Patch,Team",
        ),
        (
            [{"Key": "tag:Env", "Values": ["prod"]}, {"Key": "tag:Team", "Values": ["web"]}],
            [{"Key": "tag:Env", "Values": ["prod"]}],
            "tag:Env=prod; tag:Team=web",
        ),
        (
            [{"Key": "resource-groups:ResourceTypeFilters", "Values": ["AWS::EC2::Instance"]}],
            [{"Key": "resource-groups:ResourceTypeFilters", "Values": ["AWS::EC2::Instance"]}],
            "the EC2 instances of the resource group",
        ),
        (
            [{"Key": "Environment", "Values": ["prod"]}],
            [{"Key": "Environment", "Values": ["prod"]}],
            "Environment=prod",
        ),
        (
            [{"Key": "ParameterValues", "Values": ["*"]}],
            [{"Key": "ParameterValues", "Values": ["*"]}],
            "ParameterValues=*",
        ),
        (
            [{"Key": "tag:Env", "Values": ["prod"]}],
            [{"Key": "tag:Env", "Values": ["staging"]}],
            "reach different instances",
        ),
    ],
)
def test_an_older_console_target_the_app_cannot_express_is_one_line_and_nothing_is_written(
    command, automation, named, tmp_path
):
    output = tmp_path / "app.py"
    result = import_legacy(command, automation, args=("--output-file", str(output)))
    assert result.exit_code == 2, result.output
    [line] = result.stderr.splitlines()
    assert line.startswith("error: console configuration qm255") and named in line, line
    assert list(tmp_path.iterdir()) == []


# The stack tag ---------------------------------------------------------------------------------
# Decisions: "Imported stacks carry the stack tag quicksetup:imported-from = <manager ARN or
# association prefix>."


def stack_tags(directory: Path) -> dict[str, dict[str, str]]:
    manifest = json.loads((directory / "cdk.out" / "manifest.json").read_text())
    return {
        name: artifact["properties"].get("tags", {})
        for name, artifact in manifest["artifacts"].items()
        if artifact["type"] == "aws:cloudformation:stack"
    }


def test_imported_stacks_carry_the_imported_from_tag(tmp_path):
    result = import_app(
        manager(definitions=[local()]), associations=(legacy_association("UpdateSSMAgent"),)
    )
    assert result.exit_code == 0, result.output
    synthesize(result.stdout, tmp_path)
    assert stack_tags(tmp_path) == {
        "ProdHosts": {"quicksetup:imported-from": MANAGER_ARN},
        "ConsoleQm255": {"quicksetup:imported-from": "AWS-QuickSetup-SSMHostMgmt-"},
    }


# The cut-over of a default console configuration, step by step --------------------------------
# The console's default Host Management: all instances, inventory on ("CollectInventory ... The
# default value is "true"", the API). Each preflight step of the plan is run against an account
# that holds what the console made, as the plan leaves it at that step.


def plan_preflights(step: dict[str, Any], assembly: Path) -> list[list[str]]:
    """The arguments of each `quicksetup preflight` command of ``step``, on ``assembly``."""
    import shlex

    return [
        [str(assembly) if arg == "cdk.out" else arg for arg in shlex.split(command)[1:]]
        for command in step["commands"]
        if command.startswith("quicksetup preflight ")
    ]


def console_account(*, inventory: bool) -> Any:
    """The account as the console left it (``inventory``: its association still there)."""
    from .test_cli_preflight import ALL, Account, association

    own = [
        association(
            "AWS-QuickSetup-SSMHostMgmt-ScanForPatches-abcd1",
            "AWS-RunPatchBaselineAssociation",
            ALL,
            2,
        )
    ]
    if inventory:
        own.append(
            association(
                "AWS-QuickSetup-SSMHostMgmt-CollectInventory-abcd1",
                "AWS-GatherSoftwareInventory",
                ALL,
                1,
            )
        )
    console = manager(definitions=[local()])
    console["ConfigurationDefinitions"][0]["TypeVersion"] = "1.0"
    return Account(account=ACCOUNT).associations(own).managers([console]).stack("ProdHosts", None)


def run_preflight(account: Any, args: list[str]) -> Any:
    with account.active():
        return CliRunner().invoke(main, [*args, "--json"], obj=account.aws, catch_exceptions=False)


def test_every_step_of_the_default_console_cutover_passes(tmp_path):
    result = import_app(manager(definitions=[local()]), args=("--output", "json"))
    assert result.exit_code == 0, result.output
    data = cli_json.data(result.stdout)
    synthesize(data["code"], tmp_path)
    check, stop, deploy = data["cutover"][:3]
    assert (stop["title"], deploy["title"]) == (
        "Before the deploy: stop the console's inventory collection",
        "Deploy the app",
    )
    # 1: the console's inventory is still there; the plan removes it before the deploy
    [step_1] = plan_preflights(check, tmp_path / "cdk.out")
    assert step_1[step_1.index("--migrating-from") + 1] == MANAGER_ARN
    checked = run_preflight(console_account(inventory=True), step_1)
    assert checked.exit_code == 0, checked.output
    assert (cli_json.data(checked.stdout)["errors"], cli_json.data(checked.stdout)["notes"]) == (
        0,
        1,
    )
    # 2: the definition as it is, inventory off
    [command] = stop["commands"]
    import shlex

    words = shlex.split(command)
    assert words[:3] == ["aws", "ssm-quicksetup", "update-configuration-definition"]
    assert json.loads(words[words.index("--parameters") + 1]) == {
        "TargetAccounts": ACCOUNT,
        "TargetRegions": REGION,
        "CollectInventory": "false",
    }
    # 3: the gate before the deploy holds until the console's association is gone
    [gate] = plan_preflights(deploy, tmp_path / "cdk.out")
    assert "--migrating-from" not in gate
    assert run_preflight(console_account(inventory=True), gate).exit_code == 1
    passed = run_preflight(console_account(inventory=False), gate)
    assert passed.exit_code == 0, passed.output
    assert deploy["commands"][-1] == "cdk deploy --app 'python app.py' ProdHosts"


def test_a_preflight_line_per_region_of_the_app(tmp_path):
    result = import_app(
        manager(definitions=[local(TargetRegions="us-east-1,eu-west-1")]), args=("--output", "json")
    )
    assert result.exit_code == 0, result.output
    [check] = cli_json.data(result.stdout)["cutover"][:1]
    assert [c for c in check["commands"] if c.startswith("quicksetup preflight")] == [
        f"quicksetup preflight cdk.out --region {region} --home-region {REGION} "
        f"--migrating-from {MANAGER_ARN}"
        for region in ("eu-west-1", "us-east-1")
    ]


def test_a_manager_holding_dhmc_and_host_management_loses_its_dhmc_before_the_deploy():
    # Decisions: "its DHMC definition is removed when the manager holds other definitions".
    both = manager(
        definitions=[
            local(id="hm001"),
            definition(DHMC, TargetOrganizationalUnits="r-abcd", TargetRegions=REGION),
        ]
    )
    result = import_app(both, args=("--output", "text"))
    assert result.exit_code == 0, result.output
    steps = dict(steps_of(result.stderr))  # the app on standard output, the plan beside it
    titles = list(steps)
    dhmc = titles.index(
        "Before the deploy: remove the Default Host Management definition of prod-hosts"
    )
    assert (
        dhmc < titles.index("Deploy the app") < titles.index("Delete the console's configurations")
    )
    body = " ".join(steps[titles[dhmc]].split())
    assert (
        f"aws ssm-quicksetup get-configuration-manager --manager-arn {MANAGER_ARN} --region "
        f"{REGION} --query 'ConfigurationDefinitions[].Type'"
    ) in body
    assert "ssm-quicksetup has no call that deletes one definition" in body
    assert "delete-configuration-manager" in steps["Delete the console's configurations"]


# Plain text, never wrapped ------------------------------------------------------------------------
# The issue: "--output text prints plain lines (no box drawing); commands are never wrapped when
# stdout is not a terminal."

BOX_DRAWING = re.compile("[\u2500-\u257f]")


@pytest.mark.parametrize("output", ["text", "table"])
def test_the_plan_s_commands_are_never_wrapped_off_a_terminal(output):
    aws, quicksetup, ssm = stubbed()
    expect_managers(quicksetup, manager(definitions=[local()]))
    expect_associations(ssm)
    for stubber in (quicksetup, ssm):
        stubber.activate()
    result = CliRunner(env={"COLUMNS": "80"}).invoke(
        main, ["import", "--output", output], obj=aws, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    plan = result.stderr
    command = next(line for line in plan.splitlines() if "update-configuration-definition" in line)
    assert len(command) > 80 and command.rstrip().endswith(f"--region {REGION}")
    assert any(
        len(line) > 80 and line.lstrip().startswith("• AWS fails a second inventory")
        for line in plan.splitlines()
    ), "a note on one line"
    if output == "text":
        assert not BOX_DRAWING.search(plan), plan


# The property: every association of the imported app reaches what its source reached ------------
# For generated console definitions (GetConfigurationManager's shape, Host Management over an
# account) and older-console association sets (Command keys for its Command documents,
# Automation keys for its runbook, as State Manager's Target documents them), imported together
# into one app, synthesized once per example: each association's Targets, normalized, is the
# reach of the definition or association set it came from.

LEGACY_OPTIONS = {
    "UpdateSSMAgent": ("AWS-UpdateSSMAgent", False),
    "CollectInventory": ("AWS-GatherSoftwareInventory", False),
    "ScanForPatches": ("AWS-RunPatchBaselineAssociation", False),
    "AttachIAMToInstance": ("AWSQuickSetup-CreateAndAttachIAMToInstance-{id}", True),
}
"""The older console's options: (document, whether it is an Automation runbook)."""


def normalized(targets: list[dict[str, Any]]) -> tuple[Any, ...]:
    """What a ``Targets`` list reaches, whatever the document kind spells it: ``("all",)``,
    ``("ids", ids)``, ``("tag", key, values)``, ``("tag-key", keys)``, ``("group", name)``."""
    [entry] = targets  # one entry: several would intersect
    key, values = entry["Key"], frozenset(entry["Values"])
    if key == "InstanceIds" and values == {"*"}:
        return ("all",)
    if key in ("InstanceIds", "ParameterValues"):
        return ("ids", values)
    if key.startswith("tag:"):
        return ("tag", key[4:], values)
    if key == "tag-key":
        return ("tag-key", values)
    assert key in ("resource-groups:Name", "ResourceGroup"), key
    return ("group", values)


def definition_reach(parameters: dict[str, str]) -> tuple[Any, ...]:
    """What a Host Management definition reaches, per the API's TargetType."""
    return normalized(expected_targets(parameters))


reach = st.one_of(
    st.just(("all",)),
    st.builds(
        lambda ids: ("ids", frozenset(ids)),
        st.lists(
            st.from_regex(r"i-[0-9a-f]{17}", fullmatch=True), min_size=1, max_size=3, unique=True
        ),
    ),
    st.builds(
        lambda key, values: ("tag", key, frozenset(values)),
        tag_key,
        st.lists(
            st.from_regex(r"[A-Za-z0-9_.:/=+@-]{1,12}", fullmatch=True),
            min_size=1,
            max_size=3,
            unique=True,
        ),
    ),
    st.builds(lambda key: ("tag-key", frozenset([key])), tag_key),
    st.builds(
        lambda name: ("group", frozenset([name])),
        st.from_regex(r"[a-zA-Z0-9_.-]{1,20}", fullmatch=True),
    ),
)


def written(target: tuple[Any, ...], automation: bool) -> list[dict[str, Any]]:
    """``target`` as the older console wrote it for a Command document or a runbook."""
    kind, *rest = target
    values = sorted(rest[-1]) if rest else ["*"]
    key = {
        "all": "InstanceIds",
        "ids": "ParameterValues" if automation else "InstanceIds",
        "tag-key": "tag-key",
        "group": "ResourceGroup" if automation else "resource-groups:Name",
    }.get(kind)
    return [{"Key": key or f"tag:{rest[0]}", "Values": values}]


legacy_set = st.tuples(
    reach,
    st.lists(st.sampled_from(sorted(LEGACY_OPTIONS)), min_size=1, unique=True),
)
"""One older console configuration a test draws: its older configurations are in the Region
read, and two inventory collections of one Region that can meet do not synthesize (nor run,
in the console)."""
DEFINITION_REGIONS = ["eu-west-1", "ap-northeast-1", "eu-central-1"]
"""One Region per generated definition, none the Region read: the sources never meet."""


@settings(BASE, max_examples=15, phases=NO_SHRINKING)
@example(
    definitions=[({}, {"TargetType": "Tags", "TargetTagKey": "Env", "TargetTagValue": "prod"})],
    legacy=(
        ("tag", "Env", frozenset({"prod", "staging"})),
        ["AttachIAMToInstance", "UpdateSSMAgent"],
    ),
)
@example(
    definitions=[({}, {})],
    legacy=(("tag-key", frozenset({"Patch"})), ["AttachIAMToInstance", "CollectInventory"]),
)
@example(
    definitions=[({}, {"TargetType": "ResourceGroups", "ResourceGroupName": "web"})],
    legacy=(
        ("ids", frozenset({"i-01234567", "i-89abcdef"})),
        ["AttachIAMToInstance", "ScanForPatches"],
    ),
)
@given(
    definitions=st.lists(st.tuples(switches, targeting), min_size=1, max_size=3), legacy=legacy_set
)
def test_every_imported_association_reaches_what_its_source_reached(
    definitions, legacy, tmp_path_factory
):
    managers, expected = [], {}
    for number, (switch, target) in enumerate(definitions):
        parameters = {
            **switch,
            **target,
            "TargetAccounts": ACCOUNT,
            "TargetRegions": DEFINITION_REGIONS[number],
        }
        arn = MANAGER_ARN[:-4] + f"{number:04d}"
        managers.append(manager(arn, f"m{number}", [definition(**parameters)]))
        expected[arn] = definition_reach(parameters)
    associations, described = [], []
    for index, (target, options) in enumerate([legacy]):
        configuration = f"qm{index}"
        expected[configuration] = target
        for option in options:
            document, automation = LEGACY_OPTIONS[option]
            associations.append(
                legacy_association(
                    option,
                    configuration,
                    written(target, automation),
                    document=document.format(id=configuration),
                    number=len(associations) + 1,
                )
            )
            if option == "AttachIAMToInstance":
                described.append(associations[-1]["AssociationId"])
    aws, quicksetup, ssm = stubbed()
    expect_managers(quicksetup, *managers)
    expect_associations(ssm, *associations)
    for association_id in described:
        ssm.add_response(
            "describe_association",
            {"AssociationDescription": {"Parameters": {"IsPolicyAttachAllowed": ["false"]}}},
            {"AssociationId": association_id},
        )
    result = run(aws, (quicksetup, ssm), ["--output", "json"])
    assert result.exit_code == 0, result.output
    data = cli_json.data(result.stdout)
    templates = synthesize(data["code"], tmp_path_factory.mktemp("reach"))
    assert sorted(templates) == sorted(data["configurations"])
    for stack, template in templates.items():
        source = data["configurations"][stack]["source"]
        reached = {normalized(a["Targets"]) for a in associations_of(template) if "Targets" in a}
        assert reached == {expected[source]}, (stack, source)
