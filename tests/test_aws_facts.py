"""Facts about AWS that the synthesized templates must hold, each expected value written here
from AWS's documentation (quoted, with its address) rather than from the library's output.

These tests stand beside the snapshots: a snapshot says that a template did not change, these
say that what it contains is what AWS documents. Three stacks are built (module fixtures).
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterator
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Annotations, Match, Template

from quicksetup_constructs import (
    ORGANIZATION_REGIONS,
    InstanceTargets,
    QuickSetupLocal,
    QuickSetupOrganization,
    QuickSetupValidationError,
)
from quicksetup_constructs.organization.regions import (
    OUTSIDE_DOCUMENTED_REGIONS_WARNING,
    outside_documented_regions,
)

from .apps import FLAG_SET_NAMES, new_app

ENV = cdk.Environment(account="111111111111", region="us-east-1")
OUS = ["ou-abcd-11112222", "ou-abcd-33334444"]
INSTANCE_IDS = ["i-0123456789abcdef0", "i-0fedcba9876543210"]
GROUP = "web"

# --- Sources ------------------------------------------------------------------------------

QUICK_SETUP_GUIDE = (
    "https://github.com/awsdocs/aws-systems-manager-user-guide/blob/main/doc_source/"
    "systems-manager-quick-setup.md"
)
"""The Quick Setup user guide of 2020 (its Japanese edition is the project's seed guide)."""

PROFILE_EXECUTION_POLICY = (
    "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/"
    "AWSQuickSetupManagedInstanceProfileExecutionPolicy.html"
)
HOST_MGMT_BOUNDARY = (
    "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/"
    "AWSQuickSetupSSMHostMgmtPermissionsBoundary.html"
)
IAM_CONDITION_OPERATORS = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
    "reference_policies_elements_condition_operators.html"
)
SSM_TARGET = "https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_Target.html"
STATE_MANAGER_CREATE = (
    "https://docs.aws.amazon.com/systems-manager/latest/userguide/"
    "state-manager-associations-creating.html"
)
AUTOMATION_TARGETS = (
    "https://docs.aws.amazon.com/systems-manager/latest/userguide/"
    "running-automations-map-targets.html"
)
CFN_ASSOCIATION = (
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/"
    "aws-resource-ssm-association.html"
)
CFN_STACK_SET = (
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/"
    "aws-resource-cloudformation-stackset.html"
)
STACK_SETS_SERVICE_MANAGED = (
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/"
    "stacksets-orgs-associate-stackset-with-org.html"
)

# --- The Regions (QUICK_SETUP_GUIDE) --------------------------------------------------------

# The guide's list is the one the library documents. A later edition of AWS's Quick Setup page
# is reported to add Europe (Stockholm); no AWS page found in this project's search says so, so
# Stockholm stays outside the list below, and a Region outside it is a warning, not an error.

# "Organization Quick Setup is available in the following AWS Regions: US East (N. Virginia),
#  US East (Ohio), US West (N. California), US West (Oregon), Asia Pacific (Mumbai),
#  Asia Pacific (Seoul), Asia Pacific (Singapore), Asia Pacific (Sydney), Asia Pacific (Tokyo),
#  Europe (Frankfurt), Europe (Ireland), Europe (London), Europe (Paris), Canada (Central),
#  South America (São Paulo)"  (QUICK_SETUP_GUIDE; 「[組織] 高速セットアップ は、以下の AWS
#  リージョンで使用できます」 in the seed guide), by Region code:
GUIDE_REGIONS = [
    "us-east-1",  # US East (N. Virginia)
    "us-east-2",  # US East (Ohio)
    "us-west-1",  # US West (N. California)
    "us-west-2",  # US West (Oregon)
    "ap-south-1",  # Asia Pacific (Mumbai)
    "ap-northeast-2",  # Asia Pacific (Seoul)
    "ap-southeast-1",  # Asia Pacific (Singapore)
    "ap-southeast-2",  # Asia Pacific (Sydney)
    "ap-northeast-1",  # Asia Pacific (Tokyo)
    "eu-central-1",  # Europe (Frankfurt)
    "eu-west-1",  # Europe (Ireland)
    "eu-west-2",  # Europe (London)
    "eu-west-3",  # Europe (Paris)
    "ca-central-1",  # Canada (Central)
    "sa-east-1",  # South America (São Paulo)
]
# Real Regions the guide does not list: Stockholm, Hong Kong, Osaka, Bahrain, Cape Town.
NOT_GUIDE_REGIONS = ["eu-north-1", "ap-east-1", "ap-northeast-3", "me-south-1", "af-south-1"]

# "You can specify up to 2000 targets with Organization Quick Setup. ... You can get the total
#  number of targets by multiplying the number of accounts by the number of Regions specified."
#  (QUICK_SETUP_GUIDE)
TARGET_LIMIT = 2000


# --- Stacks -----------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=FLAG_SET_NAMES)
def flag_set(request: pytest.FixtureRequest) -> str:
    """Each feature flag set in turn (tests/apps.py), for the module's stacks."""
    return request.param


def _local(targets: InstanceTargets, flag_set: str) -> dict[str, Any]:
    stack = cdk.Stack(new_app(flag_set), "Local", env=ENV)
    QuickSetupLocal(stack, "QuickSetup", targets=targets)
    return Template.from_stack(stack).to_json()


@pytest.fixture(scope="module")
def local_by_ids(flag_set) -> dict[str, Any]:
    """A QuickSetupLocal with the default options (the instance profile attached by an
    Automation association), targeting two instances by id."""
    return _local(InstanceTargets.instance_ids(INSTANCE_IDS), flag_set)


@pytest.fixture(scope="module")
def local_by_group(flag_set) -> dict[str, Any]:
    """The same, targeting the resource group ``web``."""
    return _local(InstanceTargets.resource_group(GROUP), flag_set)


@pytest.fixture(scope="module")
def organization(flag_set) -> tuple[dict[str, Any], QuickSetupOrganization]:
    """A QuickSetupOrganization over every Region of the guide, with as many accounts as fit:
    2,000 // 15 = 133 accounts × 15 Regions = 1,995 targets. Its outer template, and the
    construct (whose ``account_template`` is the account StackSet's template)."""
    stack = cdk.Stack(new_app(flag_set), "Organization", env=ENV)
    org = QuickSetupOrganization(
        stack,
        "OrgQuickSetup",
        organizational_unit_ids=OUS,
        regions=GUIDE_REGIONS,
        account_count=TARGET_LIMIT // len(GUIDE_REGIONS),
    )
    return Template.from_stack(stack).to_json(), org


# --- Helpers ------------------------------------------------------------------------------------


def _resources(template: dict[str, Any], type_: str) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == type_
    }


def _only(template: dict[str, Any], type_: str) -> str:
    """The logical id of the one resource of ``type_``."""
    found = list(_resources(template, type_))
    assert len(found) == 1, f"{type_}: {found}"
    return found[0]


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _statements(template: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(logical id of the policy or role, statement) for every identity-policy statement."""
    for logical_id, resource in template["Resources"].items():
        properties = resource.get("Properties", {})
        if resource["Type"] in ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy"):
            documents = [properties["PolicyDocument"]]
        elif resource["Type"] == "AWS::IAM::Role":
            documents = [policy["PolicyDocument"] for policy in properties.get("Policies", [])]
        else:
            continue
        for document in documents:
            for statement in _listed(document["Statement"]):
                yield logical_id, statement


def _allowing(template: dict[str, Any], action: str) -> list[tuple[str, dict[str, Any]]]:
    """The Allow statements whose actions include ``action``, wildcards included (IAM action
    names are case-insensitive)."""
    found = []
    for logical_id, statement in _statements(template):
        assert "NotAction" not in statement, statement
        patterns = [pattern.lower() for pattern in _listed(statement.get("Action", []))]
        if statement["Effect"] == "Allow" and any(
            fnmatch.fnmatchcase(action.lower(), pattern) for pattern in patterns
        ):
            found.append((logical_id, statement))
    return found


def _trusted_service(template: dict[str, Any], policy_id: str) -> set[str]:
    """The service principals trusted by the roles that carry the policy ``policy_id``."""
    resource = template["Resources"][policy_id]
    if resource["Type"] == "AWS::IAM::Role":
        roles = [policy_id]
    else:
        roles = [role["Ref"] for role in resource["Properties"].get("Roles", [])]
    services = set()
    for role in roles:
        trust = template["Resources"][role]["Properties"]["AssumeRolePolicyDocument"]
        for statement in _listed(trust["Statement"]):
            services.update(_listed(statement.get("Principal", {}).get("Service", [])))
    return services


@pytest.fixture(scope="module", params=["QuickSetupLocal", "QuickSetupOrganization account"])
def roles_template(request, local_by_ids, organization) -> dict[str, Any]:
    """The template with the roles and the instance profile: the local stack, and the account
    StackSet's template of the organization (``account_template``)."""
    return local_by_ids if request.param == "QuickSetupLocal" else organization[1].account_template


# --- The service role may attach only our profile, and only to an instance that has none -----


def test_the_service_role_associates_only_our_profile_and_only_with_none_attached(roles_template):
    profile_arn = {"Fn::GetAtt": [_only(roles_template, "AWS::IAM::InstanceProfile"), "Arn"]}
    granted = _allowing(roles_template, "ec2:AssociateIamInstanceProfile")
    assert len(granted) == 1, granted
    policy_id, statement = granted[0]
    # AWSQuickSetupManagedInstanceProfileExecutionPolicy (PROFILE_EXECUTION_POLICY) and
    # AWSQuickSetupSSMHostMgmtPermissionsBoundary (HOST_MGMT_BOUNDARY), statement
    # "DefaultInstanceProfileAssociationPermissions":
    #   "Action": ["ec2:AssociateIamInstanceProfile"],
    #   "Condition": {"Null": {"ec2:InstanceProfile": "true"},
    #                 "ArnLike": {"ec2:NewInstanceProfile":
    #                     "arn:aws:iam::*:instance-profile/AmazonSSMRoleForInstancesQuickSetup"}}
    # AWS names its one profile with a pattern; this library has one profile per configuration
    # and names it by its exact ARN. IAM_CONDITION_OPERATORS: "ArnEquals, ArnLike:
    # Case-sensitive matching of the ARN. ... The ArnEquals and ArnLike condition operators
    # behave identically." And "Null: ... true (the key doesn't exist — it is null)": the
    # instance has no profile now.
    assert statement["Condition"] == {
        "Null": {"ec2:InstanceProfile": "true"},
        "ArnEquals": {"ec2:NewInstanceProfile": profile_arn},
    }
    # The role that may do it is the one Systems Manager Automation assumes.
    assert _trusted_service(roles_template, policy_id) == {"ssm.amazonaws.com"}


def test_the_service_role_disassociates_only_our_profile(roles_template):
    profile_arn = {"Fn::GetAtt": [_only(roles_template, "AWS::IAM::InstanceProfile"), "Arn"]}
    granted = _allowing(roles_template, "ec2:DisassociateIamInstanceProfile")
    assert len(granted) == 1, granted
    policy_id, statement = granted[0]
    # AWSQuickSetupSSMHostMgmtPermissionsBoundary (HOST_MGMT_BOUNDARY), statement
    # "DefaultInstanceProfileDisassociationPermissions":
    #   "Action": ["ec2:DisassociateIamInstanceProfile"],
    #   "Condition": {"ArnLike": {"ec2:InstanceProfile":
    #       "arn:aws:iam::*:instance-profile/AmazonSSMRoleForInstancesQuickSetup"}}
    # (ArnEquals behaves as ArnLike: IAM_CONDITION_OPERATORS.) A customer's profile is never
    # detached.
    assert statement["Condition"] == {"ArnEquals": {"ec2:InstanceProfile": profile_arn}}
    assert _trusted_service(roles_template, policy_id) == {"ssm.amazonaws.com"}


def test_no_role_may_replace_an_instance_profile(roles_template):
    # Neither AWSQuickSetupManagedInstanceProfileExecutionPolicy (PROFILE_EXECUTION_POLICY) nor
    # AWSQuickSetupSSMHostMgmtPermissionsBoundary (HOST_MGMT_BOUNDARY) allows
    # ec2:ReplaceIamInstanceProfileAssociation: Quick Setup attaches a profile where there is
    # none and never swaps one an instance already has.
    assert _allowing(roles_template, "ec2:ReplaceIamInstanceProfileAssociation") == []


# --- The service role: the runbook's calls, and nothing beyond AWS's own grants ---------------

# The seed guide (Quick Setup, "IAM roles and permissions"; QUICK_SETUP_GUIDE) gives Quick
# Setup's service role: "Action": ["iam:CreateInstanceProfile", "iam:ListInstanceProfilesForRole",
# "iam:PassRole", "ec2:DescribeIamInstanceProfileAssociations", "iam:GetInstanceProfile",
# "ec2:DisassociateIamInstanceProfile", "ec2:AssociateIamInstanceProfile",
# "iam:AddRoleToInstanceProfile"].
QUICK_SETUP_SERVICE_ROLE_ACTIONS = {
    "iam:CreateInstanceProfile",
    "iam:ListInstanceProfilesForRole",
    "iam:PassRole",
    "ec2:DescribeIamInstanceProfileAssociations",
    "iam:GetInstanceProfile",
    "ec2:DisassociateIamInstanceProfile",
    "ec2:AssociateIamInstanceProfile",
    "iam:AddRoleToInstanceProfile",
}
# PROFILE_EXECUTION_POLICY: Quick Setup's managed policy for attaching policies to the role of a
# profile an instance already has allows "iam:AttachRolePolicy" (on the SSM policies only).
QUICK_SETUP_POLICY_ATTACH_ACTIONS = {"iam:AttachRolePolicy"}
# EC2 API reference, AssociateIamInstanceProfile: associating a profile passes its role to EC2,
# which needs iam:PassRole on it.
PASSED_WITH_ASSOCIATE = {"iam:PassRole"}


def _runbook_calls() -> set[str]:
    """The AWS API actions the instance-profile runbook's script calls, read from its source:
    ``ec2.<operation>(...)`` and ``iam.<operation>(...)``, as IAM action names."""
    import ast
    import inspect

    from quicksetup_constructs.documents import attach_profile_script

    calls = set()
    for node in ast.walk(ast.parse(inspect.getsource(attach_profile_script))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in ("ec2", "iam")
        ):
            words = node.func.attr.split("_")
            calls.add(f"{node.func.value.id}:" + "".join(w.capitalize() for w in words))
    return calls


@pytest.fixture(scope="module")
def service_role_actions(flag_set) -> set[str]:
    """The actions of the automation (service) role with every option that widens it."""
    stack = cdk.Stack(new_app(flag_set), "Local", env=ENV)
    QuickSetupLocal(stack, "QuickSetup", allow_policy_attach=True, install_cloudwatch_agent=True)
    template = Template.from_stack(stack).to_json()
    return {
        action
        for policy_id, statement in _statements(template)
        if statement["Effect"] == "Allow"
        and _trusted_service(template, policy_id) == {"ssm.amazonaws.com"}
        for action in _listed(statement["Action"])
    }


def test_the_service_role_allows_every_call_of_the_runbook(service_role_actions):
    calls = _runbook_calls()
    assert calls == {
        "ec2:DescribeIamInstanceProfileAssociations",
        "ec2:AssociateIamInstanceProfile",
        "iam:GetInstanceProfile",
        "iam:AttachRolePolicy",
    }
    assert calls | PASSED_WITH_ASSOCIATE <= service_role_actions


def test_the_service_role_allows_no_action_beyond_quick_setups_own(service_role_actions):
    assert (
        service_role_actions <= QUICK_SETUP_SERVICE_ROLE_ACTIONS | QUICK_SETUP_POLICY_ATTACH_ACTIONS
    )


def test_each_action_kept_for_parity_says_the_runbook_never_calls_it():
    """An action AWS grants and the runbook never calls stays (parity), with a comment that says
    so beside its statement in rendering/roles.py."""
    import inspect

    from quicksetup_constructs.rendering import roles

    source = inspect.getsource(roles._attach_statements)
    parity = QUICK_SETUP_SERVICE_ROLE_ACTIONS - _runbook_calls() - PASSED_WITH_ASSOCIATE
    assert parity == {
        "ec2:DisassociateIamInstanceProfile",
        "iam:CreateInstanceProfile",
        "iam:AddRoleToInstanceProfile",
        "iam:ListInstanceProfilesForRole",
    }
    for block in source.split("# Purpose")[1:]:
        granted = {action for action in parity if f'"{action}"' in block}
        if granted:
            comment = " ".join(
                line.strip().lstrip("#").strip()
                for line in block.split("_statement(")[0].splitlines()
            ).lower()
            assert "never calls" in comment or "does not call" in comment, (granted, comment)


# --- Targets: Automation runbooks and the documents run on instances name them differently ---


def _targeted_associations(template: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(the one targeted association of an Automation document, the other targeted ones), told
    apart by the document's own DocumentType in the template."""
    automation_documents = {
        logical_id
        for logical_id, document in _resources(template, "AWS::SSM::Document").items()
        if document["Properties"]["DocumentType"] == "Automation"
    }
    automation, others = [], []
    for association in _resources(template, "AWS::SSM::Association").values():
        properties = association["Properties"]
        if "Targets" not in properties:  # runs once in the account (AWS-EnableExplorer)
            continue
        name = properties["Name"]
        is_automation = isinstance(name, dict) and name.get("Ref") in automation_documents
        (automation if is_automation else others).append(properties)
    assert len(automation) == 1, automation
    assert {properties["Name"] for properties in others} == {
        "AWS-UpdateSSMAgent",
        "AWS-GatherSoftwareInventory",
        "AWS-RunPatchBaselineAssociation",
    }
    return automation[0], others


def test_automation_targets_instance_ids_as_parameter_values(local_by_ids):
    automation, others = _targeted_associations(local_by_ids)
    # SSM_TARGET: "For Automation and Change Manager: ... Key=ParameterValues,Values=value-1,
    # value-2,value-3"
    assert automation["Targets"] == [{"Key": "ParameterValues", "Values": INSTANCE_IDS}]
    # CFN_ASSOCIATION, AutomationTargetParameterName: "Specify the target for the association.
    # This target is required for associations that use an Automation runbook and target
    # resources by using rate controls." The ids are values of the runbook's InstanceId, as in
    # the Automation guide's example (AUTOMATION_TARGETS): "The target parameter name specified
    # is InstanceId. The key uses ParameterValues. The values are two EC2 instance IDs."
    assert automation["AutomationTargetParameterName"] == "InstanceId"
    document = local_by_ids["Resources"][automation["Name"]["Ref"]]["Properties"]["Content"]
    assert "InstanceId" in document["parameters"]
    for association in others:
        # SSM_TARGET: "For State Manager: Key=InstanceIds,Values=instance-id-1,instance-id-2,
        # instance-id-3"
        assert association["Targets"] == [{"Key": "InstanceIds", "Values": INSTANCE_IDS}]
        assert "AutomationTargetParameterName" not in association


def test_automation_targets_a_resource_group_as_resource_group(local_by_group):
    automation, others = _targeted_associations(local_by_group)
    # SSM_TARGET: "For Automation and Change Manager: ... Key=ResourceGroup,
    # Values=resource-group-name"
    assert automation["Targets"] == [{"Key": "ResourceGroup", "Values": [GROUP]}]
    assert automation["AutomationTargetParameterName"] == "InstanceId"
    for association in others:
        # SSM_TARGET: "For Run Command and Maintenance Windows: ...
        # Key=resource-groups:Name,Values=resource-group-name"; for State Manager associations
        # the user guide's create-association examples give the same key: "Target nodes by
        # using AWS Resource Groups: --targets Key=resource-groups:Name,Values=resource-group-name"
        # (STATE_MANAGER_CREATE)
        assert association["Targets"] == [{"Key": "resource-groups:Name", "Values": [GROUP]}]


# --- Organization: service-managed StackSets over the OUs -------------------------------------


def test_both_stack_sets_are_service_managed_and_deploy_to_new_accounts(organization):
    template, _ = organization
    stack_sets = _resources(template, "AWS::CloudFormation::StackSet")
    assert len(stack_sets) == 2, list(stack_sets)  # the account one and the regional one
    for logical_id, stack_set in stack_sets.items():
        properties = stack_set["Properties"]
        # STACK_SETS_SERVICE_MANAGED: "With service-managed permissions, you can deploy stacks
        # to accounts managed by AWS Organizations in specific Regions. With this model, you
        # don't need to create IAM roles in each target account and AWS Region."
        assert properties["PermissionModel"] == "SERVICE_MANAGED", logical_id
        # CFN_STACK_SET, AutoDeployment.Enabled: "If set to true, StackSets automatically
        # deploys additional stack instances to AWS Organizations accounts that are added to a
        # target organization or organizational unit (OU) in the specified Regions." (And
        # AutoDeployment is "[Service-managed permissions]" only.)
        assert properties["AutoDeployment"]["Enabled"] is True, logical_id
        # CFN_STACK_SET, DeploymentTargets.OrganizationalUnitIds: "The organization root ID or
        # organizational unit (OU) IDs" to deploy to, with service-managed permissions.
        for group in properties["StackInstancesGroup"]:
            assert group["DeploymentTargets"]["OrganizationalUnitIds"] == OUS, logical_id


# --- Organization: the 15 Regions ------------------------------------------------------------


def test_the_library_lists_exactly_the_guide_regions():
    assert len(GUIDE_REGIONS) == len(set(GUIDE_REGIONS)) == 15
    assert len(ORGANIZATION_REGIONS) == len(set(ORGANIZATION_REGIONS))
    assert set(ORGANIZATION_REGIONS) == set(GUIDE_REGIONS)


def test_every_guide_region_together_is_accepted_and_gets_stack_instances(organization):
    template, org = organization  # built with regions=GUIDE_REGIONS
    assert org.regions == GUIDE_REGIONS
    regional = next(
        stack_set["Properties"]
        for stack_set in _resources(template, "AWS::CloudFormation::StackSet").values()
        if stack_set["Properties"]["StackSetName"].endswith("-Associations")
    )
    assert [
        region for group in regional["StackInstancesGroup"] for region in group["Regions"]
    ] == GUIDE_REGIONS


@pytest.mark.parametrize("region", GUIDE_REGIONS)
def test_each_guide_region_is_a_documented_organization_region(region):
    assert outside_documented_regions([region]) == []


@pytest.mark.parametrize("region", NOT_GUIDE_REGIONS)
def test_a_region_outside_the_guide_is_not_a_documented_organization_region(region):
    assert outside_documented_regions(["us-east-1", region]) == [region]


def test_the_guide_regions_together_get_no_region_warning(organization):
    _, org = organization  # built with regions=GUIDE_REGIONS
    assert _region_warnings(org.node.scope) == []


def test_a_region_outside_the_guide_is_a_warning_naming_the_guide_list():
    """The StackSets deploy to any Region; that the Organization type is documented in the 15
    only is worth a warning (decided: not an error), which names the list."""
    stack = cdk.Stack(new_app(), "Stack", env=ENV)
    org = QuickSetupOrganization(
        stack,
        "OrgQuickSetup",
        organizational_unit_ids=OUS,
        regions=["us-east-1", "eu-north-1"],
        account_count=1,
    )
    [warning] = _region_warnings(stack)
    assert warning.startswith("/Stack/OrgQuickSetup: eu-north-1 is not among the Regions")
    assert all(region in warning for region in GUIDE_REGIONS)
    assert org.regions == ["us-east-1", "eu-north-1"]


def test_the_region_warning_can_be_acknowledged():
    stack = cdk.Stack(new_app(), "Stack", env=ENV)
    cdk.Annotations.of(stack).acknowledge_warning(
        OUTSIDE_DOCUMENTED_REGIONS_WARNING, "Stockholm checked by hand."
    )
    QuickSetupOrganization(
        stack,
        "OrgQuickSetup",
        organizational_unit_ids=OUS,
        regions=["eu-north-1"],
        account_count=1,
    )
    assert _region_warnings(stack) == []


def _region_warnings(stack: cdk.Stack) -> list[str]:
    return [
        f"{message.id}: {message.entry.data}"
        for message in Annotations.from_stack(stack).find_warning(
            "*", Match.string_like_regexp(f"ack: {OUTSIDE_DOCUMENTED_REGIONS_WARNING}")
        )
    ]


@pytest.mark.parametrize("region", ["us-east", "US-EAST-1", "", "eu-north-1 "])
def test_fails_when_a_region_is_not_a_region_code(region):
    stack = cdk.Stack(new_app(), "Stack", env=ENV)
    with pytest.raises(QuickSetupValidationError, match=r"^regions: "):
        QuickSetupOrganization(
            stack,
            "OrgQuickSetup",
            organizational_unit_ids=OUS,
            regions=[region],
            account_count=1,
        )
    assert stack.node.children == []


def test_the_account_template_is_the_account_stack_set_body(organization):
    """The organization facts above read ``account_template``; it is what the account
    StackSet deploys."""
    template, org = organization
    bodies = [
        json.loads(stack_set["Properties"]["TemplateBody"])
        for stack_set in _resources(template, "AWS::CloudFormation::StackSet").values()
        if stack_set["Properties"]["StackSetName"].endswith("-AccountRoles")
    ]
    assert bodies == [org.account_template]
