"""The address book's actions: what is collected (C4), checked with clear messages, kept
encrypted and reachable only by its owner and the staff who look after them (C37)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role
from addresses import actions
from addresses.actions import AddressDetails
from addresses.models import Address
from addresses.queries import addresses_of, addresses_with_phone
from addresses.tests.conftest import MakeUser, audit_events, raw_text

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

HOME = AddressDetails(
    label="Workshop",
    consignee_name="Alice Martin",
    mobile_phone="+44 7400 123456",
    contact_email=" workshop@example.com ",
    other_phone="+44 20 7946 0018",
    country="gb",
    postal_code="sw1a1aa",
    city="London",
    street_line1="10 Example Street",
    street_line2="Unit 4",
)
LAB = AddressDetails(
    consignee_name="Bob Chen",
    mobile_phone="138 0013 8000",
    country="CN",
    postal_code="518126",
    region="Guangdong",
    city="Shenzhen",
    street_line1="88 Demo Avenue",
)


def _messages(problem: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return problem.value.message_dict


@pytest.mark.commitment("C4")
def test_an_address_keeps_what_delivery_needs_normalised(make_user: MakeUser) -> None:
    alice = make_user("alice")

    address = actions.add_address(customer=alice, details=HOME)

    stored = Address.objects.get(pk=address.pk)
    assert AddressDetails.of(stored) == AddressDetails(
        label="Workshop",
        consignee_name="Alice Martin",
        mobile_phone="+447400123456",
        contact_email="workshop@example.com",
        other_phone="+442079460018",
        country="GB",
        postal_code="SW1A 1AA",
        city="London",
        street_line1="10 Example Street",
        street_line2="Unit 4",
    )
    assert stored.lines == ["10 Example Street", "Unit 4", "SW1A 1AA London", "United Kingdom"]
    assert stored.mobile_phone_display == "+44 7400 123456"
    # The first address becomes the default for delivery and for billing.
    assert (stored.is_default_delivery, stored.is_default_billing) == (True, True)
    assert audit_events("addresses.address.added") == [
        {
            "actor": f"subject:{alice.subject_id}",
            "subject": str(alice.subject_id),
            "object": f"addresses.address:{address.pk}",
            "details": {"default_delivery": True, "default_billing": True},
        }
    ]


@pytest.mark.commitment("C4")
def test_a_national_mobile_number_is_read_in_the_address_country(make_user: MakeUser) -> None:
    address = actions.add_address(customer=make_user("bob"), details=LAB)
    assert address.mobile_phone == "+8613800138000"


@pytest.mark.commitment("C4")
@pytest.mark.parametrize(
    ("country", "typed", "stored"),
    [
        ("CN", " 518126 ", "518126"),
        ("US", "94105", "94105"),
        ("US", "941051234", "94105-1234"),
        ("GB", "ec1a 1bb", "EC1A 1BB"),
        ("DE", "10115", "10115"),
        ("FR", "75008", "75008"),
        ("IT", "00184", "00184"),
        ("JP", "1000001", "100-0001"),
        ("CA", "k1a0b1", "K1A 0B1"),
        ("NL", "1012ab", "1012 AB"),
        ("KE", "00100", "00100"),  # no rule for Kenya: the generic one
        ("HK", "", ""),  # Hong Kong has no postal codes
    ],
)
def test_postal_codes_are_stored_in_their_printed_form(
    make_user: MakeUser, country: str, typed: str, stored: str
) -> None:
    details = replace(LAB, country=country, postal_code=typed, mobile_phone="+8613800138000")
    address = actions.add_address(customer=make_user("carol"), details=details)
    assert address.postal_code == stored


@pytest.mark.commitment("C4")
@pytest.mark.parametrize(
    ("country", "typed", "message"),
    [
        ("CN", "51812", "Enter a valid postal code for China: 6 digits, for example 518126."),
        (
            "US",
            "9410",
            "Enter a valid postal code for United States: 5 digits, or ZIP+4 (NNNNN-NNNN), "
            "for example 94105.",
        ),
        ("GB", "12345", "Enter a valid postal code for United Kingdom: a UK postcode, for example SW1A 1AA."),
        ("DE", "1011", "Enter a valid postal code for Germany: 5 digits, for example 10115."),
        ("FR", "7500A", "Enter a valid postal code for France: 5 digits, for example 75008."),
        ("JP", "100-001", "Enter a valid postal code for Japan: 7 digits (NNN-NNNN), for example 100-0001."),
        ("KE", "#1", "Enter a valid postal code: 2 to 10 letters, digits, spaces or hyphens."),
        ("CN", "", "Enter a postal code."),
    ],
)
def test_a_wrong_postal_code_says_the_country_format_and_saves_nothing(
    make_user: MakeUser, country: str, typed: str, message: str
) -> None:
    dora = make_user("dora")
    details = replace(LAB, country=country, postal_code=typed, mobile_phone="+8613800138000")

    with pytest.raises(ValidationError) as problem:
        actions.add_address(customer=dora, details=details)

    assert _messages(problem) == {"postal_code": [message]}
    assert list(addresses_of(dora)) == []
    assert audit_events("addresses.address.added") == []


@pytest.mark.commitment("C4")
@pytest.mark.parametrize(
    ("country", "typed", "message"),
    [
        ("CN", "12345", "Enter a valid phone number with its country code, for example +86 131 2345 6789."),
        (
            "DE",
            "not a number",
            "Enter a valid phone number with its country code, for example +49 1512 3456789.",
        ),
        ("GB", "+44 12", "Enter a valid phone number with its country code, for example +44 7400 123456."),
        (
            "CN",
            "+86 10 6552 9988",
            "This is not a mobile number. Enter a mobile number, so that the courier can reach "
            "the consignee.",
        ),
        ("CN", "", "Enter a mobile phone number, so that the courier can reach the consignee."),
    ],
)
def test_a_wrong_mobile_number_gets_a_message_to_act_on(
    make_user: MakeUser, country: str, typed: str, message: str
) -> None:
    erin = make_user("erin")
    details = replace(LAB, country=country, mobile_phone=typed, postal_code="")
    with pytest.raises(ValidationError) as problem:
        actions.add_address(customer=erin, details=details)
    assert _messages(problem)["mobile_phone"] == [message]
    assert list(addresses_of(erin)) == []


@pytest.mark.commitment("C4")
def test_every_problem_is_reported_at_once(make_user: MakeUser) -> None:
    empty = AddressDetails(
        consignee_name=" ",
        mobile_phone="",
        country="",
        city="",
        street_line1="",
        contact_email="not-an-address",
        other_phone="12",
    )
    with pytest.raises(ValidationError) as problem:
        actions.add_address(customer=make_user("fay"), details=empty)
    assert _messages(problem) == {
        "consignee_name": ["Enter the consignee's name: the person who receives the parcel."],
        "mobile_phone": ["Enter a mobile phone number, so that the courier can reach the consignee."],
        "country": ["Choose a country."],
        "city": ["Enter the city."],
        "street_line1": ["Enter the street address."],
        "other_phone": ["Enter a valid phone number with its country code, for example +86 138 0013 8000."],
        "contact_email": ["Enter a valid e-mail address, such as name@example.com."],
    }


def test_an_unknown_country_code_is_refused(make_user: MakeUser) -> None:
    with pytest.raises(ValidationError) as problem:
        actions.add_address(
            customer=make_user("gus"), details=replace(LAB, country="ZZ", mobile_phone="+8613800138000")
        )
    assert _messages(problem) == {"country": ["Choose a country from the list."]}


def test_update_changes_the_fields_and_audits_their_names_only(make_user: MakeUser) -> None:
    alice = make_user("alice")
    address = actions.add_address(customer=alice, details=HOME)

    updated = actions.update_address(
        customer=alice, address_id=address.pk, details=replace(HOME, city="Manchester", postal_code="M1 1AE")
    )

    assert (Address.objects.get(pk=address.pk).city, updated.postal_code) == ("Manchester", "M1 1AE")
    assert [event["details"] for event in audit_events("addresses.address.updated")] == [
        {"changed": ["city", "postal_code"]}
    ]


def test_an_unchanged_update_writes_nothing(make_user: MakeUser) -> None:
    alice = make_user("alice")
    address = actions.add_address(customer=alice, details=HOME)
    actions.update_address(customer=alice, address_id=address.pk, details=HOME)
    assert audit_events("addresses.address.updated") == []


@pytest.mark.commitment("C4")
def test_a_separate_billing_address_and_one_default_of_each(make_user: MakeUser) -> None:
    alice = make_user("alice")
    home = actions.add_address(customer=alice, details=HOME)
    office = actions.add_address(customer=alice, details=LAB, default_billing=True)

    home.refresh_from_db()
    assert (home.is_default_delivery, home.is_default_billing) == (True, False)
    assert (office.is_default_delivery, office.is_default_billing) == (False, True)

    actions.set_default_address(customer=alice, address_id=office.pk, use="delivery")

    defaults = {a.pk: (a.is_default_delivery, a.is_default_billing) for a in addresses_of(alice)}
    assert defaults == {home.pk: (False, False), office.pk: (True, True)}
    assert [event["details"] for event in audit_events("addresses.address.default_set")] == [
        {"use": "delivery"}
    ]


def test_delete_removes_the_row(make_user: MakeUser) -> None:
    alice = make_user("alice")
    address = actions.add_address(customer=alice, details=HOME)
    actions.delete_address(customer=alice, address_id=address.pk)
    assert not Address.objects.filter(pk=address.pk).exists()
    assert [event["object"] for event in audit_events("addresses.address.deleted")] == [
        f"addresses.address:{address.pk}"
    ]


@pytest.mark.commitment("C37")
def test_another_customers_address_cannot_be_changed_deleted_or_made_default(make_user: MakeUser) -> None:
    alice, mallory = make_user("alice"), make_user("mallory")
    address = actions.add_address(customer=alice, details=HOME)

    with pytest.raises(Address.DoesNotExist):
        actions.update_address(customer=mallory, address_id=address.pk, details=LAB)
    with pytest.raises(Address.DoesNotExist):
        actions.delete_address(customer=mallory, address_id=address.pk)
    with pytest.raises(Address.DoesNotExist):
        actions.set_default_address(customer=mallory, address_id=address.pk, use="billing")

    stored = Address.objects.get(pk=address.pk)
    assert (stored.consignee_name, stored.city, stored.customer_id) == ("Alice Martin", "London", alice.pk)
    assert audit_events("addresses.address.updated") == []
    assert audit_events("addresses.address.deleted") == []
    assert audit_events("addresses.address.default_set") == []


@pytest.mark.commitment("C37")
@pytest.mark.parametrize("role", [Role.SUPPORT_AGENT, Role.ACCOUNT_MANAGER, Role.ADMINISTRATOR])
def test_staff_keep_no_address_book(make_user: MakeUser, role: str) -> None:
    staff = make_user("staffer", role=role)
    with pytest.raises(PermissionDenied):
        actions.add_address(customer=staff, details=HOME)
    assert Address.objects.count() == 0


def test_an_address_book_has_a_limit(make_user: MakeUser) -> None:
    alice = make_user("alice")
    for _ in range(actions.MAX_ADDRESSES):
        actions.add_address(customer=alice, details=HOME)
    with pytest.raises(ValidationError) as problem:
        actions.add_address(customer=alice, details=LAB)
    assert problem.value.messages == [
        "Your address book is full (20 addresses). Delete one you no longer use first."
    ]
    assert addresses_of(alice).count() == 20


@pytest.mark.commitment("C4")
@pytest.mark.commitment("C37")
def test_the_table_holds_no_readable_name_phone_or_address(make_user: MakeUser) -> None:
    actions.add_address(customer=make_user("alice"), details=HOME)
    actions.add_address(customer=make_user("bob"), details=LAB)

    stored = raw_text(Address._meta.db_table)

    for plaintext in (
        "Alice Martin",
        "Workshop",
        "+447400123456",
        "7400123456",
        "workshop@example.com",
        "2079460018",
        "SW1A",
        "London",
        "Example Street",
        "Unit 4",
        "Bob Chen",
        "8613800138000",
        "518126",
        "Guangdong",
        "Shenzhen",
        "Demo Avenue",
    ):
        assert plaintext not in stored, plaintext


@pytest.mark.commitment("C37")
def test_staff_find_a_customer_by_phone_only_among_their_own(make_user: MakeUser) -> None:
    maria = make_user("maria", role=Role.ACCOUNT_MANAGER)
    other_manager = make_user("otto", role=Role.ACCOUNT_MANAGER)
    agent = make_user("sam", role=Role.SUPPORT_AGENT)
    alice = make_user("alice", manager=maria)
    address = actions.add_address(customer=alice, details=HOME)

    # Any spacing of the number finds it, for her own account manager only.
    assert [a.pk for a in actions.find_addresses_by_phone(staff=maria, phone="+44 (0)7400-123 456")] == [
        address.pk
    ]
    assert [a.pk for a in actions.find_addresses_by_phone(staff=maria, phone="+44 7400 123457")] == []
    assert [a.pk for a in addresses_with_phone(maria, "07400123456", country="GB")] == [address.pk]
    assert actions.find_addresses_by_phone(staff=other_manager, phone="+447400123456") == []
    assert actions.find_addresses_by_phone(staff=agent, phone="+447400123456") == []
    with pytest.raises(PermissionDenied):
        actions.find_addresses_by_phone(staff=alice, phone="+447400123456")

    # Each search is audited with who searched and how much was found, never the number.
    events = audit_events("addresses.customer.searched_by_phone")
    assert [(e["actor"], e["details"]) for e in events] == [
        (f"subject:{maria.subject_id}", {"role": "account_manager", "found": 1}),
        (f"subject:{maria.subject_id}", {"role": "account_manager", "found": 0}),
        (f"subject:{other_manager.subject_id}", {"role": "account_manager", "found": 0}),
        (f"subject:{agent.subject_id}", {"role": "support_agent", "found": 0}),
    ]


def test_demo_addresses_are_created_once(make_user: MakeUser) -> None:
    from addresses.demo import create_demo_addresses

    alice, bob = make_user("alice"), make_user("bob")

    first = create_demo_addresses([alice, bob])
    again = create_demo_addresses([alice, bob])

    assert (len(first), again) == (3, [])
    assert [a.label for a in addresses_of(alice)] == ["Workshop", "Accounts office"]
    assert [(a.label, a.is_default_delivery, a.is_default_billing) for a in addresses_of(bob)] == [
        ("Lab", True, True)
    ]
