"""Customer support tickets and their threads (policy section 5, commitment C7).

C7 says support keeps the contact information, time, topic and content of each
communication: here the contact e-mail and phone given for the ticket, `created_at` of the
ticket and of each message, the `topic` (a fixed list, so it carries nothing personal) and
the subject line, content and message bodies. Everything a person typed is encrypted under
the customer's data key in the "customer_support" context, staff replies included: a
reply is part of the customer's correspondence and is erased with it.

Tickets belong to logged-in customers only (docs/decisions/0007): a guest ticket would
hold personal data tied to no account, which no access or erasure request could find.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.api import EncryptedCharField, EncryptedTextField, PersonalModel

# The collection context of the declaration that these fields belong to (policy section 5).
CUSTOMER_SUPPORT = "customer_support"


class Topic(models.TextChoices):
    ORDER = "order", _("Order issue")
    QUOTE = "quote", _("Quote question")
    PAYMENT = "payment", _("Payment")
    ACCOUNT = "account", _("Account")
    PRIVACY = "privacy", _("Privacy")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    OPEN = "open", _("Open")  # waiting for support
    ANSWERED = "answered", _("Answered")  # waiting for the customer
    CLOSED = "closed", _("Closed")


class Ticket(PersonalModel):
    privacy_subject = "customer"

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="support_tickets",
        verbose_name=_("customer"),
    )
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices)
    subject_line = EncryptedCharField(
        _("subject"), max_length=150, category="user.content.private", context=CUSTOMER_SUPPORT
    )
    content = EncryptedTextField(_("message"), category="user.content.private", context=CUSTOMER_SUPPORT)
    contact_email = EncryptedCharField(
        _("contact e-mail"),
        max_length=254,
        blank=True,
        category="user.contact.email",
        context=CUSTOMER_SUPPORT,
    )
    contact_phone = EncryptedCharField(
        _("contact phone"),
        max_length=16,
        blank=True,
        category="user.contact.phone_number",
        context=CUSTOMER_SUPPORT,
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("opened"), default=timezone.now, editable=False, db_index=True)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("support ticket")
        verbose_name_plural = _("support tickets")
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return f"Ticket {self.reference}"

    @property
    def reference(self) -> str:
        """A short reference to quote on the phone: the random end of the UUIDv7, upper-cased."""
        return self.pk.hex[-8:].upper()

    @property
    def is_closed(self) -> bool:
        return self.status == Status.CLOSED


class TicketMessage(PersonalModel):
    """One message of a ticket's thread after the first (which is the ticket's content)."""

    privacy_subject = "ticket__customer"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    # The writer's account: the customer, or the member of staff who answered. Kept when a
    # staff account is deleted (the message is the customer's correspondence), as null.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    body = EncryptedTextField(_("message"), category="user.content.private", context=CUSTOMER_SUPPORT)
    from_staff = models.BooleanField(_("from SogaWorks support"), default=False)
    created_at = models.DateTimeField(_("sent"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("ticket message")
        ordering: ClassVar[list[str]] = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Message {self.pk} of ticket {self.ticket_id}"


# keeps: C7 (contact, time, topic and content of each communication)
