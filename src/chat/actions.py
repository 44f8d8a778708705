"""Every change to a conversation: send a message (with attachments), mark messages read,
record a download by staff.

Each action is keyword-only, checks that its actor is a side of the conversation (again:
the views check too), runs in one transaction and writes its audit event inside it. Audit
events name the thread and the people by id and count the attachments by kind; they never
hold a message, a file name or a file.

Uploads are checked before anything is stored (chat.uploads): a refused file refuses the
whole message with nothing written — no row, no file. Only then are the files encrypted
into the vault, inside the transaction that creates the message; if that transaction
fails after a file was written, the written files are deleted again.

Keys (decision 0010): the customer's words and files are sealed under the customer's key,
SogaWorks' under the thread's own key, by setting `Message.subject_id` to one or the other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, cast
from uuid import UUID

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from PIL import Image

from accounts.actions import audit_actor
from accounts.models import Role, User
from accounts.queries import is_account_manager, is_customer
from chat import queries
from chat.models import Attachment, Message, Thread
from chat.uploads import AttachmentRejected, CheckedUpload, inspect_upload
from orders.modelfiles import safe_display_name
from privacy.api import audit_action, delete_file, record_event

THREAD_STARTED = audit_action(
    "chat.thread.started", "A conversation between a customer and their account manager began."
)
MESSAGE_SENT = audit_action("chat.message.sent", "A customer or their account manager sent a chat message.")
MESSAGES_READ = audit_action(
    "chat.messages.read", "A side of a conversation was shown the other side's new chat messages."
)
ATTACHMENT_DOWNLOADED = audit_action(
    "chat.attachment.downloaded", "An account manager downloaded a file that a customer sent in the chat."
)

MAX_BODY = 4000
MAX_ATTACHMENTS = 5
DEFAULT_MAX_BYTES: Mapping[str, int] = {
    "image": 20 * 1024 * 1024,
    "audio": 50 * 1024 * 1024,
    "video": 200 * 1024 * 1024,
    "model3d": 100 * 1024 * 1024,
}

__all__ = [
    "MAX_ATTACHMENTS",
    "MAX_BODY",
    "ChatActionError",
    "InvalidMessage",
    "NotPermitted",
    "UploadRejected",
    "check_upload",
    "mark_read",
    "record_download",
    "send_message",
    "show_messages",
]


class ChatActionError(Exception):
    """An action refused. `code` is stable (tests, the API); `message` is for people."""

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class NotPermitted(ChatActionError):
    """The actor is not a side of this conversation (views and the API answer 404)."""


class InvalidMessage(ChatActionError):
    """The message cannot be sent as it is; `field` names what to change."""


class UploadRejected(ChatActionError):
    """An attachment was refused by content; `filename` is its cleaned display name."""

    def __init__(self, code: str, message: str, *, filename: str) -> None:
        super().__init__(code, f"{filename}: {message}", field="attachments")
        self.filename = filename


@dataclass(frozen=True)
class _Checked:
    upload: File[Any]
    checked: CheckedUpload


def max_bytes() -> Mapping[str, int]:
    """The size limit per kind of attachment, from settings.PLEDGE_CHAT_MAX_BYTES."""
    return {**DEFAULT_MAX_BYTES, **getattr(settings, "PLEDGE_CHAT_MAX_BYTES", {})}


def _max_image_pixels() -> int:
    """Images with more pixels are refused before decoding (settings, else Pillow's bomb limit)."""
    configured = getattr(settings, "PLEDGE_CHAT_MAX_IMAGE_PIXELS", None)
    return int(configured) if configured else int(Image.MAX_IMAGE_PIXELS or 89_478_485)


def check_upload(upload: File[Any]) -> CheckedUpload:
    """One upload checked by content (nothing stored); UploadRejected if refused."""
    name = upload.name or ""
    try:
        upload.seek(0)
        return inspect_upload(
            cast(BinaryIO, upload),
            filename=name,
            max_bytes=max_bytes(),
            max_image_pixels=_max_image_pixels(),
        )
    except AttachmentRejected as rejected:
        raise UploadRejected(rejected.code, rejected.message, filename=safe_display_name(name)) from None


def _sides(author: Any, customer: Any) -> bool:
    """Whether `author` is a side of `customer`'s conversation: the customer, or their manager."""
    if not isinstance(customer, User) or customer.role != Role.CUSTOMER or not customer.is_active:
        return False
    if is_customer(author):
        return bool(author.pk == customer.pk)
    return is_account_manager(author) and customer.account_manager_id == author.pk


def send_message(
    *, author: User, customer: User, body: str = "", uploads: Sequence[File[Any]] = ()
) -> Message:
    """Add a message to `customer`'s conversation, starting it if need be.

    `author` is the customer or their account manager; anyone else gets NotPermitted with
    nothing read or written. A message has text, attachments, or both.
    """
    if not _sides(author, customer):
        raise NotPermitted("not_a_participant", "No such conversation.")
    if customer.account_manager_id is None:
        raise InvalidMessage(
            "no_account_manager",
            "You have no account manager yet. We will assign one soon; until then, please open a "
            "support ticket.",
        )
    text = body.strip()
    if len(text) > MAX_BODY:
        raise InvalidMessage("too_long", f"Keep your message under {MAX_BODY + 1} characters.", field="body")
    if len(uploads) > MAX_ATTACHMENTS:
        raise InvalidMessage(
            "too_many_attachments",
            f"Attach at most {MAX_ATTACHMENTS} files to one message.",
            field="attachments",
        )
    if not text and not uploads:
        raise InvalidMessage("empty", "Write a message or attach a file.", field="body")
    checked = [_Checked(upload, check_upload(upload)) for upload in uploads]
    written: list[Attachment] = []
    try:
        with transaction.atomic():
            return _store(author=author, customer=customer, text=text, checked=checked, written=written)
    except BaseException:
        _delete_written(written)
        raise


def _store(
    *, author: User, customer: User, text: str, checked: Sequence[_Checked], written: list[Attachment]
) -> Message:
    now = timezone.now()
    thread, created = Thread.objects.get_or_create(customer=customer)
    thread = Thread.objects.select_for_update().get(pk=thread.pk)  # seq order is commit order
    from_staff = not is_customer(author)
    thread.message_count += 1
    thread.last_message_at = now
    thread.save(update_fields=["message_count", "last_message_at"])
    message = Message.objects.create(
        thread=thread,
        seq=thread.message_count,
        subject_id=thread.subject_id if from_staff else customer.subject_id,
        author=author,
        from_staff=from_staff,
        body=text,
        created_at=now,
    )
    for position, item in enumerate(checked):
        upload = item.checked
        attachment = Attachment(
            message=message,
            position=position,
            kind=upload.kind,
            format=upload.format,
            file=upload.data if upload.data is not None else item.upload,
            display_name=upload.display_name,
            content_type=upload.content_type,
            size=upload.size,
            width=upload.width,
            height=upload.height,
        )
        written.append(attachment)
        attachment.save()
    subject = str(customer.subject_id)
    if created:
        record_event(
            THREAD_STARTED, actor=audit_actor(author), subject=subject, object=_object(thread), at=now
        )
    record_event(
        MESSAGE_SENT,
        actor=audit_actor(author),
        subject=subject,
        object=_object(thread),
        details={
            "seq": message.seq,
            "from_staff": from_staff,
            "attachments": sorted(item.checked.kind for item in checked),
        },
        at=now,
    )
    return message


def _object(thread: Thread) -> str:
    return f"chat.thread:{thread.pk}"


def _delete_written(written: Sequence[Attachment]) -> None:
    """After a failed transaction: remove the encrypted files its rows had written."""
    for attachment in written:
        stored = attachment.__dict__.get("file")
        file_id = getattr(stored, "id", None)
        if isinstance(file_id, UUID):
            delete_file(file_id)


def mark_read(*, reader: User, thread: Thread, up_to: int | None = None) -> int:
    """Mark the other side's unread messages (up to seq `up_to`) as read by `reader`; how many.

    Called by a page or a poll for the messages it shows. Writes nothing (and no audit
    event) when there is nothing new.
    """
    if thread.customer is None or not _sides(reader, thread.customer):
        raise NotPermitted("not_a_participant", "No such conversation.")
    now = timezone.now()
    with transaction.atomic():
        unread = Message.objects.filter(thread=thread, read_at__isnull=True, from_staff=is_customer(reader))
        if up_to is not None:
            unread = unread.filter(seq__lte=up_to)
        count = unread.update(read_at=now)
        if count:
            record_event(
                MESSAGES_READ,
                actor=audit_actor(reader),
                subject=str(thread.customer.subject_id),
                object=_object(thread),
                details={"messages": count},
                at=now,
            )
    return count


def show_messages(*, viewer: User, thread: Thread, after: int = 0, limit: int | None = None) -> list[Message]:
    """The messages after seq `after` (the newest `limit` of them), for a page or a poll to
    show `viewer`; the other side's among them are marked read first, so they come back read.

    The bound is the thread's message count as loaded: every message up to it is committed,
    and a message committed since is shown (and marked) by the next poll.
    """
    up_to = thread.message_count
    mark_read(reader=viewer, thread=thread, up_to=up_to)
    return queries.messages_of(thread, after=after, up_to=up_to, limit=limit)


def record_download(*, actor: User, attachment: Attachment) -> None:
    """Audit an account manager's download of a file the customer sent.

    The customer reading their own conversation, and anyone downloading SogaWorks' own
    files, is not a disclosure and is not recorded.
    """
    message = attachment.message
    customer = message.thread.customer
    if customer is None or not _sides(actor, customer):
        raise NotPermitted("not_a_participant", "No such conversation.")
    if is_customer(actor) or message.from_staff:
        return
    with transaction.atomic():
        record_event(
            ATTACHMENT_DOWNLOADED,
            actor=audit_actor(actor),
            subject=str(customer.subject_id),
            object=f"chat.attachment:{attachment.pk}",
            details={"kind": attachment.kind, "thread": str(message.thread_id)},
        )
