"""The key store: one wrapped data key per subject, and the erasure journal beside it.

Both tables live in the "keys" database (routers.py), apart from the data they protect:
a copy of the data alone cannot be read, and destroying a key here makes every copy of
that subject's data unreadable — backups, write-ahead logs and replicas included.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class SubjectKey(models.Model):
    subject_id = models.UUIDField(unique=True)
    # nonce | AES-GCM(master key, data key, aad = context | subject id | master key id)
    wrapped = models.BinaryField()
    master_key_id = models.CharField(max_length=32, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "subject data key"

    def __str__(self) -> str:
        return f"data key of {self.subject_id} under {self.master_key_id}"


class ErasureJournal(models.Model):
    """Subjects whose erasure was requested; replayed after a restore of the data.

    Kept beside the keys, not in the data database: restoring the data from a backup must
    not also bring back the list of what was erased since. The reason is a short code or
    a request reference, never personal data.
    """

    subject_id = models.UUIDField(db_index=True)
    requested_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name_plural = "erasure journal entries"

    def __str__(self) -> str:
        state = "completed" if self.completed_at else "pending"
        return f"erasure of {self.subject_id} ({state})"
