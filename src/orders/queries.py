"""Who may see which orders and files (commitment C37), and the reads the pages need.

Need-to-know lives here, in the queries, so a page or an endpoint cannot show more than
these return:

- a customer sees their own orders;
- an account manager sees the orders of the customers assigned to them *now* (a
  reassignment hands the orders over with the customer);
- an administrator sees every order (refunds, and production when no manager is free);
- a support agent and the privacy officer see none: tickets and rights requests do not
  need a customer's parts (the privacy officer answers access requests through the
  engine's export, which walks the catalog).

3D files are stricter: only the customer and their account manager may download them.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from accounts.queries import customers_visible_to, is_account_manager, is_administrator, is_customer
from orders.models import ModelFile, Order, OrderEvent, Status


def orders_visible_to(user: Any) -> QuerySet[Order]:
    """The orders `user` may see; empty for anyone without a need to know."""
    if not (is_customer(user) or is_account_manager(user) or is_administrator(user)):
        return Order.objects.none()
    return Order.objects.filter(customer__in=customers_visible_to(user))


def order_visible_to(user: Any, order_id: UUID | str) -> Order:
    """One order `user` may see; Order.DoesNotExist for any other id, whether it exists or not."""
    return orders_visible_to(user).select_related("customer", "account_manager").get(pk=order_id)


def orders_managed_by(user: Any) -> QuerySet[Order]:
    """The orders an account manager works on: those of their assigned customers."""
    if not is_account_manager(user):
        return Order.objects.none()
    return Order.objects.filter(customer__account_manager_id=user.pk, customer__is_active=True)


def quote_queue(user: Any) -> QuerySet[Order]:
    """Quote requests waiting for `user`'s price, oldest first."""
    return orders_managed_by(user).filter(status=Status.QUOTE_REQUESTED).order_by("requested_at")


def model_files_downloadable_by(user: Any) -> QuerySet[ModelFile]:
    """The 3D files `user` may download: their own, or their assigned customers'. Nobody else's."""
    if not (is_customer(user) or is_account_manager(user)):
        return ModelFile.objects.none()
    return ModelFile.objects.filter(order__customer__in=customers_visible_to(user))


def model_file_for_download(user: Any, order_id: UUID | str, file_id: UUID | str) -> ModelFile:
    """One file of one order that `user` may download; ModelFile.DoesNotExist otherwise."""
    return (
        model_files_downloadable_by(user).select_related("order__customer").get(pk=file_id, order_id=order_id)
    )


def can_download_files(user: Any, order: Order) -> bool:
    """Whether `user` may download this order's files (and see their names)."""
    return (is_customer(user) or is_account_manager(user)) and orders_visible_to(user).filter(
        pk=order.pk
    ).exists()


def timeline(order: Order) -> list[OrderEvent]:
    """The order's status changes, oldest first."""
    return list(order.events.select_related("actor").order_by("at", "id"))
