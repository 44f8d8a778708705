"""The audit trail: append-only rows, each sealed by the hash of the one before it.

A single `ChainHead` row holds the sequence number and hash of the newest event. Every
append locks it (SELECT ... FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions
serialise writers anyway), so two writers can never both extend the same link. Rows hold
ids and counts, never personal values: the trail outlives an erasure.
"""

from __future__ import annotations

from django.db import models


class AuditEvent(models.Model):
    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.CharField(max_length=120)
    action = models.CharField(max_length=120, db_index=True)
    subject = models.CharField(max_length=64, blank=True, db_index=True)
    object = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"


class ChainHead(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"head #{self.seq}"
