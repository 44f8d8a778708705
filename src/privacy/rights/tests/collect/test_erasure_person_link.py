"""Erasure reaches the rows about a person that another key seals (`privacy_person`), and the
system check refuses a second link that cannot work (privacy.E106)."""

# Models that exist only inside a test need no __str__.
# ruff: noqa: DJ008

from __future__ import annotations

import uuid

import pytest
from django.core.files.base import ContentFile
from django.db import models
from django.test.utils import isolate_apps

from privacy.catalog.checks import PERSON_HINT, personal_data_problems
from privacy.catalog.erasure import ErasureReport, Retained, erase_subject
from privacy.catalog.registry import Catalog
from privacy.catalog.tests.sample_declaration import sample_policy
from privacy.policy.loader import current_policy
from privacy.rights.tests.collect.isolated_models import Draft, Member, Note, Receipt, Reply
from privacy.vault.files import file_store
from privacy.vault.keys import clear_key_cache

INVOICE_BASIS = current_policy().retention_rule("user.behavior.purchase_history", "payment")


@pytest.mark.commitment("C31")
@pytest.mark.django_db(databases=["default", "keys"], transaction=True)
def test_erasure_deletes_linked_rows_keeps_held_ones_and_unlinks_the_companys_own(
    rights_catalog: Catalog,
) -> None:
    # Given a member with a note and file (their key), a held receipt, a draft and a staff
    # reply (each under its own key, naming them), and a bystander with the same.
    def member(email: str) -> Member:
        someone = Member.objects.create(email=email, password_hash="x")
        note = Note(member=someone, body="a note", display_name="f.stl")
        note.upload = ContentFile(b"solid f", name="f.stl")
        note.save()
        Receipt.objects.create(member_subject_id=someone.subject_id, total="9.00")
        Draft.objects.create(member_subject_id=someone.subject_id, text="a draft")
        Reply.objects.create(member=someone, text="our answer")
        return someone

    mei, other = member("mei@example.org"), member("other@example.org")
    reply = Reply.objects.get(member=mei)
    note_file = Note.objects.get(member=mei).upload.id

    # When the member is erased.
    report = erase_subject(mei.subject_id, reason="rights request 3", actor="staff:officer")

    # Then their rows and the unheld linked draft are deleted, the receipt is kept under its
    # hold and listed, and the staff reply stays, readable, with the link to them cut.
    assert INVOICE_BASIS is not None
    assert report == ErasureReport(
        subject_id=mei.subject_id,
        key_destroyed=True,
        deleted={"rights.Draft": 1, "rights.Member": 1, "rights.Note": 1},
        files_deleted=1,
        retained=(Retained("rights.Receipt", 1, INVOICE_BASIS.id, INVOICE_BASIS.legal_basis),),
        unlinked={"rights.Reply": 1},
    )
    assert not file_store().exists(note_file)
    assert Receipt.objects.get(member_subject_id=mei.subject_id).total == "9.00"
    clear_key_cache()
    reply.refresh_from_db()
    assert (reply.member_id, reply.text) == (None, "our answer")
    assert not Draft.objects.filter(member_subject_id=mei.subject_id).exists()
    # ... and the bystander keeps everything.
    assert (
        Note.objects.filter(member=other).count(),
        Draft.objects.filter(member_subject_id=other.subject_id).count(),
        Reply.objects.filter(member=other).count(),
    ) == (1, 1, 1)

    # When the erasure is replayed, nothing more is removed or unlinked.
    again = erase_subject(mei.subject_id, reason="rights request 3", actor="staff:officer")
    assert (again.deleted, again.unlinked, again.key_destroyed) == ({}, {}, False)


@isolate_apps("privacy.catalog")
def test_a_second_link_that_cannot_work_is_an_error() -> None:
    class Account(models.Model):
        subject_id = models.UUIDField(default=uuid.uuid4)
        code = models.CharField(max_length=10)
        privacy_subject = "self"

        class Meta:
            app_label = "catalog"

    def linked(
        name: str, person: str, erasure: str | None = None, **fields: models.Field
    ) -> type[models.Model]:
        attrs: dict[str, object] = {
            "__module__": __name__,
            "Meta": type("Meta", (), {"app_label": "catalog"}),
            "subject_id": models.UUIDField(default=uuid.uuid4),
            "privacy_subject": "self",
            "privacy_person": person,
            **fields,
        }
        if erasure is not None:
            attrs["privacy_person_erasure"] = erasure
        return type(name, (models.Model,), attrs)

    good = linked("Good", "owner_subject_id", owner_subject_id=models.UUIDField())
    not_uuid = linked("NotUuid", "owner_code", owner_code=models.CharField(max_length=10))
    missing = linked("Missing", "owner_subject")
    through = linked(
        "Through", "account__code", account=models.ForeignKey(Account, null=True, on_delete=models.SET_NULL)
    )
    unlink_not_null = linked(
        "Fixed", "account__subject_id", "unlink", account=models.ForeignKey(Account, on_delete=models.CASCADE)
    )
    bad_erasure = linked("Odd", "owner_subject_id", "forget", owner_subject_id=models.UUIDField())

    found = personal_data_problems(
        [Account, good, not_uuid, missing, through, unlink_not_null, bad_erasure], sample_policy()
    )

    assert [(message.id, message.msg) for message in found if message.id != "privacy.E101"] == [
        (
            "privacy.E106",
            "catalog.NotUuid.privacy_person does not resolve: catalog.NotUuid.owner_code is not a UUIDField "
            "holding a subject id (path 'owner_code').",
        ),
        (
            "privacy.E106",
            "catalog.Missing.privacy_person does not resolve: catalog.Missing has no field 'owner_subject' "
            "(path 'owner_subject').",
        ),
        (
            "privacy.E106",
            "catalog.Through.privacy_person does not resolve: catalog.Account.code is not a UUIDField "
            "holding a subject id (path 'account__code').",
        ),
        (
            "privacy.E106",
            "catalog.Fixed.privacy_person does not resolve: catalog.Fixed.account cannot be set to NULL, "
            "so erasure cannot unlink (path 'account__subject_id').",
        ),
        (
            "privacy.E106",
            "catalog.Odd.privacy_person does not resolve: catalog.Odd.privacy_person_erasure is 'forget'; "
            "use one of delete, unlink.",
        ),
    ]
    assert all(message.hint == PERSON_HINT for message in found if message.id == "privacy.E106")
