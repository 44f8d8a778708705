"""Models for the vault's tests, in a registry of their own.

They are not in INSTALLED_APPS, so neither migrations nor the catalog see them; the
session fixture `vault_tables` (conftest.py) creates their tables in the test database.
"""

from __future__ import annotations

import uuid

from django.apps.registry import Apps
from django.db import models

from privacy.vault.blind_index import BlindIndexField, normalize_email, normalize_phone
from privacy.vault.fields import (
    EncryptedCharField,
    EncryptedDateField,
    EncryptedJSONField,
    EncryptedTextField,
)
from privacy.vault.file_fields import EncryptedFileField
from privacy.vault.personal_model import PersonalModel

TEST_APPS = Apps()
CONTEXT = "account_registration"


class Customer(PersonalModel):
    privacy_subject = "self"

    subject_id = models.UUIDField(default=uuid.uuid4, unique=True)
    email = EncryptedCharField(max_length=254, category="user.contact.email", context=CONTEXT)
    email_index = BlindIndexField(source="email", normalizer=normalize_email, unique=True)
    name = EncryptedTextField(category="user.name", context=CONTEXT)
    phone = EncryptedCharField(
        max_length=32, null=True, blank=True, category="user.contact.phone_number", context=CONTEXT
    )
    phone_index = BlindIndexField(source="phone", normalizer=normalize_phone)
    birth_date = EncryptedDateField(
        null=True, blank=True, category="user.demographic.date_of_birth", context=CONTEXT
    )
    preferences = EncryptedJSONField(default=dict, blank=True, category="user.behavior", context=CONTEXT)
    notes = EncryptedTextField(blank=True, default="", category="user.content", context=CONTEXT)

    class Meta:
        apps = TEST_APPS
        app_label = "vault_tests"


class Order(PersonalModel):
    privacy_subject = "customer"

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)
    note = EncryptedTextField(blank=True, default="", category="user.content", context="orders")
    model_file = EncryptedFileField(null=True, blank=True, category="user.content", context="orders")

    class Meta:
        apps = TEST_APPS
        app_label = "vault_tests"


class Message(PersonalModel):
    privacy_subject = "order__customer"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, null=True)
    body = EncryptedTextField(category="user.content", context="chat")

    class Meta:
        apps = TEST_APPS
        app_label = "vault_tests"


class Legacy(models.Model):
    """A database-assigned primary key: encrypted fields cannot be bound to it (vault.E002)."""

    privacy_subject = "self"

    subject_id = models.UUIDField(default=uuid.uuid4)
    secret = EncryptedTextField(category="user.content", context=CONTEXT)

    class Meta:
        apps = TEST_APPS
        app_label = "vault_tests"

    def __str__(self) -> str:
        return f"legacy {self.pk}"


TEST_MODELS = (Customer, Order, Message, Legacy)
