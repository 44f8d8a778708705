"""The demo data: orders in several statuses made through the real actions, loaded once."""

from __future__ import annotations

import pytest

from accounts.models import Role, User
from orders.demo import create_demo_orders
from orders.models import Order
from orders.tests.factories import make_user
from payments.demo import create_demo_payments
from payments.models import Invoice

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def test_demo_orders_and_payments_are_made_once(customer: User) -> None:
    loner = make_user(Role.CUSTOMER)

    create_demo_orders([customer, loner])
    create_demo_payments([customer, loner])
    create_demo_orders([customer, loner])
    create_demo_payments([customer, loner])

    statuses = sorted(Order.objects.filter(customer=customer).values_list("status", flat=True))
    assert statuses == ["cancelled", "paid", "placed", "quote_requested", "quoted", "shipped"]
    assert list(Order.objects.filter(customer=loner).values_list("status", flat=True)) == ["quote_requested"]
    assert Invoice.objects.count() == 2
    assert all(order.files.get().volume_mm3 in (1000.0, 8000.0) for order in Order.objects.all())
