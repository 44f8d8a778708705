"""The support JSON API: customers' own tickets; the staff queue for support (C7, C37)."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Role
from addresses.tests.conftest import LogIn, MakeUser, audit_events
from support import actions
from support.actions import TicketRequest
from support.models import Status, Ticket, TicketMessage, Topic

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

QUESTION = TicketRequest(
    topic=Topic.ACCOUNT,
    subject_line="Change of company name",
    content="We renamed the company; can the invoices show the new name?",
    contact_email="alice.martin@example.com",
)
BODY = {
    "topic": "quote",
    "subject_line": "Lead time for 500 parts",
    "content": "How long would 500 CNC brackets take?",
    "contact_phone": "+86 138 0013 8000",
}


@pytest.mark.commitment("C7")
def test_a_customer_opens_lists_reads_and_replies(make_user: MakeUser, log_in: LogIn) -> None:
    bob = make_user("bob")
    client = log_in(bob)

    opened = client.post("/api/support/tickets", BODY, content_type="application/json")

    assert opened.status_code == 201
    data = opened.json()
    ticket = Ticket.objects.get(customer=bob)
    assert data == {
        "id": str(ticket.pk),
        "reference": ticket.reference,
        "topic": "quote",
        "subject_line": "Lead time for 500 parts",
        "status": "open",
        "created_at": data["created_at"],
        "last_activity_at": data["last_activity_at"],
        "content": "How long would 500 CNC brackets take?",
        "contact_email": "",
        "contact_phone": "+8613800138000",
        "closed_at": None,
        "messages": [],
    }
    assert [item["id"] for item in client.get("/api/support/tickets").json()] == [str(ticket.pk)]

    reply = client.post(
        f"/api/support/tickets/{ticket.pk}/replies", {"body": "Also 1000?"}, content_type="application/json"
    )
    assert reply.status_code == 201
    assert reply.json()["from_staff"] is False
    read = client.get(f"/api/support/tickets/{ticket.pk}").json()
    assert [m["body"] for m in read["messages"]] == ["Also 1000?"]


@pytest.mark.commitment("C7")
def test_problems_come_back_as_422(make_user: MakeUser, log_in: LogIn) -> None:
    response = log_in(make_user("bob")).post(
        "/api/support/tickets", {**BODY, "topic": "", "contact_phone": "12"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": "Please correct the fields named.",
        "errors": {
            "topic": ["Choose what your question is about."],
            "contact_phone": [
                "Enter a valid phone number with its country code, for example +86 138 0013 8000."
            ],
        },
    }
    assert not Ticket.objects.exists()


@pytest.mark.commitment("C37")
def test_another_customers_ticket_is_a_404(make_user: MakeUser, log_in: LogIn) -> None:
    ticket = actions.open_ticket(customer=make_user("alice"), request=QUESTION)
    mallory = log_in(make_user("mallory"))

    read = mallory.get(f"/api/support/tickets/{ticket.pk}")
    reply = mallory.post(
        f"/api/support/tickets/{ticket.pk}/replies", {"body": "hi"}, content_type="application/json"
    )

    assert (read.status_code, reply.status_code) == (404, 404)
    assert read.json() == reply.json() == {"detail": "No such ticket."}
    assert mallory.get("/api/support/tickets").json() == []
    assert not TicketMessage.objects.exists()


@pytest.mark.commitment("C37")
def test_the_agent_queue_carries_no_content_and_reads_are_audited(make_user: MakeUser, log_in: LogIn) -> None:
    alice, sam = make_user("alice"), make_user("sam", role=Role.SUPPORT_AGENT)
    ticket = actions.open_ticket(customer=alice, request=QUESTION)
    agent = log_in(sam)

    queue = agent.get("/api/support/queue").json()
    assert queue == [
        {
            "id": str(ticket.pk),
            "reference": ticket.reference,
            "topic": "account",
            "status": "open",
            "created_at": queue[0]["created_at"],
            "last_activity_at": queue[0]["last_activity_at"],
        }
    ]
    assert audit_events("support.ticket.viewed") == []

    read = agent.get(f"/api/support/queue/{ticket.pk}")
    assert read.json()["content"] == "We renamed the company; can the invoices show the new name?"
    assert [(e["actor"], e["object"]) for e in audit_events("support.ticket.viewed")] == [
        (f"subject:{sam.subject_id}", f"support.ticket:{ticket.pk}")
    ]

    answer = agent.post(
        f"/api/support/queue/{ticket.pk}/replies", {"body": "Yes."}, content_type="application/json"
    )
    assert answer.json()["from_staff"] is True
    closed = agent.post(f"/api/support/queue/{ticket.pk}/close")
    assert closed.json()["status"] == "closed"
    assert Ticket.objects.get(pk=ticket.pk).status == Status.CLOSED


@pytest.mark.commitment("C37")
def test_customers_and_other_staff_are_kept_out_of_the_queue(make_user: MakeUser, log_in: LogIn) -> None:
    ticket = actions.open_ticket(customer=make_user("alice"), request=QUESTION)
    outsiders = [
        log_in(make_user("bob")),
        log_in(make_user("maria", role=Role.ACCOUNT_MANAGER)),
        log_in(make_user("root", role=Role.ADMINISTRATOR)),
        Client(),
    ]
    for outsider in outsiders:
        for response in (
            outsider.get("/api/support/queue"),
            outsider.get(f"/api/support/queue/{ticket.pk}"),
            outsider.post(f"/api/support/queue/{ticket.pk}/close"),
        ):
            assert response.status_code == 401
            assert "company" not in response.content.decode()
    # Support agents use the queue, not the customers' endpoints.
    agent = log_in(make_user("sam", role=Role.SUPPORT_AGENT))
    assert agent.get("/api/support/tickets").status_code == 401
    assert Ticket.objects.get(pk=ticket.pk).status == Status.OPEN
    assert audit_events("support.ticket.viewed") == []
