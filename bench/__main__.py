"""Run the benchmarks: `make bench` (small) or `BENCH_SCALE=full make bench`.

BENCH_SCALE=small (default) runs against 1,000 generated customers, full against
100,000; BENCH_DB=sqlite (default), postgres or both. The data set is generated once by
`pledge demo generate` into var/bench/<db>-<scale> (bench/datasets.py) and reused by
later runs. Results go to bench/results/<db>-<scale>.json and .md. The cost-against-size
runs (10k, 30k, 100k) are `python -m bench.scale` (`make bench-scale`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def run_one(db: str, scale: str) -> int:
    from bench.datasets import customers_for, prepare

    customers = customers_for(scale)
    var = prepare(db=db, name=scale)
    from pledge.demodata.generate import generate

    started = time.perf_counter()
    report = generate(
        customers=customers, seed=1, workers=int(os.environ.get("BENCH_WORKERS", os.cpu_count() or 1))
    )
    print(
        f"data set {var}: {customers:,} customers ({report.written:,} generated now in "
        f"{time.perf_counter() - started:.0f} s)",
        file=sys.stderr,
    )
    from bench import rights, vault
    from bench.harness import write_results

    results = vault.run_all(full=scale == "full", var_dir=var)
    results += rights.run_all(full=scale == "full", var_dir=var)
    if os.environ.get("BENCH_HTTP", "1") != "0":  # gunicorn under load: consent and pages
        from bench import http, pages

        results += http.run_all(full=scale == "full", var_dir=var)
        results += pages.run_all(full=scale == "full", var_dir=var)
    json_path, md_path = write_results(results, folder=RESULTS, label=f"{db}-{scale}")
    print(md_path.read_text())
    print(f"Wrote {json_path} and {md_path}", file=sys.stderr)
    return 0


def main() -> int:
    scale = os.environ.get("BENCH_SCALE", "small")
    db = os.environ.get("BENCH_DB", "sqlite")
    if db == "both":  # one process per database: Django is set up once per process
        codes = [
            subprocess.call([sys.executable, "-m", "bench"], env={**os.environ, "BENCH_DB": each})
            for each in ("sqlite", "postgres")
        ]
        return max(codes)
    return run_one(db, scale)


if __name__ == "__main__":
    raise SystemExit(main())
