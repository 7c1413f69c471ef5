"""Explorer's organization-wide resource data sync (``explorer_organization_sync=True``).

Sources (quoted next to each expectation below):

- [CFN] CloudFormation template reference, AWS::SSM::ResourceDataSync ``SyncSource``:
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ssm-resourcedatasync-syncsource.html
  and ``AwsOrganizationsSource``:
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ssm-resourcedatasync-awsorganizationssource.html
- [API] Systems Manager API reference, CreateResourceDataSync:
  https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreateResourceDataSync.html
  and the ``ssm`` service model botocore ships (``ResourceDataSyncOrganizationalUnitId``).
- [SYNC] Systems Manager user guide, "Setting up Systems Manager Explorer to display data from
  multiple accounts and Regions":
  https://docs.aws.amazon.com/systems-manager/latest/userguide/Explorer-resource-data-sync.html
"""

from __future__ import annotations

import inspect
import json
from types import SimpleNamespace
from typing import Any

import aws_cdk as cdk
import botocore.session
import pytest

from quicksetup_constructs import QuickSetupOrganization, QuickSetupValidationError

from .apps import FLAG_SET_NAMES, new_app
from .support import lint_findings, nag_packs, violations

ACCOUNT = "111111111111"
ENV = cdk.Environment(account=ACCOUNT, region="us-east-1")
OUS = ["ou-abcd-11112222", "ou-abcd-33334444"]
ROOT = "r-abcd"
REGIONS = ["us-east-1", "ap-northeast-1"]
SYNC = "AWS::SSM::ResourceDataSync"
OUS_SYNC_ID = "OrgQuickSetupExplorerOrganizationSyncB86E872A"
ROOT_SYNC_ID = "RootQuickSetupExplorerOrganizationSync364A3257"
"""Logical IDs are public API: these are pinned."""


def _organization(scope: cdk.Stack, construct_id: str, **props: Any) -> QuickSetupOrganization:
    return QuickSetupOrganization(
        scope,
        construct_id,
        **({"organizational_unit_ids": OUS, "regions": REGIONS, "account_count": 40} | props),
    )


def _template(stack: cdk.Stack) -> dict[str, Any]:
    return cdk.assertions.Template.from_stack(stack).to_json()


def _syncs(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {i: r for i, r in template["Resources"].items() if r["Type"] == SYNC}


@pytest.fixture(scope="module", params=FLAG_SET_NAMES)
def app(request: pytest.FixtureRequest, tmp_path_factory) -> SimpleNamespace:
    """Two configurations with the sync, one over OUs and one over the root (without
    enable_explorer), each in a stack of its own, synthesized under cdk-nag, under each feature
    flag set (tests/apps.py)."""
    outdir = tmp_path_factory.mktemp("explorer")
    app = new_app(request.param, outdir=str(outdir))
    cdk.Validations.of(app).add_plugins(*(pack(app) for pack in nag_packs()))
    org_stack = cdk.Stack(app, "Org", env=ENV)
    ous = _organization(
        org_stack, "OrgQuickSetup", configuration_id="fleet", explorer_organization_sync=True
    )
    root_stack = cdk.Stack(app, "Root", env=ENV)
    root = _organization(
        root_stack,
        "RootQuickSetup",
        organizational_unit_ids=[ROOT],
        configuration_id="everyone",
        enable_explorer=False,
        collect_inventory=False,  # the two would each collect inventory for all instances
        explorer_organization_sync=True,
    )
    try:
        app.synth()
    except RuntimeError as error:  # cdk-nag findings fail synthesis; the report names them
        assert "ValidationFailed" in str(error) or "Validation failed" in str(error), error
    report_path = outdir / "validation-report.json"
    return SimpleNamespace(
        ous=ous,
        root=root,
        ous_template=json.loads((outdir / "Org.template.json").read_text()),
        root_template=json.loads((outdir / "Root.template.json").read_text()),
        report=json.loads(report_path.read_text()) if report_path.exists() else None,
    )


# What is created


def test_a_sync_of_some_ous_gathers_them_in_the_configurations_regions(app):
    # [CFN] SyncSource: "SourceType is either AwsOrganizations (if an organization is present
    # in AWS Organizations) or SingleAccountMultiRegions"; AwsOrganizationsSource:
    # "OrganizationSourceType ... is either OrganizationalUnits or EntireOrganization. For
    # OrganizationalUnits, the data is aggregated from a set of organization units."
    # [API] "Specify SyncFromSource to synchronize data from ... multiple AWS accounts and AWS
    # Regions, as listed in AWS Organizations for Explorer. If you specify SyncFromSource, you
    # must provide a value for SyncSource."
    assert _syncs(app.ous_template) == {
        OUS_SYNC_ID: {
            "Type": SYNC,
            "Properties": {
                "SyncName": "QuickSetup-ExplorerSync-fleet",
                "SyncType": "SyncFromSource",
                "SyncSource": {
                    "SourceType": "AwsOrganizations",
                    "AwsOrganizationsSource": {
                        "OrganizationSourceType": "OrganizationalUnits",
                        "OrganizationalUnits": OUS,
                    },
                    "SourceRegions": REGIONS,
                    # [CFN] IncludeFutureRegions: "Whether to automatically synchronize and
                    # aggregate data from new AWS Regions when those Regions come online": the
                    # configuration covers its own Regions only.
                    "IncludeFutureRegions": False,
                },
            },
        }
    }


def test_a_root_target_syncs_the_entire_organization(app):
    # [CFN] "For EntireOrganization, the data is aggregated from the entire AWS organization."
    # [API] an OU in the sync must match ^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$: a root is no OU.
    unit_id = botocore.session.get_session().get_service_model("ssm")
    assert unit_id.shape_for("ResourceDataSyncOrganizationalUnitId").metadata["pattern"] == (
        "^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$"
    )
    assert _syncs(app.root_template) == {
        ROOT_SYNC_ID: {
            "Type": SYNC,
            "Properties": {
                "SyncName": "QuickSetup-ExplorerSync-everyone",
                "SyncType": "SyncFromSource",
                "SyncSource": {
                    "SourceType": "AwsOrganizations",
                    "AwsOrganizationsSource": {"OrganizationSourceType": "EntireOrganization"},
                    "SourceRegions": REGIONS,
                    "IncludeFutureRegions": False,
                },
            },
        }
    }


def test_the_sync_needs_no_enable_explorer(app):
    # [SYNC] "if you choose one of the AWS Organizations options, then Systems Manager
    # automatically enables all OpsData sources in the selected Regions for all AWS accounts in
    # your organization (or in the selected organizational units)."
    assert "AWS-EnableExplorer" not in json.dumps(app.root.regional_template)
    assert "AWS-EnableExplorer" in json.dumps(app.ous.regional_template)
    assert app.root.explorer_role_name is None
    assert app.root.explorer_sync_name == "QuickSetup-ExplorerSync-everyone"


def test_the_construct_exposes_the_sync_and_its_name_for_get_ops_summary(app):
    assert app.ous.explorer_sync_name == "QuickSetup-ExplorerSync-fleet"
    assert app.ous.explorer_sync is not None
    assert app.ous.explorer_sync.sync_name == app.ous.explorer_sync_name


def test_the_name_of_the_longest_configuration_id_fits_and_passes_cfn_lint():
    # [CFN] SyncName: at most 64 characters (the resource schema cfn-lint checks).
    stack = cdk.Stack(new_app(), "Stack", env=ENV)
    longest = _organization(
        stack, "QuickSetup", configuration_id="x" * 40, explorer_organization_sync=True
    )
    assert lint_findings(_template(stack)) == []
    assert longest.explorer_sync_name is not None and len(longest.explorer_sync_name) == 64


# Opt-in


def test_the_sync_is_off_by_default():
    default = inspect.signature(QuickSetupOrganization.__init__).parameters
    assert default["explorer_organization_sync"].default is False


def test_without_the_flag_the_template_is_the_same_but_for_the_sync():
    templates = {}
    for flag in (None, True):
        stack = cdk.Stack(new_app(), "Stack", env=ENV)
        props = {} if flag is None else {"explorer_organization_sync": flag}
        construct = _organization(stack, "OrgQuickSetup", configuration_id="fleet", **props)
        templates[flag] = _template(stack)
        if flag is None:
            assert construct.explorer_sync is None and construct.explorer_sync_name is None
    assert _syncs(templates[None]) == {}
    with_sync = templates[True]["Resources"]
    del with_sync[OUS_SYNC_ID]
    assert templates[True] == templates[None]


@pytest.mark.parametrize(("flag", "fits"), [(False, True), (True, False)])
def test_the_sync_counts_towards_the_stack_resource_limit(flag, fits):
    # CloudFormation's 500 resources, less CDK's metadata resource and 497 others, leave room
    # for the two StackSets and not for the sync.
    stack = cdk.Stack(new_app(), "Stack", env=ENV)
    for number in range(497):
        cdk.CfnWaitConditionHandle(stack, f"Filler{number}")
    if fits:
        _organization(stack, "QuickSetup", explorer_organization_sync=flag)
        return
    with pytest.raises(QuickSetupValidationError) as raised:
        _organization(stack, "QuickSetup", explorer_organization_sync=flag)
    assert raised.value.prop == "scope"
    assert "this configuration's 3 resources" in str(raised.value)


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_the_flag_takes_true_or_false_only(value):
    stack = cdk.Stack(new_app(), "Stack", env=ENV)
    with pytest.raises(QuickSetupValidationError) as raised:
        _organization(stack, "QuickSetup", explorer_organization_sync=value)
    assert raised.value.prop == "explorer_organization_sync"
    assert stack.node.children == []


# Two configurations of one app


def _second(first_env: cdk.Environment, second_env: cdk.Environment | None, **props: Any):
    """Two configurations with the sync and the same configuration id, over disjoint OUs."""
    app = new_app()
    first = cdk.Stack(app, "First", env=first_env)
    _organization(first, "QuickSetup", configuration_id="fleet", explorer_organization_sync=True)
    second = cdk.Stack(app, "Second", env=second_env)
    return second, lambda: _organization(
        second,
        "QuickSetup",
        organizational_unit_ids=["ou-abcd-55556666"],
        configuration_id="fleet",
        explorer_organization_sync=True,
        **props,
    )


@pytest.mark.parametrize(
    "second_env", [ENV, None], ids=["same-account-and-region", "environment-agnostic"]
)
def test_two_syncs_of_one_name_that_can_meet_are_an_error(second_env):
    # [API] ResourceDataSyncAlreadyExistsException: "A sync configuration with the same name
    # already exists."
    second, build = _second(ENV, second_env)
    with pytest.raises(QuickSetupValidationError) as raised:
        build()
    assert raised.value.prop == "explorer_organization_sync"
    assert "QuickSetup-ExplorerSync-fleet" in str(raised.value)
    assert "First/QuickSetup" in str(raised.value)
    assert second.node.children == []  # nothing half-built


@pytest.mark.parametrize(
    "other",
    [
        cdk.Environment(account="222222222222", region="us-east-1"),
        cdk.Environment(account=ACCOUNT, region="eu-west-1"),
    ],
    ids=["another-account", "another-region"],
)
def test_one_name_in_another_account_or_region_is_no_conflict(other):
    _, build = _second(ENV, other)
    assert build().explorer_sync_name == "QuickSetup-ExplorerSync-fleet"


def test_a_sixth_sync_in_one_account_and_region_is_an_error():
    # [SYNC] "Explorer supports a maximum of five resource data syncs." [API]
    # ResourceDataSyncCountExceededException: "You have exceeded the allowed maximum sync
    # configurations."
    stack = cdk.Stack(new_app(), "Stack", env=ENV)
    for number in range(5):
        _organization(
            stack,
            f"QuickSetup{number}",
            organizational_unit_ids=[f"ou-abcd-{number}0000000"],
            collect_inventory=False,
            explorer_organization_sync=True,
        )
    with pytest.raises(QuickSetupValidationError) as raised:
        _organization(
            stack,
            "QuickSetup5",
            organizational_unit_ids=["ou-abcd-50000000"],
            collect_inventory=False,
            explorer_organization_sync=True,
        )
    assert raised.value.prop == "explorer_organization_sync"
    assert "at most 5" in str(raised.value)
    assert stack.node.try_find_child("QuickSetup5") is None


# Linters


@pytest.mark.parametrize("template", ["ous_template", "root_template"])
def test_the_stacks_pass_cfn_lint(app, template):
    assert lint_findings(getattr(app, template), "us-east-1") == []


def test_the_stacks_pass_both_cdk_nag_packs(app):
    # No report is written when no pack has a finding and no warning is reported
    # (tests/support.py, nag_report).
    assert app.report is None or violations(app.report) == []
