"""`quicksetup import`: what each console configuration becomes, pinned whole.

Each test feeds `quicksetup import` one account's answers (botocore's Stubber checks them
against the ``ssm-quicksetup`` and ``ssm`` service models) and asserts the whole object the
user reads: every imported configuration of ``--output json`` (construct, stack, account,
Region, source, definition, props in the order the app writes them, notes), or the one line a
refusal prints. Nothing is synthesized, so nothing here starts Node.js.

What each parameter means is the documentation of ``ConfigurationDefinitionInput.Parameters``
(Quick Setup API reference; botocore's ``ssm-quicksetup`` model carries the same text) and
docs/moving.md, which maps each parameter to its prop; what the older console left is AWS's Host
Management template (tests/test_cli_import_legacy.py has the sources).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from click.testing import CliRunner

from quicksetup_constructs.cli.aws import Aws
from quicksetup_constructs.cli.importer.build import import_console as build_app
from quicksetup_constructs.cli.main import main

from . import cli_json
from .quicksetup_stubs import expect_managers

ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"
REGION = "us-east-1"
MANAGER_ARN = (
    f"arn:aws:ssm-quicksetup:{REGION}:{ACCOUNT}:configuration-manager/"
    "7cac1a1b-64a9-4c9a-97e8-8c68928b8f13"
)
HOST_MANAGEMENT = "AWSQuickSetupType-SSMHostMgmt"
DHMC = "AWSQuickSetupType-DHMC"
MANAGER = "configuration manager prod-hosts"
OLDER = "console configuration qm255 (AWS-QuickSetup-SSMHostMgmt-*)"
UNIT, ROOT = "ou-abcd-11112222", "r-abcd"

API_DEFAULTS = {
    "update_ssm_agent": True,
    "update_ec2_launch_agent": False,
    "collect_inventory": True,
    "scan_for_patches": True,
    "install_cloudwatch_agent": False,
    "update_cloudwatch_agent": False,
    "allow_policy_attach": False,
}
"""Host Management's switches, absent, as the API documents them (UpdateSSMAgent "true",
UpdateEc2LaunchAgent "false", CollectInventory "true", ScanInstances "true",
InstallCloudWatchAgent "false", UpdateCloudWatchAgent "false", IsPolicyAttachAllowed "false"),
in the order of docs/moving.md's table, the order the app writes them."""
PARAMETER_OF = {
    "update_ssm_agent": "UpdateSSMAgent",
    "update_ec2_launch_agent": "UpdateEc2LaunchAgent",
    "collect_inventory": "CollectInventory",
    "scan_for_patches": "ScanInstances",
    "install_cloudwatch_agent": "InstallCloudWatchAgent",
    "update_cloudwatch_agent": "UpdateCloudWatchAgent",
    "allow_policy_attach": "IsPolicyAttachAllowed",
}
"""docs/moving.md: the API parameter of each prop."""
DHMC_PROPS = {
    "collect_inventory": False,
    "scan_for_patches": False,
    "attach_instance_profile": False,
    "enable_explorer": False,
}
"""docs/moving.md: a Default Host Management definition becomes ``default_host_management=True``
"with ``update_ssm_agent`` from its ``UpdateSSMAgent``, and every other option off"."""


# Answers, and the command ------------------------------------------------------------------


def definition(kind: str = HOST_MANAGEMENT, **parameters: str) -> dict[str, Any]:
    return {"Id": "abcd1", "Type": kind, "Parameters": parameters}


def local(**parameters: str) -> dict[str, Any]:
    return definition(**{"TargetAccounts": ACCOUNT, "TargetRegions": REGION, **parameters})


def over_units(kind: str = HOST_MANAGEMENT, **parameters: str) -> dict[str, Any]:
    return definition(
        kind, **{"TargetOrganizationalUnits": UNIT, "TargetRegions": REGION, **parameters}
    )


def older(
    option: str,
    targets: list[dict[str, Any]] | None = None,
    schedule: str | None = None,
    number: int = 1,
) -> dict[str, Any]:
    """An association of the older console's configuration qm255, as ``ListAssociations``
    gives it."""
    association: dict[str, Any] = {
        "AssociationName": f"AWS-QuickSetup-SSMHostMgmt-{option}-qm255",
        "AssociationId": f"{number:08d}-2222-4333-8444-555555555555",
        "Name": "AWS-UpdateSSMAgent",
    }
    if targets != []:
        association["Targets"] = targets or [{"Key": "tag:Team", "Values": ["web"]}]
    if schedule:
        association["ScheduleExpression"] = schedule
    return association


@cache
def session() -> boto3.Session:
    """One session for every test: its service models are loaded once (each test makes its
    own clients, stubbed)."""
    return boto3.Session(
        region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
    )


def import_console(
    *definitions: dict[str, Any],
    associations: tuple[dict[str, Any], ...] = (),
    described: dict[str, dict[str, list[str]]] | None = None,
    json_output: bool = True,
) -> Any:
    """`quicksetup import` of an account holding one manager ``prod-hosts`` with these
    definitions (none: no manager) and these older console associations; ``described``:
    ``DescribeAssociation``'s parameters by association name."""
    aws = Aws(session(), account=ACCOUNT)
    quicksetup, ssm = Stubber(aws.client("ssm-quicksetup")), Stubber(aws.client("ssm"))
    managers = (
        [
            {
                "ManagerArn": MANAGER_ARN,
                "Name": "prod-hosts",
                "ConfigurationDefinitions": list(definitions),
            }
        ]
        if definitions
        else []
    )
    expect_managers(quicksetup, *managers)
    ssm.add_response("list_associations", {"Associations": list(associations)}, {})
    for association in associations:
        parameters = (described or {}).get(association["AssociationName"])
        if parameters is not None:
            ssm.add_response(
                "describe_association",
                {"AssociationDescription": {"Parameters": parameters}},
                {"AssociationId": association["AssociationId"]},
            )
    args = ["import", *(["--output", "json"] if json_output else [])]
    for stubber in (quicksetup, ssm):
        stubber.activate()
    try:
        result = CliRunner(env={"COLUMNS": "200"}).invoke(
            main, args, obj=aws, catch_exceptions=False
        )
    finally:
        for stubber in (quicksetup, ssm):
            stubber.deactivate()
    return result


def configurations(*definitions: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """The ``configurations`` of ``--output json``, by stack, each with its props as an ordered
    list of pairs (the order the app writes them)."""
    result = import_console(*definitions, **kwargs)
    assert result.exit_code == 0, result.output
    found = cli_json.data(result.stdout)["configurations"]
    return {
        stack: {**configuration, "props": list(configuration["props"].items())}
        for stack, configuration in found.items()
    }


def refusal(*definitions: dict[str, Any], **kwargs: Any) -> str:
    """The one line of a refusal: exit 2, nothing on standard output."""
    result = import_console(*definitions, json_output=False, **kwargs)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    return line


def imported(
    props: list[tuple[str, Any]],
    *,
    stack: str = "ProdHosts",
    construct: str = "QuickSetupLocal",
    account: str = ACCOUNT,
    region: str = REGION,
    kind: str = HOST_MANAGEMENT,
    notes: list[str] | None = None,
) -> dict[str, Any]:
    """One configuration of manager prod-hosts's definition abcd1, as ``--output json``
    gives it."""
    return {
        "name": "ProdHosts",
        "construct": construct,
        "stack": stack,
        "account": account,
        "region": region,
        "source": MANAGER_ARN,
        "definition": f"{kind} abcd1",
        "props": props,
        "notes": notes or [],
    }


def switches(**changed: bool) -> list[tuple[str, Any]]:
    return list({**API_DEFAULTS, **changed}.items())


# Host Management over an account: switches -------------------------------------------------------


def test_a_definition_without_switches_takes_the_api_s_defaults():
    assert configurations(local()) == {"ProdHosts": imported(switches())}


@pytest.mark.parametrize("prop", list(API_DEFAULTS))
def test_each_switch_turned_from_its_default_is_that_prop_turned(prop):
    value = not API_DEFAULTS[prop]
    parameter = {PARAMETER_OF[prop]: json.dumps(value)}
    assert configurations(local(**parameter)) == {"ProdHosts": imported(switches(**{prop: value}))}


@pytest.mark.parametrize("prop", list(API_DEFAULTS))
def test_each_switch_given_as_its_default_keeps_it(prop):
    parameter = {PARAMETER_OF[prop]: json.dumps(API_DEFAULTS[prop])}
    assert configurations(local(**parameter)) == {"ProdHosts": imported(switches())}


@pytest.mark.parametrize("value", ["yes", "True", "TRUE", "1", ""])
def test_a_switch_neither_true_nor_false_is_refused_in_one_line(value):
    """The API's switches are the strings "true" and "false": anything else would be read as
    one of them silently."""
    assert refusal(local(UpdateSSMAgent=value)) == (
        f'error: {MANAGER}: parameter UpdateSSMAgent is {value!r}; the API gives "true" or "false"'
    )


@pytest.mark.parametrize("parameter", list(PARAMETER_OF.values())[1:])
def test_every_switch_is_checked_not_only_the_first(parameter):
    assert refusal(local(**{parameter: "yes"})) == (
        f'error: {MANAGER}: parameter {parameter} is \'yes\'; the API gives "true" or "false"'
    )


# Host Management over an account: targets ----------------------------------------------------


@pytest.mark.parametrize(
    ("parameters", "targets"),
    [
        (
            {"TargetType": "Tags", "TargetTagKey": "Env", "TargetTagValue": "prod"},
            'InstanceTargets.tag("Env", "prod")',
        ),
        (
            {
                "TargetType": "InstanceIds",
                "TargetInstances": "i-0123456789abcdef0, i-0fedcba9876543210,",
            },
            'InstanceTargets.instance_ids(["i-0123456789abcdef0", "i-0fedcba9876543210"])',
        ),
        (
            {"TargetType": "ResourceGroups", "ResourceGroupName": "web"},
            'InstanceTargets.resource_group("web")',
        ),
    ],
    ids=["Tags", "InstanceIds", "ResourceGroups"],
)
def test_each_target_type_becomes_its_factory_written_before_the_switches(parameters, targets):
    """docs/moving.md: Tags → ``InstanceTargets.tag(key, value)``, InstanceIds →
    ``InstanceTargets.instance_ids([...])`` ("A comma separated list of instance IDs"),
    ResourceGroups → ``InstanceTargets.resource_group(name)``."""
    assert configurations(local(**parameters)) == {
        "ProdHosts": imported([("targets", targets), *switches()])
    }


@pytest.mark.parametrize("parameters", [{"TargetType": "*"}, {}], ids=["star", "absent"])
def test_target_type_star_or_absent_is_all_instances_and_writes_no_targets(parameters):
    """ "Use * to target all instances in the account"; docs/moving.md: "the default, not
    written"."""
    assert configurations(local(**parameters)) == {"ProdHosts": imported(switches())}


def test_an_unknown_target_type_is_refused_with_the_api_s_values():
    assert refusal(local(TargetType="Everything")) == (
        f"error: {MANAGER}: parameter TargetType is 'Everything'; "
        "the API gives *, InstanceIds, ResourceGroups, Tags"
    )


@pytest.mark.parametrize(
    ("parameters", "named"),
    [
        ({"TargetType": "Tags", "TargetTagKey": "Env"}, "TargetTagValue is None"),
        ({"TargetType": "Tags", "TargetTagValue": "prod"}, "TargetTagKey is None"),
        (
            {"TargetType": "Tags", "TargetTagKey": "Env", "TargetTagValue": ""},
            "TargetTagValue is ''",
        ),
        ({"TargetType": "InstanceIds"}, "TargetInstances is None"),
        ({"TargetType": "ResourceGroups"}, "ResourceGroupName is None"),
    ],
)
def test_a_target_type_without_its_parameter_is_refused(parameters, named):
    """ "You must provide a value for this parameter if you specify <type> for the TargetType
    parameter"."""
    kind = parameters["TargetType"]
    assert refusal(local(**parameters)) == (
        f"error: {MANAGER}: parameter {named}; the API gives a value, as TargetType is {kind}"
    )


@pytest.mark.parametrize(
    ("parameters", "named", "allowed"),
    [
        (
            {"TargetType": "Tags", "TargetTagKey": "aws:team", "TargetTagValue": "web"},
            "TargetTagKey/TargetTagValue is 'aws:team'",
            "a tag key of 1-124 letters, digits, spaces and _.:/=+-@, not starting with 'aws:'",
        ),
        (
            {"TargetType": "InstanceIds", "TargetInstances": "i-0123456789abcdef0,i-1"},
            "TargetInstances is 'i-1'",
            "instance ids of the form i- followed by 8 or 17 lowercase hex digits",
        ),
        (
            {"TargetType": "ResourceGroups", "ResourceGroupName": "web group"},
            "ResourceGroupName is 'web group'",
            "a resource group name of 1-128 letters, digits and _.-",
        ),
    ],
    ids=["Tags", "InstanceIds", "ResourceGroups"],
)
def test_a_target_the_library_refuses_names_the_parameter_and_its_rule(parameters, named, allowed):
    """EC2 instance ids: ``i-`` and 8 or 17 hex digits; tag keys may not start with ``aws:``
    (EC2 user guide, "Tag restrictions"); resource group names: ``[a-zA-Z0-9_.-]{1,128}``
    (Resource Groups API, ``GroupName``)."""
    assert refusal(local(**parameters)) == (
        f"error: {MANAGER}: parameter {named}; the API gives {allowed}"
    )


@pytest.mark.parametrize(
    ("parameters", "named", "why"),
    [
        (
            {"TargetTagKey": "Env", "TargetTagValue": "prod"},
            "TargetType, TargetTagKey, TargetTagValue",
            "TargetType (absent: all instances) reads none of TargetTagKey, TargetTagValue",
        ),
        (
            {"TargetType": "*", "TargetInstances": "i-0123456789abcdef0"},
            "TargetType, TargetInstances",
            "TargetType * reads none of TargetInstances",
        ),
        (
            {
                "TargetType": "InstanceIds",
                "TargetInstances": "i-0123456789abcdef0",
                "ResourceGroupName": "web",
            },
            "TargetType, ResourceGroupName",
            "TargetType InstanceIds reads none of ResourceGroupName",
        ),
        (
            {"TargetType": "ResourceGroups", "ResourceGroupName": "web", "TargetTagKey": "Env"},
            "TargetType, TargetTagKey",
            "TargetType ResourceGroups reads none of TargetTagKey",
        ),
        (
            {
                "TargetType": "Tags",
                "TargetTagKey": "Env",
                "TargetTagValue": "prod",
                "TargetInstances": "i-0123456789abcdef0",
            },
            "TargetType, TargetInstances",
            "TargetType Tags reads none of TargetInstances",
        ),
    ],
    ids=["absent", "star", "InstanceIds", "ResourceGroups", "Tags"],
)
def test_a_targeting_parameter_its_target_type_does_not_read_is_refused(parameters, named, why):
    """Read otherwise, the configuration would reach more instances than the console's."""
    assert refusal(local(**parameters)) == (
        f"error: {MANAGER}: parameters {named} are given together; the API does not allow it: {why}"
    )


# Host Management over an account: accounts and Regions ------------------------------------------


def test_a_definition_becomes_a_configuration_per_account_and_region_in_that_order():
    """docs/moving.md: "one ``QuickSetupLocal`` per account and Region"; stacks
    ``name-<account>-<Region>``."""
    found = configurations(
        local(TargetAccounts=f"{ACCOUNT}, {OTHER_ACCOUNT}", TargetRegions="us-east-1,eu-west-1")
    )
    expected = [
        imported(switches(), stack=f"ProdHosts-{account}-{region}", account=account, region=region)
        for account in (ACCOUNT, OTHER_ACCOUNT)
        for region in ("us-east-1", "eu-west-1")
    ]
    assert list(found.values()) == expected


@pytest.mark.parametrize("regions", [None, "", " , "], ids=["absent", "empty", "blank"])
def test_target_regions_missing_is_refused(regions):
    """TargetRegions: "(Required) A comma separated list of Amazon Web Services Regions"."""
    parameters = {"TargetAccounts": ACCOUNT}
    if regions is not None:
        parameters["TargetRegions"] = regions
    assert refusal(definition(**parameters)) == (
        f"error: {MANAGER}: parameter TargetRegions is {regions!r}; "
        "the API gives a comma-separated list of Regions (required)"
    )


@pytest.mark.parametrize("accounts", [None, "", " , "], ids=["absent", "empty", "blank"])
def test_neither_accounts_nor_units_is_refused(accounts):
    """ "A value must be provided for either TargetAccounts or TargetOrganizationalUnits"."""
    parameters = {"TargetRegions": REGION}
    if accounts is not None:
        parameters["TargetAccounts"] = accounts
    assert refusal(definition(**parameters)) == (
        f"error: {MANAGER}: parameter TargetAccounts is None; the API gives an account id, "
        "or TargetOrganizationalUnits (one of them is required)"
    )


@pytest.mark.parametrize("account", ["1234", "1111222233334", "11112222333a", " 11112222333"])
def test_an_account_that_is_not_12_digits_is_refused(account):
    assert refusal(local(TargetAccounts=f"{ACCOUNT},{account}")) == (
        f"error: {MANAGER}: parameter TargetAccounts is {account.strip()!r}; "
        "the API gives 12-digit account ids"
    )


@pytest.mark.parametrize("region", ["Mars", "us-east-1a", "US-EAST-1"])
def test_a_region_not_shaped_as_one_is_refused(region):
    assert refusal(local(TargetRegions=f"{REGION},{region}")) == (
        f"error: {MANAGER}: parameter TargetRegions is {region!r}; "
        "the API gives Region names like us-east-1"
    )


def test_accounts_and_units_together_are_refused():
    assert refusal(local(TargetOrganizationalUnits=UNIT)) == (
        f"error: {MANAGER}: parameters TargetAccounts, TargetOrganizationalUnits are given "
        "together; the API does not allow it: a definition is deployed to either an account "
        "or OUs"
    )


# Host Management over OUs ----------------------------------------------------------------------


def test_a_definition_over_units_is_one_organization_configuration_in_the_caller_s_region():
    """docs/moving.md: "A definition over OUs becomes one ``QuickSetupOrganization``, in a
    stack for the account and Region you run the command in"; TargetOrganizationalUnits →
    ``organizational_unit_ids``, TargetRegions → ``regions``, both lists."""
    found = configurations(
        over_units(
            TargetOrganizationalUnits=f"{UNIT}, {ROOT}",
            TargetRegions="eu-west-1,us-east-2",
            TargetAccounts="",
            ScanInstances="false",
        )
    )
    assert found == {
        "ProdHosts": imported(
            [
                ("organizational_unit_ids", [UNIT, ROOT]),
                ("regions", ["eu-west-1", "us-east-2"]),
                *switches(scan_for_patches=False),
            ],
            construct="QuickSetupOrganization",
        )
    }


def test_target_type_star_over_units_is_every_instance_as_over_units_anyway():
    """ "Don't specify a value for this parameter if you're deploying to OUs": ``*`` asks for
    what a configuration over OUs does anyway (every instance), so it is not refused."""
    found = configurations(over_units(TargetType="*"))
    assert found == {
        "ProdHosts": imported(
            [("organizational_unit_ids", [UNIT]), ("regions", [REGION]), *switches()],
            construct="QuickSetupOrganization",
        )
    }


@pytest.mark.parametrize(
    ("parameters", "named"),
    [
        ({"TargetType": "Tags"}, "TargetType"),
        ({"TargetTagKey": "Env"}, "TargetTagKey"),
        ({"TargetType": "*", "ResourceGroupName": "web"}, "TargetType, ResourceGroupName"),
        (
            {"TargetType": "InstanceIds", "TargetInstances": "i-0123456789abcdef0"},
            "TargetType, TargetInstances",
        ),
    ],
)
def test_targeting_over_units_is_refused(parameters, named):
    assert refusal(over_units(**parameters)) == (
        f"error: {MANAGER}: parameters {named}, TargetOrganizationalUnits are given together; "
        "the API does not allow it: TargetType is for local deployments (\"Don't specify a "
        "value for this parameter if you're deploying to OUs\"): a configuration over OUs "
        "reaches every instance"
    )


@pytest.mark.parametrize(
    ("parameters", "named", "allowed"),
    [
        (
            {"TargetOrganizationalUnits": "ou-1"},
            "TargetOrganizationalUnits is 'ou-1'",
            "1 to 50 distinct OU ids (ou-xxxx-xxxxxxxx) or a root id (r-xxxx)",
        ),
        (
            {"TargetOrganizationalUnits": "ou-1", "TargetRegions": "Mars"},
            "TargetOrganizationalUnits is 'ou-1'",
            "1 to 50 distinct OU ids (ou-xxxx-xxxxxxxx) or a root id (r-xxxx)",
        ),
        (
            {"TargetRegions": "Mars"},
            "TargetRegions is 'Mars'",
            "an AWS Region code such as us-east-1",
        ),
        (
            {"TargetRegions": f"{REGION},{REGION}"},
            f"TargetRegions is {[REGION, REGION]!r}",
            "distinct values",
        ),
    ],
    ids=["unit", "units-first", "region", "regions-twice"],
)
def test_units_and_regions_the_library_refuses_are_named(parameters, named, allowed):
    """AWS Organizations: OU ids ``ou-`` + 4-32 + ``-`` + 8-32 lowercase letters or digits,
    root ids ``r-`` + 4-32 (``ParentId``); OUs are checked before Regions."""
    assert refusal(over_units(**parameters)) == (
        f"error: {MANAGER}: parameter {named}; the API gives {allowed}"
    )


# Default Host Management -------------------------------------------------------------------------


@pytest.mark.parametrize("agent", [None, "true", "false"])
def test_a_dhmc_definition_updates_the_agent_as_told_and_turns_every_other_option_off(agent):
    """DHMC's parameters: UpdateSSMAgent (default "true"), TargetOrganizationalUnits,
    TargetRegions."""
    parameters = {} if agent is None else {"UpdateSSMAgent": agent}
    found = configurations(over_units(DHMC, **parameters))
    assert found == {
        "ProdHosts": imported(
            [
                ("organizational_unit_ids", [UNIT]),
                ("regions", [REGION]),
                ("update_ssm_agent", agent != "false"),
                ("default_host_management", True),
                *DHMC_PROPS.items(),
            ],
            construct="QuickSetupOrganization",
            kind=DHMC,
        )
    }


def test_a_dhmc_definition_s_agent_switch_is_checked():
    assert refusal(over_units(DHMC, UpdateSSMAgent="yes")) == (
        f'error: {MANAGER}: parameter UpdateSSMAgent is \'yes\'; the API gives "true" or "false"'
    )


def test_host_management_s_parameters_on_a_dhmc_definition_are_notes():
    """DHMC documents UpdateSSMAgent, TargetOrganizationalUnits and TargetRegions only."""
    found = configurations(over_units(DHMC, CollectInventory="true", TargetType="*"))
    notes = [
        f"{MANAGER}: parameter {name}={value!r} is not imported: the API documents no such "
        f"parameter for {DHMC}"
        for name, value in (("CollectInventory", "true"), ("TargetType", "*"))
    ]
    assert found == {
        "ProdHosts": imported(
            [
                ("organizational_unit_ids", [UNIT]),
                ("regions", [REGION]),
                ("update_ssm_agent", True),
                ("default_host_management", True),
                *DHMC_PROPS.items(),
            ],
            construct="QuickSetupOrganization",
            kind=DHMC,
            notes=notes,
        )
    }


def test_a_dhmc_definition_over_accounts_is_refused():
    """DHMC: "TargetOrganizationalUnits (Required)", and no TargetAccounts parameter."""
    assert refusal(definition(DHMC, TargetAccounts=ACCOUNT, TargetRegions=REGION)) == (
        f"error: {MANAGER}: parameter TargetAccounts is '{ACCOUNT}'; the API gives no "
        f"TargetAccounts for {DHMC}: it is deployed to OUs (its parameters are UpdateSSMAgent, "
        "TargetOrganizationalUnits and TargetRegions)"
    )


@pytest.mark.parametrize("units", [None, ""], ids=["absent", "empty"])
def test_a_dhmc_definition_without_units_is_refused(units):
    parameters = {"TargetRegions": REGION}
    if units is not None:
        parameters["TargetOrganizationalUnits"] = units
    assert refusal(definition(DHMC, **parameters)) == (
        f"error: {MANAGER}: parameter TargetOrganizationalUnits is None; "
        "the API gives OUs (required)"
    )


# What a definition holds that the app does not -----------------------------------------------


def test_undocumented_parameters_are_notes_and_service_and_placement_ones_are_not():
    """``QSForceUpdateParam`` is added by the service; TargetAccounts and TargetRegions are
    the stack's environment (docs/moving.md)."""
    found = configurations(local(QSForceUpdateParam="1", Foo="bar", Zed=""))
    assert found == {
        "ProdHosts": imported(
            switches(),
            notes=[
                f"{MANAGER}: parameter {name}={value!r} is not imported: the API documents no "
                f"such parameter for {HOST_MANAGEMENT}"
                for name, value in (("Foo", "bar"), ("Zed", ""))
            ],
        )
    }


@pytest.mark.parametrize(
    ("fields", "roles"),
    [
        (
            {
                "LocalDeploymentAdministrationRoleArn": (
                    f"arn:aws:iam::{ACCOUNT}:role/AWS-QuickSetup-LocalAdministrationRole"
                ),
                "LocalDeploymentExecutionRoleName": "AWS-QuickSetup-LocalExecutionRole",
            },
            f"LocalDeploymentAdministrationRoleArn 'arn:aws:iam::{ACCOUNT}:role/"
            "AWS-QuickSetup-LocalAdministrationRole' and LocalDeploymentExecutionRoleName "
            "'AWS-QuickSetup-LocalExecutionRole'",
        ),
        (
            {"LocalDeploymentExecutionRoleName": "AWS-QuickSetup-LocalExecutionRole"},
            "LocalDeploymentExecutionRoleName 'AWS-QuickSetup-LocalExecutionRole'",
        ),
    ],
    ids=["both", "execution"],
)
def test_the_local_deployment_roles_are_a_note(fields, roles):
    """The roles the console deployed a local configuration with (the user guide's
    ``AWS-QuickSetup-LocalAdministrationRole`` / ``-LocalExecutionRole``)."""
    found = configurations({**local(), **fields})
    assert found["ProdHosts"]["notes"] == [
        f"{MANAGER}: definition abcd1's {roles} are not imported: the console deployed it "
        "through these roles, cdk deploy uses the CDK's bootstrap roles; nothing in the "
        "cut-over deletes them"
    ]


def test_the_type_version_is_a_note_after_the_parameters_and_roles():
    found = configurations(
        {
            **local(Foo="bar"),
            "TypeVersion": "2.0",
            "LocalDeploymentExecutionRoleName": "AWS-QuickSetup-LocalExecutionRole",
        }
    )
    assert found["ProdHosts"]["notes"] == [
        f"{MANAGER}: parameter Foo='bar' is not imported: the API documents no such parameter "
        f"for {HOST_MANAGEMENT}",
        f"{MANAGER}: definition abcd1's LocalDeploymentExecutionRoleName "
        "'AWS-QuickSetup-LocalExecutionRole' are not imported: the console deployed it "
        "through these roles, cdk deploy uses the CDK's bootstrap roles; nothing in the "
        "cut-over deletes them",
        f"{MANAGER}: definition abcd1's TypeVersion '2.0' is not imported: the app configures "
        "what this version of quicksetup-constructs does, shown by `quicksetup plan cdk.out`",
    ]


def test_a_definition_without_an_id_is_named_by_its_type_alone():
    """``ConfigurationDefinition.Id`` is not required in the service model."""
    bare = local()
    del bare["Id"]
    found = configurations(bare)
    assert found["ProdHosts"]["definition"] == HOST_MANAGEMENT


# The older console ----------------------------------------------------------------------------


def older_configuration(
    props: list[tuple[str, Any]], associations: list[str], notes: list[str] | None = None
) -> dict[str, Any]:
    return {
        "name": "ConsoleQm255",
        "construct": "QuickSetupLocal",
        "stack": "ConsoleQm255",
        "account": ACCOUNT,
        "region": REGION,
        "source": "qm255",
        "definition": ", ".join(
            f"AWS-QuickSetup-SSMHostMgmt-{option}-qm255" for option in associations
        ),
        "props": props,
        "notes": notes or [],
    }


TEAM_WEB = ("targets", 'InstanceTargets.tag("Team", "web")')


def older_switches(*on: str) -> list[tuple[str, bool]]:
    """Every option the props name, in the app's order: on exactly when its association is
    there (docs/moving.md)."""
    return [
        (prop, prop in on)
        for prop in (
            "update_ssm_agent",
            "update_ec2_launch_agent",
            "collect_inventory",
            "scan_for_patches",
            "install_cloudwatch_agent",
            "update_cloudwatch_agent",
            "attach_instance_profile",
            "enable_explorer",
        )
    ]


def test_an_unknown_option_before_known_ones_is_a_note_and_the_others_are_read():
    associations = (
        older("InstallEverything", number=1),
        older("UpdateSSMAgent", schedule="rate(14 days)", number=2),
        older("CollectInventory", schedule="rate(30 minutes)", number=3),
    )
    found = configurations(associations=associations)
    assert found == {
        "ConsoleQm255": older_configuration(
            [TEAM_WEB, *older_switches("update_ssm_agent", "collect_inventory")],
            ["InstallEverything", "UpdateSSMAgent", "CollectInventory"],
            [
                f"{OLDER}: association AWS-QuickSetup-SSMHostMgmt-InstallEverything-qm255 is "
                "not imported: its option is not one of Host Management's"
            ],
        )
    }


@pytest.mark.parametrize(
    ("profile", "named"),
    [(["MyInstanceProfile"], "MyInstanceProfile"), (["A", "B"], "A,B"), (None, "(unknown)")],
    ids=["one", "two", "none"],
)
def test_update_iam_for_instance_mgmt_names_the_user_s_profile_in_a_note(profile, named):
    """The older console's UpdateIAMForInstanceMgmt gave instances a profile the user chose
    (its runbook's ``InstanceProfile``; ``DescribeAssociation``'s ``Parameters`` is a map of
    lists); no IsPolicyAttachAllowed: policies are not attached to existing profiles."""
    found = configurations(
        associations=(older("UpdateIAMForInstanceMgmt", schedule="rate(30 days)"),),
        described={
            "AWS-QuickSetup-SSMHostMgmt-UpdateIAMForInstanceMgmt-qm255": (
                {"InstanceProfile": profile} if profile else {}
            )
        },
    )
    assert found == {
        "ConsoleQm255": older_configuration(
            [
                TEAM_WEB,
                *older_switches("attach_instance_profile"),
                ("allow_policy_attach", False),
            ],
            ["UpdateIAMForInstanceMgmt"],
            [
                f"{OLDER}: the console gave instances your instance profile {named}; "
                "QuickSetupLocal attaches a profile of its own to instances that have none "
                "(instance_profile_role= puts the role of your choice in it)"
            ],
        )
    }


@pytest.mark.parametrize("allowed", [["true"], ["false"], None])
def test_attach_iam_to_instance_keeps_its_policy_attach_and_has_no_profile_note(allowed):
    """AttachIAMToInstance creates Quick Setup's own profile: nothing of the user's to name.
    IsPolicyAttachAllowed absent: the template's default, "false"."""
    found = configurations(
        associations=(older("AttachIAMToInstance", schedule="rate(30 days)"),),
        described={
            "AWS-QuickSetup-SSMHostMgmt-AttachIAMToInstance-qm255": (
                {"IsPolicyAttachAllowed": allowed} if allowed else {}
            )
        },
    )
    assert found == {
        "ConsoleQm255": older_configuration(
            [
                TEAM_WEB,
                *older_switches("attach_instance_profile"),
                ("allow_policy_attach", allowed == ["true"]),
            ],
            ["AttachIAMToInstance"],
        )
    }


def test_schedules_are_kept_where_they_differ_and_a_missing_one_is_a_note():
    """Quick Setup's schedules (its template): SSM Agent rate(14 days), inventory rate(30
    minutes), CloudWatch agent install none (once); a missing schedule where the app has one
    is named."""
    associations = (
        older("UpdateSSMAgent", schedule="rate(7 days)", number=1),
        older("CollectInventory", number=2),
        older("ManageCloudWatchAgent", number=3),
        older("ScanForPatches", schedule="rate(1 day)", number=4),
    )
    found = configurations(associations=associations)
    assert found == {
        "ConsoleQm255": older_configuration(
            [
                TEAM_WEB,
                *older_switches(
                    "update_ssm_agent",
                    "collect_inventory",
                    "install_cloudwatch_agent",
                    "scan_for_patches",
                ),
                ("schedules", {"update_ssm_agent": "rate(7 days)"}),
            ],
            ["UpdateSSMAgent", "CollectInventory", "ManageCloudWatchAgent", "ScanForPatches"],
            [
                f"{OLDER}: association AWS-QuickSetup-SSMHostMgmt-CollectInventory-qm255 has no "
                "schedule (State Manager ran it once); the app's collect_inventory runs on "
                "rate(30 minutes)"
            ],
        )
    }


# The older console: targets the app cannot express ------------------------------------------


AGENT = "AWS-QuickSetup-SSMHostMgmt-UpdateSSMAgent-qm255"
INVENTORY = "AWS-QuickSetup-SSMHostMgmt-CollectInventory-qm255"


def test_an_association_without_targets_is_refused_whole():
    """State Manager's older ``InstanceId`` form reached one instance, never every one."""
    assert refusal(associations=(older("UpdateSSMAgent", targets=[]),)) == (
        f"error: {OLDER}: association {AGENT} has no Targets (State Manager's older InstanceId "
        "form), which the app cannot express: InstanceTargets takes one target entry"
    )


@pytest.mark.parametrize(
    ("targets", "written", "allowed"),
    [
        (
            [{"Key": "tag:Env", "Values": ["prod"]}, {"Key": "tag:Team", "Values": ["web"]}],
            "tag:Env=prod; tag:Team=web",
            "one target entry",
        ),
        (
            [{"Key": "tag-key", "Values": ["Patch", "Team"]}],
            "tag-key=Patch,Team",
            "one tag key (InstanceTargets.tag)",
        ),
        (
            [{"Key": "resource-groups:Name", "Values": ["web", "db"]}],
            "resource-groups:Name=web,db",
            "one resource group name",
        ),
    ],
    ids=["two-entries", "two-tag-keys", "two-groups"],
)
def test_an_association_s_target_the_app_cannot_express_is_refused_naming_it(
    targets, written, allowed
):
    """State Manager reaches the intersection of several entries, and instances with any of
    several ``tag-key`` values: no one ``InstanceTargets`` says either."""
    assert refusal(associations=(older("UpdateSSMAgent", targets=targets),)) == (
        f"error: {OLDER}: association {AGENT} targets {written}, which the app cannot "
        f"express: InstanceTargets takes {allowed}"
    )


@pytest.mark.parametrize(
    ("targets", "described", "allowed"),
    [
        (
            [{"Key": "tag:aws:team", "Values": ["web"]}],
            "tag aws:team=web",
            "a tag key of 1-124 letters, digits, spaces and _.:/=+-@, not starting with 'aws:'",
        ),
        (
            [{"Key": "resource-groups:ResourceTypeFilters", "Values": ["AWS::EC2::Instance"]}],
            "the EC2 instances of the resource group",
            "targets a factory of InstanceTargets builds (none writes a resource-type filter)",
        ),
    ],
    ids=["aws-tag-key", "resource-type-filter"],
)
def test_targets_read_but_not_writable_are_refused_as_the_configuration_s(
    targets, described, allowed
):
    """Read from the association but refused by the factories: the configuration's targets
    are named, not one association's."""
    assert refusal(associations=(older("UpdateSSMAgent", targets=targets),)) == (
        f"error: {OLDER}: targets {described}, which the app cannot express: "
        f"InstanceTargets takes {allowed}"
    )


def test_associations_that_reach_different_instances_are_refused_naming_each_reach():
    associations = (
        older("UpdateSSMAgent", [{"Key": "tag:Env", "Values": ["prod"]}], number=1),
        older("CollectInventory", [{"Key": "tag:Env", "Values": ["staging"]}], number=2),
        older("ScanForPatches", [{"Key": "tag:Env", "Values": ["prod"]}], number=3),
    )
    assert refusal(associations=associations) == (
        f"error: {OLDER}: its associations reach different instances ({AGENT}: tag Env=prod; "
        f"{INVENTORY}: tag Env=staging); one QuickSetupLocal has one targets"
    )


# The app as written ------------------------------------------------------------------------------

PATCH_POLICY = {"Id": "pp1", "Type": "AWSQuickSetupType-PatchPolicy", "Parameters": {}}
HEADER = '''\
"""Quick Setup of account 111122223333 in us-east-1, imported from the console by
`quicksetup import` on 2026-12-06.

Review it, then follow the cut-over plan that `quicksetup import` printed: deploy
this app, then delete the console's configurations.
"""
'''
"""The app's module docstring, for an import on 2026-12-06."""
APP = (
    HEADER
    + """
import aws_cdk as cdk

from quicksetup_constructs import InstanceTargets, QuickSetupLocal

app = cdk.App()

# configuration manager prod-hosts: definition pp1 of type AWSQuickSetupType-PatchPolicy
# is not imported: this library configures Host Management and Default Host Management
# only.

# From
# <ARN>
# (AWSQuickSetupType-SSMHostMgmt abcd1).
# configuration manager prod-hosts: parameter Foo='bar' is not imported: the API
# documents no such parameter for AWSQuickSetupType-SSMHostMgmt.
stack = cdk.Stack(
    app,
    "ProdHosts",
    env=cdk.Environment(account="111122223333", region="us-east-1"),
    tags={
        "quicksetup:imported-from": "<ARN>",
    },
)
QuickSetupLocal(
    stack,
    "ProdHosts",
    targets=InstanceTargets.instance_ids(
        ["i-0123456789abcdef0", "i-0123456789abcdef1", "i-0123456789abcdef2"],
    ),
    update_ssm_agent=True,
    update_ec2_launch_agent=False,
    collect_inventory=True,
    scan_for_patches=True,
    install_cloudwatch_agent=False,
    update_cloudwatch_agent=False,
    allow_policy_attach=False,
)

# From qm255 (AWS-QuickSetup-SSMHostMgmt-UpdateSSMAgent-qm255,
# AWS-QuickSetup-SSMHostMgmt-CollectInventory-qm255).
stack = cdk.Stack(
    app,
    "ConsoleQm255",
    env=cdk.Environment(account="111122223333", region="us-east-1"),
    tags={"quicksetup:imported-from": "AWS-QuickSetup-SSMHostMgmt-"},
)
QuickSetupLocal(
    stack,
    "ConsoleQm255",
    targets=InstanceTargets.tag("Team", "web"),
    update_ssm_agent=True,
    update_ec2_launch_agent=False,
    collect_inventory=True,
    scan_for_patches=False,
    install_cloudwatch_agent=False,
    update_cloudwatch_agent=False,
    attach_instance_profile=False,
    enable_explorer=False,
    schedules={"update_ssm_agent": "rate(7 days)"},
)

app.synth()
""".replace("<ARN>", MANAGER_ARN)
)
"""docs/moving.md: "formatted as ``ruff format`` writes it" (88 columns, one argument per
line with a trailing comma, a value that does not fit exploded, comments wrapped without
breaking a word), each configuration after the comments that say where it comes from and
what was not imported, the defaults of the constructs written out."""


def test_the_whole_app_of_a_manager_and_an_older_configuration():
    aws = Aws(session(), account=ACCOUNT)
    quicksetup, ssm = Stubber(aws.client("ssm-quicksetup")), Stubber(aws.client("ssm"))
    manager = {
        "ManagerArn": MANAGER_ARN,
        "Name": "prod-hosts",
        "ConfigurationDefinitions": [
            local(
                TargetType="InstanceIds",
                TargetInstances=",".join(f"i-0123456789abcdef{n}" for n in range(3)),
                Foo="bar",
            ),
            PATCH_POLICY,
        ],
    }
    quicksetup.add_response(
        "list_configuration_managers",
        {"ConfigurationManagersList": [{"ManagerArn": MANAGER_ARN, "Name": "prod-hosts"}]},
        {},
    )
    quicksetup.add_response("get_configuration_manager", manager, {"ManagerArn": MANAGER_ARN})
    associations = [
        older("UpdateSSMAgent", schedule="rate(7 days)"),
        older("CollectInventory", schedule="rate(30 minutes)", number=2),
    ]
    ssm.add_response("list_associations", {"Associations": associations}, {})
    with quicksetup, ssm:
        result = build_app(
            aws, manager=None, app_file="app.py", now=datetime(2026, 12, 6, 23, 59, tzinfo=UTC)
        )
    assert result.code == APP


ORGANIZATION_APP = (
    HEADER
    + """
import aws_cdk as cdk

from quicksetup_constructs import QuickSetupOrganization

app = cdk.App()

# From
# <ARN>
# (AWSQuickSetupType-DHMC abcd1).
stack = cdk.Stack(
    app,
    "ProdHosts",
    env=cdk.Environment(account="111122223333", region="us-east-1"),
    tags={
        "quicksetup:imported-from": "<ARN>",
    },
)
QuickSetupOrganization(
    stack,
    "ProdHosts",
    organizational_unit_ids=["ou-abcd-11112222"],
    regions=["us-east-1"],
    update_ssm_agent=True,
    default_host_management=True,
    collect_inventory=False,
    scan_for_patches=False,
    attach_instance_profile=False,
    enable_explorer=False,
)

app.synth()
""".replace("<ARN>", MANAGER_ARN)
)
"""An app without targets imports no ``InstanceTargets`` (``ruff check``: F401, unused
import), and nothing is skipped, so no comment comes before the configuration."""


def test_the_whole_app_of_an_organization_definition_imports_only_what_it_uses():
    aws = Aws(session(), account=ACCOUNT)
    quicksetup, ssm = Stubber(aws.client("ssm-quicksetup")), Stubber(aws.client("ssm"))
    manager = {
        "ManagerArn": MANAGER_ARN,
        "Name": "prod-hosts",
        "ConfigurationDefinitions": [over_units(DHMC)],
    }
    quicksetup.add_response(
        "list_configuration_managers",
        {"ConfigurationManagersList": [{"ManagerArn": MANAGER_ARN, "Name": "prod-hosts"}]},
        {},
    )
    quicksetup.add_response("get_configuration_manager", manager, {"ManagerArn": MANAGER_ARN})
    ssm.add_response("list_associations", {"Associations": []}, {})
    with quicksetup, ssm:
        result = build_app(
            aws, manager=None, app_file="app.py", now=datetime(2026, 12, 6, tzinfo=UTC)
        )
    assert result.code == ORGANIZATION_APP


def app_code(*definitions: dict[str, Any]) -> str:
    result = import_console(*definitions)
    assert result.exit_code == 0, result.output
    return cli_json.data(result.stdout)["code"]


def test_an_app_with_every_name_imports_them_one_per_line():
    """``from quicksetup_constructs import InstanceTargets, QuickSetupLocal,
    QuickSetupOrganization`` is 90 columns: ``ruff format`` writes it in parentheses, one name
    per line."""
    code = app_code(
        local(TargetType="Tags", TargetTagKey="Env", TargetTagValue="prod"), over_units(DHMC)
    )
    assert (
        "\n\nfrom quicksetup_constructs import (\n    InstanceTargets,\n    QuickSetupLocal,\n"
        "    QuickSetupOrganization,\n)\n\napp = cdk.App()\n"
    ) in code


def test_a_value_of_exactly_88_columns_stays_on_one_line():
    """``ruff format``'s line length is 88: a line of 88 columns is not split."""
    value = "v" * 45
    line = f'    targets=InstanceTargets.tag("Env", "{value}"),\n'
    assert len(line) == 88 + 1
    code = app_code(local(TargetType="Tags", TargetTagKey="Env", TargetTagValue=value))
    assert f'"ProdHosts",\n{line}    update_ssm_agent=True,\n' in code


def test_a_list_too_long_for_its_call_is_exploded_one_item_per_line():
    """Four instance ids in ``instance_ids([...])`` take 101 columns at their indent: ``ruff
    format`` writes the call's argument, then the list, one item per line, each with a
    trailing comma."""
    ids = [f"i-0123456789abcdef{n}" for n in range(4)]
    code = app_code(local(TargetType="InstanceIds", TargetInstances=",".join(ids)))
    assert (
        "    targets=InstanceTargets.instance_ids(\n        [\n"
        + "".join(f'            "{instance}",\n' for instance in ids)
        + "        ],\n    ),\n    update_ssm_agent=True,\n"
    ) in code
