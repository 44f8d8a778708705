"""Paying for orders: the journey, declines, invoices, refunds; and no card data anywhere (C5, C6, C37)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from addresses.actions import AddressDetails, add_address
from orders.models import Order, Status
from orders.tests.factories import audit_actions, files_under, logged_in, placed, stl_file
from payments import actions
from payments.bank_accounts import BankDetails
from payments.models import Invoice, Payment, PaymentStatus
from payments.testgateway import TestGateway

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

CARD = "4242424242424242"
AMEX = "378282246310005"
AMEX_CVC = "7319"  # four digits: a stray match in a timestamp is impossible to mistake for it
NEXT_YEAR = dt.date.today().year + 2
IBAN = "DE89370400440532013000"
ADDRESS = AddressDetails(
    consignee_name="Grace Hopper",
    mobile_phone="+44 7400 123456",
    country="GB",
    city="London",
    street_line1="10 Downing Lane",
    postal_code="SW1A 2AA",
)


def card_form(number: str = CARD, cvc: str = "123") -> dict[str, str]:
    return {"number": number, "exp_month": "4", "exp_year": str(NEXT_YEAR), "cvc": cvc}


def pay_with(customer: User, order: Order, number: str = CARD, cvc: str = "123") -> Any:
    return logged_in(customer).post(reverse("payments:pay_card", args=[order.pk]), card_form(number, cvc))


@pytest.mark.commitment("C5")
@pytest.mark.commitment("C6")
def test_quote_price_place_pay_and_invoice_through_the_pages(customer: User, manager: User) -> None:
    shopper, staff = logged_in(customer), logged_in(manager)
    address = add_address(customer=customer, details=ADDRESS)

    shopper.post(
        reverse("orders:quote"),
        {
            "process": "cnc_machining",
            "material": "Brass C360",
            "finish": "Polished",
            "quantity": "8",
            "uploads": [stl_file("knob.stl")],
        },
    )
    order = Order.objects.get()
    staff.post(
        reverse("orders:price", args=[order.pk]),
        {"unit_price": "3.75", "currency": "USD", "lead_time_days": "6"},
    )
    shopper.post(
        reverse("orders:place", args=[order.pk]),
        {"delivery_address": str(address.pk), "billing_address": str(address.pk)},
    )
    pay_page = shopper.get(reverse("payments:pay", args=[order.pk]))
    paid = shopper.post(reverse("payments:pay_card", args=[order.pk]), card_form())

    assert pay_page.status_code == 200
    assert "Pay 30.00 USD" in pay_page.content.decode()
    assert paid.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.total) == (Status.PAID, Decimal("30.00"))
    payment = Payment.objects.get()
    assert (
        payment.status,
        payment.amount,
        payment.card_brand,
        payment.card_last4,
        payment.card_exp_month,
        payment.card_exp_year,
    ) == (PaymentStatus.SUCCEEDED, Decimal("30.00"), "visa", "4242", "04", str(NEXT_YEAR))
    assert payment.idempotency_key == f"order-{order.pk}-attempt-1"
    invoice = Invoice.objects.get()
    year = timezone.now().year
    assert (invoice.number, invoice.total, invoice.currency, invoice.quantity, invoice.description) == (
        f"SW-{year}-000001",
        Decimal("30.00"),
        "USD",
        8,
        "CNC machining, Brass C360, Polished",
    )
    assert (invoice.billing_name, invoice.billing_lines) == (
        "Grace Hopper",
        ["10 Downing Lane", "SW1A 2AA London", "United Kingdom"],
    )
    detail = shopper.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert f"Invoice SW-{year}-000001" in detail
    assert "Visa •••• 4242" in detail
    printable = shopper.get(reverse("payments:invoice", args=[invoice.pk])).content.decode()
    assert f"Invoice SW-{year}-000001" in printable
    assert "Grace Hopper" in printable
    assert "Paid in full by card." in printable
    assert [e.to_status for e in order.events.all()] == ["quote_requested", "quoted", "placed", "paid"]
    assert audit_actions() == [
        "addresses.address.added",
        "orders.quote.requested",
        "orders.quote.priced",
        "orders.order.placed",
        "payments.payment.attempted",
        "orders.order.status_changed",
        "payments.payment.succeeded",
        "payments.invoice.issued",
    ]


@pytest.mark.commitment("C5")
@pytest.mark.commitment("C6")
def test_quote_price_place_pay_and_invoice_through_the_api(customer: User, manager: User) -> None:
    shopper, staff = logged_in(customer), logged_in(manager)
    address = add_address(customer=customer, details=ADDRESS)

    created = shopper.post(
        "/api/orders/",
        {
            "process": "sheet_metal",
            "material": "Copper",
            "finish": "Brushed",
            "quantity": "2",
            "files": [stl_file("busbar.stl")],
        },
    )
    order_id = created.json()["id"]
    staff.post(
        f"/api/orders/{order_id}/quote",
        json.dumps({"unit_price": "40.10", "currency": "GBP", "lead_time_days": 12}),
        content_type="application/json",
    )
    shopper.post(
        f"/api/orders/{order_id}/place",
        json.dumps({"delivery_address_id": str(address.pk), "billing_address_id": str(address.pk)}),
        content_type="application/json",
    )
    paid = shopper.post(
        f"/api/payments/orders/{order_id}/card",
        json.dumps({"number": AMEX, "exp_month": 12, "exp_year": NEXT_YEAR, "cvc": AMEX_CVC}),
        content_type="application/json",
    )

    assert paid.status_code == 200, paid.content
    body = paid.json()
    assert (body["status"], body["total"], body["currency"]) == ("paid", "80.20", "GBP")
    assert body["payments"] == [
        {
            "id": body["payments"][0]["id"],
            "attempt": 1,
            "method": "card",
            "status": "succeeded",
            "amount": "80.20",
            "currency": "GBP",
            "card": f"American Express •••• 0005, expires 12/{NEXT_YEAR}",
            "decline_code": "",
        },
    ]
    invoice = shopper.get(f"/api/payments/invoices/{body['invoice_id']}").json()
    assert (invoice["number"], invoice["total"], invoice["billing_name"]) == (
        f"SW-{timezone.now().year}-000001",
        "80.20",
        "Grace Hopper",
    )
    assert AMEX not in paid.content.decode()
    assert AMEX_CVC not in paid.content.decode()


@pytest.mark.commitment("C6")
def test_a_declined_card_gets_a_clear_message_and_the_order_stays_unpaid(
    customer: User, manager: User
) -> None:
    order = placed(customer, manager)
    client = logged_in(customer)

    response = client.post(
        reverse("payments:pay_card", args=[order.pk]), card_form("4000000000009995"), follow=True
    )

    assert "Your payment was declined: The card has insufficient funds." in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.PLACED
    declined = Payment.objects.get()
    assert (declined.status, declined.decline_code, declined.attempt) == ("declined", "insufficient_funds", 1)
    assert Invoice.objects.count() == 0
    assert audit_actions()[-2:] == ["payments.payment.attempted", "payments.payment.declined"]

    client.post(reverse("payments:pay_card", args=[order.pk]), card_form())

    order.refresh_from_db()
    retried = Payment.objects.get(status=PaymentStatus.SUCCEEDED)
    assert (order.status, retried.attempt, retried.idempotency_key) == (
        Status.PAID,
        2,
        f"order-{order.pk}-attempt-2",
    )


@pytest.mark.commitment("C6")
def test_the_card_form_never_shows_the_number_or_code_again(customer: User, manager: User) -> None:
    order = placed(customer, manager)

    response = pay_with(customer, order, number="4242 4242 4242 4242", cvc="98")

    page = response.content.decode()
    assert response.status_code == 422
    assert "4242 4242 4242 4242" not in page
    assert CARD not in page
    assert 'value="98"' not in page
    assert "please type them once more" in page
    assert Payment.objects.count() == 0


def _raw_values(alias: str) -> list[str]:
    """Every value of every row of every table, as text (bytes decoded leniently)."""
    found: list[str] = []
    connection = connections[alias]
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (table names come from the database)
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        found.append(bytes(value).decode("latin-1"))
                    elif value is not None:
                        found.append(str(value))
    return found


@pytest.mark.commitment("C6")
@pytest.mark.commitment("C37")
def test_no_card_number_or_security_code_in_the_database_logs_or_files(
    customer: User, manager: User, media_root: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from weblog.writer import flush_request_log

    caplog.set_level(logging.DEBUG)
    order = placed(customer, manager)
    client = logged_in(customer)

    client.post(reverse("payments:pay_card", args=[order.pk]), card_form(AMEX, "98765"))  # refused: bad code
    client.post(reverse("payments:pay_card", args=[order.pk]), card_form(AMEX, AMEX_CVC))
    flush_request_log()

    order.refresh_from_db()
    assert order.status == Status.PAID
    # Not inside an id: a UUIDv7's third group is "7" and three random hex digits ("-7319-").
    cvc = re.compile(rf"(?<![0-9A-Za-z-])({AMEX_CVC}|98765)(?![0-9A-Za-z-])")
    number = re.compile(r"3782\D?822463\D?10005")
    texts = {
        "default database": _raw_values("default"),
        "key store": _raw_values("keys"),
        "logs": [record.getMessage() for record in caplog.records] + [caplog.text],
        "files": [(media_root / path).read_bytes().decode("latin-1") for path in files_under(media_root)],
    }
    for where, values in texts.items():
        assert not [value for value in values if number.search(value)], where
        assert not [value for value in values if cvc.search(value)], where
    assert any("payments" in value for value in texts["default database"])  # the scan did read the tables


@pytest.mark.commitment("C6")
def test_bank_transfer_details_are_encrypted_and_the_order_is_paid_when_it_arrives(
    customer: User, manager: User, administrator: User
) -> None:
    order = placed(customer, manager)
    client = logged_in(customer)

    response = client.post(
        reverse("payments:pay_bank_transfer", args=[order.pk]),
        {
            "account_holder": "Grace Hopper",
            "account_number": "DE89 3704 0044 0532 0130 00",
            "bank_name": "Commerzbank",
        },
        follow=True,
    )

    page = response.content.decode()
    assert "Waiting for your bank transfer" in page
    assert "•••• 3000" in page
    assert IBAN not in page
    payment = Payment.objects.get()
    assert (payment.status, payment.bank_account_holder, payment.bank_account_number, payment.bank_name) == (
        PaymentStatus.AWAITING_TRANSFER,
        "Grace Hopper",
        IBAN,
        "Commerzbank",
    )
    raw = "\n".join(_raw_values("default"))
    for secret in (IBAN, "DE89 3704", "Grace Hopper", "Commerzbank"):
        assert secret not in raw
    order.refresh_from_db()
    assert order.status == Status.PLACED

    logged_in(administrator).post(reverse("payments:confirm_transfer", args=[payment.pk]))

    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, payment.status, Invoice.objects.get().payment_method) == (
        Status.PAID,
        PaymentStatus.SUCCEEDED,
        "bank_transfer",
    )


def test_an_invalid_iban_is_refused_without_repeating_it(customer: User, manager: User) -> None:
    order = placed(customer, manager)

    response = logged_in(customer).post(
        reverse("payments:pay_bank_transfer", args=[order.pk]),
        {
            "account_holder": "Grace Hopper",
            "account_number": "DE00370400440532013000",
            "bank_name": "Commerzbank",
        },
    )

    assert response.status_code == 422
    assert "This IBAN is not valid; please check it." in response.content.decode()
    assert Payment.objects.count() == 0


def test_invoice_numbers_run_on_within_the_year(customer: User, manager: User, gateway: TestGateway) -> None:
    first, second = placed(customer, manager), placed(customer, manager)

    for order in (first, second):
        card = gateway.tokenise_card(number=CARD, exp_month=1, exp_year=NEXT_YEAR, cvc="123")
        actions.pay_by_card(actor=customer, order=order, card=card)

    year = timezone.now().year
    assert [Invoice.objects.get(order=o).number for o in (first, second)] == [
        f"SW-{year}-000001",
        f"SW-{year}-000002",
    ]
    assert actions.invoice_number(2027, 123) == "SW-2027-000123"


def test_a_second_payment_for_a_paid_order_is_refused(
    customer: User, manager: User, gateway: TestGateway
) -> None:
    order = placed(customer, manager)
    card = gateway.tokenise_card(number=CARD, exp_month=1, exp_year=NEXT_YEAR, cvc="123")
    actions.pay_by_card(actor=customer, order=order, card=card)

    with pytest.raises(actions.PaymentRefused):
        actions.pay_by_card(actor=customer, order=order, card=card)

    assert (Payment.objects.count(), Invoice.objects.count()) == (1, 1)


@pytest.mark.commitment("C37")
def test_only_an_administrator_refunds_and_the_order_is_cancelled_with_it(
    customer: User, manager: User, administrator: User, gateway: TestGateway
) -> None:
    order = placed(customer, manager)
    card = gateway.tokenise_card(number=CARD, exp_month=1, exp_year=NEXT_YEAR, cvc="123")
    payment = actions.pay_by_card(actor=customer, order=order, card=card)

    refused = logged_in(manager).post(reverse("payments:refund", args=[payment.pk]))
    payment.refresh_from_db()
    assert (refused.status_code, payment.status) == (403, PaymentStatus.SUCCEEDED)

    logged_in(administrator).post(
        reverse("payments:refund", args=[payment.pk]), {"reason": "Customer changed design"}
    )

    payment.refresh_from_db()
    order.refresh_from_db()
    assert (payment.status, payment.refunded_amount, order.status) == (
        PaymentStatus.REFUNDED,
        Decimal("50.00"),
        Status.CANCELLED,
    )
    assert order.events.last().note == "Customer changed design"  # type: ignore[union-attr]
    assert payment.gateway_refund_id.startswith("re_")


def test_a_paid_order_is_not_cancelled_without_its_refund(
    customer: User, manager: User, gateway: TestGateway
) -> None:
    order = placed(customer, manager)
    card = gateway.tokenise_card(number=CARD, exp_month=1, exp_year=NEXT_YEAR, cvc="123")
    actions.pay_by_card(actor=customer, order=order, card=card)

    response = logged_in(customer).post(reverse("orders:cancel", args=[order.pk]), follow=True)

    assert (
        "This order is paid: an administrator cancels it by refunding the payment."
        in response.content.decode()
    )
    order.refresh_from_db()
    assert order.status == Status.PAID


@pytest.mark.commitment("C37")
@pytest.mark.parametrize("who", ["other_customer", "other_manager", "support_agent", "privacy_officer"])
def test_payments_and_invoices_are_shown_only_to_those_who_need_them(
    request: pytest.FixtureRequest, customer: User, manager: User, gateway: TestGateway, who: str
) -> None:
    order = placed(customer, manager)
    card = gateway.tokenise_card(number=CARD, exp_month=1, exp_year=NEXT_YEAR, cvc="123")
    actions.pay_by_card(actor=customer, order=order, card=card)
    invoice = Invoice.objects.get()
    client = logged_in(request.getfixturevalue(who))

    responses = [
        client.get(reverse("payments:pay", args=[order.pk])),
        client.post(reverse("payments:pay_card", args=[order.pk]), card_form()),
        client.get(reverse("payments:invoice", args=[invoice.pk])),
        client.get(f"/api/payments/invoices/{invoice.pk}"),
        client.post(
            f"/api/payments/orders/{order.pk}/card",
            json.dumps({"number": CARD, "exp_month": 1, "exp_year": NEXT_YEAR, "cvc": "123"}),
            content_type="application/json",
        ),
    ]

    assert all(response.status_code in (403, 404) for response in responses), [
        r.status_code for r in responses
    ]
    for response in responses:
        body = response.content.decode()
        for secret in (invoice.number, "Ada Consignee", "4242", str(order.pk)):
            assert secret not in body
    assert Payment.objects.count() == 1


def test_the_assigned_manager_and_an_administrator_may_read_the_invoice(
    customer: User, manager: User, administrator: User, gateway: TestGateway
) -> None:
    order = placed(customer, manager)
    card = gateway.tokenise_card(number=CARD, exp_month=1, exp_year=NEXT_YEAR, cvc="123")
    actions.pay_by_card(actor=customer, order=order, card=card)
    invoice = Invoice.objects.get()

    for user in (manager, administrator):
        assert logged_in(user).get(reverse("payments:invoice", args=[invoice.pk])).status_code == 200


def test_bank_details_are_checked(customer: User) -> None:
    from payments.bank_accounts import BankDetailsInvalid, clean_bank_details

    details = clean_bank_details(
        account_holder=" Grace  Hopper ",
        account_number="de89 3704-0044 0532 0130 00",
        bank_name="Commerzbank",
    )

    assert (details.account_holder, details.account_number, details.bank_name) == (
        "Grace Hopper",
        IBAN,
        "Commerzbank",
    )
    assert repr(details) == "BankDetails(<redacted>)"
    assert isinstance(details, BankDetails)
    with pytest.raises(BankDetailsInvalid):
        clean_bank_details(account_holder="G", account_number="12", bank_name="B")


def test_an_order_is_never_paid_without_its_invoice(
    customer: User, manager: User, gateway: TestGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = placed(customer, manager)
    card = gateway.tokenise_card(number=CARD, exp_month=1, exp_year=NEXT_YEAR, cvc="123")

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("invoice numbering failed")

    monkeypatch.setattr(actions, "_issue_invoice", broken)
    with pytest.raises(RuntimeError):
        actions.pay_by_card(actor=customer, order=order, card=card)

    order.refresh_from_db()
    assert (order.status, Invoice.objects.count(), Payment.objects.get().status) == (
        Status.PLACED,
        0,
        PaymentStatus.PENDING,
    )
    assert audit_actions()[-1] == "payments.payment.attempted"  # "paid" and "invoiced" rolled back together
