"""checkov over every synthesized template, and parliament (an IAM policy linter) over every IAM
policy document in them, for representative configurations of both constructs, the parsed
StackSet templates included. No failure, unless skipped here with its reason.

checkov runs through its Python API (``checkov.cloudformation.runner.Runner``), which needs no
network; its CLI would try to download check metadata.

parliament lints policies, not templates: each document is taken out of its resource and the
CloudFormation functions in it are replaced by concrete values (see :func:`concrete`):
``Ref`` of a pseudo parameter by a placeholder account (111111111111), Region (us-east-1) and
partition (aws); ``Ref`` of a role or instance profile by its logical ID as its name;
``Fn::GetAtt [X, Arn]`` by the ARN a resource of X's type has under that name; ``Fn::Join`` by
the joined string. A trust policy (``AssumeRolePolicyDocument``) is the role's resource policy:
each statement gets the role's ARN as its ``Resource``, which IAM leaves implicit.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from quicksetup_constructs import InstanceTargets, InventorySync, QuickSetupOrganization

from .apps import FLAG_SET_NAMES, new_app
from .test_local_checks import CONFIGURATIONS

ACCOUNT, REGION, PARTITION = "111111111111", "us-east-1", "aws"
ENV = cdk.Environment(account=ACCOUNT, region=REGION)
ORGANIZATIONS = {
    "organization-all-options": dict(
        install_cloudwatch_agent=True, update_cloudwatch_agent=True, allow_policy_attach=True
    ),
    "organization-inventory-dhmc": dict(
        inventory_sync=InventorySync.to_new_bucket(prefix="inventory"),
        organization_id="o-abcdef1234",
        default_host_management=True,
    ),
    "organization-existing-roles": dict(
        instance_profile_role_name="TeamInstanceRole",
        allow_policy_attach=True,
        default_host_management=True,
        default_host_management_role_name="TeamDhmcRole",
    ),
    "organization-tag-no-attach": dict(
        targets=InstanceTargets.tag("Env", "prod"),
        attach_instance_profile=False,
        configuration_id="prod",
    ),
}

CHECKOV_SKIPS: dict[str, str] = {}
"""checkov check id -> why it does not apply. None: every check passes."""


@dataclass(frozen=True)
class Skip:
    reason: str
    applies_to: Callable[[str], bool]
    """Which documents (named ``<template>/<logical id>/<kind>``) the finding is expected on."""


PARLIAMENT_SKIPS: dict[str, Skip] = {
    "CREDENTIALS_EXPOSURE": Skip(
        "A community auditor that flags sts:AssumeRole wherever it is allowed. In a trust policy "
        "that is the point: EC2 (instance role) or Systems Manager for this account only "
        "(automation role) may assume the role.",
        lambda document: document.endswith("/trust"),
    ),
    "PERMISSIONS_MANAGEMENT_ACTIONS": Skip(
        "A community auditor that flags any IAM write (iam:PassRole, iam:CreateInstanceProfile, "
        "iam:AddRoleToInstanceProfile, iam:AttachRolePolicy). Attaching an instance profile is "
        "the automation role's job; each action is limited to our own role and profile, PassRole "
        "to EC2, and AttachRolePolicy to the two SSM policies.",
        lambda document: "AutomationPolicy" in document,
    ),
    "UNKNOWN_CONDITION_FOR_ACTION": Skip(
        "parliament's action data predates the global condition key aws:SourceOrgID, which AWS "
        "documents for the inventory bucket of an organization (deliveries by Systems Manager "
        "on behalf of the organization's accounts only).",
        lambda document: "InventoryBucketPolicy" in document,
    ),
}
"""parliament finding -> why it is expected, and where. Community auditors are switched on."""


def _local_templates(
    name: str, env: cdk.Environment | None, flag_set: str
) -> dict[str, dict[str, Any]]:
    stack = cdk.Stack(new_app(flag_set), "Stack", env=env)
    CONFIGURATIONS[name](stack)
    suffix = "concrete-env" if env else "env-agnostic"
    return {f"local-{name}-{suffix}": Template.from_stack(stack).to_json()}


def _organization_templates(
    name: str, props: dict[str, Any], flag_set: str
) -> dict[str, dict[str, Any]]:
    stack = cdk.Stack(new_app(flag_set), "Org", env=ENV)
    org = QuickSetupOrganization(
        stack,
        "OrgQuickSetup",
        organizational_unit_ids=["ou-abcd-11112222"],
        regions=[REGION, "ap-northeast-1"],
        account_count=40,
        **props,
    )
    return {
        f"{name}-outer": Template.from_stack(stack).to_json(),
        f"{name}-account": org.account_template,
        f"{name}-regional": org.regional_template,
    }


@pytest.fixture(scope="module", params=FLAG_SET_NAMES)
def templates(request: pytest.FixtureRequest, tmp_path_factory) -> dict[str, Path]:
    """Every template under each feature flag set (tests/apps.py), written to a file (checkov
    reads files), by name."""
    rendered: dict[str, dict[str, Any]] = {}
    for name in CONFIGURATIONS:
        for env in (None, ENV):
            rendered |= _local_templates(name, env, request.param)
    for name, props in ORGANIZATIONS.items():
        rendered |= _organization_templates(name, props, request.param)
    directory = tmp_path_factory.mktemp(f"templates-{request.param}")
    paths = {}
    for name, template in rendered.items():
        paths[name] = directory / f"{name}.template.json"
        paths[name].write_text(json.dumps(template, indent=1))
    return paths


def _checkov(paths: list[Path]) -> Any:
    from checkov.cloudformation.runner import Runner
    from checkov.runner_filter import RunnerFilter

    return Runner().run(
        root_folder=None,
        files=[str(path) for path in paths],
        runner_filter=RunnerFilter(framework=["cloudformation"], skip_checks=list(CHECKOV_SKIPS)),
    )


# checkov


def test_checkov_passes_every_template(templates):
    report = _checkov(list(templates.values()))
    failures = [
        f"{check.check_id} {check.check_name} at {Path(check.file_path).name}:{check.resource}"
        for check in report.failed_checks
    ]
    assert failures == []
    assert report.parsing_errors == []
    checked = {Path(check.file_path).name for check in report.passed_checks}
    with_iam = {
        path.name
        for path in templates.values()
        if any(
            resource["Type"].startswith("AWS::IAM::")
            for resource in json.loads(path.read_text())["Resources"].values()
        )
    }
    assert with_iam <= checked, "checkov skipped a template with IAM resources"
    # The IAM checks (privilege escalation, data exfiltration, write access without
    # constraints, credentials exposure, assume-role policies) ran.
    assert {
        "CKV_AWS_60",
        "CKV_AWS_61",
        "CKV_AWS_107",
        "CKV_AWS_108",
        "CKV_AWS_109",
        "CKV_AWS_110",
        "CKV_AWS_111",
    } <= {check.check_id for check in report.passed_checks}


def test_checkov_catches_a_broken_template(tmp_path):
    """Guards the test above: checkov really reports IAM problems in these templates."""
    stack = cdk.Stack(new_app(), "Stack")
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    role.add_to_policy(iam.PolicyStatement(actions=["*"], resources=["*"]))
    path = tmp_path / "broken.template.json"
    path.write_text(json.dumps(Template.from_stack(stack).to_json()))
    assert _checkov([path]).failed_checks


# parliament


_PSEUDO = {
    "AWS::AccountId": ACCOUNT,
    "AWS::Region": REGION,
    "AWS::Partition": PARTITION,
    "AWS::URLSuffix": "amazonaws.com",
}
_ARN_RESOURCE = {
    "AWS::IAM::Role": "role",
    "AWS::IAM::InstanceProfile": "instance-profile",
    "AWS::IAM::ManagedPolicy": "policy",
}


def concrete(value: Any, resources: dict[str, Any]) -> Any:
    """``value`` with every CloudFormation function replaced by a concrete string."""
    if isinstance(value, list):
        return [concrete(item, resources) for item in value]
    if not isinstance(value, dict):
        return value
    if "Ref" in value:
        name = value["Ref"]
        return _PSEUDO[name] if name in _PSEUDO else _name(name, resources)
    if "Fn::GetAtt" in value:
        logical_id, attribute = value["Fn::GetAtt"]
        assert attribute == "Arn", value
        if resources[logical_id]["Type"] == "AWS::S3::Bucket":
            return f"arn:{PARTITION}:s3:::{_name(logical_id, resources).lower()}"
        kind = _ARN_RESOURCE[resources[logical_id]["Type"]]
        return f"arn:{PARTITION}:iam::{ACCOUNT}:{kind}/{_name(logical_id, resources)}"
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(concrete(part, resources) for part in parts)
    assert not any(key.startswith("Fn::") for key in value), f"unresolved: {value}"
    return {key: concrete(item, resources) for key, item in value.items()}


def _name(logical_id: str, resources: dict[str, Any]) -> str:
    """The physical name a resource has: its fixed name, or (generated) its logical ID."""
    properties = resources.get(logical_id, {}).get("Properties", {})
    return properties.get("RoleName") or properties.get("InstanceProfileName") or logical_id


def policy_documents(name: str, template: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every IAM policy document of ``template``, resolved, as (``<name>/<id>/<kind>``,
    document)."""
    resources = template.get("Resources", {})
    for logical_id, resource in resources.items():
        properties = resource.get("Properties", {})
        where = f"{name}/{logical_id}"
        if "AssumeRolePolicyDocument" in properties:
            trust = concrete(properties["AssumeRolePolicyDocument"], resources)
            role_arn = f"arn:{PARTITION}:iam::{ACCOUNT}:role/{_name(logical_id, resources)}"
            for statement in trust["Statement"]:
                statement["Resource"] = role_arn
            yield f"{where}/trust", trust
        if "PolicyDocument" in properties:
            yield f"{where}/policy", concrete(properties["PolicyDocument"], resources)
        for index, policy in enumerate(properties.get("Policies", [])):
            yield f"{where}/inline{index}", concrete(policy["PolicyDocument"], resources)


def _parliament(document: dict[str, Any]) -> list[tuple[str, Any]]:
    from parliament import analyze_policy_string

    policy = analyze_policy_string(json.dumps(document), include_community_auditors=True)
    return [(finding.issue, finding.detail) for finding in policy.findings]


def test_parliament_passes_every_policy_document(templates):
    documents = {
        where: document
        for name, path in templates.items()
        for where, document in policy_documents(name, json.loads(path.read_text()))
    }
    assert len(documents) >= 20
    failures, skipped = [], set()
    for where, document in documents.items():
        for issue, detail in _parliament(document):
            skip = PARLIAMENT_SKIPS.get(issue)
            if skip is not None and skip.applies_to(where):
                skipped.add(issue)
            else:
                failures.append(f"{issue} {detail} in {where}")
    assert failures == []
    assert skipped == set(PARLIAMENT_SKIPS), "a skip that nothing needs any more: remove it"


def test_every_skip_has_a_reason():
    for check_id, reason in CHECKOV_SKIPS.items():
        assert len(reason) > 40, check_id
    for issue, skip in PARLIAMENT_SKIPS.items():
        assert len(skip.reason) > 40, issue


def test_parliament_catches_a_broken_policy():
    """Guards the test above: parliament and the resolver really report a wrong resource."""
    resources = {"Profile": {"Type": "AWS::IAM::InstanceProfile", "Properties": {}}}
    document = concrete(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "iam:PassRole",
                    "Resource": {"Fn::GetAtt": ["Profile", "Arn"]},
                }
            ],
        },
        resources,
    )
    assert document["Statement"][0]["Resource"] == (
        "arn:aws:iam::111111111111:instance-profile/Profile"
    )
    assert "RESOURCE_MISMATCH" in {issue for issue, _ in _parliament(document)}
