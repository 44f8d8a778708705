"""The accounts JSON API at /api/accounts/: the same actions as the pages.

Session based, like the site: `GET csrf` sets the CSRF cookie and returns the token,
which every POST sends back in the `X-CSRFToken` header (log-in and registration
included, against log-in CSRF). Staff log in with `code`, their current TOTP code, and
must have enrolled on the website first.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.middleware.csrf import get_token
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.utils import check_csrf
from pydantic import Field

from accounts import access, actions, tokens
from accounts.models import User

router = Router(tags=["accounts"])


class Message(Schema):
    detail: str


class FieldErrors(Schema):
    detail: str
    errors: dict[str, list[str]]


class Csrf(Schema):
    csrf_token: str


class Me(Schema):
    username: str
    email: str
    email_verified: bool
    pending_email: str | None
    role: str
    date_joined: dt.datetime
    second_factor_enrolled: bool


class RegisterIn(Schema):
    username: str = Field(max_length=30)
    email: str = Field(max_length=254)
    password: str = Field(max_length=4096)
    date_of_birth: dt.date
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2")


class LoginIn(Schema):
    identifier: str = Field(max_length=254, description="username or e-mail address")
    password: str = Field(max_length=4096)
    code: str | None = Field(default=None, max_length=12, description="staff: the current TOTP code")


class TokenIn(Schema):
    token: str = Field(max_length=500)


class ChangeEmailIn(Schema):
    email: str = Field(max_length=254)
    current_password: str = Field(max_length=4096)


class ResetIn(Schema):
    identifier: str = Field(max_length=254)


REGISTERED = "If the details were new, your account is ready: confirm your address from the e-mail we sent."
RESET_SENT = "If an account matches, we have sent a link to its e-mail address."


def _require_csrf(request: HttpRequest) -> None:
    if check_csrf(request) is not None:
        raise HttpError(403, "CSRF check failed: send the X-CSRFToken header (GET /api/accounts/csrf).")


def _errors(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {field: list(messages) for field, messages in error.message_dict.items()}
    return {"__all__": list(error.messages)}


def _me(user: User) -> Me:
    return Me(
        username=user.username,
        email=user.email,
        email_verified=user.email_verified,
        pending_email=user.pending_email or None,
        role=user.role,
        date_joined=user.date_joined,
        second_factor_enrolled=user.second_factor_enrolled,
    )


@router.get("/csrf", response=Csrf, auth=None)
def csrf(request: HttpRequest) -> Csrf:
    return Csrf(csrf_token=get_token(request))


@router.get("/me", response={200: Me}, auth=access.RoleAuth())
def me(request: HttpRequest) -> Me:
    user = request.user
    assert isinstance(user, User)
    return _me(user)


@router.post("/register", response={202: Message, 403: Message, 422: FieldErrors}, auth=None)
def register(request: HttpRequest, data: RegisterIn) -> tuple[int, Message | FieldErrors]:
    _require_csrf(request)
    try:
        actions.register_customer(
            username=data.username,
            email=data.email,
            password=data.password,
            date_of_birth=data.date_of_birth,
            country=data.country,
            ip_address=access.client_ip(request),
            base_url=access.base_url(request),
        )
    except actions.UnderMinimumAge:
        request.skip_request_log = True  # type: ignore[attr-defined]  # C39: not even the request log
        return 403, Message(detail="Sorry, you cannot have an account yet. We kept nothing of what you sent.")
    except ValidationError as error:
        return 422, FieldErrors(detail="Please correct the fields named.", errors=_errors(error))
    return 202, Message(detail=REGISTERED)


@router.post("/login", response={200: Me, 401: Message, 429: Message}, auth=None)
def login(request: HttpRequest, data: LoginIn) -> tuple[int, Me | Message]:
    _require_csrf(request)
    ip = access.client_ip(request)
    result = actions.attempt_login(identifier=data.identifier, password=data.password, ip_address=ip)
    if result.outcome == actions.LoginOutcome.SECOND_FACTOR and result.user is not None:
        if not data.code:
            return 401, Message(detail="Second factor required: send `code`, your current TOTP code.")
        result = actions.verify_second_factor(user=result.user, code=data.code, ip_address=ip)
        if result.outcome == actions.LoginOutcome.OK and result.user is not None:
            access.start_session(request, result.user, second_factor=True)
            return 200, _me(result.user)
    if result.outcome == actions.LoginOutcome.ENROL_SECOND_FACTOR:
        return 401, Message(detail="Enrol your second factor on the website log-in page first.")
    if result.outcome == actions.LoginOutcome.OK and result.user is not None:
        access.start_session(request, result.user, second_factor=False)
        return 200, _me(result.user)
    if result.outcome == actions.LoginOutcome.BLOCKED:
        return 429, Message(detail=f"Too many attempts: retry in {result.retry_after_minutes} minute(s).")
    return 401, Message(detail="Those details do not match an account.")


@router.post("/logout", response={200: Message}, auth=access.RoleAuth())
def logout_endpoint(request: HttpRequest) -> Message:
    logout(request)
    return Message(detail="Logged out.")


@router.post("/verify-email", response={200: Message, 400: Message}, auth=None)
def verify_email(request: HttpRequest, data: TokenIn) -> tuple[int, Message]:
    _require_csrf(request)
    try:
        actions.confirm_email(token=data.token)
    except tokens.InvalidToken:
        return 400, Message(detail="This link has expired or was already used.")
    return 200, Message(detail="E-mail address confirmed.")


@router.post("/password-reset", response={202: Message}, auth=None)
def password_reset(request: HttpRequest, data: ResetIn) -> tuple[int, Message]:
    _require_csrf(request)
    actions.request_password_reset(identifier=data.identifier, base_url=access.base_url(request))
    return 202, Message(detail=RESET_SENT)


@router.post("/email", response={202: Message, 422: FieldErrors}, auth=access.RoleAuth())
def change_email(request: HttpRequest, data: ChangeEmailIn) -> tuple[int, Message | FieldErrors]:
    user = request.user
    assert isinstance(user, User)
    try:
        actions.change_email_request(
            user=user,
            new_email=data.email,
            current_password=data.current_password,
            base_url=access.base_url(request),
        )
    except ValidationError as error:
        return 422, FieldErrors(detail="Please correct the fields named.", errors=_errors(error))
    return 202, Message(detail="We have sent a confirmation link to the new address.")


@router.post("/email/confirm", response={200: Message, 400: Message}, auth=None)
def confirm_email_change(request: HttpRequest, data: TokenIn) -> tuple[int, Message]:
    _require_csrf(request)
    try:
        actions.confirm_email_change(token=data.token)
    except tokens.InvalidToken:
        return 400, Message(detail="This link has expired or was already used.")
    return 200, Message(detail="Your new e-mail address is confirmed and now in use.")
