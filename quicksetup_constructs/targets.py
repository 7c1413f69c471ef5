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

MAX_TARGET_VALUES = 50
"""State Manager accepts at most 50 values in one association target (botocore ``TargetValues``:
``max`` 50)."""
MAX_INSTANCE_IDS = MAX_TARGET_VALUES

EC2_INSTANCE_TYPE = "AWS::EC2::Instance"
"""The resource type that narrows a resource group to its EC2 instances
(``resource-groups:ResourceTypeFilters``)."""

_INSTANCE_ID = re.compile(r"i-(?:[0-9a-f]{8}|[0-9a-f]{17})")
_TAG_KEY = re.compile(r"(?!aws:)[\w .:/=+@-]{1,124}", re.ASCII)
_TAG_VALUE = re.compile(r"[\w .:/=+@-]{0,256}", re.ASCII)
_GROUP_NAME = re.compile(r"[a-zA-Z0-9_.-]{1,128}")
_TAG_VALUE_ALLOWED = "a tag value of 0-256 letters, digits, spaces and _.:/=+-@"


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
    EC2_INSTANCES_OF_GROUP = "ec2-instances-of-group"


class InstanceTargets:
    """The instances a Quick Setup configuration manages. Build one with a static factory:

    ``InstanceTargets.all_instances()``, ``.tag("Env", "prod")``, ``.tag("Env", "prod",
    "staging")`` (either value), ``.tag("Patch")`` (any value),
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
    def tag(key: str, *values: str | None) -> InstanceTargets:
        """Instances tagged ``key`` with any of ``values`` (1 to 50 distinct values), or with any
        value when no value is given (``tag(key, None)`` means the same, as it always did).

        New instances with the tag join automatically: the targeting AWS recommends. Repeating a
        value is an error, as repeating an instance id is: it is most likely a typing slip.
        """
        check_pattern(
            "targets.tag.key",
            key,
            _TAG_KEY,
            "a tag key of 1-124 letters, digits, spaces and _.:/=+-@, not starting with 'aws:'",
        )
        if values in ((), (None,)):
            return InstanceTargets(_Mode.TAG_KEY, (key,))
        prop = "targets.tag.value"
        for value in values:
            check_pattern(prop, value, _TAG_VALUE, _TAG_VALUE_ALLOWED)
        if len(values) > MAX_TARGET_VALUES:
            raise QuickSetupValidationError(
                prop,
                list(values),
                f"1 to {MAX_TARGET_VALUES} tag values (got {len(values)})",
            )
        if not is_unresolved(list(values)) and len(set(values)) != len(values):
            raise QuickSetupValidationError(prop, list(values), "distinct tag values")
        return InstanceTargets(_Mode.TAG, tuple(values), key)  # type: ignore[arg-type]

    @staticmethod
    def instance_ids(instance_ids: Sequence[str]) -> InstanceTargets:
        """Exactly these instances (1 to 50 ids such as ``i-0123456789abcdef0``)."""
        prop = "targets.instance_ids"
        check_type(prop, instance_ids, (list, tuple), "a list of 1 to 50 instance ids")
        for instance_id in instance_ids:
            check_type(
                prop,
                instance_id,
                str,
                "instance ids of the form i- followed by 8 or 17 lowercase hex digits",
            )
        if not is_unresolved(list(instance_ids)):
            if not 1 <= len(instance_ids) <= MAX_INSTANCE_IDS:
                raise QuickSetupValidationError(
                    prop,
                    list(instance_ids),
                    f"1 to {MAX_INSTANCE_IDS} instance ids (got {len(instance_ids)})",
                )
            if len(set(instance_ids)) != len(instance_ids):
                raise QuickSetupValidationError(prop, list(instance_ids), "distinct instance ids")
        for instance_id in instance_ids:
            check_pattern(
                prop,
                instance_id,
                _INSTANCE_ID,
                "instance ids of the form i- followed by 8 or 17 lowercase hex digits",
            )
        return InstanceTargets(_Mode.INSTANCE_IDS, tuple(instance_ids))

    @staticmethod
    def resource_group(name: str) -> InstanceTargets:
        """The instances in the AWS Resource Groups group ``name``."""
        check_pattern(
            "targets.resource_group",
            name,
            _GROUP_NAME,
            "a resource group name of 1-128 letters, digits and _.-",
        )
        return InstanceTargets(_Mode.RESOURCE_GROUP, (name,))

    @staticmethod
    def from_association_target(key: str, values: Sequence[str]) -> tuple[InstanceTargets, ...]:
        """The instances one ``Targets`` entry of an association reaches, the inverse of
        :meth:`render`: State Manager reaches an instance that matches any of the returned
        targets (several only for ``tag-key``, one per key).

        Every key State Manager and Automation associations use is understood (botocore ``ssm``
        ``Target``; user guide, "Understanding targets and rate controls in State Manager
        associations"): ``InstanceIds`` (``*`` is every instance), ``tag:K``, ``tag-key``,
        ``resource-groups:Name``, and for Automation ``ParameterValues``, ``ResourceGroup`` and
        ``AWS::EC2::Instance=*``. ``resource-groups:ResourceTypeFilters`` is understood with
        ``AWS::EC2::Instance`` alone: it narrows the association's resource group to its EC2
        instances. Anything else (another key, no value, ``*`` beside ``ParameterValues``)
        raises :class:`QuickSetupValidationError`: its reach is unknown, and is never taken to
        be every instance.

        Values are not checked against the factories' rules: AWS accepted them (a tag key may
        start with ``aws:``); :meth:`python_expression` checks them. A value given twice counts
        once.
        """
        found = tuple(dict.fromkeys(values))
        if not found:
            raise _unknown_target(key, values, "at least one value")
        if key in ("InstanceIds", "AWS::EC2::Instance") and "*" in found:
            return (InstanceTargets.all_instances(),)
        if key in ("InstanceIds", "ParameterValues"):
            if "*" in found:
                raise _unknown_target(
                    key,
                    values,
                    "instance ids ('*' is every instance only "
                    "with the key InstanceIds or AWS::EC2::Instance)",
                )
            return (InstanceTargets(_Mode.INSTANCE_IDS, found),)
        if key.startswith("tag:") and len(key) > 4:
            return (InstanceTargets(_Mode.TAG, found, key[4:]),)
        if key == "tag-key":
            return tuple(InstanceTargets(_Mode.TAG_KEY, (value,)) for value in found)
        if key in ("resource-groups:Name", "ResourceGroup"):
            if len(found) != 1:
                raise _unknown_target(key, values, "one resource group name")
            return (InstanceTargets(_Mode.RESOURCE_GROUP, found),)
        if key == "resource-groups:ResourceTypeFilters":
            if found != (EC2_INSTANCE_TYPE,):
                raise _unknown_target(key, values, f"the resource type {EC2_INSTANCE_TYPE} alone")
            return (InstanceTargets(_Mode.EC2_INSTANCES_OF_GROUP, found),)
        raise _unknown_target(
            key,
            values,
            "a target key of InstanceIds, tag:<key>, tag-key, resource-groups:Name, "
            "resource-groups:ResourceTypeFilters, ParameterValues, ResourceGroup or "
            "AWS::EC2::Instance (with the value *)",
        )

    def render(self, kind: DocumentKind) -> list[ssm.CfnAssociation.TargetProperty]:
        """The association ``Targets`` for a document of ``kind``."""
        from aws_cdk import aws_ssm as ssm  # imported here: the catalogue is read without CDK

        return [
            ssm.CfnAssociation.TargetProperty(key=self._key_for(kind), values=list(self._values))
        ]

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
        if self._mode is _Mode.EC2_INSTANCES_OF_GROUP:
            return "resource-groups:ResourceTypeFilters"
        return "ResourceGroup" if automation else "resource-groups:Name"

    def python_expression(self) -> str:
        """The factory call that builds these targets, as Python source, e.g.
        ``InstanceTargets.tag('Env', 'prod', 'staging')``; strings are written with ``repr``, so
        any value is a safe literal.

        Raises :class:`QuickSetupValidationError` when no factory builds these targets: values the
        factories refuse (a tag key starting with ``aws:``, a hybrid node id ``mi-...``), a value
        still a CDK token, or a resource-type filter, which no factory writes.
        """
        if self._mode is _Mode.EC2_INSTANCES_OF_GROUP:
            raise QuickSetupValidationError(
                "targets",
                self.describe(),
                "targets a factory of InstanceTargets builds (none writes a resource-type filter)",
            )
        if any(_unknown(value) for value in (self._key, *self._values)):
            raise QuickSetupValidationError(
                "targets",
                self.describe(),
                "values known at synth time, not CDK tokens",
            )
        # Each branch calls the factory first: it refuses what the expression could not rebuild.
        if self._mode is _Mode.ALL:
            source = ""
        elif self._mode is _Mode.TAG:
            InstanceTargets.tag(self._key or "", *self._values)
            source = ", ".join(repr(text) for text in (self._key, *self._values))
        elif self._mode is _Mode.INSTANCE_IDS:
            InstanceTargets.instance_ids(list(self._values))
            source = "[" + ", ".join(repr(value) for value in self._values) + "]"
        else:
            factory = (
                InstanceTargets.tag
                if self._mode is _Mode.TAG_KEY
                else (InstanceTargets.resource_group)
            )
            factory(self._values[0])
            source = repr(self._values[0])
        return f"InstanceTargets.{_FACTORIES[self._mode]}({source})"

    @property
    def is_all_instances(self) -> bool:
        """Whether these are all instances of the account and Region (``InstanceIds=*``)."""
        return self._mode is _Mode.ALL

    def can_overlap(self, other: InstanceTargets) -> bool:
        """False only when no instance can be in both target sets.

        Decided conservatively, from what is known at synth time: the same tag key with value
        sets that have no value in common, or two lists of instance ids with none in common,
        cannot meet. Anything else can: a tag key with any value meets every value of that key,
        one instance may carry two different tag keys, a resource group can hold any instance,
        and a value that is still a token may turn out equal.
        """
        modes = {self._mode, other._mode}
        if modes == {_Mode.TAG}:
            if self._key != other._key:
                return True
            if not set(self._values).isdisjoint(other._values):
                return True
            return any(_unknown(value) for value in (self._key, *self._values, *other._values))
        if modes == {_Mode.INSTANCE_IDS}:
            if any(_unknown(value) for value in self._values + other._values):
                return True
            return not set(self._values).isdisjoint(other._values)
        return True

    def describe(self) -> str:
        """A short human description, e.g. ``tag Env=prod`` or ``tag Env=prod or staging``."""
        if self._mode is _Mode.ALL:
            return "all instances"
        if self._mode is _Mode.TAG:
            return f"tag {self._key}=" + " or ".join(self._values)
        if self._mode is _Mode.TAG_KEY:
            return f"tag key {self._values[0]}"
        if self._mode is _Mode.INSTANCE_IDS:
            return "instances " + ", ".join(self._values)
        if self._mode is _Mode.EC2_INSTANCES_OF_GROUP:
            return "the EC2 instances of the resource group"
        return f"resource group {self._values[0]}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, InstanceTargets) and (
            (self._mode, self._values, self._key) == (other._mode, other._values, other._key)
        )

    def __hash__(self) -> int:
        return hash((self._mode, self._values, self._key))

    def __repr__(self) -> str:
        return f"InstanceTargets({self.describe()})"


_FACTORIES = {
    _Mode.ALL: "all_instances",
    _Mode.TAG: "tag",
    _Mode.TAG_KEY: "tag",
    _Mode.INSTANCE_IDS: "instance_ids",
    _Mode.RESOURCE_GROUP: "resource_group",
}


def _unknown(value: str | None) -> bool:
    return value is not None and is_unresolved(value)


def _unknown_target(key: str, values: Sequence[str], allowed: str) -> QuickSetupValidationError:
    return QuickSetupValidationError(f"Targets[{key}]", list(values), allowed)
