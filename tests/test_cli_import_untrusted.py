"""`quicksetup import` treats what it reads from the account as untrusted input: the app it
writes is run with the user's credentials, so no value may become code or reach the terminal
raw."""

from __future__ import annotations

import ast
import functools
import json
import shlex
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st

from quicksetup_constructs.cli.aws import Aws
from quicksetup_constructs.cli.importer.code import literal
from quicksetup_constructs.cli.importer.tokens import holds_cdk_token
from quicksetup_constructs.cli.main import main
from quicksetup_constructs.cli.printable import printable

from . import cli_json
from .quicksetup_stubs import expect_managers
from .test_cli_import import (
    ACCOUNT,
    DHMC,
    MANAGER_ARN,
    REGION,
    definition,
    expect_associations,
    legacy_association,
    local,
    manager,
    run,
    stubbed,
)
from .test_properties import BASE, NO_SHRINKING


@pytest.mark.parametrize(
    "account",
    [
        '1"""; import os; os.system("id"); """',
        "11112222333",
        "1111222233334",
        "11112222333\n",
        "\uff11" * 12,  # fullwidth digits: digits to str.isdigit, not to the 12-digit account id
    ],
)
def test_a_caller_account_that_is_not_12_digits_is_one_line_and_nothing_is_written(
    account, tmp_path
):
    aws = Aws(
        boto3.Session(
            region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
        ),
        account=account,
    )
    output = tmp_path / "app.py"
    result = run(aws, (), ["--output-file", str(output)])
    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("error: the caller's account is not 12 digits: ")
    assert "\n" not in result.stderr.rstrip("\n")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:ssm-quicksetup",
        "arn:aws:ssm:us-east-1:111122223333:configuration-manager/abcd",
        "arn:aws:ssm-quicksetup:us-east-1:1111:configuration-manager/abcd",
        "arn:aws:ssm-quicksetup:us-east-1:111122223333:configuration-manager/a b;id",
    ],
)
def test_a_malformed_manager_arn_is_one_line_and_nothing_is_written(arn, tmp_path):
    output = tmp_path / "app.py"
    aws, quicksetup, _ssm = stubbed()
    listed = manager(arn=arn, definitions=[local()])
    # Only the list call: a malformed ARN is refused before it is sent back to AWS.
    quicksetup.add_response(
        "list_configuration_managers",
        {
            "ConfigurationManagersList": [
                {"ManagerArn": listed["ManagerArn"], "Name": listed["Name"]}
            ]
        },
        {},
    )
    result = run(aws, (quicksetup,), ["--output-file", str(output)])
    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("error: not a configuration manager's ARN: ")
    assert "unexpected" not in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("key", ["Update\ud800Agent", "UpdateSSMAgent"])
def test_a_lone_surrogate_is_one_line_and_nothing_is_left_behind(key, tmp_path):
    output = tmp_path / "app.py"
    aws, quicksetup, _ssm = stubbed()
    parameters = {key: "true"} if "\ud800" in key else {key: "tr\udfffue"}
    expect_managers(quicksetup, manager(definitions=[local(**parameters)]))
    result = run(aws, (quicksetup,), ["--output-file", str(output)])
    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert "holds a lone surrogate" in line
    assert "unexpected" not in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("key", ["Update\x00Agent", "Up\ndate\x1b[31mAgent", "A\r# B\u2028C"])
def test_control_characters_in_a_comment_are_escaped_and_no_nul_reaches_the_file(key, tmp_path):
    output = tmp_path / "app.py"
    aws, quicksetup, ssm = stubbed()
    expect_managers(quicksetup, manager(definitions=[local(**{key: "true"})]))
    expect_associations(ssm)
    result = run(aws, (quicksetup, ssm), ["--output-file", str(output)])
    assert result.exit_code == 0, result.output
    written = output.read_bytes()
    assert b"\x00" not in written and b"\x1b" not in written and b"\r" not in written
    text = written.decode("utf-8")
    ast.parse(text)
    assert "\u2028" not in text
    assert any(
        printable(key) in line for line in text.splitlines() if line.lstrip().startswith("#")
    )


TOKEN = "${Token[AWS.AccountId.8]}"


@pytest.mark.parametrize(
    ("parameters", "field"),
    [
        ({"TargetType": "Tags", "TargetTagKey": "env", "TargetTagValue": TOKEN}, "TargetTagValue"),
        ({"TargetType": "Tags", "TargetTagKey": TOKEN, "TargetTagValue": "prod"}, "TargetTagKey"),
        ({"TargetType": "ResourceGroups", "ResourceGroupName": f"g{TOKEN}"}, "ResourceGroupName"),
        (
            {"TargetType": "InstanceIds", "TargetInstances": f"i-0123456789abcdef0,{TOKEN}"},
            "TargetInstances",
        ),
        ({TOKEN: "true"}, "(a key)"),
    ],
)
def test_cdk_token_syntax_in_an_imported_value_is_one_line_naming_the_field(
    parameters, field, tmp_path
):
    output = tmp_path / "app.py"
    aws, quicksetup, _ssm = stubbed()
    expect_managers(quicksetup, manager(definitions=[local(**parameters)]))
    result = run(aws, (quicksetup,), ["--output-file", str(output)])
    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert "holds CDK token syntax" in line and field in line
    assert list(tmp_path.iterdir()) == []


def test_cdk_token_syntax_in_an_ou_is_one_line_naming_the_field(tmp_path):
    output = tmp_path / "app.py"
    aws, quicksetup, _ssm = stubbed()
    expect_managers(
        quicksetup,
        manager(
            definitions=[
                definition(
                    TargetOrganizationalUnits=f"ou-abcd-12345678,{TOKEN}", TargetRegions=REGION
                )
            ]
        ),
    )
    result = run(aws, (quicksetup,), ["--output-file", str(output)])
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert "holds CDK token syntax" in line and "TargetOrganizationalUnits" in line
    assert list(tmp_path.iterdir()) == []


def test_the_token_detector_refuses_whatever_the_cdk_would_resolve():
    import aws_cdk as cdk

    unresolved = [
        cdk.Aws.ACCOUNT_ID,
        cdk.Aws.REGION,
        f"a{cdk.Aws.ACCOUNT_ID}b",
        TOKEN,
        "${Token[TOKEN.123]}",
        "x${Token[Foo.Bar-1:2]}y",
        cdk.Fn.join(",", cdk.Aws.NOTIFICATION_ARNS),
        cdk.Token.as_string(cdk.Aws.NOTIFICATION_ARNS),
    ]
    benign = ["prod-hosts", "$Token", "{Token[1]}", "${token[1]}", "Token[AWS]", "${}", "#{x}"]
    for sample in unresolved:
        assert cdk.Token.is_unresolved(sample), sample
        assert holds_cdk_token(sample), sample
    for sample in benign:
        assert not cdk.Token.is_unresolved(sample), sample
        assert not holds_cdk_token(sample), sample
    # A list token's element: the CDK resolves the list it came from; it is refused alone too.
    assert cdk.Token.is_unresolved(cdk.Aws.NOTIFICATION_ARNS)
    assert all(holds_cdk_token(element) for element in cdk.Aws.NOTIFICATION_ARNS)


@pytest.mark.parametrize(
    "names",
    [["CDKToolkit"], ["cdktoolkit", "CDKToolkit2"], ["CDK Toolkit", "CDKToolkit", "a", "a", "a2"]],
)
def test_no_stack_takes_the_bootstrap_stack_name_and_ids_stay_unique(names):
    arns = [MANAGER_ARN[:-4] + f"{n:04d}" for n in range(len(names))]
    managers = [manager(arn, name, [local()]) for arn, name in zip(arns, names, strict=True)]
    aws, quicksetup, ssm = stubbed()
    expect_managers(quicksetup, *managers)
    expect_associations(ssm)
    result = run(aws, (quicksetup, ssm), ["--output", "json"])
    assert result.exit_code == 0, result.output
    configurations = cli_json.data(result.stdout)["configurations"]
    stacks = [c["stack"] for c in configurations.values()]
    assert len(stacks) == len(names) == len(set(stacks)) == len(configurations)
    # `cdk bootstrap`'s stack is CDKToolkit (its --toolkit-stack-name default).
    assert not any(stack.lower() == "cdktoolkit" for stack in stacks)
    assert "CDKToolkit " not in result.stdout and not result.stdout.endswith("CDKToolkit")


# Every field that reaches the output, fed adversarial strings ---------------------------------
# An account as the console leaves it: a local Host Management definition (tag targets,
# inventory on, the local deployment roles, a type version, a parameter the API does not
# document), an organization one beside a Default Host Management definition, and an older
# console configuration. Each field below is one place a string read from AWS lands; the
# property feeds it an adversarial string and compares the import with the one of the benign
# console.

OTHER_MANAGER_ARN = MANAGER_ARN[:-4] + "0000"
LEGACY_ID = "qm255"
TAG = [{"Key": "tag:Team", "Values": ["web"]}]


def benign_console() -> dict[str, Any]:
    """What `quicksetup import` reads, as the API answers (GetConfigurationManager,
    ListAssociations, DescribeAssociation)."""
    hosts = local(
        TargetType="Tags",
        TargetTagKey="env",
        TargetTagValue="prod",
        UpdateSSMAgent="true",
        UpdateEc2LaunchAgent="false",
        CollectInventory="true",
        ScanInstances="true",
        InstallCloudWatchAgent="false",
        UpdateCloudWatchAgent="false",
        IsPolicyAttachAllowed="false",
        QSForceUpdateParam="1",
        Extra="x",
    )
    hosts.update(
        TypeVersion="1.0",
        LocalDeploymentExecutionRoleName="QuickSetupExecution",
        LocalDeploymentAdministrationRoleArn=(
            f"arn:aws:iam::{ACCOUNT}:role/QuickSetupAdministration"
        ),
    )
    first = manager(definitions=[hosts])
    first.update(Description="hosts of the account", Tags={"team": "web"})
    organization = manager(
        OTHER_MANAGER_ARN,
        "org-hosts",
        [
            definition(
                id="efgh2", TargetOrganizationalUnits="ou-abcd-12345678", TargetRegions=REGION
            ),
            definition(
                DHMC,
                id="ijkl3",
                UpdateSSMAgent="true",
                TargetOrganizationalUnits="ou-abcd-12345678",
                TargetRegions=REGION,
            ),
        ],
    )
    associations = [
        legacy_association("UpdateSSMAgent", LEGACY_ID, TAG, "rate(14 days)", number=1),
        legacy_association(
            "AttachIAMToInstance",
            LEGACY_ID,
            TAG,
            "rate(30 days)",
            "AWSQuickSetup-CreateAndAttachIAMToInstance-qm255",
            number=2,
        ),
        legacy_association(
            "CollectInventory",
            LEGACY_ID,
            TAG,
            "rate(30 minutes)",
            "AWS-GatherSoftwareInventory",
            number=3,
        ),
        legacy_association(
            "ManageCloudWatchAgent",
            LEGACY_ID,
            TAG,
            None,
            "AWSQuickSetup-InstallAndManageCloudWatchDocument-qm255",
            number=4,
        ),
    ]
    return {
        "managers": [first, organization],
        "associations": associations,
        "described": {associations[1]["AssociationId"]: {"IsPolicyAttachAllowed": ["true"]}},
    }


def hosts(console: dict[str, Any]) -> dict[str, Any]:
    return console["managers"][0]["ConfigurationDefinitions"][0]


def parameter(name: str, index: int = 0) -> Callable[[dict[str, Any], str], None]:
    """A setter of parameter ``name`` of the console's ``index``-th definition (0: the local
    Host Management one; 1: the organization's; 2: Default Host Management)."""

    def put(console: dict[str, Any], value: str) -> None:
        managers = console["managers"]
        found = [d for m in managers for d in m["ConfigurationDefinitions"]][index]
        found["Parameters"][name] = value

    return put


def listed(name: str, index: int = 0) -> Callable[[dict[str, Any], str], None]:
    """A setter that adds ``value`` to the comma-separated list ``name``."""

    def put(console: dict[str, Any], value: str) -> None:
        found = [d for m in console["managers"] for d in m["ConfigurationDefinitions"]][index]
        found["Parameters"][name] += f",{value}"

    return put


def targeted(kind: str, name: str) -> Callable[[dict[str, Any], str], None]:
    def put(console: dict[str, Any], value: str) -> None:
        parameters = hosts(console)["Parameters"]
        for key in ("TargetTagKey", "TargetTagValue"):
            del parameters[key]
        parameters.update(TargetType=kind, **{name: value})

    return put


def legacy_targets(
    key: str, automation_key: str | None = None, *, in_key: bool = False, first: str = ""
) -> Callable[[dict[str, Any], str], None]:
    """A setter of every older console association's target (``in_key``: the value is the
    tag key, ``tag:<value>``); the Automation runbook's key is ``automation_key``."""

    def put(console: dict[str, Any], value: str) -> None:
        for association in console["associations"]:
            automation = "IAM" in association["AssociationName"] and automation_key
            target_key = automation_key if automation else key
            association["Targets"] = (
                [{"Key": f"{target_key}{value}", "Values": ["web"]}]
                if in_key
                else [{"Key": target_key, "Values": [v for v in (first, value) if v]}]
            )

    return put


def association_field(field: str) -> Callable[[dict[str, Any], str], None]:
    def put(console: dict[str, Any], value: str) -> None:
        association = console["associations"][0 if field != "AssociationId" else 2]
        association[field] = value

    return put


def legacy_configuration_id(console: dict[str, Any], value: str) -> None:
    for association in console["associations"]:
        association["AssociationName"] = association["AssociationName"].replace(
            f"-{LEGACY_ID}", f"-{value}"
        )


def described(name: str) -> Callable[[dict[str, Any], str], None]:
    def put(console: dict[str, Any], value: str) -> None:
        [parameters] = console["described"].values()
        parameters.pop("IsPolicyAttachAllowed") if name != "IsPolicyAttachAllowed" else None
        parameters[name] = [value]

    return put


def unknown_key(index: int) -> Callable[[dict[str, Any], str], None]:
    def put(console: dict[str, Any], value: str) -> None:
        found = [d for m in console["managers"] for d in m["ConfigurationDefinitions"]][index]
        found["Parameters"][value] = "x"

    return put


def first_manager(field: str) -> Callable[[dict[str, Any], str], None]:
    def put(console: dict[str, Any], value: str) -> None:
        console["managers"][0][field] = value

    return put


def in_definition(field: str) -> Callable[[dict[str, Any], str], None]:
    def put(console: dict[str, Any], value: str) -> None:
        hosts(console)[field] = value

    return put


def arn_id(console: dict[str, Any], value: str) -> None:
    console["managers"][0]["ManagerArn"] = MANAGER_ARN.rsplit("/", 1)[0] + "/" + value


def tag(which: int) -> Callable[[dict[str, Any], str], None]:
    def put(console: dict[str, Any], value: str) -> None:
        console["managers"][0]["Tags"] = {"team": value} if which else {value: "web"}

    return put


@dataclass(frozen=True)
class Field:
    """One place a read string lands: how to put a value there, the benign value, and
    whether the value reaches the app as a string constant (``constant``: as it is;
    ``listed``: each of its comma-separated items, stripped, the API's "comma separated
    list")."""

    put: Callable[[dict[str, Any], str], None]
    benign: str
    constant: bool = False
    listed: tuple[str, ...] = ()
    """Benign items, for a list of as many items as the adversarial value gives."""

    def benign_for(self, value: str) -> str:
        """The benign value of the field, with as many list items as ``value``."""
        if not self.listed:
            return self.benign
        return ",".join(self.listed[: len(items(value))])


def items(value: str) -> list[str]:
    """The items of a comma-separated list, stripped, blanks dropped."""
    return [item.strip() for item in value.split(",") if item.strip()]


REGIONS = ("us-west-2", "eu-west-1", "ap-south-1", "eu-central-1", "ca-central-1", "sa-east-1")
OUS = tuple(f"ou-abcd-{n}1234567" for n in range(1, 7))

FIELDS = {
    "manager name": Field(first_manager("Name"), "prod-hosts"),
    "manager description": Field(first_manager("Description"), "hosts"),
    "manager tag key": Field(tag(0), "team"),
    "manager tag value": Field(tag(1), "web"),
    "manager ARN id": Field(arn_id, MANAGER_ARN.rsplit("/", 1)[1]),
    "definition id": Field(in_definition("Id"), "abcd1"),
    "type version": Field(in_definition("TypeVersion"), "1.0"),
    "LocalDeploymentExecutionRoleName": Field(
        in_definition("LocalDeploymentExecutionRoleName"), "QuickSetupExecution"
    ),
    "LocalDeploymentAdministrationRoleArn": Field(
        in_definition("LocalDeploymentAdministrationRoleArn"),
        f"arn:aws:iam::{ACCOUNT}:role/QuickSetupAdministration",
    ),
    **{
        f"Host Management {name}": Field(parameter(name), value)
        for name, value in [
            ("UpdateSSMAgent", "true"),
            ("UpdateEc2LaunchAgent", "false"),
            ("CollectInventory", "true"),
            ("ScanInstances", "true"),
            ("InstallCloudWatchAgent", "false"),
            ("UpdateCloudWatchAgent", "false"),
            ("IsPolicyAttachAllowed", "false"),
            ("TargetType", "Tags"),
            ("QSForceUpdateParam", "1"),
            ("Extra", "x"),
        ]
    },
    "Host Management TargetTagKey": Field(parameter("TargetTagKey"), "env", constant=True),
    "Host Management TargetTagValue": Field(parameter("TargetTagValue"), "prod", constant=True),
    "Host Management TargetInstances": Field(
        targeted("InstanceIds", "TargetInstances"),
        "i-0123456789abcdef0",
        listed=tuple(f"i-0123456789abcdef{n}" for n in range(6)),
    ),
    "Host Management ResourceGroupName": Field(
        targeted("ResourceGroups", "ResourceGroupName"), "web-servers", constant=True
    ),
    "Host Management TargetAccounts": Field(
        parameter("TargetAccounts"), ACCOUNT, listed=tuple(f"{n}" * 12 for n in range(1, 7))
    ),
    "Host Management TargetRegions": Field(listed("TargetRegions"), "us-west-2", listed=REGIONS),
    "Host Management parameter key": Field(unknown_key(0), "Extra2"),
    "organization TargetOrganizationalUnits": Field(
        listed("TargetOrganizationalUnits", 1), "ou-abcd-87654321", listed=OUS
    ),
    "organization TargetRegions": Field(listed("TargetRegions", 1), "us-west-2", listed=REGIONS),
    "organization parameter key": Field(unknown_key(1), "Extra2"),
    "DHMC UpdateSSMAgent": Field(parameter("UpdateSSMAgent", 2), "true"),
    "DHMC TargetOrganizationalUnits": Field(
        listed("TargetOrganizationalUnits", 2), "ou-abcd-87654321", listed=OUS
    ),
    "DHMC TargetRegions": Field(listed("TargetRegions", 2), "us-west-2", listed=REGIONS),
    "DHMC parameter key": Field(unknown_key(2), "Extra2"),
    "older console configuration id": Field(legacy_configuration_id, LEGACY_ID),
    "older console association id": Field(
        association_field("AssociationId"), "00000003-2222-4333-8444-555555555555"
    ),
    "older console schedule": Field(
        association_field("ScheduleExpression"), "rate(7 days)", constant=True
    ),
    "older console IsPolicyAttachAllowed": Field(described("IsPolicyAttachAllowed"), "true"),
    "older console parameter key": Field(lambda c, v: described(v)(c, "x"), "Extra"),
    "older console tag key": Field(legacy_targets("tag:", in_key=True), "Team", constant=True),
    "older console tag value": Field(legacy_targets("tag:Team"), "web", constant=True),
    "older console instance ids": Field(
        legacy_targets("InstanceIds", "ParameterValues", first="i-01234567"),
        "i-89abcdef",
        constant=True,
    ),
    "older console resource group": Field(
        legacy_targets("resource-groups:Name", "ResourceGroup"), "web-servers", constant=True
    ),
}


def import_console_as(console: dict[str, Any], directory: Path, output: str) -> Any:
    """`quicksetup import --output-file <directory>/app.py --output <output>` of ``console``;
    the stubbed calls need not all be made (a refusal stops early)."""
    aws, quicksetup, ssm = stubbed()
    expect_managers(quicksetup, *console["managers"])
    expect_associations(ssm, *console["associations"])
    for association in console["associations"]:
        parameters = console["described"].get(association["AssociationId"])
        if parameters is not None and "IAM" in association["AssociationName"]:
            ssm.add_response(
                "describe_association",
                {"AssociationDescription": {"Parameters": parameters}},
                {"AssociationId": association["AssociationId"]},
            )
    with quicksetup, ssm:
        return CliRunner(env={"COLUMNS": "200"}).invoke(
            main,
            ["import", "--output-file", str(directory / "app.py"), "--output", output],
            obj=aws,
            catch_exceptions=False,
        )


def shape(code: str) -> str:
    """The app's syntax tree with every constant replaced by a placeholder."""
    tree = ast.parse(code)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant):
            node.value = "…"
    return ast.dump(tree)


def string_constants(code: str) -> set[str]:
    return {
        node.value
        for node in ast.walk(ast.parse(code))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


RAW = frozenset({"Cc", "Cs", "Zl", "Zp"})
"""What must never be printed or written raw: control characters, lone surrogates, line and
paragraph separators."""


def raw_characters(text: str, allowed: str = "\n") -> list[str]:
    return [c for c in text if unicodedata.category(c) in RAW and c not in allowed]


@functools.cache
def benign_shape(field: str, value: str) -> str:
    console = benign_console()
    FIELDS[field].put(console, value)
    with tempfile.TemporaryDirectory() as directory:
        result = import_console_as(console, Path(directory), "text")
        assert result.exit_code == 0, result.output
        return shape((Path(directory) / "app.py").read_text())


@functools.cache
def shape_without_older_console() -> str:
    console = benign_console()
    console["associations"] = []
    with tempfile.TemporaryDirectory() as directory:
        result = import_console_as(console, Path(directory), "text")
        assert result.exit_code == 0, result.output
        return shape((Path(directory) / "app.py").read_text())


def commands_carry(printed: str, console: dict[str, Any]) -> None:
    """Every printed `$ ` command splits (shlex) into arguments that are the values read."""
    definitions = {d["Id"]: d for m in console["managers"] for d in m["ConfigurationDefinitions"]}
    expected = {
        "--manager-arn": {m["ManagerArn"] for m in console["managers"]},
        "--id": set(definitions),
        "--association-id": {a["AssociationId"] for a in console["associations"]},
        "--parameters": [
            {
                **{k: v for k, v in d["Parameters"].items() if k != "QSForceUpdateParam"},
                "CollectInventory": "false",
            }
            for d in definitions.values()
        ],
    }
    for line in printed.splitlines():
        if not line.lstrip().startswith("$ "):
            continue
        words = shlex.split(line.lstrip()[2:])
        for option, values in expected.items():
            if option in words:
                given = words[words.index(option) + 1]
                assert (json.loads(given) if option == "--parameters" else given) in values, (
                    option,
                    given,
                    line,
                )


SAMPLES = [
    "\x00",
    "\x1b[2J",
    "a\nb",
    "\r# import os",
    "\u2028",
    "\u2029",
    "\x85",
    "\ud800",
    "'\"",
    '"""',
    "\\",
    "\\x00",
    "\\u2028",
    TOKEN,
    "#{Token[LIST.1]}",
    "$(id)",
    "`id`; rm -rf ~ | cat > /tmp/x &",
    "x" * 5000,
    "\x7f\x9b31m",
    "\t\v\f",
]
ADVERSARIAL = st.one_of(
    st.sampled_from(SAMPLES),
    st.lists(st.sampled_from([*SAMPLES, "a", " ", ",", "-", "prod"]), min_size=1, max_size=4).map(
        "".join
    ),
    st.text(st.characters(codec=None), min_size=1, max_size=20),
)


@pytest.mark.parametrize("field", sorted(FIELDS))
@settings(BASE, max_examples=4, phases=NO_SHRINKING)
@given(value=ADVERSARIAL, output=st.sampled_from(["table", "text"]))
def test_every_field_read_is_kept_as_data_or_refused_in_one_line(field, value, output):
    spec = FIELDS[field]
    console = benign_console()
    spec.put(console, value)
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        result = import_console_as(console, directory, output)
        written = sorted(path.name for path in directory.iterdir())
        app = (directory / "app.py").read_text() if written == ["app.py"] else None
    printed = result.stdout + result.stderr
    assert not raw_characters(printed), (field, value, printed[-2000:])
    if result.exit_code == 2:
        assert result.stdout == "" and len(result.stderr.splitlines()) == 1, result.stderr
        assert "unexpected" not in result.stderr, result.stderr
        assert written == [], written
        return
    assert result.exit_code == 0, result.output
    assert app is not None, written
    assert not raw_characters(app), field
    if field == "older console configuration id" and shape(app) == shape_without_older_console():
        # Not the older console's name shape: not read, and named in a warning.
        assert printable(f"AWS-QuickSetup-SSMHostMgmt-UpdateSSMAgent-{value}") in result.stderr
    else:
        assert shape(app) == benign_shape(field, spec.benign_for(value))
    constants = string_constants(app)
    if spec.constant:
        assert value in constants, (field, value)
    if spec.listed:
        assert all(item in constants for item in items(value)), (field, value)
    commands_carry(result.stdout, console)


# Each rule on its own -------------------------------------------------------------------------
# Most values that reach a literal of the app or a printed command are checked before they get
# there (targets, Regions, schedules, ARNs; the output file is the user's own), so the property
# above cannot see all the escaping and quoting underneath; these pin them where applied.


@settings(BASE, max_examples=300)
@example(value="\x85")
@example(value="\u2028")
@example(value="\u202e")
@example(value="\ud800")
@given(value=st.one_of(st.sampled_from(SAMPLES), st.text(st.characters(codec=None))))
def test_a_string_literal_of_the_app_is_printable_and_reads_back_as_its_value(value):
    written = literal(value)
    assert written.isprintable(), written
    assert ast.literal_eval(written) == value


def test_printed_commands_carry_quotes_spaces_and_substitutions_exactly(tmp_path):
    """A manager name, a definition id, a parameter value and the output file holding quotes,
    spaces and ``$(...)``: each `$ ` command of the plan splits (shlex, as a POSIX shell
    would) into exactly the values read. A name reaches commands only as its stack id
    (``_pascal``: letters and digits)."""
    hostile = 'it\'s "prod" $(id) `id` hosts'
    folder = tmp_path / 'my app\'s "dir" $(id)'
    folder.mkdir()
    output = folder / "app.py"
    parameters = {"TargetAccounts": ACCOUNT, "TargetRegions": REGION, "Extra": hostile}
    console = manager(name=hostile, definitions=[definition(id="ab 'c' $(id)", **parameters)])
    aws, quicksetup, ssm = stubbed()
    expect_managers(quicksetup, console)
    expect_associations(ssm)
    result = run(aws, (quicksetup, ssm), ["--output-file", str(output), "--output", "text"])
    assert result.exit_code == 0, result.output
    commands = [
        shlex.split(line.lstrip()[2:])
        for line in result.stdout.splitlines()
        if line.lstrip().startswith("$ ")
    ]
    [update] = [c for c in commands if "update-configuration-definition" in c]
    assert update[update.index("--manager-arn") + 1] == MANAGER_ARN
    assert update[update.index("--id") + 1] == "ab 'c' $(id)"
    assert json.loads(update[update.index("--parameters") + 1]) == {
        **parameters,
        "CollectInventory": "false",
    }
    [deploy] = [c for c in commands if c[:2] == ["cdk", "deploy"]]
    assert deploy[:3] + deploy[4:] == ["cdk", "deploy", "--app", "ItSProdIdIdHosts"]
    # --app is itself a command line (`cdk --help`: "command-line for executing your app").
    assert shlex.split(deploy[3]) == ["python", str(output)]
    [synth] = [c for c in commands if c[:2] == ["cdk", "synth"]]
    assert shlex.split(synth[synth.index("--app") + 1]) == ["python", str(output)]
    [status] = [c for c in commands if c[:2] == ["quicksetup", "status"]]
    assert status[status.index("--stack") + 1] == "ItSProdIdIdHosts"
