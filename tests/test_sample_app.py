"""The sample app: what `make synth` prints, checked by snapshot, cfn-lint and cdk-nag."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from sample_app.app import build_app

from .apps import FLAG_SET_NAMES, new_app
from .support import acknowledgements, lint_findings, unacknowledged

ROOT = Path(__file__).resolve().parent.parent
LOCAL_STACK = "QuickSetupLocalSample"


class ParsedJSON(dict):
    """A JSON string of the template, parsed for the snapshot: the amber file shows it as
    ``ParsedJSON({...})``, one property a line."""


_ASSET_HASH = re.compile(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")
"""An asset's SHA-256 (in S3 keys and template URLs): it changes with any byte of the asset or
of the CDK code that bundles it."""


def _readable_and_masked(data: Any, path: Any) -> Any:
    """The snapshot's matcher (syrupy calls it on every value, outside in):

    - a StackSet's ``TemplateBody``, a compact one-line JSON string in the template, is parsed,
      so the snapshot (and its diff) shows the member accounts' template line by line;
    - values that change from build to build without a change to the sample are masked.
    """
    if path and path[-1][0] == "TemplateBody" and isinstance(data, str):
        try:
            return ParsedJSON(json.loads(data))
        except ValueError:
            return data
    if isinstance(data, str):
        return _ASSET_HASH.sub("<asset hash>", data)
    return data


@pytest.fixture
def snapshot(snapshot):
    return snapshot.with_defaults(matcher=_readable_and_masked)


@pytest.fixture(scope="module", params=FLAG_SET_NAMES)
def assembly(request, tmp_path_factory):
    """The sample app's cloud assembly under each feature flag set (tests/apps.py)."""
    outdir = tmp_path_factory.mktemp(f"cdk.out-{request.param}")
    build_app(new_app(request.param, outdir=str(outdir))).synth()
    return outdir


RECOMMENDED_ONLY = pytest.mark.parametrize("assembly", ["recommended"], indirect=True)
"""For a test of the assembly under the flags of ``cdk.json`` only (what ``cdk synth``
renders)."""


def _template(assembly, stack=LOCAL_STACK):
    return json.loads((assembly / f"{stack}.template.json").read_text())


@pytest.mark.parametrize("stack", [LOCAL_STACK, "QuickSetupOrganizationSample"])
def test_stack_matches_snapshot(assembly, snapshot, stack):
    assert _template(assembly, stack) == snapshot


def test_every_template_passes_cfn_lint(assembly):
    templates = sorted(assembly.glob("*.template.json"))
    assert templates
    for path in templates:
        assert lint_findings(json.loads(path.read_text())) == [], path.name


def test_cdk_nag_packs_have_no_unacknowledged_finding_and_every_acknowledgement_has_a_reason(
    assembly,
):
    report = json.loads((assembly / "validation-report.json").read_text())
    assert unacknowledged(report) == []
    acknowledged = acknowledgements(report)
    assert acknowledged, "the sample uses managed policies, so some findings are acknowledged"
    for suppressed in acknowledged:
        assert len(suppressed["reason"]) > 40, suppressed["ruleName"]


def test_the_sample_runs_both_cdk_nag_packs(tmp_path):
    """A clean pack leaves no trace in the report: show that the sample app's packs (AWS
    Solutions and NIST 800-53 rev 5) catch a role that breaks their rules."""
    from aws_cdk import aws_iam as iam

    app = build_app(new_app(outdir=str(tmp_path)))
    role = iam.Role(
        cdk.Stack(app, "Bad"), "Role", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com")
    )
    role.add_to_policy(iam.PolicyStatement(actions=["s3:*"], resources=["*"]))
    with pytest.raises(RuntimeError, match=r"Validation ?[Ff]ailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    findings = unacknowledged(report)
    assert any(f.startswith("NIST.800.53.R5-IAMNoInlinePolicy") for f in findings)
    assert any(f.startswith("AwsSolutions-IAM5") for f in findings)
    assert all("'Bad/" in f for f in findings), findings


@RECOMMENDED_ONLY
def test_lint_catches_a_broken_template(assembly):
    """Guards the lint test above: cfn-lint really reports association errors."""
    template = _template(assembly)
    association = next(
        r for r in template["Resources"].values() if r["Type"] == "AWS::SSM::Association"
    )
    association["Properties"]["Targets"] = [{"Key": f"tag:K{n}", "Values": ["v"]} for n in range(6)]
    assert lint_findings(template) != []


@RECOMMENDED_ONLY
@pytest.mark.skipif(
    shutil.which("npx") is None or not (ROOT / "node_modules").exists(),
    reason="the CDK CLI is installed by `make setup`",
)
def test_cdk_cli_synthesizes_the_sample_offline(assembly, tmp_path):
    env = dict(
        os.environ,
        PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        CDK_DISABLE_CLI_TELEMETRY="true",
        AWS_ACCESS_KEY_ID="",
        AWS_PROFILE="",
    )
    subprocess.run(
        ["npx", "cdk", "synth", "--quiet", "--no-notices", "--output", str(tmp_path)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    by_cli = _template(tmp_path)
    for resource in by_cli["Resources"].values():
        resource.pop("Metadata", None)  # the CLI adds construct paths
    by_cli["Resources"].pop("CDKMetadata", None)
    if by_cli.get("Conditions", {}).pop("CDKMetadataAvailable", None) and not by_cli["Conditions"]:
        del by_cli["Conditions"]
    assert by_cli == _template(assembly)
