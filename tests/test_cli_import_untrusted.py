"""`quicksetup import` treats what it reads from the account as untrusted input: the app it
writes is run with the user's credentials, so no value may become code or reach the terminal
raw."""

from __future__ import annotations

import ast
import unicodedata

import boto3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quicksetup_constructs.cli.aws import Aws
from quicksetup_constructs.cli.importer.tokens import holds_cdk_token
from quicksetup_constructs.cli.printable import printable

from . import cli_json
from .test_cli_import import (
    MANAGER_ARN,
    REGION,
    definition,
    expect_associations,
    expect_managers,
    local,
    manager,
    run,
    stubbed,
)
from .test_properties import BASE, NO_SHRINKING


@pytest.mark.parametrize("account", [
    '1"""; import os; os.system("id"); """',
    "11112222333",
    "1111222233334",
    "11112222333\n",
    "\uff11" * 12,  # fullwidth digits: digits to str.isdigit, not to the 12-digit account id
])
def test_a_caller_account_that_is_not_12_digits_is_one_line_and_nothing_is_written(
    account, tmp_path
):
    aws = Aws(boto3.Session(region_name=REGION, aws_access_key_id="testing",
                            aws_secret_access_key="testing"), account=account)
    output = tmp_path / "app.py"
    result = run(aws, (), ["--output-file", str(output)])
    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("error: the caller's account is not 12 digits: ")
    assert "\n" not in result.stderr.rstrip("\n")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("arn", [
    "arn:aws:ssm-quicksetup",
    "arn:aws:ssm:us-east-1:111122223333:configuration-manager/abcd",
    "arn:aws:ssm-quicksetup:us-east-1:1111:configuration-manager/abcd",
    "arn:aws:ssm-quicksetup:us-east-1:111122223333:configuration-manager/a b;id",
])
def test_a_malformed_manager_arn_is_one_line_and_nothing_is_written(arn, tmp_path):
    output = tmp_path / "app.py"
    aws, quicksetup, _ssm = stubbed()
    expect_managers(quicksetup, manager(arn=arn, definitions=[local()]))
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
    assert any(printable(key) in line for line in text.splitlines() if line.lstrip().startswith("#"))


TOKEN = "${Token[AWS.AccountId.8]}"


@pytest.mark.parametrize(("parameters", "field"), [
    ({"TargetType": "Tags", "TargetTagKey": "env", "TargetTagValue": TOKEN}, "TargetTagValue"),
    ({"TargetType": "Tags", "TargetTagKey": TOKEN, "TargetTagValue": "prod"}, "TargetTagKey"),
    ({"TargetType": "ResourceGroups", "ResourceGroupName": f"g{TOKEN}"}, "ResourceGroupName"),
    ({"TargetType": "InstanceIds", "TargetInstances": f"i-0123456789abcdef0,{TOKEN}"},
     "TargetInstances"),
    ({TOKEN: "true"}, "(a key)"),
])
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
    expect_managers(quicksetup, manager(definitions=[definition(
        TargetOrganizationalUnits=f"ou-abcd-12345678,{TOKEN}", TargetRegions=REGION)]))
    result = run(aws, (quicksetup,), ["--output-file", str(output)])
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert "holds CDK token syntax" in line and "TargetOrganizationalUnits" in line
    assert list(tmp_path.iterdir()) == []


def test_the_token_detector_refuses_whatever_the_cdk_would_resolve():
    import aws_cdk as cdk

    unresolved = [cdk.Aws.ACCOUNT_ID, cdk.Aws.REGION, f"a{cdk.Aws.ACCOUNT_ID}b",
                  TOKEN, "${Token[TOKEN.123]}", "x${Token[Foo.Bar-1:2]}y",
                  cdk.Fn.join(",", cdk.Aws.NOTIFICATION_ARNS),
                  cdk.Token.as_string(cdk.Aws.NOTIFICATION_ARNS)]
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


@pytest.mark.parametrize("names", [["CDKToolkit"], ["cdktoolkit", "CDKToolkit2"],
                                   ["CDK Toolkit", "CDKToolkit", "a", "a", "a2"]])
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


ADVERSARIAL = st.one_of(
    st.sampled_from(["\x00", "\x1b[2J", "a\nb", "'\"", '"""', "\\", "\\x00", TOKEN, "\ud800",
                     "x" * 5000, "\u2028", "$(id)", "\r# import os"]),
    st.text(max_size=30),
)


@settings(BASE, max_examples=40, phases=NO_SHRINKING)
@given(name=ADVERSARIAL, tag_value=ADVERSARIAL, output_mode=st.sampled_from(["table", "json"]))
def test_adversarial_values_are_kept_as_strings_or_refused_in_one_line(
    name, tag_value, output_mode
):
    parameters = {"TargetType": "Tags", "TargetTagKey": "env", "TargetTagValue": tag_value}
    aws, quicksetup, ssm = stubbed()
    expect_managers(quicksetup, manager(name=name, definitions=[local(**parameters)]))
    refused = any(holds_cdk_token(v) or any("\ud800" <= c <= "\udfff" for c in v)
                  for v in (name, tag_value))
    if not refused:
        expect_associations(ssm)
    result = run(aws, (quicksetup, ssm) if not refused else (quicksetup,),
                 ["--output", output_mode])
    printed = result.stdout + result.stderr
    assert not any(unicodedata.category(c) == "Cc" and c != "\n" for c in printed)
    if result.exit_code == 2:
        if output_mode == "table":
            assert len(result.stderr.splitlines()) == 1 and result.stdout == ""
        return
    assert result.exit_code == 0, result.output
    code = cli_json.data(result.stdout)["code"] if output_mode == "json" else result.stdout
    constants = {node.value for node in ast.walk(ast.parse(code))
                 if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    assert tag_value in constants
