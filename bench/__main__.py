"""Run the benchmarks: `make bench` (small) or `BENCH_SCALE=full make bench`.

Each run uses a fresh database and key store in a temporary folder, so it never touches
var/. Results go to bench/results/<database>.json and .md.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> int:
    full = os.environ.get("BENCH_SCALE", "small") == "full"
    with tempfile.TemporaryDirectory(prefix="pledge-bench-") as tmp:
        os.environ.setdefault("PLEDGE_ENV", "test")
        os.environ["PLEDGE_VAR_DIR"] = tmp
        os.environ["PLEDGE_MEDIA_ROOT"] = str(Path(tmp) / "uploads")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pledge.settings")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        call_command("migrate", database="keys", verbosity=0)
        from bench import vault
        from bench.harness import write_results

        results = vault.run_all(full=full, var_dir=Path(tmp))
        label = f"{connection.vendor}-{'full' if full else 'small'}"
        json_path, md_path = write_results(results, folder=RESULTS, label=label)
        print(md_path.read_text())
        print(f"Wrote {json_path} and {md_path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
