"""Change of e-mail address: the link goes to the new address, the old one is told, and
nothing changes until the link is used."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts import actions, tokens
from accounts.models import User
from accounts.tests.conftest import BASE_URL, PASSWORD

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

LINK = re.compile(r"http://testserver(/account/email/confirm/[^\s]+/)")


def _request_change(client: Client, new: str, capture: Any, password: str = PASSWORD) -> Any:
    with capture(execute=True):
        return client.post(reverse("accounts:change_email"), {"email": new, "current_password": password})


def test_the_change_applies_only_when_the_new_address_confirms(
    client: Client, make_user: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Given a logged-in customer
    user = make_user("quinn", email="quinn@old.example")
    client.force_login(user)

    # When they ask to move to a new address
    response = _request_change(client, "Quinn@New.example", django_capture_on_commit_callbacks)

    # Then the new address gets the link, the old one a notice naming the new one only masked
    assert response.status_code == 302
    to_new, notice = smtp_server.to("Quinn@New.example"), smtp_server.to("quinn@old.example")
    assert [m["Subject"] for m in to_new] == ["Confirm your new e-mail address for SogaWorks"]
    assert [m["Subject"] for m in notice] == ["A change of your SogaWorks e-mail address was requested"]
    assert "Q•••@New.example" in notice[0].get_payload()
    assert "Quinn@New.example" not in notice[0].get_payload()
    # ... and the account still uses, and logs in with, the old address
    waiting = User.objects.get(pk=user.pk)
    assert (waiting.email, waiting.pending_email) == ("quinn@old.example", "Quinn@New.example")
    assert User.objects.find("quinn@new.example") is None

    # When the link is used
    path = LINK.search(to_new[0].get_payload()).group(1)  # type: ignore[union-attr]
    assert client.post(path).status_code == 302

    # Then the new address is the account's, confirmed, and found in any case; the old is gone
    changed = User.objects.get(pk=user.pk)
    assert (changed.email, changed.pending_email, changed.email_verified) == ("Quinn@New.example", None, True)
    assert User.objects.find("quinn@new.example") == changed
    assert User.objects.find("quinn@old.example") is None
    assert client.post(path).status_code == 400  # single use


def test_the_current_password_is_needed(
    client: Client, make_user: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    user = make_user("rae")
    client.force_login(user)
    response = _request_change(
        client, "rae@new.example", django_capture_on_commit_callbacks, password="wrong pw!"
    )
    assert response.status_code == 400
    assert response.context["email_form"].errors == {
        "current_password": ["Your current password was entered incorrectly."]
    }
    assert smtp_server.messages == []
    assert User.objects.get(pk=user.pk).pending_email is None


def test_an_address_of_another_account_is_not_revealed_and_not_taken(
    client: Client, make_user: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_user("sid", email="sid@example.com")
    user = make_user("tom", email="tom@example.com")
    client.force_login(user)

    response = _request_change(client, "SID@example.com", django_capture_on_commit_callbacks)

    assert response.status_code == 302  # the same answer as for a free address
    assert User.objects.get(pk=user.pk).pending_email is None
    assert [m["Subject"] for m in smtp_server.to("sid@example.com")] == ["Your e-mail address and SogaWorks"]
    assert [m["Subject"] for m in smtp_server.to("tom@example.com")] == [
        "A change of your SogaWorks e-mail address was requested"
    ]


def test_a_newer_request_makes_the_older_link_stale(
    make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    user = make_user("uma")
    actions.change_email_request(
        user=user, new_email="uma1@example.com", current_password=PASSWORD, base_url=BASE_URL
    )
    first = tokens.make_token(
        purpose=tokens.CHANGE_EMAIL,
        user_pk=user.pk,
        state=f"uma1@example.com|{user.pending_email_requested_at.isoformat()}",
    )
    actions.change_email_request(
        user=user, new_email="uma2@example.com", current_password=PASSWORD, base_url=BASE_URL
    )
    with pytest.raises(tokens.InvalidToken):
        actions.confirm_email_change(token=first)
    assert User.objects.get(pk=user.pk).email == "uma@example.com"


def test_the_same_address_is_refused(make_user: Any) -> None:
    user = make_user("vic")
    with pytest.raises(ValidationError) as refused:
        actions.change_email_request(
            user=user, new_email="VIC@example.com", current_password=PASSWORD, base_url=BASE_URL
        )
    assert refused.value.message_dict == {"email": ["That is already your e-mail address."]}
