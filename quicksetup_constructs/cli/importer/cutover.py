"""The way from the console's configurations to the generated app, step by step, with what
runs twice while both exist.

What runs twice, from the user guide: an instance takes one *targeted* inventory association;
where a second one reaches it, the one created earlier fails ("Collect inventory every 30
minutes", the important note of Quick Setup Host Management). An instance runs one inventory
association over all instances and shows another as Skipped ("Configuring inventory
collection"). Patch scans of one instance each write its patch compliance, the last one
overwriting the others' ("Avoiding unintentional patch compliance data overwrites").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .console import DEFAULT_HOST_MANAGEMENT, LegacyConfiguration, Manager
from .translate import ImportedConfiguration


@dataclass(frozen=True)
class Step:
    """One step of the cut-over: what to do, the commands, and what to know."""

    title: str
    commands: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def cutover_plan(
    configurations: Sequence[ImportedConfiguration], managers: Sequence[Manager],
    legacy: Sequence[LegacyConfiguration], *, app_file: str, partial: Sequence[Manager] = (),
) -> list[Step]:
    """Deploy the app, then delete what the console made; ``partial`` are managers that hold
    definitions that were not imported (deleting them deletes those too)."""
    stacks = list(dict.fromkeys(configuration.stack for configuration in configurations))
    app = f"python {app_file}"
    steps = [Step(
        "Synthesize the app and check the account for what it will meet",
        [f"cdk synth --app '{app}' --quiet", "quicksetup preflight cdk.out"],
        ["preflight names the console's associations that the new ones will run beside."],
    )]
    host_management = [m for m in managers if not _only_dhmc(m)]
    dhmc = [m for m in managers if _only_dhmc(m)]
    if dhmc:
        steps.append(Step(
            "Delete the console's Default Host Management configurations first",
            [_delete(manager) for manager in dhmc],
            [("Deleting them after the deploy could turn off the setting the app has just set."
              " Instances keep running meanwhile; DHMC is back on with the next step.")],
        ))
    steps.append(Step(
        "Deploy the app",
        [f"cdk deploy --app '{app}' " + " ".join(stacks)],
    ))
    steps.append(Step(
        "Until the console's configurations are deleted, both run",
        notes=_twice(configurations),
    ))
    delete = [_delete(manager) for manager in host_management]
    notes = [
        f"{manager.arn} also holds definitions that were not imported: deleting it deletes "
        "them too; delete only the imported ones in the console instead, if they must stay."
        for manager in partial
    ]
    for configuration in legacy:
        names = ", ".join(a.name for a in configuration.associations)
        notes.append(
            f"Console configuration {configuration.configuration_id} (before configuration "
            f"managers): delete it on the Quick Setup page of the console; its associations "
            f"are {names}."
        )
    if delete or notes:
        steps.append(Step("Delete the console's configurations", delete, notes))
    steps.append(Step(
        "Check every option of the new configurations",
        [f"quicksetup status --stack {stack}" for stack in stacks],
    ))
    return steps


def _only_dhmc(manager: Manager) -> bool:
    return all(d.type == DEFAULT_HOST_MANAGEMENT for d in manager.definitions)


def _delete(manager: Manager) -> str:
    return (f"aws ssm-quicksetup delete-configuration-manager --manager-arn {manager.arn} "
            f"--region {manager.region}")


def _twice(configurations: Sequence[ImportedConfiguration]) -> list[str]:
    """What the app's configurations and the console's do to the same instances meanwhile."""
    notes: list[str] = []
    for configuration in configurations:
        props = configuration.props
        name = f"{configuration.name} ({configuration.account}, {configuration.region})"
        if props.get("collect_inventory"):
            if configuration.targets_all_instances:
                notes.append(f"{name}: two inventory associations over all instances: each "
                             "instance runs one of them and shows the other as Skipped.")
            else:
                notes.append(f"{name}: two targeted inventory associations reach the same "
                             "instances; an instance takes one, so the console's (created "
                             "earlier) fails on them until it is deleted.")
        if props.get("scan_for_patches"):
            notes.append(f"{name}: two daily patch scans; each overwrites the instances' patch "
                         "compliance with its own result.")
        if props.get("attach_instance_profile"):
            notes.append(f"{name}: instances that have the console's instance profile keep it; "
                         "the app attaches its own only to instances that have none.")
    notes.append("SSM Agent and CloudWatch agent updates may run twice; they are idempotent.")
    return notes
