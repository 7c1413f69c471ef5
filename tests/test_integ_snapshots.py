"""The integration apps of integ/ still synthesize to their committed snapshots, offline.

Each ``integ/integ_*.py`` is synthesized once per test process and compared, template by
template, with ``integ/<app>.snapshot/`` (integ-runner's name for it; only the files of
:data:`SNAPSHOT_FILES` are kept): the stacks of the test cases (where the library's templates
are, and what integ-runner itself compares) and the assertion stack (what is checked on an
account). Two parts change on every synthesis and are replaced before comparing, as
integ-runner does for the first: asset hashes (the assertion provider's bundled function, named
in each stack's asset manifest) and the ``salt`` the assertion provider adds to every API call
so that it runs on each deployment.

A changed template is a reviewed snapshot update, like the syrupy ones:

    QUICKSETUP_INTEG_SNAPSHOT_UPDATE=1 .venv/bin/python -m pytest tests/test_integ_snapshots.py

(``make integ-snapshot``).
"""

from __future__ import annotations

import difflib
import importlib
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.support import lint_findings

INTEG = Path(__file__).resolve().parents[1] / "integ"
APPS = sorted(path.stem for path in INTEG.glob("integ_*.py"))
UPDATE = os.environ.get("QUICKSETUP_INTEG_SNAPSHOT_UPDATE", "") not in ("", "0")


def snapshot_dir(app: str) -> Path:
    return INTEG / f"{app}.py.snapshot"


def _app_module(app: str) -> Any:
    if str(INTEG) not in sys.path:
        sys.path.insert(0, str(INTEG))  # as when integ-runner runs ``python3 integ/<app>.py``
    return importlib.import_module(app)


@contextmanager
def _placeholders() -> Iterator[None]:
    """No opt-in variable of the organization app (its snapshot holds the placeholders), and no
    VPC for the local app (its snapshot uses the default VPC)."""
    names = [
        *_app_module("integ_organization").PLACEHOLDERS,
        _app_module("integ_local").VPC_VARIABLE,
    ]
    saved = {name: os.environ.pop(name) for name in names if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def synthesize(app: str, outdir: Path, *, stage_assets: bool) -> None:
    """Synthesize ``integ/<app>.py`` into ``outdir``. Without ``stage_assets`` the assertion
    provider's 6 MB bundle is not copied (the templates are the same; twice as fast)."""
    module = _app_module(app)
    context = {} if stage_assets else {"aws:cdk:disable-asset-staging": True}
    with _placeholders():
        application = _app_module("harness").integ_app(outdir=str(outdir), context=context)
        module.build(application)
        application.synth()


SNAPSHOT_FILES = ("integ.json", "*.template.json", "*.assets.json")
"""What a snapshot keeps of the cloud assembly: the test cases, each stack's template, and the
asset manifests that name its hashes. The rest (``tree.json``, metadata with stack traces that
name temporary paths, the manifest) changes with every synthesis and says nothing the templates
do not."""


def write_snapshot(app: str) -> None:
    """Replace the snapshot with the :data:`SNAPSHOT_FILES` of a fresh cloud assembly."""
    directory = snapshot_dir(app)
    shutil.rmtree(directory, ignore_errors=True)
    with tempfile.TemporaryDirectory() as scratch:
        synthesize(app, Path(scratch), stage_assets=False)
        directory.mkdir()
        for pattern in SNAPSHOT_FILES:
            for path in Path(scratch).glob(pattern):
                shutil.copyfile(path, directory / path.name)


def templates(assembly: Path) -> dict[str, Any]:
    """The canonical templates of an assembly's test-case and assertion stacks, by stack."""
    manifest = json.loads((assembly / "integ.json").read_text())
    stacks = [
        stack
        for case in manifest["testCases"].values()
        for stack in [*case["stacks"], case["assertionStackName"]]
    ]
    return {stack: canonical(assembly, stack) for stack in stacks}


def canonical(assembly: Path, stack: str) -> Any:
    """The stack's template with its asset hashes named ``Asset1``, ``Asset2``... (in the order
    of its asset manifest) and every ``salt`` property emptied."""
    assets_file = assembly / f"{stack}.assets.json"
    assets = json.loads(assets_file.read_text()) if assets_file.exists() else {}
    hashes = [*assets.get("files", {}), *assets.get("dockerImages", {})]
    text = (assembly / f"{stack}.template.json").read_text()
    for number, asset_hash in enumerate(hashes, start=1):
        text = text.replace(asset_hash, f"Asset{number}")
    return json.loads(re.sub(r'"salt": "\d+"', '"salt": ""', text))


def difference(expected: dict[str, Any], actual: dict[str, Any]) -> str:
    """A unified diff of two sets of canonical templates ('' when they are equal)."""

    def lines(value: dict[str, Any]) -> list[str]:
        return json.dumps(value, indent=1, sort_keys=True).splitlines()

    return "\n".join(
        difflib.unified_diff(
            lines(expected), lines(actual), "snapshot", "synthesized", lineterm="", n=2
        )
    )


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> dict[str, dict[str, Any]]:
    """Each app's canonical templates, synthesized once per test process (after writing its
    snapshot, under QUICKSETUP_INTEG_SNAPSHOT_UPDATE)."""
    found = {}
    for app in APPS:
        if UPDATE:
            write_snapshot(app)
        outdir = tmp_path_factory.mktemp(app)
        synthesize(app, outdir, stage_assets=False)
        found[app] = templates(outdir)
    return found


def test_every_integration_app_has_a_snapshot(synthesized):
    assert APPS == ["integ_local", "integ_organization"]
    for app in APPS:
        assert (snapshot_dir(app) / "integ.json").is_file(), f"{app}: no snapshot (see above)"


@pytest.mark.parametrize("app", APPS)
def test_the_app_synthesizes_to_its_snapshot(app, synthesized):
    changed = difference(templates(snapshot_dir(app)), synthesized[app])
    assert not changed, (
        f"integ/{app}.py no longer synthesizes to its snapshot; review the change and update "
        f"with QUICKSETUP_INTEG_SNAPSHOT_UPDATE=1 (make integ-snapshot):\n{changed[:6000]}"
    )


def test_a_changed_library_template_is_a_snapshot_change(synthesized):
    # What the check above must catch: one property of one of the library's resources.
    changed = json.loads(json.dumps(synthesized["integ_local"]))
    setup = changed["QuickSetupIntegLocal"]["Resources"]
    association = next(r for r in setup.values() if r["Type"] == "AWS::SSM::Association")
    association["Properties"]["ScheduleExpression"] = "rate(2 days)"
    assert '"ScheduleExpression": "rate(2 days)"' in difference(synthesized["integ_local"], changed)


def test_volatile_parts_are_not_compared(tmp_path):
    template = {
        "Resources": {
            "Call": {
                "Type": "Custom::DeployAssert@SdkCallSSMx",
                "Properties": {
                    "salt": "1796410141953",
                    "Code": {"S3Key": f"{'ab' * 32}.zip"},
                },
            }
        }
    }
    (tmp_path / "Stack.template.json").write_text(json.dumps(template, indent=1))
    (tmp_path / "Stack.assets.json").write_text(json.dumps({"files": {"ab" * 32: {}}}))
    assert canonical(tmp_path, "Stack")["Resources"]["Call"]["Properties"] == {
        "salt": "",
        "Code": {"S3Key": "Asset1.zip"},
    }


def _expected(finding: str) -> bool:
    """The one finding the assertion provider brings: each waiter state machine of
    aws-cdk.integ-tests-alpha both depends on its role and reads its ARN (W3005, a redundant
    DependsOn). It is the test harness's, not the library's, and deploys as it is."""
    return finding.startswith("W3005 ") and "WaitFor" in finding


@pytest.mark.parametrize("app", APPS)
def test_every_template_passes_cfn_lint(app, synthesized):
    findings = {
        stack: [finding for finding in lint_findings(template) if not _expected(finding)]
        for stack, template in synthesized[app].items()
    }
    assert findings == {stack: [] for stack in synthesized[app]}


def test_the_organization_snapshot_holds_only_placeholders(synthesized):
    # make integ restores it after an opt-in run, so no real account or OU is committed.
    text = "".join(path.read_text() for path in snapshot_dir("integ_organization").glob("*.json"))
    assert set(re.findall(r"\bou-[a-z0-9]+-[a-z0-9]+\b", text)) == {"ou-abcd-11112222"}
    assert set(re.findall(r"\b\d{12}\b", text)) <= {"111111111111"}
