"""Property-based tests (hypothesis): any valid combination of props synthesizes templates that
cfn-lint accepts, for both constructs (the StackSet templates included); random invalid values
are always rejected with QuickSetupValidationError naming the prop.

Synthesis costs about 0.1 s and linting about 0.3 s per template, so the synthesizing properties
run a few dozen examples (``QUICKSETUP_EXAMPLES_SCALE=10`` runs ten times as many). In CI (``CI``
set) the examples are derandomized, so that a run is repeatable (the "ci" Hypothesis profile of
``conftest.py``); locally each run draws new ones. No example database is written.

The organization properties also probe the 2,000-target limit at its boundary: accounts ×
Regions up to 2,000 is accepted, one account more is rejected. Regions are drawn from
:data:`GUIDE_REGIONS`, written out here from the Quick Setup user guide rather than taken from
the library.
"""

from __future__ import annotations

import os
import re
import string
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

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
from quicksetup_constructs.options import CATALOGUE

from .apps import FLAG_SET_NAMES, new_app
from .support import lint_findings

BASE = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
"""What every property here needs on top of the loaded profile (``conftest.py``: derandomized
in CI): synthesis is slow and unevenly so, and no example database is written."""

SCALE = int(os.environ.get("QUICKSETUP_EXAMPLES_SCALE", "1"))
"""Multiplies the examples, for a longer search by hand: QUICKSETUP_EXAMPLES_SCALE=10."""
SYNTH_EXAMPLES = 25 * SCALE
NO_SHRINKING = [Phase.explicit, Phase.reuse, Phase.generate]
"""For the synthesizing properties: shrinking a failure would take minutes of synthesis; the
failing example is reported as drawn."""
REJECT_EXAMPLES = 60 * SCALE
ENV = cdk.Environment(account="111111111111", region="us-east-1")
OPTION_KEYS = [option.key for option in CATALOGUE]

GUIDE_REGIONS = [
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ap-south-1",
    "ap-northeast-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "ca-central-1",
    "sa-east-1",
]
"""The Regions where Organization Quick Setup is available, from the Quick Setup user guide:
"Organization Quick Setup is available in the following AWS Regions: US East (N. Virginia),
US East (Ohio), US West (N. California), US West (Oregon), Asia Pacific (Mumbai), Asia Pacific
(Seoul), Asia Pacific (Singapore), Asia Pacific (Sydney), Asia Pacific (Tokyo), Europe
(Frankfurt), Europe (Ireland), Europe (London), Europe (Paris), Canada (Central), South America
(São Paulo)" (https://github.com/awsdocs/aws-systems-manager-user-guide/blob/main/doc_source/
systems-manager-quick-setup.md; in Japanese in the project's seed guide). Written out here, not
taken from the library's own list."""
GUIDE_TARGET_LIMIT = 2000
"""Same page: "You can specify up to 2000 targets with Organization Quick Setup. Targets in an
Organization Quick Setup equate to AWS CloudFormation stack instances ... You can get the total
number of targets by multiplying the number of accounts by the number of Regions specified."
(One CloudFormation stack instance per account and Region.)"""
BOUNDARY_EXAMPLES = 12 * SCALE
"""Half of the boundary examples are accepted, and each of those synthesizes (about 0.4 s)."""

# Valid values

_TAG_CHARS = string.ascii_letters + string.digits + "_ .:/=+@-"
tag_keys = st.text(_TAG_CHARS, min_size=1, max_size=20).filter(
    lambda key: not key.startswith("aws:")
)
tag_values = st.text(_TAG_CHARS, max_size=20)
names = st.text(string.ascii_letters + string.digits + "_.-", min_size=1, max_size=30)
instance_ids = st.lists(
    st.from_regex(r"i-([0-9a-f]{8}|[0-9a-f]{17})", fullmatch=True),
    min_size=1,
    max_size=5,
    unique=True,
)
organization_targets = st.one_of(
    st.just(InstanceTargets.all_instances()),
    st.builds(InstanceTargets.tag, tag_keys, st.none() | tag_values),
    st.builds(
        lambda key, values: InstanceTargets.tag(key, *values),
        tag_keys,
        st.lists(tag_values, min_size=2, max_size=4, unique=True),
    ),
    st.builds(InstanceTargets.resource_group, names),
)
local_targets = organization_targets | st.builds(InstanceTargets.instance_ids, instance_ids)

rates = st.one_of(
    st.integers(30, 59).map(lambda n: f"rate({n} minutes)"),
    st.just("rate(1 hour)"),
    st.integers(2, 23).map(lambda n: f"rate({n} hours)"),
    st.just("rate(1 day)"),
    st.integers(2, 30).map(lambda n: f"rate({n} days)"),
)
crons = st.builds(
    lambda minute, hour, day: f"cron({minute} {hour} ? * {day} *)",
    st.integers(0, 59),
    st.integers(0, 23),
    st.sampled_from(["SUN", "MON-FRI", "TUE#2", "*"]),
) | st.builds(
    lambda minute, day: f"cron({minute} 3 {day} * ? *)",
    st.integers(0, 59),
    st.sampled_from(["1", "15", "L", "*"]),
)
schedule_expressions = rates | crons | st.just("at(2030-01-31T09:30:00)")

inventory_settings = st.builds(
    InventorySettings,
    files=st.lists(
        st.builds(
            InventoryFilePath,
            path=st.sampled_from(["/var/log", "/etc", "%ProgramFiles%"]),
            patterns=st.lists(st.sampled_from(["*.log", "*.conf", "app*"]), min_size=1, max_size=3),
            recursive=st.booleans(),
            dir_scan_limit=st.none() | st.integers(1, 5000),
        ),
        max_size=2,
    ),
    windows_registry=st.lists(
        st.builds(
            InventoryRegistryKey,
            path=st.sampled_from(["HKEY_LOCAL_MACHINE\\SOFTWARE\\Amazon", "HKLM\\SYSTEM"]),
            recursive=st.booleans(),
            value_names=st.lists(st.sampled_from(["Version", "Path"]), max_size=2),
        ),
        max_size=2,
    ),
    billing_info=st.none() | st.booleans(),
)
inventory_syncs = st.one_of(
    st.builds(
        InventorySync.to_new_bucket,
        prefix=st.none() | st.from_regex(r"[a-z0-9]{1,10}(/[a-z0-9]{1,10})?", fullmatch=True),
    ),
    st.builds(
        InventorySync.to_bucket,
        st.from_regex(r"[a-z0-9][a-z0-9-]{2,20}[a-z0-9]", fullmatch=True),
        st.sampled_from(GUIDE_REGIONS),
    ),
)
removal_policies = st.sampled_from(
    [
        cdk.RemovalPolicy.RETAIN,
        cdk.RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
        cdk.RemovalPolicy.DESTROY,
    ]
)


@st.composite
def common_props(draw: Any, targets: Any, configuration_ids: Any) -> dict[str, Any]:
    flags = {key: draw(st.booleans()) for key in OPTION_KEYS}
    enabled = [key for key, on in flags.items() if on]
    schedules = (
        draw(
            st.none()
            | st.dictionaries(
                st.sampled_from(enabled),
                schedule_expressions,
                max_size=3,
            )
        )
        if enabled
        else None
    )
    configuration_id = draw(st.none() | configuration_ids)
    short_id = configuration_id is None or len(configuration_id) <= 43  # it names the sync
    scan_baseline = (
        draw(
            st.none()
            | st.builds(
                ScanBaseline.tagged,
                tag_keys,
                st.lists(tag_values.filter(bool), min_size=1, max_size=3),
            )
        )
        if flags["scan_for_patches"]
        else None
    )
    return flags | {
        "default_host_management": draw(st.booleans()),
        "scan_baseline": scan_baseline,
        "inventory_sync": draw(st.none() | inventory_syncs) if short_id else None,
        "targets": draw(st.none() | targets),
        "schedules": schedules,
        "inventory": draw(st.none() | inventory_settings),
        "cloudwatch_agent_config_parameter": draw(
            st.none()
            | st.from_regex(r"/?[A-Za-z0-9_.-]{1,20}(/[A-Za-z0-9_.-]{1,10})?", fullmatch=True)
        ),
        "allow_policy_attach": draw(st.booleans()),
        "configuration_id": configuration_id,
        "instance_profile_removal_policy": draw(removal_policies),
    }


local_props = common_props(local_targets, st.from_regex(r"[A-Za-z0-9_.-]{1,64}", fullmatch=True))


@st.composite
def organization_props(draw: Any) -> dict[str, Any]:
    regions = draw(st.lists(st.sampled_from(GUIDE_REGIONS), min_size=1, max_size=3, unique=True))
    with_counts = draw(st.booleans())
    rollout = RolloutPreferences(
        region_concurrency_type=draw(st.sampled_from(["PARALLEL", "SEQUENTIAL"])),
        region_order=draw(st.none() | st.permutations(regions)),
        max_concurrent_count=draw(st.integers(1, 50)) if with_counts else None,
        max_concurrent_percentage=None if with_counts else draw(st.none() | st.integers(1, 100)),
        failure_tolerance_count=draw(st.integers(0, 10)) if with_counts else None,
        failure_tolerance_percentage=(
            None if with_counts else draw(st.none() | st.integers(0, 100))
        ),
        concurrency_mode="SOFT_FAILURE_TOLERANCE",
    )
    return draw(
        common_props(organization_targets, st.from_regex(r"[A-Za-z0-9-]{1,40}", fullmatch=True))
    ) | {
        "organizational_unit_ids": draw(
            st.lists(
                st.from_regex(r"ou-[0-9a-z]{4,8}-[a-z0-9]{8,10}", fullmatch=True)
                | st.from_regex(r"r-[0-9a-z]{4,8}", fullmatch=True),
                min_size=1,
                max_size=3,
                unique=True,
            )
        ),
        "regions": regions,
        "account_count": draw(st.integers(0, GUIDE_TARGET_LIMIT // len(regions))),
        "home_region": draw(st.none() | st.sampled_from(GUIDE_REGIONS)),
        "rollout": rollout,
        "call_as": draw(st.sampled_from(["SELF", "DELEGATED_ADMIN"])),
        "retain_stacks_on_account_removal": draw(st.booleans()),
        "organization_id": draw(st.from_regex(r"o-[a-z0-9]{10,12}", fullmatch=True)),
    }


@settings(BASE, max_examples=SYNTH_EXAMPLES, phases=NO_SHRINKING)
@given(props=local_props, concrete_env=st.booleans(), flag_set=st.sampled_from(FLAG_SET_NAMES))
def test_any_valid_local_configuration_passes_cfn_lint(props, concrete_env, flag_set):
    stack = cdk.Stack(new_app(flag_set), "Stack", env=ENV if concrete_env else None)
    QuickSetupLocal(stack, "QuickSetup", **props)
    assert lint_findings(Template.from_stack(stack).to_json()) == []


@settings(BASE, max_examples=SYNTH_EXAMPLES, phases=NO_SHRINKING)
@given(props=organization_props(), flag_set=st.sampled_from(FLAG_SET_NAMES))
def test_any_valid_organization_configuration_passes_cfn_lint(props, flag_set):
    stack = cdk.Stack(new_app(flag_set), "Org", env=ENV)
    org = QuickSetupOrganization(stack, "OrgQuickSetup", **props)
    assert lint_findings(Template.from_stack(stack).to_json()) == []
    assert lint_findings(org.account_template, org.home_region) == []
    assert lint_findings(org.regional_template, props["regions"][0]) == []


# Invalid values: each is rejected with the typed error naming the prop

not_bool = st.one_of(st.none(), st.integers(), st.text(max_size=5), st.lists(st.booleans()))
not_string = st.one_of(
    st.integers(),
    st.booleans(),
    st.lists(st.text(max_size=3), min_size=1),
    st.dictionaries(st.text(max_size=3), st.text(max_size=3), min_size=1),
)


def _not_matching(pattern: str) -> Any:
    return st.text(max_size=70).filter(lambda text: not re.fullmatch(pattern, text)) | not_string


bad_schedules = st.one_of(
    st.integers(1, 29).map(lambda n: f"rate({n} minutes)"),
    st.integers(31, 400).map(lambda n: f"rate({n} days)"),
    st.integers(2, 30).map(lambda n: f"rate({n} day)"),
    st.text(max_size=20).filter(lambda text: not text.startswith(("rate(", "cron(", "at("))),
    st.builds(lambda minute: f"cron({minute} 2 * * SUN *)", st.integers(0, 59)),
)

LOCAL_INVALID = {
    **{key: not_bool for key in OPTION_KEYS},
    "allow_policy_attach": not_bool,
    "targets": st.one_of(st.text(max_size=10), st.integers(), st.lists(st.text(max_size=3))),
    "configuration_id": _not_matching(r"[A-Za-z0-9_.-]{1,64}"),
    "cloudwatch_agent_config_parameter": _not_matching(r"[a-zA-Z0-9_.\-/]{1,2048}"),
    "schedules": st.one_of(
        st.dictionaries(
            st.text(max_size=10).filter(lambda key: key not in OPTION_KEYS),
            schedule_expressions,
            min_size=1,
        ),
        st.builds(lambda expression: {"scan_for_patches": expression}, bad_schedules),
        st.lists(schedule_expressions, min_size=1),
    ),
    "inventory": st.one_of(
        st.dictionaries(st.text(max_size=5), st.text(max_size=5)),
        st.text(max_size=5),
        st.builds(InventorySettings, files=st.just([InventoryFilePath("/x", [])])),
        st.builds(InventorySettings, billing_info=st.integers() | st.text(max_size=3)),
        st.builds(
            InventorySettings,
            windows_registry=st.lists(
                st.builds(
                    InventoryRegistryKey,
                    path=st.text(max_size=10).filter(
                        lambda path: not re.fullmatch(r"(HKEY_[A-Z_]+|HK(LM|CU|CR|U|CC))\\.*", path)
                    ),
                ),
                min_size=1,
                max_size=2,
            ),
        ),
    ),
    "instance_profile_role": not_string,
    "service_role": not_string,
    "instance_profile_removal_policy": st.one_of(
        st.just(cdk.RemovalPolicy.SNAPSHOT), st.text(max_size=10), st.none(), st.integers()
    ),
}

# A Region outside the guide's list is a warning, not an error: only what is not written as a
# Region code is refused.
_REGION_CODE = r"[a-z]{2}(-[a-z]+)+-[0-9]{1,2}"
ORGANIZATION_INVALID = {
    "organizational_unit_ids": st.one_of(
        st.lists(
            _not_matching(r"ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32}"),
            min_size=1,
            max_size=3,
        ),
        st.just([]),
        st.text(max_size=10),
        st.none(),
    ),
    "regions": st.one_of(
        st.lists(_not_matching(_REGION_CODE), min_size=1, max_size=3),
        st.just([]),
        st.none(),
        st.text(max_size=10),
    ),
    "home_region": _not_matching(_REGION_CODE),
    "account_count": st.one_of(
        st.integers(max_value=-1),
        st.floats(allow_nan=False),
        st.text(max_size=5),
        st.booleans(),
        st.integers(GUIDE_TARGET_LIMIT + 1, 10**6),
    ),
    "call_as": st.text(max_size=20).filter(lambda text: text not in ("SELF", "DELEGATED_ADMIN"))
    | st.none(),
    "retain_stacks_on_account_removal": not_bool,
    "configuration_id": _not_matching(r"[A-Za-z0-9-]{1,40}"),
    "targets": st.builds(InstanceTargets.instance_ids, instance_ids) | st.text(max_size=5),
    "rollout": st.one_of(
        st.builds(RolloutPreferences, max_concurrent_count=st.integers(max_value=0)),
        st.builds(RolloutPreferences, failure_tolerance_percentage=st.integers(101, 1000)),
        st.builds(RolloutPreferences, region_concurrency_type=st.text(max_size=8)),
        st.dictionaries(st.text(max_size=5), st.integers(), min_size=1),
    ),
    **{
        key: LOCAL_INVALID[key]
        for key in (
            *OPTION_KEYS,
            "allow_policy_attach",
            "cloudwatch_agent_config_parameter",
            "schedules",
            "inventory",
            "instance_profile_removal_policy",
        )
    },
}
VALID_ORGANIZATION = {
    "organizational_unit_ids": ["ou-abcd-11112222"],
    "regions": ["us-east-1"],
    "account_count": 3,
}


def _assert_rejected(construct: type, base: dict[str, Any], prop: str, value: Any) -> None:
    stack = cdk.Stack(new_app(), "Stack")
    with pytest.raises(QuickSetupValidationError) as raised:
        construct(stack, "QuickSetup", **(base | {prop: value}))
    # The prop itself, or a part of it: targets.tag.key, schedules['scan_for_patches'], ...
    assert re.match(rf"{re.escape(prop)}([.\[][^:]*)?: ", str(raised.value)), str(raised.value)
    assert stack.node.children == []


@settings(BASE, max_examples=REJECT_EXAMPLES)
@given(data=st.data(), prop=st.sampled_from(sorted(LOCAL_INVALID)))
def test_random_invalid_local_props_are_rejected(data, prop):
    _assert_rejected(QuickSetupLocal, {}, prop, data.draw(LOCAL_INVALID[prop], label=prop))


@settings(BASE, max_examples=REJECT_EXAMPLES)
@given(data=st.data(), prop=st.sampled_from(sorted(ORGANIZATION_INVALID)))
def test_random_invalid_organization_props_are_rejected(data, prop):
    value = data.draw(ORGANIZATION_INVALID[prop], label=prop)
    _assert_rejected(QuickSetupOrganization, VALID_ORGANIZATION, prop, value)


# The 2,000-target limit at its boundary: accounts × Regions, one stack instance each

guide_region_lists = st.lists(
    st.sampled_from(GUIDE_REGIONS), min_size=1, max_size=len(GUIDE_REGIONS), unique=True
)


@settings(BASE, max_examples=BOUNDARY_EXAMPLES, phases=NO_SHRINKING)
# The explicit pairs: exactly 2,000 targets accepted, 2,001 rejected.
@example(regions=GUIDE_REGIONS[:1], one_more=False)  # 2,000 accounts × 1 Region = 2,000
@example(regions=GUIDE_REGIONS[:1], one_more=True)  # 2,001 accounts × 1 Region = 2,001
@example(regions=GUIDE_REGIONS[:5], one_more=False)  # 400 accounts × 5 Regions = 2,000
@example(regions=GUIDE_REGIONS[:3], one_more=True)  # 667 accounts × 3 Regions = 2,001
@example(regions=GUIDE_REGIONS, one_more=False)  # 133 accounts × 15 Regions = 1,995
@example(regions=GUIDE_REGIONS, one_more=True)  # 134 accounts × 15 Regions = 2,010
@given(regions=guide_region_lists, one_more=st.booleans())
def test_organization_targets_are_accounts_times_regions_and_at_most_2000(regions, one_more):
    """For any set of Organization Quick Setup Regions, the most accounts that still fit
    (2,000 // Regions) are accepted, and one account more is rejected naming account_count."""
    accounts = GUIDE_TARGET_LIMIT // len(regions) + int(one_more)
    targets = accounts * len(regions)
    props = {"organizational_unit_ids": ["ou-abcd-11112222"], "regions": regions}
    if targets <= GUIDE_TARGET_LIMIT:
        stack = cdk.Stack(new_app(), "Org", env=ENV)
        org = QuickSetupOrganization(stack, "OrgQuickSetup", account_count=accounts, **props)
        assert org.account_count == accounts
        return
    assert targets - len(regions) <= GUIDE_TARGET_LIMIT < targets  # just above the boundary
    _assert_rejected(QuickSetupOrganization, props, "account_count", accounts)


@settings(BASE, max_examples=REJECT_EXAMPLES)
@example(regions=GUIDE_REGIONS[:1], extra=1)  # 2,001 accounts × 1 Region = 2,001
@example(regions=GUIDE_REGIONS[:3], extra=1)  # 667 accounts × 3 Regions = 2,001
@given(regions=guide_region_lists, extra=st.integers(1, 5000))
def test_fails_when_accounts_times_regions_exceeds_2000(regions, extra):
    """Cheap (nothing is synthesized), so many examples: any account count above the boundary
    is rejected, with a message that gives the number of targets."""
    accounts = GUIDE_TARGET_LIMIT // len(regions) + extra
    stack = cdk.Stack(new_app(), "Stack")
    with pytest.raises(QuickSetupValidationError) as raised:
        QuickSetupOrganization(
            stack,
            "QuickSetup",
            organizational_unit_ids=["ou-abcd-11112222"],
            regions=regions,
            account_count=accounts,
        )
    message = str(raised.value)
    assert message.startswith("account_count: "), message
    assert f"{accounts * len(regions):,} targets" in message, message
    assert stack.node.children == []
