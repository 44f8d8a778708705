"""Every change to a support ticket, and the audited staff read of one.

Each action is keyword-only, runs in one transaction and writes its audit event inside it.
A ticket is always found among those the caller may see (support.queries), so a guessed id
raises Ticket.DoesNotExist before anything is read or written; views and the API turn it
into a 404. Audit events name the ticket and the people by id, never the content.

Status follows the conversation: a staff reply marks the ticket answered (waiting for the
customer), a customer reply opens it again (waiting for us), also after it was closed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from accounts.actions import audit_actor
from accounts.queries import is_customer
from addresses.validators import normalize_phone_number
from privacy.api import audit_action, record_event
from support.models import Status, Ticket, TicketMessage, Topic
from support.queries import is_support_staff, tickets_visible_to

TICKET_OPENED = audit_action("support.ticket.opened", "A customer opened a support ticket.")
TICKET_REPLIED = audit_action(
    "support.ticket.replied", "A customer or a member of support replied on a ticket."
)
TICKET_CLOSED = audit_action("support.ticket.closed", "A member of support closed a ticket.")
TICKET_VIEWED = audit_action("support.ticket.viewed", "A member of staff read a support ticket.")

MAX_SUBJECT_LINE = 150
MAX_CONTENT = 5000


@dataclass(frozen=True, kw_only=True)
class TicketRequest:
    """What a customer gives when they open a ticket."""

    topic: str
    subject_line: str
    content: str
    contact_email: str = ""
    contact_phone: str = ""


def clean_ticket_request(request: TicketRequest) -> TicketRequest:
    """The request checked and normalised (trimmed text, E.164 phone); ValidationError per field."""
    errors: dict[str, list[str]] = {}
    subject_line = request.subject_line.strip()
    content = request.content.strip()
    email = request.contact_email.strip()
    phone = request.contact_phone.strip()
    if request.topic not in Topic.values:
        errors["topic"] = ["Choose what your question is about."]
    if not subject_line:
        errors["subject_line"] = ["Give your question a short subject."]
    elif len(subject_line) > MAX_SUBJECT_LINE:
        errors["subject_line"] = [f"Keep the subject under {MAX_SUBJECT_LINE + 1} characters."]
    if not content:
        errors["content"] = ["Tell us how we can help."]
    elif len(content) > MAX_CONTENT:
        errors["content"] = [f"Keep your message under {MAX_CONTENT + 1} characters."]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["contact_email"] = ["Enter a valid e-mail address, such as name@example.com."]
        if len(email) > 254:
            errors["contact_email"] = ["Enter a valid e-mail address, such as name@example.com."]
    if phone:
        try:
            phone = normalize_phone_number(phone)
        except ValidationError as problem:
            errors["contact_phone"] = list(problem.messages)
    if not email and not phone:
        errors["contact_email"] = ["Give an e-mail address or a phone number where we can reach you."]
    if errors:
        raise ValidationError(errors)
    return replace(
        request, subject_line=subject_line, content=content, contact_email=email, contact_phone=phone
    )


def _clean_body(body: str) -> str:
    text = body.strip()
    if not text:
        raise ValidationError({"body": ["Write your message first."]})
    if len(text) > MAX_CONTENT:
        raise ValidationError({"body": [f"Keep your message under {MAX_CONTENT + 1} characters."]})
    return text


def _record(action: Any, *, actor: Any, ticket: Ticket, details: dict[str, Any] | None = None) -> None:
    record_event(
        action,
        actor=audit_actor(actor),
        subject=str(ticket.customer.subject_id),
        object=f"support.ticket:{ticket.pk}",
        details=details,
    )


def open_ticket(*, customer: Any, request: TicketRequest) -> Ticket:
    """A new ticket from a logged-in customer; staff cannot open tickets on anyone's behalf."""
    if not is_customer(customer):
        raise PermissionDenied("Only customers open support tickets.")
    clean = clean_ticket_request(request)
    now = timezone.now()
    with transaction.atomic():
        ticket = Ticket.objects.create(
            customer=customer,
            topic=clean.topic,
            subject_line=clean.subject_line,
            content=clean.content,
            contact_email=clean.contact_email,
            contact_phone=clean.contact_phone,
            status=Status.OPEN,
            created_at=now,
            last_activity_at=now,
        )
        _record(TICKET_OPENED, actor=customer, ticket=ticket, details={"topic": ticket.topic})
    return ticket


def reply_to_ticket(*, author: Any, ticket_id: UUID | str, body: str) -> TicketMessage:
    """Add to the thread: the ticket's customer, or support staff who may see the ticket.

    Ticket.DoesNotExist when `author` may not see the ticket (nothing is written).
    """
    text = _clean_body(body)
    from_staff = is_support_staff(author)
    if not (from_staff or is_customer(author)):
        raise PermissionDenied("Only the customer and support staff write on a ticket.")
    now = timezone.now()
    with transaction.atomic():
        ticket = (
            tickets_visible_to(author)
            .select_related("customer")
            .select_for_update(of=("self",))
            .get(pk=ticket_id)
        )
        message = TicketMessage.objects.create(
            ticket=ticket, author=author, body=text, from_staff=from_staff, created_at=now
        )
        ticket.status = Status.ANSWERED if from_staff else Status.OPEN
        ticket.last_activity_at = now
        ticket.closed_at = None
        ticket.save(update_fields=["status", "last_activity_at", "closed_at"])
        _record(
            TICKET_REPLIED,
            actor=author,
            ticket=ticket,
            details={"message": str(message.pk), "from_staff": from_staff, "status": ticket.status},
        )
    return message


def close_ticket(*, staff: Any, ticket_id: UUID | str) -> Ticket:
    """Support closes a ticket it may see; closing a closed ticket changes nothing."""
    if not is_support_staff(staff):
        raise PermissionDenied("Only support staff close tickets.")
    with transaction.atomic():
        ticket = (
            tickets_visible_to(staff)
            .select_related("customer")
            .select_for_update(of=("self",))
            .get(pk=ticket_id)
        )
        if ticket.status != Status.CLOSED:
            now = timezone.now()
            ticket.status, ticket.closed_at, ticket.last_activity_at = Status.CLOSED, now, now
            ticket.save(update_fields=["status", "closed_at", "last_activity_at"])
            _record(TICKET_CLOSED, actor=staff, ticket=ticket)
    return ticket


def view_ticket(*, viewer: Any, ticket_id: UUID | str) -> Ticket:
    """The ticket, for reading; a staff read is written to the audit trail (who, which ticket).

    Ticket.DoesNotExist when `viewer` may not see it; then nothing is recorded, since
    nothing was read.
    """
    with transaction.atomic():
        ticket = tickets_visible_to(viewer).select_related("customer").get(pk=ticket_id)
        if not is_customer(viewer):
            _record(TICKET_VIEWED, actor=viewer, ticket=ticket, details={"role": getattr(viewer, "role", "")})
    return ticket


__all__ = [
    "MAX_CONTENT",
    "MAX_SUBJECT_LINE",
    "TicketRequest",
    "clean_ticket_request",
    "close_ticket",
    "open_ticket",
    "reply_to_ticket",
    "view_ticket",
]
