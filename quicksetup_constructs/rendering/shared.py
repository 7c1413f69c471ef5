"""Finding or creating the one construct of a kind that every configuration in a stack shares."""

from __future__ import annotations

from typing import TypeVar

import aws_cdk as cdk
from constructs import Construct

T = TypeVar("T", bound=Construct)


def stack_singleton(scope: Construct, construct_id: str, kind: type[T]) -> T:
    """The ``kind`` construct with id ``construct_id`` at the root of ``scope``'s stack."""
    stack = cdk.Stack.of(scope)
    existing = stack.node.try_find_child(construct_id)
    if existing is None:
        return kind(stack, construct_id)
    assert isinstance(existing, kind), f"{construct_id} is taken by another construct"
    return existing
