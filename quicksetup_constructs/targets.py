"""Which instances a configuration manages, and how that is written for each document type."""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import Enum
from typing import TYPE_CHECKING

from .errors import QuickSetupValidationError
from .validation import check_pattern, check_type, is_unresolved

if TYPE_CHECKING:
    from aws_cdk import aws_ssm as ssm

MAX_INSTANCE_IDS = 50
"""State Manager accepts at most 50 values in one association target."""

_INSTANCE_ID = re.compile(r"i-(?:[0-9a-f]{8}|[0-9a-f]{17})")
_TAG_KEY = re.compile(r"(?!aws:)[\w .:/=+@-]{1,124}", re.ASCII)
_TAG_VALUE = re.compile(r"[\w .:/=+@-]{0,256}", re.ASCII)
_GROUP_NAME = re.compile(r"[a-zA-Z0-9_.-]{1,128}")


class DocumentKind(Enum):
    """How a document is run, which decides how its association names its targets."""

    COMMAND = "Command"
    """Run Command and policy documents: targets are ``InstanceIds``, ``tag:K``, ``tag-key``,
    ``resource-groups:Name``."""

    AUTOMATION = "Automation"
    """Automation runbooks: instance ids go in ``ParameterValues``, a group in ``ResourceGroup``."""


class _Mode(Enum):
    ALL = "all"
    TAG = "tag"
    TAG_KEY = "tag-key"
    INSTANCE_IDS = "instance-ids"
    RESOURCE_GROUP = "resource-group"


class InstanceTargets:
    """The instances a Quick Setup configuration manages. Build one with a static factory:

    ``InstanceTargets.all_instances()``, ``.tag("Env", "prod")``, ``.tag("Patch")`` (any value),
    ``.instance_ids(["i-0123456789abcdef0"])`` or ``.resource_group("web")``.
    """

    def __init__(self, _mode: _Mode, _values: tuple[str, ...], _key: str | None = None) -> None:
        self._mode = _mode
        self._values = _values
        self._key = _key

    @staticmethod
    def all_instances() -> InstanceTargets:
        """Every instance in the account and Region, including instances launched later."""
        return InstanceTargets(_Mode.ALL, ("*",))

    @staticmethod
    def tag(key: str, value: str | None = None) -> InstanceTargets:
        """Instances tagged ``key`` (with ``value``, or any value when ``value`` is None).

        New instances with the tag join automatically: the targeting AWS recommends.
        """
        check_pattern(
            "targets.tag.key", key, _TAG_KEY,
            "a tag key of 1-124 letters, digits, spaces and _.:/=+-@, not starting with 'aws:'",
        )
        if value is None:
            return InstanceTargets(_Mode.TAG_KEY, (key,))
        check_pattern(
            "targets.tag.value", value, _TAG_VALUE,
            "a tag value of 0-256 letters, digits, spaces and _.:/=+-@",
        )
        return InstanceTargets(_Mode.TAG, (value,), key)

    @staticmethod
    def instance_ids(instance_ids: Sequence[str]) -> InstanceTargets:
        """Exactly these instances (1 to 50 ids such as ``i-0123456789abcdef0``)."""
        prop = "targets.instance_ids"
        check_type(prop, instance_ids, (list, tuple), "a list of 1 to 50 instance ids")
        for instance_id in instance_ids:
            check_type(
                prop, instance_id, str,
                "instance ids of the form i- followed by 8 or 17 lowercase hex digits",
            )
        if not is_unresolved(list(instance_ids)):
            if not 1 <= len(instance_ids) <= MAX_INSTANCE_IDS:
                raise QuickSetupValidationError(
                    prop, list(instance_ids),
                    f"1 to {MAX_INSTANCE_IDS} instance ids (got {len(instance_ids)})",
                )
            if len(set(instance_ids)) != len(instance_ids):
                raise QuickSetupValidationError(prop, list(instance_ids), "distinct instance ids")
        for instance_id in instance_ids:
            check_pattern(
                prop, instance_id, _INSTANCE_ID,
                "instance ids of the form i- followed by 8 or 17 lowercase hex digits",
            )
        return InstanceTargets(_Mode.INSTANCE_IDS, tuple(instance_ids))

    @staticmethod
    def resource_group(name: str) -> InstanceTargets:
        """The instances in the AWS Resource Groups group ``name``."""
        check_pattern(
            "targets.resource_group", name, _GROUP_NAME,
            "a resource group name of 1-128 letters, digits and _.-",
        )
        return InstanceTargets(_Mode.RESOURCE_GROUP, (name,))

    @staticmethod
    def from_association_target(key: str, values: Sequence[str]) -> tuple[InstanceTargets, ...]:
        """The instances one ``Targets`` entry of an association reaches, one per value (State
        Manager reaches an instance that matches any of them); the inverse of :meth:`render`.

        Not validated: AWS accepted them (a tag key may start with ``aws:``). A key of no known
        kind (``resource-groups:ResourceTypeFilters``, ...) can reach any instance, as a
        resource group can.
        """
        found = tuple(values) or ("",)
        if key in ("InstanceIds", "ParameterValues"):
            if "*" in found:
                return (InstanceTargets.all_instances(),)
            return (InstanceTargets(_Mode.INSTANCE_IDS, found),)
        if key.startswith("tag:"):
            return tuple(InstanceTargets(_Mode.TAG, (value,), key[4:]) for value in found)
        if key == "tag-key":
            return tuple(InstanceTargets(_Mode.TAG_KEY, (value,)) for value in found)
        return (InstanceTargets(_Mode.RESOURCE_GROUP, found),)

    def render(self, kind: DocumentKind) -> list[ssm.CfnAssociation.TargetProperty]:
        """The association ``Targets`` for a document of ``kind``."""
        from aws_cdk import aws_ssm as ssm  # imported here: the catalogue is read without CDK

        return [ssm.CfnAssociation.TargetProperty(key=self._key_for(kind), values=list(self._values))]

    def _key_for(self, kind: DocumentKind) -> str:
        automation = kind is DocumentKind.AUTOMATION
        if self._mode is _Mode.ALL:
            return "InstanceIds"
        if self._mode is _Mode.TAG:
            return f"tag:{self._key}"
        if self._mode is _Mode.TAG_KEY:
            return "tag-key"
        if self._mode is _Mode.INSTANCE_IDS:
            return "ParameterValues" if automation else "InstanceIds"
        return "ResourceGroup" if automation else "resource-groups:Name"

    @property
    def is_all_instances(self) -> bool:
        """Whether these are all instances of the account and Region (``InstanceIds=*``)."""
        return self._mode is _Mode.ALL

    def can_overlap(self, other: InstanceTargets) -> bool:
        """False only when no instance can be in both target sets.

        Decided conservatively, from what is known at synth time: the same tag key with
        different values, or two lists of instance ids with none in common, cannot meet.
        Anything else can: one instance may carry two different tag keys, a resource group can
        hold any instance, and a value that is still a token may turn out equal.
        """
        modes = {self._mode, other._mode}
        if modes == {_Mode.TAG}:
            if self._key != other._key or self._values == other._values:
                return True
            return _unknown(self._key) or _unknown(self._values[0]) or _unknown(other._values[0])
        if modes == {_Mode.INSTANCE_IDS}:
            if any(_unknown(value) for value in self._values + other._values):
                return True
            return not set(self._values).isdisjoint(other._values)
        return True

    def describe(self) -> str:
        """A short human description, e.g. ``tag Env=prod``."""
        if self._mode is _Mode.ALL:
            return "all instances"
        if self._mode is _Mode.TAG:
            return f"tag {self._key}={self._values[0]}"
        if self._mode is _Mode.TAG_KEY:
            return f"tag key {self._values[0]}"
        if self._mode is _Mode.INSTANCE_IDS:
            return "instances " + ", ".join(self._values)
        return f"resource group {self._values[0]}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, InstanceTargets) and (
            (self._mode, self._values, self._key) == (other._mode, other._values, other._key)
        )

    def __hash__(self) -> int:
        return hash((self._mode, self._values, self._key))

    def __repr__(self) -> str:
        return f"InstanceTargets({self.describe()})"


def _unknown(value: str | None) -> bool:
    return value is not None and is_unresolved(value)
