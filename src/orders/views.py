"""The quote and order pages. HTTP only: parse, authorize, call one action or query, render.

An order that the visitor may not see is a 404, whether it exists or not, so an id tells
nobody anything. A role that has no business here at all (a support agent, the privacy
officer) gets 403 from `role_required` before any order is looked up.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import role_required
from accounts.models import Role, User
from accounts.queries import is_account_manager, is_administrator, is_customer
from orders import actions, address_book, queries
from orders.forms import AdvanceForm, CancelForm, PlaceOrderForm, PriceForm, QuoteRequestForm
from orders.models import LIFECYCLE, ModelFile, Order, Status
from orders.offerings import PROCESSES
from privacy.api import encrypted_file_response

ORDER_ROLES = (Role.CUSTOMER, Role.ACCOUNT_MANAGER, Role.ADMINISTRATOR)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _order(request: HttpRequest, order_id: UUID) -> Order:
    try:
        return queries.order_visible_to(request.user, order_id)
    except Order.DoesNotExist:
        raise Http404("No such order.") from None


@never_cache
@role_required(*ORDER_ROLES)
def order_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    orders = queries.orders_visible_to(user).select_related("customer").order_by("-requested_at")
    context: dict[str, Any] = {"orders": orders[:200], "is_customer": is_customer(user)}
    if is_account_manager(user):
        context["queue"] = queries.quote_queue(user).select_related("customer")
    return render(request, "orders/list.html", context)


@never_cache
@role_required(Role.CUSTOMER)
@require_http_methods(["GET", "POST"])
def quote_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = QuoteRequestForm(request.POST or None, request.FILES or None, initial=request.GET.dict() or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = actions.request_quote(
                customer=user,
                process=data["process"],
                material=data["material"],
                finish=data["finish"],
                quantity=data["quantity"],
                notes=data["notes"],
                uploads=data["uploads"],
            )
        except actions.OrderActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, _("Thank you: your account manager will price your quote soon."))
            return redirect("orders:detail", order_id=order.pk)
    process_names = {process.key: process.name for process in PROCESSES}
    return render(request, "orders/quote_form.html", {"form": form, "process_names": process_names})


@never_cache
@role_required(*ORDER_ROLES)
def order_detail(request: HttpRequest, order_id: UUID) -> HttpResponse:
    user = _user(request)
    order = _order(request, order_id)
    reached = {event.to_status for event in queries.timeline(order)}
    steps = [
        {
            "status": status,
            "label": Status(status).label,
            "done": status in reached,
            "current": order.status == status,
        }
        for status in LIFECYCLE
    ]
    manages = queries.orders_managed_by(user).filter(pk=order.pk).exists()
    context = {
        "order": order,
        "events": queries.timeline(order),
        "steps": steps,
        "files": list(order.files.all()),
        "addresses": {address.kind: address for address in order.addresses.all()},
        "can_download": queries.can_download_files(user, order),
        "is_owner": is_customer(user) and order.customer_id == user.pk,
        "can_price": manages and order.status in (Status.QUOTE_REQUESTED, Status.QUOTED),
        "can_advance": (manages or is_administrator(user))
        and any(order.can_transition(to) for to in actions.STAFF_MOVES),
        "advance_choices": [to for to in actions.STAFF_MOVES if order.can_transition(to)],
        "can_cancel": order.is_cancellable and order.status not in (Status.PAID, Status.IN_PRODUCTION),
        "is_administrator": is_administrator(user),
    }
    return render(request, "orders/detail.html", context)


@never_cache
@role_required(Role.ACCOUNT_MANAGER)
@require_http_methods(["GET", "POST"])
def quote_price(request: HttpRequest, order_id: UUID) -> HttpResponse:
    user = _user(request)
    try:
        order = queries.orders_managed_by(user).select_related("customer").get(pk=order_id)
    except Order.DoesNotExist:
        raise Http404("No such order.") from None
    initial = {
        "currency": order.currency or "USD",
        "unit_price": order.unit_price,
        "lead_time_days": order.lead_time_days,
    }
    form = PriceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.price_quote(
                actor=user,
                order=order,
                unit_price=data["unit_price"],
                currency=data["currency"],
                lead_time_days=data["lead_time_days"],
                note=data["note"],
            )
        except actions.OrderActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, _("Quote sent to the customer."))
            return redirect("orders:detail", order_id=order.pk)
    return render(
        request, "orders/price_form.html", {"order": order, "form": form, "files": list(order.files.all())}
    )


@never_cache
@role_required(Role.CUSTOMER)
@require_http_methods(["GET", "POST"])
def order_place(request: HttpRequest, order_id: UUID) -> HttpResponse:
    user = _user(request)
    order = _order(request, order_id)
    if order.status != Status.QUOTED:
        messages.error(request, _("Only a quoted order can be placed."))
        return redirect("orders:detail", order_id=order.pk)
    choices = address_book.address_choices(user)
    delivery, billing = address_book.default_choices(user)
    form = PlaceOrderForm(
        request.POST or None,
        choices=choices,
        initial={"delivery_address": delivery, "billing_address": billing},
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.place_order(
                actor=user,
                order=order,
                delivery=address_book.snapshot_of(user, form.cleaned_data["delivery_address"]),
                billing=address_book.snapshot_of(user, form.cleaned_data["billing_address"]),
            )
        except actions.OrderActionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Order placed. You can pay for it now."))
            return redirect("orders:detail", order_id=order.pk)
    return render(
        request, "orders/place_form.html", {"order": order, "form": form, "has_addresses": bool(choices)}
    )


@role_required(Role.ACCOUNT_MANAGER, Role.ADMINISTRATOR)
@require_POST
def order_advance(request: HttpRequest, order_id: UUID) -> HttpResponse:
    order = _order(request, order_id)
    form = AdvanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the next status."))
    else:
        try:
            actions.advance_order(
                actor=_user(request), order=order, to=form.cleaned_data["to"], note=form.cleaned_data["note"]
            )
        except actions.NotPermitted:
            raise Http404("No such order.") from None
        except actions.OrderActionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Status updated."))
    return redirect("orders:detail", order_id=order.pk)


@role_required(*ORDER_ROLES)
@require_POST
def order_cancel(request: HttpRequest, order_id: UUID) -> HttpResponse:
    order = _order(request, order_id)
    form = CancelForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        actions.cancel_order(actor=_user(request), order=order, note=note)
    except actions.NotPermitted:
        raise Http404("No such order.") from None
    except actions.OrderActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Cancelled."))
    return redirect("orders:detail", order_id=order.pk)


@never_cache
@role_required(Role.CUSTOMER, Role.ACCOUNT_MANAGER)
@require_http_methods(["GET", "HEAD"])
def file_download(request: HttpRequest, order_id: UUID, file_id: UUID) -> HttpResponse:
    user = _user(request)
    try:
        model_file = queries.model_file_for_download(user, order_id, file_id)
    except ModelFile.DoesNotExist:
        raise Http404("No such file.") from None
    if request.method == "GET" and not request.headers.get("Range"):
        actions.record_file_download(actor=user, model_file=model_file)
    return encrypted_file_response(  # type: ignore[return-value]
        request,
        model_file.file,
        content_type=model_file.download_content_type,
        filename=model_file.display_name,
        disposition="attachment",
    )
