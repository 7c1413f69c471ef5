"""The default IAM roles: the instance role with its profile, and the automation (service) role.

A stack creates each at most once, shared by every configuration in it that uses the default,
so that many configurations fit in one stack.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from ..options import MANAGED_NODE_POLICIES
from ..validation import is_unresolved
from .nag import acknowledge_managed_policies, acknowledge_wildcards
from .shared import format_arn, remember_stack, stack_of, stack_singleton, token_attribute

if TYPE_CHECKING:
    from ..configuration import Configuration

EXPLORER_POLICY = "AWSSystemsManagerEnableExplorerExecutionPolicy"
"""AWS's policy for the role that runs ``AWS-EnableExplorer``."""
DEFAULT_HOST_MANAGEMENT_POLICY = "AmazonSSMManagedEC2InstanceDefaultPolicy"
"""AWS's policy for the Default Host Management Configuration role."""

_RETENTION = {
    cdk.RemovalPolicy.DESTROY: 0,
    cdk.RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE: 1,
    cdk.RemovalPolicy.RETAIN: 2,
}
"""How much of the instance role and profile each removal policy keeps."""


@dataclass(frozen=True)
class AccountWideNames:
    """Fixed names for default roles that one stack creates for every Region of its account.

    IAM is global: a stack deployed once per account creates the roles under these names, and
    the stacks of each Region refer to them by name. The automation may then act on instances
    in any Region of the account.
    """

    instance_role: str
    instance_profile: str
    automation_role: str
    explorer_role: str
    default_host_management_role: str
    existing: frozenset[str] = frozenset()
    """The fields above that name a role that exists already in every account (the user's): it
    is referred to by name, and not created."""

    def creates(self, role: str) -> bool:
        """Whether the role of field ``role`` is created (not one that exists already)."""
        return role not in self.existing


class QuickSetupRoles(Construct):
    """The default roles of one stack; each is created when a configuration first needs it."""

    @staticmethod
    def of(scope: Construct) -> QuickSetupRoles:
        return stack_singleton(scope, "QuickSetupRoles", QuickSetupRoles)

    def __init__(
        self, scope: Construct, construct_id: str, *, account_wide: AccountWideNames | None = None
    ) -> None:
        """``account_wide``: name the roles and profile, and let the automation reach instances
        in every Region. Default: generated names, this stack's Region only."""
        super().__init__(scope, construct_id)
        self._stack = stack_of(scope)
        self._account_wide = account_wide
        self._instance_role: iam.Role | None = None
        self._instance_profile: iam.InstanceProfile | None = None
        self._automation_role: iam.Role | None = None
        self._automation_policy: iam.ManagedPolicy | None = None
        self._explorer_role: iam.Role | None = None
        self._default_host_management_role: iam.Role | None = None
        self._granted_profiles: list[iam.IInstanceProfile] = []
        self._attachable_policies: list[str] = []
        self._attach_role_policy: iam.PolicyStatement | None = None
        self._instance_role_policies: set[str] = set()
        self._removal_policy: cdk.RemovalPolicy | None = None

    def missing(self, *names: str) -> int:
        """How many of the default resources ``names`` (``instance_role``, ``instance_profile``,
        ``automation_role``, ``automation_policy``, ``explorer_role``,
        ``default_host_management_role``) the stack does not have yet."""
        return sum(getattr(self, f"_{name}") is None for name in names)

    def instance_role(self, policies: tuple[str, ...] = ()) -> iam.Role:
        """The default instance role, trusted by EC2, with the AWS managed policies every managed
        node needs and ``policies`` added."""
        if self._instance_role is None:
            names = list(dict.fromkeys(MANAGED_NODE_POLICIES + policies))
            self._instance_role = iam.Role(
                self,
                "InstanceRole",
                # No aws:SourceAccount (or aws:SourceArn) condition here, unlike the automation
                # role's trust. EC2 uses this role for an instance only through an instance
                # profile that a principal allowed to iam:PassRole it associated with the
                # instance, and a role can be passed only within its own account: the
                # confused-deputy case those keys guard against does not arise. We found no AWS
                # documentation that EC2 puts either key in the request it makes for an
                # instance's credentials (AWS's own trust policy for EC2 roles has no
                # condition), and scanners that flag its absence have had that reported as a
                # false positive for ec2.amazonaws.com (prowler-cloud/prowler#2810, #7021). A
                # condition on a key the request lacks never matches: every instance would lose
                # its credentials. So the trust stays as AWS documents it.
                assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
                description="Lets Systems Manager manage EC2 instances (Quick Setup).",
                managed_policies=[_aws_managed_policy(name) for name in names],
                role_name=self._account_wide.instance_role if self._account_wide else None,
            )
        else:
            names = [
                name for name in dict.fromkeys(policies) if name not in self._instance_role_policies
            ]
            for name in names:
                self._instance_role.add_managed_policy(_aws_managed_policy(name))
        self._instance_role_policies.update(names)
        acknowledge_managed_policies(self._instance_role, names)
        return self._instance_role

    def instance_profile(self, role: iam.IRole | None = None) -> iam.InstanceProfile:
        """The stack's instance profile: of ``role`` when it is first asked for with one (a role
        of the user's), else of the default instance role."""
        if self._instance_profile is None:
            self._instance_profile = iam.InstanceProfile(
                self,
                "InstanceProfile",
                role=self.instance_role() if role is None else role,
                instance_profile_name=(
                    self._account_wide.instance_profile if self._account_wide else None
                ),
            )
        return self._instance_profile

    def retain_instance_profile(self, policy: cdk.RemovalPolicy) -> None:
        """Apply ``policy`` to the instance profile and the default instance role in it (a role
        of the user's is left alone) when they are removed or replaced. Configurations of one
        stack share them: the most retaining policy any of them asks for wins (RETAIN over
        RETAIN_ON_UPDATE_OR_DELETE over DESTROY)."""
        if self._removal_policy is None or _RETENTION[policy] > _RETENTION[self._removal_policy]:
            self._removal_policy = policy
            self.instance_profile().apply_removal_policy(policy)
            if self._instance_role is not None:
                self._instance_role.apply_removal_policy(policy)

    def automation_role(self) -> iam.Role:
        """The default Systems Manager service role that runs the instance-profile automation;
        :meth:`allow_attaching` gives it its policy."""
        if self._automation_role is None:
            self._automation_role = iam.Role(
                self,
                "AutomationRole",
                # Confused-deputy protection: Systems Manager may assume this role only while
                # acting for this account (its own automations, started by its associations).
                assumed_by=iam.ServicePrincipal(
                    "ssm.amazonaws.com",
                    conditions={
                        "StringEquals": {
                            "aws:SourceAccount": token_attribute(self._stack, "account")
                        }
                    },
                ),
                description=(
                    "Lets Systems Manager Automation attach instance profiles (Quick Setup)."
                ),
                role_name=self._account_wide.automation_role if self._account_wide else None,
            )
        return self._automation_role

    def explorer_role(self) -> iam.Role:
        """The role ``AWS-EnableExplorer`` runs under: AWS's managed policy for that runbook,
        assumable by Systems Manager Automation of this account only."""
        if self._explorer_role is None:
            self._explorer_role = iam.Role(
                self,
                "ExplorerRole",
                # The trust AWS documents for the role that enables Explorer: Automation
                # executions of this account only.
                assumed_by=iam.ServicePrincipal(
                    "ssm.amazonaws.com",
                    conditions={
                        "StringEquals": {
                            "aws:SourceAccount": token_attribute(self._stack, "account")
                        },
                        "ArnLike": {
                            "aws:SourceArn": format_arn(
                                self._stack, "ssm", "automation-execution", "*", region="*"
                            )
                        },
                    },
                ),
                description="Lets Systems Manager Automation enable Explorer (Quick Setup).",
                managed_policies=[_aws_managed_policy(EXPLORER_POLICY)],
                role_name=self._account_wide.explorer_role if self._account_wide else None,
            )
            acknowledge_managed_policies(self._explorer_role, [EXPLORER_POLICY])
        return self._explorer_role

    def default_host_management_role(self) -> iam.Role:
        """The role Default Host Management Configuration gives instances: trusted by Systems
        Manager, with AWS's managed policy for it."""
        if self._default_host_management_role is None:
            self._default_host_management_role = iam.Role(
                self,
                "DefaultHostManagementRole",
                # The trust AWS documents for this role. Systems Manager assumes it for the
                # agent of every instance in the account and Region; no condition keys are
                # documented for that request, and a condition on a key it lacks would leave
                # every instance unmanaged.
                assumed_by=iam.ServicePrincipal("ssm.amazonaws.com"),
                description=(
                    "Lets Systems Manager manage this account's EC2 instances without an "
                    "instance profile (Default Host Management Configuration, Quick Setup)."
                ),
                managed_policies=[_aws_managed_policy(DEFAULT_HOST_MANAGEMENT_POLICY)],
                role_name=(
                    self._account_wide.default_host_management_role if self._account_wide else None
                ),
            )
            acknowledge_managed_policies(
                self._default_host_management_role, [DEFAULT_HOST_MANAGEMENT_POLICY]
            )
        return self._default_host_management_role

    def allow_attaching(
        self,
        profile: iam.IInstanceProfile,
        role: iam.IRole,
        attachable_policies: tuple[str, ...] = (),
        *,
        existing_profile: bool = False,
    ) -> iam.Role:
        """Let the default automation role attach ``profile`` (holding ``role``) to instances
        that have no profile, and attach ``attachable_policies`` (AWS managed policy names; none
        unless ``allow_policy_attach``) to the role of a profile an instance already has.
        Returns the automation role.

        Configurations of one stack share the role: it may attach the policies any of them
        attaches, and no others. The statements a call adds go into the role's policy at once
        (the first call creates the policy with them)."""
        automation_role = self.automation_role()
        region = "*" if self._account_wide else None
        statements: list[dict[str, Any]] = []
        attach_role: list[iam.PolicyStatement] = []
        wildcards: list[str] = []
        if self._automation_policy is None:
            statements.append(_describe_statement())
            wildcards.append("*")
        # by identity: jsii keeps one Python object per construct, and node.path would cost a
        # round trip to the jsii kernel per configuration
        if not any(granted is profile for granted in self._granted_profiles):
            self._granted_profiles.append(profile)
            statements += _attach_statements(self._stack, profile, role, region, existing_profile)
            wildcards.append("ec2:instance/*")
        added = [name for name in attachable_policies if name not in self._attachable_policies]
        if added:
            self._attachable_policies.extend(added)
            policy_arns = {
                "iam:PolicyARN": [
                    aws_managed_policy_arn(name) for name in self._attachable_policies
                ]
            }
            if self._attach_role_policy is None:
                read_profile, attach = _policy_attach_statements(self._stack, policy_arns)
                statements.append(read_profile)
                # a statement object of its own: a later configuration may widen its condition
                self._attach_role_policy = iam.PolicyStatement.from_json(attach)
                attach_role.append(self._attach_role_policy)
                wildcards += ["iam:instance-profile/*", "iam:role/*"]
            else:
                # Replaces the condition's list (the statement is resolved only at synthesis).
                self._attach_role_policy.add_condition("ArnEquals", policy_arns)
        if self._automation_policy is None:
            self._automation_policy = iam.ManagedPolicy(
                self,
                "AutomationPolicy",
                roles=[automation_role],
                document=iam.PolicyDocument.from_json({"Statement": statements}),
                statements=attach_role,  # after the document's
            )
            remember_stack(self._automation_policy, self._stack)
        elif statements or attach_role:
            self._automation_policy.add_statements(
                *(iam.PolicyStatement.from_json(statement) for statement in statements),
                *attach_role,
            )
        acknowledge_wildcards(self._automation_policy, wildcards, region=region)
        return automation_role


NAMED_IAM_METADATA = "quicksetup:named-iam"
"""The cloud assembly metadata type (on the construct, not in the template) that lists the
roles and instance profiles a configuration names rather than creates, for ``quicksetup
preflight``: ``{"configuration_id", "kind", "instance_profiles": [...], "roles": [...]}``,
each ``{"prop", "name", "policies"}`` (the AWS managed policies it must have)."""


def required_policies(configuration: Configuration, prop: str) -> list[str]:
    """The AWS managed policies that the role named by ``prop`` must have: those the library
    gives its own role of that kind (none for the service and DHMC roles, whose permissions
    are the user's)."""
    if prop in ("instance_profile_name", "instance_profile_role", "instance_profile_role_name"):
        return list(configuration.instance_role_policies)
    if prop in ("explorer_role", "explorer_role_name"):
        return [EXPLORER_POLICY]
    return []


def named_iam(
    configuration: Configuration,
    *,
    kind: str = "local",
    instance_profile_name: str | None = None,
    roles: Mapping[str, iam.IRole | str | None],
    organizational_unit_ids: list[str] | None = None,
) -> dict[str, Any]:
    """The metadata of :data:`NAMED_IAM_METADATA` for ``configuration``, or ``{}`` when it
    names nothing. ``roles``: by prop, a role name, or an ``IRole`` (one created in the app,
    or whose name is a token, is left out). ``organizational_unit_ids``: where an
    organization's member accounts are."""
    profiles = []
    if instance_profile_name is not None and not is_unresolved(instance_profile_name):
        prop = "instance_profile_name"
        policies = required_policies(configuration, prop)
        profiles.append({"prop": prop, "name": instance_profile_name, "policies": policies})
    named = []
    for prop, role in roles.items():
        if role is None:
            continue
        if not isinstance(role, str):
            if role.node.default_child is not None:
                continue  # created in the app
            role = token_attribute(role, "role_name")
        if is_unresolved(role):
            continue
        named.append(
            {"prop": prop, "name": role, "policies": required_policies(configuration, prop)}
        )
    if not profiles and not named:
        return {}
    found: dict[str, Any] = {
        "configuration_id": configuration.configuration_id,
        "kind": kind,
        "instance_profiles": profiles,
        "roles": named,
    }
    if organizational_unit_ids is not None:
        found["organizational_unit_ids"] = list(organizational_unit_ids)
    return found


@cache
def _partition() -> str:
    """``cdk.Aws.PARTITION`` (a token for ``AWS::Partition``), asked of the jsii kernel once."""
    return cdk.Aws.PARTITION


def aws_managed_policy_arn(name: str) -> str:
    """The ARN of the AWS managed policy ``name``, as ``iam.ManagedPolicy.
    from_aws_managed_policy_name(name).managed_policy_arn`` renders it, without the two round
    trips to the jsii kernel that asks."""
    return f"arn:{_partition()}:iam::aws:policy/{name}"


@cache
def _aws_managed_policy(name: str) -> iam.IManagedPolicy:
    """``iam.ManagedPolicy.from_aws_managed_policy_name(name)``, asked of the jsii kernel once
    per process: the object holds only the policy's ARN, the same in every stack."""
    return iam.ManagedPolicy.from_aws_managed_policy_name(name)


def _statement(
    actions: list[str], resources: list[str], conditions: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A statement that allows ``actions`` on ``resources``, in IAM's JSON: CDK parses a
    document of them in one round trip to the jsii kernel (``iam.PolicyDocument.from_json``),
    where each ``iam.PolicyStatement`` costs one, and renders them alike."""
    statement: dict[str, Any] = {"Effect": "Allow", "Action": actions, "Resource": resources}
    if conditions:
        statement["Condition"] = conditions
    return statement


def _describe_statement() -> dict[str, Any]:
    # Purpose: the runbook asks whether an instance already has a profile before it attaches
    # ours. DescribeIamInstanceProfileAssociations has no resource-level permissions.
    return _statement(actions=["ec2:DescribeIamInstanceProfileAssociations"], resources=["*"])


def _attach_statements(
    stack: cdk.Stack,
    profile: iam.IInstanceProfile,
    role: iam.IRole,
    region: str | None = None,
    existing_profile: bool = False,
) -> list[dict[str, Any]]:
    """Attach ``profile`` to an instance with none; never detach or replace another profile.

    ``stack``: the one of the policy. ``region``: where the instances are. Default: the
    stack's Region. ``existing_profile``: ``profile`` is the user's, not created by the
    library: only what the runbook calls (describe, associate, pass the role) is granted, none
    of the parity actions, which would let the automation detach or change the user's profile."""
    instances = format_arn(stack, "ec2", "instance", "*", region=region)
    profile_arn = token_attribute(profile, "instance_profile_arn")
    role_arn = token_attribute(role, "role_arn")
    # Purpose: give our profile to a targeted instance. Only when the instance has no profile
    # now (ec2:InstanceProfile is absent), and only ours as the new one.
    associate = _statement(
        actions=["ec2:AssociateIamInstanceProfile"],
        resources=[instances],
        conditions={
            "Null": {"ec2:InstanceProfile": "true"},  # the instance has no profile now
            "ArnEquals": {"ec2:NewInstanceProfile": profile_arn},
        },
    )
    # Purpose: associating a profile passes its role to EC2. Only the instance role, and only
    # to EC2.
    pass_role = _statement(
        actions=["iam:PassRole"],
        resources=[role_arn],
        conditions={"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}},
    )
    if existing_profile:
        return [associate, pass_role]
    return [
        associate,
        # Purpose: one of Quick Setup's eight service-role actions, which the runbook never
        # calls; kept for parity, but it may detach only our own profile, never a customer's.
        _statement(
            actions=["ec2:DisassociateIamInstanceProfile"],
            resources=[instances],
            conditions={"ArnEquals": {"ec2:InstanceProfile": profile_arn}},
        ),
        pass_role,
        # Purpose: the rest of Quick Setup's eight service-role actions (its runbook reads the
        # profile and re-creates it, with its role, if it is missing). Ours does not call them;
        # they are kept for parity, and only on our own profile.
        _statement(
            actions=[
                "iam:GetInstanceProfile",
                "iam:CreateInstanceProfile",
                "iam:AddRoleToInstanceProfile",
            ],
            resources=[profile_arn],
        ),
        # Purpose: Quick Setup's runbook looks up the profile of its role; ours never calls
        # it. Kept for parity, read-only, and only for the instance role.
        _statement(actions=["iam:ListInstanceProfilesForRole"], resources=[role_arn]),
    ]


def _policy_attach_statements(
    stack: cdk.Stack, policy_arns: dict[str, list[str]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read the role of any instance profile, and attach to any role the policies
    ``policy_arns`` names (``{"iam:PolicyARN": [...]}``)."""
    return (
        # Purpose (allow_policy_attach only): find the role in the profile an instance already
        # has, whatever its name. Read-only.
        _statement(
            actions=["iam:GetInstanceProfile"],
            resources=[format_arn(stack, "iam", "instance-profile", "*", region="")],
        ),
        # Purpose (allow_policy_attach only): give that role what a managed node of the
        # configuration needs, and only that (the iam:PolicyARN condition).
        _statement(
            actions=["iam:AttachRolePolicy"],
            resources=[format_arn(stack, "iam", "role", "*", region="")],
            conditions={"ArnEquals": policy_arns},
        ),
    )
