"""Stands in for the CDK CLI that integ/run.py runs, in tests/test_integ_runner.py.

``synth`` copies into ``--output`` the cloud assembly that the real CLI synthesized for an app of
the same file name; on the first call for that name, the real CLI synthesizes it into
``FAKE_CDK_CACHE``. ``list`` is the real CLI's. ``deploy`` and ``destroy`` resolve their
selectors with the real ``cdk list`` on the ``--app`` assembly; deploy then writes the
``--outputs-file`` as the real CLI does (by CloudFormation stack name, every output that the
selected stacks' templates declare), with the assertion results the scenario asks for. No AWS
call is made.

Every call is recorded (see record.py): its command, its arguments, its selectors and, for deploy
and destroy, the hierarchical ids of the stacks that the real CLI selects. The file that
``FAKE_CDK_SCENARIO`` names (none: every default) holds a JSON object:

- ``assertions``: ``success`` (default); ``fail``: the first declared one fails with
  ``message``; ``missing``: the outputs file holds no assertion result;
- ``deploy``: ``succeeds`` (default), ``fails`` (exit code 1), ``interrupted`` (Ctrl-C: SIGINT to
  the caller, then exit code 130);
- ``files``: file name -> JSON written over that file of the assembly after synth.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from record import record

REAL_CDK = Path(__file__).resolve().parents[2] / "node_modules" / ".bin" / "cdk"
CDK_OPTIONS = ("--no-notices", "--no-version-reporting")
VALUE_OPTIONS = {"--app", "--output", "--outputs-file", "--require-approval"}
FLAGS = {*CDK_OPTIONS, "--quiet", "--force", "--long", "--json"}
SCENARIO: dict[str, Any] = (
    json.loads(Path(os.environ["FAKE_CDK_SCENARIO"]).read_text())
    if os.environ.get("FAKE_CDK_SCENARIO")
    else {}
)


def parse(argv: list[str]) -> tuple[str, dict[str, str], list[str]]:
    """The command, the options with a value, and the stack selectors of a command line."""
    options, positionals = {}, []
    arguments = iter(argv)
    for argument in arguments:
        if argument in VALUE_OPTIONS:
            options[argument] = next(arguments)
        elif argument.startswith("-") and argument not in FLAGS:
            sys.exit(f"fake cdk: unknown option {argument}")
        elif not argument.startswith("-"):
            positionals.append(argument)
    command, *selectors = positionals
    return command, options, selectors


def synth(argv: list[str], options: dict[str, str]) -> None:
    output = Path(options["--output"])
    cached = Path(os.environ["FAKE_CDK_CACHE"]) / Path(shlex.split(options["--app"])[-1]).name
    if not cached.is_dir():
        subprocess.run([str(REAL_CDK), *argv], check=True)
        shutil.copytree(output, cached)
    else:
        shutil.copytree(cached, output)
    for name, content in SCENARIO.get("files", {}).items():
        (output / name).write_text(json.dumps(content))


def selected_stacks(assembly: Path, selectors: list[str]) -> list[dict[str, str]]:
    """``{"id", "name"}`` of each stack the real CLI selects."""
    listed = subprocess.run(
        [
            str(REAL_CDK),
            *CDK_OPTIONS,
            "list",
            "--long",
            "--json",
            "--app",
            str(assembly),
            *selectors,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(listed.stdout)


def declared_outputs(assembly: Path, stack_id: str) -> list[str]:
    artifacts = json.loads((assembly / "manifest.json").read_text())["artifacts"]
    (template,) = (
        artifact["properties"]["templateFile"]
        for artifact in artifacts.values()
        if artifact["type"] == "aws:cloudformation:stack" and artifact["displayName"] == stack_id
    )
    return list(json.loads((assembly / template).read_text()).get("Outputs", {}))


def outputs_of(declared: list[str]) -> dict[str, str]:
    values = {key: f"value of {key}" for key in declared if not key.startswith("AssertionResults")}
    assertions = [key for key in declared if key.startswith("AssertionResults")]
    if SCENARIO.get("assertions", "success") == "missing":
        return values
    for index, key in enumerate(assertions):
        failed = index == 0 and SCENARIO.get("assertions") == "fail"
        result = (
            {"status": "fail", "message": SCENARIO["message"]} if failed else {"status": "success"}
        )
        values[key] = json.dumps(result)
    return values


def deploy(options: dict[str, str], stacks: list[dict[str, str]]) -> int:
    outcome = SCENARIO.get("deploy", "succeeds")
    if outcome == "interrupted":
        os.kill(os.getppid(), signal.SIGINT)
        return 130
    if outcome == "fails":
        print("fake cdk: planted deploy failure", file=sys.stderr)
        return 1
    assembly = Path(options["--app"])
    outputs = {
        stack["name"]: outputs_of(declared_outputs(assembly, stack["id"])) for stack in stacks
    }
    Path(options["--outputs-file"]).write_text(json.dumps(outputs, indent=2))
    return 0


def main(argv: list[str]) -> int:
    command, options, selectors = parse(argv)
    if command == "list":
        record("cdk", command=command, argv=argv, selectors=selectors)
        os.execv(REAL_CDK, [str(REAL_CDK), *argv])
    if command == "synth":
        record("cdk", command=command, argv=argv, selectors=selectors)
        synth(argv, options)
        return 0
    if command not in ("deploy", "destroy"):
        sys.exit(f"fake cdk: unknown command {command}")
    stacks = selected_stacks(Path(options["--app"]), selectors)
    record(
        "cdk",
        command=command,
        argv=argv,
        selectors=selectors,
        selected=[stack["id"] for stack in stacks],
    )
    return deploy(options, stacks) if command == "deploy" else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
