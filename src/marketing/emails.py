"""The marketing e-mail: the campaign's text, a one-click unsubscribe link, and nothing personal in it.

Every message carries the RFC 8058 headers (`List-Unsubscribe` with an https link and the
policy's mailto address, `List-Unsubscribe-Post: List-Unsubscribe=One-Click`), so that a
mail client's "Unsubscribe" button withdraws consent with one POST, without logging in;
the same link is in the body. The link's token is the subject id signed with a salt of its
own: no address, no name, and it cannot be forged for another customer. It never expires:
a withdrawal must stay as easy as the consent was (GDPR Art. 7(3), PIPL Art. 15).

The address is read from the account as the message is written; a sending failure is
logged by kind only (an SMTP error can quote the recipient).
"""

from __future__ import annotations

import logging
from uuid import UUID

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import User
from marketing.models import Campaign
from privacy.api import email_open_pixel

logger = logging.getLogger(__name__)

SALT = "marketing.unsubscribe"
UNSUBSCRIBE_MAILTO = "mailto:marketing@sogaworks.com?subject=unsubscribe"


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def unsubscribe_token(subject_id: UUID) -> str:
    return _signer().sign(subject_id.hex)


def subject_from_token(token: str) -> UUID | None:
    """The subject a genuine token names; None for a forged, altered or malformed one."""
    try:
        return UUID(hex=_signer().unsign(token))
    except (signing.BadSignature, ValueError):
        return None


def unsubscribe_url(subject_id: UUID) -> str:
    base = str(getattr(settings, "PLEDGE_SITE_URL", "") or "").rstrip("/")
    return base + reverse("marketing:unsubscribe", kwargs={"token": unsubscribe_token(subject_id)})


def campaign_message(*, campaign: Campaign, customer: User) -> EmailMultiAlternatives:
    link = unsubscribe_url(customer.subject_id)
    context = {
        "campaign": campaign,
        "unsubscribe_url": link,
        "pixel": email_open_pixel(subject_id=customer.subject_id, campaign=campaign.name),
    }
    message = EmailMultiAlternatives(
        subject=campaign.subject_line,
        body=render_to_string("marketing/email/campaign.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[customer.email],
        headers={
            "List-Unsubscribe": f"<{link}>, <{UNSUBSCRIBE_MAILTO}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string("marketing/email/campaign.html", context), "text/html")
    return message


def send_campaign_email(*, campaign: Campaign, customer: User) -> bool:
    try:
        campaign_message(campaign=campaign, customer=customer).send()
    except Exception as problem:  # the next run retries this customer
        logger.warning("marketing e-mail was not sent: %s", type(problem).__name__)
        return False
    return True
