"""`quicksetup import`: which console configuration is read, and what is refused on reading it.

Each test feeds `quicksetup import` one account's answers on botocore's Stubber, which checks
them against the ``ssm-quicksetup`` and ``ssm`` service models, and asserts the whole object
the user reads: the ``configurations`` of ``--output json``, or the one line of a refusal.
Nothing is synthesized, so nothing here starts Node.js.

The shapes are botocore's service models: ``ListConfigurationManagers`` gives summaries
(``ManagerArn`` required; ``Name`` and ``ConfigurationDefinitionSummaries``, each with its
``Type``, optional); ``GetConfigurationManager`` gives ``ManagerArn`` (required), ``Name`` and
``ConfigurationDefinitions`` (optional), each definition with ``Type`` and ``Parameters``
(required), ``Id``, ``TypeVersion``, ``LocalDeploymentAdministrationRoleArn`` and
``LocalDeploymentExecutionRoleName`` (optional). ``ssm``'s ``Association`` has every member
optional, ``AssociationName`` included.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.stub import Stubber
from click.testing import CliRunner

from quicksetup_constructs.cli.aws import Aws
from quicksetup_constructs.cli.importer.code import Code, literal
from quicksetup_constructs.cli.importer.console import Definition, Manager, read_managers
from quicksetup_constructs.cli.main import main

from . import cli_json
from .test_cli_import_translate_pinned import (
    ACCOUNT,
    DHMC,
    HOST_MANAGEMENT,
    MANAGER,
    MANAGER_ARN,
    OLDER,
    REGION,
    configurations,
    imported,
    local,
    older,
    refusal,
    session,
    switches,
)

OTHER_ARN = f"arn:aws:ssm-quicksetup:{REGION}:{ACCOUNT}:configuration-manager/0a1b2c3d-dev"
PATCH_POLICY = "AWSQuickSetupType-PatchPolicy"
TOKEN = "${Token[AWS.Region.9]}"
"""The CDK's string token encoding (``${Token[KEY]}``): the app would resolve it at synth."""
OLDER_NAME = "AWS-QuickSetup-SSMHostMgmt-UpdateSSMAgent-qm255"


def manager(arn: str, name: str | None, *definitions: dict[str, Any]) -> dict[str, Any]:
    """``GetConfigurationManager``'s answer (no ``Name`` when ``name`` is None)."""
    described: dict[str, Any] = {"ManagerArn": arn, "ConfigurationDefinitions": list(definitions)}
    if name is not None:
        described["Name"] = name
    return described


def run(
    summaries: list[dict[str, Any]],
    described: list[dict[str, Any]],
    *args: str,
    associations: list[dict[str, Any]] | None = None,
    descriptions: tuple[dict[str, Any], ...] = (),
) -> Any:
    """`quicksetup import` where ``ListConfigurationManagers`` gives ``summaries``,
    ``GetConfigurationManager`` is asked for ``described`` in order, and ``ListAssociations``
    gives ``associations`` (None: it must not be called), then ``DescribeAssociation``
    ``descriptions`` in order. Every answer must be asked for."""
    aws = Aws(session(), account=ACCOUNT)
    quicksetup, ssm = Stubber(aws.client("ssm-quicksetup")), Stubber(aws.client("ssm"))
    quicksetup.add_response(
        "list_configuration_managers", {"ConfigurationManagersList": summaries}, {}
    )
    for answer in described:
        quicksetup.add_response(
            "get_configuration_manager", answer, {"ManagerArn": answer["ManagerArn"]}
        )
    if associations is not None:
        ssm.add_response("list_associations", {"Associations": associations}, {})
    for description in descriptions:
        ssm.add_response(
            "describe_association",
            {"AssociationDescription": description},
            {"AssociationId": description["AssociationId"]},
        )
    with quicksetup, ssm:
        result = CliRunner(env={"COLUMNS": "200"}).invoke(
            main, ["import", *args], obj=aws, catch_exceptions=False
        )
        quicksetup.assert_no_pending_responses()
        ssm.assert_no_pending_responses()
    return result


def stacks(result: Any) -> dict[str, Any]:
    assert result.exit_code == 0, result.output
    return {
        stack: {**found, "props": list(found["props"].items())}
        for stack, found in cli_json.data(result.stdout)["configurations"].items()
    }


def one_line(result: Any) -> str:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    return line


TWO = [{"ManagerArn": MANAGER_ARN, "Name": "prod-hosts"}, {"ManagerArn": OTHER_ARN, "Name": "dev"}]
"""Two managers: the one the pinned tests import, and ``dev``, listed second."""
DEV = {
    "Dev": {
        **imported(switches(), stack="Dev"),
        "name": "Dev",
        "source": OTHER_ARN,
    }
}
"""``dev``'s one local definition abcd1, as ``--output json`` gives it."""


# Which configuration is read ---------------------------------------------------------------


def test_manager_by_name_imports_that_manager_alone_and_no_older_association():
    result = run(TWO, [manager(OTHER_ARN, "dev", local())], "--manager", "dev", "--output", "json")
    assert stacks(result) == DEV


def test_manager_by_arn_imports_that_manager_alone_and_no_older_association():
    result = run(
        TWO, [manager(OTHER_ARN, "dev", local())], "--manager", OTHER_ARN, "--output", "json"
    )
    assert stacks(result) == DEV


def test_an_older_configuration_a_manager_s_definition_owns_is_imported_once_as_the_manager_s():
    owning = {**local(), "Id": "qm255"}
    result = run(
        TWO[:1],
        [manager(MANAGER_ARN, "prod-hosts", owning)],
        "--output",
        "json",
        associations=[older("UpdateSSMAgent")],
    )
    assert stacks(result) == {
        "ProdHosts": {**imported(switches()), "definition": f"{HOST_MANAGEMENT} qm255"}
    }


def test_older_configurations_are_one_stack_each_in_the_order_of_their_ids():
    second = {
        **older("UpdateSSMAgent", number=2),
        "AssociationName": "AWS-QuickSetup-SSMHostMgmt-UpdateSSMAgent-ab123",
    }
    result = run([], [], "--output", "json", associations=[older("UpdateSSMAgent"), second])
    found = stacks(result)
    assert list(found) == ["ConsoleAb123", "ConsoleQm255"]
    assert [c["definition"] for c in found.values()] == [
        "AWS-QuickSetup-SSMHostMgmt-UpdateSSMAgent-ab123",
        OLDER_NAME,
    ]


def test_an_association_without_a_name_is_not_the_older_console_s():
    nameless = {"AssociationId": "00000009-2222-4333-8444-555555555555", "Name": "AWS-RunPatch"}
    result = run([], [], "--output", "json", associations=[nameless, older("UpdateSSMAgent")])
    assert list(stacks(result)) == ["ConsoleQm255"]


def test_a_manager_without_a_name_in_its_description_takes_its_listed_name():
    result = run(
        TWO[:1], [manager(MANAGER_ARN, None, local())], "--output", "json", associations=[]
    )
    assert stacks(result) == {"ProdHosts": imported(switches())}


def test_a_manager_named_nowhere_is_named_by_its_arn_in_a_refusal():
    unnamed = manager(MANAGER_ARN, None, local(UpdateSSMAgent="yes"))
    result = run([{"ManagerArn": MANAGER_ARN}], [unnamed], associations=[])
    assert one_line(result) == (
        f"error: configuration manager {MANAGER_ARN}: parameter UpdateSSMAgent is 'yes'; "
        'the API gives "true" or "false"'
    )


def test_a_manager_named_nowhere_gets_a_stack_named_from_its_arn():
    result = run(
        [{"ManagerArn": MANAGER_ARN}],
        [manager(MANAGER_ARN, None, local())],
        "--output",
        "json",
        associations=[],
    )
    # The ARN's last 8 characters; an id cannot start with a digit, so a Q comes first.
    assert list(stacks(result)) == ["ManagerQ928b8f13"]


def test_managers_of_the_types_asked_are_described_in_the_region_asked_and_others_only_listed():
    """``preflight`` reads the managers holding a console type, in the app's home Region."""
    aws = Aws(session(), account=ACCOUNT)
    west = "us-west-2"
    arn = f"arn:aws:ssm-quicksetup:{west}:{ACCOUNT}:configuration-manager/7cac1a1b"
    patch = f"arn:aws:ssm-quicksetup:{west}:{ACCOUNT}:configuration-manager/0a1b2c3d"
    bare = f"arn:aws:ssm-quicksetup:{west}:{ACCOUNT}:configuration-manager/9f8e7d6c"
    here, there = Stubber(aws.client("ssm-quicksetup")), Stubber(aws.client("ssm-quicksetup", west))
    there.add_response(
        "list_configuration_managers",
        {
            "ConfigurationManagersList": [
                {"ManagerArn": patch, "ConfigurationDefinitionSummaries": [{"Type": PATCH_POLICY}]},
                {"ManagerArn": bare},
                {
                    "ManagerArn": arn,
                    "ConfigurationDefinitionSummaries": [
                        {"Type": PATCH_POLICY},
                        {"Type": HOST_MANAGEMENT},
                    ],
                },
            ]
        },
        {},
    )
    there.add_response(
        "get_configuration_manager", manager(arn, "hosts", local()), {"ManagerArn": arn}
    )
    with here, there:
        found = read_managers(aws, types=(HOST_MANAGEMENT, DHMC), region=west)
        there.assert_no_pending_responses()
    assert found == [
        Manager(
            arn=arn,
            name="hosts",
            definitions=(
                Definition(
                    id="abcd1",
                    type=HOST_MANAGEMENT,
                    parameters={"TargetAccounts": ACCOUNT, "TargetRegions": REGION},
                ),
            ),
        )
    ]


def test_every_field_of_a_definition_is_read_and_the_optional_ones_default():
    aws = Aws(session(), account=ACCOUNT)
    full = {
        "Id": "abcd1",
        "Type": HOST_MANAGEMENT,
        "Parameters": {"TargetRegions": REGION},
        "TypeVersion": "2.0",
        "LocalDeploymentAdministrationRoleArn": f"arn:aws:iam::{ACCOUNT}:role/Admin",
        "LocalDeploymentExecutionRoleName": "Execution",
    }
    bare = {"Type": DHMC, "Parameters": {}}
    quicksetup = Stubber(aws.client("ssm-quicksetup"))
    quicksetup.add_response(
        "list_configuration_managers",
        {"ConfigurationManagersList": [{"ManagerArn": MANAGER_ARN}, {"ManagerArn": OTHER_ARN}]},
        {},
    )
    quicksetup.add_response(
        "get_configuration_manager",
        manager(MANAGER_ARN, "prod", full, bare),
        {"ManagerArn": MANAGER_ARN},
    )
    quicksetup.add_response(
        "get_configuration_manager", {"ManagerArn": OTHER_ARN}, {"ManagerArn": OTHER_ARN}
    )
    with quicksetup:
        found = read_managers(aws)
    assert found == [
        Manager(
            arn=MANAGER_ARN,
            name="prod",
            definitions=(
                Definition(
                    id="abcd1",
                    type=HOST_MANAGEMENT,
                    parameters={"TargetRegions": REGION},
                    type_version="2.0",
                    administration_role_arn=f"arn:aws:iam::{ACCOUNT}:role/Admin",
                    execution_role_name="Execution",
                ),
                Definition(id="", type=DHMC, parameters={}),
            ),
        ),
        Manager(arn=OTHER_ARN, name="", definitions=()),
    ]


def test_a_manager_without_definitions_is_nothing_to_import_in_one_line():
    """``ConfigurationDefinitions`` is optional in ``GetConfigurationManager``'s answer."""
    line = one_line(run(TWO[:1], [manager(MANAGER_ARN, "prod-hosts")], associations=[]))
    assert line == (
        f"error: nothing to import in {REGION} (account {ACCOUNT}): configuration manager "
        "prod-hosts holds no configuration definition"
    )


def test_an_account_without_quick_setup_is_one_line():
    assert one_line(run([], [], associations=[])) == (
        f"error: no Quick Setup configuration in {REGION} (account {ACCOUNT}): no "
        "configuration manager, and no association named AWS-QuickSetup-SSMHostMgmt-*; "
        "pass --region?"
    )


def test_only_older_associations_named_off_shape_is_nothing_to_import_naming_the_first():
    misnamed = {**older("UpdateSSMAgent"), "AssociationName": "AWS-QuickSetup-SSMHostMgmt-x"}
    assert one_line(run([], [], associations=[misnamed])) == (
        f"error: nothing to import in {REGION} (account {ACCOUNT}): association "
        "AWS-QuickSetup-SSMHostMgmt-x is not imported: its name starts with "
        "AWS-QuickSetup-SSMHostMgmt- but is not "
        "AWS-QuickSetup-SSMHostMgmt-<Option>-<QSConfigurationId>"
    )


def test_an_older_profile_association_described_without_parameters_names_no_profile():
    """``AssociationDescription.Parameters`` is optional: none read is the API's
    ``IsPolicyAttachAllowed`` default ("false") and an unknown profile."""
    association = older("UpdateIAMForInstanceMgmt", schedule="rate(30 days)")
    description = {"AssociationId": association["AssociationId"]}
    result = run(
        [], [], "--output", "json", associations=[association], descriptions=(description,)
    )
    [found] = stacks(result).values()
    assert (dict(found["props"])["allow_policy_attach"], found["notes"]) == (
        False,
        [
            f"{OLDER}: the console gave instances your instance profile (unknown); "
            "QuickSetupLocal attaches a profile of its own to instances that have none "
            "(instance_profile_role= puts the role of your choice in it)"
        ],
    )


# Refused on reading ------------------------------------------------------------------------


@pytest.mark.parametrize("listed", [True, False])
def test_a_manager_arn_not_shaped_as_one_is_refused_quoted(listed):
    """Checked as listed, before it is sent back in ``GetConfigurationManager``, and as
    described."""
    bad = f"arn:aws:ssm-quicksetup:{REGION}:{ACCOUNT}:configuration-manager/a b;c"
    if listed:
        result = run([{"ManagerArn": bad, "Name": "prod-hosts"}], [])
    else:
        aws = Aws(session(), account=ACCOUNT)
        quicksetup = Stubber(aws.client("ssm-quicksetup"))
        quicksetup.add_response(
            "list_configuration_managers",
            {"ConfigurationManagersList": [{"ManagerArn": MANAGER_ARN}]},
            {},
        )
        quicksetup.add_response(
            "get_configuration_manager", manager(bad, "prod-hosts"), {"ManagerArn": MANAGER_ARN}
        )
        with quicksetup:
            result = CliRunner().invoke(main, ["import"], obj=aws, catch_exceptions=False)
    assert one_line(result) == f"error: not a configuration manager's ARN: '{bad}'"


def test_token_syntax_in_a_definition_s_parameter_is_refused_naming_its_path():
    assert refusal(local(TargetRegions=TOKEN)) == (
        f"error: configuration manager {MANAGER_ARN}: "
        f"ConfigurationDefinitions[0].Parameters.TargetRegions holds CDK token syntax "
        f"('{TOKEN}'), which the app would resolve at synth"
    )


def test_token_syntax_in_a_parameter_s_name_is_refused_as_a_key():
    assert refusal(local(**{TOKEN: "true"})) == (
        f"error: configuration manager {MANAGER_ARN}: "
        f"ConfigurationDefinitions[0].Parameters.{TOKEN} (a key) holds CDK token syntax "
        f"('{TOKEN}'), which the app would resolve at synth"
    )


def test_token_syntax_in_a_manager_s_name_is_refused_naming_the_field():
    result = run(TWO[:1], [manager(MANAGER_ARN, f"prod{TOKEN}", local())])
    assert one_line(result) == (
        f"error: configuration manager {MANAGER_ARN}: Name holds CDK token syntax "
        f"('prod{TOKEN}'), which the app would resolve at synth"
    )


@pytest.mark.parametrize("surrogate", ["\ud800", "\udfff"])
def test_a_lone_surrogate_is_refused_naming_the_field(surrogate):
    assert refusal(local(TargetRegions=f"us-east-1{surrogate}")) == (
        f"error: configuration manager {MANAGER_ARN}: "
        "ConfigurationDefinitions[0].Parameters.TargetRegions holds a lone surrogate "
        f"('us-east-1\\\\u{ord(surrogate):04x}'), which UTF-8 cannot encode"
    )


def test_characters_beside_the_surrogates_are_read():
    """U+D7FF and U+E000 are the code points either side of the surrogates (U+D800–U+DFFF):
    kept, in a note of an undocumented parameter."""
    [found] = configurations(local(Foo="\ud7ff\ue000")).values()
    assert found["notes"] == [
        f"{MANAGER}: parameter Foo='\\ud7ff\\ue000' is not imported: the API documents no "
        f"such parameter for {HOST_MANAGEMENT}"
    ]


def test_token_syntax_in_an_older_association_s_targets_is_refused_naming_it():
    tagged = older("UpdateSSMAgent", targets=[{"Key": "tag:Team", "Values": ["web", TOKEN]}])
    assert refusal(associations=(tagged,)) == (
        f"error: association {OLDER_NAME}: Targets[0].Values[1] holds CDK token syntax "
        f"('{TOKEN}'), which the app would resolve at synth"
    )


def test_token_syntax_in_an_older_association_s_parameters_is_refused_naming_it():
    name = "AWS-QuickSetup-SSMHostMgmt-UpdateIAMForInstanceMgmt-qm255"
    association = older("UpdateIAMForInstanceMgmt")
    assert refusal(
        associations=(association,), described={name: {"InstanceProfile": ["web", TOKEN]}}
    ) == (
        f"error: association {name}: Parameters.InstanceProfile[1] holds CDK token syntax "
        f"('{TOKEN}'), which the app would resolve at synth"
    )


# What the app writes ---------------------------------------------------------------------


def test_a_string_is_written_with_non_ascii_as_it_is_and_the_unprintable_escaped():
    """``ruff format`` keeps non-ASCII text as it is; a character that is not printable is a
    Python escape: ``\\uXXXX`` up to U+FFFF (a noncharacter here), ``\\UXXXXXXXX`` above
    (U+E0001, a format character)."""
    assert literal("caf\u00e9\uffff\U000e0001") == '"caf\u00e9\\uffff\\U000e0001"'


def test_literals_of_each_kind():
    assert literal(Code("x")) == "x"
    assert [literal(True), literal(False), literal(None)] == ["True", "False", "None"]
    assert literal(["a", ("b", "c")]) == '["a", ["b", "c"]]'
    assert literal({"k": [True], "l": {}}) == '{"k": [True], "l": {}}'


# Members the model leaves optional ---------------------------------------------------------------
# botocore's ssm model: Association.AssociationId, Target.Key and Target.Values are optional.


def test_an_older_association_without_an_id_is_refused_in_one_line():
    association = older("UpdateSSMAgent")
    del association["AssociationId"]
    assert one_line(run([], [], associations=[association])) == (
        f"error: association {OLDER_NAME}: ListAssociations gave no AssociationId, so it "
        "cannot be read"
    )


KEYS = (
    "a target key of InstanceIds, tag:<key>, tag-key, resource-groups:Name, "
    "resource-groups:ResourceTypeFilters, ParameterValues, ResourceGroup or AWS::EC2::Instance "
    "(with the value *)"
)


@pytest.mark.parametrize(
    ("target", "shown", "allowed"),
    [
        ({"Values": ["web"]}, "=web", KEYS),
        ({"Key": "tag:Team"}, "tag:Team=", "at least one value"),
    ],
    ids=["no-key", "no-values"],
)
def test_a_target_without_its_key_or_values_is_refused_never_all_instances(target, shown, allowed):
    line = one_line(run([], [], associations=[older("UpdateSSMAgent", targets=[target])]))
    assert line == (
        "error: console configuration qm255 (AWS-QuickSetup-SSMHostMgmt-*): association "
        f"{OLDER_NAME} targets {shown}, which the app cannot express: InstanceTargets takes "
        f"{allowed}"
    )
