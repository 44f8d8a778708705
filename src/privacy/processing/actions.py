"""Writes of the purpose gates: restrict and lift, object, grant and withdraw consent.

Each action is keyword-only, runs in one transaction and writes its audit event inside it.
`reason` and `reasons` name a request or a decision ("rights request 42"), never a
personal value: they are kept, and the audit trail repeats `reason`.

Withdrawing consent deletes the data kept only on that consent, found through the
catalog (models that declare `privacy_only_for = "<purpose>"`), not by code per app: a
new such model is reached without touching this file (C42). The consent history itself
is kept, as the proof that consent was given and when it ended (GDPR Art. 7(1)).

An objection upheld to a consent-based purpose withdraws the consent too, in the same
transaction; to a purpose whose objection is absolute (direct marketing) it is upheld
whatever was asked, and for good: consent to that purpose cannot be given again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone

from privacy.audit.actions import audit_action, record_event
from privacy.catalog.registry import rows_kept_only_for
from privacy.processing.errors import ProcessingError
from privacy.processing.models import ConsentMethod, Objection, PurposeConsent, PurposeWording, Restriction
from privacy.processing.queries import (
    active_restriction,
    consent_in_force,
    objected_for_good,
    purpose_of,
)

RESTRICTION_STARTED = audit_action(
    "processing.restriction.started",
    "Processing of a subject's data was restricted: kept, and used for nothing but storage and legal claims",
)
RESTRICTION_LIFTED = audit_action(
    "processing.restriction.lifted", "A restriction of processing ended; the Services may use the data again"
)
OBJECTION_RECORDED = audit_action(
    "processing.objection.recorded",
    "An objection to a purpose was decided (upheld or not, with reasons); absolute ones are upheld for good",
)
CONSENT_GRANTED = audit_action(
    "processing.consent.granted", "A subject gave consent to a consent-based purpose"
)
CONSENT_WITHDRAWN = audit_action(
    "processing.consent.withdrawn",
    "Consent to a purpose was withdrawn and the data kept only on that consent was deleted",
)

MAX_REASON = 200
MAX_WORDING = 4000


@dataclass(frozen=True)
class WithdrawalReport:
    subject_id: UUID
    purpose: str
    was_granted: bool  # a grant was in force and is withdrawn now
    consent: PurposeConsent | None  # the withdrawal row appended, None when nothing was in force
    deleted: dict[str, int] = field(default_factory=dict)  # model label -> rows deleted

    @property
    def rows_deleted(self) -> int:
        return sum(self.deleted.values())


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        raise ProcessingError(
            "invalid_reason", f"A reason (1 to {MAX_REASON} characters) naming the request is required."
        )
    return reason


def _consent_purpose(purpose: str) -> None:
    if purpose_of(purpose).legal_basis != "consent":
        raise ProcessingError(
            "not_consent_based", f"Purpose {purpose!r} does not rest on consent; object to it instead."
        )


# --- Restriction ---------------------------------------------------------------------------------


def restrict_processing(
    *, subject_id: UUID, reason: str, actor: str, at: dt.datetime | None = None
) -> Restriction:
    """Open a restriction for the subject; the open one if there is one already (nothing changes)."""
    reason = _reason(reason)
    with transaction.atomic():
        existing = active_restriction(subject_id)
        if existing is not None:
            return existing
        now = at or timezone.now()
        try:
            with transaction.atomic():
                restriction = Restriction.objects.create(
                    subject_id=subject_id, started_at=now, reason=reason, actor=actor
                )
        except IntegrityError:  # another request opened one meanwhile
            found = active_restriction(subject_id)
            if found is None:
                raise
            return found
        record_event(
            RESTRICTION_STARTED,
            actor=actor,
            subject=str(subject_id),
            object=f"processing.restriction:{restriction.pk}",
            details={"reason": reason},
            at=now,
        )
    return restriction


def lift_restriction(*, subject_id: UUID, reason: str, actor: str, at: dt.datetime | None = None) -> bool:
    """End the subject's open restriction; False when none was open (nothing changes)."""
    reason = _reason(reason)
    with transaction.atomic():
        restriction = (
            Restriction.objects.select_for_update()
            .filter(subject_id=subject_id, ended_at__isnull=True)
            .first()
        )
        if restriction is None:
            return False
        now = at or timezone.now()
        restriction.ended_at = now
        restriction.lifted_reason = reason
        restriction.lifted_by = actor
        restriction.save(update_fields=["ended_at", "lifted_reason", "lifted_by"])
        record_event(
            RESTRICTION_LIFTED,
            actor=actor,
            subject=str(subject_id),
            object=f"processing.restriction:{restriction.pk}",
            details={"reason": reason, "started_at": restriction.started_at.isoformat()},
            at=now,
        )
    return True


# --- Objection -----------------------------------------------------------------------------------


def record_objection(
    *, subject_id: UUID, purpose: str, actor: str, upheld: bool, reasons: str, at: dt.datetime | None = None
) -> Objection:
    """Record the decision on an objection to `purpose` (C34).

    For a purpose whose objection is absolute (direct marketing) the objection is upheld
    whatever `upheld` says; other decisions need reasons. An upheld objection to a
    consent-based purpose also withdraws that consent and deletes what it alone kept.
    """
    declared = purpose_of(purpose)
    reasons = reasons.strip()
    absolute = declared.objection_absolute
    if absolute:
        upheld = True
        reasons = reasons or "Objection to direct marketing: upheld at once and for good (GDPR Art. 21(3))."
    elif not reasons:
        raise ProcessingError("reasons_required", "The decision on an objection needs its reasons recorded.")
    if len(reasons) > MAX_WORDING:
        raise ProcessingError("reasons_too_long", f"Reasons can be at most {MAX_WORDING} characters.")
    with transaction.atomic():
        now = at or timezone.now()
        objection = Objection.objects.create(
            subject_id=subject_id,
            purpose=purpose,
            upheld=upheld,
            absolute=absolute,
            reasons=reasons,
            decided_by=actor,
            decided_at=now,
        )
        withdrawal = None
        if upheld and declared.legal_basis == "consent":
            withdrawal = _withdraw(
                subject_id=subject_id, purpose=purpose, actor=actor, method=ConsentMethod.OBJECTION, at=now
            )
        record_event(
            OBJECTION_RECORDED,
            actor=actor,
            subject=str(subject_id),
            object=f"processing.objection:{objection.pk}",
            details={
                "purpose": purpose,
                "upheld": upheld,
                "absolute": absolute,
                "consent_withdrawn": bool(withdrawal and withdrawal.was_granted),
                "deleted": dict(sorted(withdrawal.deleted.items())) if withdrawal else {},
            },
            at=now,
        )
    return objection


# --- Consent per purpose -------------------------------------------------------------------------


def _wording(text: str, language: str, at: dt.datetime) -> PurposeWording:
    text = text.strip()
    if not text or len(text) > MAX_WORDING:
        raise ProcessingError("invalid_wording", "The exact words the person agreed to are required.")
    digest = hashlib.sha256(f"{language}\n{text}".encode()).hexdigest()
    found = PurposeWording.objects.filter(pk=digest).first()
    if found is not None:
        return found
    return PurposeWording.objects.create(hash=digest, language=language[:8], text=text, created_at=at)


def grant_consent_for(
    *,
    subject_id: UUID,
    purpose: str,
    actor: str,
    method: str,
    wording: str,
    language: str = "en",
    at: dt.datetime | None = None,
) -> PurposeConsent:
    """Record consent to a consent-based purpose, with how it was given and the words shown.

    Refused for a purpose the subject objected to for good. A grant already in force is
    returned as it is (nothing changes).
    """
    _consent_purpose(purpose)
    if method not in ConsentMethod.values:
        raise ProcessingError("invalid_method", f"Unknown consent method {method!r}.")
    with transaction.atomic():
        if objected_for_good(subject_id, purpose):
            raise ProcessingError(
                "objected", "You objected to this purpose; we will not use your data for it again."
            )
        existing = consent_in_force(subject_id, purpose)
        if existing is not None:
            return existing
        now = at or timezone.now()
        consent = PurposeConsent.objects.create(
            subject_id=subject_id,
            purpose=purpose,
            granted=True,
            at=now,
            method=method,
            wording=_wording(wording, language, now),
            actor=actor,
        )
        record_event(
            CONSENT_GRANTED,
            actor=actor,
            subject=str(subject_id),
            object=f"processing.consent:{consent.pk}",
            details={"purpose": purpose, "method": method, "wording": consent.wording_id},
            at=now,
        )
    return consent


def withdraw_consent_for(
    *,
    subject_id: UUID,
    purpose: str,
    actor: str,
    method: str = ConsentMethod.RIGHTS_REQUEST,
    at: dt.datetime | None = None,
) -> WithdrawalReport:
    """Withdraw consent to a consent-based purpose and delete the data kept only on it (C42).

    Runs even when no grant is in force (the deletion is idempotent), and always writes
    its audit event with the rows deleted per model, as the proof of execution.
    """
    _consent_purpose(purpose)
    if method not in ConsentMethod.values:
        raise ProcessingError("invalid_method", f"Unknown consent method {method!r}.")
    with transaction.atomic():
        now = at or timezone.now()
        return _withdraw(subject_id=subject_id, purpose=purpose, actor=actor, method=method, at=now)


def _withdraw(
    *, subject_id: UUID, purpose: str, actor: str, method: str, at: dt.datetime
) -> WithdrawalReport:
    """Inside the caller's transaction: append the withdrawal, delete the only-for rows, audit."""
    consent = None
    if consent_in_force(subject_id, purpose) is not None:
        consent = PurposeConsent.objects.create(
            subject_id=subject_id, purpose=purpose, granted=False, at=at, method=method, actor=actor
        )
    deleted: dict[str, int] = {}
    for _model, rows in rows_kept_only_for(subject_id, purpose):
        _, per_model = rows.delete()
        for label, number in per_model.items():
            if number:
                deleted[label] = deleted.get(label, 0) + number
    report = WithdrawalReport(
        subject_id=subject_id,
        purpose=purpose,
        was_granted=consent is not None,
        consent=consent,
        deleted=deleted,
    )
    record_event(
        CONSENT_WITHDRAWN,
        actor=actor,
        subject=str(subject_id),
        object=f"processing.consent:{consent.pk}" if consent is not None else "",
        details={
            "purpose": purpose,
            "method": method,
            "was_granted": report.was_granted,
            "deleted": dict(sorted(deleted.items())),
        },
        at=at,
    )
    return report


# keeps: C32 (restriction), C34 (objection), C42 (data kept on consent goes with it)
