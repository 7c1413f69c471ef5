"""CloudFormation's limit on resources per stack, checked before a configuration is added.

CloudFormation (and CDK, at synth) refuses a stack of more than 500 resources; without this
check, the configuration that crosses the limit surfaces as CDK's ``TooManyResourcesInStack``,
a traceback from the jsii kernel at synth time. Each configuration knows how many resources it
adds (:func:`local_resources`: its associations, and the shared roles and documents the stack
does not have yet), so the check needs no look at the construct tree until the stack nears the
limit: counting every resource of a stack costs a round trip to the jsii kernel per construct,
so the stack is counted only when it is first configured and whenever the running total comes
within :data:`RECOUNT_MARGIN` of the limit (resources added by other code in between are found
then).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import aws_cdk as cdk

from ..configuration import Configuration
from ..errors import QuickSetupValidationError
from ..options import OwnDocument
from . import athena
from .documents import QuickSetupDocuments
from .renderer import account_wide_associations
from .roles import QuickSetupRoles
from .shared import find_stack_singleton, node_of

RESOURCE_LIMIT = 500
"""CloudFormation's resources per stack (CDK's default ``@aws-cdk/core:stackResourceLimit``)."""
LIMIT_CONTEXT = "@aws-cdk/core:stackResourceLimit"
"""The context key that changes CDK's limit (0 turns CDK's check off, and this one)."""
CDK_METADATA_RESOURCES = 1
"""The ``AWS::CDK::Metadata`` resource the CDK CLI adds to each stack at synth (version
reporting), which counts towards the limit; kept free whether or not it is added."""
RECOUNT_MARGIN = 20
"""How close to the limit the running total may come before the stack is counted again (each
count costs about 0.05 ms per construct). Resources that other code adds between two
configurations of a stack are found at the next count; more than this many, added while the
stack is nearly full, are left to CDK's own check at synth."""


@dataclass
class _Tally:
    limit: int
    """What the configurations of the stack may fill (see :func:`_limit`)."""
    counted: int
    """Resources in the stack at its last count."""
    added: int = 0
    """Resources added by configurations since that count."""
    configurations: int = 0
    """Quick Setup configurations in the stack."""

    @property
    def total(self) -> int:
        return self.counted + self.added


_TALLIES: weakref.WeakKeyDictionary[cdk.Stack, _Tally] = weakref.WeakKeyDictionary()


def local_resources(
    stack: cdk.Stack, configuration: Configuration, *, given_roles: frozenset[str] = frozenset()
) -> int:
    """How many resources a QuickSetupLocal with ``configuration`` adds to ``stack``.

    ``given_roles``: the roles passed in rather than created (``instance_profile_role``,
    ``service_role``, ``explorer_role``, ``default_host_management_role``), and
    ``instance_profile_name`` for an existing instance profile.
    """
    shared = account_wide_associations(stack)
    documents = find_stack_singleton(stack, "QuickSetupDocuments", QuickSetupDocuments)
    own_documents = {
        option.document.id
        for option in configuration.options
        if isinstance(option.document, OwnDocument)
        and not (documents is not None and documents.has(option.document))
    }
    count = len(own_documents) + sum(
        1
        for option in configuration.options
        if option.targets_instances or option.key not in shared
    )
    default_roles = []
    if "instance_profile_name" in given_roles:
        pass  # an existing instance profile: neither a profile nor a role is created
    elif "instance_profile_role" in given_roles:
        count += 1  # the configuration's own instance profile
    else:
        default_roles += ["instance_role", "instance_profile"]
    if configuration.attaches_profile and "service_role" not in given_roles:
        default_roles += ["automation_role", "automation_policy"]
    if configuration.enables_explorer and "explorer_role" not in given_roles:
        default_roles.append("explorer_role")
    if configuration.default_host_management:
        count += 1  # the service setting
        if "default_host_management_role" not in given_roles:
            default_roles.append("default_host_management_role")
    roles = find_stack_singleton(stack, "QuickSetupRoles", QuickSetupRoles)
    count += len(default_roles) if roles is None else roles.missing(*default_roles)
    sync = 0 if configuration.inventory_sync is None else 1
    return count + sync + _bucket_resources(configuration)


def organization_resources(configuration: Configuration) -> int:
    """How many resources a QuickSetupOrganization with ``configuration`` adds to its stack:
    its two StackSets and, when created, the inventory bucket."""
    return 2 + _bucket_resources(configuration)


def _bucket_resources(configuration: Configuration) -> int:
    """The inventory bucket a configuration creates and its policy, the policy that the bucket
    of its access logs may need, and with ``athena`` the resources that query it."""
    sync = configuration.inventory_sync
    if sync is None:
        return 0
    queryable = athena.RESOURCES if sync.athena else 0
    if not sync.creates_bucket:
        return queryable
    return 2 + (sync.server_access_logs_bucket is not None) + queryable


def check_stack_limit(stack: cdk.Stack, adds: int) -> None:
    """Raise :class:`QuickSetupValidationError` if ``adds`` more resources would take ``stack``
    past CloudFormation's limit; call :func:`record` once they are added."""
    tally = _TALLIES.get(stack)
    limit = _limit(stack) if tally is None else tally.limit  # read once per stack
    if not limit:
        if tally is None:
            _TALLIES[stack] = _Tally(limit, 0)
        return
    if tally is None or tally.total + adds > limit - RECOUNT_MARGIN:
        configurations = tally.configurations if tally is not None else 0
        tally = _TALLIES[stack] = _Tally(limit, _count(stack), configurations=configurations)
    if tally.total + adds <= limit:
        return
    name = stack.stack_name
    would_have = tally.total + adds + CDK_METADATA_RESOURCES
    raise QuickSetupValidationError(
        "scope",
        f"stack {name}",
        f"a stack with room for this configuration's {adds} resources: with them {name} would "
        f"have {would_have} resources (CDK's metadata resource included), over "
        f"CloudFormation's limit of {limit + CDK_METADATA_RESOURCES} per stack. It holds "
        f"{tally.configurations} Quick Setup configuration(s), as many as fit: put this "
        "configuration, and those after it, in another stack (each stack creates its own "
        "default roles and documents, which its configurations share)",
    )


def record(stack: cdk.Stack, adds: int) -> None:
    """Count ``adds`` resources of a configuration added to ``stack``."""
    tally = _TALLIES.get(stack)
    if tally is not None:
        tally.added += adds
        tally.configurations += 1


def _limit(stack: cdk.Stack) -> int:
    """What the configurations of ``stack`` may fill: CDK's limit, less its metadata resource."""
    limit = node_of(stack).try_get_context(LIMIT_CONTEXT)
    limit = RESOURCE_LIMIT if limit is None else int(limit)
    return max(limit - CDK_METADATA_RESOURCES, 0) if limit else 0


def _count(stack: cdk.Stack) -> int:
    """Every CloudFormation resource in ``stack`` now (those of its nested stacks excluded)."""
    constructs = node_of(stack).find_all()
    resources = [c for c in constructs if isinstance(c, cdk.CfnResource)]
    if any(isinstance(c, cdk.NestedStack) for c in constructs):
        # asking each resource for its stack costs a round trip: only where it can differ
        return sum(1 for resource in resources if cdk.Stack.of(resource) is stack)
    return len(resources)
