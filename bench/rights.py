"""Rights benchmarks (issue 6): an access export without files, and an erasure, per subject.

Both run on whatever database is there: the data generator (`pledge demo generate`, or
the benchmark issue's 100,000-customer set) fills it first; `run_all` only adds customers
when there are fewer than it needs. Subjects are picked at random among the customers
(seeded, so runs compare), each erasure on a subject of its own.

Baselines, measured in the same run and interleaved: raw SQL that reads the same rows the
catalog finds for the subject (one SELECT per personal model and link, no ORM objects, no
decryption). The ratio shows what the ORM, the vault and the package cost on top of
reading the rows; "flat from 10,000 to 100,000 customers" is judged by running at both
sizes and comparing medians. Each result also gives the statements per subject (median),
on the data database and on the key store, counted during the timed runs.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from bench.harness import Result, percentile, timed


@contextmanager
def _counting() -> Iterator[dict[str, int]]:
    """Count the statements run on each database inside the block (a cheap execute wrapper)."""
    from django.db import connections

    counts = {"default": 0, "keys": 0}

    def wrapper(alias: str) -> Callable[..., Any]:
        def count(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
            counts[alias] += 1
            return execute(sql, params, many, context)

        return count

    with ExitStack() as stack:
        for alias in counts:
            stack.enter_context(connections[alias].execute_wrapper(wrapper(alias)))
        yield counts


def _statements(result: Result, counted: list[dict[str, int]]) -> None:
    if counted:
        result.extra["statements/subject, data (median)"] = float(
            statistics.median(c["default"] for c in counted)
        )
        result.extra["statements/subject, keys (median)"] = float(
            statistics.median(c["keys"] for c in counted)
        )


def _customer_subjects(count: int, seed: int) -> list[uuid.UUID]:
    from django.contrib.auth import get_user_model

    ids = list(get_user_model()._default_manager.filter(role="customer").values_list("subject_id", flat=True))
    random.Random(seed).shuffle(ids)
    return ids[:count]


def _ensure_customers(count: int) -> None:
    from django.contrib.auth import get_user_model

    have = get_user_model()._default_manager.filter(role="customer").count()
    if have >= count:
        return
    from pledge.demodata.generate import generate

    generate(customers=count)


def _raw_reader(subject_id: uuid.UUID) -> Callable[[], int]:
    """The same rows as the catalog's subject queries, read with raw SQL; returns the row count."""
    from django.db import connection

    from privacy.catalog.registry import current_catalog

    statements = []
    for _, querysets in current_catalog().querysets_about_subject(subject_id):
        for queryset in querysets:
            sql, params = queryset.values_list("pk").query.sql_with_params()
            columns = ", ".join(
                connection.ops.quote_name(field.column) for field in queryset.model._meta.concrete_fields
            )
            table = connection.ops.quote_name(queryset.model._meta.db_table)
            pk = connection.ops.quote_name(queryset.model._meta.pk.column)
            statements.append((f"SELECT {columns} FROM {table} WHERE {pk} IN ({sql})", params))  # noqa: S608

    def read() -> int:
        rows = 0
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                rows += len(cursor.fetchall())
        return rows

    return read


def _result(name: str, times: list[float], base: list[float], baseline: str, target: str) -> Result:
    med, base_med = statistics.median(times), statistics.median(base)
    return Result(
        name=name,
        unit="ms",
        median=med,
        p95=percentile(times, 0.95),
        baseline=baseline,
        baseline_median=base_med,
        ratio=med / base_med if base_med else float("inf"),
        target=target,
    )


def access_export(*, subjects: list[uuid.UUID], customers: int) -> Result:
    """build_access_package + data.json + report.html for one subject, without files."""
    from privacy.rights.collect import build_access_package

    times: list[float] = []
    base: list[float] = []
    rows: list[int] = []
    counted: list[dict[str, int]] = []
    for subject in subjects[:2]:  # warm-up: templates, policy, catalog
        build_access_package(subject).report_html()
    for subject in subjects:

        def export(subject: uuid.UUID = subject) -> None:
            package = build_access_package(subject)
            package.data_json()
            package.report_html()

        reader = _raw_reader(subject)
        with _counting() as counts:
            times.append(timed(export) * 1000)
        counted.append(counts)
        base.append(timed(reader) * 1000)
        rows.append(reader())
    result = _result(
        f"rights: access export without files ({customers:,} customers)",
        times,
        base,
        "raw SQL reading the same rows",
        "p50 < 50 ms, flat 10k→100k",
    )
    result.extra["subjects"] = float(len(subjects))
    result.extra["rows per subject (median)"] = float(statistics.median(rows)) if rows else 0.0
    _statements(result, counted)
    return result


def erasure(*, subjects: list[uuid.UUID], customers: int) -> Result:
    """erase_subject for one subject (each subject erased once)."""
    from privacy.catalog.erasure import erase_subject

    times: list[float] = []
    base: list[float] = []
    counted: list[dict[str, int]] = []
    for subject in subjects:
        reader = _raw_reader(subject)
        base.append(timed(reader) * 1000)
        with _counting() as counts:
            times.append(
                timed(
                    lambda subject=subject: erase_subject(subject, reason="benchmark", actor="system:bench")
                )
                * 1000
            )
        counted.append(counts)
    result = _result(
        f"rights: erasure per subject ({customers:,} customers)",
        times,
        base,
        "raw SQL reading the same rows",
        "p50 < 100 ms, flat 10k→100k",
    )
    result.extra["subjects"] = float(len(subjects))
    _statements(result, counted)
    return result


def run_all(*, full: bool, var_dir: Path, subjects: int | None = None) -> list[Result]:
    """Pick `subjects` random customers (default 200 full, 30 small); access first, then erase others."""
    from django.contrib.auth import get_user_model

    started = time.perf_counter()
    count = subjects or (200 if full else 30)
    _ensure_customers(max(2 * count + 2, 200))  # `make bench` has generated its data set already
    customers = get_user_model()._default_manager.filter(role="customer").count()
    picked = _customer_subjects(2 * count + 2, seed=6)
    results = [
        access_export(subjects=picked[: count + 2], customers=customers),
        erasure(subjects=picked[count + 2 :], customers=customers),
    ]
    print(f"rights benchmarks: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return results
