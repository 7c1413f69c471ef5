"""One ``quicksetup`` command, run as a child process against a local fake, and measured."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from typing import Any


def placeholder_environment(home: str) -> dict[str, str]:
    """The environment of a measured ``quicksetup``: placeholder credentials, and ``home``
    (empty) for its home and AWS files, so that nothing of the machine's is read."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": home,
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_CONFIG_FILE": os.path.join(home, "config"),
        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def run_quicksetup(
    args: list[str], *, prefix: str, timeout: float, pythonpath: str | None = None
) -> dict[str, Any]:
    """``quicksetup ARGS`` in a fresh interpreter with placeholder credentials and an empty
    home: its wall time, CPU time, peak RSS (of this child) and JSON output."""
    home = tempfile.mkdtemp(prefix=prefix)
    env = placeholder_environment(home)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    command = [
        sys.executable,
        "-c",
        "from quicksetup_constructs.cli.entry import main; main()",
        *args,
    ]
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    started = time.monotonic()
    with tempfile.TemporaryFile() as stdout:
        result = subprocess.run(
            command,
            env=env,
            stdout=stdout,
            stderr=subprocess.PIPE,
            timeout=timeout,
            check=False,
            cwd=home,
        )
        seconds = time.monotonic() - started
        stdout.seek(0)
        output = stdout.read()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_kb, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime - cpu_before
    if result.returncode not in (0, 1):
        raise SystemExit(f"the command failed ({result.returncode}): {result.stderr.decode()}")
    if peak_kb <= before:
        print(
            "warning: an earlier child's peak RSS was higher; this run's is not known",
            file=sys.stderr,
        )
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_mb": peak_kb / 1024,
        "output": json.loads(output),
        "exit_code": result.returncode,
    }
