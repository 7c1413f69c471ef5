"""Mutation testing of the operator CLI with mutmut (``make mutants``; not part of ``make test``).

Each group of modules is mutated in a scratch copy of the project under ``build/mutants/<group>``
(named after its modules, so runs over other modules can go on beside it),
one mutmut run per copy, the copies side by side (``--jobs``, default 2). Inside a copy, mutmut
runs ONE mutant at a time (``--max-children 1``): mutmut forks its workers from a process that
has already started the jsii kernel (Node.js), and two forked workers that synthesize at once
write to that one kernel's pipe, fail, and would count every mutant as killed. The tests are
the CLI's own (``tests/test_cli_*.py``).

Prints, per module, the mutants killed among all of them (a mutant that no test reaches counts
as not killed), as a Markdown table.

    .venv/bin/python -m bench.mutants                       # the modules of MODULES
    .venv/bin/python -m bench.mutants cli/contract.py cli/aws.py --jobs 1
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "quicksetup_constructs"
MODULES = (
    "cli/status.py",
    "cli/troubleshoot.py",
    "cli/preflight.py",
    "cli/importer/*",
    "cli/aws.py",
    "cli/contract.py",
)
"""The modules held to at least 90 % killed (docs/benchmarks.md, "Mutation testing")."""
CLI_TESTS = {
    "cli/preflight.py": ("tests/test_cli_preflight*.py",),
    "cli/importer/*": (
        "tests/test_cli_import.py",
        "tests/test_cli_import_legacy.py",
        "tests/test_cli_import_*_pinned.py",
    ),
    "cli/contract.py": ("tests/test_cli_json_contract.py", "tests/test_cli_contract_pinned.py"),
}
"""The tests a CLI module is run with, where not all of the CLI's: the module's own. For the
importer, without the property tests of untrusted input (``test_cli_import_untrusted.py``), whose
examples take about 70 s for each mutant that survives them. A mutant that only other tests would
kill counts as not killed: these figures are a lower bound."""
LIBRARY_SAMPLE = {
    "schedule.py": ("tests/test_schedule.py",),
    "targets.py": ("tests/test_targets.py",),
}
"""A sample of the library, for comparison, each module with the tests that read it directly
(the library's other tests synthesize whole apps: too slow to run once per mutant)."""
COPIED = (
    "quicksetup_constructs",
    "tests",
    "sample_app",
    "integ",
    "docs",
    "bench",
    "cdk.json",
    "README.md",
    "Makefile",
    "package.json",
    "pyproject.toml",
)
KILLED = {1, 3}
"""mutmut's exit codes of a killed mutant (``mutmut.stats.status_by_exit_code``)."""
NO_TEST = {5, 33}
"""No test reaches the mutated code: the mutant lives, and is counted as not killed."""
NOT_COUNTED = {None, 34}
"""Not checked (the run was stopped), or skipped by a ``pragma: no mutate``."""


def scratch_copy(directory: Path, patterns: list[str]) -> None:
    """A copy of the project in ``directory`` whose ``pyproject.toml`` tells mutmut to mutate
    ``patterns`` (paths under the package) with the CLI's tests."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "cdk.out", "*.egg-info")
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, directory / name, ignore=ignore)
        else:
            shutil.copy2(source, directory / name)
    (directory / "node_modules").symlink_to(ROOT / "node_modules")
    tests = tests_for(patterns)
    settings = {
        "source_paths": [PACKAGE],
        "only_mutate": [f"{PACKAGE}/{pattern}" for pattern in patterns],
        "pytest_add_cli_args_test_selection": tests,
        "pytest_add_cli_args": ["-p", "no:xdist", "-p", "no:cacheprovider", "-q"],
        "use_git_change_detection": False,
        "also_copy": [name for name in COPIED if name not in ("quicksetup_constructs", "tests")]
        + ["node_modules"],
    }
    with open(directory / "pyproject.toml", "a", encoding="utf-8") as file:
        file.write("\n[tool.mutmut]\n")
        file.writelines(f"{key} = {json.dumps(value)}\n" for key, value in settings.items())


def tests_for(patterns: list[str]) -> list[str]:
    """The CLI's tests for the CLI's modules (or their own, :data:`CLI_TESTS`); for the library's
    sample, its modules' tests."""
    if all(pattern.startswith("cli/") for pattern in patterns):
        globs = {g for p in patterns for g in CLI_TESTS.get(p, ("tests/test_cli_*.py",))}
        return sorted({path.relative_to(ROOT).as_posix() for g in globs for path in ROOT.glob(g)})
    unknown = [pattern for pattern in patterns if pattern not in LIBRARY_SAMPLE]
    if unknown:
        sys.exit(
            f"no tests known for {unknown}: a CLI module (cli/...) or one of {list(LIBRARY_SAMPLE)}"
        )
    return sorted({test for pattern in patterns for test in LIBRARY_SAMPLE[pattern]})


def copy_name(patterns: list[str]) -> str:
    """``cli/aws.py`` and ``cli/importer/*`` -> ``cli-aws+cli-importer``."""
    return "+".join(
        re.sub(r"[^A-Za-z0-9]+", "-", p.removesuffix(".py")).strip("-") for p in patterns
    )


def run(directory: Path) -> int:
    mutmut = Path(sys.executable).with_name("mutmut")
    with open(directory / "mutmut.log", "w", encoding="utf-8") as log:
        return subprocess.run(
            [str(mutmut), "run", "--max-children", "1"],
            check=False,
            cwd=directory,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "CI": "1"},
        ).returncode


def results(directory: Path) -> dict[str, tuple[int, int, int]]:
    """(killed, no test, counted) per mutated module of one copy."""
    found: dict[str, tuple[int, int, int]] = {}
    for meta in sorted((directory / "mutants" / PACKAGE).rglob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"].values()
        counted = [code for code in codes if code not in NOT_COUNTED]
        if codes:
            module = meta.relative_to(directory / "mutants" / PACKAGE).as_posix()[:-5]
            found[module] = (
                sum(code in KILLED for code in counted),
                sum(code in NO_TEST for code in counted),
                len(counted),
            )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "modules",
        nargs="*",
        default=[*MODULES, *LIBRARY_SAMPLE],
        help="paths under quicksetup_constructs/ (globs allowed)",
    )
    parser.add_argument("--jobs", type=int, default=2, help="copies run side by side")
    options = parser.parse_args()
    cli = [module for module in options.modules if module.startswith("cli/")]
    library = [module for module in options.modules if not module.startswith("cli/")]
    # A copy mutates the CLI's modules or the library's, never both: their tests differ.
    groups = [cli[n :: options.jobs] for n in range(options.jobs)] + [library]
    groups = [group for group in groups if group]
    copies = [ROOT / "build" / "mutants" / copy_name(group) for group in groups]
    for directory, group in zip(copies, groups, strict=True):
        scratch_copy(directory, group)
    with ThreadPoolExecutor(len(copies)) as pool:
        codes = list(pool.map(run, copies))
    print("| module | killed | no test | mutants | killed ratio |\n|---|---:|---:|---:|---:|")
    for directory in copies:
        for module, (killed, untested, counted) in results(directory).items():
            print(f"| `{module}` | {killed} | {untested} | {counted} | {killed / counted:.0%} |")
    if any(codes):
        sys.exit(
            f"mutmut failed in {[str(c) for c, code in zip(copies, codes, strict=False) if code]}: "
            "see mutmut.log there"
        )


if __name__ == "__main__":
    main()
