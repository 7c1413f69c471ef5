"""What each configuration of a synthesized cloud assembly will put in an account and Region
that can collide with what is already there: its inventory and patch-scan associations and
their targets, the Default Host Management Configuration role, the inventory sync, and where it
deploys. Read the way ``quicksetup plan`` reads an assembly."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quicksetup_constructs.overlap import AssociationTargets

from .assembly import AssemblyStack, read_assembly
from .catalogue import OptionMatch
from .discovery import HOST_MANAGEMENT, INVENTORY_SYNC
from .errors import CliError
from .importer.console import IMPORTED_FROM_TAG
from .plan import PlannedSetting, by_configuration, configuration_settings, targets_in_words
from .templates import INVENTORY_SYNC_PREFIX, AssociationSpec, StackSetSpec

LOCAL = "local"
ORGANIZATION = "organization"
_UNKNOWN = ("unknown-account", "unknown-region")


@dataclass(frozen=True)
class Footprint:
    """One configuration of the assembly, as far as ``preflight`` compares it with an account."""

    configuration_id: str
    stack: str
    kind: str
    """``local`` or ``organization``."""
    targets: str
    """The instances, in words."""
    account: str | None
    """Local: the stack's account. Organization: the account its StackSets are deployed from
    (the management account, or a delegated administrator). None: an environment-agnostic
    stack."""
    regions: tuple[str, ...] | None
    """Where its associations run: the stack's Region, or the StackSet's Regions. None:
    unknown."""
    association_names: frozenset[str]
    inventory: AssociationTargets | None
    """The targets of its inventory association; None: it collects no inventory."""
    patch_scan: AssociationTargets | None
    """The targets of its patch scan; None: it does not scan."""
    host_management_role: str | None
    """The role it registers for Default Host Management Configuration, as the template writes
    it (``${LogicalId}`` for a role the stack creates); None: it leaves DHMC alone."""
    inventory_sync: str | None
    """The name of the resource data sync it creates; None: none."""
    stack_region: str | None = None
    """The Region of its stack (None: environment-agnostic)."""
    imported_from: str | None = None
    """Its stack's ``quicksetup:imported-from`` tag: what ``quicksetup import`` wrote it
    from; None: not written by ``import``."""


def read_footprints(directory: str | Path, stack_name: str | None = None) -> list[Footprint]:
    """Every configuration of the cloud assembly in ``directory`` (of stack ``stack_name``
    only, if given).

    Raises :class:`CliError` when there is none, or no stack of that name.
    """
    stacks = read_assembly(directory)
    if stack_name is not None:
        chosen = [stack for stack in stacks if stack_name in (stack.stack_name, stack.artifact_id)]
        if not chosen:
            names = ", ".join(stack.stack_name for stack in stacks) or "none"
            raise CliError(
                f"no stack {stack_name!r} in the cloud assembly {directory} (its stacks: {names})"
            )
        stacks = chosen
    found = [footprint for stack in stacks for footprint in _footprints(stack)]
    if not found:
        raise CliError(
            f"no Quick Setup configuration in the cloud assembly {directory}: none of its "
            f"{len(stacks)} stack(s) has an association named QuickSetup-*"
        )
    return found


def _footprints(stack: AssemblyStack) -> list[Footprint]:
    account, region = _environment(stack.environment)
    result = []
    for configuration_id, associations in by_configuration(stack.template.associations):
        settings = configuration_settings(stack.template.configuration_resources, configuration_id)
        result.append(
            _footprint(
                stack,
                configuration_id,
                associations,
                settings,
                LOCAL,
                account,
                None if region is None else (region,),
            )
        )
    for stack_set in stack.template.stack_sets:
        result.extend(_organization(stack, stack_set, account))
    return result


def _organization(
    stack: AssemblyStack, stack_set: StackSetSpec, account: str | None
) -> list[Footprint]:
    if stack_set.template is None:
        return []
    return [
        _footprint(
            stack,
            configuration_id,
            associations,
            configuration_settings(
                stack_set.template.configuration_resources,
                configuration_id,
                stack_set.parameters,
            ),
            ORGANIZATION,
            account,
            tuple(stack_set.regions),
        )
        for configuration_id, associations in by_configuration(stack_set.template.associations)
    ]


def _footprint(
    stack: AssemblyStack,
    configuration_id: str,
    associations: list[tuple[AssociationSpec, OptionMatch]],
    settings: list[PlannedSetting],
    kind: str,
    account: str | None,
    regions: tuple[str, ...] | None,
) -> Footprint:
    by_key = {match.key: association for association, match in associations}
    details = {setting.key: setting.details for setting in settings}
    return Footprint(
        configuration_id=configuration_id,
        stack=stack.stack_name,
        kind=kind,
        targets=targets_in_words(associations),
        account=account,
        regions=regions,
        association_names=frozenset(a.association_name for a, _ in associations),
        inventory=_targets(by_key.get("collect_inventory")),
        patch_scan=_targets(by_key.get("scan_for_patches")),
        host_management_role=(
            details[HOST_MANAGEMENT].get("role") if HOST_MANAGEMENT in details else None
        ),
        inventory_sync=(
            f"{INVENTORY_SYNC_PREFIX}{configuration_id}" if INVENTORY_SYNC in details else None
        ),
        stack_region=_environment(stack.environment)[1],
        imported_from=stack.tags.get(IMPORTED_FROM_TAG),
    )


def _targets(association: AssociationSpec | None) -> AssociationTargets | None:
    if association is None:
        return None
    return AssociationTargets.parse((target.key, target.values) for target in association.targets)


def _environment(environment: str) -> tuple[str | None, str | None]:
    """(account, Region) of ``aws://ACCOUNT/REGION``; None where unknown."""
    account, _, region = environment.removeprefix("aws://").partition("/")
    return (
        None if not account or account == _UNKNOWN[0] else account,
        None if not region or region == _UNKNOWN[1] else region,
    )


NAMED_IAM_METADATA = "quicksetup:named-iam"
"""The assembly metadata type that lists what a configuration names rather than creates
(``quicksetup_constructs.rendering.roles.NAMED_IAM_METADATA``)."""


def read_named_iam(directory: str | Path) -> dict[str, dict[str, Any]]:
    """By configuration id: the roles and instance profiles that the configurations of the
    cloud assembly in ``directory`` name (and do not create), from the metadata that the
    constructs write beside the templates (``<stack>.metadata.json``, or the manifest)."""
    found: dict[str, dict[str, Any]] = {}
    _named_iam(Path(directory), found)
    return found


def _named_iam(root: Path, found: dict[str, dict[str, Any]]) -> None:
    manifest_file = root / "manifest.json"
    if not manifest_file.is_file():
        return
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    for artifact in (manifest.get("artifacts") or {}).values():
        properties = artifact.get("properties") or {}
        if properties.get("directoryName"):
            _named_iam(root / properties["directoryName"], found)
        entries = dict(artifact.get("metadata") or {})
        extra = artifact.get("additionalMetadataFile")
        if extra and (root / extra).is_file():
            entries.update(json.loads((root / extra).read_text(encoding="utf-8")))
        for records in entries.values():
            for record in records if isinstance(records, list) else []:
                if not isinstance(record, dict) or record.get("type") != NAMED_IAM_METADATA:
                    continue
                data = record.get("data")
                if isinstance(data, dict):
                    found[str(data.get("configuration_id"))] = data
