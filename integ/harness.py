"""The app every integration test is built in, so that ``python integ/integ_*.py``, integ-runner
and the offline snapshot check synthesize the same templates."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk

PINNED_CONTEXT = {"@aws-cdk/aws-iam:minimizePolicies": True}
"""Context no command line can change. integ-runner synthesizes with its recommended feature
flags; of those, only ``minimizePolicies`` changes these templates (it sorts the actions of an
IAM statement). Pinning it here keeps the committed snapshots the same whoever synthesizes."""


def integ_app(**props: Any) -> cdk.App:
    """A ``cdk.App`` with :data:`PINNED_CONTEXT` applied after any context given on the command
    line (``post_cli_context``); ``props`` are passed on (``outdir``, ``context``, ...)."""
    return cdk.App(post_cli_context=PINNED_CONTEXT, **props)
