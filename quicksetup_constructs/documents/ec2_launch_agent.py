"""The Command document that keeps the EC2Launch v2 agent of Windows instances current."""

from __future__ import annotations

from .steps import WINDOWS_ONLY, run_document

LAUNCH_AGENT_PACKAGE = "AWSEC2Launch-Agent"
"""The Distributor package of EC2Launch v2."""

UPDATE_LAUNCH_AGENT = {
    "schemaVersion": "2.2",
    "description": (
        "Installs the latest EC2Launch v2 agent (Distributor package AWSEC2Launch-Agent) on "
        "Windows instances; other platforms skip the step."
    ),
    "mainSteps": [
        run_document(
            "UpdateLaunchAgent",
            "AWS-ConfigureAWSPackage",
            {"action": "Install", "name": LAUNCH_AGENT_PACKAGE},
            precondition=WINDOWS_ONLY,
        ),
    ],
}
