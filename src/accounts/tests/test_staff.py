"""Staff: a TOTP second factor at every log-in, no replayed codes, and need-to-know (C37)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts import access, actions, second_factor
from accounts.actions import LoginOutcome
from accounts.models import Role, User
from accounts.queries import (
    can_see_customer,
    customers_visible_to,
    is_account_manager,
    is_staff_member,
    is_support_agent,
)
from accounts.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _log_in(client: Client, username: str) -> Any:
    return client.post(reverse("accounts:login"), {"identifier": username, "password": PASSWORD})


@pytest.mark.commitment("C37")
def test_staff_password_alone_opens_no_session(client: Client, make_user: Any, staff_secret: str) -> None:
    make_user("maria", role=Role.ACCOUNT_MANAGER, totp_secret=staff_secret)

    response = _log_in(client, "maria")

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:second_factor")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("accounts:account")).status_code == 302  # still logged out


@pytest.mark.commitment("C37")
def test_staff_log_in_with_a_code_and_a_replayed_code_is_refused(
    client: Client, make_user: Any, staff_secret: str
) -> None:
    user = make_user("maria", role=Role.ACCOUNT_MANAGER, totp_secret=staff_secret)
    code = second_factor.code_at(secret=staff_secret, when=timezone.now())

    _log_in(client, "maria")
    response = client.post(reverse("accounts:second_factor"), {"code": code}, follow=True)

    assert response.redirect_chain == [(reverse("accounts:account"), 302)]
    assert client.session["_auth_user_id"] == str(user.pk)
    assert access.SECOND_FACTOR_AT in client.session

    # The same code, in the same 30 seconds, from another browser: refused.
    other = Client()
    _log_in(other, "maria")
    replay = other.post(reverse("accounts:second_factor"), {"code": code})
    assert replay.status_code == 200
    assert replay.context["form"].errors == {
        "code": ["That code did not work. Type the newest code in your authenticator app; each works once."]
    }
    assert "_auth_user_id" not in other.session


@pytest.mark.commitment("C37")
def test_replay_is_refused_at_the_action_level_within_the_time_step(
    make_user: Any, staff_secret: str
) -> None:
    user = make_user("sam", role=Role.SUPPORT_AGENT, totp_secret=staff_secret)
    now = timezone.now()
    code = second_factor.code_at(secret=staff_secret, when=now)

    first = actions.verify_second_factor(user=user, code=code, ip_address="192.0.2.1", now=now)
    again = actions.verify_second_factor(user=user, code=code, ip_address="192.0.2.1", now=now)
    later = actions.verify_second_factor(
        user=user,
        code=second_factor.code_at(secret=staff_secret, when=now + dt.timedelta(seconds=30)),
        ip_address="192.0.2.1",
        now=now + dt.timedelta(seconds=30),
    )

    assert [first.outcome, again.outcome, later.outcome] == [
        LoginOutcome.OK,
        LoginOutcome.INVALID,
        LoginOutcome.OK,
    ]


@pytest.mark.commitment("C37")
def test_wrong_codes_are_throttled_and_a_password_does_not_reset_the_count(
    make_user: Any, staff_secret: str
) -> None:
    user = make_user("priya", role=Role.PRIVACY_OFFICER, totp_secret=staff_secret)
    now = timezone.now()
    outcomes = []
    for _ in range(3):
        assert actions.attempt_login(
            identifier="priya", password=PASSWORD, ip_address=None, now=now
        ).outcome == (LoginOutcome.SECOND_FACTOR)
        outcomes.append(
            actions.verify_second_factor(user=user, code="000000", ip_address=None, now=now).outcome
        )
    # 3 passwords + 2 wrong codes = 5 attempts: the third code waits.
    assert outcomes == [LoginOutcome.INVALID, LoginOutcome.INVALID, LoginOutcome.BLOCKED]


@pytest.mark.commitment("C37")
def test_first_log_in_enrols_the_second_factor(client: Client, make_user: Any) -> None:
    user = make_user("newadmin", role=Role.ADMINISTRATOR)

    response = _log_in(client, "newadmin")
    assert response["Location"] == reverse("accounts:second_factor_setup")
    page = client.get(reverse("accounts:second_factor_setup"))
    secret = User.objects.get(pk=user.pk).totp_secret
    assert page.context["otpauth_uri"] == (
        f"otpauth://totp/SogaWorks:newadmin?secret={secret}&issuer=SogaWorks"
    )
    assert "_auth_user_id" not in client.session

    wrong = client.post(reverse("accounts:second_factor_setup"), {"code": "123456"})
    assert wrong.status_code == 200
    assert User.objects.get(pk=user.pk).totp_confirmed_at is None

    code = second_factor.code_at(secret=secret, when=timezone.now())
    done = client.post(reverse("accounts:second_factor_setup"), {"code": code})
    assert done.status_code == 302
    assert User.objects.get(pk=user.pk).second_factor_enrolled
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.commitment("C37")
def test_no_other_path_authenticates_staff(make_user: Any, staff_secret: str) -> None:
    make_user("admin", role=Role.ADMINISTRATOR, totp_secret=staff_secret)
    make_user("cora")
    assert authenticate(username="admin", password=PASSWORD) is None
    assert authenticate(username="cora", password=PASSWORD) is not None


@pytest.mark.commitment("C37")
def test_admin_site_needs_an_administrator_with_the_second_factor(
    client: Client, make_user: Any, staff_secret: str
) -> None:
    admin_user = make_user("admin", role=Role.ADMINISTRATOR, totp_secret=staff_secret)
    # The admin's own log-in page sends to ours.
    assert client.get("/admin/login/")["Location"].startswith(reverse("accounts:login"))
    # A session opened without the code (force_login) is ended, not let in.
    client.force_login(admin_user, backend=access.BACKEND)
    assert client.get("/admin/").status_code == 302
    # With the code, the admin site opens.
    _log_in(client, "admin")
    code = second_factor.code_at(secret=staff_secret, when=timezone.now())
    client.post(reverse("accounts:second_factor"), {"code": code})
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200


@pytest.mark.commitment("C37")
def test_an_account_manager_is_refused_the_admin_site(
    client: Client, make_user: Any, staff_secret: str
) -> None:
    make_user("maria", role=Role.ACCOUNT_MANAGER, totp_secret=staff_secret)
    _log_in(client, "maria")
    code = second_factor.code_at(secret=staff_secret, when=timezone.now())
    client.post(reverse("accounts:second_factor"), {"code": code})
    response = client.get("/admin/accounts/user/")
    assert response.status_code in (302, 403)
    assert b"maria@example.com" not in response.content


# --- Need-to-know queries ---------------------------------------------------------------


@pytest.fixture
def people(make_user: Any, staff_secret: str) -> dict[str, User]:
    maria = make_user("maria", role=Role.ACCOUNT_MANAGER, totp_secret=staff_secret)
    marco = make_user("marco", role=Role.ACCOUNT_MANAGER, totp_secret=staff_secret)
    return {
        "maria": maria,
        "marco": marco,
        "alice": make_user("alice", manager=maria),
        "bob": make_user("bob", manager=marco),
        "cleo": make_user("cleo"),
        "sam": make_user("sam", role=Role.SUPPORT_AGENT, totp_secret=staff_secret),
        "priya": make_user("priya", role=Role.PRIVACY_OFFICER, totp_secret=staff_secret),
        "admin": make_user("admin", role=Role.ADMINISTRATOR, totp_secret=staff_secret),
    }


def _names(users: Any) -> list[str]:
    return sorted(user.username for user in users)


@pytest.mark.commitment("C37")
def test_an_account_manager_sees_only_their_assigned_customers(people: dict[str, User]) -> None:
    assert _names(customers_visible_to(people["maria"])) == ["alice"]
    assert _names(customers_visible_to(people["marco"])) == ["bob"]
    assert not can_see_customer(people["maria"], people["bob"])
    assert not can_see_customer(people["maria"], people["cleo"])


@pytest.mark.commitment("C37")
def test_a_support_agent_sees_no_customers(people: dict[str, User]) -> None:
    visible = customers_visible_to(people["sam"])
    assert visible.count() == 0
    assert list(visible) == []
    assert not can_see_customer(people["sam"], people["alice"])


@pytest.mark.commitment("C37")
def test_privacy_officer_and_administrator_see_every_customer(people: dict[str, User]) -> None:
    for who in ("priya", "admin"):
        assert _names(customers_visible_to(people[who])) == ["alice", "bob", "cleo"]


@pytest.mark.commitment("C37")
def test_a_customer_sees_only_themselves_and_the_logged_out_nobody(people: dict[str, User]) -> None:
    assert _names(customers_visible_to(people["alice"])) == ["alice"]
    assert list(customers_visible_to(AnonymousUser())) == []
    assert list(customers_visible_to(None)) == []


@pytest.mark.commitment("C37")
def test_a_deactivated_manager_sees_nothing(people: dict[str, User]) -> None:
    maria = people["maria"]
    maria.is_active = False
    maria.save(update_fields=["is_active"])
    assert list(customers_visible_to(maria)) == []
    assert not is_account_manager(maria)


def test_role_predicates(people: dict[str, User]) -> None:
    assert [is_staff_member(people[n]) for n in ("alice", "maria", "sam", "priya", "admin")] == [
        False,
        True,
        True,
        True,
        True,
    ]
    assert is_support_agent(people["sam"])
    assert not is_support_agent(people["maria"])
    assert not is_staff_member(AnonymousUser())


# --- role_required ----------------------------------------------------------------------


@access.role_required(Role.ACCOUNT_MANAGER)
def _manager_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(", ".join(_names(customers_visible_to(request.user))))


def _request(user: Any, *, second_factor_done: bool) -> HttpRequest:
    request = RequestFactory().get("/manager/")
    request.session = SessionStore()
    request.user = user
    if second_factor_done:
        request.session[access.SECOND_FACTOR_AT] = timezone.now().isoformat()
    return request


@pytest.mark.commitment("C37")
def test_role_required_lets_in_the_role_with_its_second_factor(people: dict[str, User]) -> None:
    response = _manager_page(_request(people["maria"], second_factor_done=True))
    assert (response.status_code, response.content) == (200, b"alice")


@pytest.mark.commitment("C37")
def test_role_required_refuses_other_roles_and_shows_nothing(people: dict[str, User]) -> None:
    for who in ("sam", "alice", "priya"):
        with pytest.raises(PermissionDenied):
            _manager_page(_request(people[who], second_factor_done=True))


@pytest.mark.commitment("C37")
def test_role_required_ends_a_staff_session_without_the_second_factor(people: dict[str, User]) -> None:
    response = _manager_page(_request(people["maria"], second_factor_done=False))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert b"alice" not in response.content


def test_role_required_sends_the_logged_out_to_log_in() -> None:
    response = _manager_page(_request(AnonymousUser(), second_factor_done=False))
    assert (response.status_code, response["Location"]) == (302, "/account/login/?next=/manager/")


def test_the_testing_helpers_give_a_full_staff_session(db: None) -> None:
    from accounts.testing import logged_in_client, make_account

    manager = make_account(Role.ACCOUNT_MANAGER)
    customer = make_account(manager=manager)
    client = logged_in_client(manager)
    assert client.get(reverse("accounts:account")).status_code == 200
    assert [u.pk for u in customers_visible_to(manager)] == [customer.pk]
