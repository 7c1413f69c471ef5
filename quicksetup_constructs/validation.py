"""Small checks shared by every prop validator.

Each raises :class:`QuickSetupValidationError` naming the prop. Values that are still
unresolved CDK tokens are never checked: their real value is only known at deploy time.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import cache
from typing import TYPE_CHECKING, Any

from .errors import QuickSetupValidationError
from .tokens import TOKEN_MARKER

if TYPE_CHECKING:
    import aws_cdk as cdk


def is_unresolved(value: Any) -> bool:
    """True when ``value`` is (or contains) a CDK token that is resolved only at deploy time.

    A string or list with no ``Token[`` in it is answered here, as CDK's own check starts by
    looking for that marker: asking the jsii kernel costs a round trip to Node.js per value.
    """
    if isinstance(value, str):
        return TOKEN_MARKER in value and _token().is_unresolved(value)
    if isinstance(value, list | tuple):
        if not any(isinstance(item, str) and TOKEN_MARKER in item for item in value):
            return False
        return _token().is_unresolved(list(value))
    return isinstance(value, dict | int | float) and _token().is_unresolved(value)


def _token() -> Any:
    """``cdk.Token``, imported when first needed: this module is also used where the CDK is
    not (the option catalogue, as the ``quicksetup`` command reads it)."""
    import aws_cdk as cdk

    return cdk.Token


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
    """``value`` must be ``None`` or an IAM role: a CDK (jsii) object with ``role_arn`` and
    ``role_name``, such as ``iam.Role`` or ``iam.Role.from_role_name(...)``.

    jsii interfaces are protocols, so ``isinstance(value, iam.IRole)`` cannot be used; an object
    that only looks like a role would fail later, inside the jsii kernel.
    """
    if value is not None and not (
        hasattr(value, "__jsii_ref__")
        and hasattr(value, "role_arn")
        and hasattr(value, "role_name")
    ):
        raise QuickSetupValidationError(prop, value, "None or an aws_iam.IRole")


_ROLE_NAME = re.compile(r"[A-Za-z0-9+=,.@_-]{1,64}")


def check_role_name(prop: str, value: Any) -> None:
    """``value`` must be ``None`` or the name of an IAM role (no path): 1-64 letters, digits
    and ``+=,.@_-`` (IAM's ``RoleName`` pattern)."""
    if value is not None:
        check_pattern(
            prop,
            value,
            _ROLE_NAME,
            "None or an IAM role name: 1-64 letters, digits and +=,.@_- (no path)",
        )


_ROLE_NAME_WITH_PATH = re.compile(
    r"(?:[\x21-\x2e\x30-\x7e][\x21-\x7e]{0,509}/)?[A-Za-z0-9+=,.@_-]{1,64}"
)


def check_role_name_with_path(prop: str, value: Any) -> None:
    """``value`` must be ``None`` or an IAM role's name, after its path if it has one, without
    the leading ``/`` (``service-role/MyRole``): what the Default Host Management Configuration
    setting holds. IAM's ``Path`` is ``/`` or ``/`` + printable ASCII + ``/`` (at most 512);
    its ``RoleName`` is 1-64 letters, digits and ``+=,.@_-``."""
    if value is not None:
        check_pattern(
            prop,
            value,
            _ROLE_NAME_WITH_PATH,
            "None or an IAM role name (1-64 letters, digits and +=,.@_-), after its path "
            "without the leading / if it has one, e.g. service-role/MyRole",
        )


def check_given_only_with(prop: str, value: Any, option: str, enabled: bool) -> None:
    """A role given for ``option`` (a prop set to ``value``) needs that option on."""
    if value is not None and not enabled:
        raise QuickSetupValidationError(
            prop,
            value if isinstance(value, str) else type(value).__name__,
            f"None unless {option}=True (the role is used only by that option); set "
            f"{option}=True or remove {prop}",
        )


@cache
def removal_policies() -> dict[cdk.RemovalPolicy, str]:
    """The removal policies an IAM role or instance profile can have (IAM keeps no snapshots)."""
    import aws_cdk as cdk

    return {
        cdk.RemovalPolicy.RETAIN: "RETAIN",
        cdk.RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE: "RETAIN_ON_UPDATE_OR_DELETE",
        cdk.RemovalPolicy.DESTROY: "DESTROY",
    }


def check_removal_policy(prop: str, value: Any) -> None:
    policies = removal_policies()
    if not any(value is policy for policy in policies):
        raise QuickSetupValidationError(
            prop,
            value,
            "cdk.RemovalPolicy." + ", cdk.RemovalPolicy.".join(policies.values()),
        )


def check_scope(scope: Any) -> cdk.Stack:
    """``scope`` is a construct inside a :class:`cdk.Stack`; returns that stack."""
    from .rendering.shared import stack_of

    allowed = "a construct inside a cdk.Stack (a Stack, or a construct in one)"
    # on the class: the instance's `node` is a round trip to the jsii kernel
    if not hasattr(type(scope), "node") or not hasattr(scope, "__jsii_ref__"):
        raise QuickSetupValidationError("scope", scope, allowed)
    try:
        return stack_of(scope)
    except RuntimeError:  # the jsii kernel's "should be created in the scope of a Stack"
        raise QuickSetupValidationError("scope", scope.node.path or "the App", allowed) from None


def check_id(scope: Any, construct_id: Any) -> None:
    """``construct_id`` is a non-empty string that no other child of ``scope`` has."""
    allowed = "a non-empty string that no other construct in the same scope uses"
    from .rendering.shared import node_of

    check_type("id", construct_id, str, allowed)
    if not construct_id or node_of(scope).try_find_child(construct_id) is not None:
        raise QuickSetupValidationError("id", construct_id, allowed)
