"""The base for models with encrypted fields, and the UUIDv7 generator for their keys.

Encrypted values are bound to their row's primary key (it is part of the associated
data), so the key must be known before the INSERT: an auto-increment id is not. UUIDv7
(RFC 9562) is generated in Python, sorts by creation time (kind to B-tree indexes) and
is unguessable in its 74 random bits.
"""

from __future__ import annotations

import os
import time
import uuid

from django.db import models


def uuid7() -> uuid.UUID:
    """48-bit Unix time in milliseconds, version 7, 12 + 62 random bits, RFC 4122 variant."""
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")  # 80 bits, 74 of them used
    rand_a = rand >> 68  # 12 bits
    rand_b = rand & ((1 << 62) - 1)
    value = (millis & ((1 << 48) - 1)) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return uuid.UUID(int=value)


class PersonalModel(models.Model):
    """Abstract base: a UUIDv7 primary key, set when the instance is made, as encrypted fields need."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)

    class Meta:
        abstract = True
