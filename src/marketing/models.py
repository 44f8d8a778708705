"""Marketing campaigns and who was sent each one.

A `Delivery` row exists only because the customer consented to marketing e-mails: it is
declared `privacy_only_for = "marketing_messages"`, so withdrawing that consent (the
unsubscribe link, the account page, a rights request) deletes the customer's rows through
the catalog (C42). It holds no address: the e-mail is read from the account when sending.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

from privacy.api import not_personal

MARKETING = "marketing_messages"  # the declaration's purpose


class Campaign(models.Model):
    """One marketing e-mail, written once and sent to every customer who may receive it."""

    name = not_personal(models.SlugField(max_length=60, unique=True), reason="the campaign's slug")
    subject_line = models.CharField(max_length=200)
    body = not_personal(
        models.TextField(), reason="the campaign's text, the same for every recipient (no merge fields)"
    )
    created_at = models.DateTimeField()
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class Delivery(models.Model):
    """That a campaign was e-mailed to a customer (and so is not sent to them twice)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="deliveries")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField()

    privacy_subject: ClassVar[str] = "customer"
    privacy_only_for: ClassVar[str] = MARKETING

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "customer"], name="marketing_one_delivery_per_customer"
            )
        ]

    def __str__(self) -> str:
        return f"delivery {self.pk} of {self.campaign_id}"
