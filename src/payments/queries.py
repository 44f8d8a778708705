"""Which payments and invoices who may see: exactly those of the orders they may see (C37)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from accounts.queries import is_customer
from orders.models import Order, Status
from orders.queries import orders_visible_to
from payments.models import Invoice, Payment, PaymentStatus


def payments_visible_to(user: Any) -> QuerySet[Payment]:
    return Payment.objects.filter(order__in=orders_visible_to(user))


def payment_visible_to(user: Any, payment_id: UUID | str) -> Payment:
    """Payment.DoesNotExist for any payment of an order `user` may not see."""
    return payments_visible_to(user).select_related("order__customer").get(pk=payment_id)


def invoices_visible_to(user: Any) -> QuerySet[Invoice]:
    return Invoice.objects.filter(order__in=orders_visible_to(user))


def invoice_visible_to(user: Any, invoice_id: UUID | str) -> Invoice:
    return invoices_visible_to(user).select_related("order", "payment").get(pk=invoice_id)


def order_to_pay(user: Any, order_id: UUID | str) -> Order:
    """The customer's own placed order; Order.DoesNotExist for anything else (staff included)."""
    if not is_customer(user):
        raise Order.DoesNotExist
    return orders_visible_to(user).select_related("customer").get(pk=order_id, customer_id=user.pk)


def awaited_transfer(order: Order) -> Payment | None:
    return (
        order.payments.filter(status=PaymentStatus.AWAITING_TRANSFER).first()
        if order.status == Status.PLACED
        else None
    )


def order_payments(order: Order) -> list[Payment]:
    return list(Payment.objects.filter(order=order).order_by("attempt"))
