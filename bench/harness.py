"""Timing, summarising and writing results.

Every benchmark measures its subject and a baseline in the same process, interleaved,
so that a busy machine slows both alike; the ratio is the figure to compare across runs.
"""

from __future__ import annotations

import json
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class Result:
    name: str
    unit: str
    median: float
    p95: float
    baseline: str
    baseline_median: float
    ratio: float
    target: str = ""
    extra: dict[str, float | str] = field(default_factory=dict)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def compare(
    *,
    name: str,
    subject: Callable[[], object],
    baseline: Callable[[], object],
    baseline_name: str,
    rounds: int,
    unit: str = "ms",
    scale: float = 1000.0,
    target: str = "",
    warmup: int = 2,
) -> tuple[Result, list[float], list[float]]:
    """Interleave subject and baseline `rounds` times; times are per call, in `unit`."""
    for _ in range(warmup):
        subject()
        baseline()
    subject_times: list[float] = []
    baseline_times: list[float] = []
    for _ in range(rounds):
        subject_times.append(timed(subject) * scale)
        baseline_times.append(timed(baseline) * scale)
    med = statistics.median(subject_times)
    base = statistics.median(baseline_times)
    result = Result(
        name=name,
        unit=unit,
        median=med,
        p95=percentile(subject_times, 0.95),
        baseline=baseline_name,
        baseline_median=base,
        ratio=med / base if base else float("inf"),
        target=target,
    )
    return result, subject_times, baseline_times


def write_results(results: list[Result], *, folder: Path, label: str) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    meta = {
        "label": label,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    json_path = folder / f"{label}.json"
    json_path.write_text(json.dumps({"meta": meta, "results": [asdict(r) for r in results]}, indent=2))
    lines = [
        f"# Benchmarks — {label}",
        "",
        f"{meta['at']}, Python {meta['python']} on {meta['machine']}. Medians and p95 over the rounds; "
        "ratio = subject median / baseline median, measured in the same run.",
        "",
        "| benchmark | median | p95 | baseline | baseline median | ratio | target | notes |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        notes = "; ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in r.extra.items())
        lines.append(
            f"| {r.name} | {r.median:.4g} {r.unit} | {r.p95:.4g} {r.unit} | {r.baseline} | "
            f"{r.baseline_median:.4g} {r.unit} | {r.ratio:.2f}× | {r.target} | {notes} |"
        )
    md_path = folder / f"{label}.md"
    md_path.write_text("\n".join(lines) + "\n")
    return json_path, md_path
