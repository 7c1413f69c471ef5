"""``quicksetup status --org`` through Athena against the member-role path:
``python -m bench.org_athena``.

A local fake of AWS (``tests/fake_aws.py``'s :class:`FakeOrganization` with
``tests/fake_athena.py``'s :class:`FakeAthena`, bound to 127.0.0.1, stopped when the run ends)
plays an organization of ``--accounts`` member accounts (the caller's own among them) whose
Quick Setup StackSets deploy to ``--regions``. Every call it answers, Athena's included, waits
``--latency`` seconds first. Its inventory bucket is a temporary folder laid out as the resource
data sync writes it: in every target (account × Region) ``--instances`` managed instances, each
with one ``AWS:InstanceInformation`` file and one ``AWS:ComplianceItem`` file of four
association rows: the three options of the configuration whose documents are Command
documents (``AWS-UpdateSSMAgent``, ``AWS-CollectInventory``, ``AWS-ScanForPatches``; the other
two are Automation runbooks, not in the data) and an association that is not the
configuration's (``AWS-ConfigureAWSPackage``). One account in 50 has a failed option in one of
its Regions: live, State Manager says so (``FakeOrganization.failed``); in the data, one of the
target's instances is NON_COMPLIANT for that option's document. So both paths should agree.

Two commands run in fresh processes, alternating (A B, then B A, ...):

- (A) ``quicksetup status --org --output json``: no member role, so the associations are read
  with one Athena query, in the workgroup that the stack's outputs name;
- (B) ``quicksetup status --org --member-role R --output json``: ``AssumeRole`` in every member
  account and ``ListAssociations`` in every target.

Each run's wall time, CPU time and peak RSS are its process's own (``wait4``), and its calls are
those the fake answered meanwhile.

**The query engine's own time is left out** (the issue's "not counting the query engine's own
time"): the fake runs each query on DuckDB over the files, which stands for Athena's engine.
An untimed run of (A) comes first; the fake keeps its result (``FakeAthena.cache``), and the
timed runs' query, the same text with the same parameters, is answered from it, the
per-call latency still applied. The engine's seconds on that first run are printed as context,
and the benchmark fails if a timed run made the engine run again.

Checked: every target is in both outputs; each target's association status is the same in
(A) and (B) and as the fake planted it, and so is each option's where the data reports it;
(A) read every target from Athena (``source`` ``athena``, the managed instances counted) and
assumed no role; (B) assumed the role once per member account. Exit 1 when (A)'s median misses
its targets (``TARGET_SECONDS``, ``TARGET_MEGABYTES``); a check that fails stops the run (exit
message). ``--json FILE`` keeps the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # tests/fake_aws.py, when run from elsewhere
    sys.path.insert(0, str(ROOT))

from bench.measured import placeholder_environment  # noqa: E402
from tests.fake_athena import FakeAthena, write_rows  # noqa: E402
from tests.fake_aws import ACCOUNT, FakeOrganization, fake_organization  # noqa: E402

TARGET_SECONDS = 10.0
TARGET_MEGABYTES = 200.0
"""(A)'s targets, on the median of its timed runs."""
TIMEOUT_SECONDS = 600
"""A command is stopped (and the run fails) after this long."""
ROLE = "QuickSetupReader"
ASSOCIATIONS = "QuickSetup-19d1f875-Associations"
"""The StackSet of the fake's configuration that holds its associations."""
WORKGROUP = "QuickSetup-Inventory-19d1f875"
DATABASE = "quicksetup_inventory_19d1f875"
STACK = "QuickSetupOrganizationSample"
OUTPUTS = {
    "OrgInventoryAthenaWorkGroupName14BCDBE1": WORKGROUP,
    "OrgInventoryAthenaDatabaseName5F0E2A11": DATABASE,
}
"""The stack outputs of ``InventorySync(athena=True)`` (``rendering/athena.py``), where (A)
finds its workgroup."""
DATA_OPTIONS = ("UpdateSSMAgent", "CollectInventory", "ScanForPatches")
"""The fake configuration's options whose association compliance the data reports: its
template runs each with the Command document ``AWS-<option>``."""
OTHER_DOCUMENT = "AWS-ConfigureAWSPackage"
"""A fourth association on every instance, not the configuration's: read, then left out."""
FAILED_EVERY = 50
"""One account in this many has a failed option in one Region."""


def organization(accounts: int, regions: list[str], latency: float, root: Path) -> FakeOrganization:
    """``accounts`` accounts (the caller's first) and their Athena over ``root``. Account
    ``i`` with ``i % FAILED_EVERY == 1`` has one failed option (of :data:`DATA_OPTIONS`, in
    turn) in one of its Regions (in turn)."""
    ids = [ACCOUNT] + [f"{200000000000 + index:012d}" for index in range(accounts - 1)]
    failed: dict[tuple[str, str], tuple[str, ...]] = {
        (account, regions[index // FAILED_EVERY % len(regions)]): (
            DATA_OPTIONS[index // FAILED_EVERY % len(DATA_OPTIONS)],
        )
        for index, account in enumerate(ids)
        if index % FAILED_EVERY == 1
    }
    athena = FakeAthena(root=root, workgroups={WORKGROUP}, stacks={STACK: OUTPUTS}, cache=True)
    return FakeOrganization(
        accounts=ids,
        regions=regions,
        member_role=ROLE,
        latency=latency,
        failed=failed,
        athena=athena,
    )


def write_data(fake: FakeOrganization, root: Path, instances: int) -> dict[str, Any]:
    """The inventory bucket under ``root``, as the sync writes it (see the module); how many
    files, their bytes, and how long writing them took."""
    started = time.monotonic()
    for account_index, account in enumerate(fake.accounts):
        for region_index, region in enumerate(fake.regions):
            failed = fake.failed.get((account, region), ())
            for index in range(instances):
                instance = f"i-{account_index:06x}{region_index:x}{index:010x}"
                write_rows(
                    root, "AWS:InstanceInformation", account, region, instance,
                    {"InstanceId": instance, "PlatformType": "Linux", "InstanceStatus": "Active",
                     "AgentStatus": "Online"},
                )  # fmt: skip
                documents = [f"AWS-{option}" for option in DATA_OPTIONS] + [OTHER_DOCUMENT]
                write_rows(
                    root,
                    "AWS:ComplianceItem",
                    account,
                    region,
                    instance,
                    *(_item(document, index, failed) for document in documents),
                )
    seconds = time.monotonic() - started
    files = [path for path in root.glob("**/*.json")]
    return {
        "files": len(files),
        "data_bytes": sum(path.stat().st_size for path in files),
        "write_seconds": seconds,
    }


def _item(document: str, index: int, failed: tuple[str, ...]) -> dict[str, str]:
    """An association's compliance row on an instance, shaped as the Systems Manager API
    reference's ListComplianceItems sample shows one (``ComplianceType`` ``Association``,
    ``Id`` the association's id, an empty ``Title``): NON_COMPLIANT on the first instance of
    a target where the option failed."""
    status = (
        "NON_COMPLIANT" if index == 0 and document.removeprefix("AWS-") in failed else "COMPLIANT"
    )
    return {
        "ComplianceType": "Association",
        "Id": f"{zlib.crc32(document.encode()) % 10**8:08d}-0000-4000-8000-{index:012d}",
        "Title": "",
        "Status": status,
        "Severity": "UNSPECIFIED",
        "DocumentName": document,
        "DocumentVersion": "1",
        "ExecutionType": "Command",
    }


def command(fake: FakeOrganization, path: str) -> list[str]:
    """(A): no member role, the Athena path; (B): the member-role path."""
    args = ["status", "--org", "--region", fake.regions[0], "--endpoint-url", fake.url]
    args += ["--output", "json"]
    return args + (["--member-role", ROLE] if path == "B" else [])


PROGRAM = """
import atexit, os

def peak():  # the high-water mark of this process's memory, the one exec gave it
    with open("/proc/self/status") as status, open(os.environ["PEAK_FILE"], "w") as out:
        out.write(next(line for line in status if line.startswith("VmHWM:")).split()[1])

atexit.register(peak)
from quicksetup_constructs.cli.entry import main
main()
"""
"""The child: the command, and at its exit its peak RSS (``VmHWM``, kB) written to a file.
``wait4``'s ``ru_maxrss`` would not do: Linux keeps in it the memory of the parent at the
fork (the benchmark's, with the fake and DuckDB), where the child's own peak may be lower."""


def run_measured(args: list[str], timeout: float = TIMEOUT_SECONDS) -> dict[str, Any]:
    """``quicksetup ARGS`` in a fresh interpreter with placeholder credentials and an empty
    home (as :func:`bench.measured.run_quicksetup`): its own wall time, CPU time (``wait4``)
    and peak RSS (:data:`PROGRAM`), whatever ran before it."""
    home = tempfile.mkdtemp(prefix="org-athena-")
    peak_file = os.path.join(home, "peak")
    env = {**placeholder_environment(home), "PEAK_FILE": peak_file}
    program = [sys.executable, "-c", PROGRAM]
    try:
        with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
            started = time.monotonic()
            child = subprocess.Popen(
                [*program, *args], env=env, stdout=stdout, stderr=stderr, cwd=home
            )
            timer = threading.Timer(timeout, child.kill)
            timer.start()
            try:
                _, status, usage = os.wait4(child.pid, 0)
            finally:
                timer.cancel()
            seconds = time.monotonic() - started
            child.returncode = os.waitstatus_to_exitcode(status)
            stdout.seek(0)
            stderr.seek(0)
            output, errors = stdout.read(), stderr.read().decode(errors="replace")
        peak_kb = int(Path(peak_file).read_text()) if os.path.exists(peak_file) else None
    finally:
        shutil.rmtree(home, ignore_errors=True)
    if child.returncode not in (0, 1):
        raise SystemExit(f"the command failed ({child.returncode}): {errors[-2000:]}")
    if peak_kb is None:
        raise SystemExit("the command did not write its peak RSS")
    return {
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_mb": peak_kb / 1024,
        "exit_code": child.returncode,
        "output": json.loads(output),
    }


def require(condition: bool, message: str) -> None:
    """A check of the benchmark: stop the run when it fails (kept under ``python -O``)."""
    if not condition:
        raise SystemExit(f"check failed: {message}")


def targets(output: Any) -> tuple[str, dict[str, dict[str, Any]]]:
    """The associations' StackSet of an output (the JSON contract's envelope): its source and
    its targets by ``account/region``."""
    require(isinstance(output, dict) and "data" in output, "the output is not the JSON contract")
    stack_set = output["data"]["stack_sets"].get(ASSOCIATIONS)
    require(stack_set is not None, f"no StackSet {ASSOCIATIONS} in the output")
    return stack_set["source"], stack_set["target_results"]


def expected_states(fake: FakeOrganization) -> dict[str, str]:
    """Each target's association status as the fake planted it."""
    return {
        f"{account}/{region}": "Failed" if (account, region) in fake.failed else "Success"
        for account in fake.accounts
        for region in fake.regions
    }


def check_run(fake: FakeOrganization, path: str, run: dict[str, Any], instances: int) -> None:
    """One run's output: every target, in the state planted, read by the path's source."""
    source, found = targets(run["output"])
    expected = expected_states(fake)
    require(source == ("athena" if path == "A" else "live"), f"({path}) read from {source}")
    require(
        set(found) == set(expected),
        f"({path}) gave {len(found)} targets, not the {len(expected)} of the organization",
    )
    wrong = {
        key: target["association_status"]
        for key, target in found.items()
        if target["association_status"] != expected[key]
    }
    require(not wrong, f"({path}) targets not in their planted state: {_some(wrong)}")
    require(
        run["exit_code"] == (1 if fake.failed else 0),
        f"({path}) exit code {run['exit_code']} with {len(fake.failed)} failed targets",
    )
    if path == "A":
        counted = {k: t["managed_instances"] for k, t in found.items()}
        require(
            set(counted.values()) == {instances},
            f"(A) managed instances are not {instances}: {_some(counted)}",
        )


def compare(a: dict[str, Any], b: dict[str, Any]) -> None:
    """(A) and (B) agree on every target's association status, and on each option's state
    where the data reports that option (not ``Not in data``)."""
    _, by_athena = targets(a)
    _, live = targets(b)
    require(set(by_athena) == set(live), "(A) and (B) gave different targets")
    differ = {}
    for key, target in by_athena.items():
        other = live[key]
        if target["association_status"] != other["association_status"]:
            differ[key] = (target["association_status"], other["association_status"])
        for option, state in target["options"].items():
            if state != "Not in data" and state != other["options"].get(option):
                differ[f"{key} {option}"] = (state, other["options"].get(option))
    require(not differ, f"(A) and (B) disagree (A, B): {_some(differ)}")
    in_data = {
        option
        for target in by_athena.values()
        for option, state in target["options"].items()
        if state != "Not in data"
    }
    require(len(in_data) == len(DATA_OPTIONS), f"(A) found in the data the options {in_data}")


def _some(found: dict[str, Any]) -> str:
    shown = ", ".join(f"{key}: {value}" for key, value in list(found.items())[:3])
    return shown + (f" (and {len(found) - 3} more)" if len(found) > 3 else "")


@dataclass
class Runs:
    """The timed runs of one path."""

    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    calls: list[int] = field(default_factory=list)
    assume_role: list[int] = field(default_factory=list)
    operations: dict[str, int] = field(default_factory=dict)
    """The calls of the last run, by operation."""

    def add(self, run: dict[str, Any], calls: list[str], assume_role: int) -> None:
        self.seconds.append(run["seconds"])
        self.cpu_seconds.append(run["cpu_seconds"])
        self.peak_mb.append(run["peak_mb"])
        self.calls.append(len(calls))
        self.assume_role.append(assume_role)
        self.operations = dict(Counter(calls).most_common())

    def median(self, name: str) -> float:
        return float(statistics.median(getattr(self, name)))


def measure(
    fake: FakeOrganization, instances: int, rounds: int, log: Callable[[str], None]
) -> dict[str, Any]:
    """The untimed run of (A) that gives the engine its query, then ``rounds`` rounds of (A)
    and (B), alternating; every run checked."""
    athena: FakeAthena = fake.athena
    # The engine answers within StartQueryExecution: this call may take longer than the
    # command's read timeout (8 s), so this run waits for its answers as long as they take.
    first = run_measured([*command(fake, "A"), "--cli-read-timeout", "0"])
    check_run(fake, "A", first, instances)
    require(
        len(athena.engine_seconds) == 1 and athena.cache_hits == 0,
        "the first run of (A) did not make one query",
    )
    log(f"  untimed (A): {first['seconds']:.1f} s, the engine {athena.engine_seconds[0]:.1f} s")
    runs = {"A": Runs(), "B": Runs()}
    outputs: dict[str, Any] = {}
    for round_index in range(rounds):
        for path in ("A", "B") if round_index % 2 == 0 else ("B", "A"):
            calls, assumed, hits = len(fake.requests), sum(fake.assumed.values()), athena.cache_hits
            run = run_measured(command(fake, path))
            check_run(fake, path, run, instances)
            assume_role = sum(fake.assumed.values()) - assumed
            if path == "A":
                require(assume_role == 0, f"(A) called AssumeRole {assume_role} times")
                require(
                    len(athena.engine_seconds) == 1 and athena.cache_hits == hits + 1,
                    "(A)'s query was not answered from the first run's result",
                )
            else:
                members = len([account for account in fake.accounts if account != ACCOUNT])
                require(assume_role == members, f"(B) called AssumeRole {assume_role} times")
            runs[path].add(run, fake.requests[calls:], assume_role)
            outputs[path] = run["output"]
            seconds, peak = run["seconds"], run["peak_mb"]
            log(f"  round {round_index + 1} ({path}): {seconds:.1f} s, {peak:.0f} MB")
    compare(outputs["A"], outputs["B"])
    _, found = targets(outputs["A"])
    query = outputs["A"]["data"]["stack_sets"][ASSOCIATIONS]["athena_query"]
    return {
        "runs": runs,
        "engine_seconds": athena.engine_seconds[0],
        "bytes_scanned": query["bytes_scanned"],
        "failed_targets": sum(1 for t in found.values() if t["association_status"] == "Failed"),
        "targets": len(found),
    }


def ratio_range(a: list[float], b: list[float]) -> tuple[float, float]:
    """The range of A/B over the runs paired by round."""
    ratios = [x / y for x, y in zip(a, b, strict=True)]
    return min(ratios), max(ratios)


def table(runs: dict[str, Runs]) -> str:
    """The figures as a Markdown table: medians, with the range of the runs."""
    a, b = runs["A"], runs["B"]

    def cell(values: list[float], unit: str, digits: int) -> str:
        median = statistics.median(values)
        if len(values) == 1:
            return f"{median:.{digits}f} {unit}"
        return f"{median:.{digits}f} {unit} ({min(values):.{digits}f}–{max(values):.{digits}f})"

    def ratio(name: str) -> str:
        low, high = ratio_range(getattr(a, name), getattr(b, name))
        return f"{a.median(name) / b.median(name):.3f} ({low:.3f}–{high:.3f})"

    met = a.median("seconds") <= TARGET_SECONDS and a.median("peak_mb") <= TARGET_MEGABYTES
    rows = [
        "| path | wall time | CPU | peak RSS | calls | target |",
        "|---|---|---|---|---|---|",
        f"| (A) Athena, no member role | {cell(a.seconds, 's', 2)} | "
        f"{cell(a.cpu_seconds, 's', 2)} | {cell(a.peak_mb, 'MB', 0)} | "
        f"{a.median('calls'):.0f} ({a.median('assume_role'):.0f} AssumeRole) | "
        f"≤ {TARGET_SECONDS:.0f} s, ≤ {TARGET_MEGABYTES:.0f} MB: "
        f"**{'met' if met else 'missed'}** |",
        f"| (B) `--member-role` | {cell(b.seconds, 's', 2)} | {cell(b.cpu_seconds, 's', 2)} | "
        f"{cell(b.peak_mb, 'MB', 0)} | "
        f"{b.median('calls'):.0f} ({b.median('assume_role'):.0f} AssumeRole) | context |",
        f"| A / B | {ratio('seconds')} | {ratio('cpu_seconds')} | {ratio('peak_mb')} | "
        f"{a.median('calls') / b.median('calls'):.3f} | |",
    ]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.org_athena",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument(
        "--regions",
        default="us-east-1,ap-northeast-1",
        help="comma-separated (default: us-east-1,ap-northeast-1)",
    )
    parser.add_argument(
        "--instances", type=int, default=50, help="managed instances per target (default 50)"
    )
    parser.add_argument(
        "--latency", type=float, default=0.08, help="seconds before each answer (default 0.08)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="timed runs of each path (default 3)")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args(argv)
    regions = [region.strip() for region in args.regions.split(",") if region.strip()]
    if args.accounts < 2 or args.instances < 1 or args.rounds < 1 or not regions:
        parser.error("at least 2 accounts, 1 Region, 1 instance and 1 round")

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="org-athena-bucket-") as bucket:
        root = Path(bucket)
        fake = organization(args.accounts, regions, args.latency, root)
        data = write_data(fake, root, args.instances)
        log(
            f"  wrote {data['files']:,} files ({data['data_bytes'] / 2**20:.0f} MiB) in "
            f"{data['write_seconds']:.0f} s"
        )
        with fake_organization(fake):
            measured = measure(fake, args.instances, args.rounds, log)
        started = time.monotonic()
    data["remove_seconds"] = time.monotonic() - started
    runs: dict[str, Runs] = measured.pop("runs")
    a, b = runs["A"], runs["B"]
    ok = a.median("seconds") <= TARGET_SECONDS and a.median("peak_mb") <= TARGET_MEGABYTES
    figures = {
        "accounts": args.accounts,
        "regions": regions,
        "instances_per_target": args.instances,
        "instances": measured["targets"] * args.instances,
        "latency_s": args.latency,
        "rounds": args.rounds,
        **data,
        **measured,
        "runs": {path: vars(path_runs) for path, path_runs in runs.items()},
        "ratio_seconds": a.median("seconds") / b.median("seconds"),
        "ratio_peak_mb": a.median("peak_mb") / b.median("peak_mb"),
        "ratio_calls": a.median("calls") / b.median("calls"),
        "within_targets": ok,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
    }
    print(
        f"quicksetup status --org: {args.accounts} accounts × {len(regions)} Regions = "
        f"{measured['targets']} targets × {args.instances} managed instances = "
        f"{figures['instances']:,} instances, 4 association rows each; "
        f"{args.latency * 1000:.0f} ms a call; {args.rounds} timed run(s) of each path, "
        "alternating\n"
        f"data: {data['files']:,} files, {data['data_bytes'] / 2**20:.0f} MiB, written in "
        f"{data['write_seconds']:.0f} s; Athena scanned {measured['bytes_scanned']:,} bytes; "
        f"the engine's own time, left out: {measured['engine_seconds']:.1f} s\n"
        f"targets with a failed option: {measured['failed_targets']} (both paths agree)\n"
        f"(A)'s calls: {', '.join(f'{n} {op}' for op, n in a.operations.items())}\n\n"
        + table(runs)
        + f"\n\n{'within the targets' if ok else 'OVER A TARGET'}"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
