"""Who may read which conversation (commitment C37), and the reads the pages need.

A conversation has exactly two sides, and only they see it:
- the customer sees their own thread;
- an account manager sees the threads of the customers assigned to them now (a
  reassignment hands the conversation over with the customer).
Nobody else does: not another customer or manager, not a support agent (tickets only),
not the privacy officer nor an administrator (decision 0010: a chat is correspondence;
the privacy officer answers access requests through the engine's export, which walks the
catalog and needs no chat page). Every query returns an empty set for them, and a thread
id they guess is "does not exist" whether or not it does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import Count, Q, QuerySet

from accounts.models import User
from accounts.queries import customers_visible_to, is_account_manager, is_customer
from chat.models import Attachment, Message, Thread

MAX_PAGE_MESSAGES = 200


def threads_visible_to(user: Any) -> QuerySet[Thread]:
    """The threads `user` takes part in; empty for anyone who is not a side of a conversation."""
    if not (is_customer(user) or is_account_manager(user)):
        return Thread.objects.none()
    return Thread.objects.filter(customer__in=customers_visible_to(user).filter(is_active=True))


def thread_visible_to(user: Any, thread_id: UUID | str) -> Thread:
    """One thread `user` takes part in; Thread.DoesNotExist for any other id, existing or not."""
    return threads_visible_to(user).select_related("customer").get(pk=thread_id)


def is_participant(user: Any, thread: Thread) -> bool:
    return threads_visible_to(user).filter(pk=thread.pk).exists()


def thread_of(customer: User) -> Thread | None:
    """The customer's thread, if they have written or been written to."""
    return Thread.objects.filter(customer=customer).first()


def chat_partner_customers(user: Any) -> QuerySet[User]:
    """The customers `user` may write to: themselves (a customer), or those assigned to a manager."""
    if not (is_customer(user) or is_account_manager(user)):
        return User.objects.none()
    return customers_visible_to(user).filter(is_active=True)


def messages_of(
    thread: Thread, *, after: int = 0, up_to: int | None = None, limit: int | None = None
) -> list[Message]:
    """The thread's messages with `after` < seq <= `up_to`, oldest first, with authors and attachments.

    With `limit`, the newest `limit` of them (a page shows the latest; a poll asks for all
    that are new since the last one it saw).
    """
    found = Message.objects.filter(thread=thread, seq__gt=after)
    if up_to is not None:
        found = found.filter(seq__lte=up_to)
    found = found.select_related("author").prefetch_related("attachments")
    if limit is None:
        return list(found.order_by("seq"))
    return sorted(found.order_by("-seq")[:limit], key=lambda message: message.seq)


def unread_count(user: Any, thread: Thread) -> int:
    """Messages of the other side that `user` has not seen yet."""
    return _unread_from_other_side(user).filter(thread=thread).count()


def read_through(user: Any, thread: Thread) -> int:
    """The newest seq of `user`'s side that the other side has seen (0 if none): read receipts."""
    seen = Message.objects.filter(thread=thread, from_staff=not is_customer(user), read_at__isnull=False)
    newest = seen.order_by("-seq").values_list("seq", flat=True).first()
    return newest or 0


def _unread_from_other_side(user: Any) -> QuerySet[Message]:
    return Message.objects.filter(read_at__isnull=True, from_staff=is_customer(user))


@dataclass(frozen=True)
class InboxEntry:
    customer: User
    thread: Thread | None
    unread: int


def inbox(manager: Any) -> list[InboxEntry]:
    """An account manager's customers, those with news first, then by latest message; each
    with their thread (None if nobody has written yet) and how many of their messages are unread."""
    if not is_account_manager(manager):
        return []
    customers = chat_partner_customers(manager)
    threads = {
        thread.customer_id: thread
        for thread in Thread.objects.filter(customer__in=customers).annotate(
            unread=Count("messages", filter=Q(messages__from_staff=False, messages__read_at__isnull=True))
        )
    }
    entries = [
        InboxEntry(customer, threads.get(customer.pk), getattr(threads.get(customer.pk), "unread", 0))
        for customer in customers.order_by("date_joined")
    ]
    return sorted(
        entries,
        key=lambda entry: (
            entry.unread == 0,
            entry.thread is None,
            -(entry.thread.last_message_at.timestamp() if entry.thread else 0),
        ),
    )


def attachment_for_download(user: Any, thread_id: UUID | str, attachment_id: UUID | str) -> Attachment:
    """One attachment of a thread `user` takes part in; Attachment.DoesNotExist otherwise."""
    return Attachment.objects.select_related("message__thread__customer").get(
        pk=attachment_id, message__thread_id=thread_id, message__thread__in=threads_visible_to(user)
    )
