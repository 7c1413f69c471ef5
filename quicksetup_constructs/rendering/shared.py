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
from constructs import Construct

T = TypeVar("T", bound=Construct)

_STACKS: weakref.WeakKeyDictionary[Construct, cdk.Stack] = weakref.WeakKeyDictionary()
_SINGLETONS: weakref.WeakKeyDictionary[cdk.Stack, dict[str, Construct]] = (
    weakref.WeakKeyDictionary()
)


def stack_of(scope: Construct) -> cdk.Stack:
    """``cdk.Stack.of(scope)``, asked of the jsii kernel once per scope."""
    stack = _STACKS.get(scope)
    if stack is None:
        stack = _STACKS[scope] = cdk.Stack.of(scope)
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
    existing = found.get(construct_id)
    if existing is None:
        existing = stack.node.try_find_child(construct_id)
        if existing is None:
            return None
        found[construct_id] = existing
    assert isinstance(existing, kind), f"{construct_id} is taken by another construct"
    return existing
