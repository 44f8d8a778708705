"""Rights requests: the request, how its requester is reached, its step log, codes and deliveries.

The request itself (`RightsRequest`) holds nothing personal: the right, the jurisdiction,
the dates and the state, and the subject id of the account it concerns once known (the
engine's pseudonymous key, as in the audit trail). It outlives an erasure: it is the proof
that the request was answered, and on time.

What identifies or describes the requester — the e-mail address to answer, what they wrote,
a guardian's proof — is in `RequestContact`, sealed under the requester's key: the
account's subject once the request is tied to it, otherwise a subject of its own. It is a
catalogued row like any other, so it is part of an access package and goes with an
erasure. Its fields belong to the declaration's `customer_support` context (a request is
a communication with us: contact, time, topic, content) and follow its retention rules.

A delivered package (`Delivery`) is a vault file sealed under the subject's key, reached
by a link whose token is stored only as a hash; erasing the subject destroys it.

`RequestEvent` is the request's own step log, append-only, beside the audit trail; it is
what the printable history shows. Nothing personal goes in it either: staff write grounds
("legitimate interest in fraud prevention outweighs"), not personal details.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from typing import Any, ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.catalog.declarations import not_personal
from privacy.vault.fields import EncryptedCharField, EncryptedTextField
from privacy.vault.file_fields import EncryptedFileField
from privacy.vault.personal_model import PersonalModel

# A request is a communication with us (policy: "contact information and the time, topic,
# and content of your communications"), kept by that context's retention rules.
REQUEST_CONTEXT = "customer_support"

# Crockford's base32 without I, L, O, U: a reference read out on the phone is not misheard.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference() -> str:
    return "R-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


class Right(models.TextChoices):
    ACCESS = "access", _("Access to your personal data")
    PORTABILITY = "portability", _("Data portability")
    RECTIFICATION = "rectification", _("Rectification")
    ERASURE = "erasure", _("Erasure")
    RESTRICTION = "restriction", _("Restriction of processing")
    OBJECTION = "objection", _("Objection to processing")
    WITHDRAW_CONSENT = "withdraw_consent", _("Withdrawal of consent")
    CHILD_ACCOUNT = "child_account", _("Report of a child's account")


class RequesterKind(models.TextChoices):
    SUBJECT = "subject", _("The person the data is about")
    GUARDIAN = "guardian", _("A parent or guardian")
    AGENT = "agent", _("An authorised agent")
    REPORTER = "reporter", _("Someone reporting a child's account")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    VERIFYING = "verifying", _("Waiting for identity verification")
    VERIFIED = "verified", _("Verified")
    EXTENDED = "extended", _("Extended")
    EXECUTED = "executed", _("Carried out")
    DELIVERED = "delivered", _("Delivered")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    CLOSED_UNVERIFIED = "closed_unverified", _("Closed, identity never verified")


OPEN_STATUSES = (Status.RECEIVED, Status.VERIFYING, Status.VERIFIED, Status.EXTENDED, Status.EXECUTED)
FINAL_STATUSES = (Status.CLOSED, Status.REJECTED, Status.CLOSED_UNVERIFIED)


class Channel(models.TextChoices):
    WEB = "web", _("Privacy Center")
    API = "api", _("API")
    EMAIL = "email", _("E-mail")
    POST = "post", _("Post")


class Verification(models.TextChoices):
    NONE = "", _("Not verified")
    PASSWORD = "password", _("Password of the signed-in account")
    CODE = "code", _("One-time code sent to the account's e-mail address")
    NOT_NEEDED = "not_needed", _("Not needed for this request")
    STAFF = "staff", _("Checked by the privacy officer")


class RightsRequest(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=12, unique=True, default=new_reference, editable=False)
    right = models.CharField(max_length=20, choices=Right.choices)
    jurisdiction = models.CharField(max_length=8)  # "DE", "US-CA", "CN": the deadline rule
    requester_kind = models.CharField(
        max_length=10, choices=RequesterKind.choices, default=RequesterKind.SUBJECT
    )
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.WEB)
    language = models.CharField(max_length=8, default="en")
    # The account the request is about, once known. Not a foreign key: the request outlives
    # the account it erased.
    subject_id = not_personal(
        models.UUIDField(null=True, blank=True, db_index=True),
        reason="the engine's pseudonymous subject key, as in the audit trail",
    )
    # The purpose objected to, or whose consent is withdrawn (a key of the declaration's purposes).
    purpose = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED, db_index=True)
    verification = models.CharField(max_length=12, choices=Verification.choices, blank=True, default="")
    received_at = models.DateTimeField(default=timezone.now)
    # The last day to answer (UTC dates): the jurisdiction's rule capped by the policy's
    # promise; after an extension, the extended day. `statutory_due_on` is the rule's own.
    due_on = models.DateField(db_index=True)
    statutory_due_on = models.DateField()
    extended_due_on = models.DateField(null=True, blank=True)
    extension_reason = not_personal(
        models.TextField(blank=True), reason="the grounds for more time, written without personal details"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    executed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = not_personal(
        models.CharField(max_length=200, blank=True), reason="why the request closed, in the engine's words"
    )
    # A confirmed report of a child's account: the account is frozen and erased by this time.
    erase_by = models.DateTimeField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)  # the last day officers were reminded of it

    class Meta:
        ordering: ClassVar[list[str]] = ["due_on", "received_at"]
        permissions = [
            ("handle_requests", "Can handle data subject rights requests"),
        ]

    def __str__(self) -> str:
        return f"Rights request {self.reference} ({self.right})"

    @property
    def effective_due_on(self) -> dt.date:
        return self.extended_due_on or self.due_on

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class RequestContact(PersonalModel):
    """How to reach the requester and what they wrote, sealed under the requester's key."""

    privacy_subject: ClassVar[str] = "self"

    request = models.OneToOneField(RightsRequest, on_delete=models.CASCADE, related_name="contact")
    subject_id = not_personal(
        models.UUIDField(db_index=True),
        reason="the engine's pseudonymous key of the requester (the account's subject once identified)",
    )
    email = EncryptedCharField(
        max_length=254, blank=True, category="user.contact.email", context=REQUEST_CONTEXT
    )
    details = EncryptedTextField(blank=True, category="user.content.private", context=REQUEST_CONTEXT)
    # A guardian's or agent's proof: what they say, and a document if they upload one.
    proof_description = EncryptedTextField(
        blank=True, category="user.content.private", context=REQUEST_CONTEXT
    )
    proof_file = EncryptedFileField(
        null=True, blank=True, category="user.content.private", context=REQUEST_CONTEXT
    )

    def __str__(self) -> str:
        return f"Contact of rights request {self.request_id}"


class RequestEvent(models.Model):
    """One step of a request, as it happened; never changed or deleted."""

    request = models.ForeignKey(RightsRequest, on_delete=models.PROTECT, related_name="events")
    step = models.CharField(max_length=40)  # "received", "verified", "extended", ...
    at = models.DateTimeField(default=timezone.now)
    actor = models.CharField(max_length=80)  # "requester", "staff:<id>", "system:..."
    details = models.JSONField(default=dict)  # counts, states, field names: never values
    note = not_personal(
        models.TextField(blank=True),
        reason="staff's grounds for a decision, written without personal details",
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.step} of {self.request_id} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("request events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("request events are append-only")


class CodePurpose(models.TextChoices):
    IDENTITY = "identity", _("Verify identity")
    DOWNLOAD = "download", _("Open a download")


class VerificationCode(models.Model):
    """A one-time code, kept only as a keyed hash; it expires, allows few attempts, works once."""

    request = models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="codes")
    purpose = models.CharField(max_length=10, choices=CodePurpose.choices, default=CodePurpose.IDENTITY)
    code_hash = not_personal(models.CharField(max_length=64), reason="an HMAC of a random code, not the code")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.purpose} code of {self.request_id}"


class Delivery(PersonalModel):
    """A package (access or portability) waiting to be downloaded once, by its link."""

    privacy_subject: ClassVar[str] = "self"

    request = models.ForeignKey(RightsRequest, on_delete=models.PROTECT, related_name="deliveries")
    subject_id = not_personal(models.UUIDField(db_index=True), reason="the engine's pseudonymous subject key")
    # The zip holds a copy of the subject's data; as a communication to them it follows the
    # request's context, and is sealed under their key so that an erasure destroys it.
    package = EncryptedFileField(
        null=True, category="user.content.private", context=REQUEST_CONTEXT, provided_by_subject=False
    )
    token_hash = not_personal(
        models.CharField(max_length=64, unique=True), reason="a SHA-256 of the link's random token"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    downloaded_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict)  # model label -> rows included

    def __str__(self) -> str:
        return f"Delivery {self.pk} of {self.request_id}"


class DecisionKind(models.TextChoices):
    IDENTITY = "identity", _("Identity of the requester")
    GUARDIANSHIP = "guardianship", _("Proof of guardianship or authority")
    OBJECTION = "objection", _("Objection to processing")
    CHILD_ACCOUNT = "child_account", _("Account belongs to a child under the minimum age")
    RECTIFICATION = "rectification", _("Rectification")


class Decision(models.Model):
    """A decision of the privacy officer on a request, with the grounds for it."""

    request = models.ForeignKey(RightsRequest, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(max_length=16, choices=DecisionKind.choices)
    upheld = models.BooleanField()  # the requester's claim accepted
    reasons = not_personal(models.TextField(), reason="staff's grounds, written without personal details")
    decided_by = models.CharField(max_length=80)  # "staff:<id>"
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} decision on {self.request_id}"
