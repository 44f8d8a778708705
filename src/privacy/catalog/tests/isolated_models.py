"""Models that exist only for the catalog's tests, in their own app registry.

A customer (the subject, "self") with encrypted name, e-mail and phone, a chat thread
("customer"), its encrypted messages ("thread__customer") with file attachments three
hops away, an invoice under a legal hold that carries its own subject_id (and a note the hold does not
need), and a refund under the same hold that points at the customer. `isolated_tables()` creates their tables
and makes a catalog over them alone the current one.
"""

# Models that exist only inside a test need no __str__.

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, models
from django.test.utils import isolate_apps

from privacy.catalog.declarations import not_personal, personal
from privacy.catalog.registry import Catalog, using_catalog
from privacy.catalog.tests.sample_declaration import sample_policy
from privacy.vault.blind_index import BlindIndexField, normalize_email
from privacy.vault.fields import EncryptedCharField, EncryptedTextField
from privacy.vault.file_fields import EncryptedFileField
from privacy.vault.personal_model import PersonalModel

with isolate_apps("privacy.catalog") as isolated_apps:

    class Customer(PersonalModel):
        subject_id = models.UUIDField(default=uuid.uuid4, unique=True)
        name = EncryptedCharField(max_length=100, category="user.name", context="registration")
        email = EncryptedCharField(max_length=200, category="user.contact.email", context="registration")
        email_index = BlindIndexField(source="email", normalizer=normalize_email)
        phone = EncryptedCharField(
            max_length=30, category="user.contact.phone_number", context="registration"
        )
        plan = not_personal(models.CharField(max_length=20, default="basic"), reason="a product tier")

        privacy_subject = "self"

        class Meta:
            app_label = "catalog"
            db_table = "catalog_test_customer"

    class Thread(PersonalModel):
        customer = models.ForeignKey(Customer, on_delete=models.CASCADE)
        opened = models.DateField(auto_now_add=True)

        privacy_subject = "customer"

        class Meta:
            app_label = "catalog"
            db_table = "catalog_test_thread"

    class Message(PersonalModel):
        thread = models.ForeignKey(Thread, on_delete=models.CASCADE)
        body = EncryptedTextField(category="user.content.chat", context="chat")

        privacy_subject = "thread__customer"

        class Meta:
            app_label = "catalog"
            db_table = "catalog_test_message"

    class Attachment(PersonalModel):
        message = models.ForeignKey(Message, on_delete=models.PROTECT)
        upload = EncryptedFileField(category="user.content", context="chat")
        # A plain Django file, not encrypted: erased with its row, and its file deleted.
        preview = personal(
            models.FileField(upload_to="catalog-test/", blank=True),
            category="user.content",
            context="chat",
            erasure="delete_row",
        )

        privacy_subject = "message__thread__customer"

        class Meta:
            app_label = "catalog"
            db_table = "catalog_test_attachment"

    class Invoice(PersonalModel):
        """Kept for tax law after an erasure: its own subject_id, so the account can go without it."""

        subject_id = models.UUIDField(db_index=True)
        billing_name = personal(
            models.CharField(max_length=100),
            category="user.financial",
            context="payment",
            erasure="delete_row",
        )
        total_cents = models.IntegerField()
        delivery_note = personal(
            models.CharField(max_length=200, blank=True),
            category="user.content",
            context="chat",
            erasure="clear",
        )

        privacy_subject = "self"

        class Meta:
            app_label = "catalog"
            db_table = "catalog_test_invoice"

    class Refund(PersonalModel):
        """Kept for tax law too, but through a foreign key: it keeps the customer row with it."""

        customer = models.ForeignKey(Customer, on_delete=models.PROTECT)
        bank_reference = personal(
            models.CharField(max_length=40),
            category="user.financial",
            context="payment",
            erasure="delete_row",
        )

        privacy_subject = "customer"

        class Meta:
            app_label = "catalog"
            db_table = "catalog_test_refund"


TEST_MODELS: list[type[models.Model]] = [Customer, Thread, Message, Attachment, Invoice, Refund]


def catalog_of_test_models() -> Catalog:
    return Catalog(isolated_apps.get_models(), sample_policy())


@contextmanager
def isolated_tables() -> Iterator[Catalog]:
    """Create the test tables on the default database and make their catalog the current one."""
    with connection.schema_editor() as editor:
        for model in TEST_MODELS:
            editor.create_model(model)
    try:
        with using_catalog(catalog_of_test_models()) as catalog:
            yield catalog
    finally:
        with connection.schema_editor() as editor:
            for model in reversed(TEST_MODELS):
                editor.delete_model(model)
