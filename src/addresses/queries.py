"""Whose addresses who may see (commitment C37).

A customer sees their own address book and nothing else; staff see addresses only of the
customers that accounts.queries.customers_visible_to() gives them (an account manager their
own customers, the privacy officer and administrators all), and a support agent none: the
support desk works from the contact details given with each ticket, not the address book.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from accounts.queries import customers_visible_to, is_customer
from addresses.models import Address
from addresses.validators import normalize_phone_number
from privacy.api import blind_index


def addresses_of(customer: Any) -> QuerySet[Address]:
    """The customer's own address book; empty for anyone who is not an active customer."""
    if not is_customer(customer):
        return Address.objects.none()
    return Address.objects.filter(customer_id=customer.pk)


def address_of(customer: Any, address_id: UUID | str) -> Address:
    """One address of the customer's own; Address.DoesNotExist for any other id, whoever owns it."""
    return addresses_of(customer).get(pk=address_id)


def default_delivery_address(customer: Any) -> Address | None:
    return addresses_of(customer).filter(is_default_delivery=True).first()


def default_billing_address(customer: Any) -> Address | None:
    return addresses_of(customer).filter(is_default_billing=True).first()


def addresses_visible_to(user: Any) -> QuerySet[Address]:
    """Addresses of the customers `user` may see (their own, for a customer)."""
    return Address.objects.filter(customer__in=customers_visible_to(user))


def addresses_with_phone(user: Any, phone: str, *, country: str | None = None) -> QuerySet[Address]:
    """Addresses whose mobile phone is `phone` (any spacing), among those `user` may see.

    Empty when the number is not a valid phone number: nothing is hashed for a look-up that
    cannot match.
    """
    try:
        e164 = normalize_phone_number(phone, country=country)
    except ValidationError:
        return Address.objects.none()
    digest = blind_index(Address, "mobile_phone_index", e164)
    return addresses_visible_to(user).filter(mobile_phone_index=digest).select_related("customer")
