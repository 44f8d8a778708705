"""Run a generation: staff and log-day keys first, then batches of customers, built in worker
processes and written by this one, behind a progress bar.

Idempotent by batch: a batch is written in one transaction (its keys committed just
before), so after a crash every batch is either all there or absent, and a new run with
the same seed skips the batches whose first customer exists and writes the rest. Files of
a batch that never committed stay behind as unreferenced ciphertext (harmless: nothing
points at them; `keys` may not even hold their key).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connections
from django.utils import timezone

from accounts.demo import create_demo_accounts
from accounts.models import Role, User
from pledge.demodata.bulk import Staff, build_batch
from pledge.demodata.plan import DEMO_PASSWORD, WINDOW_LOG_DAYS, customer_plan, username_for
from pledge.demodata.rows import Batch, local_batch_store
from pledge.demodata.writer import batch_written, bulk_load_settings, write_batch
from privacy.vault.files import using_file_store
from privacy.vault.keys import data_key
from weblog.privacy import log_day_subject

CUSTOMERS_PER_MANAGER = 500


@dataclass
class Report:
    customers: int
    written: int = 0
    skipped: int = 0
    seconds: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)


def generation_now() -> dt.datetime:
    """The run's "now": midnight UTC today, so that a resumed run plans the same days."""
    return timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)


def ensure_staff(customers: int) -> Staff:
    """The demo staff (accounts.demo), and one more account manager per 500 customers."""
    create_demo_accounts()
    managers = [User.objects.find("maria")]
    for n in range(1, max(1, customers // CUSTOMERS_PER_MANAGER)):
        username = f"manager{n:04d}"
        user = User.objects.find(username)
        if user is None:
            user = User.objects.create_user(
                username, f"{username}@sogaworks.example", None, role=Role.ACCOUNT_MANAGER
            )
        managers.append(user)
    agent, admin = User.objects.find("sam"), User.objects.find("admin")
    assert agent is not None
    assert admin is not None
    assert all(m is not None for m in managers)
    return Staff(
        managers=tuple((m.pk, m.subject_id) for m in managers if m is not None),
        agent=(agent.pk, agent.subject_id),
        admin=(admin.pk, admin.subject_id),
        password_hash=make_password(DEMO_PASSWORD),
    )


def ensure_log_day_keys(now: dt.datetime) -> None:
    """Each log day's key in the window, made here once, so that workers only ever read them."""
    for days in range(WINDOW_LOG_DAYS + 1):
        data_key(log_day_subject((now - dt.timedelta(days=days)).date()), create=True)


# --- worker processes ----------------------------------------------------------------------------

_worker: dict[str, Any] = {}


def _start_worker(staff: Staff, seed: int, now: dt.datetime) -> None:
    _worker.update(staff=staff, seed=seed, now=now)
    store = local_batch_store()
    _worker["store"] = store
    _worker["store_context"] = using_file_store(store)
    _worker["store_context"].__enter__()


def _build(task: tuple[int, int]) -> Batch:
    first, last = task
    staff, seed, now = _worker["staff"], _worker["seed"], _worker["now"]
    plans = [
        customer_plan(seed=seed, index=i, managers=len(staff.managers), now=now) for i in range(first, last)
    ]
    batch = build_batch(plans, staff, username_for(seed, first))
    _worker["store"].sync()  # the batch's files are durable before its rows can commit
    return batch


def _batches(customers: int, batch_size: int) -> list[tuple[int, int]]:
    return [(start, min(customers, start + batch_size)) for start in range(0, customers, batch_size)]


def generate(
    *,
    customers: int,
    seed: int = 1,
    batch_size: int = 200,
    workers: int = 2,
    on_progress: Callable[[int], None] | None = None,
    now: dt.datetime | None = None,
) -> Report:
    """Generate `customers` demo customers (bulk path); batches already written are skipped."""
    started = time.perf_counter()
    now = now or generation_now()
    staff = ensure_staff(customers)
    ensure_log_day_keys(now)
    report = Report(customers=customers)
    todo = []
    for task in _batches(customers, batch_size):
        if batch_written(username_for(seed, task[0])):
            report.skipped += task[1] - task[0]
            if on_progress:
                on_progress(task[1] - task[0])
        else:
            todo.append(task)
    with ExitStack() as settings:
        for n, batch in enumerate(_run(todo, staff=staff, seed=seed, now=now, workers=workers)):
            if n == 0:  # once the workers are forked (they never share this process's connections)
                settings.enter_context(bulk_load_settings())
            if write_batch(batch):
                report.written += batch.customers
                for label, rows in batch.rows.items():
                    report.rows[label] = report.rows.get(label, 0) + len(rows)
                report.rows["audit.AuditEvent"] = report.rows.get("audit.AuditEvent", 0) + len(batch.events)
                report.rows["vault.SubjectKey"] = report.rows.get("vault.SubjectKey", 0) + len(batch.keys)
            else:
                report.skipped += batch.customers
            if on_progress:
                on_progress(batch.customers)
    report.seconds = time.perf_counter() - started
    return report


def _run(
    todo: list[tuple[int, int]], *, staff: Staff, seed: int, now: dt.datetime, workers: int
) -> Iterator[Batch]:
    if workers <= 0:
        _worker.update(staff=staff, seed=seed, now=now, store=_NoSync())
        for task in todo:
            yield _build(task)
        return
    connections.close_all()  # a forked worker must not share the parent's database connections
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_start_worker, initargs=(staff, seed, now)) as pool:
        pending: deque[Any] = deque()
        tasks = iter(todo)
        for task in tasks:  # keep at most two batches per worker in flight: memory stays flat
            pending.append(pool.apply_async(_build, (task,)))
            if len(pending) >= 2 * workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


class _NoSync:
    """In-process runs write through the current file store, which syncs each file itself."""

    @staticmethod
    def sync() -> None:
        return None
