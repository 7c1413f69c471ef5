"""Every targeting mode, rendered for Command documents and for the Automation runbook."""

import pytest

from quicksetup_constructs import InstanceTargets, QuickSetupValidationError

from .support import association, local_template

IDS = ["i-0123456789abcdef0", "i-0fedcba9876543210"]

CASES = {
    "all": (InstanceTargets.all_instances(), ("InstanceIds", ["*"]), ("InstanceIds", ["*"])),
    "tag": (InstanceTargets.tag("Env", "prod"), ("tag:Env", ["prod"]), ("tag:Env", ["prod"])),
    "tag-key": (InstanceTargets.tag("Patch"), ("tag-key", ["Patch"]), ("tag-key", ["Patch"])),
    "ids": (InstanceTargets.instance_ids(IDS), ("InstanceIds", IDS), ("ParameterValues", IDS)),
    "group": (InstanceTargets.resource_group("web"), ("resource-groups:Name", ["web"]), ("ResourceGroup", ["web"])),
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
        (lambda: InstanceTargets.instance_ids([f"i-{n:017x}" for n in range(51)]), "targets.instance_ids", "1 to 50 instance ids (got 51)"),
        (lambda: InstanceTargets.instance_ids([]), "targets.instance_ids", "1 to 50 instance ids (got 0)"),
        (lambda: InstanceTargets.instance_ids(["i-123"]), "targets.instance_ids", "8 or 17 lowercase hex digits"),
        (lambda: InstanceTargets.instance_ids(["i-0123456789ABCDEF0"]), "targets.instance_ids", "8 or 17 lowercase hex digits"),
        (lambda: InstanceTargets.instance_ids([IDS[0], IDS[0]]), "targets.instance_ids", "distinct instance ids"),
        (lambda: InstanceTargets.instance_ids("i-0123456789abcdef0"), "targets.instance_ids", "a list of 1 to 50"),
        (lambda: InstanceTargets.tag(""), "targets.tag.key", "a tag key of 1-124"),
        (lambda: InstanceTargets.tag("aws:cloudformation:stack-name"), "targets.tag.key", "not starting with 'aws:'"),
        (lambda: InstanceTargets.tag("Env", "a;b"), "targets.tag.value", "a tag value of 0-256"),
        (lambda: InstanceTargets.tag("K" * 125), "targets.tag.key", "a tag key of 1-124"),
        (lambda: InstanceTargets.resource_group("web servers"), "targets.resource_group", "resource group name"),
        (lambda: InstanceTargets.resource_group(""), "targets.resource_group", "resource group name"),
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
