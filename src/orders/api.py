"""The orders JSON API at /api/orders/: the same actions and the same need-to-know as the pages.

Session authenticated like the site (CSRF header on writes). A role with no business with
orders (support agent, privacy officer) gets 403; an order the caller may not see is 404
whether or not it exists. A quote request is multipart: the fields as form fields and one
or more `files`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError
from pydantic import Field

from accounts.access import RoleAuth
from accounts.models import Role, User
from accounts.queries import has_role
from addresses.models import Address
from orders import actions, address_book, queries
from orders.models import ModelFile, Order
from privacy.api import encrypted_file_response

router = Router(tags=["orders"])
ORDER_ROLES = (Role.CUSTOMER, Role.ACCOUNT_MANAGER, Role.ADMINISTRATOR)


class Message(Schema):
    detail: str


class ActionError(Schema):
    detail: str
    code: str
    field: str | None = None


class FileOut(Schema):
    id: UUID
    name: str | None
    format: str
    size: int
    triangles: int | None
    bbox_min: list[float] | None
    bbox_max: list[float] | None
    volume_mm3: float | None


class EventOut(Schema):
    from_status: str
    to_status: str
    at: dt.datetime
    actor_role: str
    note: str


class PaymentOut(Schema):
    id: UUID
    attempt: int
    method: str
    status: str
    amount: Decimal
    currency: str
    card: str
    decline_code: str


class OrderOut(Schema):
    id: UUID
    reference: str
    status: str
    process: str
    material: str
    finish: str
    quantity: int
    notes: str
    currency: str
    unit_price: Decimal | None
    total: Decimal | None
    lead_time_days: int | None
    quote_note: str
    requested_at: dt.datetime
    files: list[FileOut]
    timeline: list[EventOut]
    payments: list[PaymentOut]
    invoice_id: UUID | None
    invoice_number: str | None


class OrderSummary(Schema):
    id: UUID
    reference: str
    status: str
    process: str
    quantity: int
    currency: str
    total: Decimal | None
    requested_at: dt.datetime


class QuoteIn(Schema):
    process: str = Field(max_length=40)
    material: str = Field(max_length=80)
    finish: str = Field(max_length=80)
    quantity: int = Field(ge=1, le=actions.MAX_QUANTITY)
    notes: str = Field(default="", max_length=actions.MAX_NOTES)


class PriceIn(Schema):
    unit_price: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    currency: str = Field(min_length=3, max_length=3)
    lead_time_days: int = Field(ge=1, le=actions.MAX_LEAD_TIME_DAYS)
    note: str = Field(default="", max_length=actions.MAX_NOTES)


class PlaceIn(Schema):
    delivery_address_id: UUID
    billing_address_id: UUID


class AdvanceIn(Schema):
    to: str = Field(max_length=20)
    note: str = Field(default="", max_length=actions.MAX_NOTES)


class CancelIn(Schema):
    note: str = Field(default="", max_length=actions.MAX_NOTES)


def _user(request: HttpRequest, *roles: str) -> User:
    user = request.user
    if not isinstance(user, User) or not has_role(user, *(roles or ORDER_ROLES)):
        raise HttpError(403, "Orders are not available to your role.")
    return user


def _order(request: HttpRequest, order_id: UUID, *roles: str) -> tuple[User, Order]:
    user = _user(request, *roles)
    try:
        return user, queries.order_visible_to(user, order_id)
    except Order.DoesNotExist:
        raise HttpError(404, "No such order.") from None


def _refusal(error: actions.OrderActionError) -> Status[Any]:
    status = {actions.NotPermitted: 404, actions.IllegalTransition: 409}.get(type(error), 422)
    detail = "No such order." if status == 404 else error.message
    code = error.code if status != 404 else "not_found"
    return Status(status, ActionError(detail=detail, code=code, field=error.field))


def _file_out(model_file: ModelFile, *, with_name: bool) -> FileOut:
    low = [model_file.bbox_min_x, model_file.bbox_min_y, model_file.bbox_min_z]
    high = [model_file.bbox_max_x, model_file.bbox_max_y, model_file.bbox_max_z]
    return FileOut(
        id=model_file.pk,
        name=model_file.display_name if with_name else None,
        format=model_file.format,
        size=model_file.size,
        triangles=model_file.triangles,
        bbox_min=[value for value in low if value is not None] if model_file.has_mesh_figures else None,
        bbox_max=[value for value in high if value is not None] if model_file.has_mesh_figures else None,
        volume_mm3=model_file.volume_mm3,
    )


def order_out(user: User, order: Order) -> OrderOut:
    """The order as the API shows it to `user` (file names only to those who may download)."""
    with_names = queries.can_download_files(user, order)
    invoice: Any = getattr(order, "invoice", None)
    return OrderOut(
        id=order.pk,
        reference=order.reference,
        status=order.status,
        process=order.process,
        material=order.material,
        finish=order.finish,
        quantity=order.quantity,
        notes=order.notes_text,
        currency=order.currency,
        unit_price=order.unit_price,
        total=order.total,
        lead_time_days=order.lead_time_days,
        quote_note=order.quote_note_text,
        requested_at=order.requested_at,
        files=[_file_out(model_file, with_name=with_names) for model_file in order.files.all()],
        timeline=[
            EventOut(
                from_status=event.from_status,
                to_status=event.to_status,
                at=event.at,
                actor_role=event.actor_role,
                note=event.note_text,
            )
            for event in queries.timeline(order)
        ],
        payments=[
            PaymentOut(
                id=payment.pk,
                attempt=payment.attempt,
                method=payment.method,
                status=payment.status,
                amount=payment.amount,
                currency=payment.currency,
                card=payment.card_display,
                decline_code=payment.decline_code,
            )
            for payment in order.payments.order_by("attempt")
        ],
        invoice_id=invoice.pk if invoice is not None else None,
        invoice_number=invoice.number if invoice is not None else None,
    )


def _reloaded(user: User, order: Order) -> OrderOut:
    return order_out(user, queries.order_visible_to(user, order.pk))


@router.get("/", response={200: list[OrderSummary], 403: Message}, auth=RoleAuth())
def list_orders(request: HttpRequest) -> list[OrderSummary]:
    user = _user(request)
    return [
        OrderSummary(
            id=order.pk,
            reference=order.reference,
            status=order.status,
            process=order.process,
            quantity=order.quantity,
            currency=order.currency,
            total=order.total,
            requested_at=order.requested_at,
        )
        for order in queries.orders_visible_to(user).order_by("-requested_at")[:500]
    ]


@router.get("/{order_id}", response={200: OrderOut, 403: Message, 404: Message}, auth=RoleAuth())
def get_order(request: HttpRequest, order_id: UUID) -> OrderOut:
    user, order = _order(request, order_id)
    return order_out(user, order)


@router.post("/", response={201: OrderOut, 403: Message, 422: ActionError}, auth=RoleAuth())
def create_quote(request: HttpRequest, data: Form[QuoteIn], files: File[list[UploadedFile]]) -> Status[Any]:
    user = _user(request, Role.CUSTOMER)
    try:
        order = actions.request_quote(
            customer=user,
            process=data.process,
            material=data.material,
            finish=data.finish,
            quantity=data.quantity,
            notes=data.notes,
            uploads=files,
        )
    except actions.OrderActionError as error:
        return Status(422, ActionError(detail=error.message, code=error.code, field=error.field))
    return Status(201, _reloaded(user, order))


@router.post(
    "/{order_id}/quote",
    response={200: OrderOut, 403: Message, 404: ActionError, 409: ActionError, 422: ActionError},
    auth=RoleAuth(),
)
def price(request: HttpRequest, order_id: UUID, data: PriceIn) -> Status[Any]:
    user, order = _order(request, order_id, Role.ACCOUNT_MANAGER)
    try:
        actions.price_quote(
            actor=user,
            order=order,
            unit_price=data.unit_price,
            currency=data.currency,
            lead_time_days=data.lead_time_days,
            note=data.note,
        )
    except actions.OrderActionError as error:
        return _refusal(error)
    return Status(200, _reloaded(user, order))


@router.post(
    "/{order_id}/place",
    response={200: OrderOut, 403: Message, 404: ActionError, 409: ActionError, 422: ActionError},
    auth=RoleAuth(),
)
def place(request: HttpRequest, order_id: UUID, data: PlaceIn) -> Status[Any]:
    user, order = _order(request, order_id, Role.CUSTOMER)
    try:
        delivery = address_book.snapshot_of(user, data.delivery_address_id)
        billing = address_book.snapshot_of(user, data.billing_address_id)
    except Address.DoesNotExist:
        return Status(
            422, ActionError(detail="Choose addresses from your own address book.", code="unknown_address")
        )
    try:
        actions.place_order(actor=user, order=order, delivery=delivery, billing=billing)
    except actions.OrderActionError as error:
        return _refusal(error)
    return Status(200, _reloaded(user, order))


@router.post(
    "/{order_id}/advance",
    response={200: OrderOut, 403: Message, 404: ActionError, 409: ActionError},
    auth=RoleAuth(),
)
def advance(request: HttpRequest, order_id: UUID, data: AdvanceIn) -> Status[Any]:
    user, order = _order(request, order_id, Role.ACCOUNT_MANAGER, Role.ADMINISTRATOR)
    try:
        actions.advance_order(actor=user, order=order, to=data.to, note=data.note)
    except actions.OrderActionError as error:
        return _refusal(error)
    return Status(200, _reloaded(user, order))


@router.post(
    "/{order_id}/cancel",
    response={200: OrderOut, 403: Message, 404: ActionError, 409: ActionError},
    auth=RoleAuth(),
)
def cancel(request: HttpRequest, order_id: UUID, data: CancelIn) -> Status[Any]:
    user, order = _order(request, order_id)
    try:
        actions.cancel_order(actor=user, order=order, note=data.note)
    except actions.OrderActionError as error:
        return _refusal(error)
    return Status(200, _reloaded(user, order))


@router.get("/{order_id}/files/{file_id}", response={403: Message, 404: Message}, auth=RoleAuth())
def download(request: HttpRequest, order_id: UUID, file_id: UUID) -> HttpResponse:
    user = _user(request, Role.CUSTOMER, Role.ACCOUNT_MANAGER)
    try:
        model_file = queries.model_file_for_download(user, order_id, file_id)
    except ModelFile.DoesNotExist:
        raise HttpError(404, "No such file.") from None
    if not request.headers.get("Range"):
        actions.record_file_download(actor=user, model_file=model_file)
    return encrypted_file_response(  # type: ignore[return-value]
        request,
        model_file.file,
        content_type=model_file.download_content_type,
        filename=model_file.display_name,
        disposition="attachment",
    )
