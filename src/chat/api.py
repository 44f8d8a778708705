"""The chat JSON API at /api/chat/: the same actions and the same rule as the pages.

`threads` lists the conversations the caller is a side of (a customer's one, a manager's
customers'); `threads/{id}/messages?after=<seq>` reads (and, like the page, marks the
other side's messages read); POST `threads/{id}/messages` or, to start a conversation,
POST `messages` (multipart: `body`, up to five `files`, and for a manager `customer_id`);
`threads/{id}/attachments/{id}` downloads. A thread or file the caller is not a side of is
404 for every role. Session based: POSTs send the X-CSRFToken header.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError
from pydantic import Field

from accounts.access import RoleAuth
from accounts.models import User
from accounts.queries import is_account_manager, is_customer
from chat import actions, queries
from chat.downloads import serve_attachment
from chat.models import Attachment, Message, Thread
from chat.payloads import message_payload

router = Router(tags=["chat"])
participants = RoleAuth()  # any logged-in person (staff after their second factor); the thread decides
NOT_FOUND = "No such conversation."


class ErrorOut(Schema):
    detail: str
    code: str
    field: str | None = None


class ThreadOut(Schema):
    id: UUID
    customer_id: UUID | None = Field(description="for an account manager: whose conversation it is")
    customer_name: str | None
    message_count: int
    last_message_at: dt.datetime
    unread: int


class AttachmentOut(Schema):
    id: UUID
    kind: str = Field(description="image, audio, video or model3d")
    name: str
    content_type: str
    size: int
    width: int | None
    height: int | None
    url: str


class MessageOut(Schema):
    id: UUID
    seq: int = Field(description="1, 2, 3 … in the order the messages were committed; poll with after=<seq>")
    mine: bool
    from_staff: bool
    author: str
    body: str = Field(description="plain text, exactly as written: never HTML")
    created_at: dt.datetime
    read: bool
    attachments: list[AttachmentOut]


class MessageList(Schema):
    messages: list[MessageOut]
    last_seq: int


class MessageIn(Schema):
    body: str = Field(default="", max_length=actions.MAX_BODY)


class NewConversationIn(MessageIn):
    customer_id: UUID | None = Field(default=None, description="required for an account manager")


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise HttpError(404, NOT_FOUND)
    return user


def _thread(request: HttpRequest, thread_id: UUID) -> tuple[User, Thread]:
    user = _user(request)
    try:
        return user, queries.thread_visible_to(user, thread_id)
    except Thread.DoesNotExist:
        raise HttpError(404, NOT_FOUND) from None


def _api_url(attachment: Attachment) -> str:
    return f"/api/chat/threads/{attachment.message.thread_id}/attachments/{attachment.pk}"


def _out(message: Message, user: User, customer: User | None) -> MessageOut:
    name = customer.username if customer is not None else ""
    return MessageOut.model_validate(message_payload(message, viewer=user, customer_name=name, url=_api_url))


def _send(user: User, customer: User, body: str, files: list[UploadedFile] | None) -> Status[Any]:
    try:
        message = actions.send_message(author=user, customer=customer, body=body, uploads=files or [])
    except actions.NotPermitted:
        return Status(404, ErrorOut(detail=NOT_FOUND, code="not_found"))
    except actions.ChatActionError as error:
        return Status(422, ErrorOut(detail=error.message, code=error.code, field=error.field))
    return Status(201, _out(message, user, customer))


@router.get("/threads", response=list[ThreadOut], auth=participants)
def list_threads(request: HttpRequest) -> list[ThreadOut]:
    user = _user(request)
    staff = is_account_manager(user)
    return [
        ThreadOut(
            id=thread.pk,
            customer_id=thread.customer_id if staff else None,
            customer_name=thread.customer.username if staff and thread.customer is not None else None,
            message_count=thread.message_count,
            last_message_at=thread.last_message_at,
            unread=queries.unread_count(user, thread),
        )
        for thread in queries.threads_visible_to(user).select_related("customer").order_by("-last_message_at")
    ]


@router.get("/threads/{thread_id}/messages", response={200: MessageList, 404: ErrorOut}, auth=participants)
def list_messages(request: HttpRequest, thread_id: UUID, after: int = 0) -> MessageList:
    user, thread = _thread(request, thread_id)
    new = actions.show_messages(viewer=user, thread=thread, after=max(after, 0))
    return MessageList(
        messages=[_out(message, user, thread.customer) for message in new],
        last_seq=new[-1].seq if new else max(after, 0),
    )


@router.post(
    "/threads/{thread_id}/messages",
    response={201: MessageOut, 404: ErrorOut, 422: ErrorOut},
    auth=participants,
)
def post_message(
    request: HttpRequest,
    thread_id: UUID,
    data: Form[MessageIn],
    files: File[list[UploadedFile] | None] = None,
) -> Status[Any]:
    user, thread = _thread(request, thread_id)
    assert thread.customer is not None
    return _send(user, thread.customer, data.body, files)


@router.post("/messages", response={201: MessageOut, 404: ErrorOut, 422: ErrorOut}, auth=participants)
def start_conversation(
    request: HttpRequest, data: Form[NewConversationIn], files: File[list[UploadedFile] | None] = None
) -> Status[Any]:
    """A customer writes to their account manager, or a manager to one of their customers
    (`customer_id`); the conversation is started if it was not yet."""
    user = _user(request)
    customer: User | None = user if is_customer(user) else None
    if data.customer_id is not None and not is_customer(user):
        customer = queries.chat_partner_customers(user).filter(pk=data.customer_id).first()
    if customer is None:
        return Status(404, ErrorOut(detail=NOT_FOUND, code="not_found"))
    return _send(user, customer, data.body, files)


@router.get("/threads/{thread_id}/attachments/{attachment_id}", response={404: ErrorOut}, auth=participants)
def download_attachment(request: HttpRequest, thread_id: UUID, attachment_id: UUID) -> HttpResponse:
    user = _user(request)
    try:
        attachment = queries.attachment_for_download(user, thread_id, attachment_id)
    except Attachment.DoesNotExist:
        raise HttpError(404, "No such file.") from None
    return serve_attachment(request, user=user, attachment=attachment)  # type: ignore[return-value]
