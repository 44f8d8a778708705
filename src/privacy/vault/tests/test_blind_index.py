from __future__ import annotations

import pytest
from django.db import IntegrityError, connection
from django.db.transaction import atomic

from privacy.vault.blind_index import DIGEST_BYTES, blind_index, normalize_email, normalize_phone
from privacy.vault.fields import MISSING
from privacy.vault.tests.models import Customer

pytestmark = [pytest.mark.django_db(databases=["default", "keys"]), pytest.mark.usefixtures("vault_tables")]


def test_an_exact_look_up_finds_the_row_whatever_the_case() -> None:
    ann = Customer.objects.create(email="Ann@Example.com", name="Ann")
    Customer.objects.create(email="bob@example.com", name="Bob")

    found = Customer.objects.get(email_index=blind_index(Customer, "email_index", "  ann@EXAMPLE.com "))

    assert found.pk == ann.pk
    assert not Customer.objects.filter(email_index=blind_index(Customer, "email_index", "nobody@example.com"))


def test_the_index_is_a_truncated_keyed_hash_not_the_value() -> None:
    ann = Customer.objects.create(email="ann@example.com", name="Ann")

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT email_index FROM vault_tests_customer WHERE id = %s",
            [Customer._meta.pk.get_db_prep_value(ann.pk, connection)],  # type: ignore[union-attr]
        )
        (stored,) = cursor.fetchone()

    assert len(bytes(stored)) == DIGEST_BYTES == 16
    assert bytes(stored) == blind_index(Customer, "email_index", "ann@example.com")
    assert b"ann" not in bytes(stored)


def test_the_index_follows_a_change_of_its_source() -> None:
    ann = Customer.objects.create(email="ann@example.com", name="Ann")
    loaded = Customer.objects.get(pk=ann.pk)

    loaded.email = "ann@example.org"
    loaded.save()

    assert not Customer.objects.filter(email_index=blind_index(Customer, "email_index", "ann@example.com"))
    assert (
        Customer.objects.get(email_index=blind_index(Customer, "email_index", "ann@example.org")).pk == ann.pk
    )


def test_an_unchanged_row_keeps_its_index_without_decrypting() -> None:
    ann = Customer.objects.create(email="ann@example.com", name="Ann", phone="+1 555 0100")
    loaded = Customer.objects.get(pk=ann.pk)

    loaded.save()

    assert loaded.__dict__["email"].plaintext is MISSING  # never decrypted
    assert Customer.objects.get(phone_index=blind_index(Customer, "phone_index", "+15550100")).pk == ann.pk


def test_a_null_source_gives_a_null_index() -> None:
    Customer.objects.create(email="ann@example.com", name="Ann", phone=None)

    assert Customer.objects.filter(phone_index__isnull=True).count() == 1


def test_equal_values_in_different_fields_do_not_hash_alike() -> None:
    assert blind_index(Customer, "email_index", "+15550100") != blind_index(
        Customer, "phone_index", "+15550100"
    )


def test_a_unique_index_refuses_the_same_address_in_another_case() -> None:
    Customer.objects.create(email="ann@example.com", name="Ann")

    with pytest.raises(IntegrityError), atomic():
        Customer.objects.create(email="ANN@example.com ", name="Another Ann")
    assert Customer.objects.count() == 1


def test_filtering_an_index_by_the_plain_value_is_refused() -> None:
    with pytest.raises(TypeError, match="filter on blind_index"):
        Customer.objects.filter(email_index="ann@example.com").count()


def test_blind_index_needs_a_blind_index_field() -> None:
    with pytest.raises(TypeError, match="is not a BlindIndexField"):
        blind_index(Customer, "email", "x")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+44 (20) 7946-0018", "+442079460018"),
        (" 020 7946 0018 ", "02079460018"),
        ("+1-555-0100 ext", "+15550100"),
    ],
)
def test_normalize_phone(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


def test_normalize_email() -> None:
    assert normalize_email("  Ｍaria@Example.COM ") == "maria@example.com"
