"""The technical logs of policy section 6: request logs (C8) and e-mail opens (C10).

A `RequestLog` row is written by the background writer (writer.py), never by the request
it describes. It keeps what commitment C8 names and no more: the IP address (encrypted),
the general location (country; region only where the offline database knows it), the
time, the browser and operating system as parsed families and versions (the raw
User-Agent string is never stored: it is a fingerprint, richer than "browser type"), the
page viewed (encrypted, without its query string) and, for a logged-in visitor, the
account's subject id. Method, status and response time serve troubleshooting. Rows are
sealed under their log day's key and held six months (weblog.privacy explains why), so
the account is named by its subject id, not a foreign key: a held row must not keep the
account row alive after an erasure, nor be deleted by it.

`TrackedEmail` is an e-mail sent with an open-tracking pixel; its id is the message id
that the pixel's signed token carries, so the token names no person and no address.
`EmailOpen` records that such an e-mail was opened, once: the policy promises to learn
*whether* an e-mail was opened (C10), not how often, from where or on what device.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models
from django.utils import timezone

from privacy.api import EncryptedCharField, PersonalModel, personal
from weblog.privacy import LOG_FILES, PIXEL_TAGS

PATH_MAX = 2048


class RequestLog(PersonalModel):
    # The log day's subject: its key seals the row (weblog.privacy).
    privacy_subject = "self"
    # Whose page history the row is: access requests read it; an erasure deletes it unless
    # the log's legal hold keeps it (then it is reported as retained).
    privacy_person = "account_subject_id"

    subject_id = models.UUIDField(db_index=True)
    # The logged-in account's subject id: the page history of C8. Empty for anonymous visits.
    account_subject_id = models.UUIDField(null=True, blank=True)
    at = models.DateTimeField(db_index=True)
    ip_address = EncryptedCharField(
        max_length=45,
        null=True,
        blank=True,
        category="user.device.ip_address",
        context=LOG_FILES,
        erasure="delete_row",
        provided_by_subject=False,
    )
    country = personal(
        models.CharField(max_length=2, blank=True),
        category="user.location.imprecise",
        context=LOG_FILES,
        erasure="delete_row",
        provided_by_subject=False,
    )
    region = personal(
        models.CharField(max_length=8, blank=True),
        category="user.location.imprecise",
        context=LOG_FILES,
        erasure="delete_row",
        provided_by_subject=False,
    )
    browser_family = personal(
        models.CharField(max_length=64, blank=True),
        category="user.device",
        context=LOG_FILES,
        erasure="delete_row",
        provided_by_subject=False,
    )
    browser_version = personal(
        models.CharField(max_length=16, blank=True),
        category="user.device",
        context=LOG_FILES,
        erasure="delete_row",
        provided_by_subject=False,
    )
    os_family = personal(
        models.CharField(max_length=64, blank=True),
        category="user.device",
        context=LOG_FILES,
        erasure="delete_row",
        provided_by_subject=False,
    )
    os_version = personal(
        models.CharField(max_length=16, blank=True),
        category="user.device",
        context=LOG_FILES,
        erasure="delete_row",
        provided_by_subject=False,
    )
    path = EncryptedCharField(
        max_length=PATH_MAX,
        category="user.behavior.browsing_history",
        context=LOG_FILES,
        erasure="delete_row",
        provided_by_subject=False,
    )
    method = models.CharField(max_length=8)
    status = models.PositiveSmallIntegerField()
    response_ms = models.FloatField()

    class Meta:
        ordering: ClassVar[list[str]] = ["-at"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["account_subject_id", "-at"], name="weblog_requestlog_account_at"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.status} at {self.at:%Y-%m-%d %H:%M:%S}"


class TrackedEmail(models.Model):
    """An e-mail carrying an open pixel; `id` is the message id inside the pixel's token."""

    privacy_subject = "self"

    # Random (122 bits), so that a message id cannot be guessed from another.
    id = personal(
        models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False),
        category="user.unique_id.pseudonymous",
        context=PIXEL_TAGS,
        erasure="delete_row",
        provided_by_subject=False,
    )
    subject_id = models.UUIDField(db_index=True)  # the recipient, as the privacy engine knows them
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"tracked e-mail {self.pk}"


class EmailOpen(models.Model):
    """The first open of a tracked e-mail; later opens change nothing."""

    privacy_subject = "tracked"

    tracked = models.OneToOneField(TrackedEmail, on_delete=models.CASCADE, related_name="open")
    opened_at = personal(
        models.DateTimeField(default=timezone.now),
        category="user.behavior.media_consumption",
        context=PIXEL_TAGS,
        erasure="delete_row",
        provided_by_subject=False,
    )

    def __str__(self) -> str:
        return f"e-mail {self.tracked_id} opened at {self.opened_at:%Y-%m-%d %H:%M:%S}"
