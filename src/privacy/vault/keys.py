"""Per-subject data keys: created on first write, unwrapped on read, destroyed on erasure.

Key-store writes run in their own transactions on the "keys" database, never inside the
caller's transaction on "default" (they are different databases, and a key must be
committed before any row sealed under it is). A key created for a row whose transaction
then rolls back is harmless: it wraps nothing.

Unwrapped keys are kept in a small in-process LRU cache. `destroy_subject_key` evicts
the key from this process's cache at once; other processes drop theirs within
CACHE_TTL_SECONDS, so a long-running worker cannot keep reading an erased subject.

Reading many subjects' values at once (an access export reads rows under the person's
key, under each order's and invoice's own key and under ~100 log days' keys) fetches
their keys in one query per batch: `data_keys_for(subject_ids)`, and `holding_data_keys`,
which makes those keys the ones `data_key` answers with for the rest of the block, in
this context only (a ContextVar: other threads and requests never see them). They are
not put into the LRU cache and are dropped when the block ends, so they never outlive
the call; a key destroyed inside the block is dropped from it at once, and a key
the store no longer holds is never returned, even if this process's cache still had it.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import IntegrityError, connections, transaction

from privacy.vault.crypto import new_key, unwrap_key, wrap_key
from privacy.vault.errors import SubjectErased, WrongKey
from privacy.vault.journal import is_journaled
from privacy.vault.keyring import MasterKeyring, master_keyring
from privacy.vault.models import SubjectKey
from privacy.vault.routers import KEYSTORE_DB

CACHE_SIZE = 4096
CACHE_TTL_SECONDS = 300.0
# Subject ids per key-store query in data_keys_for (well under every backend's parameter limit).
KEYS_PER_QUERY = 500


@dataclass(frozen=True)
class DataKey:
    subject_id: UUID
    key: bytes = field(repr=False)
    aead: AESGCM = field(repr=False)


class _KeyCache:
    """LRU with a time limit, and in front of it the last key used (most rows, one subject)."""

    def __init__(self, size: int, ttl: float) -> None:
        self.size, self.ttl = size, ttl
        self._items: OrderedDict[UUID, tuple[float, DataKey]] = OrderedDict()
        self._lock = threading.Lock()
        self._last: tuple[UUID, float, DataKey] | None = None

    def get(self, subject_id: UUID) -> DataKey | None:
        last = self._last
        if last is not None and last[0] == subject_id and time.monotonic() - last[1] <= self.ttl:
            return last[2]
        with self._lock:
            found = self._items.get(subject_id)
            if found is None:
                return None
            if time.monotonic() - found[0] > self.ttl:
                del self._items[subject_id]
                return None
            self._items.move_to_end(subject_id)
            self._last = (subject_id, found[0], found[1])
            return found[1]

    def put(self, key: DataKey) -> None:
        with self._lock:
            now = time.monotonic()
            self._items[key.subject_id] = (now, key)
            self._last = (key.subject_id, now, key)
            self._items.move_to_end(key.subject_id)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def evict(self, subject_id: UUID) -> None:
        with self._lock:
            self._last = None
            self._items.pop(subject_id, None)

    def clear(self) -> None:
        with self._lock:
            self._last = None
            self._items.clear()


_cache = _KeyCache(CACHE_SIZE, CACHE_TTL_SECONDS)
# The keys a `holding_data_keys` block fetched: subject id -> key, or None when the store
# had none (erased, or never made). None outside such a block.
_held: ContextVar[dict[UUID, DataKey | None] | None] = ContextVar("pledge_vault_held_keys", default=None)


def clear_key_cache() -> None:
    _cache.clear()


def _unwrap(row: SubjectKey, keyring: MasterKeyring) -> bytes:
    return _unwrap_stored(row.subject_id, row.wrapped, row.master_key_id, keyring)


def _unwrap_stored(
    subject_id: UUID, wrapped: bytes | memoryview, master_key_id: str, keyring: MasterKeyring
) -> bytes:
    master = keyring.get(master_key_id)
    if master is None:
        raise WrongKey(
            f"the data key of subject {subject_id} is wrapped under master key {master_key_id!r}, "
            f"which the keyring ({keyring.source}) does not hold"
        )
    return unwrap_key(master.key, master.id, subject_id, bytes(wrapped))


def _create(subject_id: UUID) -> bytes:
    if is_journaled(subject_id):
        raise SubjectErased(subject_id, "the erasure journal lists it, so no new key is made")
    keyring = master_keyring()
    raw = new_key()
    wrapped = wrap_key(keyring.current.key, keyring.current.id, subject_id, raw)
    try:
        with transaction.atomic(using=KEYSTORE_DB):
            SubjectKey.objects.create(
                subject_id=subject_id, wrapped=wrapped, master_key_id=keyring.current.id
            )
    except IntegrityError:
        # Another process created it first: use theirs, so both seal under the same key.
        return _unwrap(SubjectKey.objects.get(subject_id=subject_id), keyring)
    return raw


def data_key(subject_id: UUID, *, create: bool = False) -> DataKey:
    """The subject's unwrapped data key; with `create`, made on first use.

    Raises SubjectErased when there is no key (and `create` is false, or the subject is in
    the erasure journal), WrongKey when the keyring cannot open it.
    """
    held = _held.get()
    if held is not None and subject_id in held:
        found = held[subject_id]
        if found is not None:
            return found
        if not create:
            raise SubjectErased(subject_id, "no key was ever stored or it was destroyed")
    cached = _cache.get(subject_id)
    if cached is not None:
        return cached
    row = SubjectKey.objects.filter(subject_id=subject_id).first()
    if row is not None:
        raw = _unwrap(row, master_keyring())
    elif create:
        raw = _create(subject_id)
    else:
        detail = (
            "the erasure journal lists it"
            if is_journaled(subject_id)
            else "no key was ever stored or it was destroyed"
        )
        raise SubjectErased(subject_id, detail)
    key = DataKey(subject_id, raw, AESGCM(raw))
    _cache.put(key)
    if held is not None and subject_id in held:
        held[subject_id] = key  # made inside a holding block that had found none
    return key


def data_keys_for(subject_ids: Iterable[UUID]) -> dict[UUID, DataKey]:
    """The unwrapped data keys of those of `subject_ids` that have one, read in one query per batch.

    A subject without a key in the store (erased, or never given one) is absent from the
    answer, and dropped from this process's cache if it was there: a destroyed key is never
    returned. The keys are not cached; hold them no longer than the work that needs them
    (`holding_data_keys`). Raises WrongKey when the keyring cannot open one.
    """
    wanted = sorted(set(subject_ids))
    found: dict[UUID, DataKey] = {}
    if not wanted:
        return found
    keyring = master_keyring()
    for start in range(0, len(wanted), KEYS_PER_QUERY):
        batch = wanted[start : start + KEYS_PER_QUERY]
        rows = SubjectKey.objects.filter(subject_id__in=batch).values_list(
            "subject_id", "wrapped", "master_key_id"
        )
        for subject_id, wrapped, master_key_id in rows:
            raw = _unwrap_stored(subject_id, wrapped, master_key_id, keyring)
            found[subject_id] = DataKey(subject_id, raw, AESGCM(raw))
    for subject_id in wanted:
        if subject_id not in found:
            _cache.evict(subject_id)
    return found


@contextmanager
def holding_data_keys(subject_ids: Iterable[UUID]) -> Iterator[dict[UUID, DataKey]]:
    """Fetch the subjects' keys at once (`data_keys_for`) and read with them inside the block.

    Inside the block, in this context only, `data_key` answers for these subjects from
    what was fetched (SubjectErased, with no further query, for one that had no key); any
    other subject is looked up as usual. A nested block adds its subjects for its own
    duration. When the block ends its keys are dropped.
    """
    wanted = set(subject_ids)
    keys = data_keys_for(wanted)
    held = _held.get()
    token = None
    if held is None:
        held = {}
        token = _held.set(held)
    added = [subject_id for subject_id in wanted if subject_id not in held]
    for subject_id in added:
        held[subject_id] = keys.get(subject_id)
    try:
        yield keys
    finally:
        for subject_id in added:
            held.pop(subject_id, None)
        keys.clear()
        if token is not None:
            held.clear()
            _held.reset(token)


def new_data_key(subject_id: UUID) -> tuple[SubjectKey, DataKey]:
    """A new data key for a new subject: the unsaved key-store row, and the key to seal with.

    For bulk creation (`pledge demo generate`): the caller inserts many rows in one
    statement, on the "keys" database, and commits them before any row sealed under them
    (the rule `_create` keeps one key at a time). The subject must be new (a fresh random
    id): no journal or existing key is looked for. The key is not put into this process's
    cache: the caller holds it for its batch only and drops it with the batch.
    """
    keyring = master_keyring()
    raw = new_key()
    row = SubjectKey(
        subject_id=subject_id,
        wrapped=wrap_key(keyring.current.key, keyring.current.id, subject_id, raw),
        master_key_id=keyring.current.id,
    )
    return row, DataKey(subject_id, raw, AESGCM(raw))


def has_data_key(subject_id: UUID) -> bool:
    return SubjectKey.objects.filter(subject_id=subject_id).exists()


def destroy_subject_key(subject_id: UUID) -> bool:
    """Delete the subject's wrapped key and forget it here; True if a key was deleted. Idempotent.

    On SQLite the write-ahead log is checkpointed and truncated afterwards (when no
    transaction is open), so the deleted key does not linger in the -wal file; secure_delete
    (settings) overwrites the freed page in the database file itself.
    """
    _cache.evict(subject_id)
    held = _held.get()
    if held is not None and subject_id in held:
        held[subject_id] = None
    with transaction.atomic(using=KEYSTORE_DB):
        deleted, _ = SubjectKey.objects.filter(subject_id=subject_id).delete()
    _cache.evict(subject_id)
    connection = connections[KEYSTORE_DB]
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return deleted > 0


def rewrap_batch(*, batch_size: int) -> int:
    """Re-wrap up to `batch_size` keys not yet under the current master key; how many were done.

    One transaction per batch, so an interrupted rotation keeps every finished batch and
    the next run continues with the rest. The data keys themselves, and so every data row,
    are unchanged.
    """
    keyring = master_keyring()
    current = keyring.current
    with transaction.atomic(using=KEYSTORE_DB):
        rows = list(
            SubjectKey.objects.select_for_update()
            .exclude(master_key_id=current.id)
            .order_by("pk")[:batch_size]
        )
        for row in rows:
            raw = _unwrap(row, keyring)
            row.wrapped = wrap_key(current.key, current.id, row.subject_id, raw)
            row.master_key_id = current.id
        SubjectKey.objects.bulk_update(rows, ["wrapped", "master_key_id"])
    return len(rows)
