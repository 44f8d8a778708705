"""The vault's operator action: re-wrapping every data key under the current master key.

The erasure steps (journal, key destruction) live in journal.py and keys.py, because the
catalog's erasure calls them between its own steps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from privacy.audit.actions import audit_action, record_event_now
from privacy.vault.keyring import master_keyring
from privacy.vault.keys import rewrap_batch
from privacy.vault.models import SubjectKey

KEYS_ROTATED = audit_action("vault.keys.rotated", "Data keys re-wrapped under the current master key")


@dataclass(frozen=True)
class RotationResult:
    master_key_id: str
    rewrapped: int
    remaining: int


def rotate_master_key(
    *,
    batch_size: int = 500,
    progress: Callable[[int, int], None] | None = None,
    actor: str = "system",
) -> RotationResult:
    """Re-wrap every data key not yet under the current (first) master key. Resumable.

    Each batch commits on its own; an interrupted run keeps what it finished, and the next
    run only sees the keys still wrapped under older master keys. Data rows are untouched:
    the data keys do not change, only the key that wraps them.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    current = master_keyring().current.id
    total = SubjectKey.objects.exclude(master_key_id=current).count()
    done = 0
    if progress is not None:
        progress(done, total)
    while True:
        count = rewrap_batch(batch_size=batch_size)
        if count == 0:
            break
        done += count
        if progress is not None:
            progress(done, max(total, done))
    remaining = SubjectKey.objects.exclude(master_key_id=current).count()
    if done:
        record_event_now(
            KEYS_ROTATED, actor=actor, object=f"master-key:{current}", details={"rewrapped": done}
        )
    return RotationResult(current, done, remaining)
