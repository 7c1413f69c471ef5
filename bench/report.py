"""Markdown tables from the measurements of :mod:`bench.run`."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from typing import Any

BEGIN = "<!-- benchmark-results:begin (written by `python -m bench`; edit the prose outside) -->"
END = "<!-- benchmark-results:end -->"

TEMPLATE_BODY_LIMIT = 51_200
TEMPLATE_BODY_TARGET = TEMPLATE_BODY_LIMIT // 2
S3_TEMPLATE_LIMIT = 1_048_576
RESOURCE_LIMIT = 500

TARGETS = {
    "empty": 1.10,
    "handwritten": 1.05,
    "marginal_ms": 15.0,
}

LABELS = {
    "empty": "empty stack",
    "local": "`QuickSetupLocal`, every option",
    "handwritten": "hand-written equivalent",
    "native": "`CfnConfigurationManager` L1",
    "organization": "`QuickSetupOrganization`, every option",
}

Getter = Callable[[dict[str, Any]], float]


def _process_wall(run: dict[str, Any]) -> float:
    return run["process_wall"]


def _process_cpu(run: dict[str, Any]) -> float:
    return run["process_cpu"]


def _phase(name: str, kind: str = "wall") -> Getter:
    return lambda run: run["phases"][name][kind]


def _phases(*names: str, kind: str = "wall") -> Getter:
    return lambda run: sum(run["phases"][name][kind] for name in names)


def _peak_mb(run: dict[str, Any]) -> float:
    return run["peak_rss_mb"]["python"] + run["peak_rss_mb"]["node"]


def _resources(run: dict[str, Any]) -> int:
    return sum(stack["resources"] for stack in run["stacks"])


def _values(measurement: Any, get: Getter) -> list[float]:
    return [get(run) for run in measurement.runs]


def _median(measurement: Any, get: Getter) -> float:
    return statistics.median(_values(measurement, get))


def _seconds(measurement: Any, get: Getter, *, spread: bool = True) -> str:
    values = _values(measurement, get)
    text = f"{statistics.median(values):.2f} s"
    if spread and len(values) > 1:
        text += f" ({min(values):.2f}–{max(values):.2f})"
    return text


def _ms(measurement: Any, get: Getter) -> str:
    return f"{statistics.median(_values(measurement, get)) * 1000:.0f} ms"


def _ratio(a: Any, b: Any, get: Getter) -> tuple[float, str]:
    """Ratio of medians, and the range of the per-round ratios (runs were paired by round)."""
    ratio = _median(a, get) / _median(b, get)
    paired = [get(x) / get(y) for x, y in zip(a.runs, b.runs, strict=False)]
    text = f"{ratio:.3f}"
    if len(paired) > 1:
        text += f" ({min(paired):.2f}–{max(paired):.2f})"
    return ratio, text


def _slope(points: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """Least-squares slope of y over x, and its standard error."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / sxx
    intercept = mean_y - slope * mean_x
    if n <= 2:
        return slope, 0.0
    residual = sum((y - intercept - slope * x) ** 2 for x, y in points)
    return slope, (residual / (n - 2) / sxx) ** 0.5


def marginal(measurements: Sequence[Any], get: Getter) -> tuple[float, float]:
    """Marginal cost in ms per unit of ``count``: slope through every run, and its error."""
    points = [(m.contender.count, get(run)) for m in measurements for run in m.runs]
    slope, error = _slope(points)
    return slope * 1000, error * 1000


def _verdict(met: bool) -> str:
    return "**met**" if met else "**missed**"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _one_configuration(section: dict[str, Any], names: Sequence[str], suffix: str) -> list[str]:
    rows = []
    for name in names:
        m = section.get(name + suffix)
        if m is None:
            continue
        rows.append(
            [
                LABELS[name],
                _seconds(m, _process_wall),
                _seconds(m, _process_cpu, spread=False),
                _ms(m, _phase("contender_import")),
                _ms(m, _phase("build")),
                _seconds(m, _phase("synth"), spread=False),
                f"{_median(m, _phase('build', 'jsii_calls')):.0f}",
                f"{_median(m, _peak_mb):.0f} MiB",
                str(_resources(m.runs[0])),
            ]
        )
    return _table(
        [
            "app",
            "`python app.py` wall",
            "CPU (Python + Node.js)",
            "its imports",
            "build",
            "synth",
            "jsii round trips (build)",
            "peak RSS",
            "resources",
        ],
        rows,
    )


def _ratios(section: dict[str, Any], suffix: str) -> list[str]:
    def get(name: str) -> Any:
        return section.get(name + suffix)

    local, empty, hand, native, org = (
        get("local"),
        get("empty"),
        get("handwritten"),
        get("native"),
        get("organization"),
    )
    own = _phases("contender_import", "build", "synth")
    rows = []
    pairs = [
        ("`QuickSetupLocal` / empty stack", local, empty, TARGETS["empty"]),
        ("`QuickSetupLocal` / hand-written", local, hand, TARGETS["handwritten"]),
        ("`CfnConfigurationManager` / empty stack", native, empty, None),
        ("`QuickSetupLocal` / `CfnConfigurationManager`", local, native, None),
        ("`QuickSetupOrganization` / empty stack", org, empty, None),
    ]
    for title, a, b, target in pairs:
        if a is None or b is None:
            continue
        wall, wall_text = _ratio(a, b, _process_wall)
        _, cpu_text = _ratio(a, b, _process_cpu)
        _, own_text = _ratio(a, b, own)
        verdict = "context" if target is None else f"≤ {target:.2f}: {_verdict(wall <= target)}"
        rows.append([title, wall_text, cpu_text, own_text, verdict])
    return _table(
        [
            "comparison",
            "wall, whole process",
            "CPU, whole process",
            "imports + build + synth (in process)",
            "target (on wall)",
        ],
        rows,
    )


def _configs(section: dict[str, Any], suffix: str = "") -> list[str]:
    counts = sorted({m.contender.count for m in section.values()})
    rows = []
    for count in counts:
        qs = section[f"configs-{count}{suffix}"]
        hw = section[f"handwritten-configs-{count}{suffix}"]
        rows.append(
            [
                str(count),
                f"{_resources(qs.runs[0])}",
                _seconds(qs, _process_wall) + " / " + _seconds(hw, _process_wall, spread=False),
                _ms(qs, _phase("build")) + " / " + _ms(hw, _phase("build")),
                _seconds(qs, _phase("synth"), spread=False)
                + " / "
                + _seconds(hw, _phase("synth"), spread=False),
                (
                    f"{_median(qs, _phase('build', 'jsii_calls')):.0f} / "
                    f"{_median(hw, _phase('build', 'jsii_calls')):.0f}"
                ),
                f"{_median(qs, _peak_mb):.0f} / {_median(hw, _peak_mb):.0f} MiB",
            ]
        )
    lines = _table(
        [
            "configurations",
            "resources (limit 500)",
            "`python app.py` wall",
            "build",
            "synth",
            "jsii round trips (build)",
            "peak RSS",
        ],
        rows,
    )
    lines += [
        "",
        (
            "Each cell: `QuickSetupLocal` / hand-written. Marginal cost per configuration "
            "(least-squares slope through every run, ± its standard error):"
        ),
        "",
    ]
    qs_all = [section[f"configs-{c}{suffix}"] for c in counts]
    hw_all = [section[f"handwritten-configs-{c}{suffix}"] for c in counts]
    rows = []
    for title, get in (
        ("build (construct tree, Python + jsii)", _phase("build")),
        ("build + synth (in process)", _phases("build", "synth")),
        ("whole `python app.py` process", _process_wall),
        ("whole process, CPU", _process_cpu),
    ):
        qs_slope, qs_error = marginal(qs_all, get)
        hw_slope, hw_error = marginal(hw_all, get)
        rows.append(
            [
                title,
                f"{qs_slope:.1f} ± {qs_error:.1f} ms",
                f"{hw_slope:.1f} ± {hw_error:.1f} ms",
                f"{qs_slope - hw_slope:+.1f} ms",
            ]
        )
    lines += _table(
        ["per configuration", "`QuickSetupLocal`", "hand-written", "construct's own"], rows
    )
    qs_slope, _ = marginal(qs_all, _phases("build", "synth"))
    where = "CDK's template validation off" if suffix else "CDK defaults"
    lines += [
        "",
        (
            f"Target: ≤ {TARGETS['marginal_ms']:.0f} ms per configuration (build + synth, "
            f"{where}): {qs_slope:.1f} ms, {_verdict(qs_slope <= TARGETS['marginal_ms'])}."
        ),
    ]
    return lines


def _stacks(section: dict[str, Any]) -> list[str]:
    ordered = sorted(section.values(), key=lambda m: m.contender.count)
    rows = [
        [
            str(m.contender.count),
            str(_resources(m.runs[0])),
            _seconds(m, _process_wall),
            _ms(m, _phase("build")),
            _seconds(m, _phase("synth"), spread=False),
            f"{_median(m, _phase('build', 'jsii_calls')):.0f}",
            f"{_median(m, _peak_mb):.0f} MiB",
        ]
        for m in ordered
    ]
    lines = _table(
        [
            "stacks",
            "resources",
            "`python app.py` wall",
            "build",
            "synth",
            "jsii round trips (build)",
            "peak RSS",
        ],
        rows,
    )
    wall, wall_error = marginal(ordered, _process_wall)
    own, own_error = marginal(ordered, _phases("build", "synth"))
    lines += [
        "",
        (
            f"Marginal cost per stack (one `QuickSetupLocal` each): {own:.0f} ± "
            f"{own_error:.0f} ms build + synth, {wall:.0f} ± {wall_error:.0f} ms whole process."
        ),
    ]
    return lines


def _sizes(results: dict[str, dict[str, Any]]) -> list[str]:
    rows = []
    overhead = results.get("overhead", {})
    local = overhead.get("local")
    if local is not None:
        stack = local.runs[0]["stacks"][0]
        rows.append(
            [
                "local stack, every option (as CDK writes it)",
                str(stack["resources"]),
                f"{stack['file_bytes']:,}",
                f"{TEMPLATE_BODY_LIMIT:,} (inline)",
                f"{stack['file_bytes'] / TEMPLATE_BODY_LIMIT:.0%}",
            ]
        )
    configs = results.get("configs", {})
    biggest = max(
        (m for k, m in configs.items() if k.startswith("configs-")),
        key=lambda m: m.contender.count,
        default=None,
    )
    if biggest is not None:
        stack = biggest.runs[0]["stacks"][0]
        rows.append(
            [
                f"local stack, {biggest.contender.count} configurations",
                f"{stack['resources']} of {RESOURCE_LIMIT}",
                f"{stack['file_bytes']:,}",
                f"{S3_TEMPLATE_LIMIT:,} (via S3)",
                f"{stack['file_bytes'] / S3_TEMPLATE_LIMIT:.0%}",
            ]
        )
    native = overhead.get("native")
    if native is not None:
        stack = native.runs[0]["stacks"][0]
        rows.append(
            [
                "`CfnConfigurationManager` stack (context)",
                str(stack["resources"]),
                f"{stack['file_bytes']:,}",
                f"{TEMPLATE_BODY_LIMIT:,} (inline)",
                f"{stack['file_bytes'] / TEMPLATE_BODY_LIMIT:.0%}",
            ]
        )
    verdicts = []
    org = overhead.get("organization")
    if org is not None:
        stack = org.runs[0]["stacks"][0]
        for stack_set in stack["stack_sets"]:
            size = stack_set["template_body_bytes"]
            rows.append(
                [
                    f"StackSet `TemplateBody` `{stack_set['name']}`",
                    str(stack_set["template_body_resources"]),
                    f"{size:,}",
                    f"{TEMPLATE_BODY_LIMIT:,}",
                    f"{size / TEMPLATE_BODY_LIMIT:.0%}",
                ]
            )
            verdicts.append(size <= TEMPLATE_BODY_TARGET)
        rows.append(
            [
                "organization stack (holds both bodies)",
                str(stack["resources"]),
                f"{stack['file_bytes']:,}",
                f"{S3_TEMPLATE_LIMIT:,} (via S3)",
                f"{stack['file_bytes'] / S3_TEMPLATE_LIMIT:.0%}",
            ]
        )
    lines = _table(["template", "resources", "bytes", "limit", "share of limit"], rows)
    if verdicts:
        lines += [
            "",
            (
                f"Target: every StackSet `TemplateBody` ≤ {TEMPLATE_BODY_TARGET:,} bytes "
                f"(half the limit): {_verdict(all(verdicts))}."
            ),
        ]
    elif local is not None:
        lines += ["", "`QuickSetupOrganization` was not measured."]
    return lines


def render(
    results: dict[str, dict[str, Any]],
    *,
    machine: dict[str, str],
    tests: dict[str, Any] | None,
    command: str,
    elapsed: float,
    rounds: dict[str, int],
) -> str:
    lines = [
        (
            f"Measured with `{command}` in {elapsed / 60:.0f} min: {rounds['overhead']} "
            f"repetitions of each single-configuration app, {rounds['scaling']} of each "
            "scaling app, alternating. Figures are medians, with the range of the repetitions "
            "in parentheses."
        ),
        "",
    ]
    lines += _table(["machine", ""], [[key, value] for key, value in machine.items()])
    if "overhead" in results:
        lines += ["", "### One configuration, CDK defaults", ""]
        lines += _one_configuration(results["overhead"], list(LABELS), "")
        lines += ["", *_ratios(results["overhead"], "")]
    if "validation-off" in results:
        lines += [
            "",
            (
                "### One configuration, CDK's built-in template validation off "
                "(`CDK_VALIDATION=false`)"
            ),
            "",
        ]
        lines += _one_configuration(
            results["validation-off"], ["empty", "local", "handwritten"], " (validation off)"
        )
        lines += ["", *_ratios(results["validation-off"], " (validation off)")]
    if "configs" in results:
        lines += ["", "### Tag-targeted configurations in one stack (default options)", ""]
        lines += _configs(results["configs"])
    if "configs-validation-off" in results:
        lines += ["", "### The same configurations, CDK's template validation off", ""]
        lines += _configs(results["configs-validation-off"], " (validation off)")
    if "stacks" in results:
        lines += ["", "### Stacks, one tag-targeted configuration each", ""]
        lines += _stacks(results["stacks"])
    if "overhead" in results or "configs" in results:
        lines += ["", "### Template sizes, every option on", ""]
        lines += _sizes(results)
    lines += ["", "### Test suite", ""]
    if tests is None:
        lines += ["Not run (add `--with-tests`)."]
    else:
        lines += _table(
            ["command", "wall", "result"],
            [["`python -m pytest -n 2 -q`", f"{tests['wall']:.0f} s", tests["summary"]]],
        )
    return "\n".join(lines) + "\n"
