"""One measured app, run in a fresh process:
``python -m bench.child SCENARIO --count N --result FILE``.

Times each phase of the app (``import aws_cdk``, the scenario's own imports, building the
construct tree, ``app.synth()``) in wall-clock and CPU seconds (this process plus the jsii
kernel's Node.js process, read from ``/proc``), counts jsii round trips per phase, records the
peak resident memory of both processes, and describes the synthesized templates. The result is
written as JSON to FILE; the harness (:mod:`bench.run`) adds the whole process's wall time.
"""

from __future__ import annotations

import time

_T0 = time.perf_counter()
_CPU0 = time.process_time()

import argparse
import collections
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

_TICKS = os.sysconf("SC_CLK_TCK")


def child_pids(pid: int) -> list[int]:
    """The live descendants of ``pid`` (the jsii kernel's ``node`` and anything it runs)."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            children = Path(f"/proc/{pid}/task/{task}/children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            found += [child, *child_pids(child)]
    return found


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime


def peak_rss_mb(pid: int | str) -> float:
    """The peak resident set (VmHWM) of a live process, in MiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Clock:
    """Wall, CPU (this process and its children) and jsii round trips, phase by phase."""

    def __init__(self) -> None:
        self.phases: dict[str, dict[str, float]] = {}
        self.calls: collections.Counter[str] = collections.Counter()
        self._wall = _T0
        self._cpu = _CPU0
        self._node = 0.0
        self._calls = 0

    def count_jsii_round_trips(self) -> None:
        from jsii._kernel.providers import process

        send = process._NodeProcess.send
        calls = self.calls

        def counted(provider: Any, request: Any, response_type: Any) -> Any:
            calls[type(request).__name__] += 1
            return send(provider, request, response_type)

        process._NodeProcess.send = counted

    def _node_cpu(self) -> float:
        return sum(_cpu_seconds(pid) for pid in child_pids(os.getpid()))

    def lap(self, phase: str) -> None:
        wall, cpu, node = time.perf_counter(), time.process_time(), self._node_cpu()
        calls = sum(self.calls.values())
        self.phases[phase] = {
            "wall": wall - self._wall,
            "cpu": (cpu - self._cpu) + (node - self._node),
            "python_cpu": cpu - self._cpu,
            "node_cpu": node - self._node,
            "jsii_calls": calls - self._calls,
        }
        self._wall, self._cpu, self._node, self._calls = wall, cpu, node, calls


def describe_assembly(assembly_dir: str) -> list[dict[str, Any]]:
    """Every template in the cloud assembly: resources by type, and sizes in bytes."""
    stacks = []
    for path in sorted(Path(assembly_dir).glob("*.template.json")):
        raw = path.read_bytes()
        template = json.loads(raw)
        resources = template.get("Resources", {})
        stack_sets = [
            {
                "name": resource["Properties"].get("StackSetName"),
                "template_body_bytes": len(resource["Properties"]["TemplateBody"].encode()),
                "template_body_resources": len(
                    json.loads(resource["Properties"]["TemplateBody"]).get("Resources", {})
                ),
            }
            for resource in resources.values()
            if resource["Type"] == "AWS::CloudFormation::StackSet"
            and isinstance(resource["Properties"].get("TemplateBody"), str)
        ]
        stacks.append(
            {
                "name": path.name.removesuffix(".template.json"),
                "resources": len(resources),
                "types": dict(collections.Counter(r["Type"] for r in resources.values())),
                "file_bytes": len(raw),
                "compact_bytes": len(json.dumps(template, separators=(",", ":")).encode()),
                "stack_sets": stack_sets,
            }
        )
    return stacks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scenario")
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--result", required=True)
    args = parser.parse_args()

    clock = Clock()
    clock.count_jsii_round_trips()
    import aws_cdk as cdk

    clock.lap("cdk_import")
    from bench.scenarios import SCENARIOS

    scenario = SCENARIOS[args.scenario]
    scenario.import_modules()
    clock.lap("contender_import")

    outdir = tempfile.mkdtemp(prefix="quicksetup-bench-")
    try:
        app = cdk.App(outdir=outdir)
        scenario.build(cdk, app, args.count)
        clock.lap("build")
        app.synth()
        clock.lap("synth")
        in_process = time.perf_counter() - _T0
        node_pids = child_pids(os.getpid())
        result = {
            "scenario": args.scenario,
            "count": args.count,
            "phases": clock.phases,
            "in_process_wall": in_process,
            "jsii_calls_by_kind": dict(clock.calls),
            "peak_rss_mb": {
                "python": peak_rss_mb("self"),
                "node": sum(peak_rss_mb(pid) for pid in node_pids),
            },
            "stacks": describe_assembly(outdir),
        }
    finally:
        shutil.rmtree(outdir, ignore_errors=True)
    Path(args.result).write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main()
