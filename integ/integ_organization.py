"""Integration test (opt-in): QuickSetupOrganization over one OU and one Region.

Deployed from the management account (or a delegated administrator). Set, to run it with
``make integ``:

- ``QUICKSETUP_INTEG_ORG_OU``: the OU (``ou-...``), holding at least the member account;
- ``QUICKSETUP_INTEG_MEMBER_ACCOUNT``: an account of that OU;
- ``QUICKSETUP_INTEG_MEMBER_ROLE``: a role of the member account that the caller may assume
  and that may read State Manager (default ``OrganizationAccountAccessRole``);
- ``QUICKSETUP_INTEG_ORG_CALL_AS``: ``SELF`` (default) or ``DELEGATED_ADMIN``.

The Region is the one the test is deployed to (``AWS_REGION``). Without these variables the app
synthesizes with placeholders, which is what its committed snapshot holds.

Asserted: the stack instance of both StackSets in the member account reaches ``CURRENT`` with
``SUCCEEDED``; then a hook (``member_association.py``) assumes the member role and waits for
the configuration's Explorer association there to reach Success (it runs once, with no targets,
so it needs no instance in the member account).
"""

from __future__ import annotations

import os

import aws_cdk as cdk
from aws_cdk import cloud_assembly_schema as schema
from aws_cdk.integ_tests_alpha import ExpectedResult, IntegTest, Match
from harness import integ_app

from quicksetup_constructs import QuickSetupOrganization

STACK = "QuickSetupIntegOrganization"
CONFIGURATION_ID = "integ-org"
PLACEHOLDERS = {
    "QUICKSETUP_INTEG_ORG_OU": "ou-abcd-11112222",
    "QUICKSETUP_INTEG_MEMBER_ACCOUNT": "111111111111",
    "QUICKSETUP_INTEG_MEMBER_ROLE": "OrganizationAccountAccessRole",
    "QUICKSETUP_INTEG_ORG_CALL_AS": "SELF",
    "AWS_REGION": "us-east-1",
}


def setting(name: str) -> str:
    """The environment variable ``name``, or its placeholder."""
    return os.environ.get(name) or PLACEHOLDERS[name]


def build(app: cdk.App) -> IntegTest:
    """The organization stack and its assertions in ``app``."""
    region, member, call_as = (
        setting("AWS_REGION"), setting("QUICKSETUP_INTEG_MEMBER_ACCOUNT"),
        setting("QUICKSETUP_INTEG_ORG_CALL_AS"),
    )
    stack = cdk.Stack(app, STACK)
    organization = QuickSetupOrganization(
        stack, "QuickSetup", organizational_unit_ids=[setting("QUICKSETUP_INTEG_ORG_OU")],
        regions=[region], account_count=1, configuration_id=CONFIGURATION_ID, call_as=call_as,
    )
    # Covered by QuickSetupLocal in the local integration test, not here.
    cdk.Annotations.of(organization).acknowledge_warning(
        "quicksetup:management-account-not-targeted", "The test targets one member account."
    )

    integ = IntegTest(
        app, "QuickSetupOrganizationInteg", test_cases=[stack], stack_update_workflow=False,
        hooks=schema.Hooks(post_deploy=[(
            f"python3 member_association.py {member} {setting('QUICKSETUP_INTEG_MEMBER_ROLE')} "
            f"{region} QuickSetup-EnableExplorer-{CONFIGURATION_ID}"
        )]),
    )
    # CloudFormation API reference, ListStackInstances: each StackInstanceSummary has Account,
    # Region, Status (CURRENT once the stack instance is up to date with the StackSet) and
    # StackInstanceStatus.DetailedStatus (SUCCEEDED once its operation succeeded).
    for stack_set in (organization.account_stack_set, organization.regional_stack_set):
        integ.assertions.aws_api_call("CloudFormation", "listStackInstances", {
            "StackSetName": stack_set.stack_set_name, "CallAs": call_as,
            "StackInstanceAccount": member, "StackInstanceRegion": region,
        }).expect(ExpectedResult.object_like({
            "Summaries": Match.array_with([{
                "Account": member, "Region": region, "Status": "CURRENT",
                "StackInstanceStatus": {"DetailedStatus": "SUCCEEDED"},
            }]),
        })).wait_for_assertions(
            interval=cdk.Duration.seconds(30), total_timeout=cdk.Duration.minutes(30)
        )
    return integ


if __name__ == "__main__":
    application = integ_app()
    build(application)
    application.synth()
