"""The HTTP side of logging in: sessions, the staff second factor, and view guards.

A staff member's session starts only after the TOTP code: between the password and the
code the session holds just a pending account id for PENDING_TTL. `role_required` (for
function views), `RoleRequiredMixin` (class views) and `RoleAuth` (django-ninja routes)
check the role *and* that a staff session passed the second factor; a staff session that
did not (one opened some other way, or a customer promoted while logged in) is ended.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any, ClassVar, TypeVar, cast

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja.security import SessionAuth

from accounts.models import User
from accounts.queries import has_role, is_staff_member

BACKEND = "accounts.backends.AccountBackend"
PENDING_USER = "accounts.pending_user"
PENDING_SINCE = "accounts.pending_since"
SECOND_FACTOR_AT = "accounts.second_factor_at"
PENDING_TTL = dt.timedelta(minutes=5)

View = TypeVar("View", bound=Callable[..., HttpResponse])


def client_ip(request: HttpRequest) -> str | None:
    """The visitor's address: the trusted proxy header when one is configured (the same
    setting the consent and request-log code read), else the peer address."""
    header = getattr(settings, "PLEDGE_CONSENT_CLIENT_IP_HEADER", None)
    raw = (request.META.get(header, "") if header else "") or request.META.get("REMOTE_ADDR", "")
    address = str(raw).split(",", 1)[0].strip()
    return address or None


def base_url(request: HttpRequest) -> str:
    """Scheme and host for links in e-mails, from Django's validated host."""
    return f"{request.scheme}://{request.get_host()}"


def start_session(request: HttpRequest, user: User, *, second_factor: bool) -> None:
    """Log `user` in; staff only with `second_factor=True` (their code was just checked)."""
    if user.has_staff_role and not second_factor:
        raise PermissionDenied("staff sessions start only after the second factor")
    request.session.pop(PENDING_USER, None)
    request.session.pop(PENDING_SINCE, None)
    login(request, user, backend=BACKEND)
    if second_factor:
        request.session[SECOND_FACTOR_AT] = timezone.now().isoformat()


def hold_for_second_factor(request: HttpRequest, user: User) -> None:
    """Remember, for a few minutes, whose password was right; nobody is logged in yet."""
    if request.user.is_authenticated:
        logout(request)
    request.session.cycle_key()
    request.session[PENDING_USER] = str(user.pk)
    request.session[PENDING_SINCE] = timezone.now().isoformat()


def pending_user(request: HttpRequest) -> User | None:
    """The staff member half-way through logging in, if it was less than PENDING_TTL ago."""
    pk, since = request.session.get(PENDING_USER), request.session.get(PENDING_SINCE)
    if not (isinstance(pk, str) and isinstance(since, str)):
        return None
    try:
        started = dt.datetime.fromisoformat(since)
    except ValueError:
        return None
    if timezone.now() - started > PENDING_TTL:
        request.session.pop(PENDING_USER, None)
        request.session.pop(PENDING_SINCE, None)
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


def second_factor_satisfied(request: HttpRequest) -> bool:
    """True for a customer, and for staff whose session began with a TOTP code."""
    user = request.user
    if not user.is_authenticated:
        return False
    if not is_staff_member(user):
        return True
    return isinstance(request.session.get(SECOND_FACTOR_AT), str)


def _guard(request: HttpRequest, roles: tuple[str, ...]) -> HttpResponse | None:
    """None when the request may go on; otherwise the response that stops it."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not second_factor_satisfied(request):
        logout(request)
        return redirect_to_login(request.get_full_path())
    if not has_role(request.user, *roles):
        raise PermissionDenied("this page is not for your role")
    return None


def role_required(*roles: str) -> Callable[[View], View]:
    """Let in only these roles (staff only after their second factor).

    A logged-out visitor is sent to log in; a logged-in person of another role gets 403.
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            stop = _guard(request, roles)
            return stop if stop is not None else view(request, *args, **kwargs)

        return cast(View, guarded)

    return decorate


class RoleRequiredMixin:
    """For class-based views: set `allowed_roles`."""

    allowed_roles: ClassVar[tuple[str, ...]] = ()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        stop = _guard(request, self.allowed_roles)
        if stop is not None:
            return stop
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class RoleAuth(SessionAuth):
    """django-ninja auth: a session of one of `roles` (staff with their second factor).

    CSRF is checked, as for every session-authenticated ninja route. Use as
    `@router.get("/x", auth=RoleAuth(Role.ACCOUNT_MANAGER))`; `RoleAuth()` lets in any
    logged-in person.
    """

    def __init__(self, *roles: str) -> None:
        super().__init__()
        self.roles = roles

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if not user.is_authenticated or not second_factor_satisfied(request):
            return None
        if self.roles and not has_role(user, *self.roles):
            return None
        return user
