"""Helpers for other apps' tests: accounts of each role, and browsers already logged in.

A staff session made here is marked as having passed the second factor, exactly as
`accounts.access.start_session(..., second_factor=True)` marks it after a TOTP code.
"""

from __future__ import annotations

import itertools
from typing import Any

from django.test import Client
from django.utils import timezone

from accounts.access import BACKEND, SECOND_FACTOR_AT
from accounts.models import Role, User

TEST_PASSWORD = "correct horse battery"  # noqa: S105 - tests only
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - tests only
_numbers = itertools.count(1)


def make_account(
    role: str = Role.CUSTOMER,
    *,
    username: str | None = None,
    email: str | None = None,
    manager: User | None = None,
    password: str = TEST_PASSWORD,
    **extra: Any,
) -> User:
    """An account of `role`; staff get TEST_TOTP_SECRET, already confirmed."""
    username = username or f"{role.replace('_', '')}{next(_numbers)}"
    fields: dict[str, Any] = {"role": role, "account_manager": manager, **extra}
    if role != Role.CUSTOMER:
        fields.setdefault("totp_secret", TEST_TOTP_SECRET)
        fields.setdefault("totp_confirmed_at", timezone.now())
    return User.objects.create_user(username, email or f"{username}@example.com", password, **fields)


def logged_in_client(user: User, client: Client | None = None) -> Client:
    """A test client with `user`'s session; a staff session as after their TOTP code."""
    client = client or Client()
    client.force_login(user, backend=BACKEND)
    if user.has_staff_role:
        session = client.session
        session[SECOND_FACTOR_AT] = timezone.now().isoformat()
        session.save()
    return client
