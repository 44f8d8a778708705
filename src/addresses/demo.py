"""Demo addresses for `make run`: one or two for each demo customer.

DEMO ONLY: made-up people and places (the phone numbers are each country's example
numbers). Idempotent: a customer who already has an address is left as they are.
Created through the actions, so the demo goes through the same checks and audit trail.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from addresses.actions import AddressDetails, add_address
from addresses.models import Address
from addresses.queries import addresses_of

# (details, default for delivery, default for billing), in turn for each customer.
DEMO_BOOKS: tuple[tuple[tuple[AddressDetails, bool, bool], ...], ...] = (
    (
        (
            AddressDetails(
                label="Workshop",
                consignee_name="Alice Martin",
                mobile_phone="+44 7400 123456",
                contact_email="workshop@example.com",
                country="GB",
                postal_code="SW1A 1AA",
                city="London",
                street_line1="10 Example Street",
                street_line2="Unit 4",
            ),
            True,
            False,
        ),
        (
            AddressDetails(
                label="Accounts office",
                consignee_name="Alice Martin",
                mobile_phone="+44 7400 123457",
                country="GB",
                postal_code="EC1A 1BB",
                city="London",
                street_line1="1 Sample Road",
            ),
            False,
            True,
        ),
    ),
    (
        (
            AddressDetails(
                label="Lab",
                consignee_name="Bob Chen",
                mobile_phone="+86 138 0013 8000",
                country="CN",
                postal_code="518126",
                region="Guangdong",
                city="Shenzhen",
                street_line1="88 Demo Avenue, Bao'an District",
            ),
            True,
            True,
        ),
    ),
)


def create_demo_addresses(customers: Iterable[Any]) -> list[Address]:
    """Give each customer without addresses a demo address book; returns the addresses created."""
    if getattr(settings, "PRODUCTION", False):
        raise ImproperlyConfigured("Demo addresses are never created in production.")
    created: list[Address] = []
    for index, customer in enumerate(customers):
        if addresses_of(customer).exists():
            continue
        for details, default_delivery, default_billing in DEMO_BOOKS[index % len(DEMO_BOOKS)]:
            created.append(
                add_address(
                    customer=customer,
                    details=details,
                    default_delivery=default_delivery,
                    default_billing=default_billing,
                )
            )
    return created
