"""Reading the audit trail: verification of the chain, and a subject's history."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

from privacy.audit.chain import GENESIS, event_hash
from privacy.audit.models import AuditEvent, ChainHead


@dataclass(frozen=True)
class ChainBreak:
    seq: int | None
    event_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"entry #{self.seq} (row id {self.event_id})" if self.seq is not None else "end of chain"
        return f"{where}: {self.problem}"


@dataclass(frozen=True)
class Verification:
    checked: int
    first_break: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def _walk(batch: int) -> Iterator[AuditEvent]:
    # Walk in storage order by primary key: a reordering of seq values shows up as a gap.
    last_id = 0
    while True:
        rows = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def verify_chain(*, batch: int = 2000, progress: Callable[[int], None] | None = None) -> Verification:
    """Recompute every link; report the first entry that was changed, removed, inserted or moved."""
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    for event in _walk(batch):
        checked += 1
        if progress:
            progress(checked)
        if event.seq != expected_seq:
            if AuditEvent.objects.filter(seq=expected_seq).exists():
                kind = "entries were reordered"
            elif event.seq > expected_seq:
                kind = "an entry before it was removed"
            else:
                kind = "an entry was inserted"
            return Verification(
                checked,
                ChainBreak(
                    event.seq, event.id, f"expected sequence {expected_seq}, found {event.seq}: {kind}"
                ),
            )
        if event.prev_hash != expected_prev:
            return Verification(
                checked,
                ChainBreak(
                    event.seq, event.id, "previous-hash link broken (an entry was removed or inserted)"
                ),
            )
        recomputed = event_hash(
            prev_hash=event.prev_hash,
            seq=event.seq,
            at=event.at,
            actor=event.actor,
            action=event.action,
            subject=event.subject,
            object=event.object,
            details=event.details,
        )
        if recomputed != event.hash:
            return Verification(
                checked, ChainBreak(event.seq, event.id, "contents changed (hash does not match)")
            )
        expected_prev = event.hash
        expected_seq += 1
    head = ChainHead.objects.filter(id=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != expected_seq - 1 or head_hash != expected_prev:
        return Verification(
            checked,
            ChainBreak(
                None,
                None,
                f"the chain ends at entry #{expected_seq - 1} but its head records #{head_seq}: "
                "entries were removed from the end",
            ),
        )
    return Verification(checked, None)


def events_about(subject: str) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(subject=subject).order_by("seq")
