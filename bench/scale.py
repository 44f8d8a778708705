"""Cost against size (issue 7, item 3): access export and erasure of one subject at 10k, 30k, 100k.

One data set grows through the sizes (`pledge demo generate` is resumable, so 30k adds
20k customers to the 10k set): at each size, the same measurements on customers spread
over the whole set. If the cost of a request depends on the subject's own rows and not
on the tables' sizes, the medians stay flat while the tables grow tenfold, and the cost
per row of the subject stays flat too.

- access export: every row about the subject (both catalog links), every declared field
  read and decrypted: what an access or portability request reads. Baseline: the same
  walk reading only the rows' primary keys (the indexed look-ups, no decryption).
- erasure: `erase_subject` (keys destroyed, rows deleted or kept under their holds, files
  deleted). Baseline: the primary-key walk of the same subject just before.

Run: `BENCH_DB=sqlite python -m bench.scale` (BENCH_SIZES=10000,30000,100000 by default;
the data set lives in var/bench/<db>-sizes and is reused). Writes bench/results/<db>-scale.json,
.md and .png. Erased customers are chosen off the generator's batch boundaries, so the
set can keep growing afterwards.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench.harness import Result, percentile, timed, write_results

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
SEED = 1
BATCH = 200
ACCESS_SUBJECTS = 20
ERASURE_SUBJECTS = 8


def _export(subject_id: Any) -> None:
    """What a person gets without their files: the package's data, data.json and report.html."""
    from privacy.rights.collect import build_access_package

    package = build_access_package(subject_id)
    package.data_json()
    package.report_html()


def _pk_walk(subject_id: Any) -> int:
    from privacy.catalog.registry import current_catalog

    rows = 0
    for _model, querysets in current_catalog().querysets_about_subject(subject_id):
        for queryset in querysets:
            rows += len(list(queryset.values_list("pk", flat=True)))
    return rows


def _subjects(size: int, count: int, offset: int) -> list[Any]:
    """Customers spread over the whole set, never the first of a batch (the generator's marker)."""
    from accounts.models import User
    from pledge.demodata.plan import username_for

    step = max(BATCH, size // count)
    found = []
    for n in range(count):
        index = (n * step + offset) % size
        if index % BATCH == 0:
            index += 1
        user = User.objects.find(username_for(SEED, index))
        if user is not None:
            found.append(user.subject_id)
    return found


def measure(size: int, *, label: str) -> tuple[list[Result], dict[str, float]]:
    from django.db import connection

    from privacy.catalog.erasure import erase_subject
    from privacy.vault.keys import clear_key_cache

    access_ms, access_base, access_rows = [], [], []
    for subject in _subjects(size, ACCESS_SUBJECTS, offset=37 + size % 7):
        _export(subject)  # warm: the subject's key and the statements
        clear_key_cache()
        access_ms.append(timed(lambda s=subject: _export(s)) * 1000)
        access_base.append(timed(lambda s=subject: _pk_walk(s)) * 1000)
        access_rows.append(_pk_walk(subject))
    erase_ms, erase_base, erase_rows = [], [], []
    for subject in _subjects(size, ERASURE_SUBJECTS, offset=113 + size % 11):
        erase_rows.append(_pk_walk(subject))
        erase_base.append(timed(lambda s=subject: _pk_walk(s)) * 1000)
        erase_ms.append(
            timed(lambda s=subject: erase_subject(s, reason="benchmark", actor="system:bench")) * 1000
        )
    point = {
        "customers": size,
        "access_ms": statistics.median(access_ms),
        "access_rows": statistics.median(access_rows),
        "erasure_ms": statistics.median(erase_ms),
        "erasure_rows": statistics.median(erase_rows),
    }
    results = []
    for name, times, base, rows in (
        ("access export", access_ms, access_base, access_rows),
        ("erasure", erase_ms, erase_base, erase_rows),
    ):
        med, b = statistics.median(times), statistics.median(base)
        result = Result(
            name=f"{name} of one customer at {size:,} customers ({connection.vendor})",
            unit="ms",
            median=med,
            p95=percentile(times, 0.95),
            baseline="primary-key walk of the same subject's rows",
            baseline_median=b,
            ratio=med / b if b else float("inf"),
            target="flat across sizes",
        )
        result.extra["subjects"] = float(len(times))
        result.extra["rows/subject (median)"] = float(statistics.median(rows))
        result.extra["ms per row"] = med / max(1.0, statistics.median(rows))
        results.append(result)
    print(f"{label}: {json.dumps(point)}", file=sys.stderr)
    return results, point


def plot(points: list[dict[str, float]], path: Path, *, title: str) -> None:
    """A line chart with Pillow (already a dependency): cost per request against customers."""
    from PIL import Image, ImageDraw

    width, height, left, bottom, top, right = 720, 420, 70, 60, 40, 30
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    xs = [p["customers"] for p in points]
    top_ms = max(max(p["access_ms"], p["erasure_ms"]) for p in points) * 1.25 or 1.0
    x_max = max(xs) * 1.05

    def at(x: float, y: float) -> tuple[float, float]:
        return (
            left + x / x_max * (width - left - right),
            height - bottom - y / top_ms * (height - top - bottom),
        )

    draw.line([at(0, 0), at(x_max, 0)], fill="black")
    draw.line([at(0, 0), at(0, top_ms)], fill="black")
    for n in range(6):
        y = top_ms * n / 5
        draw.line([at(0, y), at(x_max, y)], fill="#e3e6ea")
        draw.text((8, at(0, y)[1] - 6), f"{y:.0f} ms", fill="#333")
    for x in xs:
        draw.text((at(x, 0)[0] - 18, height - bottom + 8), f"{x / 1000:.0f}k", fill="#333")
    draw.text((width // 2 - 60, height - 24), "customers in the database", fill="#333")
    draw.text((left, 12), title, fill="black")
    for key, colour, label in (
        ("access_ms", "#0b5cad", "access export"),
        ("erasure_ms", "#c62828", "erasure"),
    ):
        line = [at(p["customers"], p[key]) for p in points]
        if len(line) > 1:
            draw.line(line, fill=colour, width=3)
        for x, y in line:
            draw.ellipse((x - 4, y - 4, x + 4, y + 4), fill=colour)
        draw.text((line[-1][0] - 90, line[-1][1] - 18), label, fill=colour)
    image.save(path)


def main() -> int:
    db = os.environ.get("BENCH_DB", "sqlite")
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "10000,30000,100000").split(",") if s]
    workers = int(os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 1)))
    from bench.datasets import prepare

    var = prepare(db=db, name="sizes")
    from pledge.demodata.generate import generate

    results: list[Result] = []
    points: list[dict[str, float]] = []
    for size in sizes:
        started = time.perf_counter()
        report = generate(customers=size, seed=SEED, batch_size=BATCH, workers=workers)
        print(
            f"{db}: {size:,} customers ready "
            f"({report.written:,} written in {time.perf_counter() - started:.0f} s)",
            file=sys.stderr,
        )
        found, point = measure(size, label=f"{db}-{size}")
        point["generated_s"] = report.seconds
        point["generated"] = float(report.written)
        results += found
        points.append(point)
        label = f"{db}-scale"
        write_results(results, folder=RESULTS, label=label)
        (RESULTS / f"{label}-points.json").write_text(json.dumps(points, indent=2))
        plot(
            points, RESULTS / f"{label}.png", title=f"One subject's access export and erasure ({db}), median"
        )
    print(f"data set: {var}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
