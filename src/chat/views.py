"""The chat pages. HTTP only: parse, authorize, call one action or query, render.

A thread, a poll or a file that the visitor is not a side of is a 404, whether it exists
or not and whatever their role, so an id tells nobody anything. Staff still pass the
second factor first (`role_required`). The page works without JavaScript (a form POST,
then the page again); with it, chat.js sends the same form with fetch and asks
`thread_messages` every few seconds for what is new.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import role_required
from accounts.models import Role, User
from accounts.queries import is_account_manager
from chat import actions, queries
from chat.downloads import serve_attachment
from chat.forms import MessageForm
from chat.models import Attachment, Message, Thread
from chat.payloads import message_payload

EVERYONE = tuple(Role.values)  # the thread decides; a non-participant gets 404, not 403
POLL_SECONDS = 3


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _thread(request: HttpRequest, thread_id: UUID) -> Thread:
    try:
        return queries.thread_visible_to(request.user, thread_id)
    except Thread.DoesNotExist:
        raise Http404("No such conversation.") from None


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _customer_name(customer: User | None) -> str:
    return customer.username if customer is not None else ""


def _download_url(attachment: Attachment) -> str:
    return reverse("chat:attachment", args=[attachment.message.thread_id, attachment.pk])


def _payload(message: Message, viewer: User, customer: User | None) -> dict[str, Any]:
    return dict(
        message_payload(message, viewer=viewer, customer_name=_customer_name(customer), url=_download_url)
    )


@never_cache
@role_required(Role.CUSTOMER, Role.ACCOUNT_MANAGER)
@require_http_methods(["GET", "POST"])
def chat_home(request: HttpRequest) -> HttpResponse:
    """A customer's conversation with their account manager; a manager's inbox."""
    user = _user(request)
    if is_account_manager(user):
        return render(request, "chat/inbox.html", {"entries": queries.inbox(user)})
    thread = queries.thread_of(user)
    if thread is not None and request.method == "GET":
        return redirect("chat:thread", thread_id=thread.pk)
    return _conversation(request, customer=user, thread=thread, post_url=reverse("chat:home"))


@never_cache
@role_required(Role.ACCOUNT_MANAGER)
@require_http_methods(["GET", "POST"])
def chat_start(request: HttpRequest, customer_id: UUID) -> HttpResponse:
    """An account manager writes first to one of their customers."""
    user = _user(request)
    customer = queries.chat_partner_customers(user).filter(pk=customer_id).first()
    if customer is None:
        raise Http404("No such customer.")
    thread = queries.thread_of(customer)
    if thread is not None:
        return redirect("chat:thread", thread_id=thread.pk)
    return _conversation(
        request, customer=customer, thread=None, post_url=reverse("chat:start", args=[customer.pk])
    )


@never_cache
@role_required(*EVERYONE)
@require_http_methods(["GET", "POST"])
def chat_thread(request: HttpRequest, thread_id: UUID) -> HttpResponse:
    thread = _thread(request, thread_id)
    assert thread.customer is not None  # a visible thread has its customer
    return _conversation(
        request, customer=thread.customer, thread=thread, post_url=reverse("chat:thread", args=[thread.pk])
    )


def _conversation(
    request: HttpRequest, *, customer: User, thread: Thread | None, post_url: str
) -> HttpResponse:
    user = _user(request)
    form = MessageForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                message = actions.send_message(
                    author=user,
                    customer=customer,
                    body=form.cleaned_data["body"],
                    uploads=form.cleaned_data["attachments"],
                )
            except actions.NotPermitted:
                raise Http404("No such conversation.") from None
            except actions.ChatActionError as error:
                if _wants_json(request):
                    return JsonResponse(
                        {"detail": error.message, "code": error.code, "field": error.field}, status=422
                    )
                form.add_action_error(error)
            else:
                if _wants_json(request):
                    return JsonResponse({"message": _payload(message, user, customer)}, status=201)
                return redirect("chat:thread", thread_id=message.thread_id)
        elif _wants_json(request):
            errors = {name: [str(error) for error in found] for name, found in form.errors.items()}
            return JsonResponse(
                {"detail": "Check the message.", "code": "invalid", "errors": errors}, status=422
            )
    messages: list[Message] = []
    if thread is not None:
        messages = actions.show_messages(viewer=user, thread=thread, limit=queries.MAX_PAGE_MESSAGES)
    context = {
        "thread": thread,
        "customer": customer,
        "customer_name": _customer_name(customer),
        "chat_messages": [_payload(message, user, customer) for message in messages],
        "more_before": bool(messages) and messages[0].seq > 1,
        "staff_view": user.has_staff_role,
        "viewer": user,
        "form": form,
        "post_url": post_url,
        "poll_url": reverse("chat:messages", args=[thread.pk]) if thread is not None else "",
        "last_seq": messages[-1].seq if messages else 0,
        "poll_seconds": POLL_SECONDS,
        "has_manager": customer.account_manager_id is not None,
    }
    return render(request, "chat/conversation.html", context)


@never_cache
@role_required(*EVERYONE)
@require_GET
def thread_messages(request: HttpRequest, thread_id: UUID) -> JsonResponse:
    """The poll: messages after `?after=<seq>`, as JSON; marks the other side's as read."""
    user = _user(request)
    thread = _thread(request, thread_id)
    try:
        after = int(request.GET.get("after", "0"))
    except ValueError:
        return JsonResponse({"detail": "after must be a message number.", "code": "invalid"}, status=400)
    new = actions.show_messages(viewer=user, thread=thread, after=max(after, 0))
    return JsonResponse(
        {
            "messages": [_payload(message, user, thread.customer) for message in new],
            "last_seq": new[-1].seq if new else max(after, 0),
            "read_through": queries.read_through(user, thread),
        }
    )


@never_cache
@role_required(*EVERYONE)
@require_http_methods(["GET", "HEAD"])
def attachment_download(request: HttpRequest, thread_id: UUID, attachment_id: UUID) -> HttpResponse:
    user = _user(request)
    try:
        attachment = queries.attachment_for_download(user, thread_id, attachment_id)
    except Attachment.DoesNotExist:
        raise Http404("No such file.") from None
    return serve_attachment(request, user=user, attachment=attachment)  # type: ignore[return-value]
