"""Demo accounts for `make run`: two customers and one member of staff per role.

DEMO ONLY. The passwords and the staff TOTP secrets below are public (they are in this
file and printed at start-up) so that anyone trying the site can log in; the function
refuses to run in production. Each staff member's secret can be added to an
authenticator app by hand, or the current code read with `describe_demo_accounts()`.

Idempotent: an account that exists (by username) is left as it is, apart from the
first customer's account manager, which is set again.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from accounts import second_factor
from accounts.models import Role, User


def _demo_secret(username: str) -> str:
    """A fixed base32 secret per demo user: 32 letters (the usernames are letters only)."""
    return (username.upper() + "DEMOSECRETPLEDGE" * 2)[:32]


# (role, username, e-mail, password)
DEMO_ACCOUNTS: tuple[tuple[str, str, str, str], ...] = (
    (Role.CUSTOMER, "alice", "alice@example.com", "demo-alice-2026"),
    (Role.CUSTOMER, "bob", "bob@example.com", "demo-bob-2026"),
    (Role.ACCOUNT_MANAGER, "maria", "maria@sogaworks.example", "demo-maria-2026"),
    (Role.SUPPORT_AGENT, "sam", "sam@sogaworks.example", "demo-sam-2026"),
    (Role.PRIVACY_OFFICER, "priya", "priya@sogaworks.example", "demo-priya-2026"),
    (Role.ADMINISTRATOR, "admin", "admin@sogaworks.example", "demo-admin-2026"),
)
DEMO_TOTP_SECRETS: dict[str, str] = {
    username: _demo_secret(username)
    for role, username, _email, _password in DEMO_ACCOUNTS
    if role != Role.CUSTOMER
}
DEMO_MANAGER_OF = {"alice": "maria"}  # the first customer is assigned to the account manager


def create_demo_accounts() -> list[tuple[str, str, str]]:
    """Create the demo accounts if missing; returns (role, username, password) for each."""
    if getattr(settings, "PRODUCTION", False):
        raise ImproperlyConfigured("Demo accounts have public passwords and are never created in production.")
    now = timezone.now()
    created: dict[str, User] = {}
    with transaction.atomic():
        for role, username, email, password in DEMO_ACCOUNTS:
            user = User.objects.find(username)
            if user is None:
                extra: dict[str, object] = {"role": role, "email_verified_at": now}
                if role == Role.CUSTOMER:
                    extra["age_checked_at"], extra["minimum_age_applied"] = now, 14
                else:
                    extra["totp_secret"], extra["totp_confirmed_at"] = DEMO_TOTP_SECRETS[username], now
                if role == Role.ADMINISTRATOR:
                    extra["is_superuser"] = True
                user = User.objects.create_user(username, email, password, **extra)
            created[username] = user
        for customer, manager in DEMO_MANAGER_OF.items():
            if created[customer].account_manager_id != created[manager].pk:
                created[customer].account_manager = created[manager]
                created[customer].save(update_fields=["account_manager"])
    return [(str(role), username, password) for role, username, _email, password in DEMO_ACCOUNTS]


def describe_demo_accounts(accounts: list[tuple[str, str, str]], *, when: dt.datetime | None = None) -> str:
    """Lines to print at start-up: each log-in, and each staff member's TOTP secret and current code."""
    when = when or timezone.now()
    lines = ["Demo log-ins (DEMO ONLY: public passwords and TOTP secrets):"]
    for role, username, password in accounts:
        line = f"  {role:<16} {username:<8} password {password}"
        secret = DEMO_TOTP_SECRETS.get(username)
        if secret:
            code = second_factor.code_at(secret=secret, when=when)
            line += f"  TOTP secret {secret} (code now {code})"
        lines.append(line)
    return "\n".join(lines)
