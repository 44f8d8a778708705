"""Support pages: customers write and read their own threads; support staff work the queue (C7, C37)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from addresses.tests.conftest import LogIn, MakeUser, audit_events
from support import actions
from support.actions import TicketRequest
from support.models import Status, Ticket, TicketMessage, Topic

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

QUESTION = TicketRequest(
    topic=Topic.PAYMENT,
    subject_line="Invoice for order 1042",
    content="Could you send the invoice with our VAT number?",
    contact_email="alice.martin@example.com",
)
FORM = {
    "topic": "quote",
    "subject_line": "Anodising colours",
    "content": "Which colours do you offer for 6061?",
    "contact_email": "bob@example.com",
    "contact_phone": "",
}


@pytest.mark.commitment("C7")
def test_a_customer_opens_a_ticket_and_sees_it(make_user: MakeUser, log_in: LogIn) -> None:
    bob = make_user("bob")
    client = log_in(bob)

    form_page = client.get(reverse("support:new"))
    assert form_page.context["form"].initial["contact_email"] == "bob@example.com"

    response = client.post(reverse("support:new"), FORM, follow=True)

    ticket = Ticket.objects.get(customer=bob)
    assert response.redirect_chain == [(reverse("support:detail", args=[ticket.pk]), 302)]
    page = response.content.decode()
    assert "Thank you: we have your message and will answer soon." in page
    assert "Anodising colours" in page
    assert "Which colours do you offer for 6061?" in page
    assert (ticket.topic, ticket.contact_email, ticket.status) == ("quote", "bob@example.com", Status.OPEN)
    assert "Anodising colours" in client.get(reverse("support:list")).content.decode()


@pytest.mark.commitment("C7")
def test_the_form_shows_what_is_missing(make_user: MakeUser, log_in: LogIn) -> None:
    bob = make_user("bob")
    response = log_in(bob).post(reverse("support:new"), {**FORM, "content": "", "contact_email": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "content": ["Tell us how we can help."],
        "contact_email": ["Enter a valid e-mail address, such as name@example.com."],
    }
    assert not Ticket.objects.exists()


def test_the_empty_list_invites_a_first_question(make_user: MakeUser, log_in: LogIn) -> None:
    page = log_in(make_user("bob")).get(reverse("support:list")).content.decode()
    assert "No questions yet" in page


@pytest.mark.commitment("C7")
def test_the_customer_replies_and_sees_the_staff_answer(make_user: MakeUser, log_in: LogIn) -> None:
    alice, sam = make_user("alice"), make_user("sam", role=Role.SUPPORT_AGENT)
    ticket = actions.open_ticket(customer=alice, request=QUESTION)
    actions.reply_to_ticket(author=sam, ticket_id=ticket.pk, body="Here it is, attached to your order page.")
    client = log_in(alice)
    url = reverse("support:detail", args=[ticket.pk])

    page = client.get(url).content.decode()
    assert "SogaWorks support" in page
    assert "Here it is, attached to your order page." in page
    assert "sam" not in page  # staff are not named to customers

    assert client.post(url, {"body": "Thanks!"}).status_code == 302
    assert [m.body for m in TicketMessage.objects.filter(ticket=ticket, from_staff=False)] == ["Thanks!"]
    empty = client.post(url, {"body": ""})
    assert empty.context["form"].errors == {"body": ["Write your message first."]}


@pytest.mark.commitment("C37")
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_customers_ticket_is_a_404_and_nothing_is_written(
    make_user: MakeUser, log_in: LogIn, method: str
) -> None:
    ticket = actions.open_ticket(customer=make_user("alice"), request=QUESTION)
    mallory = log_in(make_user("mallory"))

    response = getattr(mallory, method)(reverse("support:detail", args=[ticket.pk]), {"body": "hi"})

    assert response.status_code == 404
    body = response.content.decode()
    assert "Invoice for order 1042" not in body
    assert "VAT number" not in body
    assert not TicketMessage.objects.exists()
    assert "Invoice for order 1042" not in mallory.get(reverse("support:list")).content.decode()


@pytest.mark.commitment("C37")
def test_the_staff_queue_shows_no_content_and_opening_a_ticket_is_audited(
    make_user: MakeUser, log_in: LogIn
) -> None:
    alice, sam = make_user("alice"), make_user("sam", role=Role.SUPPORT_AGENT)
    ticket = actions.open_ticket(customer=alice, request=QUESTION)
    agent = log_in(sam)

    queue = agent.get(reverse("support:staff_queue"))
    assert queue.status_code == 200
    assert queue["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    queue_page = queue.content.decode()
    assert ticket.reference in queue_page
    assert "Payment" in queue_page
    assert "Invoice for order 1042" not in queue_page
    assert audit_events("support.ticket.viewed") == []

    detail = agent.get(reverse("support:staff_ticket", args=[ticket.pk])).content.decode()
    assert "Could you send the invoice with our VAT number?" in detail
    assert "alice.martin@example.com" in detail
    assert [(e["actor"], e["object"]) for e in audit_events("support.ticket.viewed")] == [
        (f"subject:{sam.subject_id}", f"support.ticket:{ticket.pk}")
    ]


@pytest.mark.commitment("C7")
def test_an_agent_replies_and_closes(make_user: MakeUser, log_in: LogIn) -> None:
    alice, sam = make_user("alice"), make_user("sam", role=Role.SUPPORT_AGENT)
    ticket = actions.open_ticket(customer=alice, request=QUESTION)
    agent = log_in(sam)

    replied = agent.post(reverse("support:staff_ticket", args=[ticket.pk]), {"body": "Sent!"})
    assert replied["Location"] == reverse("support:staff_queue")
    closed = agent.post(reverse("support:staff_close", args=[ticket.pk]))
    assert closed.status_code == 302

    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert [(m.body, m.from_staff) for m in TicketMessage.objects.filter(ticket=ticket)] == [("Sent!", True)]
    assert agent.get(reverse("support:staff_close", args=[ticket.pk])).status_code == 405


@pytest.mark.commitment("C37")
@pytest.mark.parametrize("role", [Role.ACCOUNT_MANAGER, Role.ADMINISTRATOR])
def test_staff_outside_support_see_no_tickets(make_user: MakeUser, log_in: LogIn, role: str) -> None:
    ticket = actions.open_ticket(customer=make_user("alice"), request=QUESTION)
    staff = log_in(make_user("staffer", role=role))

    for url in (
        reverse("support:staff_queue"),
        reverse("support:staff_ticket", args=[ticket.pk]),
        reverse("support:detail", args=[ticket.pk]),
    ):
        response = staff.get(url)
        assert response.status_code == 403
        assert "Invoice for order 1042" not in response.content.decode()
    assert staff.post(reverse("support:staff_close", args=[ticket.pk])).status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).status == Status.OPEN
    assert audit_events("support.ticket.viewed") == []


@pytest.mark.commitment("C37")
def test_the_privacy_officer_sees_privacy_tickets_only(make_user: MakeUser, log_in: LogIn) -> None:
    alice = make_user("alice")
    payment = actions.open_ticket(customer=alice, request=QUESTION)
    privacy = actions.open_ticket(
        customer=alice,
        request=TicketRequest(
            topic=Topic.PRIVACY,
            subject_line="My data",
            content="What do you keep?",
            contact_email="a@example.com",
        ),
    )
    officer = log_in(make_user("priya", role=Role.PRIVACY_OFFICER))

    assert officer.get(reverse("support:staff_ticket", args=[payment.pk])).status_code == 404
    assert (
        "What do you keep?"
        in officer.get(reverse("support:staff_ticket", args=[privacy.pk])).content.decode()
    )
    assert [e["object"] for e in audit_events("support.ticket.viewed")] == [f"support.ticket:{privacy.pk}"]


@pytest.mark.commitment("C37")
def test_support_agents_cannot_reach_the_address_book(make_user: MakeUser, log_in: LogIn) -> None:
    agent = log_in(make_user("sam", role=Role.SUPPORT_AGENT))
    assert agent.get(reverse("addresses:list")).status_code == 403
    assert agent.get(reverse("addresses:staff_search"), {"phone": "+447400123456"}).status_code == 403
    assert agent.get("/api/addresses/").status_code == 401


def test_staff_without_their_second_factor_are_sent_to_log_in(make_user: MakeUser) -> None:
    ticket = actions.open_ticket(customer=make_user("alice"), request=QUESTION)
    half_logged_in = Client()
    half_logged_in.force_login(make_user("sam", role=Role.SUPPORT_AGENT))  # no TOTP step in this session

    response = half_logged_in.get(reverse("support:staff_ticket", args=[ticket.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")
    assert audit_events("support.ticket.viewed") == []
