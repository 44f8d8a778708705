"""May this subject's data be used for this purpose? The one rule every Service asks.

`may_process(subject_id, purpose)` is False when
- processing is restricted, unless the declaration marks the purpose
  `allowed_when_restricted` (storage, legal claims, a legal obligation) — C32;
- an upheld objection covers the purpose — C34;
- the purpose rests on consent (`legal_basis: consent`) and the subject's latest choice
  for it is not a grant — C42.
A purpose the declaration does not define is an error naming it, never a silent yes or no.

`processable_subjects()` answers the same question for many subjects in three queries,
for a campaign or a batch of analytics visits.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from django.db.models import Max

from privacy.policy.loader import current_policy
from privacy.policy.schema import Purpose
from privacy.processing.errors import UnknownPurpose
from privacy.processing.models import Objection, PurposeConsent, Restriction

BATCH = 1000


def known_purposes() -> list[str]:
    return sorted(current_policy().purposes)


def purpose_of(purpose: str) -> Purpose:
    """The declaration's purpose, or UnknownPurpose naming it."""
    found = current_policy().purposes.get(purpose)
    if found is None:
        raise UnknownPurpose(purpose, known_purposes())
    return found


def consent_based(purpose: str) -> bool:
    return purpose_of(purpose).legal_basis == "consent"


def consent_based_purposes() -> list[str]:
    return sorted(
        key for key, purpose in current_policy().purposes.items() if purpose.legal_basis == "consent"
    )


def active_restriction(subject_id: UUID) -> Restriction | None:
    return Restriction.objects.filter(subject_id=subject_id, ended_at__isnull=True).first()


def is_restricted(subject_id: UUID) -> bool:
    return Restriction.objects.filter(subject_id=subject_id, ended_at__isnull=True).exists()


def objected(subject_id: UUID, purpose: str) -> bool:
    """Whether an upheld objection covers this purpose."""
    return Objection.objects.filter(subject_id=subject_id, purpose=purpose, upheld=True).exists()


def objected_for_good(subject_id: UUID, purpose: str) -> bool:
    """Whether an objection to this purpose was upheld as absolute: consent cannot revive it."""
    return Objection.objects.filter(
        subject_id=subject_id, purpose=purpose, upheld=True, absolute=True
    ).exists()


def latest_consent(subject_id: UUID, purpose: str) -> PurposeConsent | None:
    return PurposeConsent.objects.filter(subject_id=subject_id, purpose=purpose).order_by("-id").first()


def consent_in_force(subject_id: UUID, purpose: str) -> PurposeConsent | None:
    """The grant that is in force now (the latest row, if it grants), or None."""
    latest = latest_consent(subject_id, purpose)
    return latest if latest is not None and latest.granted else None


def consent_history(subject_id: UUID) -> list[PurposeConsent]:
    """Every grant and withdrawal of the subject, oldest first (for an access request)."""
    return list(PurposeConsent.objects.filter(subject_id=subject_id).select_related("wording").order_by("id"))


def may_process(subject_id: UUID, purpose: str) -> bool:
    """Whether the subject's personal data may be used for `purpose` now."""
    declared = purpose_of(purpose)
    if not declared.allowed_when_restricted and is_restricted(subject_id):
        return False
    if objected(subject_id, purpose):
        return False
    if declared.legal_basis == "consent":
        return consent_in_force(subject_id, purpose) is not None
    return True


def processable_subjects(subject_ids: Iterable[UUID], purpose: str) -> frozenset[UUID]:
    """Those of `subject_ids` for whom `may_process(subject, purpose)` is True, a batch at a time."""
    declared = purpose_of(purpose)
    wanted = list(dict.fromkeys(subject_ids))
    allowed: set[UUID] = set()
    for start in range(0, len(wanted), BATCH):
        batch = set(wanted[start : start + BATCH])
        if not declared.allowed_when_restricted:
            batch -= set(
                Restriction.objects.filter(subject_id__in=batch, ended_at__isnull=True).values_list(
                    "subject_id", flat=True
                )
            )
        batch -= set(
            Objection.objects.filter(subject_id__in=batch, purpose=purpose, upheld=True).values_list(
                "subject_id", flat=True
            )
        )
        if declared.legal_basis == "consent" and batch:
            latest = (
                PurposeConsent.objects.filter(subject_id__in=batch, purpose=purpose)
                .values("subject_id")
                .annotate(last=Max("id"))
                .values("last")
            )
            batch = set(
                PurposeConsent.objects.filter(id__in=latest, granted=True).values_list(
                    "subject_id", flat=True
                )
            )
        allowed |= batch
    return frozenset(allowed)
