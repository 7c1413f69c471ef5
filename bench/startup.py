"""How fast ``quicksetup`` starts, against the interpreter itself: ``python -m bench.startup``.

Each run starts a fresh process: ``quicksetup --help`` and ``python -c pass``, alternating, so
that the machine's drift falls on both alike; the figure is the ratio of the medians (target
≤ 8). ``--write`` puts the table into ``docs/benchmarks.md`` between its markers.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- startup:begin -->", "<!-- startup:end -->"
TARGET = 8.0


def _seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def measure(repetitions: int) -> dict[str, list[float]]:
    script = shutil.which("quicksetup", path=str(Path(sys.executable).parent)) or "quicksetup"
    contenders = {
        "quicksetup --help": [script, "--help"],
        "quicksetup plan (sample app)": [script, "plan", "--output", "json", "cdk.out"],
        "python -c pass": [sys.executable, "-c", "pass"],
    }
    if not (ROOT / "cdk.out" / "manifest.json").exists():
        del contenders["quicksetup plan (sample app)"]
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for repetition in range(repetitions):
        order = list(contenders) if repetition % 2 == 0 else list(reversed(contenders))
        for name in order:
            times[name].append(_seconds(contenders[name]))
    return times


def table(times: dict[str, list[float]]) -> str:
    base = statistics.median(times["python -c pass"])
    lines = [
        "| process | median | range | / `python -c pass` |",
        "|---|---|---|---|",
    ]
    for name, values in times.items():
        median = statistics.median(values)
        lines.append(
            f"| `{name}` | {median * 1000:.0f} ms | {min(values) * 1000:.0f}–"
            f"{max(values) * 1000:.0f} ms | {median / base:.1f} |"
        )
    ratio = statistics.median(times["quicksetup --help"]) / base
    verdict = "met" if ratio <= TARGET else "**missed**"
    lines.append("")
    lines.append(
        f"Target: `quicksetup --help` / `python -c pass` ≤ {TARGET:.0f}: {ratio:.1f}, {verdict} "
        f"({len(times['python -c pass'])} alternating runs of each)."
    )
    return "\n".join(lines)


def write(text: str) -> None:
    docs = DOCS.read_text(encoding="utf-8")
    section = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in docs:
        start, end = docs.index(BEGIN), docs.index(END) + len(END)
        docs = docs[:start] + section + docs[end:]
    else:
        docs = docs.rstrip("\n") + (
            "\n\n## `quicksetup` start-up\n\n"
            "The command imports neither the CDK nor jsii, so it starts no Node.js process. "
            "Measured with `python -m bench.startup --write` (the plan row reads the sample "
            "app's `cdk.out`, from `make synth`):\n\n" + section + "\n"
        )
    DOCS.write_text(docs, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repetitions", type=int, default=15)
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    arguments = parser.parse_args()
    text = table(measure(arguments.repetitions))
    print(text)
    if arguments.write:
        write(text)


if __name__ == "__main__":
    main()
