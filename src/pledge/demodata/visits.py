"""The bulk path, continued: what a customer's visits leave behind, request logs and cookie choices.

As `bulk` does for the rest of a customer: the rows `weblog`'s request logger and the
consent banner's `record_consent` would write, built with the models' own fields and
turned into INSERT parameters by `rows.Builder`. A request log is sealed under its log
day's key (made before the run by `generate.ensure_log_day_keys`, only read here).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from accounts.models import User
from pledge.demodata.plan import AGENTS, CustomerPlan
from pledge.demodata.rows import Builder
from privacy.consent.actions import resolve_choices
from privacy.consent.declaration import current_declaration
from privacy.consent.models import ConsentRecord
from privacy.consent.models import Method as ConsentMethod
from privacy.consent.state import truncate_ip, user_agent_family
from privacy.vault.personal_model import uuid7
from weblog.client_details import client_software, place_of
from weblog.models import RequestLog
from weblog.privacy import log_day_subject

_software: dict[int, Any] = {}


def add_logs(b: Builder, plan: CustomerPlan, user: User) -> None:
    # One instance, refilled per row (a new primary key each time): building a model instance
    # costs more than sealing its two encrypted values, and a customer has a hundred of these.
    row = RequestLog(account_subject_id=user.subject_id)
    places: dict[str, Any] = {}
    for lp in plan.logs:
        software = _software.get(lp.agent)
        if software is None:
            software = _software[lp.agent] = client_software(AGENTS[lp.agent])
        place = places.get(lp.ip)
        if place is None:
            place = places[lp.ip] = place_of(lp.ip)
        row.id = uuid7()
        row.subject_id = _log_day(lp.at.date())
        row.at, row.ip_address, row.path = lp.at, lp.ip, lp.path
        row.country, row.region = place.country, place.region
        row.browser_family, row.browser_version = software.browser_family, software.browser_version
        row.os_family, row.os_version = software.os_family, software.os_version
        row.method, row.status, row.response_ms = lp.method, lp.status, lp.response_ms
        b.add(row)


_days: dict[dt.date, uuid.UUID] = {}


def _log_day(day: dt.date) -> uuid.UUID:
    found = _days.get(day)
    if found is None:
        found = _days[day] = log_day_subject(day)
    return found


_families: dict[int, str] = {}


def add_consents(b: Builder, plan: CustomerPlan, user: User) -> None:
    decl = current_declaration()
    visitor = uuid.uuid4()
    previous: ConsentRecord | None = None
    for cp in plan.consents:
        method = ConsentMethod(cp.method)
        choices = resolve_choices(decl, method, cp.categories, gpc=False)
        granted = frozenset(key for key, on in choices.items() if on)
        family = _families.get(cp.agent)
        if family is None:
            family = _families[cp.agent] = user_agent_family(AGENTS[cp.agent])
        record = ConsentRecord(
            id=uuid.uuid4(),
            visitor_id=visitor,
            subject_id=user.subject_id,
            created_at=cp.at,
            policy_version=decl.policy.version,
            cookie_version=decl.version,
            banner_version_id=None,
            language=cp.language,
            choices=choices,
            method=method,
            signals={"gpc": False, "consent_mode": decl.consent_mode(granted)},
            ip_truncated=truncate_ip(cp.ip),
            user_agent_family=family,
            country=cp.country[:2],
            expires_at=decl.expiry(cp.at),
            supersedes=previous.id if previous is not None else None,
        )
        b.add(record)
        withdrawn = sorted(
            ((previous.granted if previous else frozenset()) & frozenset(decl.optional)) - granted
        )
        if withdrawn:
            b.event(
                cp.at,
                "subject",
                "consent.withdrawn",
                str(user.subject_id),
                f"consent:{record.id}",
                withdrawn=withdrawn,
                method=str(method),
                supersedes=str(record.supersedes),
            )
        previous = record


__all__ = ["add_consents", "add_logs"]
