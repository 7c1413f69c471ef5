"""The ``quicksetup`` script: the command, or one line saying which extra it needs.

``pip install quicksetup-constructs`` installs the script but not the command's own
dependencies (the ``cli`` extra); without them the command says so instead of failing with a
traceback.
"""

from __future__ import annotations

import sys

CLI_EXTRA_MODULES = frozenset({"click", "boto3", "botocore", "rich", "croniter", "cron_descriptor"})
"""The top-level modules of the ``cli`` extra's packages."""
INSTALL_HINT = "pip install 'quicksetup-constructs[cli]'"


def main() -> None:
    try:
        from .main import main as command

        command(prog_name="quicksetup")
    except ModuleNotFoundError as error:
        missing = missing_extra(error)
        if missing is None:
            raise
        sys.stderr.write(
            f"quicksetup: the command needs the 'cli' extra, and {missing} is not installed: "
            f"{INSTALL_HINT}\n"
        )
        sys.exit(2)


def missing_extra(error: BaseException) -> str | None:
    """The module of the ``cli`` extra whose absence ``error`` reports, if it is one."""
    if not isinstance(error, ModuleNotFoundError):
        return None
    missing = (error.name or "").split(".")[0]
    return missing if missing in CLI_EXTRA_MODULES else None
