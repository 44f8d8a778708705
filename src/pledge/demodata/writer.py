"""The bulk path's writer: one process inserts what the workers built, a batch per transaction.

The keys of a batch are committed first (on "keys"), then every row of the batch in one
transaction on "default": each table in one `executemany` of ready parameters (COPY on
PostgreSQL), the invoices numbered in their year's sequence as `_issue_invoice` numbers
them, and the audit events chained after the head (the hash of each needs the one
before it, so only the writer can make it; the workers serialised everything else).
A batch whose first customer exists is skipped, so a run is resumable by batch.

`bulk_load_settings` sets the connections up for a generation run only (see its doc).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from accounts.models import User
from payments.models import Invoice
from pledge.demodata.rows import TABLE_ORDER, Batch, details_column, event_tail, insert_sql, model_fields
from privacy.audit.chain import GENESIS, event_hash
from privacy.audit.models import AuditEvent, ChainHead
from privacy.vault.models import SubjectKey


def batch_written(first_username: str) -> bool:
    return User.objects.find(first_username) is not None


@contextmanager
def bulk_load_settings() -> Iterator[None]:
    """SQLite settings for a generation run, on this process's connections, undone at the end.

    "default": synchronous=OFF (a commit does not wait for the disk), a 1 GiB page cache
    and memory-mapped reads. A crash of the process loses nothing committed, and a rerun
    redoes the unfinished batch (batches are found missing by their first customer); a
    crash of the machine may lose the last batches (rerun) or, at worst, damage the file
    (regenerate the data set): acceptable for generated demo data only, so these
    settings live on this process's connections for the run and are undone after it. The
    key store is set to FULL: a batch's keys reach the disk before its rows are committed.
    """
    default, keys = connections["default"], connections["keys"]
    if default.vendor != "sqlite":
        yield
        return
    with default.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        synchronous = cursor.fetchone()[0]
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA cache_size=-1048576")
        cursor.execute("PRAGMA mmap_size=17179869184")
    if keys.vendor == "sqlite":
        with keys.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=FULL")
    try:
        yield
    finally:
        with default.cursor() as cursor:
            cursor.execute(f"PRAGMA synchronous={int(synchronous)}")
            cursor.execute("PRAGMA cache_size=-2000")
            cursor.execute("PRAGMA mmap_size=0")
        if keys.vendor == "sqlite":
            with keys.cursor() as cursor:
                cursor.execute("PRAGMA synchronous=NORMAL")


def _insert(db: BaseDatabaseWrapper, model: type[models.Model], rows: list[tuple[Any, ...]]) -> None:
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            fields = model_fields(model)
            quote = db.ops.quote_name
            columns = ", ".join(quote(f.column) for f in fields)
            # Names from the model's own metadata, quoted by the backend; the rows are data.
            sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
            with cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(insert_sql(model, db.ops.quote_name), rows)


def write_batch(batch: Batch) -> bool:
    """Insert one batch: keys first (committed), then every row in one transaction. False if already there."""
    if batch_written(batch.first_username):
        return False
    keys_db = connections["keys"]
    with transaction.atomic(using="keys"):
        _insert(keys_db, SubjectKey, batch.keys)
    db = connections["default"]
    with transaction.atomic():
        if batch_written(batch.first_username):  # another writer got there first
            return False
        _number_invoices(batch)
        for model in TABLE_ORDER:
            rows = batch.rows.get(model._meta.label)
            if rows:
                _insert(db, model, rows)
        _append_events(batch)
    return True


def _number_invoices(batch: Batch) -> None:
    """Give each invoice the next number of its year, as `_issue_invoice` does under its row lock."""
    from payments.actions import invoice_number
    from payments.models import InvoiceSequence

    if not batch.invoices:
        return
    fields = [f.name for f in model_fields(Invoice)]
    number_at, sequence_at = fields.index("number"), fields.index("sequence")
    rows = batch.rows["payments.Invoice"]
    counters: dict[int, InvoiceSequence] = {}
    for row_index, year, event_index in sorted(batch.invoices, key=lambda item: item[2]):
        sequence = counters.get(year)
        if sequence is None:
            InvoiceSequence.objects.get_or_create(year=year)
            sequence = counters[year] = InvoiceSequence.objects.select_for_update().get(year=year)
        sequence.last += 1
        number = invoice_number(year, sequence.last)
        row = list(rows[row_index])
        row[number_at], row[sequence_at] = number, sequence.last
        rows[row_index] = tuple(row)
        batch.pending[event_index][1]["number"] = number
    for sequence in counters.values():
        sequence.save(update_fields=["last"])


def _append_events(batch: Batch) -> None:
    """Chain the batch's audit events after the head, in their (time) order, as record_event would."""
    head, _ = ChainHead.objects.select_for_update().get_or_create(id=1, defaults={"hash": GENESIS})
    seq, previous = head.seq, head.hash
    db = connections["default"]
    details_field = AuditEvent._meta.get_field("details")
    names = [f.name for f in model_fields(AuditEvent)]
    expected = ["seq", "at", "actor", "action", "subject", "object", "details", "prev_hash", "hash"]
    assert names == expected, names  # the row below is built in this order
    rows = []
    checked = False
    for n, (at, actor, action, subject, obj, details, tail) in enumerate(batch.events):
        seq += 1
        if tail is None:  # an invoice's event, complete now that it has its number
            when, found = batch.pending[n]
            details = details_column(details_field, found, db)  # text on SQLite; else below
            tail = event_tail(when, actor, action, subject, obj, found)
            if not checked:  # the workers' serialisation is event_hash's, or nothing is written
                digest = event_hash(
                    prev_hash=previous,
                    seq=seq,
                    at=when,
                    actor=actor,
                    action=action,
                    subject=subject,
                    object=obj,
                    details=found,
                )
                assert digest == _hash(previous, seq, tail), "audit hash input differs from event_hash"
                checked = True
        if not isinstance(details, str):  # a backend that takes JSON as an object (PostgreSQL)
            details = details_field.get_db_prep_save(details, connection=db)
        digest = _hash(previous, seq, tail)
        rows.append((seq, at, actor, action, subject, obj, details, previous, digest))
        previous = digest
    _insert(db, AuditEvent, rows)
    head.seq, head.hash = seq, previous
    head.save(update_fields=["seq", "hash"])


def _hash(previous: str, seq: int, tail: str) -> str:
    return hashlib.sha256(f"{previous}\n[{seq},{tail}".encode()).hexdigest()
