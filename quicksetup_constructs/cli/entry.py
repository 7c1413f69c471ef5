"""The ``quicksetup`` script: the command, or one line saying which extra it needs.

``pip install quicksetup-constructs`` installs the script but not the command's own
dependencies (the ``cli`` extra); without them the command says so instead of failing with a
traceback.
"""

from __future__ import annotations

import sys

from .errors import INSTALL_HINT, missing_extra


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
