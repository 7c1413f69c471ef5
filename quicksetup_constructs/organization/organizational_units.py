"""Which organizational units a configuration deploys to."""

from __future__ import annotations

import re
from typing import Any

from ..errors import QuickSetupValidationError
from ..validation import check_pattern, check_type, is_unresolved

MAX_ORGANIZATIONAL_UNITS = 50
"""CloudFormation accepts at most 50 OUs in one stack-instance operation."""

_OU_ID = re.compile(r"ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32}")
_ALLOWED = (
    f"1 to {MAX_ORGANIZATIONAL_UNITS} distinct OU ids (ou-xxxx-xxxxxxxx) or a root id (r-xxxx)"
)


def check_organizational_units(prop: str, unit_ids: Any) -> None:
    """``unit_ids`` is a list of 1 to 50 distinct OU or root ids (tokens are not checked)."""
    check_type(prop, unit_ids, (list, tuple), _ALLOWED)
    if not 1 <= len(unit_ids) <= MAX_ORGANIZATIONAL_UNITS:
        raise QuickSetupValidationError(prop, f"<{len(unit_ids)} OU ids>", _ALLOWED)
    for unit_id in unit_ids:
        check_pattern(prop, unit_id, _OU_ID, _ALLOWED)
    literal = [unit_id for unit_id in unit_ids if not is_unresolved(unit_id)]
    if len(set(literal)) != len(literal):
        raise QuickSetupValidationError(prop, list(unit_ids), _ALLOWED)
