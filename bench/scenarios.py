"""The apps the benchmark synthesizes, one per scenario.

Each scenario names the modules it imports (timed apart from ``import aws_cdk``) and builds its
stacks in a fresh ``cdk.App``. ``count`` is the number of configurations (or stacks) where the
scenario scales.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

EVERY_OPTION = {
    "update_ssm_agent": True,
    "update_ec2_launch_agent": True,
    "collect_inventory": True,
    "scan_for_patches": True,
    "install_cloudwatch_agent": True,
    "update_cloudwatch_agent": True,
    "attach_instance_profile": True,
    "enable_explorer": True,
    "allow_policy_attach": True,
}
"""Every option on (and ``allow_policy_attach``, which adds the most IAM statements)."""

TAG_KEY = "QuickSetupGroup"


def _group(index: int) -> str:
    return f"group-{index:03d}"


def _empty(cdk: Any, app: Any, count: int) -> None:
    cdk.Stack(app, "Bench")


def _local(cdk: Any, app: Any, count: int) -> None:
    from quicksetup_constructs import QuickSetupLocal

    QuickSetupLocal(cdk.Stack(app, "Bench"), "QuickSetup", **EVERY_OPTION)


def _handwritten(cdk: Any, app: Any, count: int) -> None:
    from bench import handwritten

    handwritten.build(
        cdk.Stack(app, "Bench"),
        [handwritten.Group("all")],
        cloudwatch_agent=True,
        ec2_launch_agent=True,
        allow_policy_attach=True,
    )


def _native(cdk: Any, app: Any, count: int) -> None:
    """Quick Setup's own resource: one ConfigurationManager, every option on, this account and
    Region, all instances (parameters are strings: AWSQuickSetupType-SSMHostMgmt)."""
    from aws_cdk import aws_ssmquicksetup as quicksetup

    stack = cdk.Stack(app, "Bench")
    quicksetup.CfnConfigurationManager(
        stack,
        "QuickSetup",
        name="HostManagement",
        configuration_definitions=[
            quicksetup.CfnConfigurationManager.ConfigurationDefinitionProperty(
                type="AWSQuickSetupType-SSMHostMgmt",
                parameters={
                    "UpdateSSMAgent": "true",
                    "CollectInventory": "true",
                    "ScanInstances": "true",
                    "InstallCloudWatchAgent": "true",
                    "UpdateCloudWatchAgent": "true",
                    "IsPolicyAttachAllowed": "true",
                    "TargetType": "*",
                    "TargetAccounts": cdk.Aws.ACCOUNT_ID,
                    "TargetRegions": cdk.Aws.REGION,
                },
                local_deployment_administration_role_arn=(
                    f"arn:{cdk.Aws.PARTITION}:iam::{cdk.Aws.ACCOUNT_ID}:role/"
                    "AWS-QuickSetup-LocalDeploymentAdministrationRole"
                ),
                local_deployment_execution_role_name="AWS-QuickSetup-LocalExecutionRole",
            )
        ],
    )


def _organization(cdk: Any, app: Any, count: int) -> None:
    from quicksetup_constructs import QuickSetupOrganization

    QuickSetupOrganization(
        cdk.Stack(app, "Bench"),
        "OrgQuickSetup",
        organizational_unit_ids=["ou-abcd-11112222", "ou-abcd-33334444"],
        regions=["us-east-1", "ap-northeast-1"],
        account_count=40,
        **EVERY_OPTION,
    )


SCALING_OPTIONS = {"enable_explorer": False}
"""The configurations of the scaling scenarios have Quick Setup's four core options: with
Explorer's association too, 100 configurations would pass CloudFormation's 500 resources."""


def _configs(cdk: Any, app: Any, count: int) -> None:
    from quicksetup_constructs import InstanceTargets, QuickSetupLocal

    stack = cdk.Stack(app, "Bench")
    for index in range(count):
        QuickSetupLocal(
            stack,
            f"Config{index}",
            targets=InstanceTargets.tag(TAG_KEY, _group(index)),
            **SCALING_OPTIONS,
        )


def _handwritten_configs(cdk: Any, app: Any, count: int) -> None:
    from bench import handwritten

    handwritten.build(
        cdk.Stack(app, "Bench"),
        [handwritten.Group(f"Config{index}", TAG_KEY, _group(index)) for index in range(count)],
        explorer=SCALING_OPTIONS["enable_explorer"],
    )


def _stacks(cdk: Any, app: Any, count: int) -> None:
    from quicksetup_constructs import InstanceTargets, QuickSetupLocal

    for index in range(count):
        QuickSetupLocal(
            cdk.Stack(app, f"Bench{index}"),
            "QuickSetup",
            targets=InstanceTargets.tag(TAG_KEY, _group(index)),
        )


@dataclass(frozen=True)
class Scenario:
    name: str
    imports: tuple[str, ...]
    """Modules the app imports besides ``aws_cdk`` (timed as ``contender_import``)."""
    build: Callable[[Any, Any, int], None]
    description: str

    def import_modules(self) -> None:
        for module in self.imports:
            importlib.import_module(module)


SCENARIOS = {
    scenario.name: scenario
    for scenario in (
        Scenario("empty", (), _empty, "an app with one empty stack"),
        Scenario(
            "local",
            ("quicksetup_constructs",),
            _local,
            "one `QuickSetupLocal`, every option on",
        ),
        Scenario(
            "handwritten",
            ("aws_cdk.aws_iam", "aws_cdk.aws_ssm", "bench.handwritten"),
            _handwritten,
            "the same resources written by hand (`bench/handwritten.py`)",
        ),
        Scenario(
            "native",
            ("aws_cdk.aws_ssmquicksetup",),
            _native,
            "`AWS::SSMQuickSetup::ConfigurationManager` L1, every option on",
        ),
        Scenario(
            "organization",
            ("quicksetup_constructs",),
            _organization,
            "one `QuickSetupOrganization`, every option on (2 OUs, 2 Regions)",
        ),
        Scenario(
            "configs",
            ("quicksetup_constructs",),
            _configs,
            "N tag-targeted `QuickSetupLocal` (default options) in one stack",
        ),
        Scenario(
            "handwritten-configs",
            ("aws_cdk.aws_iam", "aws_cdk.aws_ssm", "bench.handwritten"),
            _handwritten_configs,
            "the same N configurations written by hand",
        ),
        Scenario(
            "stacks",
            ("quicksetup_constructs",),
            _stacks,
            "N stacks, one tag-targeted `QuickSetupLocal` each",
        ),
    )
}
