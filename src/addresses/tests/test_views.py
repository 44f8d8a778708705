"""The address book pages: the owner's addresses only (C37), clear messages (C4)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from addresses import actions
from addresses.actions import AddressDetails
from addresses.models import Address
from addresses.tests.conftest import LogIn, MakeUser, audit_events

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

HOME = AddressDetails(
    label="Workshop",
    consignee_name="Alice Martin",
    mobile_phone="+44 7400 123456",
    country="GB",
    postal_code="SW1A 1AA",
    city="London",
    street_line1="10 Example Street",
)
FORM = {
    "label": "Lab",
    "consignee_name": "Bob Chen",
    "mobile_phone": "138 0013 8000",
    "other_phone": "",
    "contact_email": "",
    "country": "CN",
    "street_line1": "88 Demo Avenue",
    "street_line2": "",
    "city": "Shenzhen",
    "region": "Guangdong",
    "postal_code": "518126",
}


@pytest.mark.commitment("C4")
def test_the_empty_address_book_invites_a_first_address(make_user: MakeUser, log_in: LogIn) -> None:
    response = log_in(make_user("bob")).get(reverse("addresses:list"))
    assert response.status_code == 200
    assert "No addresses yet" in response.content.decode()
    assert reverse("addresses:add") in response.content.decode()


@pytest.mark.commitment("C4")
def test_adding_an_address_through_the_form(make_user: MakeUser, log_in: LogIn) -> None:
    bob = make_user("bob")
    client = log_in(bob)

    response = client.post(reverse("addresses:add"), FORM, follow=True)

    assert response.redirect_chain == [(reverse("addresses:list"), 302)]
    address = Address.objects.get(customer=bob)
    assert (address.consignee_name, address.mobile_phone, address.postal_code) == (
        "Bob Chen",
        "+8613800138000",
        "518126",
    )
    page = response.content.decode()
    assert "Address added." in page
    assert "Bob Chen" in page
    assert "+86 138 0013 8000" in page
    assert "Default delivery" in page


@pytest.mark.commitment("C4")
def test_the_form_shows_each_problem_beside_its_field(make_user: MakeUser, log_in: LogIn) -> None:
    bob = make_user("bob")

    response = log_in(bob).post(
        reverse("addresses:add"), {**FORM, "mobile_phone": "12345", "postal_code": "5181"}
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {
        "mobile_phone": ["Enter a valid phone number with its country code, for example +86 131 2345 6789."],
        "postal_code": ["Enter a valid postal code for China: 6 digits, for example 518126."],
    }
    page = response.content.decode()
    assert "Enter a valid postal code for China: 6 digits, for example 518126." in page
    assert not Address.objects.filter(customer=bob).exists()


def test_the_edit_form_shows_the_address_and_saves_it(make_user: MakeUser, log_in: LogIn) -> None:
    alice = make_user("alice")
    address = actions.add_address(customer=alice, details=HOME)
    client = log_in(alice)

    page = client.get(reverse("addresses:edit", args=[address.pk]))
    assert page.context["form"].initial["mobile_phone"] == "+44 7400 123456"

    response = client.post(
        reverse("addresses:edit", args=[address.pk]),
        {
            **FORM,
            "country": "GB",
            "mobile_phone": "+44 7400 123456",
            "postal_code": "m11ae",
            "city": "Manchester",
            "default_delivery": "on",
            "default_billing": "on",
        },
    )
    assert response.status_code == 302
    address.refresh_from_db()
    assert (address.city, address.postal_code) == ("Manchester", "M1 1AE")


def test_delete_asks_first_then_deletes_on_post(make_user: MakeUser, log_in: LogIn) -> None:
    alice = make_user("alice")
    address = actions.add_address(customer=alice, details=HOME)
    client = log_in(alice)

    confirm = client.get(reverse("addresses:delete", args=[address.pk]))
    assert confirm.status_code == 200
    assert "Delete this address?" in confirm.content.decode()
    assert Address.objects.filter(pk=address.pk).exists()

    done = client.post(reverse("addresses:delete", args=[address.pk]))
    assert done.status_code == 302
    assert not Address.objects.filter(pk=address.pk).exists()


def test_set_default_is_a_post(make_user: MakeUser, log_in: LogIn) -> None:
    alice = make_user("alice")
    actions.add_address(customer=alice, details=HOME)
    second = actions.add_address(customer=alice, details=replace(HOME, label="Two"))
    client = log_in(alice)
    url = reverse("addresses:set_default", args=[second.pk, "billing"])

    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    second.refresh_from_db()
    assert second.is_default_billing is True
    assert client.post(reverse("addresses:set_default", args=[second.pk, "shipping"])).status_code == 404


@pytest.mark.commitment("C37")
def test_the_list_shows_only_ones_own_addresses(make_user: MakeUser, log_in: LogIn) -> None:
    actions.add_address(customer=make_user("alice"), details=HOME)
    bob = make_user("bob")
    log_in(bob).post(reverse("addresses:add"), FORM)

    page = log_in(bob).get(reverse("addresses:list")).content.decode()

    assert "Bob Chen" in page
    assert "Alice Martin" not in page
    assert "Example Street" not in page


@pytest.mark.commitment("C37")
@pytest.mark.parametrize(
    ("name", "method"),
    [("edit", "get"), ("edit", "post"), ("delete", "get"), ("delete", "post"), ("set_default", "post")],
)
def test_a_guessed_id_of_anothers_address_is_a_404_and_changes_nothing(
    make_user: MakeUser, log_in: LogIn, name: str, method: str
) -> None:
    alice = make_user("alice")
    address = actions.add_address(customer=alice, details=HOME)
    actions.add_address(customer=alice, details=replace(HOME, label="Two"))
    mallory = log_in(make_user("mallory"))
    args = [address.pk, "delivery"] if name == "set_default" else [address.pk]

    response = getattr(mallory, method)(reverse(f"addresses:{name}", args=args), FORM)

    assert response.status_code == 404
    body = response.content.decode()
    for secret in ("Alice Martin", "Workshop", "Example Street", "London", "7400"):
        assert secret not in body
    stored = Address.objects.get(pk=address.pk)
    assert (stored.customer_id, stored.consignee_name, stored.city) == (alice.pk, "Alice Martin", "London")
    assert audit_events("addresses.address.updated") == []
    assert audit_events("addresses.address.deleted") == []
    assert audit_events("addresses.address.default_set") == []


@pytest.mark.commitment("C37")
@pytest.mark.parametrize("role", [Role.SUPPORT_AGENT, Role.ACCOUNT_MANAGER, Role.PRIVACY_OFFICER])
def test_staff_cannot_open_customer_address_pages(make_user: MakeUser, log_in: LogIn, role: str) -> None:
    address = actions.add_address(customer=make_user("alice"), details=HOME)
    staff = log_in(make_user("staffer", role=role))

    for url in (reverse("addresses:list"), reverse("addresses:edit", args=[address.pk])):
        response = staff.get(url)
        assert response.status_code == 403
        assert "Alice Martin" not in response.content.decode()


def test_logged_out_visitors_are_asked_to_log_in(client: Client) -> None:
    response = client.get(reverse("addresses:list"))
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


@pytest.mark.commitment("C37")
def test_an_account_manager_finds_their_customer_by_phone(make_user: MakeUser, log_in: LogIn) -> None:
    maria = make_user("maria", role=Role.ACCOUNT_MANAGER)
    actions.add_address(customer=make_user("alice", manager=maria), details=HOME)
    actions.add_address(customer=make_user("zoe"), details=replace(HOME, consignee_name="Zoe Other"))
    url = reverse("addresses:staff_search")

    page = log_in(maria).get(url, {"phone": "+44 7400 123456"}).content.decode()

    assert "Alice Martin" in page
    assert "Zoe Other" not in page  # the same number, but not her customer
    agent_page = log_in(make_user("sam", role=Role.SUPPORT_AGENT)).get(url, {"phone": "+44 7400 123456"})
    assert agent_page.status_code == 403
