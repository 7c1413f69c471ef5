"""Automation runbook that attaches an instance profile without replacing an existing one."""

from __future__ import annotations

from pathlib import Path

from ..options.option import MANAGED_NODE_POLICIES
from . import attach_profile_script

_SCRIPT = Path(attach_profile_script.__file__).read_text(encoding="utf-8")

ATTACH_INSTANCE_PROFILE = {
    "schemaVersion": "0.3",
    "description": (
        "Attaches an instance profile to an EC2 instance that has none. An instance that already "
        "has a profile keeps it; with AllowPolicyAttach=true the policies named in PolicyNames "
        "are attached to that profile's role instead."
    ),
    "assumeRole": "{{ AutomationAssumeRole }}",
    "parameters": {
        "InstanceId": {
            "type": "String",
            "description": "The instance to manage.",
            "allowedPattern": "^i-[0-9a-f]{8,17}$",
        },
        "InstanceProfileName": {
            "type": "String",
            "description": "The instance profile to attach when the instance has none.",
        },
        "AllowPolicyAttach": {
            "type": "String",
            "description": "true: attach the SSM policies to the role of an existing profile.",
            "allowedValues": ["true", "false"],
            "default": "false",
        },
        "PolicyNames": {
            "type": "StringList",
            "description": (
                "With AllowPolicyAttach=true: the AWS managed policies to attach to the role of "
                "an existing profile."
            ),
            "allowedPattern": "^[A-Za-z0-9+=,.@_-]{1,128}$",
            "default": list(MANAGED_NODE_POLICIES),
        },
        "AutomationAssumeRole": {
            "type": "String",
            "description": "The role that runs this automation.",
        },
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
