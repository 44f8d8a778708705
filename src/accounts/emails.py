"""The account e-mails: confirmation links, password reset, notices.

Each function takes the account's primary key and reads the address from the database
when it sends, so that no address travels through a closure, a task payload or a log
line (a change notice gets the new address only masked, "m•••@example.com"). Actions
call them through `transaction.on_commit`: nothing is sent for a change that rolled
back. A sending failure is logged by kind only (an SMTP error can quote the recipient)
and never breaks the action; the person can ask again.
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import tokens
from accounts.models import User, normalize_email

logger = logging.getLogger(__name__)


def _send(*, kind: str, to: str, context: dict[str, Any]) -> bool:
    subject = render_to_string(f"accounts/email/{kind}_subject.txt", context).strip()
    body = render_to_string(f"accounts/email/{kind}.txt", context)
    message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to])
    try:
        message.send()
    except Exception as problem:  # the person can ask again; the action stands
        logger.warning("accounts e-mail %r was not sent: %s", kind, type(problem).__name__)
        return False
    return True


def _user(user_pk: UUID) -> User | None:
    return User.objects.filter(pk=user_pk, is_active=True).first()


def verification_state(user: User) -> str:
    confirmed = user.email_verified_at.isoformat() if user.email_verified_at else ""
    return f"{normalize_email(user.email)}|{confirmed}"


def change_state(user: User) -> str:
    asked = user.pending_email_requested_at.isoformat() if user.pending_email_requested_at else ""
    return f"{normalize_email(user.pending_email or '')}|{asked}"


def mask_address(address: str) -> str:
    """ "m•••@example.com": enough for the owner to recognise, too little to harvest."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "•••"


def send_verification(*, user_pk: UUID, base_url: str) -> bool:
    user = _user(user_pk)
    if user is None or user.email_verified:
        return False
    token = tokens.make_token(purpose=tokens.VERIFY_EMAIL, user_pk=user.pk, state=verification_state(user))
    link = base_url.rstrip("/") + reverse("accounts:verify_email", args=[token])
    return _send(kind="verify_email", to=user.email, context={"username": user.username, "link": link})


def send_already_registered(*, user_pk: UUID, base_url: str) -> bool:
    """To the owner of an address someone tried to register again (no account is made)."""
    user = _user(user_pk)
    if user is None:
        return False
    context = {
        "username": user.username,
        "login_link": base_url.rstrip("/") + reverse("accounts:login"),
        "reset_link": base_url.rstrip("/") + reverse("accounts:password_reset"),
    }
    return _send(kind="already_registered", to=user.email, context=context)


def send_password_reset(*, user_pk: UUID, base_url: str) -> bool:
    user = _user(user_pk)
    if user is None:
        return False
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = base_url.rstrip("/") + reverse("accounts:password_reset_confirm", args=[uid, token])
    return _send(kind="password_reset", to=user.email, context={"username": user.username, "link": link})


def send_email_change_link(*, user_pk: UUID, base_url: str) -> bool:
    """To the new address, which must confirm before the change applies."""
    user = _user(user_pk)
    if user is None or not user.pending_email:
        return False
    token = tokens.make_token(purpose=tokens.CHANGE_EMAIL, user_pk=user.pk, state=change_state(user))
    link = base_url.rstrip("/") + reverse("accounts:confirm_email_change", args=[token])
    return _send(
        kind="change_email", to=user.pending_email, context={"username": user.username, "link": link}
    )


def send_email_change_notice(*, user_pk: UUID, base_url: str, masked_new_address: str) -> bool:
    """To the current address: a change was asked for and applies only once confirmed."""
    user = _user(user_pk)
    if user is None:
        return False
    context = {
        "username": user.username,
        "masked": masked_new_address,
        "reset_link": base_url.rstrip("/") + reverse("accounts:password_reset"),
    }
    return _send(kind="change_email_notice", to=user.email, context=context)


def send_address_in_use(*, user_pk: UUID, base_url: str) -> bool:
    """To the owner of an address someone tried to move another account onto; nothing changed."""
    user = _user(user_pk)
    if user is None:
        return False
    context = {
        "username": user.username,
        "reset_link": base_url.rstrip("/") + reverse("accounts:password_reset"),
    }
    return _send(kind="address_in_use", to=user.email, context=context)
