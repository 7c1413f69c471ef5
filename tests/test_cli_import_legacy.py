"""`quicksetup import` of the older console's configurations (Quick Setup before configuration
managers): State Manager associations named ``AWS-QuickSetup-SSMHostMgmt-<Option>-<id>``, read
with botocore's Stubber, imported through the real command, the app synthesized once.

What each option of the older console ran, and when, is AWS's Host Management template (the
CloudFormation template the console deployed; AWS-published copy ``AWS-QuickSetup-SSMHostMgmt
.yaml`` in aws-samples/logging-monitoring-apg-guide-examples): documents, parameters and
``ScheduleExpression`` of each ``AWS-QuickSetup-SSMHostMgmt-<Option>-<id>`` association. The
user guide's Quick Setup page (the seed's copy, and awsdocs/aws-systems-manager-user-guide
``systems-manager-quick-setup.md``) says the same in words: SSM Agent checked every two weeks,
inventory every 30 minutes, "Scan instances for missing patches daily", the CloudWatch agent
installed and configured once, and updated every four weeks (the template: ``rate(30 days)``).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from .quicksetup_stubs import expect_managers
from .test_cli_import import (
    associations_of,
    expect_associations,
    legacy_association,
    run,
    runs_package,
    stubbed,
    synthesize,
)

TWO_WEEKS, THIRTY_MINUTES, DAILY, THIRTY_DAYS = (
    "rate(14 days)",
    "rate(30 minutes)",
    "rate(1 day)",
    "rate(30 days)",
)
OPTIONS: dict[str, tuple[str, str | None, str]] = {
    "AttachIAMToInstance": (
        "AWSQuickSetup-CreateAndAttachIAMToInstance-{id}",
        THIRTY_DAYS,
        "attach_instance_profile",
    ),
    "UpdateIAMForInstanceMgmt": (
        "AWSQuickSetup-UpdateExistingInstanceProfile-{id}",
        THIRTY_DAYS,
        "attach_instance_profile",
    ),
    "EnableExplorer": ("AWS-EnableExplorer", None, "enable_explorer"),
    "UpdateSSMAgent": ("AWS-UpdateSSMAgent", TWO_WEEKS, "update_ssm_agent"),
    "CollectInventory": ("AWS-GatherSoftwareInventory", THIRTY_MINUTES, "collect_inventory"),
    "ScanForPatches": ("AWS-RunPatchBaselineAssociation", DAILY, "scan_for_patches"),
    "ManageCloudWatchAgent": (
        "AWSQuickSetup-InstallAndManageCloudWatchDocument-{id}",
        None,
        "install_cloudwatch_agent",
    ),
    "UpdateCloudWatchAgent": (
        "UpdateCloudWatchDocument-{id}",
        THIRTY_DAYS,
        "update_cloudwatch_agent",
    ),
}
"""Each option of the older console (its association name's ``<Option>``): the document the
template associates, its schedule (None: no ``ScheduleExpression``, it runs once), and the prop
of QuickSetupLocal that is the same option."""
SWITCHES = (
    "update_ssm_agent",
    "update_ec2_launch_agent",
    "collect_inventory",
    "scan_for_patches",
    "install_cloudwatch_agent",
    "update_cloudwatch_agent",
    "attach_instance_profile",
    "enable_explorer",
)
"""Every on/off prop: an option is on in the app exactly when its association was there."""
KEPT = "rate(3 days)"
"""A schedule the user gave an association in place of the console's: kept by the app."""
PROFILE = "MyInstanceProfile"
"""UpdateIAMForInstanceMgmt's ``InstanceProfile``: the profile the user chose in the console."""
CONFIGURATIONS = {option: f"qs{number}" for number, option in enumerate(OPTIONS, 1)}
"""One older console configuration per option, holding that option's association alone."""
RESCHEDULED = {
    option: f"rs{number}"
    for number, option in enumerate(OPTIONS, 1)
    if OPTIONS[option][1] is not None
}
"""And one per scheduled option, its association on :data:`KEPT`."""


def team(configuration: str) -> list[dict[str, Any]]:
    return [{"Key": "tag:Team", "Values": [configuration]}]


def older_association(
    option: str, configuration: str, number: int, schedule: str | None
) -> dict[str, Any]:
    """The association as ``ListAssociations`` gives it. EnableExplorer has no targets (the
    template: its runbook acts on the account)."""
    document = OPTIONS[option][0].format(id=configuration)
    association = legacy_association(
        option, configuration, team(configuration), schedule, document, number
    )
    if option == "EnableExplorer":
        del association["Targets"]
    return association


def construct_props(code: str, construct: str) -> dict[str, Any]:
    """The keyword arguments of the app's ``QuickSetupLocal(stack, "<construct>", ...)``:
    literals as values, calls as their source."""
    [call] = [
        node
        for node in ast.walk(ast.parse(code))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "QuickSetupLocal"
        and ast.literal_eval(node.args[1]) == construct
    ]
    return {
        keyword.arg: ast.get_source_segment(code, keyword.value)
        if isinstance(keyword.value, ast.Call)
        else ast.literal_eval(keyword.value)
        for keyword in call.keywords
    }


def stack_id(configuration: str) -> str:
    return "Console" + configuration[:1].upper() + configuration[1:]


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> dict[str, Any]:
    """Every option, each in an older console configuration of its own (and each scheduled
    one again, on :data:`KEPT`), imported in one run and synthesized once."""
    associations, described = [], []
    for schedules, configurations in ((False, CONFIGURATIONS), (True, RESCHEDULED)):
        for option, configuration in configurations.items():
            schedule = KEPT if schedules else OPTIONS[option][1]
            associations.append(
                older_association(option, configuration, len(associations) + 1, schedule)
            )
            if option == "AttachIAMToInstance":
                described.append((associations[-1], {"IsPolicyAttachAllowed": ["true"]}))
            if option == "UpdateIAMForInstanceMgmt":
                described.append((associations[-1], {"InstanceProfile": [PROFILE]}))
    aws, quicksetup, ssm = stubbed()
    expect_managers(quicksetup)
    expect_associations(ssm, *associations)
    for association, parameters in described:
        ssm.add_response(
            "describe_association",
            {"AssociationDescription": {"Parameters": parameters}},
            {"AssociationId": association["AssociationId"]},
        )
    result = run(aws, (quicksetup, ssm), [])
    assert result.exit_code == 0, result.output
    templates = synthesize(result.stdout, tmp_path_factory.mktemp("older"))
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    return {"code": result.stdout, "warnings": warnings, "templates": templates}


def check_option(imported: dict[str, Any], option: str) -> dict[str, Any]:
    """The option's configuration: in the app, its prop on and every other one off, its
    targets kept, no schedule of its own; once synthesized, one association, on the
    console's schedule and targets. Returns that association."""
    _, schedule, prop = OPTIONS[option]
    configuration = CONFIGURATIONS[option]
    props = construct_props(imported["code"], stack_id(configuration))
    assert {switch: props[switch] for switch in SWITCHES} == {
        switch: switch == prop for switch in SWITCHES
    }
    assert "schedules" not in props, "the console's schedule is the app's own"
    [association] = associations_of(imported["templates"][stack_id(configuration)])
    assert association.get("ScheduleExpression") == schedule
    if option == "EnableExplorer":
        assert "targets" not in props and "Targets" not in association
    else:
        assert props["targets"] == f'InstanceTargets.tag("Team", "{configuration}")'
        assert association["Targets"] == team(configuration)
    return association


def check_kept(imported: dict[str, Any], option: str) -> None:
    """The option's association on :data:`KEPT`: the app keeps that schedule."""
    _, _, prop = OPTIONS[option]
    configuration = stack_id(RESCHEDULED[option])
    assert construct_props(imported["code"], configuration)["schedules"] == {prop: KEPT}
    [association] = associations_of(imported["templates"][configuration])
    assert association["ScheduleExpression"] == KEPT


# One test per option of the older console ---------------------------------------------------


def test_attach_iam_to_instance_attaches_a_profile_monthly_with_its_policy_attach(imported):
    """The template: "AttachIAMToInstance", rate(30 days), IsPolicyAttachAllowed passed to the
    runbook ("true": the policies go to the role of a profile the instance already has)."""
    association = check_option(imported, "AttachIAMToInstance")
    assert association["AutomationTargetParameterName"] == "InstanceId"
    assert association["Parameters"]["AllowPolicyAttach"] == ["true"]
    assert construct_props(imported["code"], "ConsoleQs1")["allow_policy_attach"] is True
    check_kept(imported, "AttachIAMToInstance")


def test_update_iam_for_instance_mgmt_attaches_a_profile_and_names_the_user_s_one(imported):
    """The template's UpdateIAMForInstanceMgmt (a profile the user supplied): rate(30 days);
    its InstanceProfile is not a prop: a warning names it; no IsPolicyAttachAllowed is
    passed, so policies are not attached to existing profiles ("Quick Setup doesn't
    override instance profiles that already exist on your instances", the user guide)."""
    association = check_option(imported, "UpdateIAMForInstanceMgmt")
    assert association["Parameters"]["AllowPolicyAttach"] == ["false"]
    assert construct_props(imported["code"], "ConsoleQs2")["allow_policy_attach"] is False
    [warning] = [line for line in imported["warnings"] if " qs2 " in line]
    assert warning.startswith("warning: console configuration qs2 ") and PROFILE in warning
    check_kept(imported, "UpdateIAMForInstanceMgmt")


def test_enable_explorer_runs_aws_enable_explorer_once_on_the_account(imported):
    """The template: AWS-EnableExplorer, no schedule, no targets."""
    association = check_option(imported, "EnableExplorer")
    assert association["Document"] == "AWS-EnableExplorer"


def test_update_ssm_agent_updates_the_agent_every_two_weeks(imported):
    """The template: AWS-UpdateSSMAgent, rate(14 days) (the user guide: every two weeks)."""
    association = check_option(imported, "UpdateSSMAgent")
    assert association["Document"] == "AWS-UpdateSSMAgent"
    check_kept(imported, "UpdateSSMAgent")


def test_collect_inventory_gathers_software_inventory_every_30_minutes(imported):
    """The template: AWS-GatherSoftwareInventory, rate(30 minutes)."""
    association = check_option(imported, "CollectInventory")
    assert association["Document"] == "AWS-GatherSoftwareInventory"
    check_kept(imported, "CollectInventory")


def test_scan_for_patches_scans_daily_with_compliance_synced_manually(imported):
    """The template: AWS-RunPatchBaselineAssociation, Operation=[Scan], rate(1 day),
    SyncCompliance MANUAL."""
    association = check_option(imported, "ScanForPatches")
    assert association["Document"] == "AWS-RunPatchBaselineAssociation"
    assert association["Parameters"]["Operation"] == ["Scan"]
    assert association["SyncCompliance"] == "MANUAL"
    check_kept(imported, "ScanForPatches")


def test_manage_cloudwatch_agent_installs_and_configures_the_agent_once(imported):
    """The template: its own Command document, AWS-ConfigureAWSPackage {action: Install, name:
    AmazonCloudWatchAgent} then AmazonCloudWatch-ManageAgent {action: configure}; no schedule
    (``AWS::NoValue``): it runs once, and no note says otherwise."""
    association = check_option(imported, "ManageCloudWatchAgent")
    document = association["Document"]
    assert runs_package(document, "AmazonCloudWatchAgent")
    assert "AmazonCloudWatch-ManageAgent" in [
        step["inputs"].get("documentPath") for step in document["mainSteps"]
    ]
    assert not [line for line in imported["warnings"] if "ManageCloudWatchAgent" in line]


def test_update_cloudwatch_agent_reinstalls_the_agent_every_30_days(imported):
    """The template: its own Command document, AWS-ConfigureAWSPackage {action: Install, name:
    AmazonCloudWatchAgent}, rate(30 days) ("once every 30 days", the 2023 user guide)."""
    association = check_option(imported, "UpdateCloudWatchAgent")
    assert runs_package(association["Document"], "AmazonCloudWatchAgent")
    check_kept(imported, "UpdateCloudWatchAgent")


# What is not imported, or not as it was ----------------------------------------------------------


def import_older(
    *associations: dict[str, Any],
    described: dict[str, Any] | None = None,
    args: tuple[str, ...] = (),
) -> Any:
    """`quicksetup import` of an account holding these older console associations only;
    ``described``: DescribeAssociation's parameters for its AttachIAMToInstance one."""
    aws, quicksetup, ssm = stubbed()
    expect_managers(quicksetup)
    expect_associations(ssm, *associations)
    for association in associations:
        if "AttachIAMToInstance" in association["AssociationName"]:
            ssm.add_response(
                "describe_association",
                {"AssociationDescription": {"Parameters": described or {}}},
                {"AssociationId": association["AssociationId"]},
            )
    return run(aws, (quicksetup, ssm), list(args))


def warnings_of(result: Any) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("warning: ")]


def comments_of(code: str) -> str:
    return " ".join(line[2:] for line in code.splitlines() if line.startswith("# "))


def agent(
    configuration: str = "qm255",
    targets: list[dict[str, Any]] | None = None,
    schedule: str | None = TWO_WEEKS,
    number: int = 1,
) -> dict[str, Any]:
    return legacy_association(
        "UpdateSSMAgent", configuration, targets or team("web"), schedule, number=number
    )


def test_an_unknown_older_console_option_is_a_warning_and_widens_nothing():
    unknown = legacy_association(
        "InstallEverything", "qm255", document="AWS-RunShellScript", number=2
    )  # over all instances
    result = import_older(agent(), unknown)
    assert result.exit_code == 0, result.output
    name = "AWS-QuickSetup-SSMHostMgmt-InstallEverything-qm255"
    assert warnings_of(result) == [
        (
            f"warning: console configuration qm255 (AWS-QuickSetup-SSMHostMgmt-*): association "
            f"{name} is not imported: its option is not one of Host Management's"
        )
    ]
    assert f"association {name} is not imported" in comments_of(result.stdout)
    props = construct_props(result.stdout, "ConsoleQm255")
    assert props["targets"] == 'InstanceTargets.tag("Team", "web")', "not all instances"
    assert [switch for switch in SWITCHES if props[switch]] == ["update_ssm_agent"]


def test_enable_explorer_without_targets_leaves_the_others_targets_as_they_are():
    explorer = older_association("EnableExplorer", "qm255", 2, None)
    result = import_older(agent(), explorer)
    assert result.exit_code == 0, result.output
    props = construct_props(result.stdout, "ConsoleQm255")
    assert props["targets"] == 'InstanceTargets.tag("Team", "web")'
    assert props["enable_explorer"] is True and props["update_ssm_agent"] is True


def test_unread_older_console_associations_are_named_in_a_warning():
    unread = ["AWS-QuickSetup-SSMHostMgmt-UpdateSSMAgent", "AWS-QuickSetup-SSMHostMgmt-Scan.x-1"]
    others = [dict(agent(number=n), AssociationName=name) for n, name in enumerate(unread, 2)]
    result = import_older(agent(), *others)
    assert result.exit_code == 0, result.output
    assert warnings_of(result) == [
        f"warning: association {name} is not imported: its name starts with "
        "AWS-QuickSetup-SSMHostMgmt- but is not "
        "AWS-QuickSetup-SSMHostMgmt-<Option>-<QSConfigurationId>"
        for name in unread
    ]
    assert all(
        f"association {name} is not imported" in comments_of(result.stdout) for name in unread
    )
    assert result.stdout.count("QuickSetupLocal(") == 1


def test_an_older_console_association_without_a_schedule_is_a_note_of_the_app_s_schedule():
    result = import_older(agent(schedule=None))
    assert result.exit_code == 0, result.output
    note = (
        "console configuration qm255 (AWS-QuickSetup-SSMHostMgmt-*): association "
        "AWS-QuickSetup-SSMHostMgmt-UpdateSSMAgent-qm255 has no schedule (State Manager ran "
        "it once); the app's update_ssm_agent runs on rate(14 days)"
    )
    assert warnings_of(result) == [f"warning: {note}"]
    assert note in comments_of(result.stdout)
    assert "schedules" not in construct_props(result.stdout, "ConsoleQm255")


def one_line_and_nothing_written(result: Any, directory: Path) -> str:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("error: console configuration qm255 "), line
    assert list(directory.iterdir()) == []
    return line


@pytest.mark.parametrize("allowed", [["True"], ["yes"], ["true", "false"], [" true"], []])
def test_is_policy_attach_allowed_neither_true_nor_false_is_one_line(allowed, tmp_path):
    """The runbook branches on IsPolicyAttachAllowed == 'true' (the template): any other value
    would silently be "false"."""
    attach = legacy_association(
        "AttachIAMToInstance",
        "qm255",
        team("web"),
        THIRTY_DAYS,
        "AWSQuickSetup-CreateAndAttachIAMToInstance-qm255",
    )
    result = import_older(
        attach,
        described={"IsPolicyAttachAllowed": allowed},
        args=("--output-file", str(tmp_path / "app.py")),
    )
    line = one_line_and_nothing_written(result, tmp_path)
    assert f"parameter IsPolicyAttachAllowed is {allowed!r}" in line
    assert line.endswith('the API gives ["true"] or ["false"]')


@pytest.mark.parametrize(
    "schedule", ["rate(10 minutes)", "rate(31 days)", "rate(1 days)", "every day"]
)
def test_an_older_console_schedule_the_app_cannot_keep_is_one_line(schedule, tmp_path):
    """Association schedules (user guide, "Reference: Cron and rate expressions for Systems
    Manager"): rates from 30 minutes to under 31 days, a singular unit for 1."""
    result = import_older(
        agent(schedule=schedule), args=("--output-file", str(tmp_path / "app.py"))
    )
    line = one_line_and_nothing_written(result, tmp_path)
    assert (
        f"association AWS-QuickSetup-SSMHostMgmt-UpdateSSMAgent-qm255 has the schedule "
        f"{schedule!r}, which the app cannot express: "
    ) in line


def test_an_older_console_association_without_targets_is_one_line_never_all_instances(tmp_path):
    """An association with no ``Targets`` is State Manager's older form: "InstanceId has been
    deprecated. To specify a managed node ID for an association, use the Targets parameter"
    (ssm API reference, CreateAssociation): it reached one instance, not every one."""
    older = agent()
    del older["Targets"]
    older["InstanceId"] = "i-0123456789abcdef0"
    result = import_older(older, args=("--output-file", str(tmp_path / "app.py")))
    line = one_line_and_nothing_written(result, tmp_path)
    assert "association AWS-QuickSetup-SSMHostMgmt-UpdateSSMAgent-qm255 has no Targets" in line
