"""``--output json`` prints one object under one contract for every verb, errors included,
described by the JSON Schema that ships in the package (docs/cli-json.md)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import aws_cdk as cdk
import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from quicksetup_constructs.cli.contract import SCHEMA_VERSION
from quicksetup_constructs.cli.main import main
from sample_app.app import build_app

from . import cli_json


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    return cli_json.validator()


@pytest.fixture(scope="module")
def assembly(tmp_path_factory) -> Path:
    outdir = tmp_path_factory.mktemp("sample") / "cdk.out"
    build_app(cdk.App(outdir=str(outdir))).synth()
    return outdir


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def _valid(validator: Draft202012Validator, result) -> dict:
    """The one JSON object the command printed, checked against the schema."""
    document = cli_json.envelope(result.stdout)
    assert document["schema_version"] == SCHEMA_VERSION
    return document


@pytest.mark.parametrize("flags", [["--output", "json"], ["--json"]])
def test_plan_prints_the_envelope_and_keyed_data(validator, assembly, flags):
    result = run("plan", str(assembly), "--now", "2026-01-05T09:00", "--accounts", "40", *flags)
    assert result.exit_code == 0
    document = _valid(validator, result)
    assert (document["command"], document["account"], document["region"]) == ("plan", None, None)
    configurations = document["data"]["configurations"]
    for configuration_id, configuration in configurations.items():
        assert configuration["configuration_id"] == configuration_id  # keyed by identity
        for key, option in configuration["options"].items():
            assert option["key"] == key


def test_plan_without_json_prints_the_human_form_not_json(assembly):
    result = run("plan", str(assembly), "--now", "2026-01-05T09:00", "--accounts", "40")
    assert result.exit_code == 0
    json_document = run(
        "plan", str(assembly), "--now", "2026-01-05T09:00", "--accounts", "40", "--json"
    )
    configuration_ids = cli_json.data(json_document.stdout)["configurations"]
    assert configuration_ids and all(key in result.stdout for key in configuration_ids)
    with pytest.raises(json.JSONDecodeError):
        json.loads(result.stdout)


def test_plan_over_a_limit_is_a_finding_with_valid_json(validator, assembly):
    result = run("plan", str(assembly), "--accounts", "1500", "--output", "json")
    assert result.exit_code == 1
    document = _valid(validator, result)
    limits = [
        stack_set["within_limit"]
        for configuration in document["data"]["configurations"].values()
        for stack_set in configuration["stack_sets"].values()
    ]
    assert False in limits


def test_an_error_is_json_on_standard_output_with_the_same_exit_code(validator, tmp_path):
    result = run("plan", str(tmp_path / "missing"), "--output", "json")
    assert result.exit_code == 2
    assert result.stderr == ""
    document = _valid(validator, result)
    assert document["data"] is None
    assert document["error"]["exit_code"] == 2
    assert document["error"]["message"].startswith("no cloud assembly in ")


def test_the_schema_ships_in_the_package():
    packaged = resources.files("quicksetup_constructs.cli") / "schema" / "output.schema.json"
    assert packaged.is_file()
    pyproject = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text()
    assert '"cli/schema/*.json"' in pyproject


def test_an_aws_error_is_json_with_the_region_it_happened_in(validator, monkeypatch, tmp_path):
    from .fake_aws import fake_aws, isolate_aws_environment

    isolate_aws_environment(monkeypatch, tmp_path)
    with fake_aws("throttle") as fake:
        result = CliRunner(
            env={"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "x"}
        ).invoke(
            main,
            ["status", "--region", "eu-west-1", "--endpoint-url", fake.url, "--output", "json"],
        )
    assert result.exit_code == 2
    document = _valid(validator, result)
    assert (document["command"], document["region"], document["data"]) == (
        "status",
        "eu-west-1",
        None,
    )
    assert "throttled" in document["error"]["message"]


def test_every_collection_in_the_schema_is_keyed_not_positional():
    """The contract's rule, checked on the schema itself: an array holds strings (ids, lines,
    Regions) or ordered records (steps, failure groups), never the objects of a collection
    that has an identity (those are objects keyed by it)."""
    schema = cli_json.validator().schema
    ordered = {"#/$defs/failed_step", "#/$defs/failure_group", "#/$defs/cutover_step"}

    def arrays(node):
        if isinstance(node, dict):
            if node.get("type") == "array":
                yield node["items"]
            for value in node.values():
                yield from arrays(value)
        elif isinstance(node, list):
            for value in node:
                yield from arrays(value)

    for items in arrays(schema):
        assert items.get("type") == "string" or items.get("$ref") in ordered | {"#/$defs/date"}, (
            items
        )
