"""Removing a configuration never leaves running instances without a working instance profile:
the instance profile and its role are kept by default, for both constructs."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from quicksetup_constructs import InstanceTargets, QuickSetupLocal, QuickSetupOrganization

from .apps import FLAG_SET_NAMES, new_app
from .support import lint_findings

KEPT = ("AWS::IAM::Role", "AWS::IAM::InstanceProfile")
INSTANCE_ROLE_AND_PROFILE = ("QuickSetupRolesInstanceRole", "QuickSetupRolesInstanceProfile")
POLICIES = {
    cdk.RemovalPolicy.RETAIN: ("Retain", "Retain"),
    cdk.RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE: ("RetainExceptOnCreate", "Retain"),
    cdk.RemovalPolicy.DESTROY: ("Delete", "Delete"),
}
ORG = dict(organizational_unit_ids=["ou-abcd-11112222"], regions=["us-east-1"], account_count=3)


def _policies(resources: dict[str, Any]) -> dict[str, tuple[str | None, str | None]]:
    """(DeletionPolicy, UpdateReplacePolicy) of every resource, by logical ID."""
    return {
        logical_id: (resource.get("DeletionPolicy"), resource.get("UpdateReplacePolicy"))
        for logical_id, resource in resources.items()
    }


def _local_resources(flag_set: str = "recommended", **props: Any) -> dict[str, Any]:
    stack = cdk.Stack(new_app(flag_set), "Stack")
    QuickSetupLocal(stack, "QuickSetup", configuration_id="teardown", **props)
    return Template.from_stack(stack).to_json()["Resources"]


@pytest.fixture(scope="module", params=FLAG_SET_NAMES)
def local_default(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Under each feature flag set (tests/apps.py)."""
    return _local_resources(request.param, install_cloudwatch_agent=True)


def _kept(resources: dict[str, Any]) -> dict[str, tuple[str | None, str | None]]:
    """The removal policies of the instance role and its profile."""
    return {
        logical_id: value
        for logical_id, value in _policies(resources).items()
        if logical_id.startswith(INSTANCE_ROLE_AND_PROFILE)
    }


def test_local_keeps_the_instance_role_and_profile_by_default(local_default):
    kept = _kept(local_default)
    assert len(kept) == 2
    assert set(kept.values()) == {("Retain", "Retain")}
    others = set(_policies(local_default).values()) - set(kept.values())
    assert others == {(None, None)}


def test_local_deletes_the_automation_role_documents_and_associations(local_default):
    deleted = {
        resource["Type"] for resource in local_default.values() if "DeletionPolicy" not in resource
    }
    assert deleted == {
        "AWS::IAM::Role",
        "AWS::IAM::ManagedPolicy",
        "AWS::SSM::Document",
        "AWS::SSM::Association",
    }


@pytest.mark.parametrize("policy", list(POLICIES), ids=lambda policy: policy.name)
def test_local_removal_policy_is_configurable_and_keeps_logical_ids(local_default, policy):
    resources = _local_resources(
        install_cloudwatch_agent=True, instance_profile_removal_policy=policy
    )
    assert set(resources) == set(local_default)
    kept = _kept(resources)
    assert len(kept) == 2
    assert set(kept.values()) == {POLICIES[policy]}
    assert lint_findings({"Resources": resources}) == []


@pytest.mark.parametrize("order", [("RETAIN", "DESTROY"), ("DESTROY", "RETAIN")])
def test_configurations_that_share_the_default_profile_keep_it_if_either_asks(order):
    stack = cdk.Stack(new_app(), "Stack")
    for name, policy in zip(("Web", "Db"), order, strict=True):
        QuickSetupLocal(
            stack,
            name,
            targets=InstanceTargets.tag("App", name.lower()),
            instance_profile_removal_policy=getattr(cdk.RemovalPolicy, policy),
        )
    template = Template.from_stack(stack)
    for resource_type in KEPT:
        template.has_resource(resource_type, {"DeletionPolicy": "Retain"})
    template.resource_count_is("AWS::IAM::InstanceProfile", 1)


def test_a_profile_for_the_users_role_is_kept_and_the_role_is_never_touched():
    stack = cdk.Stack(new_app(), "Stack")
    role = iam.Role.from_role_name(stack, "Mine", "MyInstanceRole")
    QuickSetupLocal(stack, "QuickSetup", instance_profile_role=role)
    template = Template.from_stack(stack)
    template.has_resource(
        "AWS::IAM::InstanceProfile",
        {
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {"Roles": ["MyInstanceRole"]},
        },
    )


def _organization(**props: Any) -> QuickSetupOrganization:
    return QuickSetupOrganization(cdk.Stack(new_app(), "Org"), "OrgQuickSetup", **(ORG | props))


def test_organization_member_accounts_keep_the_instance_role_and_profile_by_default():
    org = _organization()
    resources = org.account_template["Resources"]
    kept = _kept(resources)
    assert len(kept) == 2
    assert set(kept.values()) == {("Retain", "Retain")}
    assert set(_policies(resources).values()) - set(kept.values()) == {(None, None)}
    assert all("DeletionPolicy" not in r for r in org.regional_template["Resources"].values())


def test_organization_removal_policy_is_configurable():
    org = _organization(instance_profile_removal_policy=cdk.RemovalPolicy.DESTROY)
    kept = _kept(org.account_template["Resources"])
    assert len(kept) == 2
    assert set(kept.values()) == {("Delete", "Delete")}
    assert lint_findings(org.account_template) == []
