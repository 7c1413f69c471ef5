"""Run every benchmark and write the tables to ``docs/benchmarks.md``: ``python -m bench``.

Each measured app runs in a fresh ``python -m bench.child`` process, one at a time, the
contenders alternating (A B C, then C B A, ...) so that drift in a noisy machine's speed falls
on all of them alike. Every figure is the median of the repetitions, with the range beside it.

- ``--quick``: fewer repetitions (a smoke run; its figures are not for the docs).
- ``--with-tests``: also time the test suite (``python -m pytest -n 2 -q``) once.
- ``--sections``: run only some sections (``overhead``, ``validation-off``, ``configs``,
  ``configs-validation-off``, ``stacks``).
- ``--no-write``: print the tables without touching ``docs/benchmarks.md``.
- ``--json FILE``: keep every raw measurement.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from bench import report

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"

CONFIG_COUNTS = (1, 10, 50, 100)
STACK_COUNTS = (1, 10, 50)
SECTIONS = ("overhead", "validation-off", "configs", "configs-validation-off", "stacks")


@dataclass(frozen=True)
class Contender:
    """One app to measure: a scenario of :mod:`bench.scenarios`, with ``count`` and env."""

    key: str
    scenario: str
    count: int = 1
    cdk_validation: bool = True
    """CDK's built-in template validation (``CDK_VALIDATION=false`` turns it off)."""


@dataclass
class Measurement:
    contender: Contender
    runs: list[dict[str, Any]] = field(default_factory=list)


def child_env(contender: Contender) -> dict[str, str]:
    env = dict(os.environ)
    for name in (
        "CDK_CONTEXT_JSON",
        "CDK_OUTDIR",
        "CDK_VALIDATION",
        "CDK_PERF_COUNTERS_FILE",
        "PYTHONDONTWRITEBYTECODE",  # measure with Python's bytecode cache, as users run
    ):
        env.pop(name, None)
    env["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = env.get(
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20"
    )
    env["CDK_DISABLE_CLI_TELEMETRY"] = "true"
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    if not contender.cdk_validation:
        env["CDK_VALIDATION"] = "false"
    return env


def compile_sources() -> None:
    """Write the bytecode cache of this repository's code, as a first ``import`` would (the
    installed packages have theirs already), so that no measured run compiles source."""
    for folder in ("quicksetup_constructs", "bench"):
        compileall.compile_dir(str(ROOT / folder), quiet=1)


def run_child(contender: Contender) -> dict[str, Any]:
    """Run one app in a fresh process; its phases plus the whole process's wall, CPU, memory."""
    with tempfile.TemporaryDirectory(prefix="quicksetup-bench-run-") as scratch:
        result_path = Path(scratch, "result.json")
        stderr_path = Path(scratch, "stderr.txt")
        command = [
            sys.executable,
            "-m",
            "bench.child",
            contender.scenario,
            "--count",
            str(contender.count),
            "--result",
            str(result_path),
        ]
        with open(stderr_path, "wb") as stderr:
            started = time.perf_counter()
            child = subprocess.Popen(
                command,
                cwd=ROOT,
                env=child_env(contender),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
            _, status, usage = os.wait4(child.pid, 0)
            wall = time.perf_counter() - started
            child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0 or not result_path.exists():
            raise SystemExit(
                f"{contender.key} failed (exit {child.returncode}):\n"
                + stderr_path.read_text(errors="replace")[-4000:]
            )
        result = json.loads(result_path.read_text())
    result["process_wall"] = wall
    result["process_cpu"] = usage.ru_utime + usage.ru_stime  # this process and its node
    result["process_maxrss_mb"] = usage.ru_maxrss / 1024  # the largest single process
    return result


def measure(
    contenders: Sequence[Contender], rounds: int, *, label: str, log: Any = print
) -> dict[str, Measurement]:
    """``rounds`` runs of each contender, alternating; forward then backward order."""
    results = {c.key: Measurement(c) for c in contenders}
    total = rounds * len(contenders)
    done = 0
    started = time.perf_counter()
    for round_index in range(rounds):
        order = contenders if round_index % 2 == 0 else list(reversed(contenders))
        for contender in order:
            run = run_child(contender)
            results[contender.key].runs.append(run)
            done += 1
            log(
                f"  [{label} {done}/{total}, {time.perf_counter() - started:5.0f} s] "
                f"{contender.key:<28} {run['process_wall']:6.2f} s wall  "
                f"{run['process_cpu']:6.2f} s CPU"
            )
    return results


def same_resources(a: Measurement, b: Measurement) -> None:
    """Fail unless both produced the same resource types in the same numbers, per stack."""
    left = [stack["types"] for stack in a.runs[0]["stacks"]]
    right = [stack["types"] for stack in b.runs[0]["stacks"]]
    if left != right:
        raise SystemExit(
            f"unfair comparison: {a.contender.key} made {left}, {b.contender.key} made {right}"
        )


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass
    try:
        node = subprocess.run(
            ["node", "--version"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        node = "unknown"

    def version(package: str) -> str:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return "not installed"

    return {
        "cores (nproc)": str(os.cpu_count()),
        "CPU": cpu,
        "memory": memory,
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "Node.js": node,
        "aws-cdk-lib": version("aws-cdk-lib"),
        "constructs": version("constructs"),
        "jsii": version("jsii"),
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def run_tests(log: Any = print) -> dict[str, Any]:
    command = [sys.executable, "-m", "pytest", "-n", "2", "-q", "-p", "no:cacheprovider"]
    log("  running the test suite: " + " ".join(["python", *command[1:]]))
    env = dict(os.environ)
    env.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    started = time.perf_counter()
    finished = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - started
    lines = [line for line in finished.stdout.strip().splitlines() if line.strip()]
    summary = lines[-1].strip("= ") if lines else "(no output)"
    log(f"  test suite: {wall:.1f} s, {summary}")
    return {"wall": wall, "summary": summary, "exit_code": finished.returncode}


def write_docs(markdown: str, path: Path = DOCS) -> None:
    """Put ``markdown`` between the markers of ``path``, keeping the prose around it."""
    block = f"{report.BEGIN}\n{markdown.strip()}\n{report.END}"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if report.BEGIN in text and report.END in text:
        before, rest = text.split(report.BEGIN, 1)
        after = rest.split(report.END, 1)[1]
        text = before + block + after
    else:
        text = (text.rstrip() + "\n\n" if text else "# Benchmarks\n\n") + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _contenders(sections: Iterable[str]) -> dict[str, list[Contender]]:
    plan: dict[str, list[Contender]] = {}
    if "overhead" in sections:
        plan["overhead"] = [
            Contender("empty", "empty"),
            Contender("local", "local"),
            Contender("handwritten", "handwritten"),
            Contender("native", "native"),
            Contender("organization", "organization"),
        ]
    if "validation-off" in sections:
        plan["validation-off"] = [
            Contender(f"{name} (validation off)", name, cdk_validation=False)
            for name in ("empty", "local", "handwritten")
        ]
    for section, validation, suffix in (
        ("configs", True, ""),
        ("configs-validation-off", False, " (validation off)"),
    ):
        if section in sections:
            plan[section] = [
                Contender(f"{scenario}-{count}{suffix}", scenario, count, validation)
                for count in CONFIG_COUNTS
                for scenario in ("configs", "handwritten-configs")
            ]
    if "stacks" in sections:
        plan["stacks"] = [Contender(f"stacks-{count}", "stacks", count) for count in STACK_COUNTS]
    return plan


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (smoke run)")
    parser.add_argument("--with-tests", action="store_true", help="time the test suite too")
    parser.add_argument("--rounds", type=int, help="repetitions of every contender")
    parser.add_argument(
        "--sections",
        default=",".join(SECTIONS),
        help=f"comma-separated, from {', '.join(SECTIONS)}",
    )
    parser.add_argument("--no-write", action="store_true", help="do not update the docs")
    parser.add_argument("--json", help="write every raw measurement to this file")
    args = parser.parse_args(argv)

    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    overhead_rounds = args.rounds or (3 if args.quick else 9)
    scaling_rounds = args.rounds or (2 if args.quick else 5)

    started = time.perf_counter()
    info = machine()
    print(f"quicksetup-constructs benchmarks on {info['CPU']} ({info['cores (nproc)']} cores)")
    compile_sources()
    results: dict[str, dict[str, Measurement]] = {}
    for section, contenders in _contenders(sections).items():
        rounds = overhead_rounds if section in ("overhead", "validation-off") else scaling_rounds
        print(f"{section}: {len(contenders)} apps x {rounds} rounds")
        run_child(contenders[0])  # warm the file cache; not counted
        results[section] = measure(contenders, rounds, label=section)

    if "overhead" in results:
        same_resources(results["overhead"]["local"], results["overhead"]["handwritten"])
    if "validation-off" in results:
        section = results["validation-off"]
        same_resources(section["local (validation off)"], section["handwritten (validation off)"])
    for section, suffix in (("configs", ""), ("configs-validation-off", " (validation off)")):
        if section in results:
            for count in CONFIG_COUNTS:
                same_resources(
                    results[section][f"configs-{count}{suffix}"],
                    results[section][f"handwritten-configs-{count}{suffix}"],
                )

    tests = run_tests() if args.with_tests else None
    elapsed = time.perf_counter() - started
    command = (
        "python -m bench"
        + (" --quick" if args.quick else "")
        + (" --with-tests" if args.with_tests else "")
    )
    if args.rounds:
        command += f" --rounds {args.rounds}"
    if args.sections != ",".join(SECTIONS):
        command += f" --sections {args.sections}"
    markdown = report.render(
        results,
        machine=info,
        tests=tests,
        command=command,
        elapsed=elapsed,
        rounds={"overhead": overhead_rounds, "scaling": scaling_rounds},
    )
    print()
    print(markdown)
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "machine": info,
                    "tests": tests,
                    "command": command,
                    "results": {
                        section: {
                            key: {"contender": vars(m.contender), "runs": m.runs}
                            for key, m in measured.items()
                        }
                        for section, measured in results.items()
                    },
                },
                indent=1,
            ),
            encoding="utf-8",
        )
    if not args.no_write:
        write_docs(markdown)
        print(f"\nwritten to {DOCS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
