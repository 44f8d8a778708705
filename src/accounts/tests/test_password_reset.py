"""Password reset by e-mail: only to the account's own address, never revealing whether an
account exists, and it lifts a log-in wait."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import actions
from accounts.actions import LoginOutcome
from accounts.models import LoginThrottle, User
from accounts.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

LINK = re.compile(r"http://testserver(/account/password-reset/[^\s]+/)")
NEW_PASSWORD = "a brand new passphrase"


def _ask(client: Client, identifier: str, capture: Any) -> Any:
    with capture(execute=True):
        return client.post(reverse("accounts:password_reset"), {"identifier": identifier})


def test_the_answer_is_the_same_whether_or_not_the_account_exists(
    client: Client, make_user: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_user("mia", email="mia@example.com")

    known = _ask(client, "mia@example.com", django_capture_on_commit_callbacks)
    unknown = _ask(client, "nobody@example.com", django_capture_on_commit_callbacks)

    assert (known.status_code, known["Location"]) == (302, reverse("accounts:password_reset_done"))
    assert (unknown.status_code, unknown["Location"]) == (302, reverse("accounts:password_reset_done"))
    assert [m["To"] for m in smtp_server.messages] == ["mia@example.com"]


def test_the_link_goes_only_to_the_accounts_own_address(
    client: Client, make_user: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Asked for by username: the e-mail goes to the address on the account, nowhere else.
    make_user("noa", email="noa@example.com")
    _ask(client, "NOA", django_capture_on_commit_callbacks)
    [message] = smtp_server.messages
    assert message["To"] == "noa@example.com"
    assert message["Subject"] == "Reset your SogaWorks password"


def test_reset_sets_the_password_once_and_clears_the_log_in_wait(
    client: Client, make_user: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Given an owner locked out for a minute by five failures
    user = make_user("oli", email="oli@example.com")
    now = timezone.now()
    for _ in range(5):
        actions.attempt_login(identifier="oli", password="wrong password!", ip_address="192.0.2.3", now=now)
    assert actions.attempt_login(identifier="oli", password=PASSWORD, ip_address=None, now=now).outcome == (
        LoginOutcome.BLOCKED
    )

    # When they reset their password from the e-mailed link
    _ask(client, "oli@example.com", django_capture_on_commit_callbacks)
    path = LINK.search(smtp_server.messages[0].get_payload()).group(1)  # type: ignore[union-attr]
    form_page = client.get(path, follow=True)
    assert form_page.context["validlink"] is True
    set_password_url = form_page.redirect_chain[-1][0]
    response = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    # Then the new password works at once, the old one does not, and the link is spent
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_complete")
    assert not LoginThrottle.objects.filter(scope="account").exists()
    fresh = User.objects.get(pk=user.pk)
    assert fresh.check_password(NEW_PASSWORD)
    assert not fresh.check_password(PASSWORD)
    assert actions.attempt_login(
        identifier="oli", password=NEW_PASSWORD, ip_address=None, now=now
    ).outcome == (LoginOutcome.OK)
    reused = client.get(path, follow=True)
    assert reused.context["validlink"] is False


def test_a_weak_new_password_is_refused_with_the_validators_messages(
    client: Client, make_user: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    user = make_user("pia", email="pia@example.com")
    _ask(client, "pia", django_capture_on_commit_callbacks)
    path = LINK.search(smtp_server.messages[0].get_payload()).group(1)  # type: ignore[union-attr]
    set_password_url = client.get(path, follow=True).redirect_chain[-1][0]
    response = client.post(set_password_url, {"new_password1": "password", "new_password2": "password"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "new_password2": [
            "This password is too short. It must contain at least 10 characters.",
            "This password is too common.",
        ]
    }
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)
