"""Every change to an address book: add, update, delete, choose the defaults, and a staff look-up.

Each action is keyword-only, runs in one transaction and writes its audit event inside it.
An action finds the address among the customer's own (addresses.queries.address_of), so a
guessed id of someone else's address raises Address.DoesNotExist before anything is read
or written; the HTML views and the JSON API turn that into a 404.

Input is checked here, not only in the form, so that the API gets the same rules and the
same messages: a ValidationError whose error_dict maps each field to what is wrong with it.
Audit events carry ids and which fields changed, never a value.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Literal
from uuid import UUID

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.actions import audit_actor
from accounts.queries import is_customer, is_staff_member
from addresses.models import Address
from addresses.queries import addresses_of, addresses_with_phone
from addresses.validators import (
    normalize_email_address,
    normalize_phone_number,
    normalize_postal_code,
    validate_country,
)
from privacy.api import audit_action, record_event

ADDRESS_ADDED = audit_action("addresses.address.added", "A customer added an address to their address book.")
ADDRESS_UPDATED = audit_action(
    "addresses.address.updated", "A customer changed an address in their address book."
)
ADDRESS_DELETED = audit_action(
    "addresses.address.deleted", "A customer deleted an address from their address book."
)
DEFAULT_SET = audit_action(
    "addresses.address.default_set", "A customer chose their default delivery or billing address."
)
SEARCHED_BY_PHONE = audit_action(
    "addresses.customer.searched_by_phone", "A staff member looked up customers by mobile phone number."
)

MAX_ADDRESSES = 20

AddressUse = Literal["delivery", "billing"]
USES: tuple[AddressUse, ...] = ("delivery", "billing")

# Field limits, in characters of the plaintext (the models' max_length).
_LIMITS = {
    "label": 40,
    "consignee_name": 120,
    "contact_email": 254,
    "region": 100,
    "city": 100,
    "street_line1": 200,
    "street_line2": 200,
}
_REQUIRED = {
    "consignee_name": "Enter the consignee's name: the person who receives the parcel.",
    "mobile_phone": "Enter a mobile phone number, so that the courier can reach the consignee.",
    "country": "Choose a country.",
    "city": "Enter the city.",
    "street_line1": "Enter the street address.",
}


@dataclass(frozen=True, kw_only=True)
class AddressDetails:
    """What a customer gives for one address, before (or after) checking."""

    consignee_name: str
    mobile_phone: str
    country: str
    city: str
    street_line1: str
    label: str = ""
    contact_email: str = ""
    other_phone: str = ""
    postal_code: str = ""
    region: str = ""
    street_line2: str = ""

    @classmethod
    def field_names(cls) -> list[str]:
        return [field.name for field in fields(cls)]

    @classmethod
    def of(cls, address: Address) -> AddressDetails:
        return cls(**{name: getattr(address, name) for name in cls.field_names()})


def clean_address_details(details: AddressDetails) -> AddressDetails:
    """The details checked and normalised (E.164 phones, printed postal codes, trimmed text).

    Raises ValidationError with a message per field; every field is checked, so that a form
    shows all its problems at once.
    """
    errors: dict[str, list[str]] = {}
    values = {name: str(getattr(details, name) or "").strip() for name in AddressDetails.field_names()}
    for name, message in _REQUIRED.items():
        if not values[name]:
            errors.setdefault(name, []).append(message)
    for name, limit in _LIMITS.items():
        if len(values[name]) > limit:
            errors.setdefault(name, []).append(f"Keep this under {limit + 1} characters.")

    country = ""
    if values["country"]:
        try:
            country = values["country"] = validate_country(values["country"])
        except ValidationError as problem:
            errors.setdefault("country", []).extend(problem.messages)
    if values["mobile_phone"]:
        try:
            values["mobile_phone"] = normalize_phone_number(
                values["mobile_phone"], country=country, mobile=True
            )
        except ValidationError as problem:
            errors.setdefault("mobile_phone", []).extend(problem.messages)
    if values["other_phone"]:
        try:
            values["other_phone"] = normalize_phone_number(values["other_phone"], country=country)
        except ValidationError as problem:
            errors.setdefault("other_phone", []).extend(problem.messages)
    if values["contact_email"] and "contact_email" not in errors:
        try:
            values["contact_email"] = normalize_email_address(values["contact_email"])
        except ValidationError as problem:
            errors.setdefault("contact_email", []).extend(problem.messages)
    if country:
        try:
            values["postal_code"] = normalize_postal_code(values["postal_code"], country=country)
        except ValidationError as problem:
            errors.setdefault("postal_code", []).extend(problem.messages)
    if errors:
        raise ValidationError(errors)
    return replace(details, **values)


def _require_customer(customer: Any) -> None:
    if not is_customer(customer):
        raise PermissionDenied("Only customers keep an address book.")


def _lock_book(customer: Any) -> None:
    """Serialise changes to one customer's book (the count limit, the single defaults) on their row."""
    list(get_user_model().objects.select_for_update().filter(pk=customer.pk).values_list("pk", flat=True))


def _make_default(customer: Any, address: Address, use: AddressUse) -> None:
    """`address` becomes the customer's only default for `use` (the row itself is saved by the caller)."""
    flag = f"is_default_{use}"
    addresses_of(customer).exclude(pk=address.pk).filter(**{flag: True}).update(**{flag: False})
    setattr(address, flag, True)


def _record(action: Any, *, customer: Any, address: Address, details: dict[str, Any] | None = None) -> None:
    record_event(
        action,
        actor=audit_actor(customer),
        subject=str(customer.subject_id),
        object=f"addresses.address:{address.pk}",
        details=details,
    )


def add_address(
    *, customer: Any, details: AddressDetails, default_delivery: bool = False, default_billing: bool = False
) -> Address:
    """A new address in the customer's book. The first one becomes the default for both uses."""
    _require_customer(customer)
    clean = clean_address_details(details)
    with transaction.atomic():
        _lock_book(customer)
        count = addresses_of(customer).count()
        if count >= MAX_ADDRESSES:
            raise ValidationError(
                f"Your address book is full ({MAX_ADDRESSES} addresses). Delete one you no longer use first.",
                code="too_many",
            )
        address = Address(customer=customer, **{name: getattr(clean, name) for name in clean.field_names()})
        first = count == 0
        if default_delivery or first:
            _make_default(customer, address, "delivery")
        if default_billing or first:
            _make_default(customer, address, "billing")
        address.save()
        _record(
            ADDRESS_ADDED,
            customer=customer,
            address=address,
            details={
                "default_delivery": address.is_default_delivery,
                "default_billing": address.is_default_billing,
            },
        )
    return address


def update_address(
    *,
    customer: Any,
    address_id: UUID | str,
    details: AddressDetails,
    default_delivery: bool | None = None,
    default_billing: bool | None = None,
) -> Address:
    """Change one of the customer's addresses; `default_*` None leaves that default as it is.

    Address.DoesNotExist when the id is not one of the customer's addresses (nothing changes).
    """
    _require_customer(customer)
    clean = clean_address_details(details)
    wanted_defaults: tuple[tuple[AddressUse, bool | None], ...] = (
        ("delivery", default_delivery),
        ("billing", default_billing),
    )
    with transaction.atomic():
        _lock_book(customer)
        address = addresses_of(customer).get(pk=address_id)
        before = AddressDetails.of(address)
        changed = [name for name in clean.field_names() if getattr(before, name) != getattr(clean, name)]
        for name in changed:
            setattr(address, name, getattr(clean, name))
        for use, wanted in wanted_defaults:
            flag = f"is_default_{use}"
            if wanted is None or getattr(address, flag) == wanted:
                continue
            if wanted:
                _make_default(customer, address, use)
            else:
                setattr(address, flag, False)
            changed.append(flag)
        if changed:
            address.updated_at = timezone.now()
            address.save()
            _record(ADDRESS_UPDATED, customer=customer, address=address, details={"changed": changed})
    return address


def delete_address(*, customer: Any, address_id: UUID | str) -> None:
    """Delete one of the customer's addresses for good (the row, its ciphertext and its index).

    A deleted default leaves no default behind: the customer chooses the next one.
    """
    _require_customer(customer)
    with transaction.atomic():
        _lock_book(customer)
        address = addresses_of(customer).get(pk=address_id)
        _record(
            ADDRESS_DELETED,
            customer=customer,
            address=address,
            details={
                "was_default_delivery": address.is_default_delivery,
                "was_default_billing": address.is_default_billing,
            },
        )
        address.delete()


def set_default_address(*, customer: Any, address_id: UUID | str, use: AddressUse) -> Address:
    """Make one of the customer's addresses their default for delivery or for billing."""
    _require_customer(customer)
    if use not in USES:
        raise ValueError(f"use must be one of {USES}, not {use!r}")
    with transaction.atomic():
        _lock_book(customer)
        address = addresses_of(customer).get(pk=address_id)
        flag = f"is_default_{use}"
        if not getattr(address, flag):
            _make_default(customer, address, use)
            address.updated_at = timezone.now()
            address.save(update_fields=[flag, "updated_at"])
            _record(DEFAULT_SET, customer=customer, address=address, details={"use": use})
    return address


def find_addresses_by_phone(*, staff: Any, phone: str) -> list[Address]:
    """Staff look-up of the addresses with this mobile number, among the customers they may see.

    Audited with how many were found; the number itself is not written to the trail.
    """
    if not is_staff_member(staff):
        raise PermissionDenied("Only staff look customers up by phone.")
    with transaction.atomic():
        found = list(addresses_with_phone(staff, phone))
        record_event(
            SEARCHED_BY_PHONE,
            actor=audit_actor(staff),
            details={"role": getattr(staff, "role", ""), "found": len(found)},
        )
    return found


__all__ = [
    "MAX_ADDRESSES",
    "USES",
    "AddressDetails",
    "AddressUse",
    "add_address",
    "clean_address_details",
    "delete_address",
    "find_addresses_by_phone",
    "set_default_address",
    "update_address",
]
