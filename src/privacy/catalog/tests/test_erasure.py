"""Erasure walks the catalog: every row of the subject, however far away, goes with the key;
what the law orders kept stays; a restore brings nothing back for long."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import models

from privacy.audit.models import AuditEvent
from privacy.catalog.erasure import ErasureReport, Retained, erase_subject, replay_erasures
from privacy.catalog.registry import Catalog, field_values_for_subject, rows_for_subject, subject_filter
from privacy.catalog.tests.factories import Person, copy_tables, make_person, restore_tables, table_of
from privacy.catalog.tests.isolated_models import (
    Attachment,
    Customer,
    Invoice,
    Message,
    Refund,
    Thread,
)
from privacy.vault.errors import SubjectErased
from privacy.vault.files import MemoryFileStore, file_store, using_file_store
from privacy.vault.journal import journal_erasure, pending_erasures
from privacy.vault.keys import clear_key_cache, destroy_subject_key, has_data_key
from privacy.vault.models import ErasureJournal, SubjectKey

pytestmark = [
    pytest.mark.django_db(databases=["default", "keys"], transaction=True),
    pytest.mark.usefixtures("catalog_tables"),
]

TAX_BASIS = "legal_obligation: commercial and tax record keeping"
ERASED_COUNTS = {"catalog.Attachment": 1, "catalog.Customer": 1, "catalog.Message": 2, "catalog.Thread": 1}


def _alice() -> Person:
    return make_person(
        "Alice Liddell",
        "alice@example.org",
        "+44 20 7946 0018",
        messages=("Where is my order?", "Thanks!"),
        upload=b"solid model of ALICE-MARKER-7f3a",
        invoice=True,
    )


def _bob() -> Person:
    return make_person(
        "Bob Builder", "bob@example.org", "+44 20 7946 0999", messages=("Hi",), upload=b"bob file"
    )


def _count(model: type[models.Model], subject_id: uuid.UUID) -> int:
    return model._base_manager.filter(subject_filter(model, subject_id)).count()


def _counts(subject_id: uuid.UUID, of: Iterable[type[models.Model]]) -> dict[str, int]:
    return {model._meta.label: _count(model, subject_id) for model in of}


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def test_subject_filter_follows_the_declared_path() -> None:
    subject = uuid.uuid4()
    assert str(subject_filter(Customer, subject)) == f"(AND: ('subject_id', {subject!r}))"
    assert str(subject_filter(Attachment, subject)) == (
        f"(AND: ('message__thread__customer__subject_id', {subject!r}))"
    )


def test_rows_for_subject_and_their_values_are_found_through_every_hop() -> None:
    alice, bob = _alice(), _bob()

    found = {model: list(rows) for model, rows in rows_for_subject(alice.subject_id)}
    values = field_values_for_subject(alice.subject_id)

    assert [model.__name__ for model in found] == [
        "Attachment",
        "Invoice",
        "Message",
        "Refund",
        "Thread",
        "Customer",
    ]
    assert {message.pk for message in found[Message]} == {message.pk for message in alice.messages}
    assert found[Attachment] == alice.attachments
    assert found[Refund] == []
    assert values[Customer] == [
        {"name": "Alice Liddell", "email": "alice@example.org", "phone": "+44 20 7946 0018"}
    ]
    # Rows come in primary-key order; UUIDv7 keys made in the same millisecond are in random order.
    assert sorted(values[Message], key=lambda row: row["body"]) == [
        {"body": "Thanks!"},
        {"body": "Where is my order?"},
    ]
    assert values[Invoice] == [{"billing_name": "Alice Liddell", "delivery_note": "ring twice"}]
    assert Thread not in values  # it holds no declared field
    assert Refund not in values  # no rows
    assert field_values_for_subject(bob.subject_id)[Message] == [{"body": "Hi"}]


def test_erasure_deletes_every_row_and_file_of_the_subject_and_keeps_the_legal_hold() -> None:
    alice, bob = _alice(), _bob()
    upload = alice.attachments[0]
    preview_path = Path(upload.preview.path)
    assert file_store().exists(upload.upload.id)
    assert preview_path.exists()

    report = erase_subject(alice.subject_id, reason="rights request 7", actor="staff:officer")

    assert report == ErasureReport(
        subject_id=alice.subject_id,
        key_destroyed=True,
        deleted=ERASED_COUNTS,
        files_deleted=2,
        retained=(Retained("catalog.Invoice", 1, "tax-records", TAX_BASIS, cleared=("delivery_note",)),),
    )
    assert _counts(alice.subject_id, [Customer, Thread, Message, Attachment]) == dict.fromkeys(
        ["catalog.Customer", "catalog.Thread", "catalog.Message", "catalog.Attachment"], 0
    )
    assert not file_store().exists(upload.upload.id)
    assert not preview_path.exists()
    assert not has_data_key(alice.subject_id)
    # The held invoice is kept and still readable (it is not under the destroyed key); what
    # the hold does not need is cleared.
    invoice = Invoice.objects.get(subject_id=alice.subject_id)
    assert (invoice.billing_name, invoice.delivery_note) == ("Alice Liddell", "")
    # Bob is untouched.
    assert _counts(bob.subject_id, [Customer, Thread, Message, Attachment]) == dict.fromkeys(
        ["catalog.Customer", "catalog.Thread", "catalog.Message", "catalog.Attachment"], 1
    )
    assert Message.objects.get(pk=bob.messages[0].pk).body == "Hi"
    assert file_store().exists(bob.attachments[0].upload.id)
    # The journal says it is done.
    entry = ErasureJournal.objects.get(subject_id=alice.subject_id)
    assert (entry.reason, entry.completed_at is not None) == ("rights request 7", True)


def test_erasure_writes_one_audit_event_with_counts_and_no_personal_value() -> None:
    alice = _alice()

    erase_subject(alice.subject_id, reason="rights request 7", actor="staff:officer")

    [event] = _events("vault.subject.erased")
    assert (event.actor, event.subject, event.object) == ("staff:officer", str(alice.subject_id), "")
    assert event.details == {
        "reason": "rights request 7",
        "key_destroyed": True,
        "deleted": ERASED_COUNTS,
        "files_deleted": 2,
        "retained": [
            {
                "model": "catalog.Invoice",
                "rows": 1,
                "rule": "tax-records",
                "legal_basis": TAX_BASIS,
                "cleared": ["delivery_note"],
            }
        ],
        "unlinked": {},
    }
    text = json.dumps(event.details)
    assert not any(value in text for value in ("Alice", "alice@example.org", "7946", "Where is my order"))


def test_rows_that_kept_rows_point_at_are_kept_with_them() -> None:
    carol = make_person("Carol Danvers", "carol@example.org", "+1 555 0100", refund=True)

    report = erase_subject(carol.subject_id, reason="rights request 8", actor="staff:officer")

    assert report.deleted == {"catalog.Message": 1, "catalog.Thread": 1}
    assert report.retained == (
        Retained("catalog.Customer", 1, "tax-records", TAX_BASIS, cleared=("email_index",)),
        Retained("catalog.Refund", 1, "tax-records", TAX_BASIS),
    )
    assert report.key_destroyed
    kept = Customer.objects.get(subject_id=carol.subject_id)
    assert kept.email_index is None
    with pytest.raises(SubjectErased):
        _ = kept.email
    assert _counts(carol.subject_id, [Customer, Refund, Thread, Message]) == {
        "catalog.Customer": 1,
        "catalog.Refund": 1,
        "catalog.Thread": 0,
        "catalog.Message": 0,
    }
    assert Refund.objects.get().bank_reference == "REF-Carol Danvers"


def test_replay_after_a_restore_removes_the_rows_and_the_key_again() -> None:
    alice, bob = _alice(), _bob()
    tables = [table_of(model) for model in (Customer, Thread, Message, Attachment, Invoice)]
    keys_table = table_of(SubjectKey, "keys")
    backup = copy_tables(*tables, keys_table)
    erase_subject(alice.subject_id, reason="rights request 7", actor="staff:officer")

    # A restore of both databases from the backup brings back Alice's rows and her key.
    assert restore_tables(backup, [*tables, keys_table]) == 6
    clear_key_cache()
    assert _count(Customer, alice.subject_id) == 1
    assert Customer.objects.get(subject_id=alice.subject_id).email == "alice@example.org"

    reports = replay_erasures()

    assert reports == [
        ErasureReport(
            subject_id=alice.subject_id,
            key_destroyed=True,
            deleted=ERASED_COUNTS,
            files_deleted=0,  # the upload folder was not restored: nothing came back there
            retained=(Retained("catalog.Invoice", 1, "tax-records", TAX_BASIS, cleared=("delivery_note",)),),
        )
    ]
    assert _count(Customer, alice.subject_id) == 0
    assert not has_data_key(alice.subject_id)
    assert _counts(bob.subject_id, [Customer, Message]) == {"catalog.Customer": 1, "catalog.Message": 1}
    [event] = _events("vault.erasure.replayed")
    assert (event.actor, event.subject, event.details["deleted"]) == (
        "system:erasures-replay",
        str(alice.subject_id),
        ERASED_COUNTS,
    )

    # Replay again: nothing left to remove, nothing audited.
    [again] = replay_erasures()
    assert (again.removed_anything, again.deleted, again.key_destroyed) == (False, {}, False)
    assert len(_events("vault.erasure.replayed")) == 1


def test_replay_completes_an_erasure_interrupted_after_the_key_was_destroyed() -> None:
    alice = _alice()
    journal_erasure(alice.subject_id, "rights request 9")
    destroy_subject_key(alice.subject_id)  # ... and then the process died
    with pytest.raises(SubjectErased):
        _ = Customer.objects.get(subject_id=alice.subject_id).email
    assert len(pending_erasures()) == 1

    [report] = replay_erasures()

    assert (report.key_destroyed, report.deleted, report.files_deleted) == (False, ERASED_COUNTS, 2)
    assert pending_erasures() == []
    assert _count(Customer, alice.subject_id) == 0


class _FileDeletionFails(MemoryFileStore):
    def delete(self, file_id: uuid.UUID) -> bool:
        raise OSError("storage unavailable")


def test_a_failure_mid_erasure_rolls_back_rows_and_audit_and_leaves_the_journal_open() -> None:
    with using_file_store(_FileDeletionFails()) as store:
        alice = _alice()
        with pytest.raises(OSError, match="storage unavailable"):
            erase_subject(alice.subject_id, reason="rights request 10", actor="staff:officer")

        # The key is gone (step 2 stands), but no row was deleted and nothing was audited.
        assert not has_data_key(alice.subject_id)
        assert _counts(alice.subject_id, [Customer, Message, Attachment]) == {
            "catalog.Customer": 1,
            "catalog.Message": 2,
            "catalog.Attachment": 1,
        }
        assert _events("vault.subject.erased") == []
        assert [entry.subject_id for entry in pending_erasures()] == [alice.subject_id]
        stored: dict[uuid.UUID, bytes] = dict(store.files)

    with using_file_store(MemoryFileStore()) as working:
        assert isinstance(working, MemoryFileStore)
        working.files.update(stored)
        [report] = replay_erasures()
        assert (report.deleted, report.files_deleted) == (ERASED_COUNTS, 2)
        assert working.files == {}
    assert pending_erasures() == []


def test_erasures_replay_command_reports_what_it_removed() -> None:
    alice = _alice()
    tables = [table_of(model) for model in (Customer, Thread, Message, Attachment, Invoice)]
    backup = copy_tables(*tables)
    erase_subject(alice.subject_id, reason="rights request 7", actor="staff:officer")
    restore_tables(backup, tables)
    out = StringIO()

    call_command("erasures", "replay", stdout=out)

    assert out.getvalue().splitlines() == [
        f"Subject {alice.subject_id}: deleted 5 rows (catalog.Attachment 1, catalog.Customer 1, "
        "catalog.Message 2, catalog.Thread 1).",
        "Replayed 1 journaled erasures; 1 had something to remove.",
    ]
    out = StringIO()
    call_command("erasures", "replay", stdout=out)
    assert out.getvalue().splitlines() == ["Replayed 1 journaled erasures; 0 had something to remove."]


def test_erasing_a_subject_without_rows_or_key_is_recorded_all_the_same(catalog_tables: Catalog) -> None:
    nobody = uuid.uuid4()

    report = erase_subject(nobody, reason="rights request 11", actor="staff:officer")

    assert report == ErasureReport(subject_id=nobody, key_destroyed=False)
    [event] = _events("vault.subject.erased")
    details: dict[str, Any] = event.details
    assert (details["deleted"], details["retained"], details["key_destroyed"]) == ({}, [], False)
    assert ErasureJournal.objects.get(subject_id=nobody).completed_at is not None
