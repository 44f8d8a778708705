"""The authentication backend: log-in by username or e-mail address through blind indexes.

Django's ModelBackend already finds the account with the manager's
`get_by_natural_key`, which here looks up the username's or the address's blind index.
What this backend adds is a refusal: it never authenticates staff. Staff log in only
through `accounts.actions.attempt_login` and the TOTP step, so no other path that calls
`django.contrib.auth.authenticate()` (the admin's own log-in form, a test client's
`login()`, a future API authentication) can open a staff session without the second
factor. Sessions of every role are still restored by `get_user`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from accounts.models import User


class AccountBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if isinstance(user, User) and not user.has_staff_role:
            return user
        return None
