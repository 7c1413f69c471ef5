"""Deploy the integration apps, read their assertions, and destroy them: what ``make integ`` runs.

``python integ/run.py integ/integ_local.py [...]``, with AWS credentials and ``AWS_REGION`` set.
The CDK CLI is the ``cdk`` found first on ``PATH``, and apps and hooks run with the ``python3``
found first on it: ``make integ`` puts the project's pinned CLI (``node_modules/.bin``) and the
virtual environment's ``bin`` there.

integ-runner does the same for aws-cdk's own modules, but its latest release (2.197) reads cloud
assemblies up to schema 53, and the aws-cdk-lib this project pins writes schema 55. So this
follows integ-runner's workflow with the project's own CDK CLI, reading the integ manifest
(``integ.json``) that ``IntegTest`` writes. Every CDK command runs in a temporary directory, so
that no ``cdk.json`` of the caller's adds context to what the snapshots check.

Before anything is deployed, the run stops (exit code 2, one line on standard error) unless:

1. ``preconditions.check_environment`` passes, before any synthesis; then each app is
   synthesized once (exit code 1 when one does not), and ``preconditions.check`` passes on its
   cloud assembly (``integ/preconditions.py``; the notes it returns are printed);
2. ``cdk list`` on the assembly lists every stack of each test case by its hierarchical id: the
   case's ``stacks`` and its ``assertionStack``. The CLI selects stacks by that id, and drops a
   selector that matches nothing without a word when another one matches;
3. the assertion stack's template declares at least one ``AssertionResults*`` output: a test case
   that asserts nothing cannot pass.

Then each test case, from the assembly already synthesized:

4. its ``preDeploy`` hooks; the deploy of its stacks (a waiter that times out fails it); every
   ``AssertionResults*`` output the assertion stack declares must be in the deploy's outputs and
   say ``success``; its ``postDeploy`` hooks once the deploy succeeded;
5. whatever happened in 4 (a failure, an exception, Ctrl-C): its ``preDestroy`` hooks, the
   destroy of the same stacks, and its ``postDestroy`` hooks, each of the three whatever the one
   before it did.

Hooks run from ``integ/``, as integ-runner runs them; a list of hooks stops at its first failing
command. Every command of a test case gets ``QUICKSETUP_INTEG_STATE_DIR``: an empty directory of
its own, removed after the run, where the hooks keep their state.

Exit code 0 when every test case passed; 1 when one failed or an app did not synthesize; 2 when
the run stopped before any deploy; 130 when interrupted (once the interrupted test case is
destroyed; no other test case is deployed after it).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

INTEG = Path(__file__).resolve().parent
CDK_OPTIONS = ("--no-notices", "--no-version-reporting")
STATE_DIR_VARIABLE = "QUICKSETUP_INTEG_STATE_DIR"
ASSERTION_OUTPUT_PREFIX = "AssertionResults"
HOOKS = ("preDeploy", "postDeploy", "preDestroy", "postDestroy")
CASE_FIELDS = {"stacks", "assertionStack", "assertionStackName", "hooks", "stackUpdateWorkflow"}
"""What this runner reads of a test case in ``integ.json``; any other field stops the run."""


class Stop(Exception):
    """The run stops before any deploy (exit code 2); the message is one line."""


@dataclass(frozen=True)
class Cdk:
    """The CDK CLI, run in ``workdir``."""

    executable: str
    workdir: Path

    def command(self, *arguments: str) -> list[str]:
        return [self.executable, *CDK_OPTIONS, *arguments]


@dataclass(frozen=True)
class Case:
    """One test case of ``integ.json``, checked and ready to deploy."""

    name: str
    assembly: Path
    selectors: tuple[str, ...]
    """Hierarchical ids: the case's stacks, then its assertion stack."""
    assertion_stack_name: str
    """The assertion stack's CloudFormation name, its key in the deploy's outputs file."""
    assertion_outputs: tuple[str, ...]
    hooks: dict[str, list[str]]
    workdir: Path
    """Holds the deploy's outputs file and the hooks' state directory."""


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> bool:
    print("integ: $", shlex.join(command), flush=True)
    try:
        return subprocess.run(command, cwd=cwd, env=env, check=False).returncode == 0
    except OSError as error:
        print(f"integ: cannot run {command[0]}: {error}", flush=True)
        return False


def listed_stacks(cdk: Cdk, assembly: Path, selectors: Iterable[str]) -> dict[str, str]:
    """Hierarchical id -> CloudFormation name of the stacks that ``cdk list`` selects in
    ``assembly`` (with the stacks they depend on)."""
    command = cdk.command("list", "--long", "--json", "--app", str(assembly), *selectors)
    print("integ: $", shlex.join(command), flush=True)
    listed = subprocess.run(command, cwd=cdk.workdir, capture_output=True, text=True, check=False)
    if listed.returncode != 0:
        reason = " ".join(listed.stderr.split()) or f"exit code {listed.returncode}"
        raise Stop(f"cdk list failed: {reason}")
    return {stack["id"]: stack["name"] for stack in json.loads(listed.stdout)}


def declared_assertion_outputs(template: Path) -> tuple[str, ...]:
    """The ``AssertionResults*`` outputs an assertion stack's template declares."""
    outputs = json.loads(template.read_text()).get("Outputs", {})
    return tuple(key for key in outputs if key.startswith(ASSERTION_OUTPUT_PREFIX))


def assertion_failures(declared: Iterable[str], outputs: dict[str, str]) -> list[str]:
    """One line per declared assertion output that is not a success in ``outputs`` (the
    assertion stack's part of the deploy's outputs file): missing, failed with its message, or
    not an assertion result at all."""
    failures = []
    for key in declared:
        if key not in outputs:
            failures.append(f"{key}: missing from the deploy's outputs")
            continue
        try:
            result = json.loads(outputs[key])
        except ValueError:
            result = None
        if result == {"status": "success"}:
            continue
        if isinstance(result, dict) and result.get("status") == "fail":
            failures.append(f"{key}: {result.get('message', '')}")
        else:
            failures.append(f"{key}: not an assertion result: {outputs[key]}")
    return failures


def prepare_cases(cdk: Cdk, assembly: Path, workdir: Path) -> list[Case]:
    """The test cases of a synthesized app. Raises :class:`Stop` for what cannot be deployed
    as written: an unknown field, a selector that matches no stack, no assertion."""
    cases = []
    test_cases = json.loads((assembly / "integ.json").read_text())["testCases"]
    for index, (name, case) in enumerate(test_cases.items()):
        unknown = sorted(case.keys() - CASE_FIELDS) + sorted(case.get("hooks", {}).keys() - HOOKS)
        if unknown:
            raise Stop(f"test case {name}: this runner does not support {', '.join(unknown)}")
        if case.get("stackUpdateWorkflow", True):
            raise Stop(
                f"test case {name}: this runner does not support the stack update "
                "workflow; set stack_update_workflow=False"
            )
        selectors = (*case["stacks"], case["assertionStack"])
        listed = listed_stacks(cdk, assembly, selectors)
        unmatched = [selector for selector in selectors if selector not in listed]
        if unmatched:
            raise Stop(
                f"test case {name}: no stack has the id {', '.join(unmatched)} "
                f"(cdk list selects {', '.join(listed) or 'nothing'})"
            )
        template = assembly / f"{case['assertionStackName']}.template.json"
        if not template.is_file():
            raise Stop(f"test case {name}: no template {template.name} for its assertion stack")
        declared = declared_assertion_outputs(template)
        if not declared:
            raise Stop(
                f"test case {name}: {template.name} declares no "
                f"{ASSERTION_OUTPUT_PREFIX}* output: the test case asserts nothing"
            )
        cases.append(
            Case(
                name=name,
                assembly=assembly,
                selectors=selectors,
                assertion_stack_name=listed[case["assertionStack"]],
                assertion_outputs=declared,
                hooks=case.get("hooks", {}),
                workdir=workdir / f"case-{index}",
            )
        )
    return cases


class CaseRun:
    """Deploy, assert and destroy one test case."""

    def __init__(self, cdk: Cdk, case: Case) -> None:
        self.cdk, self.case = cdk, case
        state_dir = case.workdir / "state"
        state_dir.mkdir(parents=True)
        self.environment = {**os.environ, STATE_DIR_VARIABLE: str(state_dir)}
        self.outputs_file = case.workdir / "outputs.json"

    def _cdk(self, *arguments: str) -> bool:
        app = ("--app", str(self.case.assembly))
        command = self.cdk.command(*arguments[:1], *app, *arguments[1:], *self.case.selectors)
        return _run(command, cwd=self.cdk.workdir, env=self.environment)

    def _hooks(self, name: str) -> bool:
        return all(
            _run(shlex.split(command), cwd=INTEG, env=self.environment)
            for command in self.case.hooks.get(name, [])
        )

    def deploy_and_assert(self) -> bool:
        if not self._hooks("preDeploy"):
            return False
        if not self._cdk(
            "deploy", "--require-approval", "never", "--outputs-file", str(self.outputs_file)
        ):
            return False
        outputs = json.loads(self.outputs_file.read_text()) if self.outputs_file.exists() else {}
        failures = assertion_failures(
            self.case.assertion_outputs, outputs.get(self.case.assertion_stack_name, {})
        )
        for failure in failures:
            print(f"integ: FAILED {self.case.name}: {failure}", flush=True)
        return self._hooks("postDeploy") and not failures

    def destroy(self) -> bool:
        """The destroy hooks and the destroy, each whatever the step before it did or raised
        (Ctrl-C): what was raised is raised again once all three have run."""
        results = []
        try:
            results.append(self._hooks("preDestroy"))
        finally:
            try:
                results.append(self._cdk("destroy", "--force"))
            finally:
                results.append(self._hooks("postDestroy"))
        return all(results)

    def __call__(self) -> bool:
        passed = False
        try:
            passed = self.deploy_and_assert()
        finally:
            passed = self.destroy() and passed
        print(f"integ: {self.case.name}: {'passed' if passed else 'FAILED'}", flush=True)
        return passed


def prepare(
    cdk: Cdk, apps: list[Path], workdir: Path, preconditions: ModuleType
) -> list[Case] | None:
    """Every test case of every app, once all have been synthesized and checked; None when an
    app did not synthesize. Raises :class:`Stop` or ``preconditions.PreconditionFailed``."""
    preconditions.check_environment(apps)
    cases = []
    for index, app in enumerate(apps):
        app_workdir = workdir / f"app-{index}"
        assembly = app_workdir / "cdk.out"
        synthesized = _run(
            cdk.command(
                "synth",
                "--quiet",
                "--app",
                shlex.join(["python3", str(app)]),
                "--output",
                str(assembly),
            ),
            cwd=cdk.workdir,
        )
        if not synthesized:
            print(f"integ: FAILED {app.name}: it does not synthesize", flush=True)
            return None
        for note in preconditions.check(app, assembly):
            print(f"integ: {note}", flush=True)
        cases += prepare_cases(cdk, assembly, app_workdir)
    return cases


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: run.py INTEG_APP.py ...", file=sys.stderr)
        return 2
    apps = [Path(app).resolve() for app in argv]
    missing = [str(app) for app in apps if not app.is_file()]
    executable = shutil.which("cdk")
    if missing or executable is None:
        reason = (
            f"no such integration app: {', '.join(missing)}"
            if missing
            else "no cdk on PATH (make integ puts the project's node_modules/.bin there)"
        )
        print(f"error: {reason}", file=sys.stderr)
        return 2
    import preconditions  # integ/preconditions.py, found beside this file when run as a script

    with tempfile.TemporaryDirectory(prefix="quicksetup-integ-") as directory:
        workdir = Path(directory)
        cdk = Cdk(executable, workdir)
        try:
            try:
                cases = prepare(cdk, apps, workdir, preconditions)
            except (Stop, preconditions.PreconditionFailed) as error:
                print(f"error: {error}", file=sys.stderr)
                return 2
            if cases is None:
                return 1
            results = [CaseRun(cdk, case)() for case in cases]
        except KeyboardInterrupt:
            print("integ: interrupted", file=sys.stderr)
            return 130
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
