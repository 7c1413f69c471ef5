"""Small checks shared by every prop validator.

Each raises :class:`QuickSetupValidationError` naming the prop. Values that are still
unresolved CDK tokens are never checked: their real value is only known at deploy time.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

import aws_cdk as cdk

from .errors import QuickSetupValidationError


def is_unresolved(value: Any) -> bool:
    """True when ``value`` is (or contains) a CDK token that is resolved only at deploy time."""
    return isinstance(value, str | list | tuple | dict | int | float) and cdk.Token.is_unresolved(
        value
    )


def check_type(prop: str, value: Any, expected: type | tuple[type, ...], allowed: str) -> None:
    if not isinstance(value, expected) or (expected is not bool and isinstance(value, bool)):
        raise QuickSetupValidationError(prop, value, allowed)


def check_pattern(prop: str, value: Any, pattern: re.Pattern[str], allowed: str) -> None:
    """``value`` must be a string matching ``pattern`` in full (unless it is a token)."""
    check_type(prop, value, str, allowed)
    if not is_unresolved(value) and not pattern.fullmatch(value):
        raise QuickSetupValidationError(prop, value, allowed)


def check_choice(prop: str, value: Any, choices: Collection[str]) -> None:
    if value not in choices:
        raise QuickSetupValidationError(prop, value, "one of " + ", ".join(sorted(choices)))


def check_role(prop: str, value: Any) -> None:
    """``value`` must be ``None`` or an IAM role (anything with ``role_arn`` and ``role_name``).

    jsii interfaces are protocols, so ``isinstance(value, iam.IRole)`` cannot be used.
    """
    if value is not None and not (hasattr(value, "role_arn") and hasattr(value, "role_name")):
        raise QuickSetupValidationError(prop, value, "None or an aws_iam.IRole")
