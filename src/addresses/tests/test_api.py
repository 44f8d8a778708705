"""The address book JSON API: the same actions, messages and owner-only rule as the pages."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Role
from addresses import actions
from addresses.actions import AddressDetails
from addresses.models import Address
from addresses.tests.conftest import LogIn, MakeUser

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

URL = "/api/addresses/"
HOME = AddressDetails(
    label="Workshop",
    consignee_name="Alice Martin",
    mobile_phone="+44 7400 123456",
    country="GB",
    postal_code="SW1A 1AA",
    city="London",
    street_line1="10 Example Street",
)
BODY = {
    "consignee_name": "Bob Chen",
    "mobile_phone": "138 0013 8000",
    "country": "CN",
    "postal_code": "518126",
    "city": "Shenzhen",
    "street_line1": "88 Demo Avenue",
}


@pytest.mark.commitment("C4")
def test_create_and_list(make_user: MakeUser, log_in: LogIn) -> None:
    bob = make_user("bob")
    client = log_in(bob)

    created = client.post(URL, BODY, content_type="application/json")

    assert created.status_code == 201
    data = created.json()
    address = Address.objects.get(customer=bob)
    assert data == {
        "id": str(address.pk),
        "label": "",
        "consignee_name": "Bob Chen",
        "mobile_phone": "+8613800138000",
        "contact_email": "",
        "other_phone": "",
        "country": "CN",
        "postal_code": "518126",
        "region": "",
        "city": "Shenzhen",
        "street_line1": "88 Demo Avenue",
        "street_line2": "",
        "is_default_delivery": True,
        "is_default_billing": True,
        "created_at": data["created_at"],
        "updated_at": data["updated_at"],
    }
    assert client.get(URL).json() == [data]


@pytest.mark.commitment("C4")
def test_field_problems_come_back_as_422_with_the_forms_messages(make_user: MakeUser, log_in: LogIn) -> None:
    bob = make_user("bob")

    response = log_in(bob).post(
        URL,
        {**BODY, "country": "US", "postal_code": "9410", "mobile_phone": "+1 555"},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": "Please correct the fields named.",
        "errors": {
            "mobile_phone": [
                "Enter a valid phone number with its country code, for example +1 201-555-0123."
            ],
            "postal_code": [
                "Enter a valid postal code for United States: 5 digits, or ZIP+4 (NNNNN-NNNN), "
                "for example 94105."
            ],
        },
    }
    assert not Address.objects.filter(customer=bob).exists()


def test_update_and_delete_ones_own(make_user: MakeUser, log_in: LogIn) -> None:
    alice = make_user("alice")
    address = actions.add_address(customer=alice, details=HOME)
    client = log_in(alice)

    updated = client.put(
        f"{URL}{address.pk}", {**BODY, "is_default_billing": False}, content_type="application/json"
    )
    assert updated.status_code == 200
    assert (updated.json()["city"], updated.json()["is_default_billing"]) == ("Shenzhen", False)

    deleted = client.delete(f"{URL}{address.pk}")
    assert deleted.status_code == 204
    assert not Address.objects.filter(pk=address.pk).exists()


@pytest.mark.commitment("C37")
def test_anothers_address_is_a_404_and_nothing_changes(make_user: MakeUser, log_in: LogIn) -> None:
    alice = make_user("alice")
    address = actions.add_address(customer=alice, details=HOME)
    mallory = log_in(make_user("mallory"))

    responses = [
        mallory.put(f"{URL}{address.pk}", BODY, content_type="application/json"),
        mallory.delete(f"{URL}{address.pk}"),
        mallory.post(f"{URL}{address.pk}/default/billing"),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]
    assert [r.json() for r in responses] == [{"detail": "No such address in your address book."}] * 3
    assert mallory.get(URL).json() == []
    stored = Address.objects.get(pk=address.pk)
    assert (stored.customer_id, stored.consignee_name, stored.city) == (alice.pk, "Alice Martin", "London")


@pytest.mark.commitment("C37")
@pytest.mark.parametrize("role", [Role.SUPPORT_AGENT, Role.ACCOUNT_MANAGER, Role.ADMINISTRATOR])
def test_staff_and_strangers_get_no_addresses(make_user: MakeUser, log_in: LogIn, role: str) -> None:
    address = actions.add_address(customer=make_user("alice"), details=HOME)
    staff = log_in(make_user("staffer", role=role))

    for response in (staff.get(URL), Client().get(URL), staff.delete(f"{URL}{address.pk}")):
        assert response.status_code == 401
        assert "Alice" not in response.content.decode()
    assert Address.objects.filter(pk=address.pk).exists()
