"""Finding or creating the one construct of a kind that every configuration in a stack shares.

Each look-up in the construct tree is a round trip to the jsii kernel (Node.js); a stack with a
hundred configurations would look its shared constructs up hundreds of times. What is found is
remembered on the Python side instead: jsii keeps one Python object per construct for the life
of the process, a construct's stack never changes, and a child, once added, stays in the tree.
"""

from __future__ import annotations

import weakref
from typing import TypeVar

import aws_cdk as cdk
from constructs import Construct, IConstruct, Node

from ..tokens import TOKEN_MARKER

T = TypeVar("T", bound=Construct)

_STACKS: weakref.WeakKeyDictionary[IConstruct, cdk.Stack] = weakref.WeakKeyDictionary()
_SINGLETONS: weakref.WeakKeyDictionary[cdk.Stack, dict[str, IConstruct | None]] = (
    weakref.WeakKeyDictionary()
)
"""The shared constructs of each stack by id; None: the stack has none of that id (it is
created only through :func:`stack_singleton`, which records it)."""


def remember_stack(construct: Construct, stack: cdk.Stack) -> None:
    """Record that ``construct`` (just created in ``stack``) is in ``stack``, so that
    :func:`stack_of` need not ask."""
    _STACKS[construct] = stack


_NODES: weakref.WeakKeyDictionary[Construct, Node] = weakref.WeakKeyDictionary()
_PATHS: weakref.WeakKeyDictionary[Construct, str] = weakref.WeakKeyDictionary()


def node_of(scope: Construct) -> Node:
    """``scope.node``, asked of the jsii kernel once per scope."""
    node = _NODES.get(scope)
    if node is None:
        node = _NODES[scope] = scope.node
    return node


def node_path(scope: Construct) -> str:
    """``scope.node.path``, asked of the jsii kernel once per scope (a construct's path never
    changes)."""
    path = _PATHS.get(scope)
    if path is None:
        path = _PATHS[scope] = node_of(scope).path
    return path


_ATTRIBUTES: weakref.WeakKeyDictionary[object, dict[str, str]] = weakref.WeakKeyDictionary()


def token_attribute(construct: object, name: str) -> str:
    """``construct.<name>``, an attribute that stays the same (a role's ``role_arn``, a
    profile's ``instance_profile_name``, a stack's ``account``: a literal, or a token that
    resolves alike wherever it is read), asked of the jsii kernel once per construct;
    configurations of a stack share their stack, default roles and profile."""
    attributes = _ATTRIBUTES.setdefault(construct, {})
    value = attributes.get(name)
    if value is None:
        value = attributes[name] = getattr(construct, name)
    return value


def stack_of(scope: IConstruct) -> cdk.Stack:
    """``cdk.Stack.of(scope)``, asked of the jsii kernel once per scope."""
    stack = _STACKS.get(scope)
    if stack is None:
        # a stack is its own (cdk.Stack.of returns it)
        stack = _STACKS[scope] = scope if isinstance(scope, cdk.Stack) else cdk.Stack.of(scope)
    return stack


def stack_singleton(scope: Construct, construct_id: str, kind: type[T]) -> T:
    """The ``kind`` construct with id ``construct_id`` at the root of ``scope``'s stack."""
    existing = find_stack_singleton(scope, construct_id, kind)
    if existing is None:
        stack = stack_of(scope)
        existing = _SINGLETONS[stack][construct_id] = kind(stack, construct_id)
    return existing


def find_stack_singleton(scope: Construct, construct_id: str, kind: type[T]) -> T | None:
    """The ``kind`` construct with id ``construct_id`` at the root of ``scope``'s stack, if
    there is one yet."""
    stack = stack_of(scope)
    found = _SINGLETONS.setdefault(stack, {})
    if construct_id not in found:
        found[construct_id] = node_of(stack).try_find_child(construct_id)
    existing = found[construct_id]
    if existing is None:
        return None
    assert isinstance(existing, kind), f"{construct_id} is taken by another construct"
    return existing


def stack_environment(stack: cdk.Stack) -> tuple[str | None, str | None]:
    """The stack's account and Region, None where unknown (an environment-agnostic stack).

    A stack's account or Region is a literal or a token, and every token CDK encodes in a
    string has ``Token[`` in it: no literal account or Region has, so no need to ask the jsii
    kernel (as :func:`~quicksetup_constructs.validation.is_unresolved` would).
    """
    account, region = token_attribute(stack, "account"), token_attribute(stack, "region")
    return (
        None if TOKEN_MARKER in account else account,
        None if TOKEN_MARKER in region else region,
    )


def format_arn(
    stack: cdk.Stack, service: str, resource: str, resource_name: str, *, region: str | None = None
) -> str:
    """``stack.format_arn(service=..., region=..., resource=..., resource_name=...)``, put
    together here as CDK's ``Arn.format`` does (``arn:partition:service:region:account:
    resource/name``, the stack's partition, Region and account where not given), from the
    stack's attributes asked of the jsii kernel once per stack."""
    partition = token_attribute(stack, "partition")
    region = token_attribute(stack, "region") if region is None else region
    account = token_attribute(stack, "account")
    return f"arn:{partition}:{service}:{region}:{account}:{resource}/{resource_name}"
