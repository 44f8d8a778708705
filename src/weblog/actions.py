"""Writes of the technical logs.

No audit event is written here, on purpose: the audit trail records decisions about
personal data (consent, requests, erasure), and an event per logged request or per
e-mail open would turn the audit trail itself into a second tracking log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from django.db import transaction

from weblog.consent import consent_gate
from weblog.models import EmailOpen, RequestLog, TrackedEmail
from weblog.pixels import open_pixel_path


def write_request_logs(*, rows: Sequence[RequestLog]) -> int:
    """Insert a batch of request log rows in one transaction (the writer's thread calls this)."""
    if not rows:
        return 0
    with transaction.atomic():
        RequestLog.objects.bulk_create(rows)
    return len(rows)


@dataclass(frozen=True)
class OpenPixel:
    message_id: UUID
    path: str  # "/t/o/<token>.gif"; the sender prefixes the site's origin

    def img_tag(self, origin: str) -> str:
        return f'<img src="{origin.rstrip("/")}{self.path}" width="1" height="1" alt="" style="display:none">'


def start_open_tracking(*, subject_id: UUID) -> OpenPixel | None:
    """A pixel for an e-mail to `subject_id`, or None when their consent does not allow one (C10).

    Call once per e-mail sent; the pixel's token carries the new message id and nothing else.
    """
    if not consent_gate().email_pixels_allowed(subject_id):
        return None
    with transaction.atomic():
        tracked = TrackedEmail.objects.create(subject_id=subject_id)
    return OpenPixel(message_id=tracked.pk, path=open_pixel_path(tracked.pk))


def record_email_open(*, message_id: UUID) -> bool:
    """Record the first open of a tracked e-mail; False when unknown, not allowed or already opened.

    Consent is asked again at the open: a recipient who withdrew it since the e-mail was
    sent is not tracked by the pixel already in their mailbox (C16).
    """
    with transaction.atomic():
        tracked = TrackedEmail.objects.filter(pk=message_id).first()
        if tracked is None or not consent_gate().email_pixels_allowed(tracked.subject_id):
            return False
        _, created = EmailOpen.objects.get_or_create(tracked=tracked)
    return created
