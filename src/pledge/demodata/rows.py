"""The bulk path's rows: model instances turned into INSERT parameters, in a worker process.

A batch's rows are made as the actions make them (model instances, see `bulk`); each
column's value is what Django's INSERT would send for it (`field.pre_save(obj, add=True)`
then `get_db_prep_save`), so that the writer only inserts. `Columns` compiles, once per
model, the cheapest converter that gives that same value: the vault's own sealing for
encrypted fields (`EncryptedField.seal_new`, `save_file`, `BlindIndexField.digest`) under
the keys this batch made (`new_data_key`, held for the batch only, never cached in the
process); plain text, numbers, UUIDs and times as the backend adapts them; anything
else through the field's own pre_save and get_db_prep_save. The test in
pledge/tests/test_demodata.py checks the converters against Django's on every model.

Audit events are kept with their hash input serialised (`event_tail`): the writer only
adds the sequence number and the previous hash.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.operations import BaseDatabaseOperations

from accounts.models import User
from addresses.models import Address
from chat.models import Attachment, Message, Thread
from orders.models import ModelFile, Order, OrderAddress, OrderEvent
from payments.models import Invoice, Payment
from privacy.audit.models import AuditEvent
from privacy.consent.models import ConsentRecord
from privacy.vault.blind_index import BlindIndexField
from privacy.vault.fields import EncryptedField, _Slot
from privacy.vault.file_fields import EncryptedFileField
from privacy.vault.files import LocalFileStore, save_file
from privacy.vault.keys import DataKey, data_key, new_data_key
from privacy.vault.models import SubjectKey
from privacy.vault.subjects import subject_id_of
from support.models import Ticket, TicketMessage
from weblog.models import RequestLog

# Parents before children: the order rows are inserted in.
TABLE_ORDER: tuple[type[models.Model], ...] = (
    User,
    Address,
    Order,
    OrderEvent,
    ModelFile,
    OrderAddress,
    Payment,
    Invoice,
    Thread,
    Message,
    Attachment,
    Ticket,
    TicketMessage,
    RequestLog,
    ConsentRecord,
)


class BatchFileStore(LocalFileStore):
    """The local store, but files are made durable once per batch (`sync`), not once per file.

    A file is written under its final name at once: until its batch commits, no row points
    at it, so a file torn by a crash is as harmless as the batch's other unreferenced files.
    """

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self._folders: set[str] = set()

    def write(self, file_id: uuid.UUID, pieces: Iterable[bytes]) -> int:
        final = self.path(file_id)
        folder = final.parent
        if folder.name not in self._folders:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            self._folders.add(folder.name)
        data = b"".join(pieces)
        descriptor = os.open(final, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            view, written = memoryview(data), 0
            while written < len(data):
                written += os.write(descriptor, view[written:])
        finally:
            os.close(descriptor)
        return len(data)

    @staticmethod
    def sync() -> None:
        os.sync()


def local_batch_store() -> BatchFileStore:
    return BatchFileStore(Path(settings.MEDIA_ROOT) / "vault")


# An audit event as a worker leaves it: (at as stored, actor, action, subject, object,
# details as stored, hash input after the sequence number); for an invoice's event the
# last two are None and `pending` keeps (at, details) until the writer has its number.
Event = tuple[Any, str, str, str, str, Any, str | None]


@dataclass
class Batch:
    first: int
    last: int
    first_username: str
    keys: list[tuple[Any, ...]] = field(default_factory=list)
    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=lambda: defaultdict(list))
    events: list[Event] = field(default_factory=list)  # in time order
    pending: dict[int, tuple[dt.datetime, dict[str, Any]]] = field(default_factory=dict)
    invoices: list[tuple[int, int, int]] = field(default_factory=list)  # (row index, year, event index)

    @property
    def customers(self) -> int:
        return self.last - self.first


def model_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]


def insert_sql(model: type[models.Model], vendor_quote: Any) -> str:
    fields = model_fields(model)
    columns = ", ".join(vendor_quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    # Names from the model's own metadata, quoted by the backend; the values are parameters.
    return f"INSERT INTO {vendor_quote(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608


def _plain(value: Any) -> Any:
    """Bytes rather than the driver's memoryview: a batch travels between processes (pickled)."""
    return bytes(value) if isinstance(value, memoryview) else value


# A converter: (instance, instance.__dict__, subject id, key) -> the column's parameter.
Converter = Callable[[models.Model, dict[str, Any], Any, Any], Any]
_INTEGERS = (
    models.IntegerField,
    models.SmallIntegerField,
    models.BigIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
)
UTC = dt.UTC


def generic(f: models.Field[Any, Any], connection: BaseDatabaseWrapper) -> Converter:
    """Django's own path for one column: the field's pre_save, then get_db_prep_save."""
    return lambda obj, d, s, k: _plain(f.get_db_prep_save(f.pre_save(obj, True), connection=connection))


def _typed(kind: type, att: str, slow: Converter) -> Converter:
    """The value itself when it already has the type the field would make of it."""

    def convert(obj: models.Model, d: dict[str, Any], s: Any, k: Any) -> Any:
        v = d[att]
        return v if v is None or type(v) is kind else slow(obj, d, s, k)

    return convert


def _text(att: str, slow: Converter) -> Converter:
    def convert(obj: models.Model, d: dict[str, Any], s: Any, k: Any) -> Any:
        v = d[att]
        return v if v is None or isinstance(v, str) else slow(obj, d, s, k)

    return convert


def _uuid(att: str, connection: BaseDatabaseWrapper, slow: Converter) -> Converter:
    if connection.features.has_native_uuid_field:
        return _typed(uuid.UUID, att, slow)

    def convert(obj: models.Model, d: dict[str, Any], s: Any, k: Any) -> Any:
        v = d[att]
        return None if v is None else v.hex if type(v) is uuid.UUID else slow(obj, d, s, k)

    return convert


def _datetime(att: str, connection: BaseDatabaseWrapper, slow: Converter) -> Converter:
    adapt = connection.ops.adapt_datetimefield_value
    # SQLite stores an aware time as the naive text of it in the connection's zone.
    as_text = connection.vendor == "sqlite" and connection.timezone == UTC

    def convert(obj: models.Model, d: dict[str, Any], s: Any, k: Any) -> Any:
        v = d[att]
        if v is None:
            return None
        if type(v) is not dt.datetime or v.tzinfo is None:
            return slow(obj, d, s, k)
        if as_text and v.tzinfo is UTC:
            return str(v.replace(tzinfo=None))
        return adapt(v)

    return convert


def _sealed(f: EncryptedField, att: str, pk: str) -> Converter:
    def convert(obj: models.Model, d: dict[str, Any], s: Any, k: Any) -> Any:
        v = d.get(att)
        if v is None:
            return None
        return f.seal_new(k.aead, s, d[pk], v.plaintext if isinstance(v, _Slot) else v)

    return convert


def _file(f: EncryptedFileField, att: str, pk: str) -> Converter:
    def convert(obj: models.Model, d: dict[str, Any], s: Any, k: Any) -> Any:
        v = d.get(att)
        if v is None:
            return None
        return save_file(s, v, owner=f.owner_label(d[pk]), key=k).to_column()

    return convert


def _blind(f: BlindIndexField) -> Converter:
    assert f.source is not None
    source = f.source

    def convert(obj: models.Model, d: dict[str, Any], s: Any, k: Any) -> Any:
        plaintext = getattr(obj, source)
        return None if plaintext is None else f.digest(plaintext)

    return convert


def converter(f: models.Field[Any, Any], connection: BaseDatabaseWrapper) -> Converter:
    """The cheapest way to the value Django's INSERT would send for `f`."""
    pk, att, slow = f.model._meta.pk.attname, f.attname, generic(f, connection)
    if isinstance(f, EncryptedFileField):
        return _file(f, att, pk)
    if isinstance(f, EncryptedField):
        return _sealed(f, att, pk)
    if isinstance(f, BlindIndexField):
        return _blind(f)
    if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
        return slow
    kind = f.target_field if isinstance(f, models.ForeignKey) else f
    if type(kind) in (models.CharField, models.TextField):
        return _text(att, slow)
    if type(kind) in _INTEGERS:
        # PostgreSQL's backend wraps integers by column size (Int2, Int4...); elsewhere ints pass.
        plain = (
            type(connection.ops).adapt_integerfield_value is BaseDatabaseOperations.adapt_integerfield_value
        )
        return _typed(int, att, slow) if plain else slow
    if type(kind) is models.BooleanField:
        return _typed(bool, att, slow)
    if type(kind) is models.FloatField:
        return _typed(float, att, slow)
    if type(kind) is models.UUIDField:
        return _uuid(att, connection, slow)
    if type(kind) is models.DateTimeField:
        return _datetime(att, connection, slow)
    return slow


class Columns:
    """One model's INSERT parameters from an instance, in `model_fields` order."""

    def __init__(self, model: type[models.Model], connection: BaseDatabaseWrapper) -> None:
        fields = model_fields(model)
        self.converters = [converter(f, connection) for f in fields]
        self.sealed = any(isinstance(f, EncryptedField | EncryptedFileField) for f in fields)


class Builder:
    """Collects one batch's rows and events; `add` seals and prepares an instance as an INSERT would.

    Holds the data keys made for the batch's new subjects (and the log days' keys it read)
    for this batch only: they go when the builder goes.
    """

    def __init__(self, batch: Batch) -> None:
        self.batch = batch
        self.connection = connections["default"]
        self.columns = {model: Columns(model, self.connection) for model in TABLE_ORDER}
        self.key_columns = Columns(SubjectKey, connections["keys"])
        self.held: dict[uuid.UUID, DataKey] = {}
        self.at_column = converter(AuditEvent._meta.get_field("at"), self.connection)
        self.details_field = AuditEvent._meta.get_field("details")
        self._at_holder = AuditEvent()
        self.raw_events: list[tuple[dt.datetime, str, str, str, str, dict[str, Any]]] = []
        self.invoice_links: list[tuple[int, int, int]] = []  # (invoice row, year, event number)

    def row(self, obj: models.Model) -> tuple[Any, ...]:
        columns = self.columns[type(obj)]
        d = obj.__dict__
        subject = key = None
        if columns.sealed:
            subject = subject_id_of(obj)
            key = self.held.get(subject)
            if key is None:  # a subject made before the batch (a log day): read as usual
                key = self.held[subject] = data_key(subject)
        return tuple([convert(obj, d, subject, key) for convert in columns.converters])

    def add(self, obj: models.Model) -> int:
        rows = self.batch.rows[obj._meta.label]
        rows.append(self.row(obj))
        return len(rows) - 1

    def key(self, subject_id: uuid.UUID) -> None:
        row, key = new_data_key(subject_id)
        self.held[subject_id] = key
        d = row.__dict__
        self.batch.keys.append(
            tuple([convert(row, d, None, None) for convert in self.key_columns.converters])
        )

    def event(
        self, at: dt.datetime, actor: str, action: str, subject: str, obj: str = "", **details: Any
    ) -> int:
        """Record an event (serialised by `finish`); its number among the batch's events."""
        self.raw_events.append((at, actor, action, subject, obj, details))
        return len(self.raw_events) - 1

    def invoice(self, row: int, year: int, event: int) -> None:
        """An invoice row whose number (and its event's) the writer gives, in the year's sequence."""
        self.invoice_links.append((row, year, event))

    def finish(self) -> None:
        """Put the events in time order (stable, as the chain takes them) and serialise them.

        An invoice's event is left for the writer, which gives it the invoice's number.
        """
        raw, batch, holder = self.raw_events, self.batch, self._at_holder
        order = sorted(range(len(raw)), key=lambda n: raw[n][0])
        position = {n: i for i, n in enumerate(order)}
        waiting = {event for _row, _year, event in self.invoice_links}
        for n in order:
            at, actor, action, subject, obj, details = raw[n]
            holder.at = at
            stored_at = self.at_column(holder, holder.__dict__, None, None)
            if n in waiting:
                batch.pending[len(batch.events)] = (at, details)
                batch.events.append((stored_at, actor, action, subject, obj, None, None))
                continue
            batch.events.append(
                (
                    stored_at,
                    actor,
                    action,
                    subject,
                    obj,
                    details_column(self.details_field, details, self.connection),
                    event_tail(at, actor, action, subject, obj, details),
                )
            )
        batch.invoices = [(row, year, position[event]) for row, year, event in self.invoice_links]
        raw.clear()
        self.invoice_links.clear()


def event_tail(
    at: dt.datetime, actor: str, action: str, subject: str, obj: str, details: dict[str, Any]
) -> str:
    """The audit hash's input after "[<seq>,": `privacy.audit.chain.event_hash` serialises
    [seq, at, actor, action, subject, object, details] the same way, so its body is
    f"[{seq},{tail}" (the writer checks one event per batch against event_hash itself)."""
    return json.dumps(
        [at.isoformat(timespec="microseconds"), actor, action, subject, obj, details],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )[1:]


def details_column(
    f: models.Field[Any, Any], details: dict[str, Any], connection: BaseDatabaseWrapper
) -> Any:
    """The stored `details`: JSON text where the backend takes text; else left to the writer."""
    value = f.get_db_prep_save(details, connection=connection)
    return value if isinstance(value, str) else details
