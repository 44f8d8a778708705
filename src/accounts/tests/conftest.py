"""Fixtures for the accounts tests: accounts of each role, made through the real manager."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone

from accounts import second_factor
from accounts.models import Role, User

PASSWORD = "correct horse battery"
BASE_URL = "http://testserver"
ADULT_BIRTHDAY = dt.date(1990, 4, 25)

MakeUser = Callable[..., User]


@pytest.fixture
def make_user(db: None) -> MakeUser:
    def make(
        username: str,
        *,
        role: str = Role.CUSTOMER,
        email: str | None = None,
        password: str = PASSWORD,
        manager: User | None = None,
        totp_secret: str | None = None,
    ) -> User:
        extra: dict[str, object] = {"role": role, "account_manager": manager}
        if totp_secret:
            extra["totp_secret"], extra["totp_confirmed_at"] = totp_secret, timezone.now()
        return User.objects.create_user(username, email or f"{username}@example.com", password, **extra)

    return make


@pytest.fixture
def staff_secret() -> str:
    return second_factor.new_secret()
