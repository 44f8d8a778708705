"""The rights workflow's daily job: remind the privacy officers, close requests never
verified, erase confirmed children's accounts, remove packages whose link expired.

Run it with `pledge rights daily` (cron or a timer) or enqueue the django-tasks task
`privacy.rights.tasks.run_daily`; both call `run_daily_jobs`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from privacy.rights import emails, execution, queries
from privacy.rights.actions import close_unverified_requests
from privacy.rights.models import RightsRequest


@dataclass(frozen=True)
class DailyReport:
    reminded: int  # requests in the reminder
    officers: int  # officers e-mailed
    closed_unverified: int
    children_erased: int
    packages_expired: int


def send_reminders(*, today: dt.date | None = None) -> tuple[int, int]:
    """E-mail every privacy officer the open requests at risk or overdue; (requests, officers)."""
    today = today or timezone.now().date()
    rows = queries.due_for_reminder(today=today)
    if not rows:
        return 0, 0
    due = [
        {
            "reference": row.request.reference,
            "right": row.request.get_right_display(),
            "due_on": row.due_on.isoformat(),
            "flag": row.flag,
        }
        for row in rows
    ]
    officers = emails.send_reminder(due=due)
    RightsRequest.objects.filter(pk__in=[row.request.pk for row in rows]).update(reminded_on=today)
    return len(rows), officers


def run_daily_jobs(*, now: dt.datetime | None = None) -> DailyReport:
    now = now or timezone.now()
    closed = close_unverified_requests(now=now)
    erased = execution.erase_reported_children()
    expired = execution.expire_deliveries(now=now)
    reminded, officers = send_reminders(today=now.date())
    return DailyReport(reminded, officers, closed, erased, expired)
