"""Command documents that install, configure and update the Amazon CloudWatch agent."""

from __future__ import annotations

from .steps import WINDOWS_ONLY, run_document

_PACKAGE = "AmazonCloudWatchAgent"
_CONFIGURATION_LOCATION_PATTERN = r'^[a-zA-Z0-9-"~:_@./^(*)!<>?=+,]*$'


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
        run_document("InstallAgent", *_INSTALL_PACKAGE),
        run_document(
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
            "precondition": WINDOWS_ONLY,
            "inputs": {
                "runCommand": ["Start-Sleep -Seconds {{ WaitSeconds }}"],
                "timeoutSeconds": 3600,
            },
        },
        run_document("UpdateAgent", *_INSTALL_PACKAGE),
    ],
}
