"""Every change to a quote or an order: request, price, place, move, cancel; and file downloads.

Each action is keyword-only, checks that its actor may act (again: the views check too,
but an action must be safe whoever calls it), locks the order row, checks the move against
`models.TRANSITIONS`, and writes an `OrderEvent` and an audit event in the same
transaction as the change. A move the customer is told about (quoted, shipped, delivered)
sends its e-mail after the commit, if the privacy engine allows it (orders.emails).

Uploads are judged before anything is stored: every file of a quote request is read and
inspected by content (orders.modelfiles) first, so a hostile or broken file refuses the
whole request with nothing written — no row, no file. Only then are the files encrypted
into the vault, inside the transaction that creates the order; if that transaction fails
after a file was written, the written files are deleted again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any, BinaryIO, cast
from uuid import UUID

from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone

from accounts.actions import audit_actor
from accounts.models import User
from accounts.queries import is_account_manager, is_administrator, is_customer
from orders.emails import NOTIFIED, send_status_email
from orders.modelfiles import ModelFileInfo, ModelFileRejected, inspect_model_file, safe_display_name
from orders.models import AddressKind, Currency, ModelFile, Order, OrderAddress, OrderEvent, Status
from orders.offerings import BY_KEY
from privacy.api import audit_action, delete_file, record_event

QUOTE_REQUESTED = audit_action(
    "orders.quote.requested", "A customer asked for a quote and uploaded 3D files."
)
QUOTE_PRICED = audit_action("orders.quote.priced", "An account manager priced or revised a quote.")
ORDER_PLACED = audit_action("orders.order.placed", "A customer placed an order from a quote.")
STATUS_CHANGED = audit_action("orders.order.status_changed", "An order moved to another status.")
ORDER_CANCELLED = audit_action("orders.order.cancelled", "A quote or an order was cancelled.")
FILE_DOWNLOADED = audit_action("orders.file.downloaded", "A 3D file of an order was downloaded.")

MAX_FILES = 10
MAX_QUANTITY = 100_000
MAX_NOTES = 4000
MAX_LEAD_TIME_DAYS = 365
MAX_TOTAL = Decimal("99999999")
STAFF_MOVES = (Status.IN_PRODUCTION, Status.SHIPPED, Status.DELIVERED)

__all__ = [
    "MAX_FILES",
    "AddressSnapshot",
    "IllegalTransition",
    "InvalidRequest",
    "NotPermitted",
    "OrderActionError",
    "UploadRejected",
    "advance_order",
    "cancel_order",
    "place_order",
    "price_quote",
    "record_file_download",
    "request_quote",
    "transition_order",
]


class OrderActionError(Exception):
    """An action refused. `code` is stable (tests, the API); `message` is for people."""

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class NotPermitted(OrderActionError):
    """The actor may not do this to this order."""


class IllegalTransition(OrderActionError):
    """The order's status does not allow this move (models.TRANSITIONS)."""


class InvalidRequest(OrderActionError):
    """A value is out of range or not offered; `field` names it."""


class UploadRejected(OrderActionError):
    """A 3D file was refused by content; `filename` is its cleaned display name."""

    def __init__(self, code: str, message: str, *, filename: str) -> None:
        super().__init__(code, f"{filename}: {message}", field="uploads")
        self.filename = filename


@dataclass(frozen=True)
class AddressSnapshot:
    """An address as it was when the order was placed (copied from the address book)."""

    consignee_name: str
    lines: tuple[str, ...]
    mobile_phone: str = ""
    address_book_id: UUID | None = None


def _max_upload_bytes() -> int:
    return int(getattr(settings, "PLEDGE_MAX_UPLOAD_BYTES", 100 * 1024 * 1024))


def _customer_subject(order: Order) -> str:
    return str(order.customer.subject_id)


def _object(order: Order) -> str:
    return f"orders.order:{order.pk}"


def _locked(order: Order) -> Order:
    """The order's row, locked until the transaction ends, with its customer."""
    return Order.objects.select_for_update().select_related("customer").get(pk=order.pk)


def _manages(actor: Any, order: Order) -> bool:
    return is_account_manager(actor) and order.customer.account_manager_id == actor.pk


def transition_order(
    *, order: Order, to: str, actor: User | None, note: str = "", at: dt.datetime | None = None
) -> Order:
    """Move a locked order to `to`, with its OrderEvent and audit event; call inside the action's transaction.

    The caller has locked the row (select_for_update) and decided that `actor` may make the
    move; this checks the move itself against the table and records it.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("transition_order() runs inside the transaction of the action that calls it")
    if not order.can_transition(to):
        was, wanted = Status(order.status).label.lower(), Status(to).label.lower()
        raise IllegalTransition("illegal_transition", f"An order that is {was} cannot become {wanted}.")
    now = at or timezone.now()
    previous = order.status
    order.status = to
    order.updated_at = now
    if to == Status.QUOTED:
        order.quoted_at = now
    elif to == Status.PLACED:
        order.placed_at = now
    elif to == Status.PAID:
        order.paid_at = now
    order.save()
    OrderEvent.objects.create(
        order=order,
        from_status=previous,
        to_status=to,
        actor=actor,
        actor_role=actor.role if actor is not None else "system",
        at=now,
        note=note,
    )
    action = {
        Status.QUOTED: QUOTE_PRICED,
        Status.PLACED: ORDER_PLACED,
        Status.CANCELLED: ORDER_CANCELLED,
    }.get(Status(to), STATUS_CHANGED)
    record_event(
        action,
        actor=audit_actor(actor),
        subject=_customer_subject(order),
        object=_object(order),
        details={"from": previous, "to": to},
        at=now,
    )
    if to in NOTIFIED:  # after commit, and only if the customer's data may be used for it now
        transaction.on_commit(partial(send_status_email, order.pk, to))
    return order


# --- Quote requests ----------------------------------------------------------------------------


def _check_choices(process: str, material: str, finish: str, quantity: int, notes: str) -> None:
    offered = BY_KEY.get(process)
    if offered is None:
        raise InvalidRequest("unknown_process", "Choose one of the processes we offer.", field="process")
    if material not in offered.materials:
        raise InvalidRequest(
            "unknown_material", f"Choose a material offered for {offered.name}.", field="material"
        )
    if finish not in offered.finishes:
        raise InvalidRequest("unknown_finish", f"Choose a finish offered for {offered.name}.", field="finish")
    if not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidRequest(
            "invalid_quantity", f"The quantity must be between 1 and {MAX_QUANTITY:,}.", field="quantity"
        )
    if len(notes) > MAX_NOTES:
        raise InvalidRequest("notes_too_long", f"Notes can be at most {MAX_NOTES} characters.", field="notes")


def inspect_uploads(uploads: Sequence[File[Any]]) -> list[tuple[File[Any], str, ModelFileInfo]]:
    """Each upload with its display name and inspection; UploadRejected for the first bad one.

    Reads every file (up to the size limit) before anything is stored.
    """
    if not uploads:
        raise InvalidRequest("no_files", "Attach at least one 3D file.", field="uploads")
    if len(uploads) > MAX_FILES:
        raise InvalidRequest("too_many_files", f"Attach at most {MAX_FILES} files.", field="uploads")
    inspected = []
    for upload in uploads:
        filename = safe_display_name(upload.name or "")
        upload.seek(0)
        try:
            stream = cast(BinaryIO, upload)  # a Django File reads, seeks and tells like one
            info = inspect_model_file(stream, filename=upload.name or "", max_bytes=_max_upload_bytes())
        except ModelFileRejected as rejected:
            raise UploadRejected(rejected.code, rejected.message, filename=filename) from None
        inspected.append((upload, filename, info))
    return inspected


def request_quote(
    *,
    customer: User,
    process: str,
    material: str,
    finish: str,
    quantity: int,
    notes: str = "",
    uploads: Sequence[File[Any]],
) -> Order:
    """A customer asks for a quote: an order in status quote_requested with its 3D files."""
    if not is_customer(customer):
        raise NotPermitted("not_a_customer", "Only a customer can ask for a quote.")
    notes = notes.strip()
    _check_choices(process, material, finish, quantity, notes)
    inspected = inspect_uploads(uploads)
    stored: list[ModelFile] = []
    try:
        with transaction.atomic():
            now = timezone.now()
            order = Order.objects.create(
                customer=customer,
                account_manager_id=customer.account_manager_id,
                process=process,
                material=material,
                finish=finish,
                quantity=quantity,
                notes=notes,
                status=Status.QUOTE_REQUESTED,
                requested_at=now,
                updated_at=now,
            )
            for position, (upload, filename, info) in enumerate(inspected):
                model_file = model_file_row(order, upload, filename, info, now)
                model_file.position = position
                stored.append(model_file)
                model_file.save()
            OrderEvent.objects.create(
                order=order,
                from_status="",
                to_status=Status.QUOTE_REQUESTED,
                actor=customer,
                actor_role=customer.role,
                at=now,
            )
            record_event(
                QUOTE_REQUESTED,
                actor=audit_actor(customer),
                subject=str(customer.subject_id),
                object=_object(order),
                details={"files": len(inspected), "process": process},
                at=now,
            )
    except BaseException:
        _delete_written(stored)
        raise
    return order


def model_file_row(
    order: Order, upload: File[Any] | bytes, filename: str, info: ModelFileInfo, now: dt.datetime
) -> ModelFile:
    """An unsaved ModelFile for an inspected file (also used by the demo data's bulk path)."""
    low, high = info.bbox if info.bbox is not None else ((None, None, None), (None, None, None))
    return ModelFile(
        order=order,
        file=upload,
        display_name=filename,
        format=info.format,
        size=info.size,
        triangles=info.triangles,
        bbox_min_x=low[0],
        bbox_min_y=low[1],
        bbox_min_z=low[2],
        bbox_max_x=high[0],
        bbox_max_y=high[1],
        bbox_max_z=high[2],
        volume_mm3=info.volume_mm3,
        units=info.units or "",
        received_at=now,
    )


def _delete_written(stored: Sequence[ModelFile]) -> None:
    """After a failed transaction: remove the encrypted files its rows had written."""
    for model_file in stored:
        written = model_file.__dict__.get("file")
        file_id = getattr(written, "id", None)
        if isinstance(file_id, UUID):
            delete_file(file_id)


# --- Pricing, placing, moving, cancelling --------------------------------------------------------


def _check_price(order: Order, unit_price: Decimal, currency: str, lead_time_days: int, note: str) -> Decimal:
    if currency not in Currency.values:
        raise InvalidRequest("invalid_currency", "Choose one of the currencies offered.", field="currency")
    if not unit_price.is_finite() or unit_price <= 0:
        raise InvalidRequest("invalid_price", "The unit price must be more than zero.", field="unit_price")
    exponent = unit_price.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise InvalidRequest("invalid_price", "The unit price has at most two decimals.", field="unit_price")
    total = (unit_price * order.quantity).quantize(Decimal("0.01"))
    if total > MAX_TOTAL:
        raise InvalidRequest("invalid_price", "The total is too large.", field="unit_price")
    if not 1 <= lead_time_days <= MAX_LEAD_TIME_DAYS:
        raise InvalidRequest(
            "invalid_lead_time",
            f"The lead time must be between 1 and {MAX_LEAD_TIME_DAYS} days.",
            field="lead_time_days",
        )
    if len(note) > MAX_NOTES:
        raise InvalidRequest(
            "note_too_long", f"The note can be at most {MAX_NOTES} characters.", field="note"
        )
    return total


def price_quote(
    *, actor: User, order: Order, unit_price: Decimal, currency: str, lead_time_days: int, note: str = ""
) -> Order:
    """The customer's account manager prices a quote request, or revises a quote not yet placed."""
    note = note.strip()
    with transaction.atomic():
        order = _locked(order)
        if not _manages(actor, order):
            raise NotPermitted(
                "not_your_customer", "Only the customer's account manager can price this quote."
            )
        total = _check_price(order, unit_price, currency, lead_time_days, note)
        order.unit_price = unit_price.quantize(Decimal("0.01"))
        order.total = total
        order.currency = currency
        order.lead_time_days = lead_time_days
        order.quote_note = note
        return transition_order(order=order, to=Status.QUOTED, actor=actor, note=note)


def place_order(
    *, actor: User, order: Order, delivery: AddressSnapshot | None, billing: AddressSnapshot | None
) -> Order:
    """The customer accepts the quote: the order is placed, with its addresses copied as they are now."""
    with transaction.atomic():
        order = _locked(order)
        if not (is_customer(actor) and order.customer_id == actor.pk):
            raise NotPermitted("not_your_order", "Only the customer who asked for this quote can place it.")
        if not order.can_transition(Status.PLACED):
            raise IllegalTransition("illegal_transition", "Only a quoted order can be placed.")
        for kind, snapshot in ((AddressKind.DELIVERY, delivery), (AddressKind.BILLING, billing)):
            if snapshot is None:
                continue
            OrderAddress.objects.update_or_create(
                order=order,
                kind=kind,
                defaults={
                    "customer_subject_id": order.customer.subject_id,
                    "consignee_name": snapshot.consignee_name,
                    "mobile_phone": snapshot.mobile_phone,
                    "postal_lines": "\n".join(snapshot.lines),
                    "address_book_id": snapshot.address_book_id,
                },
            )
        return transition_order(order=order, to=Status.PLACED, actor=actor)


def advance_order(*, actor: User, order: Order, to: str, note: str = "") -> Order:
    """Staff move a paid order through production and shipping to delivery."""
    note = note.strip()
    with transaction.atomic():
        order = _locked(order)
        if not (_manages(actor, order) or is_administrator(actor)):
            raise NotPermitted(
                "not_your_customer", "Only the customer's account manager or an administrator can do this."
            )
        if to not in STAFF_MOVES:
            raise IllegalTransition(
                "illegal_transition", "Orders move to production, shipping or delivery here."
            )
        return transition_order(order=order, to=to, actor=actor, note=note)


def cancel_order(*, actor: User, order: Order, note: str = "") -> Order:
    """Cancel a quote or an unpaid order. A paid order is cancelled by refunding its payment."""
    note = note.strip()
    with transaction.atomic():
        order = _locked(order)
        own = is_customer(actor) and order.customer_id == actor.pk
        if not (own or _manages(actor, order) or is_administrator(actor)):
            raise NotPermitted("not_your_order", "You cannot cancel this order.")
        if order.status in (Status.PAID, Status.IN_PRODUCTION):
            raise IllegalTransition(
                "refund_first", "This order is paid: an administrator cancels it by refunding the payment."
            )
        return transition_order(order=order, to=Status.CANCELLED, actor=actor, note=note)


def record_file_download(*, actor: User, model_file: ModelFile) -> None:
    """Note in the audit trail who downloaded which 3D file (who reached the data, C37)."""
    with transaction.atomic():
        record_event(
            FILE_DOWNLOADED,
            actor=audit_actor(actor),
            subject=str(model_file.order.customer.subject_id),
            object=f"orders.modelfile:{model_file.pk}",
            details={"order": str(model_file.order_id)},
        )
