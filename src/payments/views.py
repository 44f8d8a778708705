"""The payment pages: choose how to pay, pay by card or bank transfer, the invoice; staff refunds.

The card form posts here and the number is tokenised with the gateway before anything else
happens; from then on only the token travels. `sensitive_post_parameters` keeps the number
and the code out of error reports, `sensitive_variables` keeps them out of tracebacks, and
the form never renders them back (forms.NeverRenderedInput).
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_POST

from accounts.access import role_required
from accounts.models import Role, User
from orders.models import Order
from payments import actions, queries
from payments.bank_accounts import BankDetailsInvalid, clean_bank_details
from payments.forms import BankTransferForm, CardForm, RefundForm
from payments.gateway import CardRejected
from payments.models import Invoice, Payment
from payments.provider import payment_gateway

CARD_FIELDS = ("number", "cvc")


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _order_to_pay(request: HttpRequest, order_id: UUID) -> Order:
    try:
        return queries.order_to_pay(request.user, order_id)
    except Order.DoesNotExist:
        raise Http404("No such order.") from None


def _render_pay(
    request: HttpRequest, order: Order, *, card_form: CardForm, bank_form: BankTransferForm, status: int = 200
) -> HttpResponse:
    context = {
        "order": order,
        "card_form": card_form,
        "bank_form": bank_form,
        "awaited": queries.awaited_transfer(order),
        "payments": queries.order_payments(order),
    }
    return render(request, "payments/pay.html", context, status=status)


@never_cache
@role_required(Role.CUSTOMER)
@require_GET
def pay(request: HttpRequest, order_id: UUID) -> HttpResponse:
    order = _order_to_pay(request, order_id)
    return _render_pay(request, order, card_form=CardForm(), bank_form=BankTransferForm())


@never_cache
@sensitive_post_parameters(*CARD_FIELDS)
@role_required(Role.CUSTOMER)
@require_POST
@sensitive_variables("form", "data")  # innermost: it hides the locals of the frame it calls
def pay_card(request: HttpRequest, order_id: UUID) -> HttpResponse:
    order = _order_to_pay(request, order_id)
    form = CardForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            card = payment_gateway().tokenise_card(
                number=data["number"], exp_month=data["exp_month"], exp_year=data["exp_year"], cvc=data["cvc"]
            )
        except CardRejected as rejected:
            field = {"invalid_cvc": "cvc", "invalid_expiry": "exp_month", "expired_card": "exp_month"}
            form.add_error(field.get(rejected.code, "number"), rejected.message)
        else:
            try:
                actions.pay_by_card(actor=_user(request), order=order, card=card)
            except actions.CardDeclined as declined:
                messages.error(
                    request, _("Your payment was declined: %(reason)s") % {"reason": declined.message}
                )
                return redirect("payments:pay", order_id=order.pk)
            except actions.PaymentError as refused:
                messages.error(request, refused.message)
                return redirect("orders:detail", order_id=order.pk)
            messages.success(request, _("Thank you: your payment went through and your invoice is ready."))
            return redirect("orders:detail", order_id=order.pk)
    return _render_pay(request, order, card_form=form, bank_form=BankTransferForm(), status=422)


@never_cache
@sensitive_post_parameters("account_number")
@role_required(Role.CUSTOMER)
@require_POST
def pay_bank_transfer(request: HttpRequest, order_id: UUID) -> HttpResponse:
    order = _order_to_pay(request, order_id)
    form = BankTransferForm(request.POST)
    if form.is_valid():
        try:
            details = clean_bank_details(**form.cleaned_data)
        except BankDetailsInvalid as invalid:
            form.add_error(invalid.field, invalid.message)
        else:
            try:
                actions.request_bank_transfer(actor=_user(request), order=order, details=details)
            except actions.PaymentError as refused:
                messages.error(request, refused.message)
                return redirect("orders:detail", order_id=order.pk)
            messages.success(
                request, _("Thank you. Your order is marked paid as soon as the transfer arrives.")
            )
            return redirect("payments:pay", order_id=order.pk)
    return _render_pay(request, order, card_form=CardForm(), bank_form=form, status=422)


@never_cache
@role_required(Role.CUSTOMER, Role.ACCOUNT_MANAGER, Role.ADMINISTRATOR)
@require_GET
def invoice(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    try:
        found = queries.invoice_visible_to(request.user, invoice_id)
    except Invoice.DoesNotExist:
        raise Http404("No such invoice.") from None
    return render(request, "payments/invoice.html", {"invoice": found, "order": found.order})


def _staff_payment(request: HttpRequest, payment_id: UUID) -> Payment:
    try:
        return queries.payment_visible_to(request.user, payment_id)
    except Payment.DoesNotExist:
        raise Http404("No such payment.") from None


@role_required(Role.ADMINISTRATOR)
@require_POST
def refund(request: HttpRequest, payment_id: UUID) -> HttpResponse:
    payment = _staff_payment(request, payment_id)
    form = RefundForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        actions.refund_payment(actor=_user(request), payment=payment, reason=reason)
    except actions.PaymentError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The payment was refunded."))
    return redirect("orders:detail", order_id=payment.order_id)


@role_required(Role.ADMINISTRATOR)
@require_POST
def confirm_transfer(request: HttpRequest, payment_id: UUID) -> HttpResponse:
    payment = _staff_payment(request, payment_id)
    try:
        actions.confirm_bank_transfer(actor=_user(request), payment=payment)
    except actions.PaymentError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Transfer confirmed: the order is paid and its invoice issued."))
    return redirect("orders:detail", order_id=payment.order_id)
