"""`manage.py check` refuses undeclared personal fields, categories the declaration does not
list, subject paths that lead nowhere, and legal holds on what erasure makes unreadable;
it warns of categories without a retention rule."""

# Models that exist only inside a test need no __str__.
# ruff: noqa: DJ008

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core import checks
from django.db import models
from django.test.utils import isolate_apps

from privacy.catalog.checks import DECLARE_HINT, SUBJECT_HINT, looks_personal, personal_data_problems
from privacy.catalog.declarations import not_personal, personal
from privacy.catalog.registry import Catalog, declared_fields
from privacy.catalog.tests.isolated_models import TEST_MODELS
from privacy.catalog.tests.sample_declaration import sample_policy


def _ids_and_messages(found: list[checks.CheckMessage]) -> list[tuple[str | None, str]]:
    return [(message.id, message.msg) for message in found]


@isolate_apps("privacy.catalog")
def test_undeclared_personal_looking_fields_are_errors() -> None:
    class Person(models.Model):
        subject_id = models.UUIDField(default=uuid.uuid4)
        email = models.CharField(max_length=200)
        contact = models.EmailField()
        client_ip = models.CharField(max_length=45)
        username = models.CharField(max_length=50)
        description = models.TextField()
        context = models.CharField(max_length=20)

        privacy_subject = "self"

        class Meta:
            app_label = "catalog"

    found = personal_data_problems([Person], sample_policy())

    assert _ids_and_messages(found) == [
        (
            "privacy.E101",
            "catalog.Person.email looks personal (its name contains 'email') but is not declared.",
        ),
        (
            "privacy.E101",
            "catalog.Person.contact looks personal (its type is EmailField) but is not declared.",
        ),
        (
            "privacy.E101",
            "catalog.Person.client_ip looks personal (its name has the word 'ip') but is not declared.",
        ),
        (
            "privacy.E101",
            "catalog.Person.username looks personal (its name contains 'name') but is not declared.",
        ),
    ]
    assert all(message.hint == DECLARE_HINT for message in found)
    assert found[0].obj is Person._meta.get_field("email")
    assert all(message.level == checks.ERROR for message in found)


@isolate_apps("privacy.catalog")
def test_not_personal_silences_the_name_check() -> None:
    class Upload(models.Model):
        filename = not_personal(models.CharField(max_length=100), reason="generated from a hash, never typed")
        file = not_personal(models.FileField(), reason="product renders published by SogaWorks")

        class Meta:
            app_label = "catalog"

    assert personal_data_problems([Upload], sample_policy()) == []


@isolate_apps("privacy.catalog")
def test_apps_outside_the_project_are_not_held_to_the_name_check(tmp_path: Path) -> None:
    class Vendor(models.Model):
        email = models.EmailField()

        class Meta:
            app_label = "catalog"

    assert personal_data_problems([Vendor], sample_policy(), roots=[tmp_path]) == []
    assert len(personal_data_problems([Vendor], sample_policy())) == 1


@pytest.mark.parametrize(
    ("field", "name", "why"),
    [
        (models.CharField(max_length=10), "phone", "its name contains 'phone'"),
        (models.CharField(max_length=10), "date_of_birth", "its name contains 'birth'"),
        (models.CharField(max_length=10), "dob", "its name has the word 'dob'"),
        (models.CharField(max_length=10), "shipping_zip", "its name has the word 'zip'"),
        (models.TextField(), "message_text", "its name contains 'message'"),
        (models.CharField(max_length=10), "iban", "its name has the word 'iban'"),
        (models.CharField(max_length=10), "user_agent", "its name contains 'user_agent'"),
        (models.JSONField(), "attachments", "its name contains 'attachment'"),
        (models.CharField(max_length=10), "description", None),
        (models.CharField(max_length=10), "shipping_method", None),
        (models.CharField(max_length=10), "context", None),
        (models.CharField(max_length=10), "discarded", None),
        (models.IntegerField(), "quantity", None),
        # Numbers, dates and UUIDs are flagged only for what they can hold: a birth date, a number.
        (models.DateField(), "date_of_birth", "its name contains 'birth'"),
        (models.BigIntegerField(), "phone_number", "its name contains 'phone'"),
        (models.DateTimeField(), "uploaded_at", None),
        (models.PositiveIntegerField(), "message_count", None),
        (models.UUIDField(), "attachment_id", None),
        (models.BooleanField(), "has_card", None),
    ],
)
def test_which_fields_look_personal(field: models.Field[Any, Any], name: str, why: str | None) -> None:
    field.set_attributes_from_name(name)
    assert looks_personal(field) == why


@isolate_apps("privacy.catalog")
def test_category_not_listed_for_its_context_is_an_error() -> None:
    class Note(models.Model):
        subject_id = models.UUIDField(default=uuid.uuid4)
        phone = personal(
            models.CharField(max_length=30), category="user.contact.phone_number", context="chat"
        )
        topic = personal(models.CharField(max_length=30), category="user.content", context="support")

        privacy_subject = "self"

        class Meta:
            app_label = "catalog"

    found = personal_data_problems([Note], sample_policy())

    assert _ids_and_messages(found) == [
        (
            "privacy.E102",
            "catalog.Note.phone declares category 'user.contact.phone_number', which the declaration does "
            "not list for context 'chat'.",
        ),
        (
            "privacy.E102",
            "catalog.Note.topic declares context 'support', which the declaration does not define.",
        ),
    ]
    assert found[0].hint == (
        "List it under contexts.chat.categories in the declaration, or declare one of: user.content."
    )
    assert found[1].hint == "Use one of the declaration's contexts: chat, payment, registration."


@isolate_apps("privacy.catalog")
def test_a_listed_parent_category_covers_its_children_but_not_the_reverse() -> None:
    class Post(models.Model):
        subject_id = models.UUIDField(default=uuid.uuid4)
        text = personal(models.TextField(), category="user.content.public", context="chat")
        contact = personal(models.CharField(max_length=30), category="user.contact", context="registration")

        privacy_subject = "self"

        class Meta:
            app_label = "catalog"

    found = personal_data_problems([Post], sample_policy())

    assert [(message.id, message.obj) for message in found] == [
        ("privacy.E102", Post._meta.get_field("contact"))
    ]


@isolate_apps("privacy.catalog")
def test_subject_paths_that_do_not_resolve_are_errors() -> None:
    class Account(models.Model):
        subject_id = models.UUIDField(default=uuid.uuid4)
        privacy_subject = "self"

        class Meta:
            app_label = "catalog"

    class Ticket(models.Model):
        account = models.ForeignKey(Account, on_delete=models.CASCADE)
        summary = personal(models.TextField(), category="user.content", context="chat")

        privacy_subject = "acount"

        class Meta:
            app_label = "catalog"

    class Reply(models.Model):
        ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE)
        body = personal(models.TextField(), category="user.content", context="chat")

        privacy_subject = "ticket"

        class Meta:
            app_label = "catalog"

    class Orphan(models.Model):
        body = personal(models.TextField(), category="user.content", context="chat")
        note = personal(models.TextField(), category="user.content", context="chat")

        class Meta:
            app_label = "catalog"

    class Tagged(models.Model):
        account = models.ForeignKey(Account, on_delete=models.CASCADE)
        privacy_subject = "account__subject_id"

        class Meta:
            app_label = "catalog"

    found = personal_data_problems([Account, Ticket, Reply, Orphan, Tagged], sample_policy())

    assert _ids_and_messages(found) == [
        (
            "privacy.E103",
            "catalog.Ticket.privacy_subject does not resolve: catalog.Ticket has no field 'acount' "
            "(path 'acount').",
        ),
        (
            "privacy.E103",
            "catalog.Reply.privacy_subject does not resolve: path 'ticket' ends at catalog.Ticket, "
            "which has no 'subject_id' field.",
        ),
        (
            "privacy.E103",
            "catalog.Orphan.privacy_subject is missing: the model declares personal fields (body, note) "
            "but not whose data they are.",
        ),
        (
            "privacy.E103",
            "catalog.Tagged.privacy_subject does not resolve: catalog.Account.subject_id is not a "
            "ForeignKey or OneToOneField (path 'account__subject_id').",
        ),
    ]
    assert all(message.hint == SUBJECT_HINT for message in found)
    assert [message.obj for message in found] == [Ticket, Reply, Orphan, Tagged]


@isolate_apps("privacy.catalog")
def test_missing_retention_rule_is_a_warning() -> None:
    class Payer(models.Model):
        subject_id = models.UUIDField(default=uuid.uuid4)
        name = personal(models.CharField(max_length=30), category="user.name", context="payment")

        privacy_subject = "self"

        class Meta:
            app_label = "catalog"

    found = personal_data_problems([Payer], sample_policy())

    assert _ids_and_messages(found) == [
        (
            "privacy.W104",
            "catalog.Payer.name: the declaration has no retention rule for category 'user.name' in context "
            "'payment'.",
        )
    ]
    assert found[0].level == checks.WARNING


@isolate_apps("privacy.catalog")
def test_a_held_field_sealed_under_the_subject_key_is_an_error_and_keeps_nothing() -> None:
    class Receipt(models.Model):
        subject_id = models.UUIDField(default=uuid.uuid4)
        payer = personal(models.CharField(max_length=30), category="user.financial", context="payment")
        card = personal(
            models.CharField(max_length=30),
            category="user.financial.credit_card",
            context="payment",
            not_held="a working copy; the held copy is on the invoice",
        )
        total = personal(
            models.CharField(max_length=30),
            category="user.financial",
            context="payment",
            erasure="delete_row",
        )

        privacy_subject = "self"

        class Meta:
            app_label = "catalog"

    found = personal_data_problems([Receipt], sample_policy())
    catalog = Catalog([Receipt], sample_policy())
    held = {field.name: catalog.held_by(declared) for field, declared in declared_fields(Receipt)}

    assert _ids_and_messages(found) == [
        (
            "privacy.E105",
            "catalog.Receipt.payer is under the legal hold of retention rule 'tax-records' but is "
            "sealed under the subject's key (erasure 'destroy_key'), which erasure destroys: the hold "
            "cannot keep it.",
        )
    ]
    assert {name: rule.id if rule else None for name, rule in held.items()} == {
        "payer": None,  # sealed under the key: the hold cannot keep it
        "card": None,  # not_held
        "total": "tax-records",
    }


def test_the_test_models_pass_every_check() -> None:
    assert personal_data_problems(TEST_MODELS, sample_policy()) == []


def test_without_a_declaration_only_the_declaration_free_checks_run() -> None:
    assert personal_data_problems(TEST_MODELS, None) == []
