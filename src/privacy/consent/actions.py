"""Writes of consent: record a choice, let a consent lapse, count anonymous analytics.

Each action is one transaction. A consent record is its own proof, so recording a choice
writes no audit event unless it takes something back: a withdrawal of any category that
was granted writes "consent.withdrawn" in the same transaction, and a lapse writes
"consent.expired". Audit rows carry the record's id and category names, never the
visitor id, IP or country.

The HTML form, the JSON API and the middleware (GPC, lapse, an account's choice on a new
device) all call these functions; none of them knows HTTP.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from privacy.audit.actions import audit_action, record_event
from privacy.consent.declaration import CookieDeclaration, current_declaration
from privacy.consent.models import AnalyticsCount, BannerText, ConsentRecord, Method
from privacy.consent.state import Payload, epoch, now, truncate_ip, user_agent_family
from privacy.consent.wording import BannerVersion, Lang

CONSENT_WITHDRAWN = audit_action(
    "consent.withdrawn",
    "Consent to one or more cookie categories was withdrawn (by the visitor, or by their GPC signal)",
)
CONSENT_EXPIRED = audit_action(
    "consent.expired",
    "A cookie consent reached the declaration's maximum age and lapsed; the banner asks again",
)


class ConsentError(ValueError):
    """A choice that cannot be recorded as given (an unknown category or method)."""


@dataclass(frozen=True)
class Circumstances:
    """Everything a record holds besides the choice itself: who, where, under which text."""

    language: Lang
    visitor_id: uuid.UUID | None = None  # None: a new visitor, given an id now
    subject_id: uuid.UUID | None = None  # the logged-in account's subject id
    supersedes: uuid.UUID | None = None
    previously_granted: frozenset[str] = field(default_factory=frozenset)  # by the superseded record
    banner: BannerVersion | None = None
    gpc: bool = False
    gpc_source: str = ""  # "header" or "script"
    ip: str = ""
    user_agent: str = ""
    country: str = ""


def resolve_choices(
    decl: CookieDeclaration,
    method: Method,
    categories: Iterable[str] | None,
    *,
    gpc: bool,
) -> dict[str, bool]:
    """The choice per declared category. Essential is always on; with GPC, the categories
    GPC opts out of are always off, whatever was clicked (GPC is never read as consent)."""
    if method == Method.ACCEPT_ALL:
        wanted = set(decl.optional)
    elif method in (Method.REJECT_ALL, Method.WITHDRAW, Method.EXPIRED):
        wanted = set()
    elif method in (Method.CUSTOM, Method.GPC):
        wanted = set(categories or ())
        unknown = wanted - set(decl.categories)
        if unknown:
            raise ConsentError(f"Unknown cookie categories: {', '.join(sorted(unknown))}")
    else:
        raise ConsentError(f"Unknown method {method!r}")
    if gpc or method == Method.GPC:
        wanted -= decl.gpc_categories
    return {key: key in decl.essential or key in wanted for key in decl.categories}


def record_choice(
    *,
    method: Method,
    circumstances: Circumstances,
    categories: Iterable[str] | None = None,
    at: dt.datetime | None = None,
) -> ConsentRecord:
    """Append one record of a visitor's choice; audit it when it withdraws anything."""
    decl = current_declaration()
    choices = resolve_choices(decl, method, categories, gpc=circumstances.gpc)
    return _append(decl, method=method, choices=choices, circumstances=circumstances, at=at or now())


def _append(
    decl: CookieDeclaration,
    *,
    method: Method,
    choices: dict[str, bool],
    circumstances: Circumstances,
    at: dt.datetime,
) -> ConsentRecord:
    c = circumstances
    granted = frozenset(key for key, on in choices.items() if on)
    signals: dict[str, Any] = {"gpc": c.gpc, "consent_mode": decl.consent_mode(granted)}
    if c.gpc_source:
        signals["gpc_source"] = c.gpc_source
    try:
        return _insert(decl, method=method, choices=choices, granted=granted, signals=signals, c=c, at=at)
    except IntegrityError:
        # The banner text: another process stored the same new version at the same moment,
        # or a version this process saw committed is gone (a database restored from an older
        # backup). Forget what this process knew and try once more, looking this time.
        _stored_banners.clear()
        return _insert(decl, method=method, choices=choices, granted=granted, signals=signals, c=c, at=at)


# Banner versions this process has seen committed. The text is stored once per version
# and rows are never removed, so a version known here needs no look-up: the common
# choice is then one INSERT. Filled only after a commit, so a rolled-back transaction
# (a test's, or a failed request's) never leaves a version marked as stored.
_stored_banners: set[str] = set()


def _store_banner(banner: BannerVersion, at: dt.datetime) -> None:
    if not BannerText.objects.filter(pk=banner.hash).exists():
        BannerText.objects.create(hash=banner.hash, language=banner.language, text=banner.text, created_at=at)
    transaction.on_commit(lambda: _stored_banners.add(banner.hash))


def _banner_known(banner: BannerVersion | None) -> bool:
    """No banner, or one this process saw committed. Inside a caller's transaction a
    missing row would show only at its commit, so there it is looked up all the same."""
    if banner is None:
        return True
    return banner.hash in _stored_banners and not transaction.get_connection().in_atomic_block


def _insert(
    decl: CookieDeclaration,
    *,
    method: Method,
    choices: dict[str, bool],
    granted: frozenset[str],
    signals: dict[str, Any],
    c: Circumstances,
    at: dt.datetime,
) -> ConsentRecord:
    record = ConsentRecord(
        visitor_id=c.visitor_id or uuid.uuid4(),
        subject_id=c.subject_id,
        created_at=at,
        policy_version=decl.policy.version,
        cookie_version=decl.version,
        banner_version_id=c.banner.hash if c.banner else None,
        language=c.language,
        choices=choices,
        method=method,
        signals=signals,
        ip_truncated=truncate_ip(c.ip),
        user_agent_family=user_agent_family(c.user_agent),
        country=c.country[:2],
        expires_at=decl.expiry(at),
        supersedes=c.supersedes,
    )
    withdrawn = sorted((c.previously_granted & frozenset(decl.optional)) - granted)
    audited = bool(withdrawn) and method != Method.EXPIRED
    banner_known = _banner_known(c.banner)
    if banner_known and not audited:
        # The common choice: its INSERT is the whole transaction, committed by the
        # database on its own (autocommit) before this returns. The write lock is then
        # held only while the database runs that one statement, never across Python.
        record.save()
        return record
    with transaction.atomic():
        if c.banner is not None and not banner_known:
            _store_banner(c.banner, at)
        record.save()
        if audited:
            record_event(
                CONSENT_WITHDRAWN,
                actor="subject" if c.subject_id else "visitor",
                subject=str(c.subject_id or ""),
                object=f"consent:{record.id}",
                details={"withdrawn": withdrawn, "method": str(method), "supersedes": str(c.supersedes)},
                at=at,
            )
    return record


def expire_consent(
    *,
    lapsed: ConsentRecord | Payload,
    circumstances: Circumstances,
    at: dt.datetime | None = None,
) -> ConsentRecord:
    """Record that a consent reached its maximum age: nothing optional is granted any more.

    Idempotent: a consent already marked as lapsed returns the existing marker.
    """
    lapsed_id = lapsed.id if isinstance(lapsed, ConsentRecord) else lapsed.consent_id
    existing = ConsentRecord.objects.filter(supersedes=lapsed_id, method=Method.EXPIRED).first()
    if existing is not None:
        return existing
    decl = current_declaration()
    at = at or now()
    choices = resolve_choices(decl, Method.EXPIRED, None, gpc=False)
    circumstances = replace(circumstances, supersedes=lapsed_id, previously_granted=frozenset())
    with transaction.atomic():
        record = _append(decl, method=Method.EXPIRED, choices=choices, circumstances=circumstances, at=at)
        record_event(
            CONSENT_EXPIRED,
            actor="system:consent-expiry",
            subject=str(circumstances.subject_id or ""),
            object=f"consent:{record.id}",
            details={"lapsed": str(lapsed_id)},
            at=at,
        )
    return record


def expire_lapsed_consents(*, at: dt.datetime | None = None, limit: int = 10_000) -> int:
    """Mark every consent past its expiry that nothing has superseded yet; returns how many."""
    at = at or now()
    superseded = ConsentRecord.objects.filter(supersedes__isnull=False).values("supersedes")
    lapsed = (
        ConsentRecord.objects.filter(expires_at__lte=at)
        .exclude(method=Method.EXPIRED)
        .exclude(id__in=superseded)
        .order_by("expires_at")[:limit]
    )
    count = 0
    for record in lapsed:
        expire_consent(
            lapsed=record,
            circumstances=Circumstances(
                language="zh" if record.language == "zh" else "en",
                visitor_id=record.visitor_id,
                subject_id=record.subject_id,
                supersedes=record.id,
                country=record.country,
            ),
            at=at,
        )
        count += 1
    return count


def payload_for(record: ConsentRecord, *, account: str = "", issued: dt.datetime | None = None) -> Payload:
    """The consent cookie's content for a record."""
    decl = current_declaration()
    tag = decl.tag if record.cookie_version == decl.version else "old"
    return Payload(
        consent_id=record.id,
        visitor_id=record.visitor_id,
        granted=record.granted,
        method=Method(record.method),
        chosen=epoch(record.created_at),
        expires=epoch(record.expires_at),
        tag=tag,
        account=account,
        issued=epoch(issued or now()),
    )


# --- Anonymous analytics (commitments C11, C13): counts per day, no identifiers ----------


_IDENTIFIER = re.compile(r"^(\d+|[0-9a-fA-F-]{8,}|[A-Za-z0-9_-]{20,}|[^/]*@[^/]*)$")


def anonymous_path(path: str) -> str:
    """A page path fit for an anonymous count: no query or fragment, and every segment that
    could name someone or something of theirs (ids, tokens, addresses) replaced by ":id"."""
    bare = path.split("?", 1)[0].split("#", 1)[0]
    segments = [":id" if _IDENTIFIER.match(part) else part for part in bare.split("/")]
    return ("/".join(segments) or "/")[:200]


def count_event(*, kind: str, key: str, day: dt.date | None = None) -> None:
    """Add one to an aggregate counter. Callers check consent first (see views and api)."""
    day = day or now().date()
    key = key[:200]
    with transaction.atomic():
        updated = AnalyticsCount.objects.filter(day=day, kind=kind, key=key).update(count=F("count") + 1)
        if not updated:
            _, created = AnalyticsCount.objects.get_or_create(
                day=day, kind=kind, key=key, defaults={"count": 1}
            )
            if not created:
                AnalyticsCount.objects.filter(day=day, kind=kind, key=key).update(count=F("count") + 1)


# keeps: C12, C16 (consent recorded as proof; withdrawal as easy as consent)
