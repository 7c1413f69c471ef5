"""The two IAM policies of ``make integ`` (``docs/policies/``), checked against what runs.

- The CloudFormation execution policy allows every permission that CloudFormation's resource
  provider schemas list for the create, update and delete handlers of the integration
  snapshots' resource types (cfn-lint bundles the schemas), or :data:`EXCLUDED` says why that
  permission is not needed; it allows nothing beyond them but :data:`EXTRA`. Only the
  top-level templates count: a StackSet's ``TemplateBody`` is deployed by StackSets in the
  member accounts, with StackSets' own execution role there, not with this one.
- It changes only the test stacks' instances: every statement that may change an instance
  carries the ``aws:cloudformation:stack-name`` tag condition.
- The deploy policy allows every call that the hooks make with the caller's credentials, read
  from their code (``integ/permissions.py``), and the CDK CLI's own calls.
- parliament finds nothing but :data:`EXPECTED_FINDINGS`, each for its reason.
"""

from __future__ import annotations

import importlib
import json
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "integ"))
permissions = importlib.import_module("permissions")  # integ/permissions.py

EXECUTION = permissions.EXECUTION_POLICY
DEPLOY = permissions.DEPLOY_POLICY


@dataclass(frozen=True)
class Excluded:
    """Why a handler permission is not needed: no resource of the type sets any of ``unless``
    (top-level properties, ``a.b`` for a nested one), which are what make the handler call it."""

    reason: str
    unless: tuple[str, ...]


_NO_KMS_KEY = "no customer managed key: AWS owned keys need no permission of the caller"
EXCLUDED = {
    ("AWS::EC2::Instance", "ec2:AttachVolume"): Excluded(
        "the instances attach no volume beyond their root volume", ("Volumes",)
    ),
    ("AWS::EC2::Instance", "ec2:DetachVolume"): Excluded(
        "the instances attach no volume beyond their root volume", ("Volumes",)
    ),
    ("AWS::IAM::ManagedPolicy", "iam:AttachGroupPolicy"): Excluded(
        "the managed policy is attached to roles only", ("Groups",)
    ),
    ("AWS::IAM::ManagedPolicy", "iam:DetachGroupPolicy"): Excluded(
        "the managed policy is attached to roles only", ("Groups",)
    ),
    ("AWS::IAM::ManagedPolicy", "iam:AttachUserPolicy"): Excluded(
        "the managed policy is attached to roles only", ("Users",)
    ),
    ("AWS::IAM::ManagedPolicy", "iam:DetachUserPolicy"): Excluded(
        "the managed policy is attached to roles only", ("Users",)
    ),
    ("AWS::IAM::Role", "iam:PutRolePermissionsBoundary"): Excluded(
        "no role has a permissions boundary", ("PermissionsBoundary",)
    ),
    ("AWS::IAM::Role", "iam:DeleteRolePermissionsBoundary"): Excluded(
        "no role has a permissions boundary", ("PermissionsBoundary",)
    ),
    **{
        ("AWS::Lambda::Function", action): Excluded(_NO_KMS_KEY, ("KmsKeyArn", "DurableConfig"))
        for action in (
            "kms:CreateGrant",
            "kms:Decrypt",
            "kms:DescribeKey",
            "kms:Encrypt",
            "kms:GenerateDataKey",
        )
    },
    **{
        ("AWS::StepFunctions::StateMachine", action): Excluded(
            _NO_KMS_KEY, ("EncryptionConfiguration",)
        )
        for action in ("kms:DescribeKey", "kms:GenerateDataKey")
    },
    ("AWS::Lambda::Function", "elasticfilesystem:DescribeMountTargets"): Excluded(
        "the functions mount no file system", ("FileSystemConfigs",)
    ),
    ("AWS::Lambda::Function", "s3files:ListMountTargets"): Excluded(
        "the functions mount no file system", ("FileSystemConfigs",)
    ),
    ("AWS::Lambda::Function", "lambda:GetCodeSigningConfig"): Excluded(
        "the functions have no code signing configuration", ("CodeSigningConfigArn",)
    ),
    ("AWS::Lambda::Function", "lambda:PutFunctionCodeSigningConfig"): Excluded(
        "the functions have no code signing configuration", ("CodeSigningConfigArn",)
    ),
    ("AWS::Lambda::Function", "lambda:DeleteFunctionCodeSigningConfig"): Excluded(
        "the functions have no code signing configuration", ("CodeSigningConfigArn",)
    ),
    ("AWS::Lambda::Function", "lambda:GetLayerVersion"): Excluded(
        "the functions use no layer", ("Layers",)
    ),
    ("AWS::Lambda::Function", "lambda:PutFunctionConcurrency"): Excluded(
        "the functions reserve no concurrency", ("ReservedConcurrentExecutions",)
    ),
    ("AWS::Lambda::Function", "lambda:DeleteFunctionConcurrency"): Excluded(
        "the functions reserve no concurrency", ("ReservedConcurrentExecutions",)
    ),
    ("AWS::Lambda::Function", "lambda:PutRuntimeManagementConfig"): Excluded(
        "the functions keep the default runtime updates", ("RuntimeManagementConfig",)
    ),
    ("AWS::Lambda::Function", "lambda:PutFunctionRecursionConfig"): Excluded(
        "the functions keep the default recursive loop detection", ("RecursiveLoop",)
    ),
    ("AWS::Lambda::Function", "lambda:PutFunctionScalingConfig"): Excluded(
        "the functions do not run on Lambda Managed Instances",
        ("CapacityProviderConfig", "FunctionScalingConfig"),
    ),
    ("AWS::Lambda::Function", "lambda:PassCapacityProvider"): Excluded(
        "the functions do not run on Lambda Managed Instances",
        ("CapacityProviderConfig", "FunctionScalingConfig"),
    ),
    ("AWS::Lambda::Function", "lambda:AssociateRuntimeAlias"): Excluded(
        "the functions do not run on Lambda Managed Instances nor publish $LATEST.PUBLISHED",
        ("CapacityProviderConfig", "FunctionScalingConfig", "PublishToLatestPublished"),
    ),
    ("AWS::Lambda::Function", "lambda:PublishVersion"): Excluded(
        "the functions publish no version", ("PublishToLatestPublished", "SnapStart")
    ),
    ("AWS::Lambda::Function", "s3:GetObjectVersion"): Excluded(
        "the code is read by key, without a version", ("Code.S3ObjectVersion",)
    ),
    ("AWS::StepFunctions::StateMachine", "s3:GetObjectVersion"): Excluded(
        "the definitions are in the templates, not in S3", ("DefinitionS3Location",)
    ),
    ("AWS::SSM::Association", "ssm:GetCalendarState"): Excluded(
        "no association runs on a change calendar", ("CalendarNames",)
    ),
}
"""(resource type, permission) -> why the execution policy does without it."""

EXTRA = {
    "organizations:ListDelegatedAdministrators": (
        "the StackSets of a delegated administrator (QUICKSETUP_INTEG_ORG_CALL_AS="
        "DELEGATED_ADMIN): CloudFormation user guide, 'Register a delegated administrator "
        "member account': 'Make sure your delegated administrators have "
        "organizations:ListDelegatedAdministrators permissions to avoid any potential errors.'"
    ),
}
"""Actions the execution policy allows that no provider schema lists -> why."""

TEST_STACKS = "QuickSetupInteg*"
"""The names of the stacks whose instances CloudFormation may change."""
STACK_NAME_TAG = "aws:cloudformation:stack-name"
# CloudFormation user guide, "Resource tag": CloudFormation adds aws:cloudformation:stack-name
# to the resources it creates; the aws: prefix is reserved, so no one else sets or changes it.
AFTER_LAUNCH = {"StringLike": {f"ec2:ResourceTag/{STACK_NAME_TAG}": TEST_STACKS}}
AT_LAUNCH = {"StringLike": {f"aws:RequestTag/{STACK_NAME_TAG}": TEST_STACKS}}
# Amazon EC2 user guide, "Grant permission to tag resources during creation": tagging at launch
# is authorized as ec2:CreateTags with ec2:CreateAction naming the creating action.
TAGGING_AT_LAUNCH = {"StringEquals": {"ec2:CreateAction": "RunInstances"}, **AT_LAUNCH}
NOT_TEST_STACKS = ("QuickSetupLocalSample", "QuickSetupOrganizationSample", "Production")
"""Stack names outside the integration tests (the sample app's, a user's)."""

MEMBER_ROLE = "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole"
CALLED_ON = {
    # member_association.member_client: the member account's QUICKSETUP_INTEG_MEMBER_ROLE
    # (OrganizationAccountAccessRole by default), the only role the hooks assume.
    "sts:AssumeRole": [MEMBER_ROLE],
    # teardown.py reads the test cases' stacks, assertion stacks included.
    **{
        action: [
            f"arn:aws:cloudformation:{permissions.REGION}:{permissions.ACCOUNT}:stack/{stack}/"
            "0a1b2c3d-0000-1111-2222-333344445555"
            for stack in permissions.snapshot_templates()
        ]
        for action in ("cloudformation:DescribeStacks", "cloudformation:DescribeStackResources")
    },
}
"""Action -> the resources the hooks call it on, which the policy must allow it on."""

EXPECTED_FINDINGS: dict[str, dict[str, tuple[str, set[str]]]] = {
    EXECUTION.name: {
        "PERMISSIONS_MANAGEMENT_ACTIONS": (
            (
                "CloudFormation creates and deletes the library's roles, profile and managed "
                "policy and the assertion functions' permissions: limited to QuickSetup* names "
                "(the service-linked role: Systems Manager's only)"
            ),
            {
                "iam:updateassumerolepolicy",
                "iam:deleterole",
                "iam:attachrolepolicy",
                "iam:removerolefrominstanceprofile",
                "iam:createservicelinkedrole",
                "iam:createinstanceprofile",
                "iam:detachrolepolicy",
                "iam:createpolicy",
                "lambda:removepermission",
                "iam:deletepolicyversion",
                "iam:deleteinstanceprofile",
                "iam:deleterolepolicy",
                "lambda:addpermission",
                "iam:addroletoinstanceprofile",
                "iam:updaterole",
                "iam:putrolepolicy",
                "iam:deletepolicy",
                "iam:createpolicyversion",
                "iam:updateroledescription",
                "iam:passrole",
                "iam:createrole",
            },
        ),
        "PRIVILEGE_ESCALATION": (
            (
                "creating roles and passing them to EC2, Systems Manager, Lambda and Step "
                "Functions is what deploying these resources is: limited by name and "
                "iam:PassedToService"
            ),
            {
                "iam:createpolicyversion",
                "iam:passrole",
                "ec2:runinstances",
                "lambda:createfunction",
                "lambda:invokefunction",
                "lambda:updatefunctioncode",
            },
        ),
        "RESOURCE_MISMATCH": (
            (
                "RunInstances is authorized resource by resource: the instance in a statement of "
                "its own with the tag condition, its image, network and volume in another, as the "
                "EC2 user guide's example policies split them; parliament wants them together"
            ),
            {"ec2:runinstances"},
        ),
    },
    DEPLOY.name: {
        "CREDENTIALS_EXPOSURE": (
            (
                "assuming the CDK bootstrap roles is how the CLI deploys; the member role is how "
                "the organization test reads and cleans the member account"
            ),
            {"sts:assumerole"},
        ),
        "PERMISSIONS_MANAGEMENT_ACTIONS": (
            "the destroy hooks delete the test's kept roles and profiles, QuickSetupInteg* only",
            {
                "iam:deleterole",
                "iam:removerolefrominstanceprofile",
                "iam:detachrolepolicy",
                "iam:deleterolepolicy",
                "iam:deleteinstanceprofile",
            },
        ),
    },
}
"""Policy file -> parliament finding -> (why the policy has it on purpose, the actions it may
name)."""


@pytest.fixture(scope="module")
def execution() -> dict[str, Any]:
    return permissions.load(EXECUTION)


@pytest.fixture(scope="module")
def templates() -> dict[str, dict[str, Any]]:
    return permissions.snapshot_templates()


@pytest.fixture(scope="module")
def execution_needs(templates) -> list[permissions.Need]:
    return permissions.execution_needs(templates)


@pytest.fixture(scope="module")
def deploy() -> dict[str, Any]:
    return permissions.load(DEPLOY)


@pytest.fixture(scope="module")
def calls() -> list[permissions.Call]:
    return permissions.client_calls(permissions.hook_modules())


def _properties(
    templates: dict[str, dict[str, Any]], resource_type: str
) -> Iterator[tuple[str, dict[str, Any]]]:
    for stack, template in templates.items():
        for logical_id, resource in template["Resources"].items():
            if resource["Type"] == resource_type:
                yield f"{stack}/{logical_id}", resource.get("Properties", {})


def _sets(properties: dict[str, Any], path: str) -> bool:
    value: Any = properties
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            return False
        value = value[key]
    return True


# -- The documents ------------------------------------------------------------------------------


def test_the_policy_documents_are_the_two_of_docs_policies():
    assert sorted(path.name for path in permissions.POLICIES.glob("*.json")) == [
        "integ-cfn-execution-policy.json",
        "integ-deploy-policy.json",
    ]


@pytest.mark.parametrize("path", [EXECUTION, DEPLOY], ids=lambda path: path.name)
def test_each_policy_document_is_an_allow_only_iam_policy(path):
    document = json.loads(path.read_text())
    assert document["Version"] == "2012-10-17"
    sids = [statement["Sid"] for statement in permissions.statements(document)]
    assert len(sids) == len(set(sids))


@pytest.mark.parametrize("path", [EXECUTION, DEPLOY], ids=lambda path: path.name)
def test_parliament_finds_only_the_expected_findings(path):
    from parliament import analyze_policy_string

    expected = EXPECTED_FINDINGS[path.name]
    policy = analyze_policy_string(path.read_text(), include_community_auditors=True)
    unexpected = []
    for finding in policy.findings:
        detail = finding.detail or {}
        named = (
            {item["action"].lower() for item in detail}
            if isinstance(detail, list)
            else set(detail.get("actions", []))
        )
        allowed = expected.get(finding.issue, ("", set()))[1]
        if finding.issue not in expected or not named <= allowed:
            unexpected.append((finding.issue, sorted(named - allowed)))
    assert unexpected == []


# -- The execution policy -----------------------------------------------------------------------


def test_every_handler_permission_is_allowed_or_excluded(execution, execution_needs):
    missing = sorted(
        {
            f"{need.source}: {need.action} ({need.why})"
            for need in execution_needs
            if not permissions.allowing(execution, need.action, need.resource)
            and (need.source, need.action) not in EXCLUDED
        }
    )
    assert missing == [], (
        f"{EXECUTION.name} neither allows these nor excludes them (EXCLUDED):\n"
        + "\n".join(missing)
    )


def test_no_exclusion_is_stale(execution, execution_needs):
    needed = {(need.source, need.action) for need in execution_needs}
    stale = sorted(
        f"{resource_type}: {action}"
        for resource_type, action in EXCLUDED
        if (resource_type, action) not in needed or permissions.allowing(execution, action)
    )
    assert stale == [], "EXCLUDED names what no schema lists or what the policy allows"


def test_no_exclusion_is_contradicted_by_the_templates(templates):
    contradicted = sorted(
        f"{where} sets {path}: {resource_type} needs {action}"
        for (resource_type, action), excluded in EXCLUDED.items()
        for where, properties in _properties(templates, resource_type)
        for path in excluded.unless
        if _sets(properties, path)
    )
    assert contradicted == []


def test_the_execution_policy_allows_nothing_it_does_not_need(execution, execution_needs):
    needed = {need.action for need in execution_needs}
    unneeded = sorted(
        {
            pattern
            for statement in permissions.statements(execution)
            for pattern in permissions.actions_of(statement)
            if pattern not in EXTRA
            and not any(permissions.matches(pattern, action, ignore_case=True) for action in needed)
        }
    )
    assert unneeded == [], "no schema lists these, and EXTRA does not say why"
    stale = [
        action
        for action in EXTRA
        if action in needed or not permissions.allowing(execution, action)
    ]
    assert stale == []


def test_a_resource_type_without_a_provider_schema_is_an_error():
    with pytest.raises(LookupError, match="AWS::Nowhere::Thing"):
        permissions.execution_needs({"S": {"Resources": {"T": {"Type": "AWS::Nowhere::Thing"}}}})


def _custom(token: Any) -> dict[str, Any]:
    return {
        "Resources": {
            "Handler": {"Type": "AWS::Lambda::Function", "Properties": {}},
            "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}},
            "Check": {"Type": "Custom::Check", "Properties": {"ServiceToken": token}},
        }
    }


def test_a_custom_resource_needs_to_invoke_the_function_of_its_service_token():
    needs = permissions.execution_needs({"S": _custom({"Fn::GetAtt": ["Handler", "Arn"]})})
    assert (
        permissions.Need("lambda:InvokeFunction", "Custom::Check", "ServiceToken Handler") in needs
    )
    with pytest.raises(ValueError, match="S/Check"):
        permissions.execution_needs({"S": _custom({"Ref": "Topic"})})


def test_the_stack_sets_template_bodies_are_left_to_their_own_execution_role():
    body = json.dumps({"Resources": {"R": {"Type": "AWS::Nowhere::Thing"}}})
    template = {
        "Resources": {
            "Set": {
                "Type": "AWS::CloudFormation::StackSet",
                "Properties": {"TemplateBody": body},
            }
        }
    }
    sources = {need.source for need in permissions.execution_needs({"S": template})}
    assert sources == {"AWS::CloudFormation::StackSet"}


def test_ssm_parameter_types_need_their_parameter_read():
    template = {
        "Resources": {},
        "Parameters": {
            "Ami": {
                "Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
                "Default": "/aws/service/x",
            }
        },
    }
    assert permissions.execution_needs({"S": template}) == [
        permissions.Need(
            "ssm:GetParameters",
            "S parameter Ami",
            "resolve",
            f"arn:aws:ssm:{permissions.REGION}:{permissions.ACCOUNT}:parameter/aws/service/x",
        )
    ]


# -- The instances --------------------------------------------------------------------------


def test_the_instance_mutations_include_the_lifecycle_of_an_instance():
    assert {
        "ec2:RunInstances",
        "ec2:TerminateInstances",
        "ec2:StopInstances",
        "ec2:StartInstances",
        "ec2:RebootInstances",
        "ec2:ModifyInstanceAttribute",
        "ec2:AssociateIamInstanceProfile",
        "ec2:CreateTags",
    } <= permissions.instance_mutations()


def _condition_holds(mutations: set[str], condition: dict[str, Any] | None) -> bool:
    return (
        condition == AFTER_LAUNCH
        or (mutations <= {"ec2:RunInstances"} and condition == AT_LAUNCH)
        or (mutations <= {"ec2:CreateTags"} and condition == TAGGING_AT_LAUNCH)
    )


def test_every_statement_that_may_change_an_instance_carries_the_stack_tag_condition(execution):
    mutations = permissions.instance_mutations()
    unguarded = []
    for statement in permissions.statements(execution):
        if not any(
            permissions.matches(resource, permissions.INSTANCE_ARN)
            for resource in permissions.resources_of(statement)
        ):
            continue
        changes = {
            mutation
            for mutation in mutations
            for pattern in permissions.actions_of(statement)
            if permissions.matches(pattern, mutation, ignore_case=True)
        }
        if changes and not _condition_holds(changes, statement.get("Condition")):
            unguarded.append((statement["Sid"], sorted(changes)))
    assert unguarded == []


def test_the_instances_can_be_launched_and_terminated(execution):
    for action in ("ec2:RunInstances", "ec2:TerminateInstances"):
        assert permissions.allowing(execution, action, permissions.INSTANCE_ARN)


def test_the_tag_condition_names_every_stack_with_instances_and_no_other(templates):
    with_instances = [
        stack
        for stack, template in templates.items()
        if any(r["Type"] == "AWS::EC2::Instance" for r in template["Resources"].values())
    ]
    assert with_instances
    assert all(permissions.matches(TEST_STACKS, stack) for stack in with_instances)
    assert not any(permissions.matches(TEST_STACKS, stack) for stack in NOT_TEST_STACKS)


# -- The deploy policy --------------------------------------------------------------------------


def test_every_call_of_the_hooks_and_the_cdk_cli_is_allowed_by_the_deploy_policy(deploy, calls):
    def resources(need: permissions.Need) -> list[str | None]:
        return [need.resource] if need.resource else CALLED_ON.get(need.action, [None])

    not_allowed = [
        need
        for need in permissions.deploy_needs(calls)
        if not all(permissions.allowing(deploy, need.action, r) for r in resources(need))
    ]
    missing = sorted({need.action for need in not_allowed})
    assert missing == [], f"{DEPLOY.name} does not allow: {', '.join(missing)}\n" + "\n".join(
        f"  {need.action}: {need.source} {need.why}" for need in not_allowed
    )


def test_every_call_maps_to_an_iam_action(calls):
    from parliament import expand_action

    for need in permissions.deploy_needs(calls):
        assert expand_action(need.action), need  # raises for an action IAM does not know


def test_the_calls_through_an_assumed_role_are_left_to_that_role(calls):
    assumed = {(call.service, call.operation) for call in calls if call.assumed}
    assert ("ssm", "ListAssociations") in assumed
    assert "ssm:ListAssociations" not in {need.action for need in permissions.deploy_needs(calls)}


def _module(tmp_path: Path, name: str, code: str) -> Path:
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(code))
    return path


def test_the_extraction_follows_names_sessions_helpers_and_paginators(tmp_path):
    helpers = _module(
        tmp_path,
        "helpers",
        """
        import boto3

        def aws_session():
            session = boto3.Session(region_name="us-east-1")
            return session

        def member(service, credentials):
            return boto3.client(service, aws_access_key_id=credentials["AccessKeyId"],
                                aws_secret_access_key=credentials["SecretAccessKey"],
                                aws_session_token=credentials["SessionToken"])

        def paged(client, operation, key):
            return [i for p in client.get_paginator(operation).paginate() for i in p[key]]
    """,
    )
    hook = _module(
        tmp_path,
        "hook",
        """
        import boto3
        from helpers import aws_session, member, paged

        def cleanup(iam):
            iam.delete_role(RoleName="r")
            return paged(iam, "list_roles", "Roles")

        def main():
            credentials = boto3.client("sts").assume_role(RoleArn="a", RoleSessionName="s")
            cfn, iam = boto3.client("cloudformation"), boto3.client("iam")
            cfn.get_waiter("stack_delete_complete").wait(StackName="s")
            cleanup(iam)
            session = aws_session()
            ec2 = session.client("ec2")
            ec2.get_paginator("describe_subnets").paginate()
            remote = member("iam", credentials)
            cleanup(remote)
    """,
    )
    calls = permissions.client_calls([helpers, hook])
    found = {(call.service, call.operation, call.assumed) for call in calls}
    assert found == {
        ("sts", "AssumeRole", False),
        ("cloudformation", "DescribeStacks", False),
        ("iam", "DeleteRole", False),
        ("iam", "ListRoles", False),
        ("ec2", "DescribeSubnets", False),
        ("iam", "DeleteRole", True),
        ("iam", "ListRoles", True),
    }


@pytest.mark.parametrize(
    "code",
    [
        # an operation on something the extraction cannot trace to a client
        """
    import boto3
    IAM = boto3.client("iam")
    def delete(client):
        client.delete_role(RoleName="r")
    """,
        # a client whose service is computed
        """
    import boto3
    def delete(service):
        boto3.client(service).delete_role(RoleName="r")
    """,
        # a paginator whose operation is computed
        """
    import boto3
    def pages(name):
        return boto3.client("iam").get_paginator(name + "s")
    """,
    ],
    ids=["untraced-client", "computed-service", "computed-paginator"],
)
def test_a_call_the_extraction_cannot_follow_is_an_error(tmp_path, code):
    with pytest.raises(permissions.Untraceable, match=r"integ/hook\.py:\d+"):
        permissions.client_calls([_module(tmp_path, "hook", code)])


def test_actions_are_named_by_the_service_models_signing_name():
    assert permissions.action_of("logs", "DeleteLogGroup") == "logs:DeleteLogGroup"
    assert permissions.action_of("sts", "AssumeRole") == "sts:AssumeRole"


# -- IAM's matching -------------------------------------------------------------------------


def test_allowing_honours_wildcards_case_and_resources():
    policy = {
        "Statement": [
            {
                "Sid": "S",
                "Effect": "Allow",
                "Action": "ec2:Describe*",
                "Resource": "arn:aws:ec2:*:*:vpc/vpc-????????",
            }
        ]
    }
    assert permissions.allowing(policy, "EC2:describevpcs")
    assert permissions.allowing(policy, "ec2:DescribeVpcs", "arn:aws:ec2:r:1:vpc/vpc-12345678")
    assert not permissions.allowing(policy, "ec2:DescribeVpcs", "arn:aws:ec2:r:1:vpc/vpc-1")
    assert not permissions.allowing(policy, "ec2:RunInstances")
    with pytest.raises(ValueError, match="not understood"):
        permissions.allowing(
            {"Statement": [{"Effect": "Allow", "NotAction": "x:Y", "Resource": "*"}]}, "x:Y"
        )
