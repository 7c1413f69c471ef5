"""`quicksetup import` from start to end (``cli/importer/build.py``), pinned whole: the ids it
derives for constructs and stacks, and the warnings it gathers from every source it reads.

Each test reads the console's configurations with botocore's Stubber and calls the CLI in this
process, without the CDK: no synth, no Node.js. The answers are shaped as botocore's
``ssm-quicksetup`` model gives them (``GetConfigurationManager``: ``ManagerArn``, ``Name``,
``ConfigurationDefinitions``; ``Name`` is optional in ``CreateConfigurationManager``) and its
``ssm`` model (``ListAssociations``: ``AssociationName``, ``AssociationId``).

Derived identifiers are "deterministic, valid and unique" (decisions, 16): a construct and a
stack id is the manager's name in PascalCase (``[A-Za-z0-9]`` words, each capitalised), with a
``Q`` before a leading digit, as a Python and CloudFormation identifier starts with a letter.
"""

from __future__ import annotations

from typing import Any

import pytest

from . import cli_json
from .test_cli_import_cutover_pinned import (
    DEPLOY,
    MANAGER_ARN,
    PATCH_POLICY,
    REGION,
    definition,
    import_plan,
    local,
    manager,
    plan_of,
)
from .test_cli_import_translate_pinned import ACCOUNT, configurations, imported, switches
from .test_cli_import_translate_pinned import local as local_definition

OTHER_ARN = MANAGER_ARN[:-4] + "0001"


def deploy_command(plan: list[dict[str, Any]]) -> list[str]:
    """The commands of the plan's deploy step."""
    [deploy] = [s for s in plan if s["title"].startswith(DEPLOY)]
    return deploy["commands"]


# Construct and stack ids -----------------------------------------------------------------------


def test_a_definition_over_two_regions_of_one_account_names_each_stack_after_its_region():
    """docs/moving.md: one ``QuickSetupLocal`` per account and Region; the stack is
    ``name-<Region>`` where one definition makes several in one account."""
    found = configurations(local_definition(TargetRegions="us-east-1,eu-west-1"))
    assert list(found.values()) == [
        imported(switches(), stack=f"ProdHosts-{region}", region=region)
        for region in ("us-east-1", "eu-west-1")
    ]


def test_a_manager_name_with_capitals_keeps_them_in_its_ids():
    plan = plan_of(manager(MANAGER_ARN, "eu-WebServers", local(CollectInventory="false")))
    assert deploy_command(plan) == ["cdk deploy --app 'python app.py' EuWebServers"]


def test_a_manager_name_of_a_digit_then_letters_gets_a_q_before_it():
    plan = plan_of(manager(MANAGER_ARN, "1st-fleet", local(CollectInventory="false")))
    assert deploy_command(plan) == ["cdk deploy --app 'python app.py' Q1stFleet"]


# Warnings -------------------------------------------------------------------------------------


def test_unread_older_associations_and_every_manager_s_other_types_are_all_warned():
    """An association named ``AWS-QuickSetup-SSMHostMgmt-*`` but not
    ``AWS-QuickSetup-SSMHostMgmt-<Option>-<QSConfigurationId>`` is not read, and a definition
    of another type is not imported: each is one warning, for every manager, in the order read."""
    unread = {
        "AssociationName": "AWS-QuickSetup-SSMHostMgmt-Custom",
        "AssociationId": "00000009-2222-4333-8444-555555555555",
        "Name": "AWS-UpdateSSMAgent",
    }
    result = import_plan(
        manager(MANAGER_ARN, "prod-hosts", local(), definition(PATCH_POLICY, "pp001")),
        manager(OTHER_ARN, "test-hosts", local("abcd2"), definition(PATCH_POLICY, "pp002")),
        associations=(unread,),
    )
    assert result.exit_code == 0, result.output
    why = "this library configures Host Management and Default Host Management only"
    assert result.stderr.splitlines() == [
        "warning: association AWS-QuickSetup-SSMHostMgmt-Custom is not imported: its name "
        "starts with AWS-QuickSetup-SSMHostMgmt- but is not "
        "AWS-QuickSetup-SSMHostMgmt-<Option>-<QSConfigurationId>",
        f"warning: configuration manager prod-hosts: definition pp001 of type {PATCH_POLICY} is "
        f"not imported: {why}",
        f"warning: configuration manager test-hosts: definition pp002 of type {PATCH_POLICY} is "
        f"not imported: {why}",
    ]


def test_a_warning_shows_each_control_character_of_a_name_escaped_once():
    """A console name is escaped where it is read into a warning (``\\x1b`` for ESC), and the
    warning is printed as it is: escaping it again would show ``\\\\x1b``."""
    unread = {
        "AssociationName": "AWS-QuickSetup-SSMHostMgmt-\x1b[2J",
        "AssociationId": "00000009-2222-4333-8444-555555555555",
        "Name": "AWS-UpdateSSMAgent",
    }
    result = import_plan(
        manager(MANAGER_ARN, "prod\x1bhosts", local(), definition(PATCH_POLICY, "pp\n1")),
        associations=(unread,),
    )
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "warning: association AWS-QuickSetup-SSMHostMgmt-\\x1b[2J is not imported: its name "
        "starts with AWS-QuickSetup-SSMHostMgmt- but is not "
        "AWS-QuickSetup-SSMHostMgmt-<Option>-<QSConfigurationId>",
        f"warning: configuration manager prod\\x1bhosts: definition pp\\x0a1 of type "
        f"{PATCH_POLICY} is not imported: this library configures Host Management and Default "
        "Host Management only",
    ]


def test_only_definitions_of_other_types_is_nothing_to_import_in_one_whole_line():
    """Nothing imported is an error (exit 2), not an empty app: the line names where it looked
    and the first thing that was not imported."""
    result = import_plan(manager(MANAGER_ARN, "prod-hosts", definition(PATCH_POLICY, "pp001")))
    assert result.exit_code == 2, result.output
    assert cli_json.envelope(result.stdout)["error"]["message"] == (
        f"nothing to import in {REGION} (account {ACCOUNT}): configuration manager prod-hosts: "
        f"definition pp001 of type {PATCH_POLICY} is not imported: this library configures Host "
        "Management and Default Host Management only"
    )


# The result ------------------------------------------------------------------------------------


def test_the_json_result_names_the_account_and_region_read_and_no_output_file():
    """docs/cli-json.md, ``import``: ``data`` holds ``account``, ``region``, ``configurations``,
    ``warnings``, ``cutover``, ``code`` and ``output_file`` (null: the app went to standard
    output). The account is STS GetCallerIdentity's ``Account``, the Region the one called."""
    result = import_plan(manager(MANAGER_ARN, "prod-hosts", local(CollectInventory="false")))
    assert result.exit_code == 0, result.output
    data = cli_json.data(result.stdout)
    assert sorted(data) == sorted(
        ["account", "region", "configurations", "warnings", "cutover", "code", "output_file"]
    )
    assert {k: data[k] for k in ("account", "region", "warnings", "output_file")} == {
        "account": ACCOUNT,
        "region": REGION,
        "warnings": [],
        "output_file": None,
    }


def stacks_of(*names: str) -> dict[str, str]:
    """The stack of each manager's one configuration, by the manager's ARN (``...0000``,
    ``...0001``...), for managers of these names in this order."""
    managers = [
        manager(MANAGER_ARN[:-4] + f"{n:04d}", name, local(f"abcd{n}"))
        for n, name in enumerate(names)
    ]
    result = import_plan(*managers)
    assert result.exit_code == 0, result.output
    found = cli_json.data(result.stdout)["configurations"]
    assert all(c["name"] == stack for stack, c in found.items())
    return {c["source"]: stack for stack, c in found.items()}


@pytest.mark.parametrize(
    ("names", "stacks"),
    [
        (["prod-hosts"] * 3, ["ProdHosts", "ProdHosts2", "ProdHosts3"]),
        (["a", "a", "a2"], ["A", "A3", "A2"]),
    ],
    ids=["three of one name", "docs/moving.md's example"],
)
def test_managers_of_one_name_take_the_smallest_number_no_other_id_has(names, stacks):
    """docs/moving.md: "managers of one name get a number, never twice the same id: ``a``,
    ``a``, ``a2`` → ``A``, ``A3``, ``A2``"; decisions, 16: derived ids are deterministic. The
    first keeps the name, the next ones the smallest number from 2 that no other id has."""
    arns = [MANAGER_ARN[:-4] + f"{n:04d}" for n in range(len(names))]
    assert stacks_of(*names) == dict(zip(arns, stacks, strict=True))


def test_a_name_the_bootstrap_stack_has_in_any_case_is_numbered():
    """``cdk bootstrap``'s stack is ``CDKToolkit`` (``--toolkit-stack-name``'s default);
    CloudFormation's stack names are case-sensitive, but an imported stack never takes it
    in any case."""
    assert stacks_of("cdk-toolkit") == {MANAGER_ARN[:-4] + "0000": "CdkToolkit2"}
