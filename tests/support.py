"""Helpers shared by the tests: synthesize, lint, run cdk-nag."""

from __future__ import annotations

import json
import os
import shutil
from typing import Any

import aws_cdk as cdk
from aws_cdk import assertions
from cfnlint.api import ManualArgs
from cfnlint.config import ConfigMixIn
from cfnlint.decode.decode import decode_str
from cfnlint.runner import Runner

from quicksetup_constructs import QuickSetupLocal

from .apps import new_app

ENV = cdk.Environment(account="111111111111", region="us-east-1")


def local_stack(
    env: cdk.Environment | None = None, *, flag_set: str = "recommended", **props: Any
) -> tuple[cdk.Stack, QuickSetupLocal]:
    """A new app (feature flags of ``flag_set``) with one stack holding one QuickSetupLocal
    built with ``props``."""
    stack = cdk.Stack(new_app(flag_set), "Stack", env=env)
    return stack, QuickSetupLocal(stack, "QuickSetup", **props)


def local_template(*, flag_set: str = "recommended", **props: Any) -> assertions.Template:
    stack, _ = local_stack(flag_set=flag_set, **props)
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


_LINTERS: dict[str, Runner] = {}


def lint_findings(template: dict[str, Any], region: str = "us-east-1") -> list[str]:
    """cfn-lint's errors and warnings (informational matches included) for ``template``.

    The rules are loaded once per Region and reused (as the cfn-lint CLI does for several
    templates): loading them is most of the time of a single ``cfnlint.api.lint``.
    """
    runner = _LINTERS.get(region)
    if runner is None:
        runner = _LINTERS[region] = Runner(ConfigMixIn(**ManualArgs(regions=[region])))
    decoded, errors = decode_str(json.dumps(template))
    matches = errors or list(runner.validate_template(decoded))
    return [
        f"{match.rule.id} {match.message} at {'/'.join(map(str, match.path))}" for match in matches
    ]


def nag_packs() -> tuple[type, ...]:
    """The cdk-nag packs every configuration must pass: AWS Solutions and NIST 800-53 rev 5."""
    from cdk_nag import AwsSolutionsChecks, NIST80053R5Checks

    return (AwsSolutionsChecks, NIST80053R5Checks)


def nag_report(
    build: Any, outdir: Any, *packs: type, flag_set: str = "recommended"
) -> dict[str, Any]:
    """Build an app (feature flags of ``flag_set``) with ``build(app)``, synthesize it under
    cdk-nag ``packs`` (default: :func:`nag_packs`) and return CDK's validation report
    (violations and acknowledged ones).

    A pack with neither violations nor acknowledgements does not appear in the report."""
    app = new_app(flag_set, outdir=str(outdir))
    build(app)
    cdk.Validations.of(app).add_plugins(*(pack(app) for pack in packs or nag_packs()))
    try:
        app.synth()
    except RuntimeError as error:  # findings fail synthesis; the report names them
        assert "ValidationFailed" in str(error) or "Validation failed" in str(error), error
    with open(f"{outdir}/validation-report.json", encoding="utf-8") as report:
        return json.load(report)


ANNOTATIONS_PLUGIN = "Construct Annotations"
"""The report's entry for the constructs' warnings, not a cdk-nag pack: CDK lists them in the
validation report under the feature flag ``@aws-cdk/core:annotationsInValidationReport``
("annotations ... are included in the validation report"). The warnings are tested as
annotations (``Annotations.from_stack``), where they show under any flags."""


def _pack_reports(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The reports of the cdk-nag packs in a validation report."""
    return [p for p in report["pluginReports"] if p["pluginName"] != ANNOTATIONS_PLUGIN]


def unacknowledged(report: dict[str, Any]) -> list[str]:
    """The cdk-nag packs' unacknowledged findings, each with the paths of its constructs."""
    return [
        f"{violation['ruleName']} at "
        f"{[c['constructPath'] for c in violation['violatingConstructs']]}"
        for plugin in _pack_reports(report)
        for violation in plugin["violations"]
    ]


def violations(report: dict[str, Any]) -> list[str]:
    """The rule names of the cdk-nag packs' unacknowledged findings in a validation report."""
    return [v["ruleName"] for plugin in _pack_reports(report) for v in plugin["violations"]]


def inner_nag_report(organization: Any) -> dict[str, Any]:
    """Both cdk-nag packs over a QuickSetupOrganization's StackSet templates: their own app
    (the stacks they were rendered from), synthesized again under the packs."""
    app = cdk.App.of(organization.account_template_stack)
    assert app is cdk.App.of(organization.regional_template_stack)
    cdk.Validations.of(app).add_plugins(*(pack(app) for pack in nag_packs()))
    os.makedirs(app.outdir, exist_ok=True)  # the construct removed its output after rendering
    try:
        try:
            app.synth(force=True)
        except RuntimeError as error:
            assert "ValidationFailed" in str(error) or "Validation failed" in str(error), error
        with open(f"{app.outdir}/validation-report.json", encoding="utf-8") as report:
            return json.load(report)
    finally:
        shutil.rmtree(app.outdir, ignore_errors=True)


def acknowledgements(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for plugin in report["pluginReports"] for s in plugin.get("suppressedViolations", [])]
