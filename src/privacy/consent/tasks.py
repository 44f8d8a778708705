"""Background work of consent (django-tasks): the daily lapse of consents past their maximum age.

`pledge consent expire` runs the same action in the foreground; a scheduler may enqueue
this task instead, on whichever queue TASKS_BACKEND configures (database or RQ). The
payload is empty and the result is a count: nothing personal travels through the queue.
"""

from __future__ import annotations

from django_tasks import task

from privacy.consent.actions import expire_lapsed_consents


@task()
def expire_lapsed() -> dict[str, int]:
    return {"expired": expire_lapsed_consents()}


# keeps: C16 (consent asked again after the declaration's maximum age)
