"""Support pages: HTTP only. Customers see their own tickets; support staff work a queue.

A ticket is found among those the person may see (support.queries), so a guessed id is a
404. Staff open a ticket through actions.view_ticket, which writes the read to the audit
trail; the staff pages render with no-store so that a shared browser keeps no copy.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import role_required
from accounts.models import Role
from addresses.forms import add_errors
from support import actions
from support.forms import ReplyForm, TicketForm
from support.models import Ticket
from support.queries import SUPPORT_STAFF_ROLES, staff_queue, thread_of, tickets_visible_to

NOT_FOUND = "No such ticket."


def _thread_context(ticket: Ticket, form: ReplyForm) -> dict[str, Any]:
    return {"ticket": ticket, "thread": list(thread_of(ticket)), "form": form}


# --- customers ----------------------------------------------------------------------------


@role_required(Role.CUSTOMER)
def ticket_list(request: HttpRequest) -> HttpResponse:
    tickets = tickets_visible_to(request.user).order_by("-last_activity_at")
    return render(request, "support/ticket_list.html", {"tickets": tickets})


@role_required(Role.CUSTOMER)
@require_http_methods(["GET", "POST"])
def ticket_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = TicketForm(request.POST)
        if form.is_valid():
            try:
                ticket = actions.open_ticket(customer=request.user, request=form.cleaned_data["request"])
            except ValidationError as problem:
                add_errors(form, problem)
            else:
                messages.success(request, _("Thank you: we have your message and will answer soon."))
                return redirect("support:detail", ticket_id=ticket.pk)
    else:
        form = TicketForm(initial={"contact_email": getattr(request.user, "email", ""), "topic": ""})
    return render(request, "support/ticket_new.html", {"form": form})


@role_required(Role.CUSTOMER)
@require_http_methods(["GET", "POST"])
def ticket_detail(request: HttpRequest, ticket_id: Any) -> HttpResponse:
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.reply_to_ticket(author=request.user, ticket_id=ticket_id, body=form.cleaned_data["body"])
        except Ticket.DoesNotExist:
            raise Http404(NOT_FOUND) from None
        except ValidationError as problem:
            add_errors(form, problem)
        else:
            messages.success(request, _("Reply sent."))
            return redirect("support:detail", ticket_id=ticket_id)
    try:
        ticket = actions.view_ticket(viewer=request.user, ticket_id=ticket_id)
    except Ticket.DoesNotExist:
        raise Http404(NOT_FOUND) from None
    return render(request, "support/ticket_detail.html", _thread_context(ticket, form))


# --- support staff ------------------------------------------------------------------------


@never_cache
@role_required(*SUPPORT_STAFF_ROLES)
def staff_queue_view(request: HttpRequest) -> HttpResponse:
    closed = request.GET.get("show") == "closed"
    tickets = staff_queue(request.user, closed=closed)
    return render(request, "support/staff_queue.html", {"tickets": tickets, "closed": closed})


@never_cache
@role_required(*SUPPORT_STAFF_ROLES)
@require_http_methods(["GET", "POST"])
def staff_ticket(request: HttpRequest, ticket_id: Any) -> HttpResponse:
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.reply_to_ticket(author=request.user, ticket_id=ticket_id, body=form.cleaned_data["body"])
        except Ticket.DoesNotExist:
            raise Http404(NOT_FOUND) from None
        except ValidationError as problem:
            add_errors(form, problem)
        else:
            messages.success(request, _("Reply sent to the customer."))
            return redirect("support:staff_queue")
    try:
        ticket = actions.view_ticket(viewer=request.user, ticket_id=ticket_id)
    except Ticket.DoesNotExist:
        raise Http404(NOT_FOUND) from None
    return render(request, "support/staff_ticket.html", _thread_context(ticket, form))


@role_required(*SUPPORT_STAFF_ROLES)
@require_POST
def staff_close(request: HttpRequest, ticket_id: Any) -> HttpResponse:
    try:
        ticket = actions.close_ticket(staff=request.user, ticket_id=ticket_id)
    except Ticket.DoesNotExist:
        raise Http404(NOT_FOUND) from None
    messages.success(request, _("Ticket %(reference)s closed.") % {"reference": ticket.reference})
    return redirect("support:staff_queue")
