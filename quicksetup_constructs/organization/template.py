"""Turning a stack of a separate app into the inline template of a StackSet.

The template is built from a real CDK stack, so the same constructs render the local and the
organization configurations. It has no assets and no bootstrap-version rule: the accounts that
a StackSet deploys to need no CDK bootstrap.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from typing import Any

import aws_cdk as cdk
from constructs import Construct

from ..errors import QuickSetupValidationError
from ..rendering.shared import node_of

TEMPLATE_BODY_LIMIT = 51_200
"""CloudFormation's limit for an inline template (``TemplateBody``), in bytes."""

PINNED_CONTEXT = {
    "aws:cdk:enable-path-metadata": False,
    "aws:cdk:enable-asset-metadata": False,
    "aws:cdk:version-reporting": False,
}
"""Context that the CDK CLI sets and that would otherwise change or grow the templates, so that
``cdk synth`` and ``python app.py`` render the same StackSet templates."""


def template_stack(app: cdk.App, stack_id: str, description: str) -> cdk.Stack:
    """An environment-agnostic stack for a StackSet template, without bootstrap requirements."""
    return cdk.Stack(
        app,
        stack_id,
        description=description,
        synthesizer=cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False),
    )


FEATURE_FLAG_PREFIX = "@aws-cdk"
"""How the name of every CDK feature flag begins (``@aws-cdk/core:...``,
``@aws-cdk-containers/...``); other context (look-up results, ``aws:cdk:...`` settings of the
CLI) is not passed on."""


def feature_flags(scope: Construct) -> dict[str, Any]:
    """The feature flags set for ``scope`` (``cdk.json``, the app's ``context``, the command
    line, or a node above ``scope``)."""
    return {
        key: value
        for key, value in node_of(scope).get_all_context().items()
        if key.startswith(FEATURE_FLAG_PREFIX)
    }


def new_template_app(scope: Construct) -> cdk.App:
    """A separate app for StackSet templates, under the feature flags of ``scope``'s app, so
    that the templates render as the user's own stacks do; :func:`synthesize_templates` removes
    its output.

    The flags are applied after the context of the command line (``post_cli_context``), as is
    :data:`PINNED_CONTEXT`: an app that pins a flag that way pins it for its StackSets too."""
    return cdk.App(
        outdir=tempfile.mkdtemp(prefix="quicksetup-stackset-"),
        post_cli_context={**feature_flags(scope), **PINNED_CONTEXT},
    )


def synthesize_templates(app: cdk.App, stacks: Sequence[cdk.Stack]) -> list[dict[str, Any]]:
    """The templates of ``stacks`` (all in ``app``), in the same order."""
    try:
        assembly = app.synth()
        return [assembly.get_stack_artifact(stack.artifact_id).template for stack in stacks]
    finally:
        shutil.rmtree(app.outdir, ignore_errors=True)


def template_body(template: Mapping[str, Any]) -> str:
    """The template as compact JSON, the way it goes into ``TemplateBody``."""
    return json.dumps(template, separators=(",", ":"))


def check_template_size(prop: str, body: str) -> None:
    """``body`` fits CloudFormation's 51,200-byte ``TemplateBody`` limit."""
    size = len(body.encode("utf-8"))
    if size > TEMPLATE_BODY_LIMIT:
        raise QuickSetupValidationError(
            prop,
            f"a template of {size:,} bytes",
            f"at most {TEMPLATE_BODY_LIMIT:,} bytes of TemplateBody; switch off options or "
            "collect fewer extra inventory types",
        )
