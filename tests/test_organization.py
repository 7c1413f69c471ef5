"""QuickSetupOrganization: the two StackSets, their inline templates, the checks and limits."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Annotations, Match, Template

from quicksetup_constructs import (
    ORGANIZATION_REGIONS,
    InstanceTargets,
    InventoryFilePath,
    InventorySettings,
    InventorySync,
    QuickSetupLocal,
    QuickSetupOrganization,
    QuickSetupValidationError,
    RolloutPreferences,
    ScanBaseline,
)
from quicksetup_constructs.organization import MANAGEMENT_ACCOUNT_WARNING, TARGET_COUNT_WARNING
from quicksetup_constructs.organization.regions import OUTSIDE_DOCUMENTED_REGIONS_WARNING
from quicksetup_constructs.organization.template import TEMPLATE_BODY_LIMIT, check_template_size

from .apps import FLAG_SET_NAMES, new_app
from .support import acknowledgements, inner_nag_report, lint_findings, nag_packs, violations

ENV = cdk.Environment(account="111111111111", region="us-east-1")
OUS = ["ou-abcd-11112222", "ou-abcd-33334444"]
REGIONS = ["us-east-1", "ap-northeast-1"]
ALL_OPTIONS = {
    "install_cloudwatch_agent": True,
    "update_cloudwatch_agent": True,
    "update_ec2_launch_agent": True,
    "allow_policy_attach": True,
    "default_host_management": True,
}
STACK_SET = "AWS::CloudFormation::StackSet"
ORGANIZATION_ID = "o-abcdef1234"


def _props(**props: Any) -> dict[str, Any]:
    return {"organizational_unit_ids": OUS, "regions": REGIONS, "account_count": 40} | props


def _build(app: cdk.App, **props: Any) -> tuple[cdk.Stack, QuickSetupOrganization]:
    stack = cdk.Stack(app, "Org", env=ENV)
    return stack, QuickSetupOrganization(stack, "OrgQuickSetup", **_props(**props))


def _synthesize(tmp_path: Path, flag_set: str, nag: bool = False, **props: Any) -> SimpleNamespace:
    """Synthesize one organization stack (feature flags of ``flag_set``; under cdk-nag when
    ``nag``) and parse its StackSets."""
    app = new_app(flag_set, outdir=str(tmp_path))
    if nag:
        cdk.Validations.of(app).add_plugins(*(pack(app) for pack in nag_packs()))
    stack, org = _build(app, **props)
    try:
        app.synth()
    except RuntimeError as error:  # cdk-nag findings fail synthesis; the report names them
        assert "Validation failed" in str(error), error
    outer = json.loads((tmp_path / f"{stack.artifact_id}.template.json").read_text())
    resources = outer["Resources"].values()
    stack_sets = {  # keyed by the end of their names: AccountRoles, Associations
        r["Properties"]["StackSetName"].rsplit("-", 1)[1]: r["Properties"]
        for r in resources
        if r["Type"] == STACK_SET
    }
    report_path = tmp_path / "validation-report.json"
    return SimpleNamespace(
        stack=stack,
        org=org,
        outer=outer,
        stack_sets=stack_sets,
        account=Template.from_json(json.loads(stack_sets["AccountRoles"]["TemplateBody"])),
        regional=Template.from_json(json.loads(stack_sets["Associations"]["TemplateBody"])),
        report=json.loads(report_path.read_text()) if report_path.exists() else None,
    )


@pytest.fixture(scope="module", params=FLAG_SET_NAMES)
def flag_set(request: pytest.FixtureRequest) -> str:
    """Each feature flag set in turn (tests/apps.py), for the module's fixtures."""
    return request.param


@pytest.fixture(scope="module")
def full(tmp_path_factory, flag_set) -> SimpleNamespace:
    """Every option on, default props otherwise, synthesized under cdk-nag."""
    return _synthesize(
        tmp_path_factory.mktemp("full"),
        flag_set,
        nag=True,
        **ALL_OPTIONS,
        inventory_sync=InventorySync.to_new_bucket(prefix="inventory"),
        organization_id=ORGANIZATION_ID,
    )


@pytest.fixture(scope="module")
def custom(tmp_path_factory, flag_set) -> SimpleNamespace:
    """Every prop that shapes the StackSets overridden."""
    return _synthesize(
        tmp_path_factory.mktemp("custom"),
        flag_set,
        targets=InstanceTargets.tag("Environment", "production"),
        home_region="ap-northeast-1",
        call_as="DELEGATED_ADMIN",
        retain_stacks_on_account_removal=True,
        configuration_id="prod-hosts",
        attach_instance_profile=False,
        rollout=RolloutPreferences(
            region_concurrency_type="SEQUENTIAL",
            region_order=["ap-northeast-1", "us-east-1"],
            max_concurrent_count=10,
            failure_tolerance_count=2,
        ),
    )


@pytest.fixture(scope="module")
def local(flag_set) -> Template:
    """The local construct with the same options, to compare the renderings."""
    stack = cdk.Stack(new_app(flag_set), "Local", env=ENV)
    QuickSetupLocal(stack, "QuickSetup", **ALL_OPTIONS)
    return Template.from_stack(stack)


def _without(parameters: dict[str, Any], keys: set[str]) -> dict[str, Any]:
    return {key: value for key, value in parameters.items() if key not in keys}


def _associations(template: Template) -> dict[str, dict[str, Any]]:
    """Association properties keyed by the option part of their name."""
    return {
        props["AssociationName"].split("-")[1]: props
        for props in (
            r["Properties"] for r in template.find_resources("AWS::SSM::Association").values()
        )
    }


# The StackSets


def test_both_stack_sets_are_service_managed_auto_deployed_and_queued(full):
    assert set(full.stack_sets) == {"AccountRoles", "Associations"}
    for stack_set in full.stack_sets.values():
        assert stack_set["PermissionModel"] == "SERVICE_MANAGED"
        assert stack_set["CallAs"] == "SELF"
        assert stack_set["ManagedExecution"] == {"Active": True}
        assert stack_set["AutoDeployment"]["Enabled"] is True
        assert stack_set["AutoDeployment"]["RetainStacksOnAccountRemoval"] is False
        assert "TemplateURL" not in stack_set


def test_regional_stack_set_deploys_to_every_region_of_the_ous(full):
    instances = full.stack_sets["Associations"]["StackInstancesGroup"]
    assert instances == [{"DeploymentTargets": {"OrganizationalUnitIds": OUS}, "Regions": REGIONS}]
    # Its only IAM resource is the role of the inventory sync's function (this configuration
    # has inventory_sync), which CloudFormation accepts with CAPABILITY_IAM; no named IAM
    # resource, so not CAPABILITY_NAMED_IAM.
    assert full.stack_sets["Associations"]["Capabilities"] == ["CAPABILITY_IAM"]


def test_account_stack_set_deploys_once_per_account_to_the_home_region(full):
    stack_set = full.stack_sets["AccountRoles"]
    assert stack_set["StackInstancesGroup"] == [
        {"DeploymentTargets": {"OrganizationalUnitIds": OUS}, "Regions": [REGIONS[0]]}
    ]
    assert stack_set["Capabilities"] == ["CAPABILITY_NAMED_IAM"]


def test_regional_stack_set_waits_for_the_account_stack_set_also_for_auto_deployment(full):
    account_id, _ = next(
        (logical_id, r)
        for logical_id, r in full.outer["Resources"].items()
        if r["Type"] == STACK_SET and r["Properties"]["StackSetName"].endswith("-AccountRoles")
    )
    depends_on = full.stack_sets["Associations"]["AutoDeployment"]["DependsOn"]
    arn = json.dumps(depends_on)
    assert len(depends_on) == 1
    assert ":cloudformation:us-east-1:111111111111:stackset/" in arn
    # The reference also orders creation and deletion, as a DependsOn would.
    assert json.dumps({"Fn::GetAtt": [account_id, "StackSetId"]}) in arn


def test_rollout_defaults_are_parallel_fast_and_tolerant(full):
    for stack_set in full.stack_sets.values():
        assert stack_set["OperationPreferences"] == {
            "RegionConcurrencyType": "PARALLEL",
            "MaxConcurrentPercentage": 50,
            "FailureTolerancePercentage": 10,
            "ConcurrencyMode": "SOFT_FAILURE_TOLERANCE",
        }


def test_overrides_reach_the_stack_sets(custom):
    regional, account = custom.stack_sets["Associations"], custom.stack_sets["AccountRoles"]
    assert regional["StackSetName"] == "QuickSetup-prod-hosts-Associations"
    assert regional["CallAs"] == account["CallAs"] == "DELEGATED_ADMIN"
    assert regional["AutoDeployment"]["RetainStacksOnAccountRemoval"] is True
    assert account["StackInstancesGroup"][0]["Regions"] == ["ap-northeast-1"]
    assert regional["OperationPreferences"] == {
        "RegionConcurrencyType": "SEQUENTIAL",
        "RegionOrder": ["ap-northeast-1", "us-east-1"],
        "MaxConcurrentCount": 10,
        "FailureToleranceCount": 2,
        "ConcurrencyMode": "SOFT_FAILURE_TOLERANCE",
    }
    assert "RegionOrder" not in account["OperationPreferences"]


def test_template_bodies_are_the_compact_templates_the_construct_exposes(full):
    assert json.loads(full.stack_sets["AccountRoles"]["TemplateBody"]) == full.org.account_template
    assert json.loads(full.stack_sets["Associations"]["TemplateBody"]) == full.org.regional_template
    for stack_set in full.stack_sets.values():
        body = stack_set["TemplateBody"]
        assert body == json.dumps(json.loads(body), separators=(",", ":"))
        assert len(body.encode()) <= TEMPLATE_BODY_LIMIT


@pytest.mark.parametrize("name", ["AccountRoles", "Associations"])
def test_templates_need_no_bootstrap_assets_or_cdk_metadata(full, name):
    body = full.stack_sets[name]["TemplateBody"]
    template = json.loads(body)
    assert set(template) <= {"Description", "Parameters", "Resources"}  # no Rules
    # The only parameters are those the StackSet passes (no BootstrapVersion).
    passed = {p["ParameterKey"] for p in full.stack_sets[name].get("Parameters", [])}
    assert set(template.get("Parameters", {})) == passed
    for marker in ("BootstrapVersion", "cdk-hnb659fds", "aws:cdk:path", "CDKMetadata", "aws:asset"):
        assert marker not in body


MINIMIZE_POLICIES = "@aws-cdk/aws-iam:minimizePolicies"
"""A flag whose effect shows in our templates (apps.FLAGS_DOC): "Minimize IAM policies by
combining Principals, Actions and Resources of two Statements in the policies"; minimized, a
statement's actions are also written in sorted order."""


def _profile_actions(template: dict[str, Any]) -> list[str]:
    """The actions, in the template's order, of the statement that creates the profile."""
    [actions] = [
        statement["Action"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::IAM::ManagedPolicy"
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]
        if "iam:CreateInstanceProfile" in statement["Action"]
    ]
    return actions


@pytest.mark.parametrize("minimized", [False, True], ids=["unset", "set"])
def test_the_stack_sets_render_under_the_feature_flags_of_the_users_app(minimized):
    """A flag of the app that holds the construct changes the StackSet's template as it
    changes a stack of the app (decision: the StackSets' own app inherits the flags)."""
    context = {MINIMIZE_POLICIES: True} if minimized else {}
    _, org = _build(new_app("none", context=context))
    plain = cdk.Stack(new_app("none", context=context), "Local", env=ENV)
    QuickSetupLocal(plain, "QuickSetup")
    actions = _profile_actions(Template.from_stack(plain).to_json())
    assert (actions == sorted(actions)) is minimized, "the flag shows in a plain stack"
    assert _profile_actions(org.account_template) == actions


def test_management_account_is_always_warned_about(full):
    Annotations.from_stack(full.stack).has_warning(
        "/Org/OrgQuickSetup",
        Match.string_like_regexp("never deploys to the organization's management account"),
    )
    assert MANAGEMENT_ACCOUNT_WARNING == "quicksetup:management-account-not-targeted"
    Annotations.from_stack(full.stack).has_no_warning("*", Match.string_like_regexp("2,000-target"))


# The inner templates, compared with the local construct's


def test_regional_template_has_the_local_associations(full, local):
    regional, expected = _associations(full.regional), _associations(local)
    assert (
        set(regional)
        == set(expected)
        == {
            "AttachInstanceProfile",
            "UpdateSSMAgent",
            "CollectInventory",
            "ScanForPatches",
            "InstallCloudWatchAgent",
            "UpdateCloudWatchAgent",
            "EnableExplorer",
            "UpdateEC2LaunchAgent",
        }
    )
    role_and_profile = {"AutomationAssumeRole", "InstanceProfileName"}
    for name, props in regional.items():
        local_props = expected[name]
        assert props["AssociationName"].replace(full.org.configuration.configuration_id, "ID") == (
            local_props["AssociationName"].rsplit("-", 1)[0] + "-ID"
        )
        for key in (
            "Name",
            "ScheduleExpression",
            "Targets",
            "SyncCompliance",
            "AutomationTargetParameterName",
        ):
            assert props.get(key) == local_props.get(key), (name, key)
        assert _without(props.get("Parameters", {}), role_and_profile) == _without(
            local_props.get("Parameters", {}), role_and_profile
        ), name


def test_regional_template_has_the_local_documents(full, local):
    documents = full.regional.find_resources("AWS::SSM::Document")
    assert len(documents) == 4
    assert documents == local.find_resources("AWS::SSM::Document")


def test_regional_template_runs_quick_setups_documents_on_its_schedules(full):
    associations = _associations(full.regional)
    assert associations["UpdateSSMAgent"]["Name"] == "AWS-UpdateSSMAgent"
    assert associations["UpdateSSMAgent"]["ScheduleExpression"] == "rate(14 days)"
    assert associations["CollectInventory"]["Name"] == "AWS-GatherSoftwareInventory"
    assert associations["CollectInventory"]["ScheduleExpression"] == "rate(30 minutes)"
    assert associations["ScanForPatches"]["Name"] == "AWS-RunPatchBaselineAssociation"
    assert associations["ScanForPatches"]["Parameters"] == {"Operation": ["Scan"]}
    assert associations["ScanForPatches"]["SyncCompliance"] == "MANUAL"
    assert associations["ScanForPatches"]["ScheduleExpression"] == "rate(1 day)"
    assert "ScheduleExpression" not in associations["InstallCloudWatchAgent"]
    assert associations["UpdateCloudWatchAgent"]["ScheduleExpression"] == "rate(30 days)"
    assert associations["AttachInstanceProfile"]["ScheduleExpression"] == "rate(30 days)"
    explorer = associations.pop("EnableExplorer")
    assert "Targets" not in explorer and "ScheduleExpression" not in explorer
    for props in associations.values():
        assert props["Targets"] == [{"Key": "InstanceIds", "Values": ["*"]}]


def test_regional_template_finds_the_account_roles_by_name(full):
    attach = _associations(full.regional)["AttachInstanceProfile"]["Parameters"]
    configuration_id = full.org.configuration.configuration_id
    assert attach["InstanceProfileName"] == [f"QuickSetup-Instance-{configuration_id}"]
    role_arn = json.dumps(attach["AutomationAssumeRole"])
    assert f":role/QuickSetup-Automation-{configuration_id}" in role_arn
    # The only role of the regional template is the inventory sync function's (see
    # test_inventory_sync_organization.py): the configuration's roles are the account stack's.
    roles = full.regional.find_resources("AWS::IAM::Role")
    assert [
        logical_id for logical_id in roles if not logical_id.startswith("InventorySyncHandler")
    ] == []
    full.regional.resource_count_is("AWS::IAM::InstanceProfile", 0)


def test_account_template_creates_the_named_roles_once(full):
    configuration_id = full.org.configuration.configuration_id
    full.account.resource_count_is("AWS::SSM::Association", 0)
    full.account.has_resource_properties(
        "AWS::IAM::Role",
        {
            "RoleName": f"QuickSetup-Instance-{configuration_id}",
            "AssumeRolePolicyDocument": Match.object_like(
                {"Statement": [Match.object_like({"Principal": {"Service": "ec2.amazonaws.com"}})]}
            ),
            "ManagedPolicyArns": Match.array_with(
                [
                    {
                        "Fn::Join": [
                            "",
                            Match.array_with([":iam::aws:policy/CloudWatchAgentServerPolicy"]),
                        ]
                    }
                ]
            ),
        },
    )
    full.account.has_resource_properties(
        "AWS::IAM::InstanceProfile",
        {
            "InstanceProfileName": f"QuickSetup-Instance-{configuration_id}",
        },
    )
    full.account.has_resource_properties(
        "AWS::IAM::Role",
        {
            "RoleName": f"QuickSetup-Automation-{configuration_id}",
        },
    )
    assert full.org.automation_role_name == f"QuickSetup-Automation-{configuration_id}"


def test_automation_role_may_attach_the_profile_in_every_region(full):
    policy = json.dumps(full.account.find_resources("AWS::IAM::ManagedPolicy"))
    assert '":ec2:*:"' in policy
    assert ":ec2:us-east-1:" not in policy and "AWS::Region" not in policy


def test_tag_targets_and_no_automation_role_when_not_attaching(custom):
    associations = _associations(custom.regional)
    assert "AttachInstanceProfile" not in associations
    for name, props in associations.items():
        if name != "EnableExplorer":
            assert props["Targets"] == [{"Key": "tag:Environment", "Values": ["production"]}]
    custom.account.resource_count_is("AWS::IAM::Role", 2)  # the instance role and Explorer's
    assert custom.org.automation_role_name is None


# Linters


def test_outer_template_passes_cfn_lint(full):
    assert lint_findings(full.outer, "us-east-1") == []


def test_account_template_passes_cfn_lint(full):
    assert lint_findings(full.org.account_template, REGIONS[0]) == []


@pytest.mark.parametrize("region", REGIONS)
def test_regional_template_passes_cfn_lint(full, region):
    assert lint_findings(full.org.regional_template, region) == []


def test_outer_stack_passes_both_cdk_nag_packs(full):
    assert full.report is not None
    assert violations(full.report) == []


def test_inner_stacks_pass_both_cdk_nag_packs_with_reasoned_acknowledgements(full):
    report = inner_nag_report(full.org)
    assert violations(report) == []
    acknowledged = acknowledgements(report)
    assert any("ec2:*:<AWS::AccountId>:instance/*" in s["ruleName"] for s in acknowledged)
    assert all(len(s["reason"]) > 20 for s in acknowledged)


@pytest.mark.parametrize("env", [None, ENV], ids=["env-agnostic", "concrete-env"])
@pytest.mark.parametrize(
    "props",
    [
        {},
        {
            "targets": InstanceTargets.tag("Env", "prod"),
            "attach_instance_profile": False,
            "call_as": "DELEGATED_ADMIN",
            "instance_profile_removal_policy": cdk.RemovalPolicy.DESTROY,
        },
        {
            "collect_inventory": False,
            "scan_for_patches": False,
            "update_ssm_agent": False,
            "attach_instance_profile": False,
        },
        {
            "instance_profile_role_name": "TeamInstanceRole",
            "service_role_name": "TeamAutomationRole",
            "default_host_management": True,
            "default_host_management_role_name": "TeamDhmcRole",
        },
    ],
    ids=["defaults", "tag-no-attach", "no-option", "existing-roles"],
)
@pytest.mark.parametrize("flag_set", FLAG_SET_NAMES)
def test_other_configurations_pass_both_cdk_nag_packs_outside_and_inside(
    tmp_path, flag_set, env, props
):
    app = new_app(flag_set, outdir=str(tmp_path))
    cdk.Validations.of(app).add_plugins(*(pack(app) for pack in nag_packs()))
    org = QuickSetupOrganization(cdk.Stack(app, "Org", env=env), "OrgQuickSetup", **_props(**props))
    try:
        app.synth()
    except RuntimeError as error:
        pytest.fail(f"cdk-nag findings in the outer stack: {error}")
    assert violations(inner_nag_report(org)) == []


# Limits and validation


def test_2000_targets_pass():
    _, org = _build(new_app(), account_count=1000)
    assert org.account_count * len(org.regions) == 2000


def test_fails_when_targets_exceed_2000():
    with pytest.raises(QuickSetupValidationError) as error:
        _build(new_app(), account_count=667, regions=["us-east-1", "us-east-2", "eu-west-1"])
    assert error.value.prop == "account_count"
    assert "667 accounts × 3 Regions = 2,001 targets" in str(error.value)
    assert "at most 2,000 targets" in str(error.value)


def test_a_region_outside_the_documented_list_is_a_warning_naming_the_list():
    stack, _ = _build(new_app(), regions=["us-east-1", "eu-north-1"])
    [warning] = [
        message.entry.data
        for message in Annotations.from_stack(stack).find_warning(
            "*", Match.string_like_regexp(f"ack: {OUTSIDE_DOCUMENTED_REGIONS_WARNING}")
        )
    ]
    assert warning.startswith("eu-north-1 is not among the Regions")
    assert all(region in warning for region in ORGANIZATION_REGIONS)
    assert len(ORGANIZATION_REGIONS) == 15


@pytest.mark.parametrize("regions", [[], ["us-east-1", "us-east-1"], "us-east-1"])
def test_fails_when_regions_are_empty_repeated_or_not_a_list(regions):
    with pytest.raises(QuickSetupValidationError, match=r"^regions: "):
        _build(new_app(), regions=regions)


def test_a_home_region_outside_the_documented_list_is_a_warning():
    stack, _ = _build(new_app(), home_region="af-south-1")
    [warning] = [
        message.entry.data
        for message in Annotations.from_stack(stack).find_warning(
            "*", Match.string_like_regexp(f"ack: {OUTSIDE_DOCUMENTED_REGIONS_WARNING}")
        )
    ]
    assert warning.startswith("af-south-1 is not among the Regions")


def test_fails_when_home_region_is_not_a_region_code():
    with pytest.raises(QuickSetupValidationError, match=r"^home_region: 'africa'"):
        _build(new_app(), home_region="africa")


@pytest.mark.parametrize(
    "unit_ids", [["ou-abcd"], ["OU-ABCD-11112222"], ["r-ab"], [], ["ou-abcd-11112222"] * 2]
)
def test_fails_when_an_ou_id_is_malformed_missing_or_repeated(unit_ids):
    with pytest.raises(QuickSetupValidationError, match=r"^organizational_unit_ids: "):
        _build(new_app(), organizational_unit_ids=unit_ids)


def test_fails_when_more_than_50_ous():
    unit_ids = [f"ou-abcd-{n:08d}" for n in range(51)]
    with pytest.raises(QuickSetupValidationError) as error:
        _build(new_app(), organizational_unit_ids=unit_ids)
    assert error.value.prop == "organizational_unit_ids"
    assert "1 to 50" in str(error.value)


def test_root_and_50_ous_are_accepted():
    unit_ids = ["r-ab12"] + [f"ou-ab12-{n:08d}" for n in range(49)]
    _, org = _build(new_app(), organizational_unit_ids=unit_ids)
    assert len(org.organizational_unit_ids) == 50


@pytest.mark.parametrize(
    "rollout, prop",
    [
        (
            RolloutPreferences(max_concurrent_count=5, max_concurrent_percentage=50),
            "rollout.max_concurrent_count",
        ),
        (
            RolloutPreferences(failure_tolerance_count=1, failure_tolerance_percentage=10),
            "rollout.failure_tolerance_count",
        ),
    ],
)
def test_fails_when_a_count_and_a_percentage_are_both_given(rollout, prop):
    with pytest.raises(QuickSetupValidationError) as error:
        _build(new_app(), rollout=rollout)
    assert error.value.prop == prop
    assert "not both" in str(error.value)


@pytest.mark.parametrize(
    "rollout, prop",
    [
        (RolloutPreferences(max_concurrent_percentage=0), "rollout.max_concurrent_percentage"),
        (
            RolloutPreferences(failure_tolerance_percentage=101),
            "rollout.failure_tolerance_percentage",
        ),
        (RolloutPreferences(max_concurrent_count=0), "rollout.max_concurrent_count"),
        (RolloutPreferences(failure_tolerance_count=-1), "rollout.failure_tolerance_count"),
        (RolloutPreferences(region_concurrency_type="ALL"), "rollout.region_concurrency_type"),
        (RolloutPreferences(concurrency_mode="LAX"), "rollout.concurrency_mode"),
        (RolloutPreferences(region_order=["eu-west-1"]), "rollout.region_order"),
        (
            RolloutPreferences(
                concurrency_mode="STRICT_FAILURE_TOLERANCE",
                max_concurrent_count=5,
                failure_tolerance_count=1,
            ),
            "rollout.max_concurrent_count",
        ),
    ],
)
def test_fails_when_rollout_preferences_are_out_of_range(rollout, prop):
    with pytest.raises(QuickSetupValidationError) as error:
        _build(new_app(), rollout=rollout)
    assert error.value.prop == prop


@pytest.mark.parametrize(
    "props, prop",
    [
        ({"call_as": "ADMIN"}, "call_as"),
        ({"retain_stacks_on_account_removal": "yes"}, "retain_stacks_on_account_removal"),
        ({"account_count": -1}, "account_count"),
        ({"configuration_id": "prod_hosts"}, "configuration_id"),
        ({"configuration_id": "x" * 41}, "configuration_id"),
        ({"targets": InstanceTargets.instance_ids(["i-0123456789abcdef0"])}, "targets"),
        ({"update_ssm_agent": "no"}, "update_ssm_agent"),
        ({"schedules": {"scan_for_patches": "every day"}}, "schedules['scan_for_patches']"),
    ],
)
def test_fails_when_a_prop_is_invalid_and_writes_nothing(props, prop):
    app = new_app()
    stack = cdk.Stack(app, "Org")
    with pytest.raises(QuickSetupValidationError) as error:
        QuickSetupOrganization(stack, "OrgQuickSetup", **_props(**props))
    assert error.value.prop == prop
    assert stack.node.try_find_child("OrgQuickSetup") is None


def test_check_template_size_names_the_size():
    check_template_size("regional StackSet template", "x" * TEMPLATE_BODY_LIMIT)
    with pytest.raises(QuickSetupValidationError) as error:
        check_template_size("regional StackSet template", "é" * 25_601)  # 51,202 bytes
    assert error.value.prop == "regional StackSet template"
    assert "51,202 bytes" in str(error.value)
    assert "51,200" in str(error.value)


def test_fails_when_the_regional_template_is_too_large():
    patterns = [f"p{n:05d}*" for n in range(5000)]  # within a parameter's 65,535 characters
    app = new_app()
    stack = cdk.Stack(app, "Org")
    with pytest.raises(QuickSetupValidationError) as error:
        QuickSetupOrganization(
            stack,
            "OrgQuickSetup",
            **_props(inventory=InventorySettings(files=[InventoryFilePath("/data", patterns)])),
        )
    assert error.value.prop == "regional StackSet template"
    assert "bytes" in str(error.value)
    assert stack.node.try_find_child("OrgQuickSetup") is None


def test_tokens_are_not_validated_and_the_target_check_warns():
    stack = cdk.Stack(new_app(), "Org")
    unit_id = cdk.CfnParameter(stack, "OrganizationalUnit").value_as_string
    org = QuickSetupOrganization(
        stack, "OrgQuickSetup", organizational_unit_ids=[unit_id], regions=["us-east-1"]
    )
    assert org.account_count is None
    Annotations.from_stack(stack).has_warning(
        "/Org/OrgQuickSetup",
        Match.string_like_regexp("2,000-target check .* could not be completed"),
    )
    assert TARGET_COUNT_WARNING == "quicksetup:target-count-unchecked"


def test_with_every_option_off_the_regional_template_is_still_deployable():
    """CloudFormation rejects a template without resources: the regional stacks then hold a
    placeholder that does nothing, and the account StackSet still creates the role and profile."""
    _, org = _build(
        new_app(),
        **{
            option: False
            for option in (
                "update_ssm_agent",
                "collect_inventory",
                "scan_for_patches",
                "attach_instance_profile",
                "enable_explorer",
            )
        },
    )
    assert org.associations == {}
    assert [r["Type"] for r in org.regional_template["Resources"].values()] == [
        "AWS::CloudFormation::WaitConditionHandle"
    ]
    assert lint_findings(org.regional_template) == []
    assert {r["Type"] for r in org.account_template["Resources"].values()} == {
        "AWS::IAM::Role",
        "AWS::IAM::InstanceProfile",
    }


def test_the_scan_baseline_reaches_every_account_and_region():
    _, org = _build(new_app(), scan_baseline=ScanBaseline.tagged("PatchBaseline", ["fleet"]))
    scan = org.regional_template["Resources"]["ScanForPatches"]["Properties"]
    assert scan["Parameters"] == {
        "Operation": ["Scan"],
        "BaselineTags": ["Key=PatchBaseline,Values=fleet"],
    }


def test_default_host_management_is_set_in_every_region_with_the_account_role(full):
    [setting] = full.regional.find_resources("AWS::SSM::ServiceSetting").values()
    configuration_id = full.org.configuration.configuration_id
    assert setting["Properties"] == {
        "SettingId": "/ssm/managed-instance/default-ec2-instance-management-role",
        "SettingValue": f"QuickSetup-DHMC-{configuration_id}",
    }
    full.account.has_resource_properties(
        "AWS::IAM::Role",
        {
            "RoleName": f"QuickSetup-DHMC-{configuration_id}",
            "AssumeRolePolicyDocument": {
                "Statement": [Match.object_like({"Principal": {"Service": "ssm.amazonaws.com"}})]
            },
        },
    )
    assert full.org.default_host_management_role_name == f"QuickSetup-DHMC-{configuration_id}"


def test_default_host_management_alone_needs_no_placeholder():
    _, org = _build(
        new_app(),
        default_host_management=True,
        **{
            option: False
            for option in (
                "update_ssm_agent",
                "collect_inventory",
                "scan_for_patches",
                "attach_instance_profile",
                "enable_explorer",
            )
        },
    )
    assert [r["Type"] for r in org.regional_template["Resources"].values()] == [
        "AWS::SSM::ServiceSetting"
    ]
    assert lint_findings(org.regional_template) == []


# Inventory delivered to one bucket


def test_a_new_inventory_bucket_lets_the_organizations_accounts_deliver(full):
    [bucket_id] = [i for i, r in full.outer["Resources"].items() if r["Type"] == "AWS::S3::Bucket"]
    bucket = full.outer["Resources"][bucket_id]
    assert bucket["DeletionPolicy"] == "Retain"
    assert bucket["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}
    [policy] = [r for r in full.outer["Resources"].values() if r["Type"] == "AWS::S3::BucketPolicy"]
    statements = {s.get("Sid"): s for s in policy["Properties"]["PolicyDocument"]["Statement"]}
    delivery = statements["SSMBucketDelivery"]
    assert delivery["Principal"] == {"Service": "ssm.amazonaws.com"}
    assert delivery["Condition"] == {
        "StringEquals": {
            "s3:x-amz-acl": "bucket-owner-full-control",
            "aws:SourceOrgID": ORGANIZATION_ID,
        }
    }
    assert delivery["Resource"]["Fn::Join"][1][-1] == "/inventory/*/accountid=*/*"
    assert statements["SSMBucketDeliveryTagging"]["Action"] == "s3:PutObjectTagging"
    assert statements["SSMBucketPermissionsCheck"]["Action"] == "s3:GetBucketAcl"
    assert full.org.inventory_bucket is not None


def test_every_account_and_region_syncs_to_the_bucket_named_by_stack_set_parameters(full):
    # Organization delivery is CreateResourceDataSync with DestinationDataSharing, which the
    # custom resource sends as it is (test_inventory_sync_organization.py has the AWS sources).
    [sync] = full.regional.find_resources("Custom::QuickSetupInventorySync").values()
    configuration_id = full.org.configuration.configuration_id
    assert sync["Properties"]["SyncName"] == f"QuickSetup-Inventory-{configuration_id}"
    assert sync["Properties"]["S3Destination"] == {
        "BucketName": {"Ref": "InventoryBucketName"},
        "Region": {"Ref": "InventoryBucketRegion"},
        "Prefix": "inventory",
        "SyncFormat": "JsonSerDe",
        "DestinationDataSharing": {"DestinationDataSharingType": "Organization"},
    }
    [regional_id] = [i for i in full.outer["Resources"] if "RegionalStackSet" in i]
    regional = full.outer["Resources"][regional_id]
    bucket_id = next(
        i for i, r in full.outer["Resources"].items() if r["Type"] == "AWS::S3::Bucket"
    )
    assert regional["Properties"]["Parameters"] == [
        {"ParameterKey": "InventoryBucketName", "ParameterValue": {"Ref": bucket_id}},
        {"ParameterKey": "InventoryBucketRegion", "ParameterValue": ENV.region},
    ]
    policy_id = next(
        i for i, r in full.outer["Resources"].items() if r["Type"] == "AWS::S3::BucketPolicy"
    )
    assert regional["DependsOn"] == [policy_id], "the syncs wait for the bucket policy"


def test_inventory_to_your_bucket_needs_no_parameters_and_creates_no_bucket():
    stack, org = _build(
        new_app(),
        inventory_sync=InventorySync.to_bucket(
            "central-inventory",
            "eu-west-1",
            kms_key_arn="arn:aws:kms:eu-west-1:123456789012:key/abcd-1234",
        ),
    )
    assert "Parameters" not in org.regional_template
    sync = org.regional_template["Resources"]["InventorySync"]["Properties"]
    assert sync["SyncName"] == f"QuickSetup-Inventory-{org.configuration.configuration_id}"
    assert sync["S3Destination"] == {
        "BucketName": "central-inventory",
        "Region": "eu-west-1",
        "SyncFormat": "JsonSerDe",
        "DestinationDataSharing": {"DestinationDataSharingType": "Organization"},
        "AWSKMSKeyARN": "arn:aws:kms:eu-west-1:123456789012:key/abcd-1234",
    }
    Template.from_stack(stack).resource_count_is("AWS::S3::Bucket", 0)
    assert org.inventory_bucket is None
    assert lint_findings(org.regional_template) == []


def test_a_new_inventory_bucket_needs_the_organization_id():
    stack = cdk.Stack(new_app(), "Org", env=ENV)
    with pytest.raises(QuickSetupValidationError, match=r"^organization_id: None") as raised:
        QuickSetupOrganization(
            stack, "OrgQuickSetup", **_props(inventory_sync=InventorySync.to_new_bucket())
        )
    assert "o-..." in raised.value.allowed
    assert stack.node.children == []
