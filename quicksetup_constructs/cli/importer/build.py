"""``quicksetup import`` from start to end: read the console's configurations, translate each,
name the constructs and stacks, write the app's source and the cut-over plan."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from ..aws import Aws, check_region
from ..errors import CliError
from ..printable import printable
from .console import (
    DEFAULT_HOST_MANAGEMENT,
    HOST_MANAGEMENT,
    LEGACY_NAME_SHAPE,
    LEGACY_PREFIX,
    Manager,
    describe,
    is_empty,
    read_console,
)
from .cutover import Step, cutover_plan
from .source import app_source
from .translate import ImportedConfiguration, translate_definition, translate_legacy

IMPORTED_TYPES = (HOST_MANAGEMENT, DEFAULT_HOST_MANAGEMENT)

NOT_OWNED_STACK_NAMES = frozenset({"cdktoolkit"})
"""Stack names (lowercase) that an imported stack never takes: the CDK's bootstrap stack
(``cdk bootstrap --toolkit-stack-name``, default ``CDKToolkit``)."""

ACCOUNT_ID = re.compile(r"[0-9]{12}")
"""An AWS account id: 12 digits (``Account``, STS GetCallerIdentity)."""


@dataclass
class ImportResult:
    """What ``import`` found and wrote."""

    account: str
    region: str
    configurations: list[ImportedConfiguration]
    warnings: list[str]
    """What was not imported, or not as it was: also comments in ``code``."""
    cutover: list[Step]
    code: str
    """The app's Python source."""
    output_file: str | None
    """Where ``code`` was written; None: standard output."""


def import_console(
    aws: Aws,
    *,
    manager: str | None,
    app_file: str,
    now: datetime,
) -> ImportResult:
    """The app that reproduces the console's configurations of ``aws``'s account and Region
    (or of one ``manager``, by name or ARN), and its cut-over plan. Nothing is written here."""
    account, region = aws.account, aws.region
    if not ACCOUNT_ID.fullmatch(account):
        raise CliError(
            f"the caller's account is not 12 digits: {printable(account)!r} (sts:GetCallerIdentity)"
        )
    check_region(region)  # a profile's Region is not checked by Aws.from_options
    found = read_console(aws, manager)
    where = f"in {region} (account {account})"
    if manager is not None and not found.managers:
        raise CliError(
            f"no configuration manager named {manager!r} {where} (see `aws "
            "ssm-quicksetup list-configuration-managers`)"
        )
    if is_empty(found):
        raise CliError(
            f"no Quick Setup configuration {where}: no configuration manager, and "
            "no association named AWS-QuickSetup-SSMHostMgmt-*; pass --region?"
        )
    groups: list[tuple[str, list[ImportedConfiguration]]] = []
    skipped = [
        f"association {printable(name)} is not imported: its name starts with "
        f"{LEGACY_PREFIX} but is not {LEGACY_NAME_SHAPE}"
        for name in found.unread
    ]
    partial: list[Manager] = []
    for found_manager in found.managers:
        kept = [d for d in found_manager.definitions if d.type in IMPORTED_TYPES]
        skipped += [
            f"{describe(found_manager)}: definition {printable(d.id)} of type "
            f"{printable(d.type)} is not imported: "
            "this library configures Host Management and Default Host Management only"
            for d in found_manager.definitions
            if d.type not in IMPORTED_TYPES
        ]
        if not found_manager.definitions:
            # ConfigurationDefinitions is optional in GetConfigurationManager's answer.
            skipped.append(f"{describe(found_manager)} holds no configuration definition")
        if kept and len(kept) < len(found_manager.definitions):
            partial.append(found_manager)
        base = _pascal(found_manager.name) or "Manager" + _pascal(found_manager.arn[-8:])
        for definition in kept:
            suffix = "Dhmc" if definition.type == DEFAULT_HOST_MANAGEMENT and len(kept) > 1 else ""
            groups.append(
                (base + suffix, translate_definition(found_manager, definition, account, region))
            )
    from quicksetup_constructs.options import OPTIONS_BY_KEY

    schedules = {key: option.schedule for key, option in OPTIONS_BY_KEY.items()}
    for legacy in found.legacy:
        groups.append(
            (
                "Console" + _pascal(legacy.configuration_id),
                [translate_legacy(legacy, account, region, schedules)],
            )
        )
    if not groups:
        raise CliError(f"nothing to import {where}: {printable(skipped[0])}")
    names = unique_names([name for name, _ in groups])
    configurations = [
        configuration
        for name, (_, group) in zip(names, groups, strict=True)
        for configuration in _named(group, name)
    ]
    imported = [m for m in found.managers if any(c.source == m.arn for c in configurations)]
    warnings = list(dict.fromkeys([note for c in configurations for note in c.notes] + skipped))
    header = [
        (
            f"Quick Setup of account {account} in {region}, imported from the console by "
            f"`quicksetup import` on {now:%Y-%m-%d}."
        ),
        "",
        (
            "Review it, then follow the cut-over plan that `quicksetup import` printed: deploy "
            "this app, then delete the console's configurations."
        ),
    ]
    code = app_source(configurations, header=header, skipped=[f"{s}." for s in skipped])
    unwritable = next((c for c in code if c == "\0" or "\ud800" <= c <= "\udfff"), None)
    if unwritable is not None:
        raise CliError(
            f"a value read {where} holds {printable(unwritable)}, which a UTF-8 "
            "Python file cannot hold"
        )
    plan = cutover_plan(
        configurations,
        imported,
        found.legacy,
        app_file=app_file,
        home_region=region,
        partial=partial,
    )
    return ImportResult(account, region, configurations, warnings, plan, code, None)


def _named(configurations: list[ImportedConfiguration], name: str) -> list[ImportedConfiguration]:
    """Give each construct ``name``, and each stack ``name`` (``name-<Region>`` and
    ``name-<account>-<Region>`` where one definition makes several)."""
    accounts = {c.account for c in configurations}
    for configuration in configurations:
        configuration.name = name
        parts = [name]
        if len(accounts) > 1:
            parts.append(configuration.account)
        if len(configurations) > 1:
            parts.append(configuration.region)
        configuration.stack = "-".join(parts)
    return configurations


def unique_names(names: list[str]) -> list[str]:
    """``names``, each unique: the first of equal names keeps it, the next ones get the
    smallest number from 2 that makes a name no other one has (``A, A, A2`` → ``A, A3,
    A2``); a name the app does not own (:data:`NOT_OWNED_STACK_NAMES`) is numbered too
    (``CDKToolkit`` → ``CDKToolkit2``)."""
    taken = set(names)
    result: list[str] = []
    for name in names:
        if name in result or name.lower() in NOT_OWNED_STACK_NAMES:
            number = 2
            while f"{name}{number}" in taken:
                number += 1
            name = f"{name}{number}"
            taken.add(name)
        result.append(name)
    return result


def _pascal(text: str) -> str:
    """``prod-hosts 2`` → ``ProdHosts2``; a leading digit gets a ``Q`` before it."""
    words = re.findall(r"[A-Za-z0-9]+", text)
    name = "".join(word[:1].upper() + word[1:] for word in words)
    return f"Q{name}" if name[:1].isdigit() else name
