"""The managed-instances card at scale: ``python -m bench.managed_instances``.

A local fake of AWS (``tests/fake_fleet.py``'s :class:`FakeFleet`, bound to 127.0.0.1,
stopped when the run ends) holds ``--instances`` EC2 instances in one Region, all reached by
the configuration's targets (``tag:Environment=production``), every call answered after
``--latency`` seconds: EC2 (query/XML), Systems Manager (JSON), IAM (query/XML).
``quicksetup status --managed-instances --endpoint-url URL --output json`` runs in a fresh
process against it; its wall time and peak resident memory (``getrusage(RUSAGE_CHILDREN)``,
the only child) are printed and checked against the targets (5 s, 150 MB), and its output
against the fleet (every instance counted, each reason found where it was planted).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # tests/fake_fleet.py, when run from elsewhere
    sys.path.insert(0, str(ROOT))

from bench.measured import run_quicksetup  # noqa: E402
from tests.fake_fleet import CORE_POLICY_ARN, REGION, FakeFleet, Instance, fake_fleet  # noqa: E402

TARGET_SECONDS = 5.0
TARGET_MEGABYTES = 150.0
TIMEOUT_SECONDS = 300
TAG = {"Environment": "production"}


def fleet(count: int, latency: float) -> tuple[FakeFleet, Counter]:
    """``count`` instances: of every 100, 2 stopped, 2 without a profile, 2 whose profile's
    role lacks the policy, 2 with the agent's connection lost, 1 never registered; the rest
    managed and online. Returns the fleet and the reasons planted."""
    instances = []
    planted: Counter = Counter()
    for index in range(count):
        instance_id = f"i-{index:017x}"
        kind = index % 100
        if kind < 2:
            instance = Instance(instance_id, state="stopped", profile="ssm", tags=TAG)
            planted["not_running"] += 1
        elif kind < 4:
            instance = Instance(instance_id, tags=TAG)
            planted["no_instance_profile"] += 1
        elif kind < 6:
            instance = Instance(instance_id, profile="bare", tags=TAG)
            planted["role_lacks_policy"] += 1
        elif kind < 8:
            instance = Instance(instance_id, profile="ssm", tags=TAG, ping="ConnectionLost")
            planted["agent_not_online"] += 1
        elif kind < 9:
            instance = Instance(instance_id, profile="ssm", tags=TAG)
            planted["agent_not_registered"] += 1
        else:
            instance = Instance(instance_id, profile="ssm", tags=TAG, ping="Online")
        instances.append(instance)
    return FakeFleet(
        instances=instances,
        profiles={"ssm": "SsmRole", "bare": "BareRole"},
        roles={"SsmRole": [CORE_POLICY_ARN], "BareRole": []},
        latency=latency,
    ), planted


def run(fake: FakeFleet, max_concurrency: int | None) -> dict[str, Any]:
    """Run the command once against ``fake``; its wall time, peak RSS and output."""
    args = [
        "status",
        "--managed-instances",
        "--region",
        REGION,
        "--endpoint-url",
        fake.url,
        "--output",
        "json",
    ]
    if max_concurrency is not None:
        args += ["--max-concurrency", str(max_concurrency)]
    return run_quicksetup(args, prefix="managed-instances-", timeout=TIMEOUT_SECONDS)


def check(fake: FakeFleet, planted: Counter, output: dict[str, Any]) -> dict[str, Any]:
    """What the card says, checked against what the fleet holds."""
    [configuration] = output["data"]["configurations"].values()
    card = configuration["managed_instances"]
    found = Counter(item["reason"] for item in card["unmanaged"].values())
    assert card["target_count"] == len(fake.instances), card["target_count"]
    assert found == planted, (found, planted)
    chunks = [
        len(call["Filters"][0]["Values"]) for call in fake.calls("DescribeInstanceInformation")
    ]
    assert max(chunks) <= 100, max(chunks)
    return {
        "targeted": card["target_count"],
        "managed": card["managed_count"],
        "unmanaged": len(card["unmanaged"]),
        "requests": len(fake.requests),
        "describe_instance_information": len(chunks),
        "describe_instances": len(fake.calls("DescribeInstances")),
        "iam": len(fake.calls("GetInstanceProfile")) + len(fake.calls("ListAttachedRolePolicies")),
        "max_in_flight": fake.max_in_flight,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.managed_instances",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--instances", type=int, default=10_000)
    parser.add_argument(
        "--latency", type=float, default=0.08, help="seconds before each answer (default 0.08)"
    )
    parser.add_argument(
        "--max-concurrency",
        type=int,
        default=0,
        help="passed to the command (0: not passed, its default)",
    )
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args(argv)
    fake, planted = fleet(args.instances, args.latency)
    with fake_fleet(fake):
        measured = run(fake, args.max_concurrency or None)
    counts = check(fake, planted, measured.pop("output"))
    figures = {
        "instances": args.instances,
        "latency_s": args.latency,
        "max_concurrency": args.max_concurrency or None,
        **measured,
        **counts,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }
    ok = figures["seconds"] <= TARGET_SECONDS and figures["peak_mb"] <= TARGET_MEGABYTES
    print(
        f"quicksetup status --managed-instances: {args.instances} instances in {REGION}, "
        f"{args.latency * 1000:.0f} ms a call, --max-concurrency "
        f"{args.max_concurrency or 'default'}\n"
        f"  wall time   {figures['seconds']:.2f} s   (target ≤ {TARGET_SECONDS:.0f} s); "
        f"CPU {figures['cpu_seconds']:.2f} s\n"
        f"  peak RSS    {figures['peak_mb']:.0f} MB   (target ≤ {TARGET_MEGABYTES:.0f} MB)\n"
        f"  calls       {counts['requests']}: {counts['describe_instances']} DescribeInstances, "
        f"{counts['describe_instance_information']} DescribeInstanceInformation, "
        f"{counts['iam']} IAM; at most {counts['max_in_flight']} in flight\n"
        f"  card        {counts['targeted']} targeted, {counts['managed']} managed, "
        f"{counts['unmanaged']} not managed (each reason where it was planted)\n"
        f"  {'within the targets' if ok else 'OVER A TARGET'}"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
