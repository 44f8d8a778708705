"""Open-tracking pixels in e-mails (commitment C10), only with the recipient's consent.

Which consent: performance. The pixel tells whether an e-mail was opened, and Pledge
keeps only a count of opens per campaign and day (AnalyticsCount), never who opened:
that is the policy's performance category ("count visits ... aggregated and anonymous"),
not advertising, which builds a profile of a person. The recipient is a customer known
by subject id, so the consent is their account's record in force (made while logged in,
under the current cookie-section version, not expired): an account that never chose
gets no pixel, nor does one whose processing is restricted or who objected to the
purpose (privacy.processing). Consent is checked twice: when the e-mail is written (no consent, no
pixel) and when the pixel is fetched (consent withdrawn since, the open is not counted).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.html import format_html

from privacy.consent import actions, queries
from privacy.consent.declaration import current_declaration
from privacy.consent.state import now
from privacy.processing.queries import may_process

SALT = "pledge.consent.email-open"
CATEGORY = "performance"
MAX_AGE_SECONDS = 400 * 24 * 3600

# A transparent 1x1 GIF.
GIF = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")


# The declaration's purpose of an open count (technical_pixel_tags): learning what people
# read, to improve the Services. A restriction or an upheld objection stops it (C32, C34).
PURPOSE = "improve_services"


def recipient_consents(subject_id: uuid.UUID) -> bool:
    if not may_process(subject_id, PURPOSE):
        return False
    decl = current_declaration()
    record = queries.subject_consent_in_force(subject_id, decl, now())
    return record is not None and bool(record.choices.get(CATEGORY))


def email_open_pixel(*, subject_id: uuid.UUID, campaign: str, base_url: str | None = None) -> str:
    """An <img> for an e-mail's HTML body, or "" unless the recipient granted performance cookies."""
    if not recipient_consents(subject_id):
        return ""
    token = signing.dumps({"s": subject_id.hex, "c": campaign[:100]}, salt=SALT, compress=True)
    base = str(base_url or getattr(settings, "PLEDGE_SITE_URL", "") or "").rstrip("/")
    url = base + reverse("consent:email-open", kwargs={"token": token})
    return str(format_html('<img src="{}" alt="" width="1" height="1" style="display:none">', url))


def register_open(token: str) -> bool:
    """Count one open if the token is ours and the recipient still consents; True if counted."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
        subject_id = uuid.UUID(hex=str(data["s"]))
        campaign = str(data["c"])
    except (signing.BadSignature, KeyError, ValueError, TypeError):
        return False
    if not recipient_consents(subject_id):
        return False
    actions.count_event(kind="email_open", key=campaign)
    return True
