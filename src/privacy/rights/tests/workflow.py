"""Fixtures and helpers of the request workflow tests (imported by each module, so that the
tests of the collection and erasure pieces keep their own conftest)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client

from privacy.rights.models import RightsRequest

PASSWORD = "a long passphrase 42"
_names = itertools.count(1)


@pytest.fixture
def make_user(db: None) -> Callable[..., Any]:
    def make(*, role: str = "customer", name: str | None = None) -> Any:
        n = next(_names)
        username = name or f"person{n}"
        extra: dict[str, Any] = {"role": role}
        return get_user_model().objects.create_user(username, f"{username}@example.com", PASSWORD, **extra)

    return make


@pytest.fixture
def officer(make_user: Callable[..., Any]) -> Any:
    return make_user(role="privacy_officer", name="officer")


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def audit_events(action: str) -> list[dict[str, Any]]:
    model = apps.get_model("audit", "AuditEvent")
    return list(
        model.objects.filter(action=action).order_by("seq").values("actor", "subject", "object", "details")
    )


def code_in(message: Any) -> str:
    body = message.get_payload(decode=True).decode() if not message.is_multipart() else str(message)
    found = re.search(r"^\s+(\d{6})\s*$", body, re.MULTILINE)
    assert found, body
    return found.group(1)


def body_of(message: Any) -> str:
    payload = message.get_payload(decode=True)
    return payload.decode() if isinstance(payload, bytes) else str(message.get_payload())


def link_in(message: Any) -> str:
    found = re.search(r"http://[^\s]+/privacy-center/download/[^\s]+/", body_of(message))
    assert found, body_of(message)
    return urlsplit(found.group(0)).path


def latest_request() -> RightsRequest:
    return RightsRequest.objects.order_by("-received_at").first()  # type: ignore[return-value]


def steps_of(request: RightsRequest) -> list[str]:
    return list(request.events.order_by("at", "id").values_list("step", flat=True))


def raw_table_text(table: str) -> str:
    """Every stored value of a table, bytes decoded leniently, to search for plaintext."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - a model's table
        rows = cursor.fetchall()
    parts = []
    for row in rows:
        for value in row:
            parts.append(
                bytes(value).decode("utf-8", "replace")
                if isinstance(value, bytes | memoryview)
                else str(value)
            )
    return "\n".join(parts)
