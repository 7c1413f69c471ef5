"""When two associations can reach one instance, and what State Manager does then with two
inventory collections or two patch scans there.

The one statement of these rules: the constructs apply it to the configurations of an app at
synth time (:mod:`.conflicts`), ``quicksetup preflight`` to a configuration and the associations
an account already has. Imports no CDK.

- Inventory for all instances (``InstanceIds=*``): an account and Region holds one such
  association. AWS rejects a second one: "Multiple apply all associations with document
  'AWS-GatherSoftwareInventory' are not supported" (user guide, "Troubleshooting problems with
  Systems Manager Inventory").
- Inventory for all instances beside a targeted one is no conflict: the instance runs the
  targeted one and shows the global one as skipped (the seed guide, "Collect inventory every 30
  minutes"; the troubleshooting page, "Skipped").
- Two targeted inventory associations that reach one instance fail there. The seed guide says
  the configuration created earlier fails; AWS's troubleshooting page says that where a node is
  assigned several inventory associations that each target by tags, those associations fail to
  run on it. Which of them fails is not promised here.
- Patch scans: each scan of an instance overwrites the compliance data the previous one
  reported (user guide, "Avoiding unintentional patch compliance data overwrites").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .errors import QuickSetupValidationError
from .targets import InstanceTargets

ALL_INSTANCES_INVENTORY_ERROR = (
    "Multiple apply all associations with document 'AWS-GatherSoftwareInventory' are not supported"
)
"""AWS's error for a second inventory association for all instances in an account and Region
(user guide, "Troubleshooting problems with Systems Manager Inventory")."""
ALL_INSTANCES_INVENTORY_RULE = (
    "an account and Region holds one inventory association for all instances, and AWS rejects "
    f'a second one ("{ALL_INSTANCES_INVENTORY_ERROR}")'
)
"""Why two inventory associations for all instances cannot both be created."""
TARGETED_INVENTORY_RULE = (
    "an instance takes one targeted inventory association, and where several reach it they "
    "fail on it (Quick Setup's guide: the configuration created earlier fails; AWS's Inventory "
    "troubleshooting page: inventory associations that each target by tags fail to run on a "
    "node they share)"
)
"""What State Manager does with several targeted inventory associations on one instance: the
seed guide ("Collect inventory every 30 minutes") and the user guide ("Troubleshooting problems
with Systems Manager Inventory", "Inventory compliance failed for an Amazon EC2 instance")."""
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

    @classmethod
    def read(cls, targets: Iterable[tuple[str, Sequence[str]]]) -> AssociationTargets:
        """As :meth:`parse`, for an association that already exists in an account: targets that
        :meth:`InstanceTargets.from_association_target` refuses are taken to reach any instance
        (never all of them), so that a check of what is already there errs towards a conflict."""
        try:
            return cls.parse(targets)
        except QuickSetupValidationError:
            any_instance = InstanceTargets.from_association_target(
                "resource-groups:ResourceTypeFilters", ["AWS::EC2::Instance"]
            )
            return cls((any_instance,))

    @property
    def is_all_instances(self) -> bool:
        return (
            len(self.entries) == 1
            and len(self.entries[0]) == 1
            and (self.entries[0][0].is_all_instances)
        )

    def can_overlap(self, other: AssociationTargets) -> bool:
        """False only when no instance can be reached by both: when some entry of one and some
        entry of the other cannot meet (:meth:`InstanceTargets.can_overlap`). No targets reach no
        instance."""
        if not self.entries or not other.entries:
            return False
        return all(
            any(a.can_overlap(b) for a in mine for b in theirs)
            for mine in self.entries
            for theirs in other.entries
        )

    def describe(self) -> str:
        """The instances in words, e.g. ``tag Env=prod`` or ``all instances``."""
        return (
            " and ".join(
                " or ".join(target.describe() for target in entry) for entry in self.entries
            )
            or "no instances"
        )


def inventories_conflict(a: Reach, b: Reach) -> bool:
    """Whether two inventory associations fail on an instance: neither targets all instances and
    they can reach one instance (:data:`TARGETED_INVENTORY_RULE`)."""
    return not a.is_all_instances and not b.is_all_instances and a.can_overlap(b)


def inventories_both_global(a: Reach, b: Reach) -> bool:
    """Whether both inventory associations target all instances: in one account and Region, AWS
    rejects whichever is created second (:data:`ALL_INSTANCES_INVENTORY_RULE`)."""
    return a.is_all_instances and b.is_all_instances
