"""The address book JSON API at /api/addresses/: the same actions and rules as the pages.

Customers only, on their session (POST, PUT and DELETE send the X-CSRFToken header). An id
that is not one of the caller's own addresses is a 404, whoever it belongs to. Field
problems come back as 422 with a message per field, the same messages as the form's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from accounts.access import RoleAuth
from accounts.models import Role
from addresses import actions
from addresses.models import Address
from addresses.queries import addresses_of

router = Router(tags=["addresses"], auth=RoleAuth(Role.CUSTOMER))

NOT_FOUND = "No such address in your address book."


class AddressIn(Schema):
    label: str = Field(default="", max_length=40)
    consignee_name: str = Field(max_length=120)
    mobile_phone: str = Field(max_length=32, description="E.164, or national format read in `country`")
    contact_email: str = Field(default="", max_length=254, description="for delivery updates")
    other_phone: str = Field(default="", max_length=32, description="a second phone number; stored as E.164")
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2")
    postal_code: str = Field(default="", max_length=16)
    region: str = Field(default="", max_length=100)
    city: str = Field(max_length=100)
    street_line1: str = Field(max_length=200)
    street_line2: str = Field(default="", max_length=200)
    is_default_delivery: bool | None = None
    is_default_billing: bool | None = None

    def details(self) -> actions.AddressDetails:
        return actions.AddressDetails(
            **{name: getattr(self, name) for name in actions.AddressDetails.field_names()}
        )


class AddressOut(Schema):
    id: UUID
    label: str
    consignee_name: str
    mobile_phone: str = Field(description="E.164")
    contact_email: str
    other_phone: str = Field(description="E.164, or empty")
    country: str
    postal_code: str
    region: str
    city: str
    street_line1: str
    street_line2: str
    is_default_delivery: bool
    is_default_billing: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class Message(Schema):
    detail: str


class FieldErrors(Schema):
    detail: str
    errors: dict[str, list[str]]


def _out(address: Address) -> AddressOut:
    return AddressOut(
        id=address.pk,
        **{name: getattr(address, name) for name in actions.AddressDetails.field_names()},
        is_default_delivery=address.is_default_delivery,
        is_default_billing=address.is_default_billing,
        created_at=address.created_at,
        updated_at=address.updated_at,
    )


def _field_errors(problem: ValidationError) -> FieldErrors:
    if hasattr(problem, "error_dict"):
        errors = {field: list(messages) for field, messages in problem.message_dict.items()}
    else:
        errors = {"__all__": list(problem.messages)}
    return FieldErrors(detail="Please correct the fields named.", errors=errors)


@router.get("/", response=list[AddressOut])
def list_addresses(request: HttpRequest) -> list[AddressOut]:
    return [_out(address) for address in addresses_of(request.user)]


@router.post("/", response={201: AddressOut, 422: FieldErrors})
def create_address(request: HttpRequest, data: AddressIn) -> tuple[int, Any]:
    try:
        address = actions.add_address(
            customer=request.user,
            details=data.details(),
            default_delivery=bool(data.is_default_delivery),
            default_billing=bool(data.is_default_billing),
        )
    except ValidationError as problem:
        return 422, _field_errors(problem)
    return 201, _out(address)


@router.put("/{address_id}", response={200: AddressOut, 404: Message, 422: FieldErrors})
def update_address(request: HttpRequest, address_id: UUID, data: AddressIn) -> tuple[int, Any]:
    try:
        address = actions.update_address(
            customer=request.user,
            address_id=address_id,
            details=data.details(),
            default_delivery=data.is_default_delivery,
            default_billing=data.is_default_billing,
        )
    except Address.DoesNotExist:
        return 404, Message(detail=NOT_FOUND)
    except ValidationError as problem:
        return 422, _field_errors(problem)
    return 200, _out(address)


@router.delete("/{address_id}", response={204: None, 404: Message})
def delete_address(request: HttpRequest, address_id: UUID) -> tuple[int, Any]:
    try:
        actions.delete_address(customer=request.user, address_id=address_id)
    except Address.DoesNotExist:
        return 404, Message(detail=NOT_FOUND)
    return 204, None


@router.post("/{address_id}/default/{use}", response={200: AddressOut, 404: Message})
def set_default(request: HttpRequest, address_id: UUID, use: str) -> tuple[int, Any]:
    if use not in actions.USES:
        raise HttpError(404, "Choose delivery or billing.")
    chosen: actions.AddressUse = "delivery" if use == "delivery" else "billing"
    try:
        address = actions.set_default_address(customer=request.user, address_id=address_id, use=chosen)
    except Address.DoesNotExist:
        return 404, Message(detail=NOT_FOUND)
    return 200, _out(address)
