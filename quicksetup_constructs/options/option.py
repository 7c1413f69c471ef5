"""What a Quick Setup option is: one State Manager association, declared as data.

Each module beside this one declares one option. The renderer
(:mod:`quicksetup_constructs.rendering.renderer`) turns the declarations into resources, for the
local construct and for the StackSet template alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..targets import DocumentKind


@dataclass(frozen=True)
class ManagedDocument:
    """A document that AWS owns, referenced by name."""

    name: str
    kind: DocumentKind = DocumentKind.COMMAND


@dataclass(frozen=True)
class OwnDocument:
    """A document this library creates (once per stack) from ``content``."""

    id: str
    """Construct id of the document resource; part of its logical ID, so never change it."""
    content: Mapping[str, Any]
    kind: DocumentKind = DocumentKind.COMMAND


@dataclass(frozen=True)
class RenderContext:
    """What an option's parameters may depend on."""

    settings: Any
    """The configuration's :class:`~quicksetup_constructs.configuration.OptionSettings`."""
    enabled: frozenset[str]
    """Keys of every option enabled in the same configuration."""
    service_role_arn: str
    """The role that attaches the instance profile ("" when that option is off)."""
    instance_profile_name: str
    explorer_role_arn: str
    """The role that enables Explorer ("" when that option is off)."""
    attachable_policies: tuple[str, ...] = ()
    """The AWS managed policies to attach to the role of a profile an instance already has
    (none without ``allow_policy_attach``)."""


MANAGED_NODE_POLICIES = ("AmazonSSMManagedInstanceCore", "AmazonSSMPatchAssociation")
"""AWS managed policies the role of every managed node of a configuration needs: Systems Manager
core, and the reads of the patch-scan document. Options add their own
(:attr:`Option.instance_role_policies`)."""


def no_parameters(_: RenderContext) -> dict[str, list[str]]:
    return {}


@dataclass(frozen=True)
class Option:
    """One Quick Setup option: the association it creates and how."""

    key: str
    """The prop that switches it on (``update_ssm_agent``), also the key of its association."""
    title: str
    """What the console calls it."""
    association_name: str
    """Middle part of the association name ``QuickSetup-<association_name>-<configuration id>``,
    and the construct id of the association."""
    document: ManagedDocument | OwnDocument
    schedule: str | None
    """Default schedule; None runs once, when the association is created."""
    enabled_by_default: bool
    parameters: Callable[[RenderContext], Mapping[str, list[str]]] = no_parameters
    sync_compliance: str | None = None
    automation_target_parameter_name: str | None = None
    targets_instances: bool = True
    """False: the association acts on the account and Region, not on instances, and has no
    targets (it ignores the configuration's ``targets``)."""
    instance_role_policies: tuple[str, ...] = field(default=())
    """AWS managed policies the default instance role needs while this option is on."""

    @property
    def document_kind(self) -> DocumentKind:
        return self.document.kind
