"""A card payment cut off between the gateway's charge and its record is finished by a resume, once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from orders.models import Status
from orders.tests.factories import audit_actions, placed
from payments import actions
from payments.gateway import Charge
from payments.models import Invoice, Payment, PaymentStatus
from payments.provider import using_gateway
from payments.testgateway import TestGateway

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

NEXT_YEAR = dt.date.today().year + 2


class DiesAfterCharging(TestGateway):
    """Charges, then the process "dies" before the outcome is recorded."""

    __test__ = False
    dies = True

    def charge(self, *, token: str, amount: Decimal, currency: str, idempotency_key: str) -> Charge:
        charge = super().charge(
            token=token, amount=amount, currency=currency, idempotency_key=idempotency_key
        )
        if self.dies:
            raise SystemExit("the web worker was killed")
        return charge


def interrupted_payment(customer: User, manager: User, gateway: DiesAfterCharging, number: str) -> Payment:
    order = placed(customer, manager)
    card = gateway.tokenise_card(number=number, exp_month=4, exp_year=NEXT_YEAR, cvc="123")
    with pytest.raises(SystemExit):
        actions.pay_by_card(actor=customer, order=order, card=card, gateway=gateway)
    payment = Payment.objects.get(order=order)
    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - dt.timedelta(minutes=10))
    gateway.dies = False  # the next process is healthy
    return payment


def test_a_charged_but_unrecorded_payment_is_recorded_once_by_a_resume(customer: User, manager: User) -> None:
    gateway = DiesAfterCharging()
    payment = interrupted_payment(customer, manager, gateway, "4242424242424242")
    assert (payment.status, Invoice.objects.count()) == (PaymentStatus.PENDING, 0)

    first = actions.resume_pending_payments(gateway=gateway)
    # The same gateway instance answers the replayed key with the first charge: one charge in all.
    payment.refresh_from_db()
    assert [item.outcome for item in first] == ["succeeded"]
    assert (payment.status, payment.order.status) == (PaymentStatus.SUCCEEDED, Status.PAID)
    assert len(gateway._charges) == 1
    assert payment.gateway_charge_id == next(iter(gateway._charges))
    assert Invoice.objects.filter(payment=payment).count() == 1
    assert audit_actions()[-2:] == ["payments.payment.succeeded", "payments.invoice.issued"]

    second = actions.resume_pending_payments(gateway=gateway)

    assert second == []
    assert len(gateway._charges) == 1


def test_a_declined_charge_left_pending_is_recorded_as_declined(customer: User, manager: User) -> None:
    gateway = TestGateway()
    order = placed(customer, manager)
    card = gateway.tokenise_card(number="4000000000009995", exp_month=4, exp_year=NEXT_YEAR, cvc="123")
    payment = Payment.objects.create(
        order=order,
        attempt=1,
        method="card",
        amount=order.total,
        currency=order.currency,
        status=PaymentStatus.PENDING,
        card_token=card.token,
        card_brand=card.brand,
        card_last4=card.last4,
        card_exp_month="04",
        card_exp_year=str(NEXT_YEAR),
        created_at=timezone.now() - dt.timedelta(minutes=10),
    )

    resumed = actions.resume_pending_payments(gateway=gateway)

    payment.refresh_from_db()
    order.refresh_from_db()
    assert [item.outcome for item in resumed] == ["declined"]
    assert (payment.status, payment.decline_code, order.status) == (
        "declined",
        "insufficient_funds",
        Status.PLACED,
    )
    assert Invoice.objects.count() == 0


def test_a_payment_still_in_flight_is_left_alone(customer: User, manager: User) -> None:
    gateway = DiesAfterCharging()
    payment = interrupted_payment(customer, manager, gateway, "4242424242424242")
    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now())
    out = StringIO()

    with using_gateway(gateway):
        call_command("payments", "resume", "--minutes", "5", stdout=out)

    payment.refresh_from_db()
    assert out.getvalue() == "0 pending payments resumed\n"
    assert payment.status == PaymentStatus.PENDING
