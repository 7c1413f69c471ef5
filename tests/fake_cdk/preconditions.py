"""Stands in for integ/preconditions.py in tests/test_integ_runner.py: records each check and
fails the one that ``FAKE_PRECONDITION_FAILING`` names (``environment`` or ``assembly``)."""

from __future__ import annotations

import os
from pathlib import Path

from record import record

FAILING = os.environ.get("FAKE_PRECONDITION_FAILING")


class PreconditionFailed(Exception):
    """A precondition of the run does not hold; the message is one line."""


def check_environment(apps: list[Path]) -> None:
    record("check_environment", apps=[str(app) for app in apps])
    if FAILING == "environment":
        raise PreconditionFailed("planted: QUICKSETUP_INTEG_PLANTED is not set")


def check(app: Path, assembly: Path) -> list[str]:
    record(
        "check",
        app=str(app),
        assembly=str(assembly),
        synthesized=(assembly / "integ.json").is_file(),
    )
    if FAILING == "assembly":
        raise PreconditionFailed("planted: the Region has no default VPC")
    return ["planted precondition note"]
