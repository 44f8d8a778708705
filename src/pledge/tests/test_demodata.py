"""`pledge demo generate`'s bulk path against the Services' actions: the same plans, the same data.

Two customers are made by the actions and the same two plans (under other usernames) by
the bulk path; then, per catalogued model, every declared field of every row about each
customer is read back (decrypted) and compared, and the vault's own guarantees are
checked on the bulk rows: each encrypted value is sealed under the key of the row's
subject and opens, the blind indexes find the rows, the files decrypt to what was
uploaded, the audit chain verifies and the system checks pass.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter
from typing import Any
from uuid import UUID

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import User
from addresses.models import Address
from pledge.demodata import bulk
from pledge.demodata.bulk import build_batch
from pledge.demodata.generate import ensure_log_day_keys, ensure_staff, generation_now
from pledge.demodata.plan import DEMO_PASSWORD, CustomerPlan, customer_plan
from pledge.demodata.rows import TABLE_ORDER, Builder, model_fields
from pledge.demodata.through_actions import carry_out
from pledge.demodata.writer import write_batch
from privacy.api import blind_index
from privacy.audit.models import AuditEvent
from privacy.audit.queries import verify_chain
from privacy.catalog.registry import declared_fields, rows_about_subject
from privacy.vault.crypto import open_
from privacy.vault.fields import HEADER_BYTES, EncryptedField, _Slot
from privacy.vault.file_fields import EncryptedFileField
from privacy.vault.files import EncryptedFile, MemoryFileStore, using_file_store
from privacy.vault.subjects import subject_id_of

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

RANDOM_BY_DESIGN = {("payments.Payment", "card_token"), ("consent.ConsentRecord", "visitor_id")}


def _renamed(plan: CustomerPlan, prefix: str) -> CustomerPlan:
    username = f"{prefix}{plan.username}"
    return dataclasses.replace(
        plan,
        username=username,
        email=f"{username}@example.com",
        addresses=tuple(
            dataclasses.replace(a, contact_email=f"{username}@example.com" if a.contact_email else "")
            for a in plan.addresses
        ),
        ticket=(*plan.ticket[:3], f"{username}@example.com", plan.ticket[4]),
    )


def _normal(value: Any, username: str) -> Any:
    if isinstance(value, EncryptedFile):
        return ("file", hashlib.sha256(b"".join(value.chunks())).hexdigest(), value.size)
    if isinstance(value, str):
        return value.replace(username, "<username>")
    if isinstance(value, dict):
        return tuple(sorted(value.items()))
    return value


def _snapshot(user: User) -> dict[str, list[tuple[Any, ...]]]:
    """Per model, every row about the subject as its declared values, sorted (row order is not data)."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    for model, rows in rows_about_subject(user.subject_id):
        label = model._meta.label
        values = []
        for row in rows:
            item = []
            for field, _declared in declared_fields(model):
                value = getattr(row, field.name)
                if field.name == "password":
                    value = row.check_password(DEMO_PASSWORD)
                elif (label, field.name) in RANDOM_BY_DESIGN:
                    value = type(value).__name__
                item.append((field.name, _normal(value, user.username)))
            values.append(tuple(item))
        found[label] = sorted(values, key=repr)
    return found


def _sealed_right(user: User) -> int:
    """Every encrypted value of every row about the subject names the row's subject and opens; how many."""
    checked = 0
    for model, rows in rows_about_subject(user.subject_id):
        for row in rows:
            for field in model._meta.concrete_fields:
                if isinstance(field, EncryptedField):
                    slot = row.__dict__.get(field.attname)
                    if slot is None:
                        continue
                    assert isinstance(slot, _Slot)
                    assert slot.blob is not None
                    assert UUID(bytes=slot.blob[1:HEADER_BYTES]) == subject_id_of(row), (model, field.name)
                    getattr(row, field.name)  # opens, or raises
                    checked += 1
                elif isinstance(field, EncryptedFileField) and getattr(row, field.name) is not None:
                    b"".join(getattr(row, field.name).chunks())
                    checked += 1
    return checked


def _audit(user: User) -> Counter[str]:
    return Counter(AuditEvent.objects.filter(subject=str(user.subject_id)).values_list("action", flat=True))


def test_bulk_path_writes_what_the_actions_write(settings: Any) -> None:
    # given two customer plans, carried out once by the actions and once by the bulk path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    now = generation_now()
    with using_file_store(MemoryFileStore()):
        staff = ensure_staff(2)
        managers = [User.objects.get(pk=pk) for pk, _sid in staff.managers]
        agent, admin = User.objects.get(pk=staff.agent[0]), User.objects.get(pk=staff.admin[0])
        plans = [customer_plan(seed=7, index=n, managers=len(managers), now=now) for n in range(2)]
        by_actions = [
            carry_out(_renamed(plan, "a"), managers=managers, agent=agent, admin=admin) for plan in plans
        ]
        bulk_plans = [_renamed(plan, "b") for plan in plans]
        # when
        written = write_batch(build_batch(bulk_plans, staff, bulk_plans[0].username))
        rewritten = write_batch(build_batch(bulk_plans, staff, bulk_plans[0].username))

        # then the batch is written once
        assert (written, rewritten) == (True, False)
        for plan, reference in zip(bulk_plans, by_actions, strict=True):
            bulk = User.objects.find(plan.username)
            assert bulk is not None
            # the blind indexes find the account, by name and by address, and the address book by phone
            assert User.objects.find(plan.email.upper()) == bulk
            phone = plan.addresses[0].mobile_phone
            by_phone = Address.objects.filter(
                mobile_phone_index=blind_index(Address, "mobile_phone_index", phone)
            )
            assert set(by_phone.values_list("customer_id", flat=True)) == {reference.pk, bulk.pk}
            # the same models hold rows about each, with the same declared values, files included
            expected, actual = _snapshot(reference), _snapshot(bulk)
            assert sorted(actual) == sorted(expected)
            assert set(expected) >= {
                "accounts.User",
                "addresses.Address",
                "orders.Order",
                "orders.ModelFile",
                "orders.OrderAddress",
                "payments.Payment",
                "payments.Invoice",
                "chat.Message",
                "support.Ticket",
                "weblog.RequestLog",
                "consent.ConsentRecord",
            }
            assert len(actual["weblog.RequestLog"]) == len(plan.logs)
            for label in expected:
                assert actual[label] == expected[label], label
            # every encrypted value is sealed under its row's subject's key and opens
            assert _sealed_right(bulk) == _sealed_right(reference) > 100
            # the audit trail tells the same story
            assert _audit(bulk) == _audit(reference)
        assert verify_chain().ok
        call_command("check", fail_level="WARNING")


def test_plans_depend_on_seed_and_number_only() -> None:
    now = generation_now()
    first = customer_plan(seed=3, index=42, managers=5, now=now)
    again = customer_plan(seed=3, index=42, managers=5, now=now)
    other = customer_plan(seed=4, index=42, managers=5, now=now)
    assert first == again
    assert first != other
    assert first.username == "c3-0000042"
    assert 30 <= len(first.messages) <= 50
    assert 80 <= len(first.logs) <= 120
    assert 4 <= len(first.orders) <= 8


def _adapted(value: Any) -> Any:
    """A driver's wrapper (psycopg's Jsonb) compares by what it wraps."""
    return type(value).__name__, getattr(value, "obj", value)


def test_bulk_columns_are_what_django_would_insert(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # given the bulk path's fast converters, checked column by column against Django's own
    # pre_save + get_db_prep_save on every instance of two customers
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    checked: Counter[str] = Counter()

    class CheckingBuilder(Builder):
        def row(self, obj: Any) -> tuple[Any, ...]:
            values = super().row(obj)
            fields = model_fields(type(obj))
            assert len(values) == len(fields)
            for f, value in zip(fields, values, strict=True):
                if isinstance(f, EncryptedFileField):
                    assert EncryptedFile.from_column(value).size == len(getattr(obj, f.attname)), f
                elif isinstance(f, EncryptedField):
                    if value is None:
                        assert getattr(obj, f.name) is None, f
                        continue
                    subject = subject_id_of(obj)
                    assert UUID(bytes=value[1:HEADER_BYTES]) == subject
                    key = self.held[subject].aead
                    opened = open_(key, value[:HEADER_BYTES] + f.aad_label(obj.pk), value[HEADER_BYTES:])
                    assert f.decode(opened) == f.to_python(getattr(obj, f.name)), f
                else:
                    expected = f.get_db_prep_save(f.pre_save(obj, True), connection=connection)
                    assert _adapted(value) == _adapted(expected), (f, value, expected)
                checked[obj._meta.label] += 1
            return values

    monkeypatch.setattr(bulk, "Builder", CheckingBuilder)
    now = generation_now()
    # when
    with using_file_store(MemoryFileStore()):
        staff = ensure_staff(2)
        ensure_log_day_keys(now)
        plans = [customer_plan(seed=11, index=n, managers=len(staff.managers), now=now) for n in range(2)]
        batch = bulk.build_batch(plans, staff, plans[0].username)
    # then every table the bulk path writes was checked
    assert set(checked) == {model._meta.label for model in TABLE_ORDER}
    assert sum(len(rows) for rows in batch.rows.values()) > 400
    assert len(batch.events) == sum(1 for e in batch.events if e[6] is not None) + len(batch.invoices)
