"""The way from the console's configurations to the generated app, step by step: each step
passes before the next one starts.

What the console's configurations and the app's must not do at the same time, from AWS's
documentation:

- Two inventory associations over all instances: AWS refuses the second one in a Region
  ("Multiple apply all associations with document 'AWS-GatherSoftwareInventory' are not
  supported", Systems Manager user guide, "Troubleshooting problems with Systems Manager
  Inventory"), so the app's deploy would fail.
- Two targeted inventory associations that reach one instance: Quick Setup's guide says the
  one created earlier fails ("Collect inventory every 30 minutes"); AWS's current Inventory
  page says that where a node is assigned several inventory associations that each target by
  tags, those associations fail to run on it ("Configuring inventory collection").

So the console's inventory collection is stopped *before* ``cdk deploy``, and the app is
written as the console configured it: no later edit of the app is needed, and inventory is
not collected only while the app deploys. A console Default Host Management Configuration is
dealt with before the deploy too, so that removing it cannot turn off the setting the app has
just set. Everything else runs twice until the console's configurations are deleted after the
deploy: patch scans each overwrite the instances' patch compliance ("Avoiding unintentional
patch compliance data overwrites"), agent updates are idempotent.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..errors import CliError
from ..printable import printable
from .console import (
    DEFAULT_HOST_MANAGEMENT,
    HOST_MANAGEMENT,
    Definition,
    LegacyConfiguration,
    Manager,
)
from .translate import LOCAL, SERVICE_SIDE, ImportedConfiguration

COLLECT_INVENTORY = "CollectInventory"
LEGACY_INVENTORY = "CollectInventory"
"""The option part of the older console's inventory association name."""
MEMBER_ROLE = "ROLE"
"""What the cut-over writes for ``status --org --member-role``: a role to name."""


@dataclass(frozen=True)
class Step:
    """One step of the cut-over: what to do, the commands, and what to know."""

    title: str
    commands: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def cutover_plan(
    configurations: Sequence[ImportedConfiguration],
    managers: Sequence[Manager],
    legacy: Sequence[LegacyConfiguration],
    *,
    app_file: str,
    home_region: str,
    partial: Sequence[Manager] = (),
) -> list[Step]:
    """The cut-over from ``managers`` and ``legacy`` (read in ``home_region``) to
    ``configurations``; ``partial`` are managers that hold definitions that were not imported
    (deleting them deletes those too)."""
    stacks = list(dict.fromkeys(configuration.stack for configuration in configurations))
    app = argument("the app's file name", f"python {argument('the output file', app_file)}")
    sources = list(dict.fromkeys(c.imported_from for c in configurations))
    regions = sorted({c.region for c in configurations})
    inventory = _stop_inventory(managers, legacy, home_region)
    dhmc = [m for m in managers if _holds(m, DEFAULT_HOST_MANAGEMENT)]
    steps = [
        Step(
            "Synthesize the app and check the account for what it will meet",
            [f"cdk synth --app {app} --quiet", *_preflight(regions, home_region, sources)],
            _check_notes(configurations, managers, bool(inventory or dhmc)),
        )
    ]
    if inventory:
        steps.append(
            Step(
                "Before the deploy: stop the console's inventory collection",
                [command for command, _ in inventory if command is not None],
                [note for _, note in inventory]
                + [
                    (
                        "AWS fails a second inventory association over all instances of a "
                        'Region ("Multiple apply all associations with document '
                        "'AWS-GatherSoftwareInventory' are not supported\", Inventory "
                        "troubleshooting), and targeted ones that reach one instance fail to run "
                        "on it: the app's inventory association can only come once the console's "
                        "is gone. Inventory is not collected until the deploy; every other option "
                        "of the console keeps running."
                    ),
                ],
            )
        )
    for manager in dhmc:
        steps.append(_dhmc_step(manager, configurations))
    deploy = [
        f"cdk deploy --app {app} " + " ".join(argument("a stack id", stack) for stack in stacks)
    ]
    deploy_notes = []
    if inventory or dhmc:
        deploy = [*_preflight(regions, home_region, ()), *deploy]
        deploy_notes.append(
            "preflight without --migrating-from: it passes once what the previous steps "
            "removed is gone (Quick Setup applies a change in the background; run it again "
            "until it does)."
        )
    steps.append(Step("Deploy the app", deploy, deploy_notes))
    steps.append(
        Step(
            "Until the console's configurations are deleted, both run",
            notes=_twice(configurations),
        )
    )
    delete = [_delete(m) for m in managers if not _only(m, DEFAULT_HOST_MANAGEMENT)]
    notes = [
        f"{printable(manager.arn)} also holds definitions that were not imported: deleting it "
        "deletes them too; delete only the imported ones in the console instead, if they must stay."
        for manager in partial
    ]
    notes += [
        f"{printable(manager.name or manager.arn)} deployed definition {definition.id} through "
        f"{_roles(definition)}: nothing in this plan deletes them; delete them once nothing "
        "else uses them."
        for manager in managers
        for definition in manager.definitions
        if definition.administration_role_arn or definition.execution_role_name
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
    steps.append(_status_step(configurations))
    return steps


def _preflight(regions: Sequence[str], home_region: str, sources: Sequence[str]) -> list[str]:
    """``quicksetup preflight`` once per Region of the app's stacks: the console's managers
    are read in ``home_region``."""
    migrating = "".join(f" --migrating-from {argument('a source', source)}" for source in sources)
    return [
        f"quicksetup preflight cdk.out --region {argument('a Region', region)} "
        f"--home-region {argument('the Region', home_region)}"
        f"{migrating}"
        for region in regions
    ]


def _check_notes(
    configurations: Sequence[ImportedConfiguration],
    managers: Sequence[Manager],
    removed_first: bool,
) -> list[str]:
    notes = [
        (
            "preflight runs once per Region of the app's stacks (a local configuration "
            "deploys to its stack's Region)."
        )
    ]
    if removed_first:
        notes.append(
            "--migrating-from: what preflight finds about the console's own "
            "inventory associations and Default Host Management is a note, not an "
            "error, as the next steps remove it before the deploy; anything else it "
            "reports as an error stops the cut-over here."
        )
    if any(c.construct != LOCAL for c in configurations):
        notes.append(
            "An organization configuration's associations run in the member "
            "accounts: with these credentials preflight compares the console's "
            "managers only; run it with a member account's credentials to check one."
        )
    notes += [
        f"{printable(manager.name or manager.arn)}, definition {definition.id}: the console's type "
        f"version {definition.type_version} is not carried over; `quicksetup plan cdk.out` "
        "shows what the app configures."
        for manager in managers
        for definition in manager.definitions
        if definition.type_version and definition.type in (HOST_MANAGEMENT, DEFAULT_HOST_MANAGEMENT)
    ]
    return notes


def _stop_inventory(
    managers: Sequence[Manager],
    legacy: Sequence[LegacyConfiguration],
    home_region: str,
) -> list[tuple[str | None, str]]:
    """(command, note) for each console configuration that collects inventory (the older
    console's associations are in ``home_region``). Where a value would not be printed as it
    is (:func:`carried`), there is no command, and the note says to use the console."""
    found: list[tuple[str | None, str]] = []
    for manager in managers:
        for definition in manager.definitions:
            parameters = definition.parameters
            if definition.type != HOST_MANAGEMENT or (
                parameters.get(COLLECT_INVENTORY, "true") != "true"
            ):
                continue
            kept = {k: v for k, v in parameters.items() if k not in SERVICE_SIDE}
            off = json.dumps(
                {**kept, COLLECT_INVENTORY: "false"}, separators=(",", ":"), ensure_ascii=False
            )
            where = (
                f"{printable(manager.name or manager.arn)}: definition {printable(definition.id)}"
            )
            if not carried(manager.arn, definition.id, off, manager.region):
                found.append(
                    (
                        None,
                        (
                            f"{where}: its id or parameters hold characters that no "
                            "printed command can carry as they are: turn its inventory "
                            "collection off in the console's Quick Setup."
                        ),
                    )
                )
                continue
            found.append(
                (
                    (
                        f"aws ssm-quicksetup update-configuration-definition --manager-arn "
                        f"{shlex.quote(manager.arn)} --id {shlex.quote(definition.id)} "
                        f"--parameters {shlex.quote(off)} --region {shlex.quote(manager.region)}"
                    ),
                    (
                        f'{where} as it is, with CollectInventory "false" (the API has no call '
                        "that deletes one association of a definition)."
                    ),
                )
            )
    for configuration in legacy:
        for association in configuration.associations:
            if association.option != LEGACY_INVENTORY:
                continue
            where = (
                f"{association.name}: the older console's inventory association of "
                f"configuration {configuration.configuration_id}"
            )
            if not carried(association.association_id, home_region):
                found.append(
                    (
                        None,
                        (
                            f"{where}: its id holds characters that no printed "
                            "command can carry as they are: delete it in the console."
                        ),
                    )
                )
                continue
            found.append(
                (
                    (
                        "aws ssm delete-association --association-id "
                        f"{shlex.quote(association.association_id)} "
                        f"--region {shlex.quote(home_region)}"
                    ),
                    f"{where}.",
                )
            )
    return found


def _dhmc_step(manager: Manager, configurations: Sequence[ImportedConfiguration]) -> Step:
    """The console's Default Host Management Configuration, before the deploy (so that
    removing it cannot turn off the setting the app has just set)."""
    name = printable(manager.name or manager.arn)
    if _only(manager, DEFAULT_HOST_MANAGEMENT):
        return Step(
            f"Before the deploy: delete the console's Default Host Management manager {name}",
            [_delete(manager)],
            [
                (
                    "Deleting it after the deploy could turn off the setting the app has just set. "
                    "Until the deploy, the setting may be off: instances managed through it alone "
                    "are not managed meanwhile; the deploy sets it again."
                )
            ],
        )
    definitions = [d.id for d in manager.definitions if d.type == DEFAULT_HOST_MANAGEMENT]
    others = [d for d in manager.definitions if d.type != DEFAULT_HOST_MANAGEMENT]
    not_imported = [f"{d.type} {d.id}" for d in others if d.type != HOST_MANAGEMENT]
    notes = [
        (
            "ssm-quicksetup has no call that deletes one definition (UpdateConfigurationDefinition "
            "changes its parameters, DeleteConfigurationManager deletes every definition): "
            f"remove definition {', '.join(definitions)} of {name} in the console's Quick Setup, "
            "then check with the command above that no AWSQuickSetupType-DHMC is listed."
        ),
        f"If it cannot be removed alone, delete {name} now ({_delete(manager)}): what it "
        "configures then stops until the deploy."
        + (
            f" Re-create what the app does not import: {', '.join(not_imported)}."
            if not_imported
            else ""
        ),
        (
            "Until the deploy, the setting may be off: instances managed through it alone are not "
            "managed meanwhile; the deploy sets it again. The manager itself is deleted with the "
            "console's other configurations, after the deploy."
        ),
    ]
    return Step(
        f"Before the deploy: remove the Default Host Management definition of {name}",
        [
            (
                f"aws ssm-quicksetup get-configuration-manager --manager-arn "
                f"{argument(name, manager.arn)} --region {argument(name, manager.region)} "
                "--query 'ConfigurationDefinitions[].Type'"
            )
        ],
        notes,
    )


def _status_step(configurations: Sequence[ImportedConfiguration]) -> Step:
    commands, organization = [], False
    for configuration in {c.stack: c for c in configurations}.values():
        if configuration.construct == LOCAL:
            commands.append(
                "quicksetup status --stack "
                f"{argument('a stack id', configuration.stack)} "
                f"--region {argument('a Region', configuration.region)}"
            )
        else:
            organization = True
            commands.append(
                f"quicksetup status --org --stack "
                f"{argument('a stack id', configuration.stack)} --member-role "
                f"{MEMBER_ROLE} --region {argument('a Region', configuration.region)}"
            )
    notes = (
        [
            (
                f"{MEMBER_ROLE}: a role that every member account lets this account assume to "
                "read its associations (e.g. OrganizationAccountAccessRole)."
            )
        ]
        if organization
        else []
    )
    return Step("Check every option of the new configurations", commands, notes)


def _holds(manager: Manager, kind: str) -> bool:
    return any(d.type == kind for d in manager.definitions)


def _only(manager: Manager, kind: str) -> bool:
    return all(d.type == kind for d in manager.definitions)


def _roles(definition: Definition) -> str:
    return " and ".join(
        f"{label} {value}"
        for label, value in (
            ("the administration role", definition.administration_role_arn),
            ("the execution role", definition.execution_role_name),
        )
        if value
    )


def _delete(manager: Manager) -> str:
    name = printable(manager.name or manager.arn)
    return (
        f"aws ssm-quicksetup delete-configuration-manager --manager-arn "
        f"{argument(name, manager.arn)} --region {argument(name, manager.region)}"
    )


def carried(*values: str) -> bool:
    """Whether every value is printed as it is (:func:`printable` leaves it unchanged), so
    that a printed command carries it exactly."""
    return all(printable(value) == value for value in values)


def argument(where: str, value: str) -> str:
    """``value`` as one shell word (``shlex.quote``) of a printed command. A value that would
    not be printed as it is (not :func:`carried`: a control character, a line separator, a
    backslash before ``x`` or ``u``) is a :class:`CliError` naming ``where``: the command the
    user copies must carry the value exactly, or not be printed."""
    if not carried(value):
        raise CliError(
            f"{where}: {printable(value)!r} holds characters that no printed "
            "command can carry as they are"
        )
    return shlex.quote(value)


def _twice(configurations: Sequence[ImportedConfiguration]) -> list[str]:
    """What the app's configurations and the console's do to the same instances meanwhile."""
    notes: list[str] = []
    for configuration in configurations:
        props = configuration.props
        name = f"{configuration.name} ({configuration.account}, {configuration.region})"
        if props.get("scan_for_patches"):
            notes.append(
                f"{name}: two daily patch scans; each overwrites the instances' patch "
                "compliance with its own result."
            )
        # Absent means the library's default (QuickSetupLocal: True); only a value that
        # differs from it is written into the app.
        if props.get("attach_instance_profile", True):
            notes.append(
                f"{name}: instances that have the console's instance profile keep it; "
                "the app attaches its own only to instances that have none."
            )
    if any(c.props.get("collect_inventory") for c in configurations):
        notes.append("Inventory runs once: the console's was stopped before the deploy.")
    notes.append("SSM Agent and CloudWatch agent updates may run twice; they are idempotent.")
    return notes
