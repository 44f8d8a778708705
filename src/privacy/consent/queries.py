"""Reads of consent that encode a rule: which record is in force for an account, whose
history a person may read, and the consent rates the privacy officer watches."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from privacy.consent.declaration import CookieDeclaration
from privacy.consent.models import ConsentRecord, Method

REPORT_PERMISSION = "consent.view_consent_reports"
CHOICE_METHODS = (Method.ACCEPT_ALL, Method.REJECT_ALL, Method.CUSTOM, Method.WITHDRAW, Method.GPC)


def in_force(record: ConsentRecord | None, decl: CookieDeclaration, at: dt.datetime) -> bool:
    """A record is in force while it is a choice (not a lapse marker), given under the
    current cookie-section version, and not past its expiry."""
    return (
        record is not None
        and record.method != Method.EXPIRED
        and record.cookie_version == decl.version
        and record.expires_at > at
    )


def latest_subject_consent(subject_id: uuid.UUID) -> ConsentRecord | None:
    """The newest record a logged-in account made, on any device."""
    return ConsentRecord.objects.filter(subject_id=subject_id).order_by("-created_at", "-id").first()


def subject_consent_in_force(
    subject_id: uuid.UUID, decl: CookieDeclaration, at: dt.datetime
) -> ConsentRecord | None:
    """The account's choice that follows it to every device (and to its e-mails), if in force."""
    record = latest_subject_consent(subject_id)
    return record if in_force(record, decl, at) else None


def is_privacy_officer(user: Any) -> bool:
    """Staff holding the privacy officer's permission (granted to that role, or a superuser)."""
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.has_perm(REPORT_PERMISSION)
    )


def may_read_history(user: Any, subject_id: uuid.UUID) -> bool:
    """The subject themself, or the privacy officer."""
    if not getattr(user, "is_authenticated", False):
        return False
    return getattr(user, "subject_id", None) == subject_id or is_privacy_officer(user)


def subject_exists(subject_id: uuid.UUID) -> bool:
    return get_user_model()._default_manager.filter(subject_id=subject_id).exists()


def history_for_subject(subject_id: uuid.UUID) -> list[ConsentRecord]:
    """Every record a subject made while logged in, oldest first."""
    return list(ConsentRecord.objects.filter(subject_id=subject_id).order_by("created_at", "id"))


def history_for_visitor(visitor_id: uuid.UUID) -> list[ConsentRecord]:
    """Every record of one browser (visitor id), logged in or not, oldest first."""
    return list(ConsentRecord.objects.filter(visitor_id=visitor_id).order_by("created_at", "id"))


@dataclass
class DayRates:
    day: dt.date
    records: int = 0  # every record of the day, lapses included
    choices: int = 0  # records that are choices (the denominator of the category rates)
    by_method: dict[str, int] = field(default_factory=dict)
    granted: dict[str, int] = field(default_factory=dict)  # category -> choices granting it

    def rate(self, category: str) -> float:
        return self.granted.get(category, 0) / self.choices if self.choices else 0.0

    def as_dict(self, categories: Iterable[str]) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "records": self.records,
            "choices": self.choices,
            "by_method": dict(sorted(self.by_method.items())),
            "granted_rate": {key: round(self.rate(key), 4) for key in categories},
        }


def consent_rates(decl: CookieDeclaration, *, since: dt.date, until: dt.date) -> list[DayRates]:
    """Per day from `since` to `until` inclusive: records per method, and the share of
    choices that granted each optional category."""
    start = dt.datetime.combine(since, dt.time.min, tzinfo=dt.UTC)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    window = ConsentRecord.objects.filter(created_at__gte=start, created_at__lt=end).order_by()
    days = {
        since + dt.timedelta(days=n): DayRates(since + dt.timedelta(days=n))
        for n in range((until - since).days + 1)
    }
    per_method = window.annotate(day=TruncDate("created_at")).values("day", "method").annotate(n=Count("id"))
    for row in per_method:
        found = days.get(row["day"])
        if found is not None:
            found.by_method[row["method"]] = row["n"]
            found.records += row["n"]
    counts = {key: Count("id", filter=Q(**{f"choices__{key}": True})) for key in decl.optional}
    per_category = (
        window.filter(method__in=CHOICE_METHODS)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(total=Count("id"), **{f"g_{key}": expr for key, expr in counts.items()})
    )
    for row in per_category:
        found = days.get(row["day"])
        if found is not None:
            found.choices = row["total"]
            found.granted = {key: row[f"g_{key}"] for key in decl.optional}
    return list(days.values())
