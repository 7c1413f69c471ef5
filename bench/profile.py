"""Profile one scenario in this process: ``python -m bench.profile configs --count 100``.

Prints, for the construct-building phase (and with ``--synth`` the synthesis too):

- pyinstrument's call tree (``pip install -e ".[bench]"``), where time waiting on the jsii
  kernel shows up as ``_NodeProcess.send`` / ``_next_message``;
- every jsii round trip, counted by the line of this repository's code that caused it and by
  request kind: the usual cause of construct overhead in Python, since each round trip is a
  JSON message to Node.js and back (a fraction of a millisecond).

``--html FILE`` also writes pyinstrument's HTML report.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

_REPOSITORY = str(Path(__file__).resolve().parent.parent)


def _caller(stack: list[traceback.FrameSummary]) -> str:
    """The innermost frame in this repository's code (library or bench), as ``file:line fn``."""
    for frame in reversed(stack):
        if frame.filename.startswith(_REPOSITORY) and "/.venv/" not in frame.filename:
            if frame.filename.endswith(("bench/profile.py", "bench/child.py")):
                continue
            path = os.path.relpath(frame.filename, _REPOSITORY)
            return f"{path}:{frame.lineno} {frame.name}"
    return "(aws_cdk / jsii)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scenario")
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--synth", action="store_true", help="profile app.synth() too")
    parser.add_argument("--html", help="write pyinstrument's HTML report here")
    parser.add_argument("--top", type=int, default=25, help="call sites to list")
    args = parser.parse_args()

    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    import aws_cdk as cdk
    from jsii._kernel.providers import process

    from bench.scenarios import SCENARIOS

    scenario = SCENARIOS[args.scenario]
    scenario.import_modules()

    sites: collections.Counter[tuple[str, str]] = collections.Counter()
    send = process._NodeProcess.send

    def counted(provider: Any, request: Any, response_type: Any) -> Any:
        sites[_caller(traceback.extract_stack(limit=40)), type(request).__name__] += 1
        return send(provider, request, response_type)

    try:
        from pyinstrument import Profiler
    except ImportError:
        Profiler = None
        print("pyinstrument is not installed (pip install -e '.[bench]'): call sites only\n")

    app = cdk.App(outdir=tempfile.mkdtemp(prefix="quicksetup-profile-"))
    profiler = Profiler(interval=0.0005) if Profiler else None
    process._NodeProcess.send = counted
    if profiler:
        profiler.start()
    started = time.perf_counter()
    scenario.build(cdk, app, args.count)
    built = time.perf_counter()
    if args.synth:
        app.synth()
    finished = time.perf_counter()
    if profiler:
        profiler.stop()
    process._NodeProcess.send = send

    print(
        f"{args.scenario} --count {args.count}: build {built - started:.3f} s"
        + (f", synth {finished - built:.3f} s" if args.synth else "")
    )
    if profiler:
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        if args.html:
            Path(args.html).write_text(profiler.output_html(), encoding="utf-8")
    total = sum(sites.values())
    per = max(args.count, 1)
    print(f"jsii round trips: {total} ({total / per:.1f} per configuration/stack)")
    by_site: collections.Counter[str] = collections.Counter()
    kinds: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for (site, kind), count in sites.items():
        by_site[site] += count
        kinds[site][kind] += count
    print(f"{'round trips':>11}  {'per cfg':>7}  call site (kinds)")
    for site, count in by_site.most_common(args.top):
        detail = ", ".join(f"{kind.removesuffix('Request')} {n}" for kind, n in kinds[site].items())
        print(f"{count:>11}  {count / per:>7.1f}  {site} ({detail})")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
