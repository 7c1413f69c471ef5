"""Stands in for integ/teardown.py (and any hook) in tests/test_integ_runner.py: records its
arguments, its working directory and what its ``QUICKSETUP_INTEG_STATE_DIR`` held when it
started, then leaves a file named after its first argument there. Exit code 1 when that
argument is one of the comma-separated ``FAKE_HOOKS_FAILING``; no AWS call."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from record import STATE_DIR_VARIABLE, record


def main(arguments: list[str]) -> int:
    state_dir = Path(os.environ[STATE_DIR_VARIABLE])
    record(
        "hook",
        command=arguments[0],
        argv=arguments,
        cwd=os.getcwd(),
        state_found=sorted(path.name for path in state_dir.iterdir()),
    )
    (state_dir / arguments[0]).touch()
    return 1 if arguments[0] in os.environ.get("FAKE_HOOKS_FAILING", "").split(",") else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
