"""The default IAM roles: the instance role with its profile, and the automation (service) role.

A stack creates each at most once, shared by every configuration in it that uses the default,
so that many configurations fit in one stack.
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from .nag import acknowledge_managed_policy, acknowledge_wildcard
from .shared import stack_singleton

INSTANCE_ROLE_POLICIES = ("AmazonSSMManagedInstanceCore", "AmazonSSMPatchAssociation")
"""What every managed instance needs: Systems Manager core, and the patch-scan document's reads."""


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
        self._account_wide = account_wide
        self._instance_role: iam.Role | None = None
        self._instance_profile: iam.InstanceProfile | None = None
        self._automation_role: iam.Role | None = None
        self._automation_policy: iam.ManagedPolicy | None = None
        self._granted_profiles: set[str] = set()
        self._policy_attach_granted = False
        self._instance_role_policies: set[str] = set()

    def instance_role(self, extra_policies: tuple[str, ...] = ()) -> iam.Role:
        """The default instance role, trusted by EC2, with ``extra_policies`` added."""
        if self._instance_role is None:
            self._instance_role = iam.Role(
                self, "InstanceRole",
                assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
                description="Lets Systems Manager manage EC2 instances (Quick Setup).",
                role_name=self._account_wide.instance_role if self._account_wide else None,
            )
            extra_policies = INSTANCE_ROLE_POLICIES + extra_policies
        for name in extra_policies:
            self._add_managed_policy(self._instance_role, name)
        return self._instance_role

    def instance_profile(self) -> iam.InstanceProfile:
        """The instance profile of the default instance role."""
        if self._instance_profile is None:
            self._instance_profile = iam.InstanceProfile(
                self, "InstanceProfile", role=self.instance_role(),
                instance_profile_name=(
                    self._account_wide.instance_profile if self._account_wide else None
                ),
            )
        return self._instance_profile

    def automation_role(self) -> iam.Role:
        """The default Systems Manager service role that runs the instance-profile automation."""
        if self._automation_role is None:
            stack = cdk.Stack.of(self)
            self._automation_role = iam.Role(
                self, "AutomationRole",
                assumed_by=iam.ServicePrincipal(
                    "ssm.amazonaws.com",
                    conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
                ),
                description="Lets Systems Manager Automation attach instance profiles (Quick Setup).",
                role_name=self._account_wide.automation_role if self._account_wide else None,
            )
            self._automation_policy = iam.ManagedPolicy(
                self, "AutomationPolicy",
                roles=[self._automation_role],
                statements=[_describe_statement()],
            )
            acknowledge_wildcard(self._automation_policy, "*")
        return self._automation_role

    def allow_attaching(
        self, profile: iam.IInstanceProfile, role: iam.IRole, *, allow_policy_attach: bool
    ) -> None:
        """Let the default automation role attach ``profile`` (holding ``role``) to instances
        that have no profile, and, with ``allow_policy_attach``, attach the SSM policies to the
        role of a profile an instance already has."""
        self.automation_role()
        assert self._automation_policy is not None
        if profile.node.path not in self._granted_profiles:
            self._granted_profiles.add(profile.node.path)
            region = "*" if self._account_wide else None
            self._automation_policy.add_statements(*_attach_statements(profile, role, region))
            acknowledge_wildcard(self._automation_policy, "ec2:instance/*", region=region)
        if allow_policy_attach and not self._policy_attach_granted:
            self._policy_attach_granted = True
            self._automation_policy.add_statements(*_policy_attach_statements(cdk.Stack.of(self)))
            acknowledge_wildcard(self._automation_policy, "iam:instance-profile/*")
            acknowledge_wildcard(self._automation_policy, "iam:role/*")

    def _add_managed_policy(self, role: iam.Role, name: str) -> None:
        if name not in self._instance_role_policies:
            self._instance_role_policies.add(name)
            role.add_managed_policy(iam.ManagedPolicy.from_aws_managed_policy_name(name))
            acknowledge_managed_policy(role, name)


def _describe_statement() -> iam.PolicyStatement:
    # DescribeIamInstanceProfileAssociations has no resource-level permissions.
    return iam.PolicyStatement(
        actions=["ec2:DescribeIamInstanceProfileAssociations"], resources=["*"]
    )


def _attach_statements(
    profile: iam.IInstanceProfile, role: iam.IRole, region: str | None = None
) -> list[iam.PolicyStatement]:
    """Attach ``profile`` to an instance with none; never detach or replace another profile.

    ``region``: where the instances are. Default: the stack's Region."""
    instances = cdk.Stack.of(profile).format_arn(
        service="ec2", region=region, resource="instance", resource_name="*"
    )
    return [
        iam.PolicyStatement(
            actions=["ec2:AssociateIamInstanceProfile"],
            resources=[instances],
            conditions={
                "Null": {"ec2:InstanceProfile": "true"},  # the instance has no profile now
                "ArnEquals": {"ec2:NewInstanceProfile": profile.instance_profile_arn},
            },
        ),
        iam.PolicyStatement(  # may detach only our own profile
            actions=["ec2:DisassociateIamInstanceProfile"],
            resources=[instances],
            conditions={"ArnEquals": {"ec2:InstanceProfile": profile.instance_profile_arn}},
        ),
        iam.PolicyStatement(
            actions=["iam:PassRole"],
            resources=[role.role_arn],
            conditions={"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}},
        ),
        iam.PolicyStatement(
            actions=[
                "iam:GetInstanceProfile",
                "iam:CreateInstanceProfile",
                "iam:AddRoleToInstanceProfile",
            ],
            resources=[profile.instance_profile_arn],
        ),
        iam.PolicyStatement(actions=["iam:ListInstanceProfilesForRole"], resources=[role.role_arn]),
    ]


def _policy_attach_statements(stack: cdk.Stack) -> list[iam.PolicyStatement]:
    """Attach the two SSM policies, and nothing else, to the role of any instance profile."""
    return [
        iam.PolicyStatement(
            actions=["iam:GetInstanceProfile"],
            resources=[stack.format_arn(
                service="iam", region="", resource="instance-profile", resource_name="*"
            )],
        ),
        iam.PolicyStatement(
            actions=["iam:AttachRolePolicy"],
            resources=[stack.format_arn(service="iam", region="", resource="role", resource_name="*")],
            conditions={"ArnEquals": {"iam:PolicyARN": [
                iam.ManagedPolicy.from_aws_managed_policy_name(name).managed_policy_arn
                for name in INSTANCE_ROLE_POLICIES
            ]}},
        ),
    ]
