"""Reads of the technical logs that encode a rule."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from weblog.models import RequestLog


def page_history_of(account: Any) -> QuerySet[RequestLog]:
    """The pages this account viewed while logged in, newest first (C8).

    Anonymous visits before logging in are not attributed to the account: nothing links
    them to it (weblog.privacy).
    """
    return RequestLog.objects.filter(account_subject_id=account.subject_id).order_by("-at", "-id")
