"""The chat JSON API: the same actions and the same two-sides rule as the pages (C5, C37)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from accounts.models import Role, User
from chat import actions
from chat.models import Attachment, Message, Thread
from chat.tests import media_samples as samples
from chat.tests.conftest import upload
from orders.tests.factories import audit_actions, files_under, logged_in, make_user

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

API = "/api/chat"
XSS = "<script>alert(1)</script>"


def body_of(response: object) -> bytes:
    streaming = getattr(response, "streaming_content", None)
    return b"".join(streaming) if streaming is not None else getattr(response, "content", b"")


@pytest.mark.commitment("C5")
def test_a_customer_starts_a_conversation_with_a_file_and_reads_the_answer(
    customer: User, manager: User
) -> None:
    client = logged_in(customer)

    started = client.post(f"{API}/messages", {"body": XSS, "files": [upload("cube.stl", samples.stl())]})

    assert started.status_code == 201
    sent = started.json()
    thread = Thread.objects.get(customer=customer)
    attachment = Attachment.objects.get()
    assert (sent["seq"], sent["body"], sent["mine"], sent["author"]) == (1, XSS, True, "You")
    assert sent["attachments"] == [
        {
            "id": str(attachment.pk),
            "kind": "model3d",
            "name": "cube.stl",
            "content_type": "model/stl",
            "size": 684,
            "width": None,
            "height": None,
            "url": f"{API}/threads/{thread.pk}/attachments/{attachment.pk}",
        }
    ]
    actions.send_message(author=manager, customer=customer, body="Got it.")

    threads = client.get(f"{API}/threads").json()
    news = client.get(f"{API}/threads/{thread.pk}/messages", {"after": 1}).json()

    assert [(t["id"], t["message_count"], t["unread"], t["customer_id"]) for t in threads] == [
        (str(thread.pk), 2, 1, None)
    ]
    assert [(m["seq"], m["author"], m["body"], m["read"]) for m in news["messages"]] == [
        (2, "Your account manager", "Got it.", True)
    ]
    assert news["last_seq"] == 2
    assert client.get(f"{API}/threads").json()[0]["unread"] == 0


@pytest.mark.commitment("C5")
def test_the_manager_lists_threads_answers_and_downloads(customer: User, manager: User) -> None:
    first = actions.send_message(
        author=customer,
        customer=customer,
        body="photo attached",
        uploads=[upload("p.jpg", samples.jpeg(gps=True))],
    )
    thread, attachment = first.thread, first.attachments.get()
    client = logged_in(manager)

    listed = client.get(f"{API}/threads").json()
    answered = client.post(f"{API}/threads/{thread.pk}/messages", {"body": "Nice part!"})
    downloaded = client.get(f"{API}/threads/{thread.pk}/attachments/{attachment.pk}")

    assert [(t["customer_id"], t["customer_name"], t["unread"]) for t in listed] == [
        (str(customer.pk), "alice", 1)
    ]
    assert answered.status_code == 201
    assert (answered.json()["seq"], answered.json()["from_staff"]) == (2, True)
    assert downloaded.status_code == 200
    assert (downloaded["Content-Type"], downloaded["Content-Disposition"].split(";")[0]) == (
        "image/jpeg",
        "inline",
    )
    assert downloaded["X-Content-Type-Options"] == "nosniff"
    assert b"Exif" not in body_of(downloaded)
    assert "chat.attachment.downloaded" in audit_actions()


@pytest.mark.commitment("C5")
def test_a_manager_starts_a_conversation_by_customer_id(customer: User, manager: User) -> None:
    response = logged_in(manager).post(f"{API}/messages", {"body": "Hello!", "customer_id": str(customer.pk)})
    assert response.status_code == 201
    assert Thread.objects.get().customer == customer


@pytest.mark.commitment("C5")
def test_a_refused_upload_is_a_422_with_its_code_and_nothing_is_kept(
    customer: User, manager: User, media_root: Path
) -> None:
    response = logged_in(customer).post(
        f"{API}/messages", {"body": "hi", "files": [upload("boom.png", samples.png_bomb())]}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "image_too_large"
    assert (Thread.objects.count(), Message.objects.count(), Attachment.objects.count()) == (0, 0, 0)
    assert files_under(media_root) == []


@pytest.mark.commitment("C5")
def test_a_video_downloads_in_ranges_through_the_api(customer: User, manager: User) -> None:
    video = samples.mp4(media=bytes(range(256)) * 100)
    message = actions.send_message(author=customer, customer=customer, uploads=[upload("v.webm", video)])
    url = f"{API}/threads/{message.thread_id}/attachments/{message.attachments.get().pk}"

    response = logged_in(manager).get(url, headers={"Range": "bytes=100-199"})

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 100-199/{len(video)}"
    assert body_of(response) == video[100:200]


@pytest.mark.commitment("C37")
@pytest.mark.parametrize(
    "role", [Role.CUSTOMER, Role.ACCOUNT_MANAGER, Role.SUPPORT_AGENT, Role.PRIVACY_OFFICER]
)
def test_the_api_gives_outsiders_404_and_none_of_the_threads_data(
    customer: User, manager: User, other_manager: User, role: str
) -> None:
    message = actions.send_message(
        author=customer, customer=customer, body="private plans", uploads=[upload("plans.png", samples.png())]
    )
    thread, attachment = message.thread, message.attachments.get()
    client: Client = logged_in(make_user(role, manager=other_manager if role == Role.CUSTOMER else None))
    before = audit_actions()

    listed = client.get(f"{API}/threads")
    responses = [
        client.get(f"{API}/threads/{thread.pk}/messages"),
        client.post(f"{API}/threads/{thread.pk}/messages", {"body": "hi"}),
        client.get(f"{API}/threads/{thread.pk}/attachments/{attachment.pk}"),
        client.post(f"{API}/messages", {"body": "hi", "customer_id": str(customer.pk)}),
    ]

    assert (listed.status_code, listed.json()) == (200, [])
    statuses = [response.status_code for response in responses]
    if role == Role.CUSTOMER:  # an outsider customer's POST /messages writes to their own manager, not here
        assert statuses[:3] == [404, 404, 404]
    else:
        assert statuses == [404, 404, 404, 404]
    for response in responses:
        assert b"private plans" not in body_of(response)
        assert b"plans.png" not in body_of(response)
    assert Message.objects.filter(thread=thread).count() == 1
    assert Message.objects.get(pk=message.pk).read_at is None
    assert [
        a for a in audit_actions()[len(before) :] if a != "chat.thread.started" and a != "chat.message.sent"
    ] == []


def test_a_logged_out_caller_gets_401(customer: User, manager: User) -> None:
    assert Client().get(f"{API}/threads").status_code == 401
