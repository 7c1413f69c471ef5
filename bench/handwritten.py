"""What a careful user would write without this library: the same resources, straight from
CDK's ``iam.Role`` / ``iam.InstanceProfile`` / ``iam.ManagedPolicy`` and the SSM L1s.

The benchmark compares :class:`~quicksetup_constructs.QuickSetupLocal` against this to isolate
the construct's own overhead, and checks at run time that both produce the same resource types
in the same numbers. Nothing here imports ``quicksetup_constructs``: this app pays only for the
CDK modules it uses, as a hand-written app would.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ssm as ssm
from constructs import Construct

_SCRIPT = (
    Path(__file__).resolve().parent.parent
    / "quicksetup_constructs"
    / "documents"
    / "attach_profile_script.py"
).read_text(encoding="utf-8")
"""The runbook's script, read as text (a hand-written app would keep its own copy)."""

SSM_POLICIES = ("AmazonSSMManagedInstanceCore", "AmazonSSMPatchAssociation")
CLOUDWATCH_POLICY = "CloudWatchAgentServerPolicy"
INVENTORY_TYPES = (
    "applications",
    "awsComponents",
    "networkConfig",
    "instanceDetailedInformation",
    "windowsUpdates",
    "services",
    "windowsRoles",
    "customInventory",
)

ATTACH_PROFILE_RUNBOOK = {
    "schemaVersion": "0.3",
    "description": "Attaches an instance profile to an EC2 instance that has none.",
    "assumeRole": "{{ AutomationAssumeRole }}",
    "parameters": {
        "InstanceId": {"type": "String", "allowedPattern": "^i-[0-9a-f]{8,17}$"},
        "InstanceProfileName": {"type": "String"},
        "AllowPolicyAttach": {
            "type": "String",
            "allowedValues": ["true", "false"],
            "default": "false",
        },
        "PolicyNames": {"type": "StringList", "default": list(SSM_POLICIES)},
        "AutomationAssumeRole": {"type": "String"},
    },
    "mainSteps": [
        {
            "name": "AttachProfileIfMissing",
            "action": "aws:executeScript",
            "isEnd": True,
            "inputs": {
                "Runtime": "python3.11",
                "Handler": "handler",
                "Script": _SCRIPT,
                "InputPayload": {
                    "InstanceId": "{{ InstanceId }}",
                    "InstanceProfileName": "{{ InstanceProfileName }}",
                    "AllowPolicyAttach": "{{ AllowPolicyAttach }}",
                    "PolicyNames": "{{ PolicyNames }}",
                },
            },
            "outputs": [{"Name": "Action", "Selector": "$.Payload.Action", "Type": "String"}],
        }
    ],
    "outputs": ["AttachProfileIfMissing.Action"],
}


def _run_document(name: str, document: str, parameters: dict[str, str]) -> dict[str, object]:
    return {
        "action": "aws:runDocument",
        "name": name,
        "inputs": {
            "documentType": "SSMDocument",
            "documentPath": document,
            "documentParameters": json.dumps(parameters, separators=(",", ":")),
        },
    }


_INSTALL = ("AWS-ConfigureAWSPackage", {"action": "Install", "name": "AmazonCloudWatchAgent"})

INSTALL_CLOUDWATCH_AGENT_DOCUMENT = {
    "schemaVersion": "2.2",
    "description": "Installs the Amazon CloudWatch agent and configures it.",
    "parameters": {
        "ConfigurationSource": {
            "type": "String",
            "allowedValues": ["default", "ssm"],
            "default": "default",
        },
        "ConfigurationLocation": {"type": "String", "default": ""},
    },
    "mainSteps": [
        _run_document("InstallAgent", *_INSTALL),
        _run_document(
            "ConfigureAgent",
            "AmazonCloudWatch-ManageAgent",
            {
                "action": "configure",
                "mode": "ec2",
                "optionalConfigurationSource": "{{ ConfigurationSource }}",
                "optionalConfigurationLocation": "{{ ConfigurationLocation }}",
                "optionalRestart": "yes",
            },
        ),
    ],
}

UPDATE_CLOUDWATCH_AGENT_DOCUMENT = {
    "schemaVersion": "2.2",
    "description": "Re-installs the latest Amazon CloudWatch agent after an optional wait.",
    "parameters": {
        "WaitSeconds": {"type": "String", "allowedPattern": r"^[0-9]{1,4}$", "default": "0"},
    },
    "mainSteps": [
        {
            "action": "aws:runShellScript",
            "name": "WaitOnLinux",
            "precondition": {"StringEquals": ["platformType", "Linux"]},
            "inputs": {"runCommand": ["sleep {{ WaitSeconds }}"], "timeoutSeconds": 3600},
        },
        {
            "action": "aws:runPowerShellScript",
            "name": "WaitOnWindows",
            "precondition": {"StringEquals": ["platformType", "Windows"]},
            "inputs": {
                "runCommand": ["Start-Sleep -Seconds {{ WaitSeconds }}"],
                "timeoutSeconds": 3600,
            },
        },
        _run_document("UpdateAgent", *_INSTALL),
    ],
}


UPDATE_LAUNCH_AGENT_DOCUMENT = {
    "schemaVersion": "2.2",
    "description": "Installs the latest EC2Launch v2 agent on Windows instances.",
    "mainSteps": [
        {
            **_run_document(
                "UpdateLaunchAgent",
                "AWS-ConfigureAWSPackage",
                {"action": "Install", "name": "AWSEC2Launch-Agent"},
            ),
            "precondition": {"StringEquals": ["platformType", "Windows"]},
        },
    ],
}


@dataclass(frozen=True)
class Group:
    """One configuration: the instances it targets and its id (ends the association names).

    ``tag_value`` None targets every instance."""

    configuration_id: str
    tag_key: str | None = None
    tag_value: str | None = None

    def command_targets(self) -> list[ssm.CfnAssociation.TargetProperty]:
        if self.tag_key is None:
            return [ssm.CfnAssociation.TargetProperty(key="InstanceIds", values=["*"])]
        return [
            ssm.CfnAssociation.TargetProperty(
                key=f"tag:{self.tag_key}", values=[self.tag_value or ""]
            )
        ]


def build(
    stack: cdk.Stack,
    groups: Sequence[Group],
    *,
    cloudwatch_agent: bool = False,
    ec2_launch_agent: bool = False,
    explorer: bool = True,
    allow_policy_attach: bool = False,
) -> list[ssm.CfnAssociation]:
    """Shared roles, profile, policy and documents once; then the associations of each group.

    Default options per group (as ``QuickSetupLocal``'s defaults): attach the instance profile,
    update SSM Agent, collect inventory, scan for patches, and, once for the stack, enable
    Explorer (unless ``explorer`` is False); with ``cloudwatch_agent`` also install and update
    the CloudWatch agent, with ``ec2_launch_agent`` also update the EC2Launch agent.
    """
    scope = Construct(stack, "Shared")
    instance_role = iam.Role(
        scope,
        "InstanceRole",
        assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
        description="Lets Systems Manager manage EC2 instances.",
        managed_policies=[
            iam.ManagedPolicy.from_aws_managed_policy_name(name)
            for name in SSM_POLICIES + ((CLOUDWATCH_POLICY,) if cloudwatch_agent else ())
        ],
    )
    profile = iam.InstanceProfile(scope, "InstanceProfile", role=instance_role)
    automation_role = iam.Role(
        scope,
        "AutomationRole",
        assumed_by=iam.ServicePrincipal(
            "ssm.amazonaws.com",
            conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
        ),
        description="Lets Systems Manager Automation attach instance profiles.",
    )
    instances = stack.format_arn(service="ec2", resource="instance", resource_name="*")
    statements = [
        iam.PolicyStatement(
            actions=["ec2:DescribeIamInstanceProfileAssociations"], resources=["*"]
        ),
        iam.PolicyStatement(
            actions=["ec2:AssociateIamInstanceProfile"],
            resources=[instances],
            conditions={
                "Null": {"ec2:InstanceProfile": "true"},
                "ArnEquals": {"ec2:NewInstanceProfile": profile.instance_profile_arn},
            },
        ),
        iam.PolicyStatement(
            actions=["ec2:DisassociateIamInstanceProfile"],
            resources=[instances],
            conditions={"ArnEquals": {"ec2:InstanceProfile": profile.instance_profile_arn}},
        ),
        iam.PolicyStatement(
            actions=["iam:PassRole"],
            resources=[instance_role.role_arn],
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
        iam.PolicyStatement(
            actions=["iam:ListInstanceProfilesForRole"], resources=[instance_role.role_arn]
        ),
    ]
    node_policies = SSM_POLICIES + ((CLOUDWATCH_POLICY,) if cloudwatch_agent else ())
    if allow_policy_attach:
        statements += [
            iam.PolicyStatement(
                actions=["iam:GetInstanceProfile"],
                resources=[
                    stack.format_arn(
                        service="iam", region="", resource="instance-profile", resource_name="*"
                    )
                ],
            ),
            iam.PolicyStatement(
                actions=["iam:AttachRolePolicy"],
                resources=[
                    stack.format_arn(service="iam", region="", resource="role", resource_name="*")
                ],
                conditions={
                    "ArnEquals": {
                        "iam:PolicyARN": [
                            iam.ManagedPolicy.from_aws_managed_policy_name(name).managed_policy_arn
                            for name in node_policies
                        ]
                    }
                },
            ),
        ]
    iam.ManagedPolicy(scope, "AutomationPolicy", roles=[automation_role], statements=statements)
    explorer_role = (
        None
        if not explorer
        else iam.Role(
            scope,
            "ExplorerRole",
            assumed_by=iam.ServicePrincipal(
                "ssm.amazonaws.com",
                conditions={
                    "StringEquals": {"aws:SourceAccount": stack.account},
                    "ArnLike": {
                        "aws:SourceArn": stack.format_arn(
                            service="ssm",
                            region="*",
                            resource="automation-execution",
                            resource_name="*",
                        )
                    },
                },
            ),
            description="Lets Systems Manager Automation enable Explorer.",
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name(
                    "AWSSystemsManagerEnableExplorerExecutionPolicy"
                )
            ],
        )
    )

    runbook = ssm.CfnDocument(
        scope,
        "AttachProfileRunbook",
        content=ATTACH_PROFILE_RUNBOOK,
        document_type="Automation",
        document_format="JSON",
        target_type="/AWS::EC2::Instance",
    )
    install_document = update_document = launch_agent_document = None
    if ec2_launch_agent:
        launch_agent_document = ssm.CfnDocument(
            scope,
            "UpdateEC2LaunchAgentDocument",
            content=UPDATE_LAUNCH_AGENT_DOCUMENT,
            document_type="Command",
            document_format="JSON",
        )
    if cloudwatch_agent:
        install_document = ssm.CfnDocument(
            scope,
            "InstallCloudWatchAgentDocument",
            content=INSTALL_CLOUDWATCH_AGENT_DOCUMENT,
            document_type="Command",
            document_format="JSON",
        )
        update_document = ssm.CfnDocument(
            scope,
            "UpdateCloudWatchAgentDocument",
            content=UPDATE_CLOUDWATCH_AGENT_DOCUMENT,
            document_type="Command",
            document_format="JSON",
        )

    associations = []
    automation_role_arn = automation_role.role_arn
    explorer_role_arn = explorer_role.role_arn if explorer_role is not None else None
    profile_name = profile.instance_profile_name
    runbook_name = runbook.ref
    for group in groups:
        targets = group.command_targets()
        name = group.configuration_id
        associations += [
            ssm.CfnAssociation(
                stack,
                f"AttachInstanceProfile{name}",
                name=runbook_name,
                association_name=f"QuickSetup-AttachInstanceProfile-{name}",
                targets=targets,
                parameters={
                    "AutomationAssumeRole": [automation_role_arn],
                    "InstanceProfileName": [profile_name],
                    "AllowPolicyAttach": ["true" if allow_policy_attach else "false"],
                    **({"PolicyNames": list(node_policies)} if allow_policy_attach else {}),
                },
                schedule_expression="rate(30 days)",
                automation_target_parameter_name="InstanceId",
            ),
            ssm.CfnAssociation(
                stack,
                f"UpdateSSMAgent{name}",
                name="AWS-UpdateSSMAgent",
                association_name=f"QuickSetup-UpdateSSMAgent-{name}",
                targets=targets,
                schedule_expression="rate(14 days)",
            ),
            ssm.CfnAssociation(
                stack,
                f"CollectInventory{name}",
                name="AWS-GatherSoftwareInventory",
                association_name=f"QuickSetup-CollectInventory-{name}",
                targets=targets,
                parameters={kind: ["Enabled"] for kind in INVENTORY_TYPES},
                schedule_expression="rate(30 minutes)",
            ),
            ssm.CfnAssociation(
                stack,
                f"ScanForPatches{name}",
                name="AWS-RunPatchBaselineAssociation",
                association_name=f"QuickSetup-ScanForPatches-{name}",
                targets=targets,
                parameters={"Operation": ["Scan"]},
                schedule_expression="rate(1 day)",
                sync_compliance="MANUAL",
            ),
        ]
        if explorer_role_arn is not None and group is groups[0]:  # once per account and Region
            associations.append(
                ssm.CfnAssociation(
                    stack,
                    f"EnableExplorer{name}",
                    name="AWS-EnableExplorer",
                    association_name=f"QuickSetup-EnableExplorer-{name}",
                    parameters={"AutomationAssumeRole": [explorer_role_arn]},
                )
            )
        if launch_agent_document is not None:
            associations.append(
                ssm.CfnAssociation(
                    stack,
                    f"UpdateEC2LaunchAgent{name}",
                    name=launch_agent_document.ref,
                    association_name=f"QuickSetup-UpdateEC2LaunchAgent-{name}",
                    targets=targets,
                    schedule_expression="rate(30 days)",
                )
            )
        if install_document is not None and update_document is not None:
            associations += [
                ssm.CfnAssociation(
                    stack,
                    f"InstallCloudWatchAgent{name}",
                    name=install_document.ref,
                    association_name=f"QuickSetup-InstallCloudWatchAgent-{name}",
                    targets=targets,
                    parameters={"ConfigurationSource": ["default"]},
                ),
                ssm.CfnAssociation(
                    stack,
                    f"UpdateCloudWatchAgent{name}",
                    name=update_document.ref,
                    association_name=f"QuickSetup-UpdateCloudWatchAgent-{name}",
                    targets=targets,
                    parameters={"WaitSeconds": ["1800"]},
                    schedule_expression="rate(30 days)",
                ),
            ]
    return associations
