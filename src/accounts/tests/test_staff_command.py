"""`pledge staff`: add staff, change roles, assign managers, remove a lost factor."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Role, User
from accounts.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def test_add_assign_and_reset(monkeypatch: pytest.MonkeyPatch, make_user: Any, staff_secret: str) -> None:
    boss = make_user("boss", role=Role.ADMINISTRATOR, totp_secret=staff_secret)
    customer = make_user("carla")
    monkeypatch.setattr("getpass.getpass", lambda prompt="": PASSWORD)

    call_command(
        "staff", "add", "--role", "account_manager", "--username", "mona", "--email", "mona@example.com"
    )
    mona = User.objects.get_by_natural_key("mona")
    assert (mona.role, mona.second_factor_enrolled) == (Role.ACCOUNT_MANAGER, False)

    call_command("staff", "--actor", "boss", "assign", "carla", "mona")
    assert User.objects.get(pk=customer.pk).account_manager == mona

    call_command("staff", "--actor", "boss", "reset-2fa", "boss")
    assert not User.objects.get(pk=boss.pk).second_factor_enrolled


def test_changes_need_an_acting_administrator(make_user: Any) -> None:
    make_user("carla")
    with pytest.raises(CommandError, match="--actor"):
        call_command("staff", "role", "carla", "support_agent")
    assert User.objects.get_by_natural_key("carla").role == Role.CUSTOMER
