"""Address book pages: HTTP only. Each view finds the address among the customer's own
(a guessed id of another customer's address is a 404) and calls one action."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import role_required
from accounts.models import Role
from addresses import actions
from addresses.forms import AddressForm, add_errors
from addresses.models import Address
from addresses.queries import address_of, addresses_of

STAFF_SEARCH_ROLES = (Role.ACCOUNT_MANAGER, Role.PRIVACY_OFFICER, Role.ADMINISTRATOR)


def _own_address(request: HttpRequest, address_id: Any) -> Address:
    try:
        return address_of(request.user, address_id)
    except Address.DoesNotExist:
        raise Http404("No such address in your address book.") from None


@role_required(Role.CUSTOMER)
def address_list(request: HttpRequest) -> HttpResponse:
    addresses = list(addresses_of(request.user))
    return render(
        request,
        "addresses/list.html",
        {"addresses": addresses, "full": len(addresses) >= actions.MAX_ADDRESSES},
    )


@role_required(Role.CUSTOMER)
@require_http_methods(["GET", "POST"])
def address_add(request: HttpRequest) -> HttpResponse:
    form = AddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_address(
                customer=request.user,
                details=form.cleaned_data["details"],
                default_delivery=form.cleaned_data["default_delivery"],
                default_billing=form.cleaned_data["default_billing"],
            )
        except ValidationError as problem:
            add_errors(form, problem)
        else:
            messages.success(request, _("Address added."))
            return redirect("addresses:list")
    return render(request, "addresses/form.html", {"form": form, "adding": True})


@role_required(Role.CUSTOMER)
@require_http_methods(["GET", "POST"])
def address_edit(request: HttpRequest, address_id: Any) -> HttpResponse:
    address = _own_address(request, address_id)
    if request.method == "POST":
        form = AddressForm(request.POST)
        if form.is_valid():
            try:
                actions.update_address(
                    customer=request.user,
                    address_id=address.pk,
                    details=form.cleaned_data["details"],
                    default_delivery=form.cleaned_data["default_delivery"],
                    default_billing=form.cleaned_data["default_billing"],
                )
            except Address.DoesNotExist:
                raise Http404("No such address in your address book.") from None
            except ValidationError as problem:
                add_errors(form, problem)
            else:
                messages.success(request, _("Address saved."))
                return redirect("addresses:list")
    else:
        form = AddressForm(initial=AddressForm.initial_for(address))
    return render(request, "addresses/form.html", {"form": form, "adding": False, "address": address})


@role_required(Role.CUSTOMER)
@require_http_methods(["GET", "POST"])
def address_delete(request: HttpRequest, address_id: Any) -> HttpResponse:
    address = _own_address(request, address_id)
    if request.method == "POST":
        try:
            actions.delete_address(customer=request.user, address_id=address.pk)
        except Address.DoesNotExist:
            raise Http404("No such address in your address book.") from None
        messages.success(request, _("Address deleted."))
        return redirect("addresses:list")
    return render(request, "addresses/confirm_delete.html", {"address": address})


@role_required(Role.CUSTOMER)
@require_POST
def address_set_default(request: HttpRequest, address_id: Any, use: str) -> HttpResponse:
    if use not in actions.USES:
        raise Http404("No such default.")
    chosen: actions.AddressUse = "delivery" if use == "delivery" else "billing"
    try:
        actions.set_default_address(customer=request.user, address_id=address_id, use=chosen)
    except Address.DoesNotExist:
        raise Http404("No such address in your address book.") from None
    if chosen == "delivery":
        messages.success(request, _("Default delivery address changed."))
    else:
        messages.success(request, _("Default billing address changed."))
    return redirect("addresses:list")


@role_required(*STAFF_SEARCH_ROLES)
def staff_phone_search(request: HttpRequest) -> HttpResponse:
    """Find a customer by the mobile number they call from, among the customers one may see."""
    phone = request.GET.get("phone", "").strip()[:32]
    found = actions.find_addresses_by_phone(staff=request.user, phone=phone) if phone else None
    return render(request, "addresses/staff_search.html", {"phone": phone, "found": found})
