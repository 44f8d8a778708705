"""Support tickets: contact, time, topic and content kept (C7), encrypted, and read only by
the customer and the support staff who need them, every staff read audited (C37)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role
from addresses.tests.conftest import MakeUser, audit_events, raw_text
from support import actions
from support.actions import TicketRequest
from support.models import Status, Ticket, TicketMessage, Topic
from support.queries import staff_queue, thread_of, tickets_visible_to

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

QUESTION = TicketRequest(
    topic=Topic.ORDER,
    subject_line="  Brackets arrived bent  ",
    content="Two of the ten brackets in order 1042 arrived bent. Can you remake them?",
    contact_email="alice.martin@example.com",
    contact_phone="+44 7400 123456",
)


@pytest.mark.commitment("C7")
def test_a_ticket_keeps_contact_time_topic_and_content(make_user: MakeUser) -> None:
    alice = make_user("alice")

    ticket = actions.open_ticket(customer=alice, request=QUESTION)

    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.topic, stored.subject_line, stored.content) == (
        "order",
        "Brackets arrived bent",
        "Two of the ten brackets in order 1042 arrived bent. Can you remake them?",
    )
    assert (stored.contact_email, stored.contact_phone) == ("alice.martin@example.com", "+447400123456")
    assert stored.created_at == ticket.created_at
    assert (stored.status, stored.customer_id) == (Status.OPEN, alice.pk)
    assert audit_events("support.ticket.opened") == [
        {
            "actor": f"subject:{alice.subject_id}",
            "subject": str(alice.subject_id),
            "object": f"support.ticket:{ticket.pk}",
            "details": {"topic": "order"},
        }
    ]


@pytest.mark.commitment("C7")
def test_a_ticket_needs_a_topic_a_subject_content_and_a_way_to_answer(make_user: MakeUser) -> None:
    alice = make_user("alice")
    with pytest.raises(ValidationError) as problem:
        actions.open_ticket(
            customer=alice,
            request=TicketRequest(topic="gossip", subject_line=" ", content="", contact_phone="12"),
        )
    assert problem.value.message_dict == {
        "topic": ["Choose what your question is about."],
        "subject_line": ["Give your question a short subject."],
        "content": ["Tell us how we can help."],
        "contact_phone": ["Enter a valid phone number with its country code, for example +86 138 0013 8000."],
    }
    with pytest.raises(ValidationError) as no_contact:
        actions.open_ticket(
            customer=alice, request=TicketRequest(topic="other", subject_line="Hi", content="Hello")
        )
    assert no_contact.value.message_dict == {
        "contact_email": ["Give an e-mail address or a phone number where we can reach you."]
    }
    assert not Ticket.objects.exists()
    assert audit_events("support.ticket.opened") == []


@pytest.mark.commitment("C7")
def test_the_thread_and_the_status_follow_the_conversation(make_user: MakeUser) -> None:
    alice, sam = make_user("alice"), make_user("sam", role=Role.SUPPORT_AGENT)
    ticket = actions.open_ticket(customer=alice, request=QUESTION)

    answer = actions.reply_to_ticket(author=sam, ticket_id=ticket.pk, body="Sorry! We remake them today.")
    ticket.refresh_from_db()
    assert ticket.status == Status.ANSWERED

    thanks = actions.reply_to_ticket(author=alice, ticket_id=ticket.pk, body=" Thank you! ")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN

    actions.close_ticket(staff=sam, ticket_id=ticket.pk)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.closed_at is not None) == (Status.CLOSED, True)

    assert [(m.pk, m.from_staff, m.body, m.author_id) for m in thread_of(ticket)] == [
        (answer.pk, True, "Sorry! We remake them today.", sam.pk),
        (thanks.pk, False, "Thank you!", alice.pk),
    ]
    assert [e["details"] for e in audit_events("support.ticket.replied")] == [
        {"message": str(answer.pk), "from_staff": True, "status": "answered"},
        {"message": str(thanks.pk), "from_staff": False, "status": "open"},
    ]
    assert [e["actor"] for e in audit_events("support.ticket.closed")] == [f"subject:{sam.subject_id}"]

    # A customer writing again opens a closed ticket.
    actions.reply_to_ticket(author=alice, ticket_id=ticket.pk, body="One more thing.")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.closed_at) == (Status.OPEN, None)


def test_an_empty_reply_is_refused_and_writes_nothing(make_user: MakeUser) -> None:
    alice = make_user("alice")
    ticket = actions.open_ticket(customer=alice, request=QUESTION)
    with pytest.raises(ValidationError) as problem:
        actions.reply_to_ticket(author=alice, ticket_id=ticket.pk, body="   ")
    assert problem.value.message_dict == {"body": ["Write your message first."]}
    assert not TicketMessage.objects.exists()


@pytest.mark.commitment("C37")
def test_who_sees_which_tickets(make_user: MakeUser) -> None:
    alice, bob = make_user("alice"), make_user("bob")
    order_question = actions.open_ticket(customer=alice, request=QUESTION)
    privacy_question = actions.open_ticket(
        customer=bob,
        request=TicketRequest(
            topic=Topic.PRIVACY,
            subject_line="My data",
            content="What do you keep?",
            contact_email="b@example.com",
        ),
    )
    people = {
        "alice": alice,
        "bob": bob,
        "agent": make_user("sam", role=Role.SUPPORT_AGENT),
        "officer": make_user("priya", role=Role.PRIVACY_OFFICER),
        "manager": make_user("maria", role=Role.ACCOUNT_MANAGER),
        "admin": make_user("root", role=Role.ADMINISTRATOR),
    }

    seen = {name: set(tickets_visible_to(user).values_list("pk", flat=True)) for name, user in people.items()}

    assert seen == {
        "alice": {order_question.pk},
        "bob": {privacy_question.pk},
        "agent": {order_question.pk, privacy_question.pk},
        "officer": {privacy_question.pk},
        "manager": set(),
        "admin": set(),
    }


@pytest.mark.commitment("C37")
def test_a_customer_cannot_read_or_answer_anothers_ticket(make_user: MakeUser) -> None:
    ticket = actions.open_ticket(customer=make_user("alice"), request=QUESTION)
    mallory = make_user("mallory")

    with pytest.raises(Ticket.DoesNotExist):
        actions.view_ticket(viewer=mallory, ticket_id=ticket.pk)
    with pytest.raises(Ticket.DoesNotExist):
        actions.reply_to_ticket(author=mallory, ticket_id=ticket.pk, body="Hi")
    with pytest.raises(PermissionDenied):
        actions.close_ticket(staff=mallory, ticket_id=ticket.pk)

    assert not TicketMessage.objects.exists()
    assert Ticket.objects.get(pk=ticket.pk).status == Status.OPEN
    assert audit_events("support.ticket.viewed") == []


@pytest.mark.commitment("C37")
def test_staff_outside_support_cannot_reply_or_close(make_user: MakeUser) -> None:
    ticket = actions.open_ticket(customer=make_user("alice"), request=QUESTION)
    manager = make_user("maria", role=Role.ACCOUNT_MANAGER)
    with pytest.raises(PermissionDenied):
        actions.reply_to_ticket(author=manager, ticket_id=ticket.pk, body="Hello")
    with pytest.raises(PermissionDenied):
        actions.close_ticket(staff=manager, ticket_id=ticket.pk)
    with pytest.raises(Ticket.DoesNotExist):
        actions.view_ticket(viewer=manager, ticket_id=ticket.pk)
    with pytest.raises(PermissionDenied):
        actions.open_ticket(customer=manager, request=QUESTION)
    assert not TicketMessage.objects.exists()
    assert Ticket.objects.count() == 1


@pytest.mark.commitment("C37")
def test_every_staff_read_is_audited_without_content(make_user: MakeUser) -> None:
    alice, sam = make_user("alice"), make_user("sam", role=Role.SUPPORT_AGENT)
    ticket = actions.open_ticket(customer=alice, request=QUESTION)

    actions.view_ticket(viewer=alice, ticket_id=ticket.pk)  # the customer's own read: not a staff read
    actions.view_ticket(viewer=sam, ticket_id=ticket.pk)
    actions.view_ticket(viewer=sam, ticket_id=ticket.pk)

    assert (
        audit_events("support.ticket.viewed")
        == [
            {
                "actor": f"subject:{sam.subject_id}",
                "subject": str(alice.subject_id),
                "object": f"support.ticket:{ticket.pk}",
                "details": {"role": "support_agent"},
            }
        ]
        * 2
    )


def test_the_queue_puts_waiting_tickets_first_oldest_first(make_user: MakeUser) -> None:
    alice, sam = make_user("alice"), make_user("sam", role=Role.SUPPORT_AGENT)
    first, second, third, fourth = (actions.open_ticket(customer=alice, request=QUESTION) for _ in range(4))
    actions.reply_to_ticket(author=sam, ticket_id=first.pk, body="Answered.")
    actions.close_ticket(staff=sam, ticket_id=third.pk)

    assert list(staff_queue(sam)) == [second, fourth, first]
    assert list(staff_queue(sam, closed=True)) == [third]
    assert list(staff_queue(alice)) == []


@pytest.mark.commitment("C7")
@pytest.mark.commitment("C37")
def test_the_tables_hold_no_readable_contact_or_content(make_user: MakeUser) -> None:
    alice, sam = make_user("alice"), make_user("sam", role=Role.SUPPORT_AGENT)
    ticket = actions.open_ticket(customer=alice, request=QUESTION)
    actions.reply_to_ticket(author=sam, ticket_id=ticket.pk, body="We remake the brackets today.")

    stored = raw_text(Ticket._meta.db_table) + raw_text(TicketMessage._meta.db_table)

    for plaintext in ("alice.martin@example.com", "447400123456", "Brackets arrived", "order 1042", "remake"):
        assert plaintext not in stored, plaintext
    assert "order" in stored  # the topic is a fixed choice, stored as it is


def test_demo_tickets_are_created_once_with_a_staff_reply(make_user: MakeUser) -> None:
    from support.demo import create_demo_tickets

    alice, bob, sam = make_user("alice"), make_user("bob"), make_user("sam", role=Role.SUPPORT_AGENT)

    first = create_demo_tickets([alice, bob], agent=sam)
    again = create_demo_tickets([alice, bob], agent=sam)

    assert (len(first), again) == (2, [])
    assert [(t.status, [m.from_staff for m in thread_of(t)]) for t in first] == [
        (Status.ANSWERED, [True]),
        (Status.ANSWERED, [True]),
    ]
