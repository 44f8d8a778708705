"""The consent JSON API (django-ninja): read the current choice, record one, read a
subject's history, the privacy officer's rates; and the first-party analytics beacon.

Recording a choice needs the CSRF token (X-CSRFToken), as the HTML form does: without
it another site could make a visitor's browser "accept all". The history is the
subject's own, or any subject's for staff holding consent.view_consent_reports; every
refusal says only that it is refused, never whether the subject exists.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.utils import check_csrf

from privacy.consent import actions, flows, queries
from privacy.consent.banner import banner_version_for, state_of
from privacy.consent.models import ConsentRecord
from privacy.consent.state import now

router = Router(tags=["consent"])
analytics_router = Router(tags=["analytics"])


class Problem(Schema):
    detail: str


class ChoiceIn(Schema):
    method: Literal["accept_all", "reject_all", "custom", "withdraw", "gpc"]
    categories: list[str] = []
    banner: str | None = None  # the banner version the visitor saw (data-banner of the dialog)
    gpc: bool = False  # navigator.globalPrivacyControl, as the page's script saw it


class CurrentOut(Schema):
    consent_id: uuid.UUID | None
    decided: bool
    method: str | None
    categories: dict[str, bool]
    consent_mode: dict[str, str]
    model: str
    gpc: bool
    policy_version: str
    cookie_version: str
    banner_version: str
    expires_at: dt.datetime | None
    changed: bool = False


class RecordOut(Schema):
    consent_id: uuid.UUID
    visitor_id: uuid.UUID
    created_at: dt.datetime
    policy_version: str
    cookie_version: str
    banner_version: str | None
    language: str
    choices: dict[str, bool]
    method: str
    signals: dict[str, Any]
    ip_truncated: str | None
    user_agent_family: str
    country: str
    expires_at: dt.datetime
    supersedes: uuid.UUID | None


class DayOut(Schema):
    day: str
    records: int
    choices: int
    by_method: dict[str, int]
    granted_rate: dict[str, float]


class ReportOut(Schema):
    since: dt.date
    until: dt.date
    days: list[DayOut]


class EventIn(Schema):
    path: str
    new_visit: bool = False


class EventOut(Schema):
    recorded: bool


def _current(request: HttpRequest, *, changed: bool = False) -> dict[str, Any]:
    state = state_of(request)
    decl = state.decl
    granted = state.granted
    payload = state.payload if state.decided else None
    return {
        "consent_id": payload.consent_id if payload else None,
        "decided": state.decided,
        "method": str(payload.method) if payload else None,
        "categories": {key: key in granted for key in decl.categories},
        "consent_mode": decl.consent_mode(granted),
        "model": state.model,
        "gpc": state.gpc,
        "policy_version": decl.policy.version,
        "cookie_version": decl.version,
        "banner_version": banner_version_for(request, state).hash,
        "expires_at": dt.datetime.fromtimestamp(payload.expires, dt.UTC) if payload else None,
        "changed": changed,
    }


def _record_out(record: ConsentRecord) -> dict[str, Any]:
    return {
        "consent_id": record.id,
        "visitor_id": record.visitor_id,
        "created_at": record.created_at,
        "policy_version": record.policy_version,
        "cookie_version": record.cookie_version,
        "banner_version": record.banner_version_id,
        "language": record.language,
        "choices": record.choices,
        "method": record.method,
        "signals": record.signals,
        "ip_truncated": record.ip_truncated,
        "user_agent_family": record.user_agent_family,
        "country": record.country,
        "expires_at": record.expires_at,
        "supersedes": record.supersedes,
    }


@router.get("/", response=CurrentOut, summary="The consent in force for this browser")
def current(request: HttpRequest) -> dict[str, Any]:
    return _current(request)


@router.post(
    "/",
    response={201: CurrentOut, 400: Problem, 403: Problem, 409: Problem},
    summary="Record a cookie choice for this browser (and the logged-in account)",
)
def record(request: HttpRequest, choice: ChoiceIn) -> tuple[int, dict[str, Any]]:
    if check_csrf(request) is not None:
        return 403, {"detail": "CSRF check failed: send the csrftoken cookie's value in X-CSRFToken."}
    state = state_of(request)
    before = state.granted
    try:
        flows.record_choice_for(
            request,
            method=choice.method,
            categories=choice.categories,
            banner=choice.banner,
            gpc_script=choice.gpc,
        )
    except actions.ConsentError as problem:
        return 400, {"detail": str(problem)}
    except flows.BannerChanged:
        return 409, {"detail": "The banner text has changed since it was shown; show it again and ask."}
    return 201, _current(request, changed=state_of(request).granted != before)


@router.get("/history", response={200: list[RecordOut], 401: Problem}, summary="My consent history")
def own_history(request: HttpRequest) -> tuple[int, Any]:
    user = request.user
    if not user.is_authenticated:
        return 401, {"detail": "Log in to read your consent history."}
    return 200, [_record_out(r) for r in queries.history_for_subject(user.subject_id)]


@router.get(
    "/subjects/{subject_id}/history",
    response={200: list[RecordOut], 401: Problem, 403: Problem, 404: Problem},
    summary="A subject's consent history (the subject, or a privacy officer)",
)
def subject_history(request: HttpRequest, subject_id: uuid.UUID) -> tuple[int, Any]:
    user = request.user
    if not user.is_authenticated:
        return 401, {"detail": "Log in to read a consent history."}
    if not queries.may_read_history(user, subject_id):
        return 403, {"detail": "You may read only your own consent history."}
    if getattr(user, "subject_id", None) != subject_id and not queries.subject_exists(subject_id):
        return 404, {"detail": "No such subject."}
    return 200, [_record_out(r) for r in queries.history_for_subject(subject_id)]


@router.get("/report", response={200: ReportOut, 401: Problem, 403: Problem}, summary="Consent rates per day")
def report(request: HttpRequest, days: int = 30) -> tuple[int, Any]:
    user = request.user
    if not user.is_authenticated:
        return 401, {"detail": "Log in to read the consent report."}
    if not queries.is_privacy_officer(user):
        return 403, {"detail": "The consent report is for the privacy officer."}
    days = max(1, min(366, days))
    decl = state_of(request).decl
    until = now().date()
    since = until - dt.timedelta(days=days - 1)
    rates = queries.consent_rates(decl, since=since, until=until)
    return 200, {"since": since, "until": until, "days": [day.as_dict(decl.optional) for day in rates]}


@analytics_router.post(
    "/events",
    response={202: EventOut, 200: EventOut},
    summary="A page-view beacon; dropped unless performance cookies are granted",
)
def analytics_event(request: HttpRequest, event: EventIn) -> tuple[int, dict[str, bool]]:
    if not state_of(request).is_granted("performance"):
        return 200, {"recorded": False}
    actions.count_event(kind="page_view", key=actions.anonymous_path(event.path))
    if event.new_visit:
        actions.count_event(kind="visit", key="site")
    return 202, {"recorded": True}
