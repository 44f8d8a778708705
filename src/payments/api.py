"""The payments JSON API at /api/payments/: pay an order by card or bank transfer; read an invoice.

The card endpoint takes the number and security code in the request body and hands them to
the gateway at once; the response, like everything stored, holds only brand, last four
digits and expiry. Validation errors never echo the input (django-ninja drops it).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from accounts.access import RoleAuth
from accounts.models import Role, User
from accounts.queries import has_role
from orders.api import OrderOut, order_out
from orders.models import Order
from orders.queries import order_visible_to
from payments import actions, queries
from payments.bank_accounts import BankDetailsInvalid, clean_bank_details
from payments.gateway import CardRejected
from payments.models import Invoice
from payments.provider import payment_gateway

router = Router(tags=["payments"])


class Message(Schema):
    detail: str


class PaymentRefusal(Schema):
    detail: str
    code: str
    field: str | None = None


class CardIn(Schema):
    # repr=False: an error report that prints this frame's locals shows neither.
    number: str = Field(max_length=30, repr=False)
    exp_month: int = Field(ge=1, le=12)
    exp_year: int = Field(ge=0, le=9999)
    cvc: str = Field(max_length=4, repr=False)


class BankTransferIn(Schema):
    account_holder: str = Field(max_length=140)
    account_number: str = Field(max_length=50)
    bank_name: str = Field(max_length=140)


class InvoiceOut(Schema):
    id: UUID
    number: str
    issued_at: dt.datetime
    order_id: UUID
    description: str
    quantity: int
    unit_price: Decimal
    total: Decimal
    currency: str
    payment_method: str
    billing_name: str
    billing_address: list[str]


def _customer(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not has_role(user, Role.CUSTOMER):
        raise HttpError(403, "Only customers pay for orders.")
    return user


def _order_to_pay(request: HttpRequest, order_id: UUID) -> tuple[User, Order]:
    user = _customer(request)
    try:
        return user, queries.order_to_pay(user, order_id)
    except Order.DoesNotExist:
        raise HttpError(404, "No such order.") from None


def _refusal(error: actions.PaymentError) -> Status[Any]:
    if isinstance(error, actions.NotPermitted):
        return Status(404, PaymentRefusal(detail="No such order.", code="not_found"))
    status = 402 if isinstance(error, actions.CardDeclined) else 409
    return Status(status, PaymentRefusal(detail=error.message, code=error.code))


@router.post(
    "/orders/{order_id}/card",
    response={
        200: OrderOut,
        402: PaymentRefusal,
        403: Message,
        404: PaymentRefusal,
        409: PaymentRefusal,
        422: PaymentRefusal,
    },
    auth=RoleAuth(),
)
def pay_by_card(request: HttpRequest, order_id: UUID, data: CardIn) -> Status[Any]:
    user, order = _order_to_pay(request, order_id)
    try:
        card = payment_gateway().tokenise_card(
            number=data.number, exp_month=data.exp_month, exp_year=data.exp_year, cvc=data.cvc
        )
    except CardRejected as rejected:
        return Status(422, PaymentRefusal(detail=rejected.message, code=rejected.code))
    try:
        actions.pay_by_card(actor=user, order=order, card=card)
    except actions.PaymentError as error:
        return _refusal(error)
    return Status(200, order_out(user, order_visible_to(user, order.pk)))


@router.post(
    "/orders/{order_id}/bank-transfer",
    response={200: OrderOut, 403: Message, 404: PaymentRefusal, 409: PaymentRefusal, 422: PaymentRefusal},
    auth=RoleAuth(),
)
def pay_by_bank_transfer(request: HttpRequest, order_id: UUID, data: BankTransferIn) -> Status[Any]:
    user, order = _order_to_pay(request, order_id)
    try:
        details = clean_bank_details(
            account_holder=data.account_holder, account_number=data.account_number, bank_name=data.bank_name
        )
    except BankDetailsInvalid as invalid:
        return Status(
            422, PaymentRefusal(detail=invalid.message, code="invalid_bank_details", field=invalid.field)
        )
    try:
        actions.request_bank_transfer(actor=user, order=order, details=details)
    except actions.PaymentError as error:
        return _refusal(error)
    return Status(200, order_out(user, order_visible_to(user, order.pk)))


@router.get("/invoices/{invoice_id}", response={200: InvoiceOut, 403: Message, 404: Message}, auth=RoleAuth())
def get_invoice(request: HttpRequest, invoice_id: UUID) -> InvoiceOut:
    user = request.user
    if not isinstance(user, User) or not has_role(
        user, Role.CUSTOMER, Role.ACCOUNT_MANAGER, Role.ADMINISTRATOR
    ):
        raise HttpError(403, "Invoices are not available to your role.")
    try:
        invoice = queries.invoice_visible_to(user, invoice_id)
    except Invoice.DoesNotExist:
        raise HttpError(404, "No such invoice.") from None
    return InvoiceOut(
        id=invoice.pk,
        number=invoice.number,
        issued_at=invoice.issued_at,
        order_id=invoice.order_id,
        description=invoice.description,
        quantity=invoice.quantity,
        unit_price=invoice.unit_price,
        total=invoice.total,
        currency=invoice.currency,
        payment_method=invoice.payment_method,
        billing_name=invoice.billing_name,
        billing_address=invoice.billing_lines,
    )
