"""Messages as JSON, the same for the page's polling and for the API.

Text is given as it was written, never as HTML: the page's script puts it into the
document with textContent, so "<script>" shows as the characters it is. Names: the
customer sees "You" and "Your account manager" (staff are not named to customers, as in
support); the manager sees "You", the customer's username, or "Account manager" for a
colleague who answered before them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypedDict
from uuid import UUID

from django.utils.translation import gettext as _

from accounts.models import User
from chat.models import Attachment, Message


class AttachmentPayload(TypedDict):
    id: UUID
    kind: str
    name: str
    content_type: str
    size: int
    width: int | None
    height: int | None
    url: str


class MessagePayload(TypedDict):
    id: UUID
    seq: int
    mine: bool
    from_staff: bool
    author: str
    body: str
    created_at: dt.datetime
    read: bool
    attachments: list[AttachmentPayload]


DownloadUrl = Callable[[Attachment], str]


def author_label(message: Message, viewer: User, customer_name: str) -> str:
    if message.is_written_by(viewer):
        return _("You")
    if message.from_staff:
        return _("Your account manager") if not viewer.has_staff_role else _("Account manager")
    return customer_name if viewer.has_staff_role else _("You")


def message_payload(
    message: Message, *, viewer: User, customer_name: str, url: DownloadUrl
) -> MessagePayload:
    return MessagePayload(
        id=message.pk,
        seq=message.seq,
        mine=message.is_written_by(viewer),
        from_staff=message.from_staff,
        author=author_label(message, viewer, customer_name),
        body=message.body,
        created_at=message.created_at,
        read=message.read_at is not None,
        attachments=[
            AttachmentPayload(
                id=attachment.pk,
                kind=attachment.kind,
                name=attachment.display_name,
                content_type=attachment.content_type,
                size=attachment.size,
                width=attachment.width,
                height=attachment.height,
                url=url(attachment),
            )
            for attachment in message.attachments.all()
        ],
    )
