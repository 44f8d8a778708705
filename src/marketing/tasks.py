"""Background jobs of marketing: a campaign sent by the task worker (`pledge marketing send --background`).

The payload is the campaign's name only, never an address.
"""

from __future__ import annotations

from django_tasks import task

from marketing.actions import send_campaign


@task()
def send_campaign_task(campaign: str) -> dict[str, int]:
    result = send_campaign(name=campaign, actor="system:marketing-task")
    return {"sent": result.sent, "failed": result.failed, "already": result.already}
