"""`pledge createsuperuser` and the admin site work with encrypted usernames and addresses."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import second_factor
from accounts.models import Role, User
from accounts.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def test_createsuperuser_makes_an_administrator_found_by_either_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", interactive=False, username="Root", email="root@example.com", verbosity=0)

    user = User.objects.get_by_natural_key("root@EXAMPLE.com")
    assert (user.username, user.role, user.is_superuser, user.is_staff) == (
        "Root",
        Role.ADMINISTRATOR,
        True,
        True,
    )
    assert user.check_password(PASSWORD)
    assert not user.second_factor_enrolled  # enrolled at the first log-in


def test_a_username_differing_only_in_case_is_refused_by_the_blind_index(
    monkeypatch: pytest.MonkeyPatch, make_user: Any
) -> None:
    # The interactive command asks again (it looks the name up with get_by_natural_key);
    # the non-interactive one meets the unique blind index.
    make_user("root")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    with pytest.raises(IntegrityError, match="username_index"), transaction.atomic():
        call_command(
            "createsuperuser", interactive=False, username="ROOT", email="r2@example.com", verbosity=0
        )
    assert User.objects.count() == 1


def _admin_client(make_user: Any, staff_secret: str) -> Client:
    make_user("boss", role=Role.ADMINISTRATOR, totp_secret=staff_secret)
    client = Client()
    client.post(reverse("accounts:login"), {"identifier": "boss", "password": PASSWORD})
    code = second_factor.code_at(secret=staff_secret, when=timezone.now())
    client.post(reverse("accounts:second_factor"), {"code": code})
    return client


def test_admin_search_finds_an_exact_name_or_address_through_the_blind_index(
    make_user: Any, staff_secret: str
) -> None:
    client = _admin_client(make_user, staff_secret)
    alice = make_user("alice", email="alice@example.com")
    make_user("alina")

    found = client.get("/admin/accounts/user/", {"q": "ALICE@example.com"})

    assert found.status_code == 200
    assert [user.pk for user in found.context["cl"].result_list] == [alice.pk]
    page = client.get(f"/admin/accounts/user/{alice.pk}/change/")
    assert page.status_code == 200
    assert "alice@example.com" in page.content.decode()


def test_admin_cannot_add_or_delete_accounts(make_user: Any, staff_secret: str) -> None:
    client = _admin_client(make_user, staff_secret)
    customer = make_user("carol")
    assert client.get("/admin/accounts/user/add/").status_code == 403
    assert client.get(f"/admin/accounts/user/{customer.pk}/delete/").status_code == 403
    assert User.objects.filter(pk=customer.pk).exists()


def test_changing_a_managers_role_in_the_admin_unassigns_their_customers(
    make_user: Any, staff_secret: str
) -> None:
    client = _admin_client(make_user, staff_secret)
    maria = make_user("maria", role=Role.ACCOUNT_MANAGER, totp_secret=staff_secret)
    alice = make_user("alice", manager=maria)
    form = {"role": Role.SUPPORT_AGENT, "account_manager": "", "is_active": "on"}

    response = client.post(f"/admin/accounts/user/{maria.pk}/change/", form)

    assert response.status_code == 302
    assert User.objects.get(pk=maria.pk).role == Role.SUPPORT_AGENT
    assert User.objects.get(pk=alice.pk).account_manager is None
