"""Consent records: the proof of every cookie choice, append-only.

A record is never changed or deleted by the application: a new choice is a new row that
names the one it supersedes. The model refuses `save()` of an existing row and
`delete()`, and its QuerySet refuses `update()`, `delete()` and `bulk_update()`. The one
sanctioned remover is the engine's erasure walk (and a retention sweep), which goes
through the base manager, a plain one, and writes its own audit event.

`supersedes` is a plain id, not a foreign key, so that erasing one subject's records
never rewrites another row (a device that adopted an account's choice and later chose
anonymously points at the account's record).

The truncated IP, user-agent family, country and visitor id are declared personal
(pseudonymous device data); they are stored in clear, not through the vault: they are
already minimised, reports group by them, and the record must stay readable as proof.
See docs/decisions/0005-consent.md.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.db import models

from privacy.catalog.declarations import not_personal, personal

# The declaration's collection contexts: the choice and the cookie's visitor id belong to
# cookies; the IP, browser and place of the request that made it are log-file facts.
COOKIES = "technical_cookies"
REQUEST_LOG = "technical_log_files"


class AppendOnlyError(Exception):
    """An attempt to change or delete proof that must only ever be appended to."""


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model._meta.label} rows are append-only: update() is refused")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model._meta.label} rows are append-only: delete() is refused")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise AppendOnlyError(f"{self.model._meta.label} rows are append-only: bulk_update() is refused")


class AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AppendOnlyError(f"{self._meta.label} rows are append-only: an existing row cannot be saved")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self._meta.label} rows are append-only: delete() is refused")


class BannerText(AppendOnlyModel):
    """The text a banner showed, stored once per version (its SHA-256)."""

    hash = models.CharField(primary_key=True, max_length=64)
    language = models.CharField(max_length=8)
    text = not_personal(models.TextField(), reason="the banner's published wording, the same for everyone")
    created_at = models.DateTimeField()

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"banner {self.hash[:12]} ({self.language})"


class Method(models.TextChoices):
    ACCEPT_ALL = "accept_all", "Accept all"
    REJECT_ALL = "reject_all", "Reject all"
    CUSTOM = "custom", "Custom"
    WITHDRAW = "withdraw", "Withdraw"
    GPC = "gpc", "Global Privacy Control"
    EXPIRED = "expired", "Expired"


# What a visitor may send; the other two are written by the engine itself.
CHOSEN_METHODS = frozenset({Method.ACCEPT_ALL, Method.REJECT_ALL, Method.CUSTOM, Method.WITHDRAW})


class ConsentRecord(AppendOnlyModel):
    """One cookie choice (or its lapse), exactly as it was made."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)  # the consent id
    visitor_id = personal(
        models.UUIDField(db_index=True),
        category="user.device.cookie_id",
        context=COOKIES,
        erasure="delete_row",
        provided_by_subject=False,
    )
    # The logged-in account, by its subject id: a key, not a foreign key, so that the
    # engine holds no reference into a domain app and proof kept under legal hold never
    # keeps an erased account's row alive. Empty for a visitor who is not logged in.
    subject_id = not_personal(
        models.UUIDField(null=True, blank=True),
        reason="the engine's pseudonymous subject key, as in the audit trail; the catalog's subject link",
    )
    created_at = models.DateTimeField(db_index=True)
    policy_version = models.CharField(max_length=40)
    cookie_version = models.CharField(max_length=40)
    banner_version = models.ForeignKey(
        BannerText, null=True, blank=True, on_delete=models.PROTECT, db_column="banner_version"
    )
    language = personal(
        models.CharField(max_length=8),
        category="user.demographic.language",
        context=COOKIES,
        erasure="delete_row",
        provided_by_subject=False,
    )
    choices = personal(  # {"essential": true, "performance": false, ...}
        models.JSONField(),
        category="user.privacy_preferences",
        context=COOKIES,
        erasure="delete_row",
    )
    method = models.CharField(max_length=16, choices=Method.choices)
    signals = models.JSONField(default=dict)  # {"gpc": true, "gpc_source": "header", "consent_mode": {...}}
    # The request that made the choice, as a log line would keep it (truncated).
    ip_truncated = personal(
        models.GenericIPAddressField(null=True, blank=True),
        category="user.device.ip_address",
        context=REQUEST_LOG,
        erasure="delete_row",
        provided_by_subject=False,
    )
    user_agent_family = personal(
        models.CharField(max_length=64, blank=True),
        category="user.device",
        context=REQUEST_LOG,
        erasure="delete_row",
        provided_by_subject=False,
    )
    country = personal(
        models.CharField(max_length=2, blank=True),
        category="user.location.imprecise",
        context=REQUEST_LOG,
        erasure="delete_row",
        provided_by_subject=False,
    )
    expires_at = models.DateTimeField()
    supersedes = models.UUIDField(null=True, blank=True, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    # Logged-in records belong to the account's subject; visitor-only records have no
    # subject and are reached by visitor id (see the decision record).
    privacy_subject: ClassVar[str] = "self"

    class Meta:
        default_permissions = ("view",)
        permissions = [("view_consent_reports", "Can view consent reports and any subject's consent history")]
        indexes = [models.Index(fields=["subject_id", "created_at"], name="consent_subject_time")]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"consent {self.id} {self.method}"

    @property
    def granted(self) -> frozenset[str]:
        return frozenset(key for key, on in self.choices.items() if on)


class AnalyticsCount(models.Model):
    """Aggregated, anonymous counts (page views, visits, e-mail opens) per day: no identifiers."""

    day = models.DateField()
    kind = models.CharField(max_length=20)  # "page_view", "visit", "email_open"
    key = not_personal(
        models.CharField(max_length=200), reason="a page path without its query, or a campaign name"
    )
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "kind", "key"], name="consent_count_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.key}: {self.count}"
