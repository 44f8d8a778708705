"""Models that exist only for the rights tests, in their own app registry, under the real declaration.

A member (the subject, "self") with an e-mail and a credential; their notes with an uploaded
file ("member"); a receipt under its own key and the payment-invoice legal hold, naming the
member through `privacy_person`; a draft under its own key that no hold keeps; and a reply
written by staff under its own key, about the member, that erasure keeps and unlinks.
`rights_tables()` creates the tables and makes a catalog over these models, read against
policy/sogaworks.yaml, the current one.
"""

# Models that exist only inside a test need no __str__.

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection, models
from django.test.utils import isolate_apps

from privacy.catalog.declarations import personal
from privacy.catalog.registry import Catalog, using_catalog
from privacy.policy.loader import current_policy
from privacy.vault.fields import EncryptedCharField, EncryptedTextField
from privacy.vault.file_fields import EncryptedFileField
from privacy.vault.personal_model import PersonalModel

CHAT = "live_chat_and_order"

with isolate_apps("privacy.rights") as rights_apps:

    class Member(PersonalModel):
        subject_id = models.UUIDField(default=uuid.uuid4, unique=True)
        email = EncryptedCharField(
            "e-mail", max_length=200, category="user.contact.email", context="account_registration"
        )
        password_hash = personal(
            models.CharField(max_length=128, blank=True),
            category="user.authorization.password",
            context="account_registration",
            erasure="delete_row",
        )

        privacy_subject = "self"

        class Meta:
            app_label = "rights"
            db_table = "rights_test_member"
            verbose_name = "member"

    class Note(PersonalModel):
        member = models.ForeignKey(Member, on_delete=models.CASCADE)
        body = EncryptedTextField("note", category="user.content.private", context=CHAT)
        upload = EncryptedFileField(
            "file", null=True, blank=True, category="user.content.private", context=CHAT
        )
        display_name = EncryptedCharField(
            "file name", max_length=120, blank=True, category="user.content.private", context=CHAT
        )

        privacy_subject = "member"

        class Meta:
            app_label = "rights"
            db_table = "rights_test_note"
            verbose_name = "note"

    class Receipt(PersonalModel):
        subject_id = models.UUIDField(default=uuid.uuid4, unique=True)
        member_subject_id = models.UUIDField(db_index=True)
        total = personal(
            models.CharField("total", max_length=20),
            category="user.behavior.purchase_history",
            context="payment",
            erasure="delete_row",
        )

        privacy_subject = "self"
        privacy_person = "member_subject_id"

        class Meta:
            app_label = "rights"
            db_table = "rights_test_receipt"
            verbose_name = "receipt"

    class Draft(PersonalModel):
        subject_id = models.UUIDField(default=uuid.uuid4, unique=True)
        member_subject_id = models.UUIDField(db_index=True)
        text = EncryptedTextField("draft", category="user.content.private", context=CHAT)

        privacy_subject = "self"
        privacy_person = "member_subject_id"

        class Meta:
            app_label = "rights"
            db_table = "rights_test_draft"
            verbose_name = "draft"

    class Reply(PersonalModel):
        subject_id = models.UUIDField(default=uuid.uuid4, unique=True)
        member = models.ForeignKey(Member, null=True, on_delete=models.SET_NULL)
        text = EncryptedTextField(
            "reply", category="user.content.private", context=CHAT, provided_by_subject=False
        )

        privacy_subject = "self"
        privacy_person = "member__subject_id"
        privacy_person_erasure = "unlink"

        class Meta:
            app_label = "rights"
            db_table = "rights_test_reply"
            verbose_name = "reply"


TEST_MODELS: list[type[models.Model]] = [Member, Note, Receipt, Draft, Reply]


@contextmanager
def rights_tables() -> Iterator[Catalog]:
    with connection.schema_editor() as editor:
        for model in TEST_MODELS:
            editor.create_model(model)
    try:
        with using_catalog(Catalog(rights_apps.get_models(), current_policy())) as catalog:
            yield catalog
    finally:
        with connection.schema_editor() as editor:
            for model in reversed(TEST_MODELS):
                editor.delete_model(model)


@pytest.fixture
def rights_catalog(vault_keys: Path) -> Iterator[Catalog]:
    """The test models' tables and their catalog (import this fixture, and `vault_keys`, in a test module)."""
    with rights_tables() as catalog:
        yield catalog
