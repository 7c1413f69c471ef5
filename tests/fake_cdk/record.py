"""Where the fakes of tests/test_integ_runner.py write down what they were called with."""

from __future__ import annotations

import json
import os
from typing import Any

STATE_DIR_VARIABLE = "QUICKSETUP_INTEG_STATE_DIR"


def record(program: str, **fields: Any) -> None:
    """Append one call of ``program`` to the JSON-lines log ``FAKE_CDK_LOG`` names, with the
    ``QUICKSETUP_INTEG_STATE_DIR`` it was given (None when unset)."""
    entry = {"program": program, "state_dir": os.environ.get(STATE_DIR_VARIABLE), **fields}
    with open(os.environ["FAKE_CDK_LOG"], "a") as log:
        log.write(json.dumps(entry) + "\n")
