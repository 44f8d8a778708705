"""Demo quotes and orders for `make run`: small generated STL cubes in several statuses.

DEMO ONLY (refuses to run in production). Everything is made through the real actions, so
the demo data has its OrderEvents and audit events like any other. Idempotent: a customer
who already has orders gets none added.

A customer with an account manager gets a quote waiting for a price, a quoted order, a
placed order and a cancelled quote; one without gets only the quote request (nobody can
price it yet). payments.demo adds a paid order with its invoice.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files import File

from accounts.models import User
from addresses.queries import default_billing_address, default_delivery_address
from orders import actions
from orders.models import Order
from orders.offerings import BY_KEY
from orders.samples import ascii_stl, binary_stl, cube_triangles

# Used when the demo customer has no address book entry yet.
DEMO_ADDRESS = actions.AddressSnapshot(
    consignee_name="Demo Consignee",
    lines=("1 Example Road", "518126 Shenzhen", "China"),
    mobile_phone="+86 138 0013 8000",
)


def stl_upload(name: str, *, size: float = 10.0, binary: bool = False) -> File[bytes]:
    triangles = cube_triangles(size)
    data = binary_stl(triangles) if binary else ascii_stl(triangles, name=name.rsplit(".", 1)[0])
    return File(io.BytesIO(data), name=name)


def _snapshot(customer: User, *, billing: bool) -> actions.AddressSnapshot:
    address = default_billing_address(customer) if billing else default_delivery_address(customer)
    if address is None:
        return DEMO_ADDRESS
    return actions.AddressSnapshot(
        consignee_name=address.consignee_name,
        lines=tuple(address.lines),
        mobile_phone=address.mobile_phone_display,
        address_book_id=address.pk,
    )


def quote(
    customer: User,
    name: str,
    *,
    process: str = "cnc_machining",
    quantity: int = 10,
    size: float = 10.0,
    notes: str = "",
) -> Order:
    offered = BY_KEY[process]
    return actions.request_quote(
        customer=customer,
        process=process,
        material=offered.materials[0],
        finish=offered.finishes[0],
        quantity=quantity,
        notes=notes,
        uploads=[stl_upload(name, size=size, binary=size >= 20)],
    )


def priced(order: Order, manager: User, *, unit_price: str = "12.50", lead_time_days: int = 7) -> Order:
    return actions.price_quote(
        actor=manager,
        order=order,
        unit_price=Decimal(unit_price),
        currency="USD",
        lead_time_days=lead_time_days,
        note="Priced from your files; the finish adds a day.",
    )


def placed(order: Order, customer: User) -> Order:
    return actions.place_order(
        actor=customer,
        order=order,
        delivery=_snapshot(customer, billing=False),
        billing=_snapshot(customer, billing=True),
    )


def create_demo_orders(customers: Iterable[User]) -> list[Order]:
    """Quotes and orders for each demo customer that has none yet; returns the orders made."""
    if getattr(settings, "PRODUCTION", False):
        raise ImproperlyConfigured("Demo orders are never created in production.")
    made: list[Order] = []
    for customer in customers:
        if Order.objects.filter(customer=customer).exists():
            continue
        made.append(
            quote(customer, "enclosure-lid.stl", quantity=25, size=20.0, notes="Please keep the 2 mm wall.")
        )
        manager = customer.account_manager
        if manager is None:
            continue
        made.append(priced(quote(customer, "bracket.stl", process="3d_printing", quantity=5), manager))
        made.append(
            placed(priced(quote(customer, "spacer.stl", quantity=100), manager, unit_price="1.80"), customer)
        )
        cancelled = quote(customer, "old-version.stl", process="sheet_metal", quantity=2)
        made.append(actions.cancel_order(actor=customer, order=cancelled, note="Replaced by a new version."))
    return made
