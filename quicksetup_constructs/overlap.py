"""When two associations can reach one instance, and what State Manager does then with two
inventory collections or two patch scans there.

The one statement of these rules: the constructs apply it to the configurations of an app at
synth time (:mod:`.conflicts`), ``quicksetup preflight`` to a configuration and the associations
an account already has. Imports no CDK.

- Inventory: an association that targets all instances (``InstanceIds=*``) is global; a
  targeted one beside it is no conflict (the instance runs the targeted one). Two targeted ones
  that reach one instance conflict: State Manager fails the one created earlier there (user
  guide, "Collect inventory every 30 minutes").
- Patch scans: each scan of an instance overwrites the compliance data the previous one
  reported (user guide, "Avoiding unintentional patch compliance data overwrites").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .targets import InstanceTargets

TARGETED_INVENTORY_RULE = (
    "an instance takes only one targeted inventory association: where two reach it, the one "
    "created earlier fails on it"
)
"""What State Manager does with two targeted inventory associations on one instance (user guide,
"Collect inventory every 30 minutes")."""
PATCH_SCAN_RULE = "each patch scan of an instance overwrites the compliance data of the one before"
"""What several patch scans of one instance do (user guide, "Avoiding unintentional patch
compliance data overwrites")."""


class Reach(Protocol):
    """Instances some targets reach: :class:`InstanceTargets` or :class:`AssociationTargets`."""

    @property
    def is_all_instances(self) -> bool: ...

    def can_overlap(self, other: Any) -> bool: ...


@dataclass(frozen=True)
class AssociationTargets:
    """The instances a deployed association's ``Targets`` reach: those that match every entry
    (State Manager combines keys with AND), an entry matching any of its values (OR)."""

    entries: tuple[tuple[InstanceTargets, ...], ...]

    @classmethod
    def parse(cls, targets: Iterable[tuple[str, Sequence[str]]]) -> AssociationTargets:
        """From ``(Key, Values)`` pairs, as in ``ListAssociations`` or a template."""
        return cls(tuple(InstanceTargets.from_association_target(k, v) for k, v in targets))

    @property
    def is_all_instances(self) -> bool:
        return len(self.entries) == 1 and len(self.entries[0]) == 1 and (
            self.entries[0][0].is_all_instances
        )

    def can_overlap(self, other: AssociationTargets) -> bool:
        """False only when no instance can be reached by both: when some entry of one and some
        entry of the other cannot meet (:meth:`InstanceTargets.can_overlap`). No targets reach no
        instance."""
        if not self.entries or not other.entries:
            return False
        return all(
            any(a.can_overlap(b) for a in mine for b in theirs)
            for mine in self.entries for theirs in other.entries
        )

    def describe(self) -> str:
        """The instances in words, e.g. ``tag Env=prod`` or ``all instances``."""
        return " and ".join(
            " or ".join(target.describe() for target in entry) for entry in self.entries
        ) or "no instances"


def inventories_conflict(a: Reach, b: Reach) -> bool:
    """Whether two inventory associations fail on an instance: neither targets all instances and
    they can reach one instance (:data:`TARGETED_INVENTORY_RULE`)."""
    return not a.is_all_instances and not b.is_all_instances and a.can_overlap(b)


def inventories_both_global(a: Reach, b: Reach) -> bool:
    """Whether both inventory associations target all instances: each instance runs one of
    them, and shows the other as skipped (user guide, "Configuring inventory collection")."""
    return a.is_all_instances and b.is_all_instances
