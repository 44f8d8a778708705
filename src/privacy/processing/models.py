"""The purpose gates' state: restrictions, objections, and consent per purpose.

Each table holds the subject by its pseudonymous `subject_id` (as the audit trail does),
never by a foreign key into a domain app: the engine imports no domain app.

- `Restriction`: while a row's window is open (no `ended_at`), every purpose except those
  the declaration marks `allowed_when_restricted` (storage, legal claims, legal
  obligation) is refused (GDPR Art. 18, C32). At most one open window per subject.
- `Objection`: the privacy officer's decision on an objection, with reasons; for a purpose
  whose objection is absolute (direct marketing, GDPR Art. 21(3)) it is upheld at once and
  for good (C34).
- `PurposeConsent` and `PurposeWording`: the append-only history of consent to each
  consent-based purpose (marketing e-mails, testimonials, ...), with how it was given and
  the exact words shown. The latest row per subject and purpose is the one in force.

Restrictions and objections are records of how a request was handled (GDPR Art. 5(2)):
they are not catalogued and outlive an erasure, as the audit trail does, so that retained
rows stay restricted and an objection to marketing stays upheld. Consent rows are the
subject's (catalogued, `privacy_subject = "self"`) and go with an erasure.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from privacy.catalog.declarations import not_personal
from privacy.consent.models import AppendOnlyModel, AppendOnlyQuerySet

SUBJECT_KEY = "the engine's pseudonymous subject key, as in the audit trail"


class Restriction(models.Model):
    """A window during which the subject's data is stored and not otherwise used (C32)."""

    subject_id = not_personal(models.UUIDField(db_index=True), reason=SUBJECT_KEY)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = not_personal(
        models.CharField(max_length=200), reason="names the request that asked for it, never a personal value"
    )
    actor = models.CharField(max_length=120)
    lifted_reason = not_personal(
        models.CharField(max_length=200, blank=True), reason="names the request or decision that lifted it"
    )
    lifted_by = models.CharField(max_length=120, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subject_id"],
                condition=models.Q(ended_at__isnull=True),
                name="processing_one_open_restriction",
            )
        ]
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"restriction {self.pk} ({'open' if self.ended_at is None else 'lifted'})"

    @property
    def active(self) -> bool:
        return self.ended_at is None


class Objection(models.Model):
    """An objection to one purpose and the decision on it (C34)."""

    subject_id = not_personal(models.UUIDField(db_index=True), reason=SUBJECT_KEY)
    purpose = models.CharField(max_length=60)
    upheld = models.BooleanField()
    absolute = models.BooleanField(default=False)  # the declaration's objection_absolute: upheld for good
    reasons = not_personal(
        models.TextField(blank=True),
        reason="the privacy officer's reasons for the decision, written without personal values",
    )
    decided_by = models.CharField(max_length=120)
    decided_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["subject_id", "purpose"], name="processing_objection_subject")]
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"objection {self.pk} to {self.purpose} ({'upheld' if self.upheld else 'not upheld'})"


class ConsentMethod(models.TextChoices):
    ACCOUNT_PAGE = "account_page", "On the account page"
    API = "api", "Through the API"
    UNSUBSCRIBE_LINK = "unsubscribe_link", "One-click unsubscribe link"
    RIGHTS_REQUEST = "rights_request", "Data subject request"
    OBJECTION = "objection", "Objection upheld"
    STAFF = "staff", "Recorded by staff (e-mail or post)"


class PurposeWording(AppendOnlyModel):
    """The words a consent was given to, stored once per version (their SHA-256)."""

    hash = models.CharField(primary_key=True, max_length=64)
    language = models.CharField(max_length=8)
    text = not_personal(
        models.TextField(), reason="the published wording of a consent box, the same for everyone"
    )
    created_at = models.DateTimeField()

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"wording {self.hash[:12]} ({self.language})"


class PurposeConsent(AppendOnlyModel):
    """One grant or withdrawal of consent to one purpose, exactly as it was made."""

    # An increasing id, not a time, orders the history: two changes can share a timestamp.
    subject_id = not_personal(models.UUIDField(), reason=f"{SUBJECT_KEY}; the catalog's subject link")
    purpose = models.CharField(max_length=60)
    granted = models.BooleanField()
    at = models.DateTimeField()
    method = models.CharField(max_length=20, choices=ConsentMethod.choices)
    wording = models.ForeignKey(
        PurposeWording, null=True, blank=True, on_delete=models.PROTECT, db_column="wording_hash"
    )
    actor = models.CharField(max_length=120)

    objects = AppendOnlyQuerySet.as_manager()

    privacy_subject: ClassVar[str] = "self"

    class Meta:
        default_permissions = ("view",)
        indexes = [models.Index(fields=["subject_id", "purpose", "at"], name="processing_consent_subject")]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"consent to {self.purpose}: {'granted' if self.granted else 'withdrawn'}"
