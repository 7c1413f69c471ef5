"""cdk-nag acknowledgements, each with its reason, attached where the finding arises.

They use CDK's own policy-validation API, so apps that run cdk-nag 3 see no unexplained
finding from this library, and apps that don't run it need nothing extra.
"""

from __future__ import annotations

import aws_cdk as cdk
from constructs import IConstruct

from ..validation import is_unresolved

MANAGED_POLICY_REASONS = {
    "AmazonSSMManagedInstanceCore": (
        "AWS's own minimal policy for a Systems Manager managed node; AWS keeps it current "
        "as the agent's needs change."
    ),
    "AmazonSSMPatchAssociation": (
        "AWS's policy for the patch-scan document AWS-RunPatchBaselineAssociation (read-only "
        "patch baseline and tag look-ups); Quick Setup attaches it for the daily scan."
    ),
    "AWSSystemsManagerEnableExplorerExecutionPolicy": (
        "AWS's policy for the role that runs the AWS-EnableExplorer runbook: the Explorer "
        "service settings and read-only look-ups, kept current by AWS with the runbook."
    ),
    "AmazonSSMManagedEC2InstanceDefaultPolicy": (
        "AWS's minimal policy for Default Host Management Configuration: what the SSM Agent "
        "of an instance without an instance profile needs, kept current by AWS."
    ),
    "CloudWatchAgentServerPolicy": (
        "AWS's policy for the CloudWatch agent to publish metrics and logs and read its "
        "configuration parameter; added only while a CloudWatch agent option is on."
    ),
}

WILDCARD_REASONS = {
    "*": "ec2:DescribeIamInstanceProfileAssociations supports no resource-level permissions.",
    "ec2:instance/*": (
        "The automation must reach any targeted instance, whose ids are unknown at deploy "
        "time; conditions allow associating only our profile with an instance that has none, "
        "and disassociating only our own profile."
    ),
    "iam:instance-profile/*": (
        "With allow_policy_attach the automation reads the profile an instance already has, "
        "whatever its name (read-only)."
    ),
    "iam:role/*": (
        "With allow_policy_attach the automation adds policies to the role of an instance's "
        "existing profile, whatever its name; a condition allows only "
        "AmazonSSMManagedInstanceCore and AmazonSSMPatchAssociation."
    ),
}


def _acknowledge(scope: IConstruct, rule: str, finding: str, reason: str) -> None:
    pack = rule.split("-", 1)[0]
    cdk.Validations.of(scope).acknowledge(
        cdk.Acknowledgment(id=f"{pack}::{rule}[{finding}]", reason=reason)
    )


def acknowledge_managed_policy(role: IConstruct, name: str) -> None:
    """The role uses the AWS managed policy ``name`` on purpose (AwsSolutions-IAM4)."""
    _acknowledge(
        role, "AwsSolutions-IAM4", f"Policy::arn:<AWS::Partition>:iam::aws:policy/{name}",
        MANAGED_POLICY_REASONS[name],
    )


def acknowledge_wildcard(policy: IConstruct, resource: str, *, region: str | None = None) -> None:
    """The policy grants on the wildcard ``resource`` on purpose (AwsSolutions-IAM5).

    ``resource`` is a key of :data:`WILDCARD_REASONS`, such as ``"ec2:instance/*"``. cdk-nag
    names the resource with the stack's literal Region and account when the stack has them.
    ``region``: the Region written in the ARN, e.g. ``"*"``. Default: the stack's.
    """
    if resource == "*":
        finding = "Resource::*"
    else:
        service, path = resource.split(":", 1)
        stack = cdk.Stack.of(policy)
        if service == "iam":
            region = ""
        elif region is None:
            region = _or_placeholder(stack.region, "<AWS::Region>")
        account = _or_placeholder(stack.account, "<AWS::AccountId>")
        finding = f"Resource::arn:<AWS::Partition>:{service}:{region}:{account}:{path}"
    _acknowledge(policy, "AwsSolutions-IAM5", finding, WILDCARD_REASONS[resource])


def _or_placeholder(value: str, placeholder: str) -> str:
    return placeholder if is_unresolved(value) else value
