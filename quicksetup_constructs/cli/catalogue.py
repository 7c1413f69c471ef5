"""The option catalogue, as the command sees it: which option an association name belongs to.

Association names are ``QuickSetup-<Option.association_name>-<configuration id>``; that naming
is how a configuration and its options are recognised, in a template and in an account alike.
Titles, documents and schedules come from :data:`quicksetup_constructs.options.CATALOGUE`.

The catalogue is imported on first use, not when the command starts: ``quicksetup --help``
and argument errors do not pay for loading it (its declarations import the CDK).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, MutableSequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from quicksetup_constructs.options import Option

PREFIX = "QuickSetup-"
"""Every association of a configuration is named with this prefix."""


@dataclass(frozen=True)
class OptionMatch:
    """An association name, split into the option it configures and the configuration id."""

    option: Option | None
    """The catalogue's option, or None for a ``QuickSetup-`` name of no known option."""
    configuration_id: str
    association_name: str

    @property
    def key(self) -> str:
        return self.option.key if self.option else self.association_name

    @property
    def title(self) -> str:
        return self.option.title if self.option else self.association_name


@cache
def catalogue() -> tuple[Option, ...]:
    """Every option, in the order the console lists them."""
    from quicksetup_constructs.options import CATALOGUE

    return CATALOGUE


@cache
def settings() -> tuple[tuple[str, str], ...]:
    """(key, title) of what a configuration may create besides associations, in order."""
    from quicksetup_constructs.options import default_host_management, inventory_sync

    return (
        (default_host_management.KEY, default_host_management.TITLE),
        (inventory_sync.KEY, inventory_sync.TITLE),
    )


def match_association(name: str, known_ids: Iterable[str] = ()) -> OptionMatch | None:
    """The option and configuration of an association named ``name``, or None when the name
    is not a Quick Setup one.

    The name of an option this catalogue does not know belongs to the longest of
    ``known_ids`` it ends with, or else to the id after its last hyphen.
    """
    if not name.startswith(PREFIX):
        return None
    rest = name[len(PREFIX) :]
    # Longest first, so that a name that starts like another one is matched whole.
    for option in sorted(catalogue(), key=lambda o: -len(o.association_name)):
        middle = option.association_name + "-"
        if rest.startswith(middle) and len(rest) > len(middle):
            return OptionMatch(option, rest[len(middle) :], name)
    for configuration_id in sorted(known_ids, key=len, reverse=True):
        if rest.endswith("-" + configuration_id) and len(rest) > len(configuration_id) + 1:
            return OptionMatch(None, configuration_id, name)
    middle, _, configuration_id = rest.rpartition("-")
    if not middle or not configuration_id:
        return None
    return OptionMatch(None, configuration_id, name)


def match_associations(names: Iterable[str]) -> dict[str, OptionMatch]:
    """Every Quick Setup name of ``names`` and its match; unknown options are given to the
    configurations that known options reveal."""
    names = list(names)
    known = {
        match.configuration_id
        for name in names
        if (match := match_association(name)) is not None and match.option is not None
    }
    return {name: match for name in names if (match := match_association(name, known)) is not None}


T = TypeVar("T")


def share_account_wide(
    groups: Mapping[str, MutableSequence[T]], match: Callable[[T], OptionMatch]
) -> None:
    """Add to every configuration's group the associations that act on the account and Region
    rather than on instances (Explorer): a stack creates one, named after the first
    configuration that enables it, for all of its configurations."""
    shared: dict[str, T] = {}
    for group in groups.values():
        for item in group:
            option = match(item).option
            if option is not None and not option.targets_instances:
                shared.setdefault(option.key, item)
    for group in groups.values():
        present = {match(item).key for item in group}
        group.extend(item for key, item in shared.items() if key not in present)


def association_name(option: Option, configuration_id: str) -> str:
    """The name the renderer gives ``option``'s association in configuration
    ``configuration_id``."""
    return f"{PREFIX}{option.association_name}-{configuration_id}"


def document_kind(option: Option | None) -> str | None:
    """``Command`` or ``Automation`` for a catalogue option, None for an unknown one."""
    return option.document_kind.value if option else None


def rate_minutes(expression: str) -> int | None:
    """The interval of a ``rate(...)`` expression in minutes (State Manager's own reading)."""
    from quicksetup_constructs.schedule import rate_minutes as library_rate_minutes

    return library_rate_minutes(expression)


def max_organization_targets() -> int:
    """Quick Setup's limit of accounts × Regions for one organization configuration."""
    from quicksetup_constructs.organization.stack_instances import MAX_TARGETS

    return MAX_TARGETS
