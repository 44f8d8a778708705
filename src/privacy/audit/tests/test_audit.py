from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from privacy.audit.actions import AuditError, audit_action, record_event
from privacy.audit.chain import GENESIS
from privacy.audit.models import AuditEvent, ChainHead
from privacy.audit.queries import verify_chain

pytestmark = pytest.mark.django_db

TESTED = audit_action("audit.test.happened", "A test event")
T0 = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)


def _write(count: int) -> list[AuditEvent]:
    events = []
    for n in range(count):
        with transaction.atomic():
            events.append(
                record_event(
                    TESTED,
                    actor="system",
                    subject=f"subject-{n}",
                    object=f"orders.order:{n}",
                    details={"n": n},
                    at=T0 + dt.timedelta(seconds=n),
                )
            )
    return events


def _verify_fails_at(expected: str) -> None:
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify", stdout=StringIO())
    assert failure.value.returncode == 1
    assert expected in str(failure.value)


def test_events_are_chained_from_genesis() -> None:
    first, second, third = _write(3)
    assert (first.seq, second.seq, third.seq) == (1, 2, 3)
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    head = ChainHead.objects.get()
    assert (head.seq, head.hash) == (3, third.hash)


def test_verify_passes_on_an_intact_chain() -> None:
    _write(4)
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert out.getvalue().strip() == "Audit trail intact: 4 entries verified."


def test_verify_passes_on_an_empty_chain() -> None:
    assert verify_chain().ok


def test_changed_entry_is_named() -> None:
    events = _write(4)
    AuditEvent.objects.filter(id=events[2].id).update(details={"n": 99})
    result = verify_chain()
    assert result.first_break is not None
    assert (result.first_break.seq, result.first_break.problem) == (
        3,
        "contents changed (hash does not match)",
    )
    _verify_fails_at("entry #3")


def test_changed_actor_is_detected() -> None:
    events = _write(3)
    AuditEvent.objects.filter(id=events[0].id).update(actor="someone-else")
    result = verify_chain()
    assert result.first_break is not None
    assert result.first_break.seq == 1


def test_removed_entry_is_named() -> None:
    events = _write(4)
    AuditEvent.objects.filter(id=events[1].id).delete()
    result = verify_chain()
    assert result.first_break is not None
    assert result.first_break.seq == 3
    assert result.first_break.problem == "expected sequence 2, found 3: an entry before it was removed"
    _verify_fails_at("entry #3")


def test_removed_last_entry_is_detected_by_the_head() -> None:
    events = _write(3)
    AuditEvent.objects.filter(id=events[2].id).delete()
    result = verify_chain()
    assert result.first_break is not None
    assert result.first_break.seq is None
    assert "ends at entry #2 but its head records #3" in result.first_break.problem


def test_inserted_entry_is_named() -> None:
    events = _write(3)
    # A forged entry with a plausible sequence number and a self-consistent hash.
    forged = AuditEvent.objects.create(
        seq=4,
        at=T0,
        actor="forger",
        action=TESTED.name,
        details={},
        prev_hash="f" * 64,
        hash="e" * 64,
    )
    result = verify_chain()
    assert result.first_break is not None
    assert (result.first_break.seq, result.first_break.event_id) == (4, forged.id)
    assert result.first_break.problem == "previous-hash link broken (an entry was removed or inserted)"
    assert events[2].hash != forged.prev_hash


def test_reordered_entries_are_named() -> None:
    events = _write(4)
    # Swap the sequence numbers of entries 2 and 3 (through a free value, seq is unique).
    AuditEvent.objects.filter(id=events[1].id).update(seq=100)
    AuditEvent.objects.filter(id=events[2].id).update(seq=2)
    AuditEvent.objects.filter(id=events[1].id).update(seq=3)
    result = verify_chain()
    assert result.first_break is not None
    assert (result.first_break.seq, result.first_break.event_id) == (3, events[1].id)
    assert result.first_break.problem == "expected sequence 2, found 3: entries were reordered"
    _verify_fails_at("entry #3")


@pytest.mark.django_db(transaction=True)
def test_record_event_outside_a_transaction_is_refused() -> None:
    with pytest.raises(AuditError, match="must run inside the transaction"):
        record_event(TESTED, actor="system")
    assert AuditEvent.objects.count() == 0


def test_unregistered_action_is_refused() -> None:
    with transaction.atomic(), pytest.raises(AuditError, match="is not registered"):
        record_event("audit.never.registered", actor="system")
    assert AuditEvent.objects.count() == 0


def _failing_action() -> None:
    with transaction.atomic():
        record_event(TESTED, actor="system")
        raise RuntimeError("the action failed")


def test_event_rolls_back_with_its_action() -> None:
    with pytest.raises(RuntimeError):
        _failing_action()
    assert AuditEvent.objects.count() == 0
    assert not ChainHead.objects.exists()


@pytest.mark.parametrize("name", ["Nodots", "consent.Recorded", "consent..recorded", "consent.re corded"])
def test_action_names_must_be_namespaced(name: str) -> None:
    with pytest.raises(AuditError):
        audit_action(name, "bad")
