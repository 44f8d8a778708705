"""The JSON API at /api/accounts/ calls the same actions, with session and CSRF."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts import second_factor
from accounts.models import Role, User
from accounts.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

API = "/api/accounts"


def _csrf_client() -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    token = client.get(f"{API}/csrf").json()["csrf_token"]
    return client, token


def _post(client: Client, path: str, body: dict[str, Any], token: str | None) -> Any:
    headers = {"X-CSRFToken": token} if token else {}
    return client.post(f"{API}{path}", json.dumps(body), content_type="application/json", headers=headers)


def test_register_then_log_in_then_me(smtp_server: Any, django_capture_on_commit_callbacks: Any) -> None:
    client, token = _csrf_client()
    body = {
        "username": "api_user",
        "email": "api@example.com",
        "password": PASSWORD,
        "date_of_birth": "1985-01-31",
        "country": "SG",
    }
    with django_capture_on_commit_callbacks(execute=True):
        registered = _post(client, "/register", body, token)
    assert registered.status_code == 202
    assert [m["To"] for m in smtp_server.messages] == ["api@example.com"]

    logged_in = _post(client, "/login", {"identifier": "API@example.com", "password": PASSWORD}, token)
    assert logged_in.status_code == 200
    me = client.get(f"{API}/me").json()
    assert {k: me[k] for k in ("username", "email", "email_verified", "role")} == {
        "username": "api_user",
        "email": "api@example.com",
        "email_verified": False,
        "role": "customer",
    }


def test_log_in_without_the_csrf_token_is_refused(make_user: Any) -> None:
    make_user("wes")
    client, _ = _csrf_client()
    response = _post(client, "/login", {"identifier": "wes", "password": PASSWORD}, None)
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_under_age_registration_is_refused_and_stores_no_account() -> None:
    client, token = _csrf_client()
    body = {
        "username": "young",
        "email": "young@example.com",
        "password": PASSWORD,
        "date_of_birth": timezone.localdate().replace(day=1).isoformat(),
        "country": "GB",
    }
    response = _post(client, "/register", body, token)
    assert response.status_code == 403
    assert User.objects.count() == 0


def test_field_errors_are_named(make_user: Any) -> None:
    make_user("taken")
    client, token = _csrf_client()
    body = {
        "username": "taken",
        "email": "x@example.com",
        "password": PASSWORD,
        "date_of_birth": "1980-02-02",
        "country": "US",
    }
    response = _post(client, "/register", body, token)
    assert response.status_code == 422
    assert response.json()["errors"] == {"username": ["That username is taken. Please choose another."]}


def test_me_needs_a_session() -> None:
    assert Client().get(f"{API}/me").status_code == 401


def test_staff_need_their_code_in_the_api(make_user: Any, staff_secret: str) -> None:
    make_user("maria", role=Role.ACCOUNT_MANAGER, totp_secret=staff_secret)
    client, token = _csrf_client()
    without = _post(client, "/login", {"identifier": "maria", "password": PASSWORD}, token)
    assert without.status_code == 401
    assert "_auth_user_id" not in client.session
    code = second_factor.code_at(secret=staff_secret, when=timezone.now())
    with_code = _post(client, "/login", {"identifier": "maria", "password": PASSWORD, "code": code}, token)
    assert with_code.status_code == 200
    assert client.get(f"{API}/me").json()["role"] == "account_manager"


def test_password_reset_never_reveals_an_account(make_user: Any) -> None:
    make_user("xena", email="xena@example.com")
    client, token = _csrf_client()
    known = _post(client, "/password-reset", {"identifier": "xena@example.com"}, token)
    unknown = _post(client, "/password-reset", {"identifier": "nobody@example.com"}, token)
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())


def test_change_email_and_logout(
    make_user: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_user("yara", email="yara@example.com")
    client, token = _csrf_client()
    _post(client, "/login", {"identifier": "yara", "password": PASSWORD}, token)
    token = client.cookies["csrftoken"].value  # rotated at log-in
    with django_capture_on_commit_callbacks(execute=True):
        changed = _post(client, "/email", {"email": "yara@new.example", "current_password": PASSWORD}, token)
    assert changed.status_code == 202
    assert sorted(m["To"] for m in smtp_server.messages) == ["yara@example.com", "yara@new.example"]
    assert client.get(f"{API}/me").json()["pending_email"] == "yara@new.example"
    assert _post(client, "/logout", {}, token).status_code == 200
    assert client.get(f"{API}/me").status_code == 401
