"""Deploy an integration app, read its assertions, and destroy it: what ``make integ`` runs.

``python integ/run.py integ/integ_local.py [...]`` (from the project's root, with credentials
and ``AWS_REGION`` set, the CDK CLI installed by ``make setup``).

integ-runner does the same for aws-cdk's own modules, but its latest release (2.197) reads cloud
assemblies up to schema 53, and the aws-cdk-lib this project pins writes schema 55. So this
follows integ-runner's workflow with the project's own CDK CLI, reading the integ manifest
(``integ.json``) that ``IntegTest`` writes:

1. synthesize the app; for each test case, run its ``preDeploy`` hooks;
2. deploy its stacks and its assertion stack (a waiting assertion that times out fails the
   deployment); every ``AssertionResults*`` output must not say ``"status": "fail"``;
3. run its ``postDeploy`` hooks; then, whatever happened, its ``preDestroy`` hooks, destroy its
   stacks, and its ``postDestroy`` hooks.

Hooks run from ``integ/``, as integ-runner runs them. Exit code 0 when every step passed.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

INTEG = Path(__file__).resolve().parent
CDK = ["npx", "--no-install", "cdk", "--no-notices", "--no-version-reporting"]


def _run(command: list[str], cwd: Path | None = None) -> bool:
    print("integ: $", shlex.join(command), flush=True)
    return subprocess.run(command, cwd=cwd, check=False).returncode == 0


def _hooks(case: dict, name: str) -> bool:
    commands = case.get("hooks", {}).get(name, [])
    return all(_run(shlex.split(command), cwd=INTEG) for command in commands)


def failed_assertions(outputs: dict[str, dict[str, str]]) -> list[str]:
    """The assertion outputs of ``cdk deploy --outputs-file`` that report a failure."""
    failed = []
    for stack, values in outputs.items():
        for key, value in values.items():
            if key.startswith("AssertionResults"):
                try:
                    result = json.loads(value)
                except ValueError:
                    result = {"status": "fail", "message": value}
                if isinstance(result, dict) and result.get("status") == "fail":
                    failed.append(f"{stack} {key}: {result.get('message', '')}")
    return failed


def run_app(app: Path, workdir: Path) -> bool:
    """Every test case of one integration app; True when all passed."""
    base = [*CDK, "--app", f"python3 {app}", "--output", str(workdir / "cdk.out")]
    if not _run([*base, "synth", "--quiet"]):
        return False
    manifest = json.loads((workdir / "cdk.out" / "integ.json").read_text())
    passed = True
    for name, case in manifest["testCases"].items():
        stacks = [*case["stacks"], case["assertionStackName"]]
        outputs = workdir / "outputs.json"
        try:
            deployed = _hooks(case, "preDeploy") and _run([
                *base, "deploy", "--require-approval", "never", "--outputs-file", str(outputs),
                *stacks,
            ])
            failed = failed_assertions(json.loads(outputs.read_text())) if deployed else []
            for failure in failed:
                print(f"integ: FAILED {name}: {failure}", flush=True)
            passed &= deployed and not failed and _hooks(case, "postDeploy")
        finally:  # destroy even when a hook before it failed
            prepared = _hooks(case, "preDestroy")
            destroyed = _run([*base, "destroy", "--force", *stacks])
            passed &= prepared and destroyed and _hooks(case, "postDestroy")
        print(f"integ: {name}: {'passed' if passed else 'FAILED'}", flush=True)
    return passed


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: run.py INTEG_APP.py ...", file=sys.stderr)
        return 2
    results = []
    for app in argv:
        with tempfile.TemporaryDirectory(prefix="quicksetup-integ-") as workdir:
            results.append(run_app(Path(app), Path(workdir)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
