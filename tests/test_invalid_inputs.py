"""Every bad input is rejected with QuickSetupValidationError naming the prop and what is
allowed, before anything is added to the construct tree; nothing escapes as a jsii error, a
TypeError or a traceback from deep inside.

``CASES`` lists distinct invalid inputs across both constructs (``tests/test_local_validation.py``,
``test_targets.py``, ``test_schedule.py`` and ``test_organization.py`` hold more). The last test
throws values of every wrong type at every prop of both constructs.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import aws_cdk as cdk
import pytest

from quicksetup_constructs import (
    InstanceTargets,
    InventoryFilePath,
    InventoryRegistryKey,
    InventorySettings,
    InventorySync,
    QuickSetupLocal,
    QuickSetupOrganization,
    QuickSetupValidationError,
    RolloutPreferences,
    ScanBaseline,
)

from .apps import new_app

ORG = {
    "organizational_unit_ids": ["ou-abcd-11112222"],
    "regions": ["us-east-1"],
    "account_count": 3,
}
IDS = ["i-0123456789abcdef0"]
REGIONS = "an AWS Region code such as us-east-1"
POLICIES = (
    "cdk.RemovalPolicy.RETAIN, cdk.RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE, "
    "cdk.RemovalPolicy.DESTROY"
)
LOCAL, ORGANIZATION = QuickSetupLocal, QuickSetupOrganization


def _files(*entries: InventoryFilePath) -> dict[str, Any]:
    return {"inventory": InventorySettings(files=list(entries))}


def _registry(*keys: InventoryRegistryKey) -> dict[str, Any]:
    return {"inventory": InventorySettings(windows_registry=list(keys))}


# (construct, props (built inside the test: a factory may be what raises), prop, allowed)
CASES: dict[str, tuple[type, Callable[[], dict[str, Any]], str, str]] = {
    # A list where a string is expected
    "local configuration_id list": (
        LOCAL,
        lambda: {"configuration_id": ["web"]},
        "configuration_id",
        "1-64 letters",
    ),
    "local agent parameter list": (
        LOCAL,
        lambda: {"cloudwatch_agent_config_parameter": ["/cw"]},
        "cloudwatch_agent_config_parameter",
        "SSM parameter name",
    ),
    "tag key list": (
        LOCAL,
        lambda: {"targets": InstanceTargets.tag(["Env"])},
        "targets.tag.key",
        "a tag key of 1-124",
    ),
    "tag value list": (
        LOCAL,
        lambda: {"targets": InstanceTargets.tag("Env", ["prod"])},
        "targets.tag.value",
        "a tag value of 0-256",
    ),
    "resource group list": (
        LOCAL,
        lambda: {"targets": InstanceTargets.resource_group(["web"])},
        "targets.resource_group",
        "a resource group name",
    ),
    "instance ids nested list": (
        LOCAL,
        lambda: {"targets": InstanceTargets.instance_ids([IDS])},
        "targets.instance_ids",
        "instance ids of the form i-",
    ),
    "schedule list": (
        LOCAL,
        lambda: {"schedules": {"scan_for_patches": ["rate(1 day)"]}},
        "schedules['scan_for_patches']",
        "rate(N minutes|hours|days)",
    ),
    "organization call_as list": (
        ORGANIZATION,
        lambda: {"call_as": ["SELF"]},
        "call_as",
        "one of DELEGATED_ADMIN, SELF",
    ),
    "organization home_region list": (
        ORGANIZATION,
        lambda: {"home_region": ["us-east-1"]},
        "home_region",
        REGIONS,
    ),
    "organization regions nested list": (
        ORGANIZATION,
        lambda: {"regions": [["us-east-1"]]},
        "regions",
        REGIONS,
    ),
    "organization OU nested list": (
        ORGANIZATION,
        lambda: {"organizational_unit_ids": [ORG["organizational_unit_ids"]]},
        "organizational_unit_ids",
        "OU ids (ou-xxxx-xxxxxxxx)",
    ),
    "organization configuration_id list": (
        ORGANIZATION,
        lambda: {"configuration_id": ["prod"]},
        "configuration_id",
        "1-40 letters, digits and hyphens",
    ),
    "rollout region concurrency list": (
        ORGANIZATION,
        lambda: {"rollout": RolloutPreferences(region_concurrency_type=["PARALLEL"])},
        "rollout.region_concurrency_type",
        "one of PARALLEL, SEQUENTIAL",
    ),
    "rollout concurrency mode list": (
        ORGANIZATION,
        lambda: {"rollout": RolloutPreferences(concurrency_mode=["SOFT_FAILURE_TOLERANCE"])},
        "rollout.concurrency_mode",
        "one of SOFT_FAILURE_TOLERANCE, STRICT_FAILURE_TOLERANCE",
    ),
    # None where a value is required
    "organization OUs None": (
        ORGANIZATION,
        lambda: {"organizational_unit_ids": None},
        "organizational_unit_ids",
        "1 to 50 distinct OU ids",
    ),
    "organization regions None": (
        ORGANIZATION,
        lambda: {"regions": None},
        "regions",
        "a list of Regions",
    ),
    "organization call_as None": (
        ORGANIZATION,
        lambda: {"call_as": None},
        "call_as",
        "one of DELEGATED_ADMIN, SELF",
    ),
    "tag key None": (
        LOCAL,
        lambda: {"targets": InstanceTargets.tag(None)},
        "targets.tag.key",
        "a tag key of 1-124",
    ),
    "resource group None": (
        LOCAL,
        lambda: {"targets": InstanceTargets.resource_group(None)},
        "targets.resource_group",
        "a resource group name",
    ),
    "instance ids None": (
        LOCAL,
        lambda: {"targets": InstanceTargets.instance_ids(None)},
        "targets.instance_ids",
        "a list of 1 to 50 instance ids",
    ),
    "local removal policy None": (
        LOCAL,
        lambda: {"instance_profile_removal_policy": None},
        "instance_profile_removal_policy",
        POLICIES,
    ),
    "organization retain None": (
        ORGANIZATION,
        lambda: {"retain_stacks_on_account_removal": None},
        "retain_stacks_on_account_removal",
        "True or False",
    ),
    # Wrong types inside InventorySettings
    "inventory files a string": (
        LOCAL,
        lambda: {"inventory": InventorySettings(files="*.log")},
        "inventory.files",
        "a list of InventoryFilePath",
    ),
    "inventory files a tuple": (
        LOCAL,
        lambda: {"inventory": InventorySettings(files=[("/var/log", ["*.log"])])},
        "inventory.files",
        "InventoryFilePath items",
    ),
    "inventory file path list": (
        LOCAL,
        lambda: _files(InventoryFilePath(["/var/log"], ["*"])),
        "inventory.files.path",
        "a non-empty directory path",
    ),
    "inventory file path empty": (
        LOCAL,
        lambda: _files(InventoryFilePath("", ["*"])),
        "inventory.files.path",
        "a non-empty directory path",
    ),
    "inventory file patterns a string": (
        LOCAL,
        lambda: _files(InventoryFilePath("/var/log", "*.log")),
        "inventory.files.patterns",
        "a non-empty list of file name patterns",
    ),
    "inventory file patterns numbers": (
        LOCAL,
        lambda: _files(InventoryFilePath("/var/log", [1])),
        "inventory.files.patterns",
        "a non-empty list of file name patterns",
    ),
    "inventory file recursive string": (
        LOCAL,
        lambda: _files(InventoryFilePath("/var/log", ["*"], recursive="yes")),
        "inventory.files.recursive",
        "True or False",
    ),
    "inventory scan limit string": (
        LOCAL,
        lambda: _files(InventoryFilePath("/var/log", ["*"], True, "5")),
        "inventory.files.dir_scan_limit",
        "None or a positive integer",
    ),
    "inventory scan limit bool": (
        LOCAL,
        lambda: _files(InventoryFilePath("/var/log", ["*"], True, True)),
        "inventory.files.dir_scan_limit",
        "None or a positive integer",
    ),
    "inventory registry path None": (
        LOCAL,
        lambda: _registry(InventoryRegistryKey(None)),
        "inventory.windows_registry.path",
        "a key under a registry root",
    ),
    "inventory registry recursive int": (
        LOCAL,
        lambda: _registry(InventoryRegistryKey("HKLM\\SOFTWARE", recursive=1)),
        "inventory.windows_registry.recursive",
        "True or False",
    ),
    "inventory registry value names string": (
        LOCAL,
        lambda: _registry(InventoryRegistryKey("HKLM\\SOFTWARE", False, "Version")),
        "inventory.windows_registry.value_names",
        "a list of registry value names",
    ),
    "inventory registry a string": (
        LOCAL,
        lambda: {"inventory": InventorySettings(windows_registry="HKLM\\SOFTWARE")},
        "inventory.windows_registry",
        "a list of InventoryRegistryKey",
    ),
    "inventory billing int": (
        LOCAL,
        lambda: {"inventory": InventorySettings(billing_info=1)},
        "inventory.billing_info",
        "True, False or None",
    ),
    "organization inventory patterns empty": (
        ORGANIZATION,
        lambda: _files(InventoryFilePath("/var/log", [])),
        "inventory.files.patterns",
        "a non-empty list of file name patterns",
    ),
    # Values out of range or of the wrong kind
    "local removal policy SNAPSHOT": (
        LOCAL,
        lambda: {"instance_profile_removal_policy": cdk.RemovalPolicy.SNAPSHOT},
        "instance_profile_removal_policy",
        POLICIES,
    ),
    "local removal policy string": (
        LOCAL,
        lambda: {"instance_profile_removal_policy": "RETAIN"},
        "instance_profile_removal_policy",
        POLICIES,
    ),
    "organization removal policy SNAPSHOT": (
        ORGANIZATION,
        lambda: {"instance_profile_removal_policy": cdk.RemovalPolicy.SNAPSHOT},
        "instance_profile_removal_policy",
        POLICIES,
    ),
    "service role look-alike": (
        LOCAL,
        lambda: {
            "service_role": SimpleNamespace(
                role_arn="arn:aws:iam::111111111111:role/x", role_name="x"
            )
        },
        "service_role",
        "None or an aws_iam.IRole",
    ),
    "instance role look-alike": (
        LOCAL,
        lambda: {"instance_profile_role": SimpleNamespace(role_arn="arn", role_name="x")},
        "instance_profile_role",
        "None or an aws_iam.IRole",
    ),
    "schedules a list": (
        LOCAL,
        lambda: {"schedules": ["rate(1 day)"]},
        "schedules",
        "a dict of option name to schedule expression",
    ),
    "schedule under 30 minutes": (
        LOCAL,
        lambda: {"schedules": {"collect_inventory": "rate(29 minutes)"}},
        "schedules['collect_inventory']",
        "at least 30 minutes",
    ),
    "configuration_id too long": (
        LOCAL,
        lambda: {"configuration_id": "x" * 65},
        "configuration_id",
        "1-64 letters, digits and _.-",
    ),
    "agent parameter empty": (
        LOCAL,
        lambda: {"cloudwatch_agent_config_parameter": ""},
        "cloudwatch_agent_config_parameter",
        "SSM parameter name",
    ),
    "organization account_count string": (
        ORGANIZATION,
        lambda: {"account_count": "40"},
        "account_count",
        "None or a number of accounts",
    ),
    "organization account_count float": (
        ORGANIZATION,
        lambda: {"account_count": 2.5},
        "account_count",
        "None or a number of accounts",
    ),
    "organization account_count bool": (
        ORGANIZATION,
        lambda: {"account_count": True},
        "account_count",
        "None or a number of accounts",
    ),
    "organization over 2,000 targets": (
        ORGANIZATION,
        lambda: {"account_count": 1001, "regions": ["us-east-1", "us-east-2"]},
        "account_count",
        "at most 2,000 targets",
    ),
    "organization rollout a dict": (
        ORGANIZATION,
        lambda: {"rollout": {"max_concurrent_count": 5}},
        "rollout",
        "a RolloutPreferences or None",
    ),
    "rollout count string": (
        ORGANIZATION,
        lambda: {"rollout": RolloutPreferences(max_concurrent_count="5")},
        "rollout.max_concurrent_count",
        "None or an integer from 1 up",
    ),
    "rollout region order string": (
        ORGANIZATION,
        lambda: {"rollout": RolloutPreferences(region_order="us-east-1")},
        "rollout.region_order",
        "a list of Regions",
    ),
    "rollout region order repeated": (
        ORGANIZATION,
        lambda: {
            "regions": ["us-east-1", "us-east-2"],
            "rollout": RolloutPreferences(region_order=["us-east-1", "us-east-1"]),
        },
        "rollout.region_order",
        "distinct Regions of regions: us-east-1, us-east-2",
    ),
    "organization instance ids": (
        ORGANIZATION,
        lambda: {"targets": InstanceTargets.instance_ids(IDS)},
        "targets",
        "InstanceTargets.all_instances(), .tag(...) or .resource_group(...)",
    ),
    "organization regions a string": (
        ORGANIZATION,
        lambda: {"regions": "us-east-1"},
        "regions",
        "a list of Regions",
    ),
    "organization OUs a string": (
        ORGANIZATION,
        lambda: {"organizational_unit_ids": "ou-abcd-11112222"},
        "organizational_unit_ids",
        "1 to 50 distinct OU ids",
    ),
    "organization configuration_id underscore": (
        ORGANIZATION,
        lambda: {"configuration_id": "prod_hosts"},
        "configuration_id",
        "1-40 letters, digits and hyphens",
    ),
    "organization flag string": (
        ORGANIZATION,
        lambda: {"collect_inventory": "yes"},
        "collect_inventory",
        "True or False",
    ),
    "organization cron with two days": (
        ORGANIZATION,
        lambda: {"schedules": {"update_ssm_agent": "cron(0 2 * * SUN *)"}},
        "schedules['update_ssm_agent']",
        "'?' in exactly one of day-of-month and day-of-week",
    ),
    "organization agent parameter int": (
        ORGANIZATION,
        lambda: {"cloudwatch_agent_config_parameter": 3},
        "cloudwatch_agent_config_parameter",
        "SSM parameter name",
    ),
    "organization home region not a code": (
        ORGANIZATION,
        lambda: {"home_region": "Africa (Cape Town)"},
        "home_region",
        REGIONS,
    ),
    # The new options' refinements
    "explorer role look-alike": (
        LOCAL,
        lambda: {"explorer_role": SimpleNamespace(role_arn="arn", role_name="x")},
        "explorer_role",
        "None or an aws_iam.IRole",
    ),
    "scan baseline a string": (
        LOCAL,
        lambda: {"scan_baseline": "pb-0123456789abcdef0"},
        "scan_baseline",
        "None or a ScanBaseline",
    ),
    "scan baseline aws: tag key": (
        LOCAL,
        lambda: {"scan_baseline": ScanBaseline.tagged("aws:team", ["web"])},
        "scan_baseline.key",
        "not starting with 'aws:'",
    ),
    "scan baseline no values": (
        LOCAL,
        lambda: {"scan_baseline": ScanBaseline.tagged("Team", [])},
        "scan_baseline.values",
        "1 or more tag values",
    ),
    "scan baseline value with a comma": (
        LOCAL,
        lambda: {"scan_baseline": ScanBaseline.tagged("Team", ["web,db"])},
        "scan_baseline.values",
        "(no commas)",
    ),
    "scan baseline values a string": (
        ORGANIZATION,
        lambda: {"scan_baseline": ScanBaseline.tagged("Team", "web")},
        "scan_baseline.values",
        "1 or more tag values",
    ),
    "scan baseline without the scan": (
        ORGANIZATION,
        lambda: {"scan_for_patches": False, "scan_baseline": ScanBaseline.tagged("Team", ["web"])},
        "scan_baseline",
        "set scan_for_patches=True",
    ),
    "default host management a string": (
        LOCAL,
        lambda: {"default_host_management": "on"},
        "default_host_management",
        "True or False",
    ),
    "inventory sync a bucket name": (
        LOCAL,
        lambda: {"inventory_sync": "central-inventory"},
        "inventory_sync",
        "None or an InventorySync",
    ),
    "inventory bucket name uppercase": (
        LOCAL,
        lambda: {"inventory_sync": InventorySync.to_bucket("Central", "us-east-1")},
        "inventory_sync.bucket_name",
        "an S3 bucket name",
    ),
    "inventory bucket region unknown": (
        LOCAL,
        lambda: {"inventory_sync": InventorySync.to_bucket("central-inventory", "earth")},
        "inventory_sync.bucket_region",
        "an AWS Region",
    ),
    "inventory prefix with a leading slash": (
        LOCAL,
        lambda: {"inventory_sync": InventorySync.to_new_bucket(prefix="/inventory")},
        "inventory_sync.prefix",
        "no '/' at either end",
    ),
    "inventory prefix too long": (
        ORGANIZATION,
        lambda: {
            "inventory_sync": InventorySync.to_bucket(
                "central-inventory", "us-east-1", prefix="p" * 65
            )
        },
        "inventory_sync.prefix",
        "1-64 characters",
    ),
    "inventory key not a KMS ARN": (
        LOCAL,
        lambda: {
            "inventory_sync": InventorySync.to_bucket(
                "central-inventory", "us-east-1", kms_key_arn="alias/inventory"
            )
        },
        "inventory_sync.kms_key_arn",
        "a KMS key ARN",
    ),
    "inventory key in another Region": (
        LOCAL,
        lambda: {
            "inventory_sync": InventorySync.to_bucket(
                "central-inventory",
                "us-east-1",
                kms_key_arn="arn:aws:kms:eu-west-1:123456789012:key/abcd",
            )
        },
        "inventory_sync.kms_key_arn",
        "a KMS key in the bucket's Region, us-east-1",
    ),
    "inventory access logs not a bucket": (
        LOCAL,
        lambda: {"inventory_sync": InventorySync.to_new_bucket(server_access_logs_bucket="logs")},
        "inventory_sync.server_access_logs_bucket",
        "an aws_s3.IBucket",
    ),
    "inventory sync name too long": (
        LOCAL,
        lambda: {
            "configuration_id": "x" * 44,
            "inventory_sync": InventorySync.to_bucket("central-inventory", "us-east-1"),
        },
        "configuration_id",
        "at most 43 characters with inventory_sync",
    ),
    "organization id malformed": (
        ORGANIZATION,
        lambda: {"organization_id": "o-ABC"},
        "organization_id",
        "o- followed by 10 to 32",
    ),
    "organization id missing for a new bucket": (
        ORGANIZATION,
        lambda: {"inventory_sync": InventorySync.to_new_bucket()},
        "organization_id",
        "the organization's id (o-...)",
    ),
    "scan baseline not a patch baseline": (
        LOCAL,
        lambda: {"scan_baseline": ScanBaseline.of("pb-0123456789abcdef0")},
        "scan_baseline",
        "an aws_ssm.CfnPatchBaseline",
    ),
}


def test_there_are_at_least_40_distinct_invalid_inputs():
    assert len(CASES) >= 40
    assert sum(construct is ORGANIZATION for construct, *_ in CASES.values()) >= 15


@pytest.mark.parametrize("case", CASES)
def test_fails_with_the_prop_and_the_allowed_values_and_writes_nothing(case):
    construct, props, prop, allowed = CASES[case]
    stack = cdk.Stack(new_app(), "Stack")
    base = ORG if construct is ORGANIZATION else {}
    with pytest.raises(QuickSetupValidationError) as raised:
        construct(stack, "QuickSetup", **(base | props()))
    error = raised.value
    assert type(error) is QuickSetupValidationError
    assert error.prop == prop
    assert str(error).startswith(f"{prop}: ")
    assert allowed in error.allowed, str(error)
    assert error.__cause__ is None  # not a jsii or Python error rewrapped
    assert stack.node.children == []


def test_fails_when_the_scope_is_not_in_a_stack():
    app = new_app()
    for construct, props in ((LOCAL, {}), (ORGANIZATION, ORG)):
        with pytest.raises(QuickSetupValidationError) as raised:
            construct(app, "QuickSetup", **props)
        assert raised.value.prop == "scope"
        assert "a construct inside a cdk.Stack" in str(raised.value)
    assert app.node.children == []


@pytest.mark.parametrize("construct", [LOCAL, ORGANIZATION], ids=lambda c: c.__name__)
@pytest.mark.parametrize("construct_id", ["", None, 5, "Taken"])
def test_fails_when_the_id_is_empty_not_a_string_or_taken(construct, construct_id):
    stack = cdk.Stack(new_app(), "Stack")
    taken = cdk.CfnWaitConditionHandle(stack, "Taken")
    with pytest.raises(QuickSetupValidationError) as raised:
        construct(stack, construct_id, **(ORG if construct is ORGANIZATION else {}))
    assert raised.value.prop == "id"
    assert "a non-empty string that no other construct in the same scope uses" in str(raised.value)
    assert stack.node.children == [taken]


JUNK = [None, True, 0, -1, 2.5, "", "x", ["x"], [None], {"x": 1}, object()]
"""A value of every wrong type (some are valid for some props: None for optional ones)."""


def _props(construct: type) -> list[str]:
    return [
        name
        for name, parameter in inspect.signature(construct.__init__).parameters.items()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    ]


def test_every_prop_of_both_constructs_is_covered_below():
    assert len(_props(LOCAL)) >= 15 and len(_props(ORGANIZATION)) >= 20


@pytest.mark.parametrize(
    ("construct", "prop"),
    [(construct, prop) for construct in (LOCAL, ORGANIZATION) for prop in _props(construct)],
    ids=lambda value: value if isinstance(value, str) else value.__name__,
)
def test_no_value_of_any_type_escapes_as_another_error(construct, prop):
    """The prop gets each junk value: the construct either accepts it or rejects it with the
    typed error naming that prop; nothing half-written is left in the tree."""
    base = ORG if construct is ORGANIZATION else {}
    for value in JUNK:
        stack = cdk.Stack(new_app(), "Stack")
        try:
            construct(stack, "QuickSetup", **(base | {prop: value}))
        except QuickSetupValidationError as error:
            assert error.prop.split(".")[0].split("[")[0] == prop, (value, error)
            assert stack.node.children == [], value
        except Exception as error:
            pytest.fail(f"{prop}={value!r} raised {type(error).__name__}: {error}")
