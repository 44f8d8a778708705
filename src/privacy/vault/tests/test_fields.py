from __future__ import annotations

import datetime as dt
import pickle
import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.transaction import atomic

from privacy.vault.errors import (
    CiphertextCorrupted,
    EncryptedFieldMisuse,
    MissingPrimaryKey,
    SubjectErased,
    SubjectUnresolved,
    WrongKey,
)
from privacy.vault.fields import Sealed, open_value, seal_value
from privacy.vault.journal import journal_erasure
from privacy.vault.keyring import master_keyring, reset_keyrings
from privacy.vault.keys import clear_key_cache, destroy_subject_key
from privacy.vault.models import SubjectKey
from privacy.vault.personal_model import uuid7
from privacy.vault.tests.models import Customer, Legacy, Message, Order

pytestmark = [pytest.mark.django_db(databases=["default", "keys"]), pytest.mark.usefixtures("vault_tables")]


def _customer(**fields: Any) -> Customer:
    values: dict[str, Any] = {"email": "ann@example.com", "name": "Ann Example"}
    values.update(fields)
    return Customer.objects.create(**values)


def _pk(model: Any, pk: uuid.UUID) -> Any:
    return model._meta.pk.get_db_prep_value(pk, connection)


def _raw(model: Any, column: str, pk: uuid.UUID) -> bytes | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {model._meta.db_table} WHERE id = %s", [_pk(model, pk)])  # noqa: S608
        (value,) = cursor.fetchone()
    return None if value is None else bytes(value)


def _write_raw(model: Any, column: str, pk: uuid.UUID, value: bytes | None) -> None:
    with connection.cursor() as cursor:
        table = model._meta.db_table
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, _pk(model, pk)])  # noqa: S608


def _fresh(model: Any, pk: uuid.UUID) -> Any:
    return model.objects.get(pk=pk)


def test_values_round_trip_through_the_orm() -> None:
    born = dt.date(1990, 5, 17)
    customer = _customer(
        phone="+44 20 7946 0018", birth_date=born, preferences={"lang": "zh-hans", "n": [1, 2]}
    )

    loaded = _fresh(Customer, customer.pk)

    assert loaded.email == "ann@example.com"
    assert loaded.name == "Ann Example"
    assert loaded.phone == "+44 20 7946 0018"
    assert loaded.birth_date == born
    assert loaded.preferences == {"lang": "zh-hans", "n": [1, 2]}
    assert loaded.notes == ""


def test_the_database_holds_only_ciphertext_with_version_and_subject() -> None:
    customer = _customer()

    stored = _raw(Customer, "email", customer.pk)

    assert stored is not None
    assert b"ann@example.com" not in stored
    assert stored[0] == 1
    assert stored[1:17] == customer.subject_id.bytes
    assert len(stored) == 17 + 12 + len("ann@example.com") + 16


def test_none_stays_null_and_the_empty_string_is_encrypted() -> None:
    customer = _customer(notes="")

    assert _raw(Customer, "phone", customer.pk) is None
    assert _raw(Customer, "birth_date", customer.pk) is None
    empty = _raw(Customer, "notes", customer.pk)
    assert empty is not None
    assert len(empty) == 17 + 12 + 16
    loaded = _fresh(Customer, customer.pk)
    assert (loaded.phone, loaded.birth_date, loaded.notes) == (None, None, "")


def test_a_relation_path_names_the_subject() -> None:
    customer = _customer()
    order = Order.objects.create(customer=customer, note="Deliver after 6pm")
    message = Message.objects.create(order=order, body="Is the part ready?")

    assert _raw(Order, "note", order.pk)[1:17] == customer.subject_id.bytes  # type: ignore[index]
    assert _raw(Message, "body", message.pk)[1:17] == customer.subject_id.bytes  # type: ignore[index]
    assert _fresh(Message, message.pk).body == "Is the part ready?"


def test_a_row_without_a_subject_is_refused_and_nothing_is_written() -> None:
    with pytest.raises(SubjectUnresolved, match="'order' of the path 'order__customer' is empty"), atomic():
        Message.objects.create(order=None, body="orphan")
    assert Message.objects.count() == 0


def test_unchanged_values_are_not_encrypted_again() -> None:
    customer = _customer()
    before = _raw(Customer, "email", customer.pk)
    loaded = _fresh(Customer, customer.pk)

    loaded.save()
    assert _raw(Customer, "email", customer.pk) == before
    assert loaded.email == "ann@example.com"  # decrypted now
    loaded.full_clean()  # sets every field to its cleaned, equal value
    loaded.save()
    assert _raw(Customer, "email", customer.pk) == before

    loaded.email = "ann@example.org"
    loaded.save()
    assert _raw(Customer, "email", customer.pk) != before
    assert _fresh(Customer, customer.pk).email == "ann@example.org"


def test_a_json_value_changed_in_place_is_saved() -> None:
    customer = _customer(preferences={"lang": "en"})
    loaded = _fresh(Customer, customer.pk)

    loaded.preferences["lang"] = "zh-hans"
    loaded.save()

    assert _fresh(Customer, customer.pk).preferences == {"lang": "zh-hans"}


def test_a_copy_under_a_new_primary_key_is_sealed_to_it() -> None:
    original = _customer()
    copy = _fresh(Customer, original.pk)
    copy.pk = uuid7()
    copy.subject_id = uuid.uuid4()
    copy.email = "copy@example.com"
    copy._state.adding = True

    copy.save()

    loaded = _fresh(Customer, copy.pk)
    assert (loaded.email, loaded.name) == ("copy@example.com", "Ann Example")
    assert _raw(Customer, "name", copy.pk)[1:17] == copy.subject_id.bytes  # type: ignore[index]
    assert _fresh(Customer, original.pk).name == "Ann Example"


def test_a_value_copied_to_another_row_does_not_open() -> None:
    ann = _customer()
    bob = _customer(email="bob@example.com", name="Bob Example")
    _write_raw(Customer, "name", bob.pk, _raw(Customer, "name", ann.pk))

    with pytest.raises(CiphertextCorrupted, match="moved from another row"):
        _ = _fresh(Customer, bob.pk).name


def test_a_value_copied_to_another_row_of_the_same_subject_does_not_open() -> None:
    customer = _customer()
    first = Order.objects.create(customer=customer, note="first note")
    second = Order.objects.create(customer=customer, note="second note")
    _write_raw(Order, "note", second.pk, _raw(Order, "note", first.pk))

    with pytest.raises(CiphertextCorrupted):
        _ = _fresh(Order, second.pk).note
    assert _fresh(Order, first.pk).note == "first note"


def test_a_value_copied_to_another_column_does_not_open() -> None:
    customer = _customer()
    _write_raw(Customer, "notes", customer.pk, _raw(Customer, "email", customer.pk))

    with pytest.raises(CiphertextCorrupted):
        _ = _fresh(Customer, customer.pk).notes


def test_a_value_relabelled_with_another_subject_does_not_open() -> None:
    ann = _customer()
    bob = _customer(email="bob@example.com")
    stored = _raw(Customer, "email", ann.pk)
    assert stored is not None
    _write_raw(Customer, "email", ann.pk, stored[:1] + bob.subject_id.bytes + stored[17:])

    with pytest.raises(CiphertextCorrupted):
        _ = _fresh(Customer, ann.pk).email


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda b: b[:-1] + bytes([b[-1] ^ 1]), id="flipped-tag-bit"),
        pytest.param(lambda b: b[:30] + bytes([b[30] ^ 0x80]) + b[31:], id="flipped-ciphertext-bit"),
        pytest.param(lambda b: b[:20], id="truncated"),
        pytest.param(lambda b: bytes([9]) + b[1:], id="unknown-version"),
        pytest.param(lambda b: b"", id="empty"),
    ],
)
def test_a_corrupted_value_raises_ciphertext_corrupted(damage: Any) -> None:
    customer = _customer()
    stored = _raw(Customer, "email", customer.pk)
    _write_raw(Customer, "email", customer.pk, damage(stored))

    with pytest.raises(CiphertextCorrupted):
        _ = _fresh(Customer, customer.pk).email


def test_a_wrong_master_key_raises_wrong_key(monkeypatch: pytest.MonkeyPatch) -> None:
    customer = _customer()
    key_id = master_keyring().current.id
    monkeypatch.setenv("PLEDGE_MASTER_KEY", f"{key_id}:{'A' * 43}=")
    reset_keyrings()
    clear_key_cache()

    with pytest.raises(WrongKey, match="does not open with master key"):
        _ = _fresh(Customer, customer.pk).email


def test_a_master_key_missing_from_the_keyring_raises_wrong_key(monkeypatch: pytest.MonkeyPatch) -> None:
    customer = _customer()
    monkeypatch.setenv("PLEDGE_MASTER_KEY", f"other:{'B' * 43}=")
    reset_keyrings()
    clear_key_cache()

    with pytest.raises(WrongKey, match=r"which the keyring .* does not hold"):
        _ = _fresh(Customer, customer.pk).email


def test_a_destroyed_key_raises_subject_erased_even_if_it_was_cached() -> None:
    customer = _customer()
    assert _fresh(Customer, customer.pk).email == "ann@example.com"  # the key is cached now

    assert destroy_subject_key(customer.subject_id) is True

    with pytest.raises(SubjectErased, match=f"subject {customer.subject_id} was erased") as erased:
        _ = _fresh(Customer, customer.pk).email
    assert erased.value.subject_id == customer.subject_id
    assert destroy_subject_key(customer.subject_id) is False  # idempotent


def test_no_new_key_is_made_for_a_journaled_subject() -> None:
    customer = _customer()
    journal_erasure(customer.subject_id, "rights request 1")
    destroy_subject_key(customer.subject_id)
    loaded = Customer(subject_id=customer.subject_id, email="again@example.com", name="Again")

    with pytest.raises(SubjectErased, match="erasure journal lists it"), atomic():
        loaded.save()
    assert not SubjectKey.objects.filter(subject_id=customer.subject_id).exists()


def test_one_key_per_subject_is_stored_wrapped() -> None:
    customer = _customer()
    Order.objects.create(customer=customer, note="x")

    key = SubjectKey.objects.get(subject_id=customer.subject_id)
    assert key.master_key_id == master_keyring().current.id
    assert len(bytes(key.wrapped)) == 12 + 32 + 16


def test_querying_by_an_encrypted_value_is_refused() -> None:
    _customer()

    with pytest.raises(EncryptedFieldMisuse, match="add a BlindIndexField"):
        Customer.objects.filter(email="ann@example.com").count()
    with pytest.raises(EncryptedFieldMisuse, match="lookup 'icontains'"):
        Customer.objects.filter(email__icontains="ann").count()
    with pytest.raises(EncryptedFieldMisuse):
        Customer.objects.filter(birth_date__year=1990).count()
    assert Customer.objects.filter(phone__isnull=True).count() == 1
    assert Customer.objects.filter(phone=None).count() == 1
    assert Customer.objects.exclude(phone=None).count() == 0


def test_queryset_update_is_refused_and_changes_nothing() -> None:
    customer = _customer()

    with pytest.raises(EncryptedFieldMisuse, match=r"not QuerySet\.update"), atomic():
        Customer.objects.filter(pk=customer.pk).update(email="x@example.com")
    assert _fresh(Customer, customer.pk).email == "ann@example.com"


def test_max_length_applies_to_the_plaintext() -> None:
    customer = Customer(email="a" * 250 + "@x.io", name="Long")

    with pytest.raises(ValidationError) as invalid:
        customer.full_clean()
    assert "email" in invalid.value.message_dict
    with pytest.raises(ValidationError, match="more than max_length=254"), atomic():
        customer.save()
    assert Customer.objects.count() == 0


def test_a_row_without_a_primary_key_before_insert_is_refused() -> None:
    (error,) = [e for e in Legacy._meta.get_field("secret").check() if e.id == "vault.E002"]
    assert "primary key is assigned by the database" in error.msg

    with (
        pytest.raises(MissingPrimaryKey, match=r"inherit privacy\.vault\.personal_model\.PersonalModel"),
        atomic(),
    ):
        Legacy.objects.create(secret="x")
    assert Legacy.objects.count() == 0


def test_deferred_fields_load_on_access() -> None:
    customer = _customer()

    loaded = Customer.objects.only("id").get(pk=customer.pk)

    assert loaded.email == "ann@example.com"


def test_values_list_gives_sealed_values_never_plaintext() -> None:
    _customer()

    (value,) = Customer.objects.values_list("email", flat=True)

    assert isinstance(value, Sealed)
    assert repr(value) == "<sealed value>"


def test_a_pickled_instance_carries_ciphertext_not_plaintext() -> None:
    customer = _customer()
    loaded = _fresh(Customer, customer.pk)
    assert loaded.email == "ann@example.com"

    dumped = pickle.dumps(loaded)
    slot = pickle.loads(pickle.dumps(loaded.__dict__["email"]))  # noqa: S301 -- our own bytes

    assert b"ann@example.com" not in dumped
    assert slot.blob == _raw(Customer, "email", customer.pk)
    assert repr(slot) == "<encrypted value>"
    restored = Customer(id=customer.pk)
    restored.__dict__["email"] = slot
    assert restored.email == "ann@example.com"


def test_seal_value_and_open_value_round_trip() -> None:
    customer = _customer()
    from privacy.vault.keys import data_key

    key = data_key(customer.subject_id)
    blob = seal_value(key.aead, customer.subject_id, b"app.model.field:1", b"plain")

    assert open_value(blob, b"app.model.field:1") == b"plain"
    with pytest.raises(CiphertextCorrupted):
        open_value(blob, b"app.model.field:2")


def test_uuid7_has_version_variant_and_time_order() -> None:
    first = uuid7()
    later = [uuid7() for _ in range(50)]

    assert first.version == 7
    assert first.variant == uuid.RFC_4122
    assert abs((first.int >> 80) - dt.datetime.now(dt.UTC).timestamp() * 1000) < 5_000
    assert all(u.int >> 80 >= first.int >> 80 for u in later)
    assert len({first, *later}) == 51
