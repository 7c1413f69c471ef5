"""Automation runbook that attaches an instance profile without replacing an existing one."""

from __future__ import annotations

from pathlib import Path

from . import attach_profile_script

_SCRIPT = Path(attach_profile_script.__file__).read_text(encoding="utf-8")

ATTACH_INSTANCE_PROFILE = {
    "schemaVersion": "0.3",
    "description": (
        "Attaches an instance profile to an EC2 instance that has none. An instance that already "
        "has a profile keeps it; with AllowPolicyAttach=true the Systems Manager policies are "
        "attached to that profile's role instead."
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
                },
            },
            "outputs": [{"Name": "Action", "Selector": "$.Payload.Action", "Type": "String"}],
        }
    ],
    "outputs": ["AttachProfileIfMissing.Action"],
}
