"""Reads of the rights workflow that encode a rule: who handles requests, the staff queue
sorted by due day with its flags, what is due for a reminder, and a request's history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from privacy.rights.deadlines import AT_RISK_DAYS, plan_for, urgency
from privacy.rights.models import OPEN_STATUSES, RequestEvent, RightsRequest

HANDLE_PERMISSION = "rights.handle_requests"


def may_handle_requests(user: Any) -> bool:
    """The privacy officer (the role holds rights.handle_requests) or a superuser."""
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.has_perm(HANDLE_PERMISSION)
    )


@dataclass(frozen=True)
class QueueRow:
    request: RightsRequest
    due_on: dt.date
    days_left: int
    flag: str  # "overdue", "at_risk" or ""


def open_requests() -> QuerySet[RightsRequest]:
    return RightsRequest.objects.filter(status__in=OPEN_STATUSES)


def staff_queue(*, today: dt.date | None = None, include_closed: bool = False) -> list[QueueRow]:
    """Open requests, the soonest due first (an extension moves a request's day)."""
    today = today or timezone.now().date()
    requests = RightsRequest.objects.all() if include_closed else open_requests()
    rows = [
        QueueRow(
            request=request,
            due_on=request.effective_due_on,
            days_left=(request.effective_due_on - today).days,
            flag=urgency(request.effective_due_on, today) if request.is_open else "",
        )
        for request in requests.order_by("due_on", "received_at")[:1000]
    ]
    return sorted(rows, key=lambda row: (row.due_on, row.request.received_at))


def due_for_reminder(*, today: dt.date | None = None) -> list[QueueRow]:
    """Open requests at risk (due within AT_RISK_DAYS) or overdue."""
    today = today or timezone.now().date()
    horizon = today + dt.timedelta(days=AT_RISK_DAYS)
    return [row for row in staff_queue(today=today) if row.due_on < horizon]


def history(request: RightsRequest) -> list[RequestEvent]:
    return list(request.events.order_by("at", "id"))


def deadline_plan(request: RightsRequest) -> Any:
    return plan_for(request.jurisdiction, request.received_at.date())
