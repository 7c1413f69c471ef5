"""The one app factory of the library's tests, and the feature flag sets they run under.

``recommended`` is the ``context`` of ``cdk.json``: the feature flags that ``cdk init`` writes
into every new app (the flags users' apps have). ``none`` sets no flag: CDK's defaults, the
behaviour of an app whose ``cdk.json`` predates the flags.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk

CDK_JSON = Path(__file__).resolve().parent.parent / "cdk.json"

FLAG_SETS: dict[str, dict[str, Any]] = {
    "recommended": json.loads(CDK_JSON.read_text(encoding="utf-8"))["context"],
    "none": {},
}
"""Feature flags by name of the set."""

FLAG_SET_NAMES = tuple(FLAG_SETS)
"""For ``pytest.mark.parametrize`` and parametrized fixtures: every flag set."""


def new_app(flag_set: str = "recommended", **app_kwargs: Any) -> cdk.App:
    """A ``cdk.App`` under the feature flags of ``flag_set``; ``app_kwargs`` are passed on.

    A ``context`` among them is applied over the flags (a test may set one flag itself)."""
    context = {**FLAG_SETS[flag_set], **app_kwargs.pop("context", {})}
    return cdk.App(context=context, **app_kwargs)


FLAGS_DOC = "https://github.com/aws/aws-cdk/blob/main/packages/aws-cdk-lib/cx-api/FEATURE_FLAGS.md"
"""Where aws-cdk-lib documents each flag (``cx-api/FEATURE_FLAGS.md`` in the package)."""


def arn_partition(flag_set: str) -> str:
    """How an ARN of a stack with a literal Region names its partition (as :func:`joined`
    writes it) under ``flag_set``. [FLAGS_DOC] ``@aws-cdk/core:enablePartitionLiterals``:
    "get partition names as string literals in Stacks with known regions defined in their
    environment, such as "aws" or "aws-cn". Previously the CloudFormation intrinsic function
    "Ref: AWS::Partition" was used." Our test stacks are in us-east-1, of the ``aws``
    partition."""
    literal = FLAG_SETS[flag_set].get("@aws-cdk/core:enablePartitionLiterals", False)
    return "aws" if literal else "${AWS::Partition}"


def joined(value: Any) -> Any:
    """A template value as one string where CloudFormation would make one: a literal as it
    is, an ``Fn::Join`` joined, each ``Ref`` in it written ``${Name}`` (as ``Fn::Sub`` does)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and list(value) == ["Ref"]:
        return "${" + value["Ref"] + "}"
    if isinstance(value, dict) and list(value) == ["Fn::Join"]:
        separator, parts = value["Fn::Join"]
        return separator.join(str(joined(part)) for part in parts)
    return value
