"""Order status e-mails: the quote is ready, the order has shipped, it was delivered.

Sent after the change commits (`transaction.on_commit`), and only when the privacy engine
says the customer's data may be used to communicate with them now (`may_process`): while
processing is restricted, or after an upheld objection, no status e-mail goes out (C32,
C34); the order page still shows the status. The function takes the order's id and reads
the address from the account as it sends, so that no address travels in a closure or a
log line; a sending failure is logged by kind only.
"""

from __future__ import annotations

import logging
from uuid import UUID

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from orders.models import Order, Status
from privacy.api import may_process

logger = logging.getLogger(__name__)

# The declaration's purpose of a service message: "Communicating with you in relation to Services".
PURPOSE = "communicate"
NOTIFIED = frozenset({Status.QUOTED, Status.SHIPPED, Status.DELIVERED})


def send_status_email(order_pk: UUID, status: str) -> bool:
    """E-mail the customer that their order reached `status`; False when not sent (and why is logged)."""
    order = Order.objects.select_related("customer").filter(pk=order_pk).first()
    if order is None or order.status != status or not order.customer.is_active:
        return False
    if not may_process(order.customer.subject_id, PURPOSE):
        logger.info("order status e-mail withheld: processing is not allowed for its customer now")
        return False
    base = str(getattr(settings, "PLEDGE_SITE_URL", "") or "").rstrip("/")
    context = {
        "order": order,
        "status": Status(status).label,
        "url": base + reverse("orders:detail", kwargs={"order_id": order.pk}),
    }
    message = EmailMessage(
        subject=render_to_string("orders/email/status_subject.txt", context).strip(),
        body=render_to_string("orders/email/status.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[order.customer.email],
    )
    try:
        message.send()
    except Exception as problem:  # the order page shows the status all the same
        logger.warning("order status e-mail was not sent: %s", type(problem).__name__)
        return False
    return True
