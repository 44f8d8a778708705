"""The chat pages, the polling endpoint and downloads (C5, C37)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from accounts.models import Role, User
from chat import actions
from chat.models import Attachment, Message, Thread
from chat.tests import media_samples as samples
from chat.tests.conftest import upload
from orders.tests.factories import audit_actions, files_under, logged_in, make_user

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

XSS = "<script>alert(1)</script>"


def thread_url(thread: Thread) -> str:
    return reverse("chat:thread", args=[thread.pk])


def poll_url(thread: Thread) -> str:
    return reverse("chat:messages", args=[thread.pk])


def file_url(attachment: Attachment) -> str:
    return reverse("chat:attachment", args=[attachment.message.thread_id, attachment.pk])


def body_of(response: object) -> bytes:
    streaming = getattr(response, "streaming_content", None)
    return b"".join(streaming) if streaming is not None else getattr(response, "content", b"")


@pytest.mark.commitment("C5")
def test_a_customer_writes_without_javascript_and_sees_the_message(customer: User, manager: User) -> None:
    client = logged_in(customer)
    assert "No messages yet" in client.get(reverse("chat:home")).content.decode()

    response = client.post(
        reverse("chat:home"),
        {"body": "Can you machine PEEK?", "attachments": [upload("part.png", samples.png())]},
        follow=True,
    )

    thread = Thread.objects.get(customer=customer)
    assert response.redirect_chain == [(thread_url(thread), 302)]
    page = response.content.decode()
    assert "Can you machine PEEK?" in page
    assert "part.png" in page
    assert reverse("chat:messages", args=[thread.pk]) in page  # the page polls for news
    assert client.get(reverse("chat:home")).url == thread_url(thread)  # the customer's chat is their thread


@pytest.mark.commitment("C5")
def test_the_manager_sees_unread_counts_and_reading_clears_them(
    customer: User, manager: User, other_customer: User
) -> None:
    bob = make_user(Role.CUSTOMER, manager=manager, name="bobby")
    actions.send_message(author=customer, customer=customer, body="one")
    thread = actions.send_message(author=customer, customer=customer, body="two").thread
    client = logged_in(manager)

    inbox = client.get(reverse("chat:home"))
    entries = [(entry.customer.username, entry.unread) for entry in inbox.context["entries"]]
    assert entries == [("alice", 2), ("bobby", 0)]
    page = inbox.content.decode()
    assert thread_url(thread) in page
    assert reverse("chat:start", args=[bob.pk]) in page
    assert "bob" not in [entry.customer.username for entry in inbox.context["entries"]]  # oscar's customer

    assert "two" in client.get(thread_url(thread)).content.decode()
    assert [(e.customer.username, e.unread) for e in client.get(reverse("chat:home")).context["entries"]] == [
        ("alice", 0),
        ("bobby", 0),
    ]


@pytest.mark.commitment("C5")
def test_a_manager_starts_a_conversation_with_an_assigned_customer(customer: User, manager: User) -> None:
    client = logged_in(manager)
    start = reverse("chat:start", args=[customer.pk])

    response = client.post(start, {"body": "Welcome! I am your account manager."})

    thread = Thread.objects.get(customer=customer)
    assert response.url == thread_url(thread)
    assert client.get(start).url == thread_url(thread)
    assert "Your account manager" in logged_in(customer).get(thread_url(thread)).content.decode()


@pytest.mark.commitment("C5", "C37")
def test_a_message_with_a_script_is_shown_as_text(customer: User, manager: User) -> None:
    thread = actions.send_message(author=customer, customer=customer, body=XSS).thread

    page = logged_in(manager).get(thread_url(thread)).content.decode()
    polled = logged_in(manager).get(poll_url(thread), {"after": 0})

    assert XSS not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert polled["Content-Type"] == "application/json"
    assert polled.json()["messages"][0]["body"] == XSS


@pytest.mark.commitment("C5")
def test_the_poll_returns_only_what_is_new_in_order(customer: User, manager: User) -> None:
    thread = actions.send_message(author=customer, customer=customer, body="first").thread
    second = actions.send_message(author=manager, customer=customer, body="second")
    third = actions.send_message(
        author=customer, customer=customer, body="third", uploads=[upload("photo.jpg", samples.jpeg())]
    )
    client = logged_in(customer)

    data = client.get(poll_url(thread), {"after": 1}).json()

    attachment = third.attachments.get()
    assert data == {
        "messages": [
            {
                "id": str(second.pk),
                "seq": 2,
                "mine": False,
                "from_staff": True,
                "author": "Your account manager",
                "body": "second",
                "created_at": data["messages"][0]["created_at"],
                "read": True,  # this poll showed it to the customer
                "attachments": [],
            },
            {
                "id": str(third.pk),
                "seq": 3,
                "mine": True,
                "from_staff": False,
                "author": "You",
                "body": "third",
                "created_at": data["messages"][1]["created_at"],
                "read": False,
                "attachments": [
                    {
                        "id": str(attachment.pk),
                        "kind": "image",
                        "name": "photo.jpg",
                        "content_type": "image/jpeg",
                        "size": attachment.size,
                        "width": 40,
                        "height": 30,
                        "url": file_url(attachment),
                    }
                ],
            },
        ],
        "last_seq": 3,
        "read_through": 0,
    }
    assert Message.objects.get(pk=second.pk).read_at is not None
    assert client.get(poll_url(thread), {"after": 3}).json() == {
        "messages": [],
        "last_seq": 3,
        "read_through": 0,
    }
    assert client.get(poll_url(thread), {"after": "x"}).status_code == 400


@pytest.mark.commitment("C5")
def test_the_page_script_sends_with_fetch_and_gets_json(customer: User, manager: User) -> None:
    client = logged_in(customer)
    json_headers = {"Accept": "application/json"}

    sent = client.post(reverse("chat:home"), {"body": "via fetch"}, headers=json_headers)
    refused = client.post(
        reverse("chat:home"),
        {"body": "", "attachments": [upload("x.png", samples.HTML)]},
        headers=json_headers,
    )

    assert sent.status_code == 201
    assert (sent.json()["message"]["body"], sent.json()["message"]["seq"]) == ("via fetch", 1)
    assert refused.status_code == 422
    assert refused.json()["code"] == "unknown_type"
    assert refused.json()["detail"].startswith("x.png: This file is not one we accept.")
    assert Message.objects.count() == 1


@pytest.mark.commitment("C5")
def test_a_hostile_upload_on_the_page_gets_a_clear_error_and_nothing_is_kept(
    customer: User, manager: User, media_root: Path
) -> None:
    response = logged_in(customer).post(
        reverse("chat:home"), {"body": "look", "attachments": [upload("cat.png", samples.HTML)]}
    )

    assert response.status_code == 200
    assert "cat.png: This file is not one we accept." in response.content.decode()
    assert (Thread.objects.count(), Message.objects.count(), Attachment.objects.count()) == (0, 0, 0)
    assert files_under(media_root) == []


@pytest.mark.commitment("C5", "C37")
def test_downloads_have_safe_types_and_dispositions(customer: User, manager: User) -> None:
    message = actions.send_message(
        author=customer,
        customer=customer,
        uploads=[
            upload("sketch.png", samples.png(gps=True)),
            upload("voice.mp3", samples.mp3()),
            upload("Ångström part.stl", samples.stl()),
        ],
    )
    image, voice, cube = message.attachments.order_by("position")
    client = logged_in(manager)

    responses = [client.get(file_url(attachment)) for attachment in (image, voice, cube)]

    assert [(r.status_code, r["Content-Type"]) for r in responses] == [
        (200, "image/png"),
        (200, "audio/mpeg"),
        (200, "model/stl"),
    ]
    assert [r["Content-Disposition"].split(";")[0] for r in responses] == [
        "inline",
        "attachment",
        "attachment",
    ]
    assert responses[2]["Content-Disposition"] == (
        "attachment; filename=\"_ngstr_m part.stl\"; filename*=UTF-8''%C3%85ngstr%C3%B6m%20part.stl"
    )
    for response in responses:
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "default-src 'none'; sandbox" in response["Content-Security-Policy"]
    stored = Image.open(io.BytesIO(body_of(responses[0])))
    assert (stored.format, dict(stored.getexif())) == ("PNG", {})
    assert body_of(responses[1]) == samples.mp3()


@pytest.mark.commitment("C5")
def test_a_video_is_served_in_byte_ranges(customer: User, manager: User) -> None:
    video = samples.mp4(media=bytes(range(256)) * 200)
    attachment = actions.send_message(
        author=customer, customer=customer, uploads=[upload("clip.mp4", video)]
    ).attachments.get()
    client = logged_in(manager)

    partial = client.get(file_url(attachment), headers={"Range": "bytes=1000-1999"})
    tail = client.get(file_url(attachment), headers={"Range": "bytes=-10"})

    assert partial.status_code == 206
    assert partial["Content-Range"] == f"bytes 1000-1999/{len(video)}"
    assert partial["Content-Length"] == "1000"
    assert partial["Content-Type"] == "video/mp4"
    assert body_of(partial) == video[1000:2000]
    assert (tail.status_code, body_of(tail)) == (206, video[-10:])


@pytest.mark.commitment("C37")
def test_a_managers_download_of_a_customers_file_is_audited_once(customer: User, manager: User) -> None:
    attachment = actions.send_message(
        author=customer, customer=customer, uploads=[upload("clip.mp4", samples.mp4())]
    ).attachments.get()
    before = audit_actions()

    logged_in(customer).get(file_url(attachment))  # the customer's own file: not a disclosure
    body_of(logged_in(manager).get(file_url(attachment), headers={"Range": "bytes=0-"}))
    body_of(
        logged_in(manager).get(file_url(attachment), headers={"Range": "bytes=500-"})
    )  # the player seeking

    assert audit_actions()[len(before) :] == ["chat.attachment.downloaded"]


def outsiders() -> list[tuple[str, str]]:
    return [
        ("customer", "another customer"),
        ("account_manager", "another account manager"),
        ("support_agent", "a support agent"),
        ("privacy_officer", "the privacy officer"),
        ("administrator", "an administrator"),
    ]


@pytest.mark.commitment("C37")
@pytest.mark.parametrize(("role", "who"), outsiders())
def test_nobody_outside_the_conversation_gets_anything(
    customer: User, manager: User, other_manager: User, media_root: Path, role: str, who: str
) -> None:
    message = actions.send_message(
        author=customer,
        customer=customer,
        body="Our secret launch is on 12 May",
        uploads=[upload("launch-plan.png", samples.png())],
    )
    thread, attachment = message.thread, message.attachments.get()
    outsider = make_user(role, manager=other_manager if role == Role.CUSTOMER else None)
    client: Client = logged_in(outsider)
    files_before, audit_before = files_under(media_root), audit_actions()

    responses = [
        client.get(thread_url(thread)),
        client.post(thread_url(thread), {"body": "let me in"}),
        client.post(thread_url(thread), {"body": "let me in"}, headers={"Accept": "application/json"}),
        client.get(poll_url(thread), {"after": 0}),
        client.get(file_url(attachment)),
        client.get(file_url(attachment), headers={"Range": "bytes=0-10"}),
        client.get(reverse("chat:start", args=[customer.pk])),
    ]

    assert [response.status_code for response in responses][:6] == [404] * 6, who
    assert responses[6].status_code in (403, 404)
    for response in responses:
        text = body_of(response)
        assert b"secret launch" not in text
        assert b"launch-plan" not in text
        assert str(thread.pk).encode() not in text
    assert Message.objects.count() == 1
    assert Message.objects.get().read_at is None
    assert files_under(media_root) == files_before
    assert audit_actions() == audit_before


@pytest.mark.commitment("C37")
@pytest.mark.parametrize("role", [Role.SUPPORT_AGENT, Role.PRIVACY_OFFICER, Role.ADMINISTRATOR])
def test_staff_without_conversations_are_refused_the_chat_pages(db: None, role: str) -> None:
    assert logged_in(make_user(role)).get(reverse("chat:home")).status_code == 403


def test_a_logged_out_visitor_is_sent_to_log_in(customer: User, manager: User) -> None:
    thread = actions.send_message(author=customer, customer=customer, body="hello").thread
    for url in (reverse("chat:home"), thread_url(thread), poll_url(thread)):
        response = Client().get(url)
        assert response.status_code == 302
        assert response.url.startswith("/account/login/")


def test_staff_without_their_second_factor_are_sent_to_log_in(customer: User, manager: User) -> None:
    thread = actions.send_message(author=customer, customer=customer, body="hello").thread
    client = Client()
    client.force_login(manager, backend="accounts.backends.AccountBackend")  # no TOTP step
    response = client.get(thread_url(thread))
    assert response.status_code == 302
    assert response.url.startswith("/account/login/")
