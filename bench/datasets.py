"""Where a benchmark's data set lives, kept between runs: var/bench/<db>-<name>.

SQLite: both databases, the key files and the encrypted files under that folder.
PostgreSQL (BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432): the data in a
database named pledge_bench_<name>, created if missing; the key store, key files and
files still under the folder. `prepare` sets the environment, sets Django up and
migrates; the caller then generates customers (idempotent: only missing batches are
written), so a data set is generated once and reused.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")

SCALES = {"small": 1_000, "full": 100_000}


def customers_for(scale: str) -> int:
    if scale not in SCALES:
        raise SystemExit(f"BENCH_SCALE must be one of {', '.join(SCALES)}, not {scale!r}")
    return SCALES[scale]


def _ensure_pg_database(name: str) -> str:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not found:
            conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_SERVER}/{name}"


def prepare(*, db: str, name: str) -> Path:
    """Point this process at the data set `name` on `db` ("sqlite" or "postgres") and migrate it."""
    folder = ROOT / "var" / "bench" / f"{db}-{name}"
    folder.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PLEDGE_ENV", "test")
    os.environ["PLEDGE_VAR_DIR"] = str(folder)
    os.environ["PLEDGE_MEDIA_ROOT"] = str(folder / "uploads")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pledge.settings")
    if db == "postgres":
        os.environ["DATABASE_URL"] = _ensure_pg_database(f"pledge_bench_{name}".replace("-", "_"))
    elif db == "sqlite":
        os.environ.pop("DATABASE_URL", None)
    else:
        raise SystemExit(f"BENCH_DB must be sqlite, postgres or both, not {db!r}")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("migrate", database="keys", verbosity=0)
    return folder
