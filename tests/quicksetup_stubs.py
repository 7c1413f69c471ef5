"""Quick Setup's answers for botocore's Stubber, shared by the import tests (no CDK imported)."""

from __future__ import annotations

from typing import Any

from botocore.stub import Stubber


def expect_managers(quicksetup: Stubber, *managers: dict[str, Any]) -> None:
    """``ListConfigurationManagers`` lists ``managers`` (each a ``GetConfigurationManager``
    answer), and ``GetConfigurationManager`` answers each by its ARN, in that order."""
    quicksetup.add_response(
        "list_configuration_managers",
        {
            "ConfigurationManagersList": [
                {"ManagerArn": m["ManagerArn"], "Name": m["Name"]} for m in managers
            ]
        },
        {},
    )
    for found in managers:
        quicksetup.add_response(
            "get_configuration_manager", found, {"ManagerArn": found["ManagerArn"]}
        )
