"""The privacy engine's one public face. Domain apps import from here and nowhere else.

The names exported here are pinned by a test; adding one is a deliberate act.
"""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest

from privacy.audit.actions import audit_action, record_event
from privacy.catalog.declarations import not_personal, personal
from privacy.policy.loader import current_policy
from privacy.vault.blind_index import BlindIndexField, blind_index
from privacy.vault.errors import SubjectErased
from privacy.vault.fields import EncryptedCharField, EncryptedTextField
from privacy.vault.file_fields import EncryptedFileField
from privacy.vault.files import delete_file
from privacy.vault.personal_model import PersonalModel
from privacy.vault.responses import encrypted_file_response

__all__ = [
    "BlindIndexField",
    "EncryptedCharField",
    "EncryptedFileField",
    "EncryptedTextField",
    "PersonalModel",
    "SubjectErased",
    "audit_action",
    "blind_index",
    "consent_granted",
    "delete_file",
    "email_open_pixel",
    "encrypted_file_response",
    "minimum_age_for",
    "not_personal",
    "personal",
    "recipient_allows_pixels",
    "record_event",
]


def minimum_age_for(country_code: str | None) -> int:
    """The minimum age to hold an account for someone living in `country_code` (ISO 3166-1
    alpha-2, None when unknown), from the declaration's children section."""
    return current_policy().minimum_age_for(country_code)


def consent_granted(request: HttpRequest, category: str) -> bool:
    """Whether cookie category `category` ("performance", "advertising", ...) is granted for
    this request: render a script, pixel, beacon or widget of that category only when it is.
    Templates use `{% load consent %}{% consent_granted "advertising" as ok %}`."""
    from privacy.consent.banner import state_of

    return state_of(request).is_granted(category)


def email_open_pixel(*, subject_id: UUID, campaign: str, base_url: str | None = None) -> str:
    """An open-tracking <img> for an e-mail to this subject, or "" unless the recipient's
    account granted performance cookies (the opens are counted per campaign, not per person)."""
    from privacy.consent.pixels import email_open_pixel as pixel

    return pixel(subject_id=subject_id, campaign=campaign, base_url=base_url)


def recipient_allows_pixels(subject_id: UUID) -> bool:
    """Whether an e-mail to this subject may carry an open pixel, and its open be recorded:
    their account's consent in force grants performance cookies (the same rule as
    `email_open_pixel`, for an app that makes its own pixel)."""
    from privacy.consent.pixels import recipient_consents

    return recipient_consents(subject_id)
