"""Demo support tickets for `make run`: one for each demo customer, answered by support.

DEMO ONLY. Idempotent: a customer who already has a ticket is left as they are. Created
through the actions, so the demo goes through the same checks and audit trail.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from support.actions import TicketRequest, open_ticket, reply_to_ticket
from support.models import Ticket, Topic
from support.queries import tickets_visible_to

DEMO_TICKETS: tuple[tuple[TicketRequest, str], ...] = (
    (
        TicketRequest(
            topic=Topic.ORDER,
            subject_line="Can the brackets ship before Friday?",
            content="Hello, our assembly line starts on Monday. Could the aluminium brackets of my last "
            "order ship a day or two earlier? Thank you!",
            contact_email="workshop@example.com",
        ),
        "Hello! Production finishes on Wednesday, so we can ship on Thursday by express. "
        "We will send you the tracking number as soon as the parcel leaves.",
    ),
    (
        TicketRequest(
            topic=Topic.QUOTE,
            subject_line="Anodising colours for 6061",
            content="Which anodising colours do you offer for 6061 aluminium parts?",
            contact_email="lab@example.com",
            contact_phone="+86 138 0013 8000",
        ),
        "We offer clear, black, red, blue, gold and green anodising on 6061. "
        "Choose the finish in your quote request and your account manager will price it.",
    ),
)


def create_demo_tickets(customers: Iterable[Any], *, agent: Any) -> list[Ticket]:
    """One ticket for each customer without tickets, with a reply from `agent` (a support agent)."""
    if getattr(settings, "PRODUCTION", False):
        raise ImproperlyConfigured("Demo tickets are never created in production.")
    created: list[Ticket] = []
    for index, customer in enumerate(customers):
        if tickets_visible_to(customer).exists():
            continue
        request, answer = DEMO_TICKETS[index % len(DEMO_TICKETS)]
        ticket = open_ticket(customer=customer, request=request)
        created.append(reply_to_ticket(author=agent, ticket_id=ticket.pk, body=answer).ticket)
    return created
