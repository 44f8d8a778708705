"""The support JSON API at /api/support/: the same actions and rules as the pages.

Customers: `tickets` (list, open), `tickets/{id}` (read), `tickets/{id}/replies` (reply).
Support staff (after their second factor): `queue` (no content: topic, status, times),
`queue/{id}` (read, audited), `queue/{id}/replies` and `queue/{id}/close`. An id the
caller may not see is a 404. Session based: POSTs send the X-CSRFToken header.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from accounts.access import RoleAuth
from accounts.models import Role
from support import actions
from support.models import Ticket, TicketMessage
from support.queries import SUPPORT_STAFF_ROLES, staff_queue, thread_of, tickets_visible_to

router = Router(tags=["support"])
customers = RoleAuth(Role.CUSTOMER)
support_staff = RoleAuth(*SUPPORT_STAFF_ROLES)

NOT_FOUND = "No such ticket."


class TicketIn(Schema):
    topic: str = Field(max_length=16, description="order, quote, payment, account, privacy or other")
    subject_line: str = Field(max_length=actions.MAX_SUBJECT_LINE)
    content: str = Field(max_length=actions.MAX_CONTENT)
    contact_email: str = Field(default="", max_length=254)
    contact_phone: str = Field(
        default="", max_length=32, description="with the country code; stored as E.164"
    )


class ReplyIn(Schema):
    body: str = Field(max_length=actions.MAX_CONTENT)


class TicketSummary(Schema):
    id: UUID
    reference: str
    topic: str
    subject_line: str
    status: str
    created_at: dt.datetime
    last_activity_at: dt.datetime


class QueueItem(Schema):
    """A queue row carries no content: opening the ticket is the (audited) read."""

    id: UUID
    reference: str
    topic: str
    status: str
    created_at: dt.datetime
    last_activity_at: dt.datetime


class MessageOut(Schema):
    id: UUID
    from_staff: bool
    body: str
    created_at: dt.datetime


class TicketOut(TicketSummary):
    content: str
    contact_email: str
    contact_phone: str
    closed_at: dt.datetime | None
    messages: list[MessageOut]


class Message(Schema):
    detail: str


class FieldErrors(Schema):
    detail: str
    errors: dict[str, list[str]]


def _field_errors(problem: ValidationError) -> FieldErrors:
    if hasattr(problem, "error_dict"):
        errors = {field: list(messages) for field, messages in problem.message_dict.items()}
    else:
        errors = {"__all__": list(problem.messages)}
    return FieldErrors(detail="Please correct the fields named.", errors=errors)


def _summary(ticket: Ticket) -> TicketSummary:
    return TicketSummary(
        id=ticket.pk,
        reference=ticket.reference,
        topic=ticket.topic,
        subject_line=ticket.subject_line,
        status=ticket.status,
        created_at=ticket.created_at,
        last_activity_at=ticket.last_activity_at,
    )


def _message(message: TicketMessage) -> MessageOut:
    return MessageOut(
        id=message.pk, from_staff=message.from_staff, body=message.body, created_at=message.created_at
    )


def _ticket(ticket: Ticket) -> TicketOut:
    return TicketOut(
        **_summary(ticket).model_dump(),
        content=ticket.content,
        contact_email=ticket.contact_email,
        contact_phone=ticket.contact_phone,
        closed_at=ticket.closed_at,
        messages=[_message(message) for message in thread_of(ticket)],
    )


def _read(request: HttpRequest, ticket_id: UUID) -> tuple[int, Any]:
    try:
        ticket = actions.view_ticket(viewer=request.user, ticket_id=ticket_id)
    except Ticket.DoesNotExist:
        return 404, Message(detail=NOT_FOUND)
    return 200, _ticket(ticket)


def _reply(request: HttpRequest, ticket_id: UUID, data: ReplyIn) -> tuple[int, Any]:
    try:
        message = actions.reply_to_ticket(author=request.user, ticket_id=ticket_id, body=data.body)
    except Ticket.DoesNotExist:
        return 404, Message(detail=NOT_FOUND)
    except ValidationError as problem:
        return 422, _field_errors(problem)
    return 201, _message(message)


# --- customers ----------------------------------------------------------------------------


@router.get("/tickets", response=list[TicketSummary], auth=customers)
def list_tickets(request: HttpRequest) -> list[TicketSummary]:
    return [_summary(ticket) for ticket in tickets_visible_to(request.user).order_by("-last_activity_at")]


@router.post("/tickets", response={201: TicketOut, 422: FieldErrors}, auth=customers)
def open_ticket(request: HttpRequest, data: TicketIn) -> tuple[int, Any]:
    try:
        ticket = actions.open_ticket(
            customer=request.user, request=actions.TicketRequest(**data.model_dump())
        )
    except ValidationError as problem:
        return 422, _field_errors(problem)
    return 201, _ticket(ticket)


@router.get("/tickets/{ticket_id}", response={200: TicketOut, 404: Message}, auth=customers)
def read_ticket(request: HttpRequest, ticket_id: UUID) -> tuple[int, Any]:
    return _read(request, ticket_id)


@router.post(
    "/tickets/{ticket_id}/replies", response={201: MessageOut, 404: Message, 422: FieldErrors}, auth=customers
)
def reply(request: HttpRequest, ticket_id: UUID, data: ReplyIn) -> tuple[int, Any]:
    return _reply(request, ticket_id, data)


# --- support staff ------------------------------------------------------------------------


@router.get("/queue", response=list[QueueItem], auth=support_staff)
def queue(request: HttpRequest, closed: bool = False) -> list[QueueItem]:
    return [
        QueueItem(
            id=ticket.pk,
            reference=ticket.reference,
            topic=ticket.topic,
            status=ticket.status,
            created_at=ticket.created_at,
            last_activity_at=ticket.last_activity_at,
        )
        for ticket in staff_queue(request.user, closed=closed)
    ]


@router.get("/queue/{ticket_id}", response={200: TicketOut, 404: Message}, auth=support_staff)
def staff_read_ticket(request: HttpRequest, ticket_id: UUID) -> tuple[int, Any]:
    return _read(request, ticket_id)


@router.post(
    "/queue/{ticket_id}/replies",
    response={201: MessageOut, 404: Message, 422: FieldErrors},
    auth=support_staff,
)
def staff_reply(request: HttpRequest, ticket_id: UUID, data: ReplyIn) -> tuple[int, Any]:
    return _reply(request, ticket_id, data)


@router.post("/queue/{ticket_id}/close", response={200: TicketSummary, 404: Message}, auth=support_staff)
def staff_close(request: HttpRequest, ticket_id: UUID) -> tuple[int, Any]:
    try:
        ticket = actions.close_ticket(staff=request.user, ticket_id=ticket_id)
    except Ticket.DoesNotExist:
        return 404, Message(detail=NOT_FOUND)
    return 200, _summary(ticket)
