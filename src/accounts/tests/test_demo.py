"""The demo accounts: one per role need, idempotent, staff with fixed demo TOTP secrets."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts import actions, second_factor
from accounts.actions import LoginOutcome
from accounts.demo import DEMO_TOTP_SECRETS, create_demo_accounts, describe_demo_accounts
from accounts.models import User
from accounts.queries import customers_visible_to

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def test_demo_accounts_are_created_once_and_work() -> None:
    first = create_demo_accounts()
    second = create_demo_accounts()

    assert first == second
    assert [(role, username) for role, username, _ in first] == [
        ("customer", "alice"),
        ("customer", "bob"),
        ("account_manager", "maria"),
        ("support_agent", "sam"),
        ("privacy_officer", "priya"),
        ("administrator", "admin"),
    ]
    assert User.objects.count() == 6
    maria = User.objects.get_by_natural_key("maria")
    assert [u.username for u in customers_visible_to(maria)] == ["alice"]

    # A customer logs in with the printed password; staff with theirs and the demo code.
    _role, username, password = first[0]
    assert (
        actions.attempt_login(identifier=username, password=password, ip_address=None).outcome
        == LoginOutcome.OK
    )
    _, staff, staff_password = first[2]
    step = actions.attempt_login(identifier=staff, password=staff_password, ip_address=None)
    assert step.outcome == LoginOutcome.SECOND_FACTOR
    assert step.user is not None
    now = timezone.now()
    code = second_factor.code_at(secret=DEMO_TOTP_SECRETS[staff], when=now)
    assert (
        actions.verify_second_factor(user=step.user, code=code, ip_address=None, now=now).outcome
        == LoginOutcome.OK
    )


def test_the_printout_names_each_log_in_and_each_staff_secret() -> None:
    text = describe_demo_accounts(create_demo_accounts())
    assert text.startswith("Demo log-ins (DEMO ONLY")
    assert "alice" in text
    assert "demo-alice-2026" in text
    for secret in DEMO_TOTP_SECRETS.values():
        assert secret in text
    assert len(DEMO_TOTP_SECRETS) == 4


def test_demo_accounts_are_refused_in_production(settings: object) -> None:
    from django.core.exceptions import ImproperlyConfigured

    settings.PRODUCTION = True  # type: ignore[attr-defined]
    with pytest.raises(ImproperlyConfigured):
        create_demo_accounts()
