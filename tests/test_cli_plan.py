"""`quicksetup plan` on the sample app's real cloud assembly, and on small hand-written ones."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aws_cdk as cdk
import pytest
from click.testing import CliRunner

from quicksetup_constructs.cli.catalogue import settings
from quicksetup_constructs.cli.main import main
from quicksetup_constructs.options import CATALOGUE, OPTIONS_BY_KEY, ManagedDocument
from quicksetup_constructs.organization.accounts import context_key
from quicksetup_constructs.schedule import rate_minutes
from sample_app.app import build_app

NOW = "2026-01-05T09:00"
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
OUS = ["ou-abcd-11112222", "ou-abcd-33334444"]


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("sample") / "cdk.out"
    build_app(cdk.App(outdir=str(outdir))).synth()
    return outdir


def plan(*args: str) -> tuple[int, str, str]:
    result = CliRunner(env={"COLUMNS": "200"}).invoke(main, ["plan", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def planned(assembly: Path) -> dict:
    code, out, _ = plan(str(assembly), "--now", NOW, "--accounts", "40", "--json")
    assert code == 0
    return data(out)


def data(out: str) -> dict:
    """The plan in the JSON contract's envelope (tests/test_cli_json_contract.py checks the
    envelope itself)."""
    envelope = json.loads(out)
    assert (envelope["command"], envelope["error"]) == ("plan", None)
    return envelope["data"]


def configuration(planned: dict, kind: str) -> dict:
    [found] = [c for c in planned["configurations"].values() if c["kind"] == kind]
    return found


def test_plan_finds_the_local_and_the_organization_configuration(planned):
    assert sorted((c["kind"], c["stack"]) for c in planned["configurations"].values()) == [
        ("local", "QuickSetupLocalSample"),
        ("organization", "QuickSetupOrganizationSample"),
    ]
    assert planned["now"] == "2026-01-05T09:00:00Z"


def test_local_options_come_from_the_catalogue_with_their_documents(planned):
    local = configuration(planned, "local")
    assert list(local["options"]) == [option.key for option in CATALOGUE]
    assert list(local["not_configured"]) == ["default_host_management"]
    for planned_option in local["options"].values():
        option = OPTIONS_BY_KEY[planned_option["key"]]
        assert planned_option["title"] == option.title
        assert planned_option["association_name"] == (
            f"QuickSetup-{option.association_name}-{local['configuration_id']}"
        )
        assert planned_option["document_type"] == option.document_kind.value
        if isinstance(option.document, ManagedDocument):
            assert planned_option["document"] == option.document.name
            assert not planned_option["created_by_stack"]
        else:
            assert planned_option["created_by_stack"]
            assert planned_option["document_steps"], "our documents list their steps"


def test_local_targets_and_parameters_are_read_from_the_template(planned):
    local = configuration(planned, "local")
    assert local["targets"] == "instances tagged Environment=production"
    options = local["options"]
    assert options["scan_for_patches"]["parameters"] == {"Operation": ["Scan"]}
    assert options["scan_for_patches"]["sync_compliance"] == "MANUAL"
    assert options["collect_inventory"]["parameters"]["applications"] == ["Enabled"]
    assert options["attach_instance_profile"]["parameters"]["AllowPolicyAttach"] == ["false"]
    assert options["attach_instance_profile"]["parameters"]["AutomationAssumeRole"][0].startswith(
        "${QuickSetupRolesAutomationRole"
    )


def test_next_runs_follow_each_schedule(planned):
    for option in configuration(planned, "local")["options"].values():
        schedule = option["schedule"]
        runs = [datetime.fromisoformat(run) for run in schedule["next_runs"]]
        assert runs[0] == START, "every association runs when it is created"
        expression = OPTIONS_BY_KEY[option["key"]].schedule
        assert schedule["expression"] == expression
        if expression is None:
            assert runs == [START]
            assert schedule["words"] == "runs once, when created"
        else:
            step = timedelta(minutes=rate_minutes(expression))
            assert runs == [START, START + step, START + 2 * step]
    words = {
        key: o["schedule"]["words"] for key, o in configuration(planned, "local")["options"].items()
    }
    assert words["collect_inventory"] == "every 30 minutes"
    assert words["scan_for_patches"] == "every day"
    assert words["update_ssm_agent"] == "every 14 days"


def test_organization_targets_ous_times_regions_against_the_limit(planned):
    organization = configuration(planned, "organization")
    assert organization["targets"] == "all instances, in every account × Region"
    assert set(organization["options"]) == {
        "attach_instance_profile",
        "update_ssm_agent",
        "collect_inventory",
        "scan_for_patches",
        "enable_explorer",
    }
    assert list(organization["not_configured"]) == [
        "update_ec2_launch_agent",
        "install_cloudwatch_agent",
        "update_cloudwatch_agent",
    ]
    assert list(organization["settings"]) == [
        "default_host_management",
        "inventory_sync",
    ]
    stack_sets = organization["stack_sets"]
    associations = stack_sets["QuickSetup-19d1f875-Associations"]
    assert associations["organizational_unit_ids"] == OUS
    assert associations["regions"] == ["us-east-1", "ap-northeast-1"]
    assert (associations["accounts"], associations["target_count"], associations["limit"]) == (
        40,
        80,
        2000,
    )
    assert associations["within_limit"] is True
    roles = stack_sets["QuickSetup-19d1f875-AccountRoles"]
    assert (roles["regions"], roles["target_count"]) == (["us-east-1"], 40)


def test_rollout_waves_follow_the_operation_preferences(planned):
    [associations] = [
        s
        for s in configuration(planned, "organization")["stack_sets"].values()
        if len(s["regions"]) == 2
    ]
    # The sample's preferences: 50% of 40 accounts at a time, 10% failure tolerance,
    # Regions in parallel, SOFT_FAILURE_TOLERANCE.
    assert associations["rollout"] == {
        "accounts": 40,
        "regions": 2,
        "concurrent_accounts": 20,
        "failure_tolerance": 4,
        "parallel_regions": True,
        "waves_per_region": 2,
        "waves": 2,
    }


def test_what_is_created_is_listed_per_stack_and_per_stack_set(planned):
    [local] = configuration(planned, "local")["created"].values()
    assert local["resources"]["AWS::SSM::Association"] == 8
    assert local["resources"]["AWS::IAM::InstanceProfile"] == 1
    created = {
        where: c["resources"]
        for where, c in configuration(planned, "organization")["created"].items()
    }
    assert (
        created["every stack instance of StackSet QuickSetup-19d1f875-Associations"][
            "AWS::SSM::Association"
        ]
        == 5
    )
    assert (
        "AWS::IAM::Role"
        in created["every stack instance of StackSet QuickSetup-19d1f875-AccountRoles"]
    )


def test_settings_of_the_account_and_region_are_read_from_the_templates(planned):
    organization = configuration(planned, "organization")["settings"]
    dhmc = organization["default_host_management"]
    assert dhmc["resource_type"] == "AWS::SSM::ServiceSetting"
    assert dhmc["details"] == {
        "setting": "/ssm/managed-instance/default-ec2-instance-management-role",
        "role": "QuickSetup-DHMC-19d1f875",
    }
    sync = organization["inventory_sync"]
    # An organization's syncs are created through DestinationDataSharing, by a custom resource.
    assert sync["resource_type"] == "Custom::QuickSetupInventorySync"
    # The StackSet gives the template the bucket of the organization's stack.
    assert sync["details"] == {
        "bucket": "${OrgQuickSetupInventoryBucketC78BCC63}",
        "region": "us-east-1",
        "prefix": "inventory",
    }
    [local_sync] = configuration(planned, "local")["settings"].values()
    assert local_sync["key"] == "inventory_sync"
    assert local_sync["resource_type"] == "AWS::SSM::ResourceDataSync"
    assert local_sync["details"]["region"] == "us-east-1"
    assert local_sync["details"]["prefix"] == "inventory"


def test_the_cli_recognises_the_library_s_resources():
    """The command reads templates without importing the library: its names must agree."""
    from quicksetup_constructs.cli import templates
    from quicksetup_constructs.options.inventory_sync import SYNC_NAME_PREFIX
    from quicksetup_constructs.rendering import default_host_management

    assert templates.INVENTORY_SYNC_PREFIX == SYNC_NAME_PREFIX
    assert templates.CONFIGURATION_METADATA == default_host_management.CONFIGURATION_METADATA
    assert templates.OPTION_METADATA == default_host_management.OPTION_METADATA


def test_human_output_shows_options_schedules_and_runs(assembly):
    code, out, _ = plan(str(assembly), "--now", NOW)
    assert code == 0
    for text in (
        "Configuration 7a422481",
        "instances tagged Environment=production",
        "AWS-RunPatchBaselineAssociation",
        "every 30 minutes",
        "Mon 2026-01-05 09:30",
        "runs once, when created",
        "give --accounts N",
        "Not configured:",
        "Turn on Default Host Management Configuration",
        "Deliver the inventory to one S3 bucket",
        "the whole account and Region",
    ):
        assert text in out, text


def test_over_the_target_limit_is_flagged(assembly):
    code, out, _ = plan(str(assembly), "--now", NOW, "--accounts", "1500", "--json")
    assert code == 1  # a plan over a limit is a finding
    [stack_set] = [
        s
        for s in configuration(data(out), "organization")["stack_sets"].values()
        if len(s["regions"]) == 2
    ]
    assert (stack_set["target_count"], stack_set["within_limit"]) == (3000, False)
    code, out, _ = plan(str(assembly), "--now", NOW, "--accounts", "1500")
    assert "over the limit" in out


def test_account_count_cached_by_the_synth_is_used(assembly, tmp_path):
    copy = tmp_path / "cdk.out"
    shutil.copytree(assembly, copy)
    (tmp_path / "cdk.context.json").write_text(json.dumps({context_key(OUS): 7}))
    code, out, _ = plan(str(copy), "--now", NOW, "--json")
    assert code == 0
    accounts = {
        s["accounts"] for s in configuration(data(out), "organization")["stack_sets"].values()
    }
    assert accounts == {7}


def write_assembly(directory: Path, template: dict) -> Path:
    directory.mkdir()
    (directory / "App.template.json").write_text(json.dumps(template))
    (directory / "manifest.json").write_text(
        json.dumps(
            {
                "version": "55.0.0",
                "artifacts": {
                    "App": {
                        "type": "aws:cloudformation:stack",
                        "environment": "aws://111111111111/eu-west-1",
                        "properties": {
                            "templateFile": "App.template.json",
                            "stackName": "HostMgmt",
                        },
                    }
                },
            }
        )
    )
    return directory


def test_cron_schedules_and_unknown_options_in_any_template(tmp_path):
    directory = write_assembly(
        tmp_path / "out",
        {
            "Resources": {
                "Scan": {
                    "Type": "AWS::SSM::Association",
                    "Properties": {
                        "AssociationName": "QuickSetup-ScanForPatches-web-1",
                        "Name": "AWS-RunPatchBaselineAssociation",
                        "ScheduleExpression": "cron(0 3 ? * SUN *)",
                        "Targets": [{"Key": "tag-key", "Values": ["Patch"]}],
                    },
                },
                "Custom": {
                    "Type": "AWS::SSM::Association",
                    "Properties": {
                        "AssociationName": "QuickSetup-Extra-web-1",
                        "Name": "AWS-RunShellScript",
                        "ApplyOnlyAtCronInterval": True,
                        "ScheduleExpression": "cron(0 0/4 ? * * *)",
                        "Targets": [{"Key": "resource-groups:Name", "Values": ["web"]}],
                    },
                },
                "NotOurs": {
                    "Type": "AWS::SSM::Association",
                    "Properties": {"Name": "AWS-UpdateSSMAgent"},
                },
            }
        },
    )
    code, out, _ = plan(str(directory), "--now", NOW, "--json")
    assert code == 0
    [config] = data(out)["configurations"].values()
    assert (config["configuration_id"], config["stack"]) == ("web-1", "HostMgmt")
    scan, extra = config["options"].values()
    assert scan["key"] == "scan_for_patches"
    assert scan["targets"] == "instances with a tag Patch (any value)"
    assert scan["schedule"]["words"] == "At 03:00, only on Sunday (UTC)"
    assert scan["schedule"]["next_runs"] == [
        "2026-01-11T03:00:00Z",
        "2026-01-18T03:00:00Z",
        "2026-01-25T03:00:00Z",
    ]
    assert scan["schedule"]["runs_on_creation"] is True
    assert (extra["key"], extra["title"]) == ("QuickSetup-Extra-web-1",) * 2
    assert extra["targets"] == "instances in resource group web"
    assert extra["schedule"]["next_runs"][:2] == ["2026-01-05T12:00:00Z", "2026-01-05T16:00:00Z"]
    assert extra["schedule"]["runs_on_creation"] is False
    assert len(config["not_configured"]) == len(CATALOGUE) + len(settings()) - 1


def test_fails_when_there_is_no_cloud_assembly(tmp_path):
    code, out, err = plan(str(tmp_path / "missing"))
    assert code == 2
    assert out == ""
    assert "error: no cloud assembly in" in err and "cdk synth" in err
    assert len(err.strip().splitlines()) == 1


def test_fails_when_the_assembly_has_no_configuration(tmp_path):
    directory = write_assembly(
        tmp_path / "out", {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}
    )
    code, _, err = plan(str(directory))
    assert code == 2
    assert "no Quick Setup configuration in the cloud assembly" in err


def test_fails_when_a_template_is_not_json(tmp_path):
    directory = write_assembly(tmp_path / "out", {})
    (directory / "App.template.json").write_text("Resources: [")
    code, _, err = plan(str(directory))
    assert code == 2
    assert "App.template.json is not valid JSON" in err
