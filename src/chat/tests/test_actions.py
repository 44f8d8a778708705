"""Sending, reading and storing chat messages (C5), between the two sides only (C37)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from PIL import Image

from accounts.models import Role, User
from addresses.tests.conftest import raw_text
from chat import actions, queries
from chat.models import Attachment, Message, Thread
from chat.tests import media_samples as samples
from chat.tests.conftest import upload
from orders.tests.factories import audit_actions, files_under, make_user
from orders.tests.fixtures.model_samples import cube_model, package

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def counts() -> tuple[int, int, int]:
    return Thread.objects.count(), Message.objects.count(), Attachment.objects.count()


def stored_bytes(attachment: Attachment) -> bytes:
    return b"".join(attachment.file.chunks())


@pytest.mark.commitment("C5")
def test_a_customer_writes_first_and_the_conversation_starts(customer: User, manager: User) -> None:
    message = actions.send_message(author=customer, customer=customer, body="  Hello, can you help?  ")

    thread = Thread.objects.get()
    assert (thread.customer, thread.message_count) == (customer, 1)
    assert (message.thread, message.seq, message.author, message.from_staff) == (thread, 1, customer, False)
    assert Message.objects.get().body == "Hello, can you help?"
    assert message.read_at is None
    assert audit_actions() == ["chat.thread.started", "chat.message.sent"]


@pytest.mark.commitment("C5")
def test_the_customer_writes_under_their_own_key_and_the_manager_under_the_thread_key(
    customer: User, manager: User
) -> None:
    mine = actions.send_message(author=customer, customer=customer, body="Here is my drawing.")
    answer = actions.send_message(author=manager, customer=customer, body="Thanks, pricing it today.")

    thread = Thread.objects.get()
    assert (mine.subject_id, answer.subject_id) == (customer.subject_id, thread.subject_id)
    assert thread.subject_id not in (customer.subject_id, manager.subject_id)
    assert (answer.seq, answer.from_staff, thread.message_count) == (2, True, 2)
    assert [m.body for m in queries.messages_of(thread)] == [
        "Here is my drawing.",
        "Thanks, pricing it today.",
    ]
    assert audit_actions() == ["chat.thread.started", "chat.message.sent", "chat.message.sent"]


@pytest.mark.commitment("C5")
def test_a_manager_may_write_first_to_an_assigned_customer(customer: User, manager: User) -> None:
    message = actions.send_message(author=manager, customer=customer, body="Welcome to SogaWorks!")
    assert (message.thread.customer, message.seq, message.from_staff) == (customer, 1, True)


@pytest.mark.commitment("C5")
def test_every_kind_of_attachment_is_checked_and_stored(customer: User, manager: User) -> None:
    files = [
        upload("drawing.png", samples.png(), "image/png"),
        upload("voice.mp3", samples.mp3(), "audio/mpeg"),
        upload("clip.mp4", samples.mp4(), "video/mp4"),
        upload("cube.stl", samples.stl(), "model/stl"),
        upload("note.ogg", samples.ogg_opus(), "audio/ogg"),
    ]

    message = actions.send_message(author=customer, customer=customer, body="", uploads=files)

    attachments = list(message.attachments.order_by("position"))
    assert [(a.kind, a.format, a.content_type, a.display_name) for a in attachments] == [
        ("image", "png", "image/png", "drawing.png"),
        ("audio", "mp3", "audio/mpeg", "voice.mp3"),
        ("video", "mp4", "video/mp4", "clip.mp4"),
        ("model3d", "stl_binary", "model/stl", "cube.stl"),
        ("audio", "ogg_opus", "audio/ogg", "note.opus"),
    ]
    image = attachments[0]
    assert (image.width, image.height) == (40, 30)
    assert Image.open(io.BytesIO(stored_bytes(image))).format == "PNG"
    assert [stored_bytes(a) for a in attachments[1:]] == [
        samples.mp3(),
        samples.mp4(),
        samples.stl(),
        samples.ogg_opus(),
    ]
    assert [a.size for a in attachments[1:]] == [
        len(samples.mp3()),
        len(samples.mp4()),
        684,
        len(samples.ogg_opus()),
    ]
    assert audit_actions()[-1] == "chat.message.sent"


@pytest.mark.commitment("C5", "C37")
@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("cat.png", samples.HTML, "unknown_type"),
        ("tiny.png", samples.png_bomb(), "image_too_large"),
        (
            "bomb.3mf",
            package(cube_model(), [("Metadata/padding.xml", b"\0" * (50 * samples.MB))]),
            "archive_bomb",
        ),
        ("../../../../tmp/evil.png", samples.HTML, "unknown_type"),
        ("..\\..\\run.stl", b"MZ" + b"\0" * 300, "unknown_type"),
        ("cut.mp4", samples.mp4()[:-100], "malformed"),
    ],
)
def test_a_hostile_upload_refuses_the_whole_message_and_leaves_nothing_behind(
    customer: User, media_root: Path, name: str, data: bytes, code: str
) -> None:
    before = files_under(media_root)

    with pytest.raises(actions.UploadRejected) as refused:
        actions.send_message(
            author=customer,
            customer=customer,
            body="see attached",
            uploads=[upload("fine.png", samples.png()), upload(name, data)],
        )

    assert refused.value.code == code
    assert refused.value.field == "attachments"
    assert counts() == (0, 0, 0)
    assert files_under(media_root) == before == []
    assert audit_actions() == []


def test_a_failure_after_files_were_written_deletes_them_again(
    customer: User, media_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit trail unavailable")

    monkeypatch.setattr(actions, "record_event", broken)

    with pytest.raises(RuntimeError):
        actions.send_message(author=customer, customer=customer, uploads=[upload("a.png", samples.png())])

    assert counts() == (0, 0, 0)
    assert files_under(media_root) == []


@pytest.mark.commitment("C37")
@pytest.mark.parametrize(
    "role", [Role.ACCOUNT_MANAGER, Role.SUPPORT_AGENT, Role.PRIVACY_OFFICER, Role.ADMINISTRATOR]
)
def test_nobody_but_the_two_sides_may_write(customer: User, role: str) -> None:
    outsider = make_user(role)

    with pytest.raises(actions.NotPermitted):
        actions.send_message(author=outsider, customer=customer, body="hello")

    assert counts() == (0, 0, 0)
    assert audit_actions() == []


@pytest.mark.commitment("C37")
def test_a_customer_cannot_write_into_another_customers_conversation(
    customer: User, other_customer: User
) -> None:
    with pytest.raises(actions.NotPermitted):
        actions.send_message(author=other_customer, customer=customer, body="hello")
    assert counts() == (0, 0, 0)


def test_a_customer_without_an_account_manager_is_told_so(db: None) -> None:
    alone = make_user(Role.CUSTOMER)
    with pytest.raises(actions.InvalidMessage) as refused:
        actions.send_message(author=alone, customer=alone, body="hello?")
    assert refused.value.code == "no_account_manager"
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize(
    ("body", "files", "code"),
    [
        ("   ", 0, "empty"),
        ("x" * (actions.MAX_BODY + 1), 0, "too_long"),
        ("six files", actions.MAX_ATTACHMENTS + 1, "too_many_attachments"),
    ],
)
def test_a_message_must_have_something_and_not_too_much(
    customer: User, body: str, files: int, code: str
) -> None:
    uploads = [upload(f"{n}.png", samples.png()) for n in range(files)]
    with pytest.raises(actions.InvalidMessage) as refused:
        actions.send_message(author=customer, customer=customer, body=body, uploads=uploads)
    assert refused.value.code == code
    assert counts() == (0, 0, 0)


@pytest.mark.commitment("C37")
def test_reading_marks_only_the_other_sides_messages(customer: User, manager: User) -> None:
    first = actions.send_message(author=customer, customer=customer, body="one")
    actions.send_message(author=customer, customer=customer, body="two")
    answer = actions.send_message(author=manager, customer=customer, body="three")
    thread = first.thread

    assert (queries.unread_count(manager, thread), queries.unread_count(customer, thread)) == (2, 1)
    assert actions.mark_read(reader=manager, thread=thread) == 2
    assert actions.mark_read(reader=manager, thread=thread) == 0

    assert (queries.unread_count(manager, thread), queries.unread_count(customer, thread)) == (0, 1)
    assert Message.objects.get(pk=answer.pk).read_at is None
    assert (queries.read_through(customer, thread), queries.read_through(manager, thread)) == (2, 0)
    assert audit_actions().count("chat.messages.read") == 1


@pytest.mark.commitment("C37")
def test_a_reassigned_customer_is_handed_over_with_their_conversation(
    customer: User, manager: User, other_manager: User
) -> None:
    thread = actions.send_message(author=customer, customer=customer, body="hello").thread

    customer.account_manager = other_manager
    customer.save(update_fields=["account_manager"])

    assert list(queries.threads_visible_to(other_manager)) == [thread]
    assert list(queries.threads_visible_to(manager)) == []
    with pytest.raises(actions.NotPermitted):
        actions.send_message(author=manager, customer=customer, body="still here?")


@pytest.mark.commitment("C37")
@pytest.mark.parametrize("role", [Role.SUPPORT_AGENT, Role.PRIVACY_OFFICER, Role.ADMINISTRATOR])
def test_staff_outside_the_conversation_see_no_thread(customer: User, role: str) -> None:
    actions.send_message(author=customer, customer=customer, body="hello")
    outsider = make_user(role)
    assert list(queries.threads_visible_to(outsider)) == []
    assert queries.inbox(outsider) == []


@pytest.mark.commitment("C5", "C37")
def test_neither_the_database_nor_the_files_hold_plaintext(
    customer: User, manager: User, media_root: Path
) -> None:
    secret = "Meet me at Harbour Gate 7 with the prototype"
    picture = samples.png((64, 48))
    message = actions.send_message(
        author=customer, customer=customer, body=secret, uploads=[upload("harbour plan.png", picture)]
    )
    actions.send_message(author=manager, customer=customer, body="Confidential price: 4242 USD")
    stored_png = stored_bytes(message.attachments.get())

    columns = "\n".join(raw_text(table) for table in ("chat_thread", "chat_message", "chat_attachment"))
    assert "Harbour" not in columns
    assert "harbour plan" not in columns
    assert "Confidential price" not in columns  # not "4242": hex of ciphertext can hold any digits
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM chat_message")
        bodies = [bytes(body) for (body,) in cursor.fetchall()]
    assert len(bodies) == 2
    assert all(b"Harbour" not in body and b"4242" not in body for body in bodies)

    on_disk = b"".join(path.read_bytes() for path in media_root.rglob("*") if path.is_file())
    assert files_under(media_root) != []
    assert all(path.startswith("vault/") for path in files_under(media_root))
    assert b"Harbour" not in on_disk
    assert b"\x89PNG" not in on_disk
    assert stored_png[16:80] not in on_disk
    assert picture[16:80] not in on_disk
