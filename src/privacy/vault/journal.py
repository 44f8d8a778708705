"""The erasure journal: which subjects were erased, kept beside the key store.

Erasure writes to two databases that cannot commit together (the journal and keys here,
the rows in "default"), so the order of the steps is what keeps a crash recoverable:

    1. journal_erasure       the intent is durable before anything is destroyed;
    2. destroy_subject_key   from here on every copy of the data is unreadable;
    3. (catalog) delete the rows and files, in the default database and the file store;
    4. mark_erasure_complete.

A crash after 1 or 2 leaves a pending entry; doing the erasure again repeats 2-4, all
idempotent. After the data database is restored from a backup, replaying every entry
removes the rows that came back. Each write here is its own transaction on "keys",
never part of a transaction on "default".
"""

from __future__ import annotations

from uuid import UUID

from django.db import transaction
from django.utils import timezone

from privacy.vault.models import ErasureJournal
from privacy.vault.routers import KEYSTORE_DB


def journal_erasure(subject_id: UUID, reason: str) -> ErasureJournal:
    """Record that the subject is to be erased; the first step of every erasure.

    `reason` is a short code or a request reference, never a personal value.
    """
    with transaction.atomic(using=KEYSTORE_DB):
        return ErasureJournal.objects.create(subject_id=subject_id, reason=reason[:200])


def mark_erasure_complete(entry: ErasureJournal) -> ErasureJournal:
    """Close a journal entry once the rows and files are gone. Idempotent."""
    if entry.completed_at is None:
        entry.completed_at = timezone.now()
        with transaction.atomic(using=KEYSTORE_DB):
            ErasureJournal.objects.filter(pk=entry.pk, completed_at__isnull=True).update(
                completed_at=entry.completed_at
            )
    return entry


def journaled_subjects() -> list[ErasureJournal]:
    """Every journal entry, oldest first: what a replay after a restore applies again."""
    return list(ErasureJournal.objects.all())


def pending_erasures() -> list[ErasureJournal]:
    """Erasures begun and not marked complete (interrupted), oldest first."""
    return list(ErasureJournal.objects.filter(completed_at__isnull=True))


def is_journaled(subject_id: UUID) -> bool:
    return ErasureJournal.objects.filter(subject_id=subject_id).exists()
