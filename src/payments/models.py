"""Payments and invoices (policy section 4, commitment C6).

A `Payment` is one attempt to pay for an order, by card or by bank transfer, and keeps
what that method needs and no more. For a card: the gateway's token, the brand, the last
four digits and the expiry — never the number or the security code, which the gateway
tokenises before any of our code could store them. For a bank transfer: the account
holder, the IBAN or account number and the bank, which a refund or a reconciliation needs.
Both are encrypted under the customer's key: the payment row is kept with the purchase
record, and an erasure destroys the key, which leaves them unreadable at once (the
retention rules payment-card and payment-bank-account end them after 180 days anyway).

The amount, currency and outcome are the purchase record, kept under the accounting hold
(payment-invoice): plain columns, anonymised when the hold ends.

An `Invoice` is issued in the same transaction that marks the order paid. It is an
accounting voucher kept thirty years, so its billing snapshot is sealed under the
invoice's own key (`subject_id`), not the customer's, like orders.OrderAddress: an
erasure of the customer leaves the voucher readable for as long as the law keeps it.
Numbers run per calendar year without gaps (SW-2026-000123), drawn from `InvoiceSequence`
under a row lock.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar, Literal, TypeVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.models import Order, readable
from privacy.api import EncryptedCharField, EncryptedTextField, PersonalModel, personal

PAYMENT = "payment"
DELIVERY = "delivery"
PURCHASE = "user.behavior.purchase_history"
CARD = "user.financial.credit_card"
BANK = "user.financial.bank_account"


FieldT = TypeVar("FieldT", bound="models.Field[Any, Any]")


def _purchase(field: FieldT, *, erasure: Literal["anonymise", "delete_row"] = "anonymise") -> FieldT:
    """A column of the purchase record, kept under the accounting hold (payment-invoice)."""
    return personal(field, category=PURCHASE, context=PAYMENT, erasure=erasure)


BRAND_NAMES = {
    "visa": "Visa",
    "mastercard": "Mastercard",
    "amex": "American Express",
    "discover": "Discover",
    "jcb": "JCB",
    "unionpay": "UnionPay",
}


class Method(models.TextChoices):
    CARD = "card", _("Card")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Being processed")
    AWAITING_TRANSFER = "awaiting_transfer", _("Awaiting bank transfer")
    SUCCEEDED = "succeeded", _("Paid")
    DECLINED = "declined", _("Declined")
    REFUNDED = "refunded", _("Refunded")


class Payment(PersonalModel):
    privacy_subject = "order__customer"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    attempt = models.PositiveIntegerField()  # 1, 2, ... per order: half of the idempotency key
    method = _purchase(models.CharField(_("method"), max_length=20, choices=Method.choices))
    amount = _purchase(models.DecimalField(_("amount"), max_digits=14, decimal_places=2))
    currency = _purchase(models.CharField(_("currency"), max_length=3))
    status = _purchase(
        models.CharField(
            _("status"), max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
        )
    )
    decline_code = models.CharField(max_length=40, blank=True)
    # The provider's reference of the charge and of its refund: needed to refund, and
    # meaningless without the provider's own records.
    gateway_charge_id = models.CharField(max_length=100, blank=True)
    gateway_refund_id = models.CharField(max_length=100, blank=True)
    refunded_amount = _purchase(models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True))

    # Card: what a CardToken holds, nothing more.
    card_token = EncryptedCharField(
        max_length=255, blank=True, category=CARD, context=PAYMENT, provided_by_subject=False
    )
    card_brand = EncryptedCharField(max_length=20, blank=True, category=CARD, context=PAYMENT)
    card_last4 = EncryptedCharField(max_length=4, blank=True, category=CARD, context=PAYMENT)
    card_exp_month = EncryptedCharField(max_length=2, blank=True, category=CARD, context=PAYMENT)
    card_exp_year = EncryptedCharField(max_length=4, blank=True, category=CARD, context=PAYMENT)

    # Bank transfer: the customer's account, to match the transfer and to refund it.
    bank_account_holder = EncryptedCharField(max_length=140, blank=True, category=BANK, context=PAYMENT)
    bank_account_number = EncryptedCharField(max_length=64, blank=True, category=BANK, context=PAYMENT)
    bank_name = EncryptedCharField(max_length=140, blank=True, category=BANK, context=PAYMENT)

    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at", "attempt"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["order", "attempt"], name="payments_payment_order_attempt"),
            # At most one payment of an order succeeds (or is refunded after succeeding).
            models.UniqueConstraint(
                fields=["order"],
                condition=models.Q(status__in=["succeeded", "refunded"]),
                name="payments_payment_one_success_per_order",
            ),
        ]

    def __str__(self) -> str:
        return f"Payment {self.pk} ({self.method}, {self.status})"

    @property
    def idempotency_key(self) -> str:
        return f"order-{self.order_id}-attempt-{self.attempt}"

    @property
    def card_display(self) -> str:
        """ "Visa •••• 4242, expires 04/2030", for pages; empty for a bank transfer."""
        last4 = readable(self, "card_last4")
        if not last4:
            return ""
        brand = readable(self, "card_brand")
        month, year = readable(self, "card_exp_month"), readable(self, "card_exp_year")
        return f"{BRAND_NAMES.get(brand, brand.title())} •••• {last4}, expires {month}/{year}"

    @property
    def masked_account_number(self) -> str:
        number = readable(self, "bank_account_number").replace(" ", "")
        return f"•••• {number[-4:]}" if len(number) > 4 else "••••"

    @property
    def is_refundable(self) -> bool:
        return (
            self.method == Method.CARD
            and self.status == PaymentStatus.SUCCEEDED
            and bool(self.gateway_charge_id)
        )


class InvoiceSequence(models.Model):
    """The last invoice number issued in a year; locked while the next one is drawn."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Invoice(PersonalModel):
    privacy_subject = "self"
    # Whose invoice it is, for access requests and erasure (held for tax: kept and reported).
    privacy_person = "customer_subject_id"

    # The invoice's own key (see the module docstring); `customer_subject_id` says whose it is.
    subject_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer_subject_id = models.UUIDField(db_index=True)
    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="invoice")
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="invoice")
    number = models.CharField(max_length=20, unique=True)
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    issued_at = models.DateTimeField(default=timezone.now)
    description = _purchase(models.CharField(max_length=300), erasure="delete_row")
    quantity = _purchase(models.PositiveIntegerField(), erasure="delete_row")
    unit_price = _purchase(models.DecimalField(max_digits=12, decimal_places=2), erasure="delete_row")
    total = _purchase(models.DecimalField(max_digits=14, decimal_places=2), erasure="delete_row")
    currency = _purchase(models.CharField(max_length=3), erasure="delete_row")
    payment_method = _purchase(models.CharField(max_length=20, choices=Method.choices), erasure="delete_row")
    billing_name = EncryptedCharField(
        max_length=120, blank=True, category="user.name", context=DELIVERY, erasure="delete_row"
    )
    billing_address = EncryptedTextField(
        blank=True, category="user.contact.address", context=DELIVERY, erasure="delete_row"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["-year", "-sequence"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["year", "sequence"], name="payments_invoice_year_sequence"),
        ]

    def __str__(self) -> str:
        return f"Invoice {self.number}"

    @property
    def billing_lines(self) -> list[str]:
        return [line for line in self.billing_address.splitlines() if line]


# keeps: C6 (token, brand, last four and expiry only; bank details encrypted)
