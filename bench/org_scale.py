"""``quicksetup status --org`` at organization scale: ``python -m bench.org_scale``.

A local fake of AWS (``tests/fake_aws.py``'s :class:`FakeOrganization`, bound to 127.0.0.1,
stopped when the run ends) plays an organization of ``--accounts`` member accounts whose
Quick Setup StackSets deploy to ``--regions``: CloudFormation (ListStackSets,
DescribeStackSet, ListStackInstances, paginated), STS (GetCallerIdentity, AssumeRole) and
State Manager (ListAssociations) in every member account, each call answered after
``--latency`` seconds. ``quicksetup status --org --member-role R --endpoint-url URL --output
json`` runs in a fresh process against it; its wall time and peak resident memory
(``getrusage(RUSAGE_CHILDREN)``, the only child) are printed, and checked against the targets
(60 s, 300 MB). The output is checked too: every target read, ``AssumeRole`` once per account,
no more calls in flight than ``--max-concurrency``.

``--pythonpath DIR`` runs another copy of the package (e.g. an older commit's, extracted with
``git archive``) for a before/after comparison; ``--json FILE`` keeps the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # tests/fake_aws.py, when run from elsewhere
    sys.path.insert(0, str(ROOT))

from bench.measured import run_quicksetup
from tests.fake_aws import ACCOUNT, FakeOrganization, fake_organization

TARGET_SECONDS = 60.0
TARGET_MEGABYTES = 300.0
TIMEOUT_SECONDS = 600
"""The command is stopped (and the run fails) after this long."""
ROLE = "QuickSetupReader"


def organization(accounts: int, regions: list[str], latency: float) -> FakeOrganization:
    """``accounts`` member accounts (the caller's own among them); one account in 50 has a
    failed option in its last Region, and one account in 100 denies ``AssumeRole``."""
    ids = [ACCOUNT] + [f"{200000000000 + index:012d}" for index in range(accounts - 1)]
    return FakeOrganization(
        accounts=ids,
        regions=regions,
        member_role=ROLE,
        latency=latency,
        failed={
            (account, regions[-1]): ("ScanForPatches",)
            for index, account in enumerate(ids)
            if index % 50 == 7
        },
        denied={account for index, account in enumerate(ids) if index % 100 == 99},
    )


def run(
    fake: FakeOrganization, max_concurrency: int | None, pythonpath: str | None
) -> dict[str, Any]:
    """Run the command once against ``fake``; its wall time, peak RSS and output."""
    args = [
        "status",
        "--org",
        "--member-role",
        ROLE,
        "--region",
        fake.regions[0],
        "--endpoint-url",
        fake.url,
        "--output",
        "json",
    ]
    if max_concurrency is not None:
        args += ["--max-concurrency", str(max_concurrency)]
    return run_quicksetup(args, prefix="org-scale-", timeout=TIMEOUT_SECONDS, pythonpath=pythonpath)


def check(fake: FakeOrganization, output: Any, max_concurrency: int | None) -> dict[str, Any]:
    """What the run read, checked against what the fake holds."""
    if isinstance(output, dict) and "data" in output:  # the JSON contract's envelope
        stack_sets = [
            {**stack_set, "targets": list(stack_set["target_results"].values())}
            for stack_set in output["data"]["stack_sets"].values()
        ]
    else:
        stack_sets = output
    [associations] = [s for s in stack_sets if s["name"].endswith("-Associations")]
    targets = associations["targets"]
    expected = len(fake.accounts) * len(fake.regions)
    not_read = [t for t in targets if t["association_status"] == "Not read"]
    failed = [t for t in targets if t["association_status"] == "Failed"]
    assert len(targets) == expected, (len(targets), expected)
    assert len(not_read) == len(fake.denied) * len(fake.regions), len(not_read)
    assert len(failed) == len(fake.failed), len(failed)
    members = [account for account in fake.accounts if account not in (ACCOUNT, *fake.denied)]
    assert all(fake.assumed[account] == 1 for account in members), "AssumeRole once per account"
    if max_concurrency is not None:
        assert fake.max_in_flight <= max_concurrency, fake.max_in_flight
    return {
        "targets": len(targets),
        "not_read": len(not_read),
        "failed": len(failed),
        "requests": len(fake.requests),
        "assume_role": sum(fake.assumed.values()),
        "max_in_flight": fake.max_in_flight,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.org_scale",
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
        "--latency", type=float, default=0.08, help="seconds before each answer (default 0.08)"
    )
    parser.add_argument(
        "--max-concurrency",
        type=int,
        default=16,
        help="passed to the command (0: not passed, for an older copy)",
    )
    parser.add_argument("--pythonpath", help="run the package found here instead")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args(argv)
    regions = [region.strip() for region in args.regions.split(",") if region.strip()]
    max_concurrency = args.max_concurrency or None
    fake = organization(args.accounts, regions, args.latency)
    with fake_organization(fake):
        measured = run(fake, max_concurrency, args.pythonpath)
    counts = check(fake, measured.pop("output"), max_concurrency)
    figures = {
        "accounts": args.accounts,
        "regions": regions,
        "latency_s": args.latency,
        "max_concurrency": max_concurrency,
        **measured,
        **counts,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }
    ok = figures["seconds"] <= TARGET_SECONDS and figures["peak_mb"] <= TARGET_MEGABYTES
    print(
        f"quicksetup status --org: {args.accounts} accounts × {len(regions)} Regions = "
        f"{counts['targets']} targets, {args.latency * 1000:.0f} ms a call, "
        f"--max-concurrency {max_concurrency or 'not given'}\n"
        f"  wall time   {figures['seconds']:.1f} s   (target ≤ {TARGET_SECONDS:.0f} s); "
        f"CPU {figures['cpu_seconds']:.1f} s\n"
        f"  peak RSS    {figures['peak_mb']:.0f} MB   (target ≤ {TARGET_MEGABYTES:.0f} MB)\n"
        f"  calls       {counts['requests']} ({counts['assume_role']} AssumeRole), at most "
        f"{counts['max_in_flight']} in flight\n"
        f"  targets     {counts['not_read']} not read (AssumeRole denied), "
        f"{counts['failed']} with a failed option\n"
        f"  {'within the targets' if ok else 'OVER A TARGET'}"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
