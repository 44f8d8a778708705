"""Reads of the key store: how the data keys are wrapped."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from privacy.vault.keyring import master_keyring
from privacy.vault.models import SubjectKey


@dataclass(frozen=True)
class MasterKeyUse:
    master_key_id: str
    data_keys: int
    current: bool
    in_keyring: bool


def master_key_use() -> list[MasterKeyUse]:
    """How many data keys each master key wraps, for every id in the store or the keyring."""
    keyring = master_keyring()
    counts = dict(
        SubjectKey.objects.values_list("master_key_id")
        .annotate(n=Count("id"))
        .values_list("master_key_id", "n")
    )
    ids = [key.id for key in keyring.keys] + sorted(set(counts) - {key.id for key in keyring.keys})
    return [
        MasterKeyUse(
            key_id, counts.get(key_id, 0), key_id == keyring.current.id, keyring.get(key_id) is not None
        )
        for key_id in ids
    ]
