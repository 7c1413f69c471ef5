"""cdk-nag acknowledgements, each with its reason, attached where the finding arises.

They use CDK's own policy-validation API, so apps that run cdk-nag 3 see no unexplained
finding from this library, and apps that don't run it need nothing extra.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable

import aws_cdk as cdk
from constructs import IConstruct

from ..tokens import TOKEN_MARKER

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
    "service-role/AWSGlueServiceRole": (
        "AWS's service role policy for Glue crawlers (the Data Catalog, the crawler's logs), "
        "kept current by AWS; the role reads the inventory through its own policy, limited to "
        "the inventory's prefix."
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
        "existing profile, whatever its name; a condition allows only the policies the "
        "configuration's options need (AmazonSSMManagedInstanceCore, "
        "AmazonSSMPatchAssociation, and CloudWatchAgentServerPolicy with a CloudWatch option)."
    ),
}


RULE_REASONS = {
    "inventory-access-logs": (
        "Only Systems Manager writes to the inventory bucket, under a bucket policy limited to "
        "the configured accounts; S3 server access logs need a bucket of their own, which "
        "InventorySync.to_new_bucket(server_access_logs_bucket=...) turns on."
    ),
    "inventory-replication": (
        "Inventory is re-delivered by every resource data sync as it changes; a copy in "
        "another Region adds cost without protecting data that cannot be re-collected."
    ),
    "inventory-encryption": (
        "The bucket is encrypted with S3-managed keys: Systems Manager of every configured "
        "account delivers to it, and a KMS key would need a key policy for each; for KMS, use "
        "InventorySync.to_bucket(..., kms_key_arn=...) with a bucket and key you manage."
    ),
    "sync-function-concurrency": (
        "Only CloudFormation invokes this function, once per create, update or delete of one "
        "resource data sync; reserved concurrency would take from each member account's "
        "unreserved pool, which a new account's low quota cannot spare, and fail the stack."
    ),
    "sync-function-dlq": (
        "The function answers CloudFormation itself, also when it fails, and CloudFormation "
        "records the failure (stack events, StackSet instance status); if it cannot answer, "
        "the custom resource's ServiceTimeout fails the operation. A dead-letter queue would "
        "only hold a request CloudFormation has already failed."
    ),
    "sync-function-vpc": (
        "The function calls only the Systems Manager API and CloudFormation's pre-signed "
        "response URL; the member accounts' VPCs are unknown to the StackSet, and a VPC would "
        "need a NAT gateway or endpoints in every account and Region."
    ),
    "sync-function-log-encryption": (
        "The function logs one line per create, update or delete, with no secret: CloudWatch "
        "Logs encrypts it at rest, and a KMS key in every member account and Region would "
        "cost more than the log is worth."
    ),
    "sync-function-log-stream": (
        "Lambda names the log streams of its own log group at run time; the wildcard is "
        "limited to that one log group."
    ),
    "athena-crawler-objects": (
        "The crawler reads the files of every account, Region and instance, whose keys are "
        "unknown at deploy time; the wildcard is limited to the inventory's prefix."
    ),
    "athena-crawler-logs": (
        "The crawler logs only partition names (account ids and Regions), which CloudWatch "
        "Logs encrypts at rest; a security configuration would need a KMS key for that alone."
    ),
    "athena-results-access-logs": (
        "Only the Athena workgroup writes query results, under IAM policies limited to its "
        "prefix, and every query is recorded by Athena (query history, CloudTrail); S3 server "
        "access logs would need a bucket of their own."
    ),
    "athena-results-versioning": (
        "Query results are written once and expire after 30 days; versions would keep copies "
        "of results past their expiry, and a result is recreated by running its query again."
    ),
    "athena-results-replication": (
        "Query results are temporary and recreated by running the query again; a copy in "
        "another Region adds cost and protects nothing."
    ),
    "athena-results-encryption": (
        "Athena encrypts the results with S3-managed keys (SSE_S3), enforced by the "
        "workgroup; a KMS key would add a key policy to manage for data that expires in 30 "
        "days and can be recreated."
    ),
}
"""Reasons for rules broken on purpose, by topic (the ``sync-function-*`` ones: the function
that creates an organization's inventory sync in each account and Region)."""


_VALIDATIONS: weakref.WeakKeyDictionary[IConstruct, cdk.Validations] = weakref.WeakKeyDictionary()
"""``cdk.Validations.of(scope)`` by scope: each call is a round trip to the jsii kernel, and a
role or policy may be acknowledged again by a later configuration."""


def _acknowledge(scope: IConstruct, findings: Iterable[tuple[str, str | None, str]]) -> None:
    """Acknowledge ``findings`` (rule, the finding's detail or None, reason) on ``scope``, all in
    one round trip to the jsii kernel: ``acknowledge`` records each as if called for it alone."""
    acknowledgments = [
        cdk.Acknowledgment(
            id=f"{rule.split('-', 1)[0]}::{rule}{'' if finding is None else f'[{finding}]'}",
            reason=reason,
        )
        for rule, finding, reason in findings
    ]
    if not acknowledgments:
        return
    validations = _VALIDATIONS.get(scope)
    if validations is None:
        validations = _VALIDATIONS[scope] = cdk.Validations.of(scope)
    validations.acknowledge(*acknowledgments)


def acknowledge_rule(
    scope: IConstruct, rule: str, topic: str, *, finding: str | None = None
) -> None:
    """``scope`` breaks ``rule`` on purpose, for the reason :data:`RULE_REASONS` gives under
    ``topic``. ``finding``: the finding's detail, for rules whose ids name one
    (``Resource::...``). Default: none."""
    _acknowledge(scope, [(rule, finding, RULE_REASONS[topic])])


def acknowledge_managed_policies(role: IConstruct, names: Iterable[str]) -> None:
    """The role uses the AWS managed policies ``names`` on purpose (AwsSolutions-IAM4)."""
    _acknowledge(
        role,
        [
            (
                "AwsSolutions-IAM4",
                f"Policy::arn:<AWS::Partition>:iam::aws:policy/{name}",
                MANAGED_POLICY_REASONS[name],
            )
            for name in names
        ],
    )


def acknowledge_wildcards(
    policy: IConstruct, resources: Iterable[str], *, region: str | None = None
) -> None:
    """The policy grants on the wildcard ``resources`` on purpose (AwsSolutions-IAM5).

    Each resource is a key of :data:`WILDCARD_REASONS`, such as ``"ec2:instance/*"``. cdk-nag
    names the resource with the stack's literal Region and account when the stack has them.
    ``region``: the Region written in the ARNs outside IAM, e.g. ``"*"``. Default: the stack's.
    """
    findings = []
    for resource in resources:
        if resource == "*":
            finding = "Resource::*"
        else:
            service, path = resource.split(":", 1)
            stack_region, account = finding_environment(policy)
            written_region = stack_region if region is None else region
            if service == "iam":  # IAM is global: its ARNs name no Region
                written_region = ""
            partition = finding_partition(policy)
            finding = f"Resource::arn:{partition}:{service}:{written_region}:{account}:{path}"
        findings.append(("AwsSolutions-IAM5", finding, WILDCARD_REASONS[resource]))
    _acknowledge(policy, findings)


def finding_environment(construct: IConstruct) -> tuple[str, str]:
    """The Region and account of ``construct``'s stack as cdk-nag writes them in a finding:
    literal when the stack has them, ``<AWS::Region>`` / ``<AWS::AccountId>`` otherwise."""
    from .shared import stack_environment, stack_of

    account, region = stack_environment(stack_of(construct))
    return region or "<AWS::Region>", account or "<AWS::AccountId>"


def finding_partition(construct: IConstruct) -> str:
    """The partition of ``construct``'s stack as cdk-nag writes it in a finding: literal when
    the stack's ARNs have it (feature flag ``@aws-cdk/core:enablePartitionLiterals`` and a
    literal Region), ``<AWS::Partition>`` otherwise."""
    from .shared import stack_of, token_attribute

    partition = token_attribute(stack_of(construct), "partition")
    return "<AWS::Partition>" if TOKEN_MARKER in partition else partition


def skip_checkov(construct: IConstruct, check_id: str, topic: str) -> None:
    """Tell checkov, in the resource's metadata, that ``construct`` (a CFN resource, or an L2
    with one as its default child) fails ``check_id`` on purpose, for the reason of ``topic``."""
    resource = construct if isinstance(construct, cdk.CfnResource) else construct.node.default_child
    assert isinstance(resource, cdk.CfnResource)
    skips = (resource.get_metadata("checkov") or {}).get("skip", [])
    resource.add_metadata(
        "checkov", {"skip": [*skips, {"id": check_id, "comment": RULE_REASONS[topic]}]}
    )
