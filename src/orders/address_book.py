"""The customer's address book as the order pages use it: choices, and the copy an order keeps.

Orders never point at an address-book entry: a customer may edit or delete an entry the
day after ordering, and the order must still say where the parts went. Placing an order
copies the chosen entries (orders.actions.AddressSnapshot) into the order's own record.
"""

from __future__ import annotations

from uuid import UUID

from accounts.models import User
from addresses.models import Address
from addresses.queries import address_of, addresses_of, default_billing_address, default_delivery_address
from orders.actions import AddressSnapshot


def address_choices(customer: User) -> list[tuple[str, str]]:
    """(id, one-line summary) for each entry of the customer's own book."""
    return [
        (str(address.pk), ", ".join([address.consignee_name, *address.lines[:2]]))
        for address in addresses_of(customer)
    ]


def default_choices(customer: User) -> tuple[str | None, str | None]:
    delivery, billing = default_delivery_address(customer), default_billing_address(customer)
    return (str(delivery.pk) if delivery else None, str(billing.pk) if billing else None)


def snapshot_of(customer: User, address_id: UUID | str) -> AddressSnapshot:
    """The copy of one entry of the customer's own book; Address.DoesNotExist for any other id."""
    address: Address = address_of(customer, address_id)
    return AddressSnapshot(
        consignee_name=address.consignee_name,
        lines=tuple(address.lines),
        mobile_phone=address.mobile_phone_display,
        address_book_id=address.pk,
    )
