"""Helpers shared by the tests: synthesize, lint, run cdk-nag."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
from aws_cdk import assertions
from cfnlint.api import ManualArgs, lint

from quicksetup_constructs import QuickSetupLocal

ENV = cdk.Environment(account="111111111111", region="us-east-1")


def local_stack(env: cdk.Environment | None = None, **props: Any) -> tuple[cdk.Stack, QuickSetupLocal]:
    """A new app with one stack holding one QuickSetupLocal built with ``props``."""
    stack = cdk.Stack(cdk.App(), "Stack", env=env)
    return stack, QuickSetupLocal(stack, "QuickSetup", **props)


def local_template(**props: Any) -> assertions.Template:
    stack, _ = local_stack(**props)
    return assertions.Template.from_stack(stack)


def association(template: assertions.Template, association_name_prefix: str) -> dict[str, Any]:
    """The properties of the one association whose name starts with the prefix."""
    found = [
        resource["Properties"]
        for resource in template.find_resources("AWS::SSM::Association").values()
        if resource["Properties"]["AssociationName"].startswith(association_name_prefix)
    ]
    assert len(found) == 1, f"{len(found)} associations named {association_name_prefix}*"
    return found[0]


def lint_findings(template: dict[str, Any], region: str = "us-east-1") -> list[str]:
    """cfn-lint's errors and warnings (informational matches included) for ``template``."""
    matches = lint(json.dumps(template), config=ManualArgs(regions=[region]))
    return [f"{match.rule.id} {match.message} at {'/'.join(map(str, match.path))}" for match in matches]


def nag_report(build: Any, outdir: Any, *packs: type) -> dict[str, Any]:
    """Build an app with ``build(app)``, synthesize it under cdk-nag ``packs`` (default:
    AwsSolutionsChecks) and return CDK's validation report (violations and acknowledged ones)."""
    from cdk_nag import AwsSolutionsChecks

    app = cdk.App(outdir=str(outdir))
    build(app)
    cdk.Validations.of(app).add_plugins(*(pack(app) for pack in packs or (AwsSolutionsChecks,)))
    try:
        app.synth()
    except RuntimeError as error:  # findings fail synthesis; the report names them
        assert "Validation failed" in str(error), error
    with open(f"{outdir}/validation-report.json", encoding="utf-8") as report:
        return json.load(report)


def unacknowledged(report: dict[str, Any]) -> list[str]:
    return [
        f"{violation['ruleName']} at {[c['constructPath'] for c in violation['violatingConstructs']]}"
        for plugin in report["pluginReports"]
        for violation in plugin["violations"]
    ]


def acknowledgements(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for plugin in report["pluginReports"] for s in plugin.get("suppressedViolations", [])]
