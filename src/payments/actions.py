"""Paying for an order, by card or bank transfer; issuing the invoice; refunding.

A card payment spans a call to the gateway, which must not run inside a database
transaction (a slow provider would hold the order's lock, and a rollback cannot take a
charge back). So `pay_by_card` runs in three steps:

1. one transaction records the attempt (a pending Payment, numbered per order) and its
   audit event, after checking under the order's row lock that the order is placed, is
   the actor's, and has no other payment in progress or done;
2. the gateway charges the card token with the idempotency key "order-<id>-attempt-<n>":
   a retry of the same attempt can never charge twice;
3. one transaction records the outcome. On success the payment, the order's move to
   paid, the invoice with its number and the audit events commit together, or none does.
   On a decline the payment is marked declined and the order stays placed.

The card number and security code never reach this module: the views and the API
tokenise them with the gateway at once and hand over a `CardToken`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from accounts.actions import audit_actor
from accounts.models import User
from accounts.queries import is_administrator, is_customer
from orders.actions import transition_order
from orders.models import AddressKind, Order, OrderAddress, Status
from payments.bank_accounts import BankDetails
from payments.gateway import CardToken, GatewayError, PaymentDeclined, PaymentGateway
from payments.models import Invoice, InvoiceSequence, Method, Payment, PaymentStatus
from payments.provider import payment_gateway
from privacy.api import audit_action, record_event

PAYMENT_ATTEMPTED = audit_action(
    "payments.payment.attempted", "A card payment for an order was sent to the gateway."
)
PAYMENT_SUCCEEDED = audit_action(
    "payments.payment.succeeded", "A payment succeeded and its order was marked paid."
)
PAYMENT_DECLINED = audit_action(
    "payments.payment.declined", "A card payment was declined; the order stays unpaid."
)
TRANSFER_REQUESTED = audit_action(
    "payments.bank_transfer.requested", "A customer chose to pay an order by bank transfer."
)
TRANSFER_CONFIRMED = audit_action(
    "payments.bank_transfer.confirmed", "An administrator confirmed that a bank transfer arrived."
)
INVOICE_ISSUED = audit_action("payments.invoice.issued", "An invoice was issued for a paid order.")
PAYMENT_REFUNDED = audit_action("payments.payment.refunded", "An administrator refunded a payment.")

INVOICE_PREFIX = "SW"

__all__ = [
    "CardDeclined",
    "NotPermitted",
    "PaymentError",
    "PaymentRefused",
    "confirm_bank_transfer",
    "invoice_number",
    "pay_by_card",
    "refund_payment",
    "request_bank_transfer",
    "resume_pending_payments",
]


class PaymentError(Exception):
    """A payment action refused. `code` is stable; `message` is for the customer."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotPermitted(PaymentError):
    pass


class PaymentRefused(PaymentError):
    """The order cannot be paid (or refunded) in its present state, or the gateway refused the call."""


class CardDeclined(PaymentError):
    """The gateway declined the charge; `payment` is the declined attempt."""

    def __init__(self, code: str, message: str, *, payment: Payment) -> None:
        super().__init__(code, message)
        self.payment = payment


def _object(order: Order) -> str:
    return f"orders.order:{order.pk}"


def _locked_order(order: Order) -> Order:
    return Order.objects.select_for_update().select_related("customer").get(pk=order.pk)


def _check_payable(actor: User, order: Order) -> None:
    if not (is_customer(actor) and order.customer_id == actor.pk):
        raise NotPermitted("not_your_order", "Only the customer who placed this order can pay for it.")
    if order.status != Status.PLACED:
        raise PaymentRefused("not_payable", "Only a placed, unpaid order can be paid.")
    if order.total is None or not order.currency:
        raise PaymentRefused("not_priced", "This order has no price yet.")
    open_payment = order.payments.filter(
        status__in=[PaymentStatus.PENDING, PaymentStatus.SUCCEEDED, PaymentStatus.AWAITING_TRANSFER]
    ).first()
    if open_payment is not None:
        if open_payment.status == PaymentStatus.AWAITING_TRANSFER:
            raise PaymentRefused(
                "transfer_awaited",
                "We are waiting for your bank transfer for this order; it is marked paid when it arrives.",
            )
        raise PaymentRefused("payment_in_progress", "A payment for this order is already being processed.")


def _next_attempt(order: Order) -> int:
    last = order.payments.order_by("-attempt").values_list("attempt", flat=True).first()
    return (last or 0) + 1


def invoice_number(year: int, sequence: int) -> str:
    return f"{INVOICE_PREFIX}-{year}-{sequence:06d}"


def _issue_invoice(*, order: Order, payment: Payment, actor: User | None, at: dt.datetime) -> Invoice:
    """Draw the year's next number under a row lock and issue the invoice; inside the caller's transaction."""
    year = at.year
    InvoiceSequence.objects.get_or_create(year=year)
    sequence = InvoiceSequence.objects.select_for_update().get(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    billing = OrderAddress.objects.filter(order=order, kind=AddressKind.BILLING).first()
    assert order.total is not None
    assert order.unit_price is not None
    invoice = Invoice.objects.create(
        customer_subject_id=order.customer.subject_id,
        order=order,
        payment=payment,
        number=invoice_number(year, sequence.last),
        year=year,
        sequence=sequence.last,
        issued_at=at,
        description=f"{order.process_name}, {order.material}, {order.finish}",
        quantity=order.quantity,
        unit_price=order.unit_price,
        total=order.total,
        currency=order.currency,
        payment_method=payment.method,
        billing_name=billing.consignee_name if billing else "",
        billing_address=billing.postal_lines if billing else "",
    )
    record_event(
        INVOICE_ISSUED,
        actor=audit_actor(actor),
        subject=str(order.customer.subject_id),
        object=f"payments.invoice:{invoice.pk}",
        details={"number": invoice.number, "order": str(order.pk)},
        at=at,
    )
    return invoice


def _mark_paid(*, order: Order, payment: Payment, actor: User | None, note: str, at: dt.datetime) -> Invoice:
    """The payment succeeded: the order becomes paid and its invoice is issued (caller's transaction)."""
    payment.status = PaymentStatus.SUCCEEDED
    payment.completed_at = at
    payment.save()
    transition_order(order=order, to=Status.PAID, actor=actor, note=note, at=at)
    record_event(
        PAYMENT_SUCCEEDED,
        actor=audit_actor(actor),
        subject=str(order.customer.subject_id),
        object=_object(order),
        details={"payment": str(payment.pk), "method": payment.method, "attempt": payment.attempt},
        at=at,
    )
    return _issue_invoice(order=order, payment=payment, actor=actor, at=at)


def pay_by_card(
    *, actor: User, order: Order, card: CardToken, gateway: PaymentGateway | None = None
) -> Payment:
    """Charge the tokenised card for the order's total. CardDeclined leaves the order placed."""
    gateway = gateway or payment_gateway()
    with transaction.atomic():
        order = _locked_order(order)
        _check_payable(actor, order)
        assert order.total is not None
        payment = Payment.objects.create(
            order=order,
            attempt=_next_attempt(order),
            method=Method.CARD,
            amount=order.total,
            currency=order.currency,
            status=PaymentStatus.PENDING,
            card_token=card.token,
            card_brand=card.brand,
            card_last4=card.last4,
            card_exp_month=f"{card.exp_month:02d}",
            card_exp_year=str(card.exp_year),
        )
        record_event(
            PAYMENT_ATTEMPTED,
            actor=audit_actor(actor),
            subject=str(order.customer.subject_id),
            object=_object(order),
            details={"payment": str(payment.pk), "attempt": payment.attempt},
        )
    return _charge_and_record(actor=actor, payment=payment, token=card.token, gateway=gateway)


def _charge_and_record(
    *, actor: User | None, payment: Payment, token: str, gateway: PaymentGateway
) -> Payment:
    """Steps 2 and 3: charge under the attempt's idempotency key, then record the outcome."""
    try:
        charge = gateway.charge(
            token=token,
            amount=payment.amount,
            currency=payment.currency,
            idempotency_key=payment.idempotency_key,
        )
    except PaymentDeclined as declined:
        _record_decline(actor=actor, payment=payment, code=declined.code, charge_id=declined.charge.id)
        raise CardDeclined(declined.code, declined.message, payment=payment) from None
    except GatewayError as refused:
        _record_decline(actor=actor, payment=payment, code=refused.code, charge_id="")
        raise PaymentRefused(refused.code, refused.message) from None
    with transaction.atomic():
        order = _locked_order(payment.order)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status != PaymentStatus.PENDING:
            return payment  # recorded meanwhile by the request itself or another resume
        payment.gateway_charge_id = charge.id
        if order.can_transition(Status.PAID):
            _mark_paid(order=order, payment=payment, actor=actor, note="Paid by card.", at=timezone.now())
            return payment
        payment.status = PaymentStatus.SUCCEEDED
        payment.completed_at = timezone.now()
        payment.save()
    # The order was cancelled while the card was being charged: give the money back at once.
    _refund(actor=None, payment=payment, gateway=gateway, reason="The order was cancelled during payment.")
    raise PaymentRefused("order_changed", "This order was cancelled while paying; the charge was refunded.")


@dataclass(frozen=True)
class ResumedPayment:
    payment_id: UUID
    outcome: str  # "succeeded", "declined", "refused", "refunded", or the status already recorded


def resume_pending_payments(
    *, older_than: dt.timedelta = dt.timedelta(minutes=5), gateway: PaymentGateway | None = None
) -> list[ResumedPayment]:
    """Finish card payments left pending by a process that stopped between charge and record.

    The charge is asked for again under the attempt's own idempotency key, so a card that
    was charged is not charged twice: the gateway answers with the first outcome, which is
    then recorded as the request would have recorded it. Run by `pledge payments resume`
    (and the daily jobs); `older_than` leaves requests still in flight alone.
    """
    gateway = gateway or payment_gateway()
    cutoff = timezone.now() - older_than
    stale = Payment.objects.filter(
        method=Method.CARD, status=PaymentStatus.PENDING, created_at__lt=cutoff
    ).select_related("order")
    resumed = []
    for payment in stale:
        try:
            done = _charge_and_record(actor=None, payment=payment, token=payment.card_token, gateway=gateway)
            outcome = str(done.status)
        except CardDeclined:
            outcome = "declined"
        except PaymentRefused as refused:
            outcome = "refunded" if refused.code == "order_changed" else "refused"
        resumed.append(ResumedPayment(payment_id=payment.pk, outcome=outcome))
    return resumed


def _record_decline(*, actor: User | None, payment: Payment, code: str, charge_id: str) -> None:
    with transaction.atomic():
        payment = Payment.objects.select_for_update().select_related("order__customer").get(pk=payment.pk)
        payment.status = PaymentStatus.DECLINED
        payment.decline_code = code[:40]
        payment.gateway_charge_id = charge_id
        payment.completed_at = timezone.now()
        payment.save()
        record_event(
            PAYMENT_DECLINED,
            actor=audit_actor(actor),
            subject=str(payment.order.customer.subject_id),
            object=_object(payment.order),
            details={"payment": str(payment.pk), "attempt": payment.attempt, "code": payment.decline_code},
        )


def request_bank_transfer(*, actor: User, order: Order, details: BankDetails) -> Payment:
    """The customer will pay by bank transfer from this account; the order is paid when it arrives."""
    with transaction.atomic():
        order = _locked_order(order)
        _check_payable(actor, order)
        assert order.total is not None
        payment = Payment.objects.create(
            order=order,
            attempt=_next_attempt(order),
            method=Method.BANK_TRANSFER,
            amount=order.total,
            currency=order.currency,
            status=PaymentStatus.AWAITING_TRANSFER,
            bank_account_holder=details.account_holder,
            bank_account_number=details.account_number,
            bank_name=details.bank_name,
        )
        record_event(
            TRANSFER_REQUESTED,
            actor=audit_actor(actor),
            subject=str(order.customer.subject_id),
            object=_object(order),
            details={"payment": str(payment.pk), "attempt": payment.attempt},
        )
    return payment


def confirm_bank_transfer(*, actor: User, payment: Payment) -> Invoice:
    """An administrator saw the transfer arrive: the order is paid and its invoice issued."""
    if not is_administrator(actor):
        raise NotPermitted("administrators_only", "Only an administrator can confirm a bank transfer.")
    with transaction.atomic():
        order = _locked_order(payment.order)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status != PaymentStatus.AWAITING_TRANSFER or order.status != Status.PLACED:
            raise PaymentRefused(
                "not_awaiting", "This payment is not an awaited bank transfer of a placed order."
            )
        now = timezone.now()
        record_event(
            TRANSFER_CONFIRMED,
            actor=audit_actor(actor),
            subject=str(order.customer.subject_id),
            object=_object(order),
            details={"payment": str(payment.pk)},
            at=now,
        )
        return _mark_paid(order=order, payment=payment, actor=actor, note="Bank transfer received.", at=now)


def refund_payment(
    *, actor: User, payment: Payment, reason: str = "", gateway: PaymentGateway | None = None
) -> Payment:
    """An administrator refunds a card payment in full; an order not yet shipped is cancelled with it.

    Administrators only: the account manager who priced the order does not also send money
    back (docs/decisions/0009-orders-payments.md).
    """
    if not is_administrator(actor):
        raise NotPermitted("administrators_only", "Only an administrator can refund a payment.")
    if not payment.is_refundable:
        raise PaymentRefused("not_refundable", "Only a succeeded card payment can be refunded here.")
    return _refund(actor=actor, payment=payment, gateway=gateway or payment_gateway(), reason=reason)


def _refund(*, actor: User | None, payment: Payment, gateway: PaymentGateway, reason: str) -> Payment:
    try:
        refund = gateway.refund(charge_id=payment.gateway_charge_id, idempotency_key=f"refund-{payment.pk}")
    except GatewayError as refused:
        raise PaymentRefused(refused.code, refused.message) from None
    with transaction.atomic():
        order = _locked_order(payment.order)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status != PaymentStatus.SUCCEEDED:
            return payment  # refunded by a concurrent request with the same idempotency key
        now = timezone.now()
        payment.status = PaymentStatus.REFUNDED
        payment.gateway_refund_id = refund.id
        payment.refunded_amount = refund.amount
        payment.refunded_at = now
        payment.save()
        record_event(
            PAYMENT_REFUNDED,
            actor=audit_actor(actor),
            subject=str(order.customer.subject_id),
            object=_object(order),
            details={"payment": str(payment.pk)},
            at=now,
        )
        if order.can_transition(Status.CANCELLED):
            transition_order(
                order=order, to=Status.CANCELLED, actor=actor, note=reason.strip() or "Refunded.", at=now
            )
    return payment
