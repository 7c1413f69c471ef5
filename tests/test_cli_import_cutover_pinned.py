"""`quicksetup import`'s cut-over plan, pinned whole: each test reads the console's
configurations with botocore's Stubber and asserts the whole plan that ``--output json`` gives
(every step's title, commands and notes, in order), or the one line of a refusal.

The plan's rules are docs/moving.md's ("The cut-over plan"): the console's inventory collection
stops before ``cdk deploy``; a console Default Host Management Configuration is dealt with before
the deploy (a manager that holds only it is deleted, otherwise its definition is removed in the
console); ``preflight`` runs once per Region with ``--migrating-from`` before, and without it as
the gate of the deploy; the console's managers are deleted after the deploy; ``status`` checks
each stack. The commands are the AWS CLI's for the API's calls (botocore's ``ssm-quicksetup``
model: ``UpdateConfigurationDefinition`` requires ``ManagerArn`` and ``Id`` and takes
``Parameters``, a map of strings; ``DeleteConfigurationManager`` and ``GetConfigurationManager``
require ``ManagerArn``; the ``ssm`` model: ``DeleteAssociation`` takes ``AssociationId``).

These tests call the CLI in this process, without the CDK: no synth, no Node.js.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from click.testing import CliRunner

from quicksetup_constructs.cli.aws import Aws
from quicksetup_constructs.cli.main import main

from . import cli_json
from .quicksetup_stubs import expect_managers

ACCOUNT = "111122223333"
REGION = "us-east-1"
MANAGER_ARN = (
    f"arn:aws:ssm-quicksetup:{REGION}:{ACCOUNT}:configuration-manager/"
    "7cac1a1b-64a9-4c9a-97e8-8c68928b8f13"
)
DHMC_ARN = MANAGER_ARN[:-4] + "0000"
HOST_MANAGEMENT = "AWSQuickSetupType-SSMHostMgmt"
DHMC = "AWSQuickSetupType-DHMC"
# Two other types of the API's list (ConfigurationDefinitionInput.Parameters): "Patch Policy
# (Type: ...QuickSetupType-PatchPolicy)", "Config Recording (Type: ...QuickSetupType-CFGRecording)".
PATCH_POLICY = "AWSQuickSetupType-PatchPolicy"
CONFIG_RECORDING = "AWSQuickSetupType-CFGRecording"
ADMINISTRATION_ROLE = f"arn:aws:iam::{ACCOUNT}:role/AWS-QuickSetup-LocalAdministrationRole"
EXECUTION_ROLE = "AWS-QuickSetup-LocalExecutionRole"
"""The current console's local deployment roles (Quick Setup user guide, getting started)."""

# The console's answers --------------------------------------------------------------------------


def manager(arn: str, name: str, *definitions: dict[str, Any]) -> dict[str, Any]:
    """A ``GetConfigurationManager`` answer."""
    return {"ManagerArn": arn, "Name": name, "ConfigurationDefinitions": list(definitions)}


def definition(kind: str, id: str, **parameters: str) -> dict[str, Any]:
    return {"Id": id, "Type": kind, "Parameters": parameters}


def local(id: str = "abcd1", **parameters: str) -> dict[str, Any]:
    """A Host Management definition over this account and Region: the API's defaults (every
    instance, CollectInventory "true")."""
    return definition(
        HOST_MANAGEMENT, id, **{"TargetAccounts": ACCOUNT, "TargetRegions": REGION, **parameters}
    )


def dhmc(id: str = "dh001") -> dict[str, Any]:
    """A Default Host Management definition: TargetOrganizationalUnits and TargetRegions, both
    "(Required)" for AWSQuickSetupType-DHMC."""
    return definition(DHMC, id, TargetOrganizationalUnits="r-abcd", TargetRegions=REGION)


def legacy(option: str, number: int, document: str) -> dict[str, Any]:
    """An association of the older console (``AWS-QuickSetup-SSMHostMgmt-<Option>-<id>``) over
    every instance (``Key=InstanceIds,Values=*``), configuration ``qm255``."""
    return {
        "AssociationName": f"AWS-QuickSetup-SSMHostMgmt-{option}-qm255",
        "AssociationId": f"{number:08d}-2222-4333-8444-555555555555",
        "Name": document,
        "Targets": [{"Key": "InstanceIds", "Values": ["*"]}],
    }


def import_plan(
    *managers: dict[str, Any],
    associations: tuple[dict[str, Any], ...] = (),
    described: dict[str, dict[str, list[str]]] | None = None,
    args: tuple[str, ...] = (),
) -> Any:
    """``quicksetup import --output json`` against the account's answers (``described``:
    ``DescribeAssociation``'s parameters, by association id, in the order they are asked)."""
    aws = Aws(
        boto3.Session(
            region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
        ),
        account=ACCOUNT,
    )
    quicksetup, ssm = Stubber(aws.client("ssm-quicksetup")), Stubber(aws.client("ssm"))
    expect_managers(quicksetup, *managers)
    ssm.add_response("list_associations", {"Associations": list(associations)}, {})
    for association_id, parameters in (described or {}).items():
        ssm.add_response(
            "describe_association",
            {"AssociationDescription": {"Parameters": parameters}},
            {"AssociationId": association_id},
        )
    with quicksetup, ssm:
        result = CliRunner().invoke(
            main, ["import", "--output", "json", *args], obj=aws, catch_exceptions=False
        )
    return result


def plan_of(*managers: dict[str, Any], **options: Any) -> list[dict[str, Any]]:
    result = import_plan(*managers, **options)
    assert result.exit_code == 0, result.output
    return cli_json.data(result.stdout)["cutover"]


def step(title: str, commands: list[str], notes: list[str]) -> dict[str, Any]:
    return {"title": title, "commands": commands, "notes": notes}


def without_both_run(plan: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The plan without its "both run" step, whose notes for a configuration manager's Host
    Management miss the instance profile one (see the xfail test below)."""
    return [s for s in plan if s["title"] != BOTH_RUN]


# The plan's words (docs/moving.md, "The cut-over plan") ---------------------------------------

CHECK = "Synthesize the app and check the account for what it will meet"
STOP_INVENTORY = "Before the deploy: stop the console's inventory collection"
DEPLOY = "Deploy the app"
BOTH_RUN = "Until the console's configurations are deleted, both run"
DELETE = "Delete the console's configurations"
STATUS = "Check every option of the new configurations"

SYNTH = "cdk synth --app 'python app.py' --quiet"
GATE = f"quicksetup preflight cdk.out --region {REGION} --home-region {REGION}"
"""The preflight of the deploy step: no --migrating-from."""
ONCE_PER_REGION = (
    "preflight runs once per Region of the app's stacks (a local configuration deploys to its "
    "stack's Region)."
)
MIGRATING_NOTE = (
    "--migrating-from: what preflight finds about the console's own inventory associations and "
    "Default Host Management is a note, not an error, as the next steps remove it before the "
    "deploy; anything else it reports as an error stops the cut-over here."
)
ORGANIZATION_NOTE = (
    "An organization configuration's associations run in the member accounts: with these "
    "credentials preflight compares the console's managers only; run it with a member "
    "account's credentials to check one."
)
WHY_INVENTORY_FIRST = (
    'AWS fails a second inventory association over all instances of a Region ("Multiple apply '
    "all associations with document 'AWS-GatherSoftwareInventory' are not supported\", "
    "Inventory troubleshooting), and targeted ones that reach one instance fail to run on it: "
    "the app's inventory association can only come once the console's is gone. Inventory is "
    "not collected until the deploy; every other option of the console keeps running."
)
GATE_NOTE = (
    "preflight without --migrating-from: it passes once what the previous steps removed is "
    "gone (Quick Setup applies a change in the background; run it again until it does)."
)
AGENTS_TWICE = "SSM Agent and CloudWatch agent updates may run twice; they are idempotent."
INVENTORY_ONCE = "Inventory runs once: the console's was stopped before the deploy."
ROLE_NOTE = (
    "ROLE: a role that every member account lets this account assume to read its associations "
    "(e.g. OrganizationAccountAccessRole)."
)
SETTING_OFF_MEANWHILE = (
    "Until the deploy, the setting may be off: instances managed through it alone are not "
    "managed meanwhile; the deploy sets it again."
)


def migrating(*sources: str) -> str:
    return GATE + "".join(f" --migrating-from {source}" for source in sources)


def inventory_off(arn: str, id: str, parameters: str) -> str:
    """The definition written back as it is, CollectInventory "false"."""
    return (
        f"aws ssm-quicksetup update-configuration-definition --manager-arn {arn} --id {id} "
        f"--parameters '{parameters}' --region {REGION}"
    )


def delete_manager(arn: str) -> str:
    return f"aws ssm-quicksetup delete-configuration-manager --manager-arn {arn} --region {REGION}"


def as_it_is(name: str, id: str) -> str:
    return (
        f'{name}: definition {id} as it is, with CollectInventory "false" (the API has no call '
        "that deletes one association of a definition)."
    )


def scans_twice(stack: str) -> str:
    return (
        f"{stack} ({ACCOUNT}, {REGION}): two daily patch scans; each overwrites the instances' "
        "patch compliance with its own result."
    )


def profile_kept(stack: str) -> str:
    return (
        f"{stack} ({ACCOUNT}, {REGION}): instances that have the console's instance profile keep "
        "it; the app attaches its own only to instances that have none."
    )


# The console's default Host Management ------------------------------------------------------------


def test_the_default_console_s_plan_stops_inventory_first_and_gates_the_deploy():
    # docs/moving.md's example, whole: all instances, inventory on.
    plan = plan_of(manager(MANAGER_ARN, "prod-hosts", local()))
    assert without_both_run(plan) == [
        step(CHECK, [SYNTH, migrating(MANAGER_ARN)], [ONCE_PER_REGION, MIGRATING_NOTE]),
        step(
            STOP_INVENTORY,
            [
                inventory_off(
                    MANAGER_ARN,
                    "abcd1",
                    '{"TargetAccounts":"111122223333","TargetRegions":"us-east-1",'
                    '"CollectInventory":"false"}',
                )
            ],
            [as_it_is("prod-hosts", "abcd1"), WHY_INVENTORY_FIRST],
        ),
        step(DEPLOY, [GATE, "cdk deploy --app 'python app.py' ProdHosts"], [GATE_NOTE]),
        step(DELETE, [delete_manager(MANAGER_ARN)], []),
        step(STATUS, [f"quicksetup status --stack ProdHosts --region {REGION}"], []),
    ]
    assert [s["title"] for s in plan] == [CHECK, STOP_INVENTORY, DEPLOY, BOTH_RUN, DELETE, STATUS]


def test_without_console_inventory_nothing_is_stopped_and_the_deploy_has_no_gate():
    plan = plan_of(manager(MANAGER_ARN, "prod-hosts", local(CollectInventory="false")))
    assert without_both_run(plan) == [
        step(CHECK, [SYNTH, migrating(MANAGER_ARN)], [ONCE_PER_REGION]),
        step(DEPLOY, ["cdk deploy --app 'python app.py' ProdHosts"], []),
        step(DELETE, [delete_manager(MANAGER_ARN)], []),
        step(STATUS, [f"quicksetup status --stack ProdHosts --region {REGION}"], []),
    ]


def test_both_run_names_the_console_s_instance_profile_for_a_host_management_definition():
    plan = plan_of(manager(MANAGER_ARN, "prod-hosts", local()))
    [both] = [s for s in plan if s["title"] == BOTH_RUN]
    assert both == step(
        BOTH_RUN,
        [],
        [scans_twice("ProdHosts"), profile_kept("ProdHosts"), INVENTORY_ONCE, AGENTS_TWICE],
    )


def test_a_definition_with_inventory_off_before_one_with_it_on_still_gets_its_stop():
    plan = plan_of(
        manager(
            MANAGER_ARN,
            "prod-hosts",
            local("off01", CollectInventory="false"),
            local("on001", TargetRegions="eu-west-1"),
        )
    )
    [stop] = [s for s in plan if s["title"] == STOP_INVENTORY]
    assert stop == step(
        STOP_INVENTORY,
        [
            f"aws ssm-quicksetup update-configuration-definition --manager-arn {MANAGER_ARN} "
            "--id on001 --parameters "
            '\'{"TargetAccounts":"111122223333","TargetRegions":"eu-west-1",'
            '"CollectInventory":"false"}\' --region us-east-1'
        ],
        [as_it_is("prod-hosts", "on001"), WHY_INVENTORY_FIRST],
    )


def test_the_inventory_stop_writes_back_non_ascii_parameters_as_they_are():
    # The definition is written back as it is: a parameter this version does not import (a
    # warning) stays in it, and its value is sent as it is, not as JSON's \uXXXX escapes (the
    # user's shell passes UTF-8 to the AWS CLI).
    plan = plan_of(manager(MANAGER_ARN, "prod-hosts", local(Description="hôtes de prod")))
    [stop] = [s for s in plan if s["title"] == STOP_INVENTORY]
    assert stop["commands"] == [
        inventory_off(
            MANAGER_ARN,
            "abcd1",
            '{"TargetAccounts":"111122223333","TargetRegions":"us-east-1",'
            '"Description":"hôtes de prod","CollectInventory":"false"}',
        )
    ]


def test_a_definition_id_no_command_can_carry_is_turned_off_in_the_console_and_the_next_is_not():
    # GetConfigurationManager's Id is a string with no pattern in the model: a control
    # character in it cannot be carried by a printed command, so the plan says where to go.
    plan = plan_of(
        manager(
            MANAGER_ARN,
            "prod-hosts",
            local("ab\x1bcd"),
            local("abcd2", TargetRegions="eu-west-1"),
        )
    )
    [stop] = [s for s in plan if s["title"] == STOP_INVENTORY]
    assert stop == step(
        STOP_INVENTORY,
        [
            inventory_off(
                MANAGER_ARN,
                "abcd2",
                '{"TargetAccounts":"111122223333","TargetRegions":"eu-west-1",'
                '"CollectInventory":"false"}',
            )
        ],
        [
            "prod-hosts: definition ab\\x1bcd: its id or parameters hold characters that no "
            "printed command can carry as they are: turn its inventory collection off in the "
            "console's Quick Setup.",
            as_it_is("prod-hosts", "abcd2"),
            WHY_INVENTORY_FIRST,
        ],
    )


# Default Host Management --------------------------------------------------------------------------


def test_a_manager_that_holds_only_dhmc_is_deleted_before_the_deploy_and_not_after():
    plan = plan_of(manager(DHMC_ARN, "dhmc", dhmc()))
    assert plan == [
        step(
            CHECK,
            [SYNTH, migrating(DHMC_ARN)],
            [ONCE_PER_REGION, MIGRATING_NOTE, ORGANIZATION_NOTE],
        ),
        step(
            "Before the deploy: delete the console's Default Host Management manager dhmc",
            [delete_manager(DHMC_ARN)],
            [
                "Deleting it after the deploy could turn off the setting the app has just set. "
                + SETTING_OFF_MEANWHILE
            ],
        ),
        step(DEPLOY, [GATE, "cdk deploy --app 'python app.py' Dhmc"], [GATE_NOTE]),
        step(BOTH_RUN, [], [AGENTS_TWICE]),
        step(
            STATUS,
            [f"quicksetup status --org --stack Dhmc --member-role ROLE --region {REGION}"],
            [ROLE_NOTE],
        ),
    ]


def dhmc_removal_notes(name: str, definitions: str, also: str = "") -> list[str]:
    return [
        "ssm-quicksetup has no call that deletes one definition (UpdateConfigurationDefinition "
        "changes its parameters, DeleteConfigurationManager deletes every definition): remove "
        f"definition {definitions} of {name} in the console's Quick Setup, then check with the "
        "command above that no AWSQuickSetupType-DHMC is listed.",
        f"If it cannot be removed alone, delete {name} now ({delete_manager(MANAGER_ARN)}): what "
        f"it configures then stops until the deploy.{also}",
        SETTING_OFF_MEANWHILE + " The manager itself is deleted with the console's other "
        "configurations, after the deploy.",
    ]


GET_TYPES = (
    f"aws ssm-quicksetup get-configuration-manager --manager-arn {MANAGER_ARN} --region {REGION} "
    "--query 'ConfigurationDefinitions[].Type'"
)


def test_a_manager_holding_dhmc_then_host_management_loses_its_dhmc_first_and_is_deleted_after():
    # Decisions: "its DHMC definition is removed when the manager holds other definitions".
    plan = plan_of(manager(MANAGER_ARN, "prod-hosts", dhmc(), local("hm001")))
    assert without_both_run(plan) == [
        step(
            CHECK,
            [SYNTH, migrating(MANAGER_ARN)],
            [ONCE_PER_REGION, MIGRATING_NOTE, ORGANIZATION_NOTE],
        ),
        step(
            STOP_INVENTORY,
            [
                inventory_off(
                    MANAGER_ARN,
                    "hm001",
                    '{"TargetAccounts":"111122223333","TargetRegions":"us-east-1",'
                    '"CollectInventory":"false"}',
                )
            ],
            [as_it_is("prod-hosts", "hm001"), WHY_INVENTORY_FIRST],
        ),
        step(
            "Before the deploy: remove the Default Host Management definition of prod-hosts",
            [GET_TYPES],
            dhmc_removal_notes("prod-hosts", "dh001"),
        ),
        step(
            DEPLOY,
            [GATE, "cdk deploy --app 'python app.py' ProdHostsDhmc ProdHosts"],
            [GATE_NOTE],
        ),
        step(DELETE, [delete_manager(MANAGER_ARN)], []),
        step(
            STATUS,
            [
                "quicksetup status --org --stack ProdHostsDhmc --member-role ROLE "
                f"--region {REGION}",
                f"quicksetup status --stack ProdHosts --region {REGION}",
            ],
            [ROLE_NOTE],
        ),
    ]


def test_a_manager_with_definitions_not_imported_names_each_and_what_its_deletion_takes():
    plan = plan_of(
        manager(
            MANAGER_ARN,
            "prod-hosts",
            local("hm001", CollectInventory="false"),
            dhmc("dh001"),
            dhmc("dh002"),
            definition(PATCH_POLICY, "pp001"),
            definition(CONFIG_RECORDING, "cr001"),
        )
    )
    [removal] = [s for s in plan if s["title"].startswith("Before the deploy: remove")]
    assert removal == step(
        "Before the deploy: remove the Default Host Management definition of prod-hosts",
        [GET_TYPES],
        dhmc_removal_notes(
            "prod-hosts",
            "dh001, dh002",
            f" Re-create what the app does not import: {PATCH_POLICY} pp001, "
            f"{CONFIG_RECORDING} cr001.",
        ),
    )
    [delete] = [s for s in plan if s["title"] == DELETE]
    assert delete == step(
        DELETE,
        [delete_manager(MANAGER_ARN)],
        [
            f"{MANAGER_ARN} also holds definitions that were not imported: deleting it deletes "
            "them too; delete only the imported ones in the console instead, if they must stay."
        ],
    )


# What the console deployed with, and what is not carried over ------------------------------------


def with_fields(answer: dict[str, Any], **fields: str) -> dict[str, Any]:
    """``answer`` (a definition) with GetConfigurationManager's other fields."""
    return {**answer, **fields}


def test_the_console_s_deployment_roles_and_type_version_are_notes_where_they_matter():
    plan = plan_of(
        manager(
            MANAGER_ARN,
            "prod-hosts",
            with_fields(
                local("hm001", CollectInventory="false"),
                TypeVersion="2.0",
                LocalDeploymentAdministrationRoleArn=ADMINISTRATION_ROLE,
                LocalDeploymentExecutionRoleName=EXECUTION_ROLE,
            ),
            definition(PATCH_POLICY, "pp001"),
        )
    )
    assert without_both_run(plan) == [
        step(
            CHECK,
            [SYNTH, migrating(MANAGER_ARN)],
            [
                ONCE_PER_REGION,
                "prod-hosts, definition hm001: the console's type version 2.0 is not carried "
                "over; `quicksetup plan cdk.out` shows what the app configures.",
            ],
        ),
        step(DEPLOY, ["cdk deploy --app 'python app.py' ProdHosts"], []),
        step(
            DELETE,
            [delete_manager(MANAGER_ARN)],
            [
                f"{MANAGER_ARN} also holds definitions that were not imported: deleting it "
                "deletes them too; delete only the imported ones in the console instead, if "
                "they must stay.",
                f"prod-hosts deployed definition hm001 through the administration role "
                f"{ADMINISTRATION_ROLE} and the execution role {EXECUTION_ROLE}: nothing in "
                "this plan deletes them; delete them once nothing else uses them.",
            ],
        ),
        step(STATUS, [f"quicksetup status --stack ProdHosts --region {REGION}"], []),
    ]


@pytest.mark.parametrize(
    ("field", "value", "through"),
    [
        (
            "LocalDeploymentAdministrationRoleArn",
            ADMINISTRATION_ROLE,
            f"the administration role {ADMINISTRATION_ROLE}",
        ),
        (
            "LocalDeploymentExecutionRoleName",
            EXECUTION_ROLE,
            f"the execution role {EXECUTION_ROLE}",
        ),
    ],
)
def test_one_deployment_role_alone_is_named_in_the_deletion_step(field, value, through):
    plan = plan_of(
        manager(
            MANAGER_ARN,
            "prod-hosts",
            with_fields(local("hm001", CollectInventory="false"), **{field: value}),
        )
    )
    assert plan[-2] == step(
        DELETE,
        [delete_manager(MANAGER_ARN)],
        [
            f"prod-hosts deployed definition hm001 through {through}: nothing in this plan "
            "deletes them; delete them once nothing else uses them."
        ],
    )


# The older console ------------------------------------------------------------------------------

OLDER_AGENT = legacy("UpdateSSMAgent", 1, "AWS-UpdateSSMAgent")
OLDER_INVENTORY = legacy("CollectInventory", 2, "AWS-GatherSoftwareInventory")
OLDER_ATTACH = legacy("AttachIAMToInstance", 3, "AWSQuickSetup-CreateAndAttachIAMToInstance-qm255")
OLDER_SCAN = legacy("ScanForPatches", 4, "AWS-RunPatchBaseline")
ATTACH_PARAMETERS = {OLDER_ATTACH["AssociationId"]: {"IsPolicyAttachAllowed": ["false"]}}


def test_the_older_console_s_inventory_association_is_deleted_first_and_its_configuration_after():
    older = (OLDER_AGENT, OLDER_INVENTORY, OLDER_ATTACH, OLDER_SCAN)
    plan = plan_of(associations=older, described=ATTACH_PARAMETERS)
    names = ", ".join(association["AssociationName"] for association in older)
    assert plan == [
        step(
            CHECK,
            [SYNTH, migrating("AWS-QuickSetup-SSMHostMgmt-")],
            [ONCE_PER_REGION, MIGRATING_NOTE],
        ),
        step(
            STOP_INVENTORY,
            [
                "aws ssm delete-association --association-id "
                f"{OLDER_INVENTORY['AssociationId']} --region {REGION}"
            ],
            [
                f"{OLDER_INVENTORY['AssociationName']}: the older console's inventory "
                "association of configuration qm255.",
                WHY_INVENTORY_FIRST,
            ],
        ),
        step(DEPLOY, [GATE, "cdk deploy --app 'python app.py' ConsoleQm255"], [GATE_NOTE]),
        step(
            BOTH_RUN,
            [],
            [
                scans_twice("ConsoleQm255"),
                profile_kept("ConsoleQm255"),
                INVENTORY_ONCE,
                AGENTS_TWICE,
            ],
        ),
        step(
            DELETE,
            [],
            [
                "Console configuration qm255 (before configuration managers): delete it on the "
                f"Quick Setup page of the console; its associations are {names}."
            ],
        ),
        step(STATUS, [f"quicksetup status --stack ConsoleQm255 --region {REGION}"], []),
    ]


def test_an_older_association_id_no_command_can_carry_is_deleted_in_the_console_and_the_next_not():
    # ListAssociations' AssociationId has a pattern in the model, which an endpoint need not
    # keep; a control character cannot be carried by a printed command. Association names are
    # not unique in State Manager: a second inventory association of the configuration still
    # gets its command.
    unprintable = {**OLDER_INVENTORY, "AssociationId": "00000002-2222-4333-8444-5555555555\x1b5"}
    second = legacy("CollectInventory", 5, "AWS-GatherSoftwareInventory")
    plan = plan_of(associations=(unprintable, second))
    [stop] = [s for s in plan if s["title"] == STOP_INVENTORY]
    assert stop == step(
        STOP_INVENTORY,
        [
            "aws ssm delete-association --association-id "
            f"{second['AssociationId']} --region {REGION}"
        ],
        [
            f"{unprintable['AssociationName']}: the older console's inventory association of "
            "configuration qm255: its id holds characters that no printed command can carry as "
            "they are: delete it in the console.",
            f"{second['AssociationName']}: the older console's inventory association of "
            "configuration qm255.",
            WHY_INVENTORY_FIRST,
        ],
    )


# The output file --------------------------------------------------------------------------------


def test_an_output_file_name_no_command_can_carry_is_one_line_and_nothing_is_written(tmp_path):
    # The plan's `cdk synth --app 'python FILE'` must carry the name exactly, or not be printed.
    output = tmp_path / "app\x1b.py"
    result = import_plan(
        manager(MANAGER_ARN, "prod-hosts", local()), args=("--output-file", str(output))
    )
    assert result.exit_code == 2, result.output
    error = cli_json.envelope(result.stdout)["error"]
    assert error["message"] == (
        f"the output file: {str(output).replace(chr(27), chr(92) + 'x1b')!r} holds characters "
        "that no printed command can carry as they are"
    )
    assert list(tmp_path.iterdir()) == []


# What import refuses to read: one line that names the field --------------------------------------
# The CDK resolves ``${Token[...]}`` at synth (the app would turn the value into a reference);
# UTF-8 cannot encode a lone surrogate. The line names the field by its path in the answer
# (GetConfigurationManager's ``ConfigurationDefinitions[].Parameters``).

TOKEN = "${Token[AWS.AccountId.8]}"
WHERE = f"configuration manager {MANAGER_ARN}"


def refusal(*managers: dict[str, Any]) -> str:
    result = import_plan(*managers)
    assert result.exit_code == 2, result.output
    return cli_json.envelope(result.stdout)["error"]["message"]


def test_cdk_token_syntax_in_a_parameter_value_is_refused_naming_its_path():
    message = refusal(manager(MANAGER_ARN, "prod-hosts", local(ScanInstances=TOKEN)))
    assert message == (
        f"{WHERE}: ConfigurationDefinitions[0].Parameters.ScanInstances holds CDK token syntax "
        f"('{TOKEN}'), which the app would resolve at synth"
    )


def test_cdk_token_syntax_in_a_parameter_key_is_refused_naming_it_a_key():
    message = refusal(manager(MANAGER_ARN, "prod-hosts", local(**{TOKEN: "true"})))
    assert message == (
        f"{WHERE}: ConfigurationDefinitions[0].Parameters.{TOKEN} (a key) holds CDK token "
        f"syntax ('{TOKEN}'), which the app would resolve at synth"
    )


def test_a_lone_surrogate_in_a_parameter_value_is_refused_naming_its_path():
    message = refusal(manager(MANAGER_ARN, "prod-hosts", local(ScanInstances="\ud800")))
    assert message == (
        f"{WHERE}: ConfigurationDefinitions[0].Parameters.ScanInstances holds a lone surrogate "
        "('\\\\ud800'), which UTF-8 cannot encode"
    )


# Naming and what is left out ------------------------------------------------------------------


def test_a_manager_without_a_name_is_named_after_the_end_of_its_arn():
    # Name is optional in CreateConfigurationManager; the id is the ARN's last 8 characters in
    # PascalCase, after "Manager" ("7cac1a1b-...-8c68928b8f13" ends "928b8f13", whose leading
    # digit gets a Q: a Python and CloudFormation identifier starts with a letter).
    plan = plan_of(manager(MANAGER_ARN, "", local(CollectInventory="false")))
    [deploy] = [s for s in plan if s["title"] == DEPLOY]
    assert deploy["commands"] == ["cdk deploy --app 'python app.py' ManagerQ928b8f13"]


def test_an_unknown_manager_is_one_line_that_says_where_to_list_them():
    result = import_plan(manager(MANAGER_ARN, "prod-hosts", local()), args=("--manager", "nope"))
    assert result.exit_code == 2, result.output
    assert cli_json.envelope(result.stdout)["error"]["message"] == (
        f"no configuration manager named 'nope' in {REGION} (account {ACCOUNT}) (see `aws "
        "ssm-quicksetup list-configuration-managers`)"
    )


def test_a_definition_of_another_type_is_one_warning_line_naming_its_type():
    result = import_plan(
        manager(MANAGER_ARN, "prod-hosts", local(), definition(PATCH_POLICY, "pp001"))
    )
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"warning: configuration manager prod-hosts: definition pp001 of type {PATCH_POLICY} is "
        "not imported: this library configures Host Management and Default Host Management only"
    ]
