"""The e-mail confirmation link: signed, expiring, single-use, sent over real SMTP."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from accounts import actions, emails, tokens
from accounts.models import User
from accounts.tests.conftest import ADULT_BIRTHDAY, BASE_URL, PASSWORD

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

LINK = re.compile(r"http://testserver(/account/[^\s]+/)")


def _register(capture: Any) -> User:
    with capture(execute=True):
        user = actions.register_customer(
            username="grace",
            email="grace@example.com",
            password=PASSWORD,
            date_of_birth=ADULT_BIRTHDAY,
            country="US",
            ip_address="198.51.100.7",
            base_url=BASE_URL,
        )
    assert user is not None
    return user


def _link(message: Any) -> str:
    found = LINK.search(message.get_payload())
    assert found is not None
    return found.group(1)


def test_registration_sends_a_confirmation_link_that_works_once(
    client: Client, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Given a new account
    user = _register(django_capture_on_commit_callbacks)

    # Then one e-mail went to its address, with a link that names no address
    [message] = smtp_server.messages
    assert message["To"] == "grace@example.com"
    assert message["Subject"] == "Confirm your e-mail address for SogaWorks"
    path = _link(message)
    assert "grace" not in path
    assert user.email_verified_at is None

    # When the link is opened (GET shows a button; the POST confirms)
    assert client.get(path).status_code == 200
    assert User.objects.get(pk=user.pk).email_verified_at is None
    response = client.post(path)

    # Then the address is confirmed, and the same link does not work again
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).email_verified_at is not None
    again = client.post(path)
    assert again.status_code == 400
    assert b"This link no longer works" in again.content


def test_a_tampered_or_expired_confirmation_link_is_refused(
    smtp_server: Any, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = _register(django_capture_on_commit_callbacks)
    token = _link(smtp_server.messages[0]).rstrip("/").rsplit("/", 1)[1]

    # A changed character, or a token of another purpose, is refused.
    with pytest.raises(tokens.InvalidToken):
        actions.confirm_email(token=token[:-1] + ("A" if token[-1] != "A" else "B"))
    with pytest.raises(tokens.InvalidToken):
        actions.confirm_email_change(token=token)

    # A link made three days and one second ago has expired.
    made_then = signing.b62_encode(int(time.time()) - 3 * 86400 - 1)
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda self: made_then)
    old = tokens.make_token(
        purpose=tokens.VERIFY_EMAIL, user_pk=user.pk, state=emails.verification_state(user)
    )
    monkeypatch.undo()
    with pytest.raises(tokens.InvalidToken):
        actions.confirm_email(token=old)
    assert User.objects.get(pk=user.pk).email_verified_at is None


def test_an_unverified_account_can_log_in_and_is_reminded(client: Client, make_user: Any) -> None:
    make_user("henry")
    response = client.post(
        reverse("accounts:login"), {"identifier": "henry", "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please confirm your e-mail address" in page
    assert "Send the link again" in page


def test_asking_again_sends_a_new_link(
    client: Client, make_user: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    user = make_user("iris")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:resend_verification"))
    assert response.status_code == 302
    [message] = smtp_server.to("iris@example.com")
    assert client.post(_link(message)).status_code == 302
    assert User.objects.get(pk=user.pk).email_verified
