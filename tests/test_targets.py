"""Every targeting mode, rendered for Command documents and for the Automation runbook."""

import string
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quicksetup_constructs import InstanceTargets, QuickSetupValidationError
from quicksetup_constructs.overlap import AssociationTargets

from .support import association, local_template

IDS = ["i-0123456789abcdef0", "i-0fedcba9876543210"]

CASES = {
    "all": (InstanceTargets.all_instances(), ("InstanceIds", ["*"]), ("InstanceIds", ["*"])),
    "tag": (InstanceTargets.tag("Env", "prod"), ("tag:Env", ["prod"]), ("tag:Env", ["prod"])),
    "tag-key": (InstanceTargets.tag("Patch"), ("tag-key", ["Patch"]), ("tag-key", ["Patch"])),
    "ids": (InstanceTargets.instance_ids(IDS), ("InstanceIds", IDS), ("ParameterValues", IDS)),
    "group": (
        InstanceTargets.resource_group("web"),
        ("resource-groups:Name", ["web"]),
        ("ResourceGroup", ["web"]),
    ),
}


@pytest.mark.parametrize("mode", CASES)
def test_targets_are_rendered_for_command_and_automation_documents(mode):
    targets, command, automation = CASES[mode]
    template = local_template(targets=targets)
    for name in ("UpdateSSMAgent", "CollectInventory", "ScanForPatches"):
        properties = association(template, f"QuickSetup-{name}-")
        assert properties["Targets"] == [{"Key": command[0], "Values": command[1]}]
    attach = association(template, "QuickSetup-AttachInstanceProfile-")
    assert attach["Targets"] == [{"Key": automation[0], "Values": automation[1]}]


def test_fifty_instance_ids_are_accepted():
    ids = [f"i-{n:017x}" for n in range(50)]
    assert InstanceTargets.instance_ids(ids) == InstanceTargets.instance_ids(list(ids))


@pytest.mark.parametrize(
    ("build", "prop", "allowed"),
    [
        (
            lambda: InstanceTargets.instance_ids([f"i-{n:017x}" for n in range(51)]),
            "targets.instance_ids",
            "1 to 50 instance ids (got 51)",
        ),
        (
            lambda: InstanceTargets.instance_ids([]),
            "targets.instance_ids",
            "1 to 50 instance ids (got 0)",
        ),
        (
            lambda: InstanceTargets.instance_ids(["i-123"]),
            "targets.instance_ids",
            "8 or 17 lowercase hex digits",
        ),
        (
            lambda: InstanceTargets.instance_ids(["i-0123456789ABCDEF0"]),
            "targets.instance_ids",
            "8 or 17 lowercase hex digits",
        ),
        (
            lambda: InstanceTargets.instance_ids([IDS[0], IDS[0]]),
            "targets.instance_ids",
            "distinct instance ids",
        ),
        (
            lambda: InstanceTargets.instance_ids("i-0123456789abcdef0"),
            "targets.instance_ids",
            "a list of 1 to 50",
        ),
        (lambda: InstanceTargets.tag(""), "targets.tag.key", "a tag key of 1-124"),
        (
            lambda: InstanceTargets.tag("aws:cloudformation:stack-name"),
            "targets.tag.key",
            "not starting with 'aws:'",
        ),
        (lambda: InstanceTargets.tag("Env", "a;b"), "targets.tag.value", "a tag value of 0-256"),
        (lambda: InstanceTargets.tag("K" * 125), "targets.tag.key", "a tag key of 1-124"),
        (
            lambda: InstanceTargets.resource_group("web servers"),
            "targets.resource_group",
            "resource group name",
        ),
        (
            lambda: InstanceTargets.resource_group(""),
            "targets.resource_group",
            "resource group name",
        ),
    ],
)
def test_fails_when_targets_are_invalid(build, prop, allowed):
    with pytest.raises(QuickSetupValidationError) as raised:
        build()
    assert str(raised.value).startswith(f"{prop}: ")
    assert allowed in str(raised.value)


def test_tokens_are_not_validated():
    from aws_cdk import Aws

    token = Aws.STACK_NAME
    assert InstanceTargets.tag(token, token).describe().startswith("tag ")
    assert InstanceTargets.resource_group(token).describe().startswith("resource group")


# --- Several values of one tag key, and the tag key alone --------------------------------------

# User guide, "Understanding targets and rate controls in State Manager associations"
# (https://docs.aws.amazon.com/systems-manager/latest/userguide/systems-manager-state-manager-targets-and-rate-controls.html),
# "Specify tags": "If you specified multiple tag values, the association targets any node with
# at least one of those tag values." API reference, Target
# (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_Target.html), "For State
# Manager: ... Key=tag:tag-key,Values=tag-value-1,tag-value-2"; "For all Systems Manager tools:
# Key=tag-key,Values=tag-value-1,tag-value-2".
TARGET_DOC = "https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_Target.html"


@pytest.fixture(scope="module")
def multi_value_template():
    return local_template(targets=InstanceTargets.tag("Env", "prod", "staging"))


def test_a_tag_with_several_values_targets_any_of_them(multi_value_template):
    for name in ("UpdateSSMAgent", "CollectInventory", "ScanForPatches", "AttachInstanceProfile"):
        properties = association(multi_value_template, f"QuickSetup-{name}-")
        assert properties["Targets"] == [{"Key": "tag:Env", "Values": ["prod", "staging"]}]


def test_a_tag_with_one_value_is_written_as_before():
    assert (
        InstanceTargets.tag("Env", "prod")
        == InstanceTargets.from_association_target("tag:Env", ["prod"])[0]
    )
    assert InstanceTargets.tag("Env", None) == InstanceTargets.tag("Env")


@pytest.mark.parametrize(
    ("values", "allowed"),
    [
        (("prod", "prod"), "distinct tag values"),
        (tuple(f"v{n}" for n in range(51)), "1 to 50 tag values (got 51)"),
        (("prod", "a;b"), "a tag value of 0-256"),
        (("prod", None), "a tag value of 0-256"),
    ],
    ids=["repeated", "fifty-one", "one-bad", "none-among-values"],
)
def test_fails_when_tag_values_are_invalid(values, allowed):
    # TargetValues holds at most 50 values (botocore ssm TargetValues: "max": 50). A value given
    # twice is refused rather than collapsed, as a repeated instance id is: it is most likely a
    # typing slip, and the rendered Values stay exactly what was written.
    with pytest.raises(QuickSetupValidationError) as raised:
        InstanceTargets.tag("Env", *values)
    assert str(raised.value).startswith("targets.tag.value: ")
    assert allowed in str(raised.value)


# --- From an association's Targets: every key, and nothing widened ------------------------------


@pytest.mark.parametrize(
    ("key", "values", "expected"),
    [
        # TARGET_DOC, State Manager: "To target all instances in the AWS Region:
        # Key=InstanceIds,Values=*"
        ("InstanceIds", ["*"], (InstanceTargets.all_instances(),)),
        # TARGET_DOC, Automation: "To target all instances in the AWS Region:
        # Key=AWS::EC2::Instance,Values=*"
        ("AWS::EC2::Instance", ["*"], (InstanceTargets.all_instances(),)),
        ("InstanceIds", IDS, (InstanceTargets.instance_ids(IDS),)),
        # TARGET_DOC, Automation: "Key=ParameterValues,Values=value-1,value-2,value-3"
        ("ParameterValues", IDS, (InstanceTargets.instance_ids(IDS),)),
        ("tag:Env", ["prod", "staging"], (InstanceTargets.tag("Env", "prod", "staging"),)),
        # TARGET_DOC: "Key=tag-key,Values=tag-value-1,tag-value-2": instances with any of the keys
        ("tag-key", ["Patch", "Team"], (InstanceTargets.tag("Patch"), InstanceTargets.tag("Team"))),
        ("resource-groups:Name", ["web"], (InstanceTargets.resource_group("web"),)),
        # TARGET_DOC, Automation: "Key=ResourceGroup,Values=resource-group-name"
        ("ResourceGroup", ["web"], (InstanceTargets.resource_group("web"),)),
    ],
    ids=[
        "all",
        "automation-all",
        "ids",
        "parameter-values",
        "tag-values",
        "tag-keys",
        "group",
        "automation-group",
    ],
)
def test_every_association_target_key_is_read_as_what_it_reaches(key, values, expected):
    assert InstanceTargets.from_association_target(key, values) == expected


@pytest.mark.parametrize(
    ("key", "values"),
    [
        ("CloudConnector", ["cc-1"]),  # not an instance
        ("resource-groups:ResourceTypeFilters", ["AWS::EC2::VPC"]),
        ("resource-groups:ResourceTypeFilters", ["AWS::EC2::Instance", "AWS::S3::Bucket"]),
        ("ParameterValues", ["*"]),  # '*' is all only for two keys
        ("AWS::EC2::Instance", IDS),
        ("InstanceIds", []),  # no value: unknown reach
        ("resource-groups:Name", ["web", "db"]),
        ("tag:", ["prod"]),
        ("Environment", ["prod"]),
    ],
    ids=[
        "cloud-connector",
        "type-filter-vpc",
        "type-filter-two",
        "parameter-values-star",
        "ec2-instance-ids",
        "no-values",
        "two-groups",
        "tag-without-key",
        "unknown-key",
    ],
)
def test_fails_for_a_target_it_cannot_read_never_taking_it_for_all_instances(key, values):
    with pytest.raises(QuickSetupValidationError) as raised:
        InstanceTargets.from_association_target(key, values)
    assert str(raised.value).startswith(f"Targets[{key}]: ")


def test_a_resource_type_filter_of_instances_narrows_its_resource_group():
    """Key=resource-groups:ResourceTypeFilters,Values=AWS::EC2::Instance (TARGET_DOC's example
    filters a group by resource type): beside a group, it reaches the group's instances."""
    reach = AssociationTargets.parse(
        [
            ("resource-groups:Name", ["web"]),
            ("resource-groups:ResourceTypeFilters", ["AWS::EC2::Instance"]),
        ]
    )
    assert not reach.is_all_instances
    assert reach.can_overlap(AssociationTargets.parse([("resource-groups:Name", ["web"])]))
    assert reach.can_overlap(AssociationTargets.parse([("InstanceIds", ["*"])]))
    with pytest.raises(QuickSetupValidationError, match=r"^targets: "):
        reach.entries[1][0].python_expression()  # no factory writes a type filter


# --- The factory call, as Python source (what `quicksetup import` writes) ---------------------


@pytest.mark.parametrize(
    ("targets", "source"),
    [
        (InstanceTargets.all_instances(), "InstanceTargets.all_instances()"),
        (
            InstanceTargets.tag("Env", "prod", "staging"),
            "InstanceTargets.tag('Env', 'prod', 'staging')",
        ),
        (InstanceTargets.tag("Patch"), "InstanceTargets.tag('Patch')"),
        (InstanceTargets.tag("Env", ""), "InstanceTargets.tag('Env', '')"),
        (InstanceTargets.instance_ids(IDS), f"InstanceTargets.instance_ids({IDS!r})"),
        (InstanceTargets.resource_group("web"), "InstanceTargets.resource_group('web')"),
    ],
)
def test_python_expression_is_the_factory_call(targets, source):
    assert targets.python_expression() == source
    assert eval(source, {"InstanceTargets": InstanceTargets}) == targets


_TAG_CHARS = string.ascii_letters + string.digits + "_ .:/=+@-"
_tag_keys = st.text(_TAG_CHARS, min_size=1, max_size=12).filter(lambda k: not k.startswith("aws:"))
_tag_values = st.text(_TAG_CHARS, max_size=12)


@settings(max_examples=60, deadline=None)
@given(
    st.one_of(
        st.builds(
            lambda key, values: ("tag:" + key, values),
            _tag_keys,
            st.lists(_tag_values, min_size=1, max_size=5, unique=True),
        ),
        st.builds(lambda keys: ("tag-key", keys), st.lists(_tag_keys, min_size=1, max_size=3)),
        st.builds(
            lambda ids: ("InstanceIds", ids),
            st.lists(
                st.from_regex(r"i-[0-9a-f]{17}", fullmatch=True),
                min_size=1,
                max_size=5,
                unique=True,
            ),
        ),
        st.builds(
            lambda name: ("ResourceGroup", [name]),
            st.text(string.ascii_letters + "_.-", min_size=1, max_size=20),
        ),
    )
)
def test_python_expression_rebuilds_exactly_what_an_association_reaches(target):
    key, values = target
    for read in InstanceTargets.from_association_target(key, values):
        rebuilt = eval(read.python_expression(), {"InstanceTargets": InstanceTargets})
        assert rebuilt == read


@pytest.mark.parametrize(
    ("key", "values"),
    [
        ("tag:aws:cloudformation:stack-name", ["web"]),  # AWS accepts it; the factory does not
        ("InstanceIds", ["mi-0123456789abcdef0"]),  # a hybrid node: not an EC2 instance id
    ],
    ids=["aws-tag", "hybrid-node"],
)
def test_python_expression_refuses_what_no_factory_builds(key, values):
    [read] = InstanceTargets.from_association_target(key, values)
    with pytest.raises(QuickSetupValidationError):
        read.python_expression()


# --- Overlap of tag targets (several values, or none) -----------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        (
            InstanceTargets.tag("Env", "prod", "staging"),
            InstanceTargets.tag("Env", "staging"),
            True,
        ),
        (
            InstanceTargets.tag("Env", "prod", "staging"),
            InstanceTargets.tag("Env", "dev", "qa"),
            False,
        ),
        (InstanceTargets.tag("Env", "prod"), InstanceTargets.tag("Env"), True),  # no values: any
        (InstanceTargets.tag("Env"), InstanceTargets.tag("Env"), True),
        (InstanceTargets.tag("Env", "prod"), InstanceTargets.tag("Team", "prod"), True),  # two keys
        (InstanceTargets.tag("Env", "prod"), InstanceTargets.tag("Env", "dev"), False),
    ],
    ids=["shared-value", "disjoint-values", "key-only", "both-key-only", "other-key", "one-each"],
)
def test_two_tag_targets_overlap_on_one_key_when_either_has_no_values_or_they_share_one(
    a, b, overlap
):
    assert a.can_overlap(b) is overlap
    assert b.can_overlap(a) is overlap


def test_targets_import_no_cdk():
    """The importer and the option catalogue read targets without loading the CDK."""
    code = (
        "import sys; from quicksetup_constructs.targets import InstanceTargets as T; "
        "T.from_association_target('tag:Env', ['a', 'b'])[0].python_expression(); "
        "print('aws_cdk' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    "targets",
    [
        [("CloudConnector", ["x"])],
        [("tag:Env", [])],
        [("ParameterValues", ["*"])],
    ],
)
def test_an_existing_associations_unreadable_targets_may_reach_any_instance(targets):
    # Never widen on fall-through, and never narrow either: what preflight cannot read of an
    # association that already exists is taken to reach any instance, but not all of them.
    with pytest.raises(QuickSetupValidationError):
        AssociationTargets.parse(targets)
    reach = AssociationTargets.read(targets)
    assert not reach.is_all_instances
    assert reach.can_overlap(AssociationTargets.parse([("tag:Env", ["prod"])]))
    assert reach.can_overlap(AssociationTargets.parse([("InstanceIds", ["i-0123456789abcdef0"])]))
