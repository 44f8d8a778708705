"""Background tasks (django-tasks) of the rights workflow: the daily job, enqueued by a scheduler."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from privacy.rights.jobs import run_daily_jobs


@task()
def run_daily() -> dict[str, Any]:
    report = run_daily_jobs()
    return {
        "reminded": report.reminded,
        "officers": report.officers,
        "closed_unverified": report.closed_unverified,
        "children_erased": report.children_erased,
        "packages_expired": report.packages_expired,
    }
