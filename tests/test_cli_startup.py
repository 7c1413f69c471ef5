"""The ``quicksetup`` command starts without the CDK: no verb imports ``aws_cdk`` or ``jsii``
(each would start a Node.js process), so it works on a machine without Node, and a bare install
says in one line which extra it needs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest

from quicksetup_constructs import InstanceTargets, QuickSetupLocal

# Runs the installed script's entry point, then reports on standard error whether the CDK or
# jsii was imported.
PROBE = """
import sys
from quicksetup_constructs.cli.entry import main
try:
    main()
finally:
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("aws_cdk", "jsii", "constructs"))
    print("CDK-MODULES:", ",".join(loaded) or "none", file=sys.stderr)
"""


@pytest.fixture(scope="module")
def assembly(tmp_path_factory) -> Path:
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = cdk.App(outdir=str(outdir))
    QuickSetupLocal(
        cdk.Stack(app, "Stack"), "QuickSetup", targets=InstanceTargets.tag("Env", "prod")
    )
    app.synth()
    return outdir


def _run(tmp_path: Path, *args: str, prelude: str = "") -> subprocess.CompletedProcess[str]:
    """``quicksetup ARGS`` in a fresh interpreter whose PATH has no ``node`` (nor anything
    else): a machine without Node.js."""
    empty = tmp_path / "empty-path"
    empty.mkdir(exist_ok=True)
    return subprocess.run(
        [sys.executable, "-c", prelude + PROBE, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "PATH": str(empty),
            "HOME": str(tmp_path),
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": str(tmp_path / "none"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        },
    )


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["plan", "--help"],
        ["status", "--help"],
        ["troubleshoot", "--help"],
        ["compliance", "--help"],
        ["preflight", "--help"],
        ["import", "--help"],
        ["rerun", "--help"],
    ],
    ids=lambda args: " ".join(args),
)
def test_help_starts_without_the_cdk_or_node(tmp_path, args):
    result = _run(tmp_path, *args)
    assert result.returncode == 0, result.stderr
    assert "Usage: quicksetup" in result.stdout
    assert "CDK-MODULES: none" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("output", ["table", "json"])
def test_plan_reads_a_cloud_assembly_without_the_cdk_or_node(tmp_path, assembly, output):
    result = _run(tmp_path, "plan", str(assembly), "--output", output)
    assert result.returncode == 0, result.stderr
    assert "QuickSetup-CollectInventory-" in result.stdout
    assert "CDK-MODULES: none" in result.stderr


@pytest.mark.parametrize(
    "verb",
    [
        ["status"],
        ["troubleshoot"],
        ["compliance"],
        ["rerun", "--yes"],
        ["status", "--wait"],
        ["status", "--managed-instances"],
    ],
    ids=lambda args: " ".join(args),
)
def test_an_aws_verb_without_credentials_fails_in_one_line_without_the_cdk(tmp_path, verb):
    result = _run(tmp_path, *verb, "--region", "us-east-1")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == "CDK-MODULES: none"
    assert len(lines) == 2 and "credentials" in lines[0]


@pytest.mark.parametrize("module", ["click", "boto3", "rich"])
def test_a_bare_install_names_the_extra_to_install(tmp_path, module):
    # As after `pip install quicksetup-constructs` without the cli extra: the module is absent.
    result = _run(tmp_path, "status", prelude=f"import sys; sys.modules[{module!r}] = None\n")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    [message, _probe] = result.stderr.strip().splitlines()
    assert message == (
        f"quicksetup: the command needs the 'cli' extra, and {module} is not installed: "
        "pip install 'quicksetup-constructs[cli]'"
    )
