"""Log-in by username or e-mail in any case, "Welcome back" (C3), throttling that never
locks the owner out for good."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import actions
from accounts.actions import LoginOutcome
from accounts.models import LoginThrottle
from accounts.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

MINUTE = dt.timedelta(minutes=1)


@pytest.mark.commitment("C3")
@pytest.mark.parametrize(
    "identifier", ["Ada_L", "ada_l", "ADA_L", "ada@example.com", "Ada@Example.COM", " ada_l "]
)
def test_log_in_by_username_or_email_in_any_case(client: Client, make_user: Any, identifier: str) -> None:
    # Given an account "Ada_L" with the address ada@example.com
    make_user("Ada_L", email="ada@example.com")

    # When its owner logs in with either, in any case
    response = client.post(
        reverse("accounts:login"), {"identifier": identifier, "password": PASSWORD}, follow=True
    )

    # Then they are welcomed back by their username (C3)
    assert response.status_code == 200
    assert response.redirect_chain == [(reverse("accounts:account"), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Welcome back, Ada_L.",
        "Please confirm your e-mail address: open the link we sent you.",
    ]
    assert "Welcome back, Ada_L" in response.content.decode()
    assert response.context["user"].username == "Ada_L"


@pytest.mark.commitment("C3")
def test_log_in_records_last_login_and_audits_it(make_user: Any) -> None:
    user = make_user("bea")
    now = timezone.now()
    result = actions.attempt_login(identifier="bea", password=PASSWORD, ip_address="192.0.2.10", now=now)
    assert (result.outcome, result.user) == (LoginOutcome.OK, user)
    user.refresh_from_db()
    assert user.last_login == now


def test_wrong_password_and_unknown_name_get_the_same_answer(client: Client, make_user: Any) -> None:
    make_user("carl")
    wrong = client.post(reverse("accounts:login"), {"identifier": "carl", "password": "nope nope nope"})
    unknown = client.post(reverse("accounts:login"), {"identifier": "nobody", "password": "nope nope nope"})
    assert wrong.status_code == unknown.status_code == 200
    assert wrong.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post(client: Client, make_user: Any) -> None:
    client.force_login(make_user("dora"))
    assert client.get(reverse("accounts:logout")).status_code == 200
    assert "_auth_user_id" in client.session  # a GET only asks
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_next_page_is_kept_but_only_on_this_site(client: Client, make_user: Any) -> None:
    make_user("erin")
    ok = client.post(
        reverse("accounts:login"), {"identifier": "erin", "password": PASSWORD, "next": "/account/"}
    )
    assert ok["Location"] == "/account/"
    client.logout()
    evil = client.post(
        reverse("accounts:login"),
        {"identifier": "erin", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert evil["Location"] == reverse("accounts:account")


def _fail(identifier: str, now: dt.datetime, ip: str = "192.0.2.1") -> actions.LoginResult:
    return actions.attempt_login(identifier=identifier, password="wrong password!", ip_address=ip, now=now)


def test_account_throttle_waits_1_2_4_8_15_15_minutes(make_user: Any) -> None:
    # Given an account, and a guesser who tries again as soon as each wait is over
    make_user("fay")
    now = timezone.now()
    waits = []
    for attempt in range(10):
        assert _fail("fay", now, ip=f"192.0.2.{attempt}").outcome == LoginOutcome.INVALID
        row = LoginThrottle.objects.get(scope="account")
        wait = (row.blocked_until - now) if row.blocked_until else dt.timedelta(0)
        waits.append(int(wait.total_seconds()))
        now += wait
    # Then the first four failures cost nothing, then 1, 2, 4, 8 minutes, capped at 15
    assert waits == [0, 0, 0, 0, 60, 120, 240, 480, 900, 900]


def test_while_blocked_even_the_right_password_waits_and_the_owner_gets_in_after(make_user: Any) -> None:
    make_user("gus")
    start = timezone.now()
    for _ in range(5):
        _fail("gus", start)

    blocked = actions.attempt_login(identifier="gus", password=PASSWORD, ip_address="198.51.100.1", now=start)
    assert (blocked.outcome, blocked.retry_after, blocked.retry_after_minutes) == (
        LoginOutcome.BLOCKED,
        MINUTE,
        1,
    )
    # Attempts while blocked are not counted: the wait does not grow.
    assert LoginThrottle.objects.get(scope="account").failures == 5

    later = actions.attempt_login(
        identifier="gus", password=PASSWORD, ip_address="198.51.100.1", now=start + MINUTE
    )
    assert later.outcome == LoginOutcome.OK
    assert not LoginThrottle.objects.filter(scope="account").exists()  # a success starts afresh


def test_the_throttle_applies_by_username_and_by_address_alike(make_user: Any) -> None:
    make_user("hal", email="hal@example.com")
    now = timezone.now()
    for identifier in ("hal", "HAL@example.com", "hal", "hal@example.com", "Hal"):
        _fail(identifier, now)
    assert _fail("hal@example.com", now).outcome == LoginOutcome.BLOCKED


def test_unknown_names_are_throttled_like_real_ones() -> None:
    now = timezone.now()
    outcomes = [_fail("ghost", now).outcome for _ in range(6)]
    assert outcomes == [LoginOutcome.INVALID] * 5 + [LoginOutcome.BLOCKED]


def test_per_ip_throttle_after_20_failures_across_accounts(make_user: Any) -> None:
    now = timezone.now()
    for n in range(20):
        assert _fail(f"sprayed{n}", now, ip="203.0.113.9").outcome == LoginOutcome.INVALID
    make_user("ivy")
    blocked = actions.attempt_login(identifier="ivy", password=PASSWORD, ip_address="203.0.113.9", now=now)
    assert (blocked.outcome, blocked.retry_after) == (LoginOutcome.BLOCKED, MINUTE)
    # Another address is not affected.
    other = actions.attempt_login(identifier="ivy", password=PASSWORD, ip_address="203.0.113.10", now=now)
    assert other.outcome == LoginOutcome.OK


def test_throttle_rows_hold_no_plain_name_or_address(make_user: Any) -> None:
    make_user("jay", email="jay@example.com")
    _fail("jay@example.com", timezone.now(), ip="192.0.2.55")
    rows = list(LoginThrottle.objects.values_list("scope", "key"))
    assert sorted(scope for scope, _ in rows) == ["account", "ip"]
    for _, key in rows:
        assert len(key) == 64
        assert all(part not in key for part in ("jay", "example", "192.0.2.55"))


def test_failures_are_forgotten_after_a_quiet_day(make_user: Any) -> None:
    make_user("kim")
    start = timezone.now()
    for _ in range(4):
        _fail("kim", start)
    _fail("kim", start + dt.timedelta(days=1, seconds=1))
    assert LoginThrottle.objects.get(scope="account").failures == 1


def test_a_blocked_log_in_page_says_how_long_to_wait(client: Client, make_user: Any) -> None:
    make_user("lea")
    for _ in range(5):
        client.post(reverse("accounts:login"), {"identifier": "lea", "password": "wrong password!"})
    response = client.post(reverse("accounts:login"), {"identifier": "lea", "password": PASSWORD})
    assert response.status_code == 429
    assert response.context["form"].non_field_errors() == [
        "Too many attempts. Please wait 1 minute and try again, or reset your password."
    ]
    assert "_auth_user_id" not in client.session
