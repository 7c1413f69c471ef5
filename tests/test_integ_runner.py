"""``integ/run.py`` end to end, through a fake CDK CLI on ``PATH`` (tests/fake_cdk/cdk.py).

The fake's cloud assembly is the real CLI's synthesis of ``integ/integ_local.py``, once per module;
the fake resolves the deploy and destroy selectors with the real ``cdk list`` on it, and writes the
deploy's outputs file from the templates' declared outputs, with the assertion results each test
plants. What the tests expect of the app (its test case, stacks and hooks) is read from that
synthesis. No AWS credentials are set and no AWS call is made.

Each run happens in a copy of ``integ/`` (the runner, the app and its harness) in which
``teardown.py``, the hook that the app's ``integ.json`` runs, and ``preconditions.py`` are
recording stand-ins from tests/fake_cdk/: the runner runs hooks from its own directory and
imports ``preconditions`` from there, so the copy is where the real ones can be swapped without
replacing anything else of the runner, and no hook calls AWS.
"""

from __future__ import annotations

import fcntl
import json
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest

from tests.fake_aws import AWS_VARIABLES

ROOT = Path(__file__).resolve().parents[1]
FAKES = Path(__file__).resolve().parent / "fake_cdk"
sys.path.insert(0, str(ROOT / "integ"))
run = import_module("run")  # integ/run.py

APP = "integ_local.py"
DESTROY_TAIL = [("hook", "before-destroy"), ("cdk", "destroy"), ("hook", "after-destroy")]
"""What ends every run that reached the deploy step, in this order (the app's destroy hooks)."""


@dataclass(frozen=True)
class Synthesized:
    """The real CLI's synthesis of integ_local.py: its one test case."""

    assembly: Path
    case: str
    fields: dict[str, Any]

    def read(self, name: str) -> Any:
        return json.loads((self.assembly / name).read_text())

    def integ_json(self, **changes: Any) -> dict[str, Any]:
        """``integ.json`` with fields of the test case changed."""
        manifest = self.read("integ.json")
        manifest["testCases"][self.case].update(changes)
        return manifest

    def declared_assertions(self) -> list[str]:
        template = self.read(f"{self.fields['assertionStackName']}.template.json")
        return [key for key in template["Outputs"] if key.startswith("AssertionResults")]

    def nested_assertion_stack(self, assertion_stack: str | None = None) -> dict[str, Any]:
        """Assembly files in which the assertion stack is where ``IntegTest`` puts it by
        default, ``<test case>/DeployAssert``: an id that is not its CloudFormation name. The
        test case selects it by ``assertion_stack`` (default: that id)."""
        nested_id = f"{self.case}/DeployAssert"
        manifest = self.read("manifest.json")
        manifest["artifacts"][self.fields["assertionStackName"]]["displayName"] = nested_id
        return {
            "manifest.json": manifest,
            "integ.json": self.integ_json(assertionStack=assertion_stack or nested_id),
        }


def _integ_copy(directory: Path) -> Path:
    """The runner and the app of integ/, with the stand-ins beside them."""
    for name in ("run.py", "harness.py", APP):
        shutil.copy(ROOT / "integ" / name, directory / name)
    for name in ("teardown.py", "preconditions.py", "record.py"):
        shutil.copy(FAKES / name, directory / name)
    return directory


def _environment(bin_dir: Path, cache: Path, log: Path, **variables: str) -> dict[str, str]:
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in AWS_VARIABLES and not name.startswith("FAKE_")
    }
    return environment | {
        "PATH": os.pathsep.join([str(bin_dir), str(ROOT / ".venv" / "bin"), os.environ["PATH"]]),
        "AWS_CONFIG_FILE": str(log.parent / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(log.parent / "no-aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        "CDK_DISABLE_CLI_TELEMETRY": "true",
        "FAKE_CDK_CACHE": str(cache),
        "FAKE_CDK_LOG": str(log),
        **variables,
    }


@pytest.fixture(scope="session")
def fake_cdk(tmp_path_factory, worker_id) -> tuple[Path, Path]:
    """A ``bin`` directory holding the fake ``cdk``, and the fake's cache, which holds the real
    CLI's synthesis of integ_local.py: synthesized here, once per session (pytest-xdist's workers
    share the cache; the first one synthesizes while the others wait)."""
    bin_dir = tmp_path_factory.mktemp("bin")
    executable = bin_dir / "cdk"
    executable.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKES / "cdk.py"}" "$@"\n')
    executable.chmod(0o755)
    session_dir = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        session_dir = session_dir.parent  # shared by the workers of this session
    cache = session_dir / "integ-runner-assemblies"
    with open(session_dir / "integ-runner-assemblies.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (cache / APP).is_dir():
            integ = _integ_copy(tmp_path_factory.mktemp("integ"))
            synthesized = subprocess.run(
                [
                    "cdk",
                    "synth",
                    "--quiet",
                    "--app",
                    f"python3 {integ / APP}",
                    "--output",
                    str(integ / "cdk.out"),
                ],
                env=_environment(bin_dir, cache, integ / "synth.log"),
                cwd=integ,
                capture_output=True,
                text=True,
                timeout=240,
                check=False,
            )
            assert synthesized.returncode == 0, synthesized.stderr
    return bin_dir, cache


@pytest.fixture(scope="session")
def app(fake_cdk) -> Synthesized:
    assembly = fake_cdk[1] / APP
    ((case, fields),) = json.loads((assembly / "integ.json").read_text())["testCases"].items()
    return Synthesized(assembly, case, fields)


class Run:
    """One run of ``run.py integ_local.py`` in a copy of integ/, and what it called."""

    def __init__(self, fake_cdk: tuple[Path, Path], tmp_path: Path, **scenario: Any) -> None:
        bin_dir, cache = fake_cdk
        self.integ = _integ_copy(tmp_path)
        log, cdk_scenario = tmp_path / "calls.jsonl", tmp_path / "cdk-scenario.json"
        log.touch()
        cdk_scenario.write_text(json.dumps(scenario.pop("cdk", {})))
        variables = {
            "FAKE_CDK_SCENARIO": str(cdk_scenario),
            "FAKE_HOOKS_FAILING": ",".join(scenario.pop("failing_hooks", ())),
            "FAKE_PRECONDITION_FAILING": scenario.pop("failing_precondition", ""),
        }
        assert not scenario, f"unknown scenario settings {scenario}"
        self.result = subprocess.run(
            [sys.executable, str(self.integ / "run.py"), str(self.integ / APP)],
            env=_environment(bin_dir, cache, log, **variables),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        self.calls = [json.loads(line) for line in log.read_text().splitlines()]

    @property
    def steps(self) -> list[tuple[str, str]]:
        """(program, command) of every call of the CDK CLI or a hook, in order."""
        return [
            (call["program"], call["command"])
            for call in self.calls
            if call["program"] in ("cdk", "hook")
        ]

    def calls_of(self, program: str, command: str | None = None) -> list[dict[str, Any]]:
        return [
            call
            for call in self.calls
            if call["program"] == program and command in (None, call.get("command"))
        ]

    def option(self, call: dict[str, Any], name: str) -> str:
        return call["argv"][call["argv"].index(name) + 1]


LAYOUTS = ("as-synthesized", "nested-assertion-stack")
"""The assertion stack as the app places it, and where ``IntegTest`` places it by default."""


@pytest.fixture(scope="module", params=LAYOUTS)
def passing_run(request, fake_cdk, app, tmp_path_factory) -> tuple[Run, str]:
    """A run in which every assertion passes, and the id of its assertion stack."""
    if request.param == "as-synthesized":
        files, assertion_stack = {}, app.fields["assertionStack"]
    else:
        files, assertion_stack = app.nested_assertion_stack(), f"{app.case}/DeployAssert"
    scenario = {"cdk": {"files": files}}
    return Run(fake_cdk, tmp_path_factory.mktemp(request.param), **scenario), assertion_stack


def test_all_assertions_passing_exit_0_with_the_assertion_stack_deployed_by_its_id(
    passing_run, app
):
    run_, assertion_stack = passing_run
    assert run_.result.returncode == 0, run_.result.stdout + run_.result.stderr
    assert run_.steps == [("cdk", "synth"), ("cdk", "list"), ("cdk", "deploy"), *DESTROY_TAIL]
    (synth,), (deploy,), (destroy,) = (
        run_.calls_of("cdk", command) for command in ("synth", "deploy", "destroy")
    )
    assert deploy["selectors"] == destroy["selectors"] == [*app.fields["stacks"], assertion_stack]
    assert assertion_stack in deploy["selected"]  # as the real CLI resolved it
    assert sorted(deploy["selected"]) == sorted(destroy["selected"]) == sorted(deploy["selectors"])
    assembly = run_.option(synth, "--output")
    for call in (deploy, destroy):  # from the synthesized assembly, not a second synthesis
        assert run_.option(call, "--app") == assembly
    assert run_.option(deploy, "--require-approval") == "never"
    assert "--force" in destroy["argv"]
    assert f"integ: {app.case}: passed\n" in run_.result.stdout
    assert "integ: planted precondition note\n" in run_.result.stdout
    (check,) = run_.calls_of("check")
    assert (check["assembly"], check["synthesized"]) == (assembly, True)


def test_the_hooks_run_from_integ_with_a_fresh_state_directory_of_the_run(passing_run, app):
    run_, _ = passing_run
    hooks = run_.calls_of("hook")
    assert [["python3", "teardown.py", *hook["argv"]] for hook in hooks] == [
        shlex.split(command)
        for name in ("preDestroy", "postDestroy")
        for command in app.fields["hooks"][name]
    ]
    assert {hook["cwd"] for hook in hooks} == {str(run_.integ)}
    (state_dir,) = {call["state_dir"] for call in [*run_.calls_of("cdk", "deploy"), *hooks]}
    assert state_dir is not None
    assert not Path(state_dir).is_relative_to(run_.integ)
    assert [hook["state_found"] for hook in hooks] == [[], ["before-destroy"]]
    assert not Path(state_dir).exists()  # removed with the run's temporary directory


def test_a_failed_assertion_fails_the_run_with_its_message(fake_cdk, app, tmp_path):
    message = "Expected Success but received Failed at /InstanceAssociationStatusInfos/0/Status"
    run_ = Run(fake_cdk, tmp_path, cdk={"assertions": "fail", "message": message})
    first = app.declared_assertions()[0]
    assert run_.result.returncode == 1
    assert f"integ: FAILED {app.case}: {first}: {message}\n" in run_.result.stdout
    assert run_.result.stdout.count("integ: FAILED") == 1
    assert f"integ: {app.case}: FAILED\n" in run_.result.stdout
    assert run_.steps[-3:] == DESTROY_TAIL


def test_assertion_results_missing_from_the_outputs_fail_the_run_and_are_named(
    fake_cdk, app, tmp_path
):
    run_ = Run(fake_cdk, tmp_path, cdk={"assertions": "missing"})
    declared = app.declared_assertions()
    assert run_.result.returncode == 1
    assert declared
    missing = [
        f"integ: FAILED {app.case}: {key}: missing from the deploy's outputs" for key in declared
    ]
    assert [line for line in run_.result.stdout.splitlines() if "FAILED" in line] == [
        *missing,
        f"integ: {app.case}: FAILED",
    ]
    assert run_.steps[-3:] == DESTROY_TAIL


UNKNOWN_SELECTORS = {
    "renamed-assertion-stack": lambda app: (
        {"integ.json": app.integ_json(assertionStack="QuickSetupIntegRenamedAssertions")},
        "QuickSetupIntegRenamedAssertions",
    ),
    "assertion-stack-by-its-name": lambda app: (
        app.nested_assertion_stack(assertion_stack=app.fields["assertionStackName"]),
        app.fields["assertionStackName"],
    ),
    "renamed-case-stack": lambda app: (
        {"integ.json": app.integ_json(stacks=[*app.fields["stacks"][:-1], "QuickSetupIntegOther"])},
        "QuickSetupIntegOther",
    ),
}
"""Assembly files with a selector that matches no stack, and that selector."""


@pytest.mark.parametrize("unknown", UNKNOWN_SELECTORS)
def test_a_selector_that_matches_no_stack_stops_the_run_before_any_deploy(
    fake_cdk, app, tmp_path, unknown
):
    files, selector = UNKNOWN_SELECTORS[unknown](app)
    run_ = Run(fake_cdk, tmp_path, cdk={"files": files})
    assert run_.result.returncode == 2
    assert run_.result.stderr.startswith(
        f"error: test case {app.case}: no stack has the id {selector} "
    )
    assert run_.result.stderr.count("\n") == 1
    assert run_.steps == [("cdk", "synth"), ("cdk", "list")]


def test_an_assertion_stack_that_declares_no_assertion_stops_the_run_before_any_deploy(
    fake_cdk, app, tmp_path
):
    template_name = f"{app.fields['assertionStackName']}.template.json"
    template = app.read(template_name)
    template["Outputs"] = {
        key: value
        for key, value in template["Outputs"].items()
        if not key.startswith("AssertionResults")
    }
    run_ = Run(fake_cdk, tmp_path, cdk={"files": {template_name: template}})
    assert run_.result.returncode == 2
    assert run_.result.stderr == (
        f"error: test case {app.case}: {template_name} declares no AssertionResults* output: "
        "the test case asserts nothing\n"
    )
    assert run_.steps == [("cdk", "synth"), ("cdk", "list")]


def _failing_pre_deploy_hook(app: Synthesized) -> dict[str, Any]:
    hooks = {**app.fields["hooks"], "preDeploy": ["python3 teardown.py before-deploy"]}
    return {
        "cdk": {"files": {"integ.json": app.integ_json(hooks=hooks)}},
        "failing_hooks": ["before-deploy"],
    }


FAILURES = {
    "deploy-fails": (lambda app: {"cdk": {"deploy": "fails"}}, [("cdk", "deploy")]),
    "pre-deploy-hook-fails": (_failing_pre_deploy_hook, [("hook", "before-deploy")]),
    "pre-destroy-hook-fails": (
        lambda app: {"failing_hooks": ["before-destroy"]},
        [("cdk", "deploy")],
    ),
}
"""A failure -> the scenario that plants it, and the steps before the destroy's."""


@pytest.mark.parametrize("failure", FAILURES)
def test_the_destroy_and_its_hooks_run_after_a_failure(fake_cdk, app, tmp_path, failure):
    scenario, steps_before = FAILURES[failure]
    run_ = Run(fake_cdk, tmp_path, **scenario(app))
    assert run_.result.returncode == 1
    assert run_.steps == [("cdk", "synth"), ("cdk", "list"), *steps_before, *DESTROY_TAIL]
    assert f"integ: {app.case}: FAILED\n" in run_.result.stdout


def test_ctrl_c_during_the_deploy_still_destroys(fake_cdk, tmp_path):
    run_ = Run(fake_cdk, tmp_path, cdk={"deploy": "interrupted"})
    assert run_.result.returncode == 130
    assert run_.steps == [("cdk", "synth"), ("cdk", "list"), ("cdk", "deploy"), *DESTROY_TAIL]
    assert run_.result.stderr.endswith("integ: interrupted\n")


@pytest.mark.parametrize(
    ("failing", "steps"),
    [
        ("environment", []),
        ("assembly", [("cdk", "synth")]),
    ],
)
def test_a_failed_precondition_stops_the_run_before_any_deploy(fake_cdk, tmp_path, failing, steps):
    run_ = Run(fake_cdk, tmp_path, failing_precondition=failing)
    assert run_.result.returncode == 2
    assert run_.result.stderr.startswith("error: planted: ")
    assert run_.result.stderr.count("\n") == 1
    assert run_.steps == steps


@pytest.mark.parametrize(
    "value",
    [
        "not json",
        json.dumps({"status": "pending"}),
        json.dumps(["success"]),
    ],
)
def test_an_assertion_output_that_is_no_result_is_a_failure(value):
    assert run.assertion_failures(["AssertionResultsA"], {"AssertionResultsA": value}) == [
        f"AssertionResultsA: not an assertion result: {value}",
    ]
