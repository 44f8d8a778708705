"""The privacy engine's one public face. Domain apps import from here and nowhere else.

The names exported here are pinned by a test; adding one is a deliberate act.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from django.http import HttpRequest

from privacy.audit.actions import audit_action, record_event
from privacy.catalog.declarations import not_personal, personal
from privacy.policy.loader import current_policy
from privacy.processing.errors import ProcessingError
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
    "ProcessingError",
    "SubjectErased",
    "audit_action",
    "blind_index",
    "consent_granted",
    "delete_file",
    "email_open_pixel",
    "encrypted_file_response",
    "grant_purpose_consent",
    "may_process",
    "minimum_age_for",
    "not_personal",
    "personal",
    "processable_subjects",
    "purpose_consent_state",
    "recipient_allows_pixels",
    "record_event",
    "withdraw_purpose_consent",
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


# --- Purpose gates (privacy.processing): ask before using personal data ------------------------


def may_process(subject_id: UUID, purpose: str) -> bool:
    """Whether the subject's data may be used for `purpose` (a key of the declaration's purposes)
    now: not while processing is restricted (except storage and legal claims), not after an
    upheld objection, and for a consent-based purpose only with consent in force. Ask before
    each use: an e-mail, an analytics hand-off, a personalised page. An unknown purpose raises."""
    from privacy.processing.queries import may_process as ask

    return ask(subject_id, purpose)


def processable_subjects(subject_ids: Iterable[UUID], purpose: str) -> frozenset[UUID]:
    """Those of `subject_ids` for whom `may_process(subject, purpose)` is True (a few queries per
    thousand subjects: for a campaign or a batch)."""
    from privacy.processing.queries import processable_subjects as ask

    return ask(subject_ids, purpose)


def purpose_consent_state(subject_id: UUID, purpose: str) -> str:
    """ "granted", "not_granted", or "objected" (an objection upheld for good: consent cannot be
    given again) for a consent-based purpose, to show the subject where they stand."""
    from privacy.processing import queries

    if queries.objected_for_good(subject_id, purpose):
        return "objected"
    return "granted" if queries.consent_in_force(subject_id, purpose) is not None else "not_granted"


def grant_purpose_consent(
    *, subject_id: UUID, purpose: str, actor: str, method: str, wording: str, language: str = "en"
) -> None:
    """Record the subject's consent to a consent-based purpose, with the method ("account_page",
    "api", "staff") and the exact words they agreed to. Raises ProcessingError (code
    "objected") for a purpose they objected to for good."""
    from privacy.processing.actions import grant_consent_for

    grant_consent_for(
        subject_id=subject_id, purpose=purpose, actor=actor, method=method, wording=wording, language=language
    )


def withdraw_purpose_consent(*, subject_id: UUID, purpose: str, actor: str, method: str) -> dict[str, int]:
    """Withdraw consent to a consent-based purpose at once ("account_page", "unsubscribe_link",
    ...) and delete the data kept only on it; the rows deleted per model label."""
    from privacy.processing.actions import withdraw_consent_for

    return withdraw_consent_for(subject_id=subject_id, purpose=purpose, actor=actor, method=method).deleted
