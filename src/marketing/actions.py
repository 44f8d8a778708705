"""Marketing e-mails on consent: subscribe, unsubscribe, write and send a campaign.

Consent itself is the privacy engine's (privacy.api: grant_purpose_consent,
withdraw_purpose_consent): this app records nothing of it on its own, so the account page,
the one-click link and a rights request change one history. A campaign asks the engine,
per recipient, whether the purpose may be served now (`processable_subjects`): consent in
force, no restriction, no objection (C18, C32, C34). Each message is sent after its
Delivery row commits, so a rolled-back send mails no one, and a rerun of the campaign
mails only those it has not reached yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from accounts.actions import audit_actor
from accounts.models import Role, User
from marketing import emails
from marketing.models import MARKETING, Campaign, Delivery
from privacy.api import (
    ProcessingError,
    audit_action,
    grant_purpose_consent,
    processable_subjects,
    record_event,
    withdraw_purpose_consent,
)

CAMPAIGN_CREATED = audit_action("marketing.campaign.created", "A marketing campaign was written")
CAMPAIGN_SENT = audit_action(
    "marketing.campaign.sent", "A marketing campaign was e-mailed to the customers who may receive it"
)

BATCH = 500

__all__ = [
    "CampaignResult",
    "MarketingError",
    "create_campaign",
    "send_campaign",
    "subscribe",
    "unsubscribe",
]


class MarketingError(ValueError):
    """An action refused. `code` is stable (tests); the message is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class CampaignResult:
    campaign: str
    sent: int  # e-mails handed to the mail server
    failed: int  # refused by the mail server (their Delivery rows are removed again)
    already: int  # reached by an earlier run


def subscribe(*, customer: User, wording: str, language: str = "en", method: str = "account_page") -> None:
    """The customer ticks the box: consent to marketing e-mails, with the words they saw."""
    try:
        grant_purpose_consent(
            subject_id=customer.subject_id,
            purpose=MARKETING,
            actor=audit_actor(customer),
            method=method,
            wording=wording,
            language=language,
        )
    except ProcessingError as refused:
        raise MarketingError(refused.code, str(refused)) from None


def unsubscribe(*, subject_id: UUID, method: str, actor: str | None = None) -> dict[str, int]:
    """Withdraw consent to marketing e-mails at once; the rows deleted per model (C18, C42)."""
    return withdraw_purpose_consent(
        subject_id=subject_id, purpose=MARKETING, actor=actor or f"subject:{subject_id}", method=method
    )


def create_campaign(*, name: str, subject_line: str, body: str, actor: str) -> Campaign:
    name, subject_line, body = name.strip(), subject_line.strip(), body.strip()
    if not name or not subject_line or not body:
        raise MarketingError("incomplete", "A campaign needs a name, a subject line and a body.")
    if Campaign.objects.filter(name=name).exists():
        raise MarketingError("exists", f"A campaign named {name!r} exists already.")
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name, subject_line=subject_line, body=body, created_at=timezone.now()
        )
        record_event(
            CAMPAIGN_CREATED, actor=actor, object=f"marketing.campaign:{campaign.pk}", details={"name": name}
        )
    return campaign


def _customers() -> Iterator[list[User]]:
    batch: list[User] = []
    for user in User.objects.filter(role=Role.CUSTOMER, is_active=True).order_by("pk").iterator(BATCH):
        batch.append(user)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def send_campaign(*, name: str, actor: str, at: dt.datetime | None = None) -> CampaignResult:
    """E-mail campaign `name` to every customer for whom marketing may be processed now."""
    campaign = Campaign.objects.filter(name=name).first()
    if campaign is None:
        raise MarketingError("unknown_campaign", f"No campaign named {name!r}.")
    now = at or timezone.now()
    sent = failed = already = 0
    for batch in _customers():
        allowed = processable_subjects([user.subject_id for user in batch], MARKETING)
        reached = set(
            Delivery.objects.filter(campaign=campaign, customer__in=batch).values_list(
                "customer_id", flat=True
            )
        )
        for user in batch:
            if user.subject_id not in allowed:
                continue
            if user.pk in reached:
                already += 1
                continue
            with transaction.atomic():
                delivery = Delivery.objects.create(campaign=campaign, customer=user, sent_at=now)
            if emails.send_campaign_email(campaign=campaign, customer=user):
                sent += 1
            else:
                failed += 1
                delivery.delete()
    with transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(last_sent_at=now)
        record_event(
            CAMPAIGN_SENT,
            actor=actor,
            object=f"marketing.campaign:{campaign.pk}",
            details={"name": name, "sent": sent, "failed": failed, "already": already},
            at=now,
        )
    return CampaignResult(campaign=name, sent=sent, failed=failed, already=already)


# keeps: C18 (marketing stops at once on unsubscribe), C42 (its delivery rows go with the consent)
