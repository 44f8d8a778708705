"""The e-mails of a rights request: one at each step, the one-time codes, staff reminders.

Functions take the request's id and read the address when they send (the account's, for a
request from the person themself; the contact address otherwise), so that no address
travels through a task payload or a log line. The one exception is the answer to an
erasure: the address is gone once the erasure ran, so the action reads it first and hands
it over in memory. Actions call these through `transaction.on_commit`: nothing is sent for
a step that rolled back. A sending failure is logged by kind only and never breaks the
step; the officer sees the step in the request's history and can write by hand.

Links are absolute, from settings.PLEDGE_SITE_URL. Nothing personal is in a subject line.
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from privacy.rights.identity import CODE_TTL, account_of
from privacy.rights.models import RequestContact, RequesterKind, RightsRequest
from privacy.vault.errors import SubjectErased

logger = logging.getLogger(__name__)


def site_link(path: str) -> str:
    return str(settings.PLEDGE_SITE_URL).rstrip("/") + path


def _send(*, kind: str, to: str, context: dict[str, Any], language: str = "en") -> bool:
    with translation.override(language):
        subject = render_to_string(f"rights/email/{kind}_subject.txt", context).strip()
        body = render_to_string(f"rights/email/{kind}.txt", context)
    message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to])
    try:
        message.send()
    except Exception as problem:  # the step stands; the officer can write by hand
        logger.warning("rights e-mail %r was not sent: %s", kind, type(problem).__name__)
        return False
    return True


def recipient_for(request: RightsRequest) -> str | None:
    """The address to answer: the account's for the person themself, else the one given."""
    if request.requester_kind == RequesterKind.SUBJECT and request.is_verified:
        account = account_of(request.subject_id)
        if account is not None and account.email:
            return str(account.email)
    contact = RequestContact.objects.filter(request=request).first()
    try:
        return str(contact.email) if contact is not None and contact.email else None
    except SubjectErased:
        return None


def _request(request_id: UUID) -> RightsRequest | None:
    return RightsRequest.objects.filter(pk=request_id).first()


def _context(request: RightsRequest) -> dict[str, Any]:
    return {
        "reference": request.reference,
        "right": request.get_right_display(),
        "due_on": request.effective_due_on,
        "status_link": site_link(reverse("rights:status", args=[request.id])),
        "center_link": site_link(reverse("rights:center")),
        "privacy_email": "privacy@sogaworks.com",
    }


def send_step(
    *, request_id: UUID, step: str, extra: dict[str, Any] | None = None, to: str | None = None
) -> bool:
    """The requester's e-mail for one step ("received", "verified", "extended", ...)."""
    request = _request(request_id)
    if request is None:
        return False
    address = to or recipient_for(request)
    if not address:
        return False
    context = {**_context(request), "step": step, **(extra or {})}
    return _send(kind=f"step_{step}", to=address, context=context, language=request.language)


def send_code(*, request_id: UUID, code: str, purpose: str = "identity") -> bool:
    """The one-time code, to the address on the account (or, for a guardian's download, the contact)."""
    request = _request(request_id)
    if request is None:
        return False
    if request.requester_kind == RequesterKind.SUBJECT:
        account = account_of(request.subject_id)
        address = str(account.email) if account is not None else None
    else:
        address = recipient_for(request)
    if not address:
        return False
    minutes = int(CODE_TTL.total_seconds() // 60)
    context = {**_context(request), "code": code, "minutes": minutes, "purpose": purpose}
    return _send(kind="code", to=address, context=context, language=request.language)


def send_reminder(*, due: list[dict[str, Any]]) -> int:
    """To every privacy officer: the open requests at risk or overdue (references and dates only)."""
    officers = get_user_model()._default_manager.filter(role="privacy_officer", is_active=True)
    sent = 0
    context = {"due": due, "queue_link": site_link(reverse("rights:queue"))}
    for officer in officers:
        if officer.email and _send(kind="reminder", to=str(officer.email), context=context):
            sent += 1
    return sent
