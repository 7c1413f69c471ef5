"""Integration test (opt-in): QuickSetupOrganization over one OU and one Region.

Deployed from the management account (or a delegated administrator). Set, to run it with
``make integ``:

- ``QUICKSETUP_INTEG_ORG_OU``: the OU (``ou-...``), holding only the member account;
- ``QUICKSETUP_INTEG_MEMBER_ACCOUNT``: that account;
- ``QUICKSETUP_INTEG_MEMBER_ROLE``: a role of the member account that the caller may assume
  and that may read State Manager and delete IAM roles and instance profiles (for instance
  ``OrganizationAccountAccessRole``);
- ``QUICKSETUP_INTEG_ORG_CALL_AS``: ``SELF`` (default) or ``DELEGATED_ADMIN``.

The Region is the one the test is deployed to (``AWS_REGION``). With none of these variables set
the app synthesizes with placeholders, which is what its committed snapshot holds; with some of
them set, building it fails and names the first one missing.

Asserted: the stack instance of both StackSets in the member account reaches ``CURRENT`` with
``SUCCEEDED``; then a hook (``member_association.py``) assumes the member role and waits for
the configuration's Explorer association there to reach Success (it runs once, with no targets,
so it needs no instance in the member account). Around the destroy, ``teardown.py`` notes what
the assertion stack leaves, then deletes what the StackSet retains in the member account.
"""

from __future__ import annotations

import os

import aws_cdk as cdk
from aws_cdk import cloud_assembly_schema as schema
from aws_cdk.integ_tests_alpha import ExpectedResult, IntegTest, Match
from harness import integ_app

from quicksetup_constructs import QuickSetupOrganization

STACK, ASSERTIONS_STACK = "QuickSetupIntegOrganization", "QuickSetupIntegOrganizationAssertions"
CONFIGURATION_ID = "integ-org"
PLACEHOLDERS = {
    "QUICKSETUP_INTEG_ORG_OU": "ou-abcd-11112222",
    "QUICKSETUP_INTEG_MEMBER_ACCOUNT": "111111111111",
    "QUICKSETUP_INTEG_MEMBER_ROLE": "OrganizationAccountAccessRole",
    "QUICKSETUP_INTEG_ORG_CALL_AS": "SELF",
    "AWS_REGION": "us-east-1",
}
"""Every setting of the app, with the value the offline snapshot holds."""
OPT_IN = (
    "QUICKSETUP_INTEG_ORG_OU",
    "QUICKSETUP_INTEG_MEMBER_ACCOUNT",
    "QUICKSETUP_INTEG_MEMBER_ROLE",
    "QUICKSETUP_INTEG_ORG_CALL_AS",
)
"""The variables that say the app runs on an account: with any of them set, no placeholder."""
DEFAULTS = {"QUICKSETUP_INTEG_ORG_CALL_AS": "SELF"}
"""The settings that may be left unset on an account."""


def settings() -> dict[str, str]:
    """Every name of :data:`PLACEHOLDERS` with its value: the placeholders when no variable of
    :data:`OPT_IN` is set; otherwise the environment's, or :data:`DEFAULTS`. Raises
    ``ValueError`` naming the first required variable that is unset."""
    if not any(os.environ.get(name) for name in OPT_IN):
        return dict(PLACEHOLDERS)
    found = {}
    for name in PLACEHOLDERS:
        found[name] = os.environ.get(name) or DEFAULTS.get(name, "")
        if not found[name]:
            raise ValueError(
                f"{name} is not set: the organization integration test runs on an account once "
                f"any of {', '.join(OPT_IN)} is set, and then needs it"
            )
    return found


def build(app: cdk.App) -> IntegTest:
    """The organization stack and its assertions in ``app``."""
    setting = settings()
    region, member, role, call_as = (
        setting["AWS_REGION"],
        setting["QUICKSETUP_INTEG_MEMBER_ACCOUNT"],
        setting["QUICKSETUP_INTEG_MEMBER_ROLE"],
        setting["QUICKSETUP_INTEG_ORG_CALL_AS"],
    )
    stack = cdk.Stack(app, STACK)
    organization = QuickSetupOrganization(
        stack,
        "QuickSetup",
        organizational_unit_ids=[setting["QUICKSETUP_INTEG_ORG_OU"]],
        regions=[region],
        account_count=1,
        configuration_id=CONFIGURATION_ID,
        call_as=call_as,
    )
    # Covered by QuickSetupLocal in the local integration test, not here.
    cdk.Annotations.of(organization).acknowledge_warning(
        "quicksetup:management-account-not-targeted", "The test targets one member account."
    )

    assertions = cdk.Stack(app, ASSERTIONS_STACK)
    explorer_succeeds = (
        f"python3 member_association.py {member} {role} {region} "
        f"QuickSetup-EnableExplorer-{CONFIGURATION_ID}"
    )
    after_destroy = (
        f"python3 teardown.py organization-after-destroy {member} {role} {region} "
        f"{CONFIGURATION_ID}"
    )
    integ = IntegTest(
        app,
        "QuickSetupOrganizationInteg",
        test_cases=[stack],
        stack_update_workflow=False,
        assertion_stack=assertions,
        hooks=schema.Hooks(
            post_deploy=[explorer_succeeds],
            pre_destroy=[
                f"python3 teardown.py organization-before-destroy {assertions.stack_name}"
            ],
            post_destroy=[after_destroy],
        ),
    )
    # CloudFormation API reference, ListStackInstances: each StackInstanceSummary has Account,
    # Region, Status (CURRENT once the stack instance is up to date with the StackSet) and
    # StackInstanceStatus.DetailedStatus (SUCCEEDED once its operation succeeded), among other
    # members; every element of the array_with is therefore an object_like.
    for stack_set in (organization.account_stack_set, organization.regional_stack_set):
        integ.assertions.aws_api_call(
            "CloudFormation",
            "listStackInstances",
            {
                "StackSetName": stack_set.stack_set_name,
                "CallAs": call_as,
                "StackInstanceAccount": member,
                "StackInstanceRegion": region,
            },
        ).expect(
            ExpectedResult.object_like(
                {
                    "Summaries": Match.array_with(
                        [
                            Match.object_like(
                                {
                                    "Account": member,
                                    "Region": region,
                                    "Status": "CURRENT",
                                    "StackInstanceStatus": Match.object_like(
                                        {"DetailedStatus": "SUCCEEDED"}
                                    ),
                                }
                            )
                        ]
                    ),
                }
            )
        ).wait_for_assertions(
            interval=cdk.Duration.seconds(30), total_timeout=cdk.Duration.minutes(30)
        )
    return integ


if __name__ == "__main__":
    application = integ_app()
    build(application)
    application.synth()
