"""Who may read which support tickets (commitment C37, need-to-know).

- a customer: their own tickets;
- a support agent: every ticket (and, through support, nothing else: no orders, payments
  or addresses; accounts.queries.customers_visible_to gives them no customer);
- the privacy officer: tickets on the "privacy" topic, which are theirs to answer;
- account managers and administrators: none. Account managers talk to their customers in
  the chat; administrators run accounts and roles, and need no one's correspondence.

Every read of a ticket by staff is audited: views and the API open a ticket through
support.actions.view_ticket, which records "support.ticket.viewed". The queue itself shows
no content (topic, status, times and a reference only), so listing it reads nothing personal.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import Case, IntegerField, QuerySet, Value, When

from accounts.models import Role
from accounts.queries import has_role, is_customer
from support.models import Status, Ticket, TicketMessage, Topic

SUPPORT_STAFF_ROLES = (Role.SUPPORT_AGENT, Role.PRIVACY_OFFICER)


def is_support_staff(user: Any) -> bool:
    """Staff who answer tickets (support agents; the privacy officer for privacy tickets)."""
    return has_role(user, *SUPPORT_STAFF_ROLES)


def tickets_visible_to(user: Any) -> QuerySet[Ticket]:
    tickets = Ticket.objects.all()
    if is_customer(user):
        return tickets.filter(customer_id=user.pk)
    if has_role(user, Role.SUPPORT_AGENT):
        return tickets
    if has_role(user, Role.PRIVACY_OFFICER):
        return tickets.filter(topic=Topic.PRIVACY)
    return Ticket.objects.none()


def ticket_visible_to(user: Any, ticket_id: UUID | str) -> Ticket:
    """One ticket `user` may read; Ticket.DoesNotExist for any other id."""
    return tickets_visible_to(user).select_related("customer").get(pk=ticket_id)


def staff_queue(user: Any, *, closed: bool = False) -> QuerySet[Ticket]:
    """The tickets `user` answers: open ones first (waiting for us), then answered, oldest first.

    `closed=True`: the closed tickets instead, oldest first.
    """
    if not is_support_staff(user):
        return Ticket.objects.none()
    tickets = tickets_visible_to(user)
    tickets = tickets.filter(status=Status.CLOSED) if closed else tickets.exclude(status=Status.CLOSED)
    waiting = Case(
        When(status=Status.OPEN, then=Value(0)),
        When(status=Status.ANSWERED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return tickets.annotate(waiting=waiting).order_by("waiting", "created_at", "id")


def thread_of(ticket: Ticket) -> QuerySet[TicketMessage]:
    """The messages after the ticket's first, in the order they were sent."""
    return ticket.messages.order_by("created_at", "id")
