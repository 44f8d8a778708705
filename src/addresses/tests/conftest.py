"""People of each role and logged-in clients for the address book and support tests.

Staff clients carry the session mark of a passed second factor, as the log-in flow sets
it, so that `role_required` lets them in as it would after a real TOTP code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.access import SECOND_FACTOR_AT
from accounts.models import Role, User

MakeUser = Callable[..., User]
LogIn = Callable[[User], Client]


@pytest.fixture
def make_user(db: None) -> MakeUser:
    def make(username: str, *, role: str = Role.CUSTOMER, manager: User | None = None) -> User:
        extra: dict[str, Any] = {"role": role, "account_manager": manager}
        if role != Role.CUSTOMER:
            extra["totp_secret"], extra["totp_confirmed_at"] = (
                "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
                timezone.now(),
            )
        return User.objects.create_user(username, f"{username}@example.com", "correct horse battery", **extra)

    return make


@pytest.fixture
def log_in() -> LogIn:
    def logged_in(user: User) -> Client:
        client = Client()
        client.force_login(user)
        if user.has_staff_role:
            session = client.session
            session[SECOND_FACTOR_AT] = timezone.now().isoformat()
            session.save()
        return client

    return logged_in


def audit_events(action: str) -> list[dict[str, Any]]:
    """The audit trail's events of one action, oldest first (read through the app registry)."""
    model = apps.get_model("audit", "AuditEvent")
    return list(
        model.objects.filter(action=action).order_by("seq").values("actor", "subject", "object", "details")
    )


def raw_rows(table: str) -> list[tuple[Any, ...]]:
    """Every row of a table as the database stores it, bypassing the ORM's decryption."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - a model's table name
        return list(cursor.fetchall())


def raw_text(table: str) -> str:
    """All stored values of a table, bytes decoded leniently, in one string to search."""
    parts = []
    for row in raw_rows(table):
        for value in row:
            if isinstance(value, bytes | bytearray | memoryview):
                parts.append(bytes(value).decode("utf-8", "replace"))
            else:
                parts.append(str(value))
    return "\n".join(parts)
