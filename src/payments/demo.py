"""A demo paid order with its invoice, and one already shipped, for `make run`.

DEMO ONLY. Paid through the configured gateway with the test card 4242 4242 4242 4242 (the
test gateway's "succeeds" card); refuses to run in production, where the gateway is real.
Idempotent: a customer who already has an invoice gets nothing more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from accounts.models import User
from orders import actions as order_actions
from orders import demo as order_demo
from orders.models import Order, Status
from payments import actions
from payments.models import Invoice
from payments.provider import payment_gateway

TEST_CARD = "4242424242424242"


def _pay(order: Order, customer: User) -> None:
    card = payment_gateway().tokenise_card(
        number=TEST_CARD, exp_month=12, exp_year=dt.date.today().year + 3, cvc="123"
    )
    actions.pay_by_card(actor=customer, order=order, card=card)


def create_demo_payments(customers: Iterable[User]) -> list[Invoice]:
    """For each customer with an account manager and no invoice yet: a paid order and a shipped one."""
    if getattr(settings, "PRODUCTION", False):
        raise ImproperlyConfigured("Demo payments are never created in production.")
    issued: list[Invoice] = []
    for customer in customers:
        manager = customer.account_manager
        if manager is None or Invoice.objects.filter(order__customer=customer).exists():
            continue
        paid = order_demo.quote(customer, "gear-housing.stl", quantity=12, size=20.0)
        paid = order_demo.placed(
            order_demo.priced(paid, manager, unit_price="48.00", lead_time_days=9), customer
        )
        _pay(paid, customer)
        shipped = order_demo.quote(customer, "mount-plate.stl", process="sheet_metal", quantity=40)
        shipped = order_demo.placed(order_demo.priced(shipped, manager, unit_price="6.25"), customer)
        _pay(shipped, customer)
        order_actions.advance_order(actor=manager, order=shipped, to=Status.IN_PRODUCTION)
        order_actions.advance_order(
            actor=manager, order=shipped, to=Status.SHIPPED, note="Tracking SF1234567890"
        )
        issued.extend(Invoice.objects.filter(order__in=[paid, shipped]).order_by("sequence"))
    return issued
