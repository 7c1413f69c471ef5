"""Command documents that install, configure and update the Amazon CloudWatch agent."""

from __future__ import annotations

import json

_PACKAGE = "AmazonCloudWatchAgent"
_CONFIGURATION_LOCATION_PATTERN = r'^[a-zA-Z0-9-"~:_@./^(*)!<>?=+,]*$'


def _run_document(name: str, document: str, parameters: dict[str, str]) -> dict[str, object]:
    """An ``aws:runDocument`` step (its ``documentParameters`` are a JSON string)."""
    return {
        "action": "aws:runDocument",
        "name": name,
        "inputs": {
            "documentType": "SSMDocument",
            "documentPath": document,
            "documentParameters": json.dumps(parameters, separators=(",", ":")),
        },
    }


_INSTALL_PACKAGE = ("AWS-ConfigureAWSPackage", {"action": "Install", "name": _PACKAGE})

INSTALL_AND_CONFIGURE = {
    "schemaVersion": "2.2",
    "description": (
        "Installs the Amazon CloudWatch agent and configures it, with the agent's default "
        "configuration or with one kept in a Systems Manager parameter."
    ),
    "parameters": {
        "ConfigurationSource": {
            "type": "String",
            "description": "default: the agent's default configuration; ssm: a parameter's.",
            "allowedValues": ["default", "ssm"],
            "default": "default",
        },
        "ConfigurationLocation": {
            "type": "String",
            "description": "Name of the parameter holding the configuration (source ssm).",
            "allowedPattern": _CONFIGURATION_LOCATION_PATTERN,
            "default": "",
        },
    },
    "mainSteps": [
        _run_document("InstallAgent", *_INSTALL_PACKAGE),
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

UPDATE = {
    "schemaVersion": "2.2",
    "description": (
        "Re-installs the latest Amazon CloudWatch agent, after an optional wait that lets a "
        "first installation started at the same time finish."
    ),
    "parameters": {
        "WaitSeconds": {
            "type": "String",
            "description": "Seconds to wait before updating.",
            "allowedPattern": r"^[0-9]{1,4}$",
            "default": "0",
        },
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
                "runCommand": ["Start-Sleep -Seconds {{ WaitSeconds }}"], "timeoutSeconds": 3600,
            },
        },
        _run_document("UpdateAgent", *_INSTALL_PACKAGE),
    ],
}
