"""The account pages. HTTP only: parse, call one action or query, render.

Registration, confirmation, log-in and log-out, password reset, the account page with
its changes of address and password, and the staff second factor (enrolment and
challenge). See access.py for how a staff session waits for its code.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts import access, actions, second_factor, tokens
from accounts.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    CodeForm,
    LoginForm,
    PasswordResetRequestForm,
    RegistrationForm,
    add_action_errors,
)
from accounts.geo import country_from_ip
from accounts.models import Role, User
from privacy.api import may_process

NEXT = "accounts.next"
# The declaration's purpose that greeting and personalising serve (C3: "welcome you back").
PERSONALISE = "administer_account"
ANY_ROLE = tuple(Role.values)


def _safe_next(request: HttpRequest, candidate: object) -> str | None:
    if isinstance(candidate, str) and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def greets_by_name(user: User) -> bool:
    """Whether the Services may personalise for this account now: not while its processing is
    restricted or after an upheld objection (C32, C34); the greeting is then impersonal."""
    return may_process(user.subject_id, PERSONALISE)


def _welcome(request: HttpRequest, user: User) -> HttpResponseRedirect:
    """After log-in: greet by username (C3), remind of an unconfirmed address, go on."""
    if greets_by_name(user):
        messages.success(request, _("Welcome back, %(username)s.") % {"username": user.username})
    else:
        messages.success(request, _("Welcome back."))
    if not user.email_verified:
        messages.info(request, _("Please confirm your e-mail address: open the link we sent you."))
    target = _safe_next(request, request.session.pop(NEXT, None)) or reverse("accounts:account")
    return HttpResponseRedirect(target)


def _wait_message(result: actions.LoginResult) -> str:
    minutes = result.retry_after_minutes
    return ngettext(
        "Too many attempts. Please wait %(minutes)d minute and try again, or reset your password.",
        "Too many attempts. Please wait %(minutes)d minutes and try again, or reset your password.",
        minutes,
    ) % {"minutes": minutes}


# --- Registration -----------------------------------------------------------------------


@never_cache
@sensitive_post_parameters("password", "date_of_birth")
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:account")
    if request.method != "POST":
        form = RegistrationForm(initial={"country": country_from_ip(access.client_ip(request)) or ""})
        return render(request, "accounts/register.html", {"form": form})
    form = RegistrationForm(request.POST)
    valid = form.is_valid()
    date_of_birth, country = form.cleaned_data.get("date_of_birth"), form.cleaned_data.get("country")
    try:
        if valid:
            actions.register_customer(
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                date_of_birth=form.cleaned_data["date_of_birth"],
                country=form.cleaned_data["country"],
                ip_address=access.client_ip(request),
                base_url=access.base_url(request),
            )
            return redirect("accounts:registered")
        if date_of_birth is not None and country:
            # The age gate answers first, before any other correction is asked of a child.
            actions.check_registration_age(date_of_birth=date_of_birth, country=country)
    except actions.UnderMinimumAge:
        # Nothing of a child is kept (C39), not even this request in the request log.
        request.skip_request_log = True  # type: ignore[attr-defined]
        return render(request, "accounts/register_refused.html")
    except ValidationError as error:
        add_action_errors(form, error)
    return render(request, "accounts/register.html", {"form": form})


def registered(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/registered.html")


@never_cache
@require_http_methods(["GET", "POST"])
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST confirms: link scanners in mail systems only ever GET."""
    if request.method != "POST":
        return render(request, "accounts/confirm_link.html", {"kind": "verify"})
    try:
        actions.confirm_email(token=token)
    except tokens.InvalidToken:
        return render(request, "accounts/link_invalid.html", {"kind": "verify"}, status=400)
    messages.success(request, _("Thank you: your e-mail address is confirmed."))
    return redirect("accounts:account" if request.user.is_authenticated else "accounts:login")


@require_POST
@access.role_required(*ANY_ROLE)
def resend_verification(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    actions.send_email_verification(user=user, base_url=access.base_url(request))
    messages.info(request, _("We have sent the confirmation link again. It is valid for 3 days."))
    return redirect("accounts:account")


# --- Log-in and log-out -----------------------------------------------------------------


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.method != "POST":
        if request.user.is_authenticated and access.second_factor_satisfied(request):
            return redirect(next_url or "accounts:account")
        return render(request, "accounts/login.html", {"form": LoginForm(), "next": next_url})
    form = LoginForm(request.POST)
    status = 200
    if form.is_valid():
        result = actions.attempt_login(
            identifier=form.cleaned_data["identifier"],
            password=form.cleaned_data["password"],
            ip_address=access.client_ip(request),
        )
        if result.user is not None and result.outcome == actions.LoginOutcome.OK:
            access.start_session(request, result.user, second_factor=False)
            if next_url:
                request.session[NEXT] = next_url
            return _welcome(request, result.user)
        if result.user is not None and result.outcome in (
            actions.LoginOutcome.SECOND_FACTOR,
            actions.LoginOutcome.ENROL_SECOND_FACTOR,
        ):
            access.hold_for_second_factor(request, result.user)
            if next_url:
                request.session[NEXT] = next_url
            if result.outcome == actions.LoginOutcome.SECOND_FACTOR:
                return redirect("accounts:second_factor")
            return redirect("accounts:second_factor_setup")
        if result.outcome == actions.LoginOutcome.BLOCKED:
            form.add_error(None, _wait_message(result))
            status = 429
        else:
            form.add_error(
                None,
                _(
                    "That username or e-mail address and password do not match an account. Check them and "
                    "try again, or reset your password."
                ),
            )
    return render(request, "accounts/login.html", {"form": form, "next": next_url}, status=status)


@require_http_methods(["GET", "POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    """GET asks, POST logs out: a link or an image on another site cannot log anyone out."""
    if request.method != "POST":
        return render(request, "accounts/logout.html")
    logout(request)
    messages.info(request, _("You have logged out. See you soon."))
    return redirect("home")


# --- Staff second factor ----------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def second_factor_view(request: HttpRequest) -> HttpResponse:
    user = access.pending_user(request)
    if user is None or not user.second_factor_enrolled:
        messages.info(request, _("Please log in again."))
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        result = actions.verify_second_factor(
            user=user, code=form.cleaned_data["code"], ip_address=access.client_ip(request)
        )
        if result.outcome == actions.LoginOutcome.OK:
            access.start_session(request, user, second_factor=True)
            return _welcome(request, user)
        if result.outcome == actions.LoginOutcome.BLOCKED:
            form.add_error(None, _wait_message(result))
            status = 429
        else:
            form.add_error(
                "code",
                _("That code did not work. Type the newest code in your authenticator app; each works once."),
            )
    return render(request, "accounts/second_factor.html", {"form": form}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def second_factor_setup(request: HttpRequest) -> HttpResponse:
    user = access.pending_user(request)
    if user is None:
        messages.info(request, _("Please log in again."))
        return redirect("accounts:login")
    if user.second_factor_enrolled:
        return redirect("accounts:second_factor")
    secret = actions.begin_second_factor_enrolment(user=user)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        result = actions.confirm_second_factor_enrolment(
            user=user, code=form.cleaned_data["code"], ip_address=access.client_ip(request)
        )
        if result.outcome == actions.LoginOutcome.OK:
            access.start_session(request, user, second_factor=True)
            messages.success(
                request, _("Your second factor is set up. You will be asked for a code at each log-in.")
            )
            return _welcome(request, user)
        if result.outcome == actions.LoginOutcome.BLOCKED:
            form.add_error(None, _wait_message(result))
            status = 429
        else:
            form.add_error(
                "code", _("That code did not match. Check the time on your phone and try the newest code.")
            )
    context: dict[str, Any] = {
        "form": form,
        "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        "otpauth_uri": second_factor.provisioning_uri(secret=secret, account_name=user.username),
    }
    return render(request, "accounts/second_factor_setup.html", context, status=status)


# --- Password reset ---------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.request_password_reset(
            identifier=form.cleaned_data["identifier"], base_url=access.base_url(request)
        )
        return redirect("accounts:password_reset_done")
    return render(request, "accounts/password_reset.html", {"form": form})


def password_reset_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_done.html")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's view (the token leaves the URL for the session at once), with our action."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        user = self.user
        assert isinstance(user, User)
        try:
            actions.complete_password_reset(user=user, new_password=form.cleaned_data["new_password1"])
        except ValidationError as error:
            add_action_errors(form, error, fields={"new_password": "new_password2"})
            return self.form_invalid(form)
        self.request.session.pop(auth_views.INTERNAL_RESET_SESSION_TOKEN, None)
        return HttpResponseRedirect(self.get_success_url())


def password_reset_complete(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_complete.html")


# --- The account page -------------------------------------------------------------------


def _account_page(
    request: HttpRequest,
    *,
    email_form: ChangeEmailForm | None = None,
    password_form: ChangePasswordForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "account": request.user,
        "greet_by_name": isinstance(request.user, User) and greets_by_name(request.user),
        "email_form": email_form or ChangeEmailForm(),
        "password_form": password_form or ChangePasswordForm(),
    }
    return render(request, "accounts/account.html", context, status=status)


@never_cache
@access.role_required(*ANY_ROLE)
def account(request: HttpRequest) -> HttpResponse:
    return _account_page(request)


@never_cache
@require_POST
@sensitive_post_parameters("current_password")
@access.role_required(*ANY_ROLE)
def change_email(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = ChangeEmailForm(request.POST)
    if form.is_valid():
        try:
            actions.change_email_request(
                user=user,
                new_email=form.cleaned_data["email"],
                current_password=form.cleaned_data["current_password"],
                base_url=access.base_url(request),
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "We have sent a confirmation link to the new address. Your address changes when you open "
                    "it; until then we keep using the current one."
                ),
            )
            return redirect("accounts:account")
    return _account_page(request, email_form=form, status=400)


@never_cache
@require_http_methods(["GET", "POST"])
def confirm_email_change(request: HttpRequest, token: str) -> HttpResponse:
    if request.method != "POST":
        return render(request, "accounts/confirm_link.html", {"kind": "change"})
    try:
        actions.confirm_email_change(token=token)
    except tokens.InvalidToken:
        return render(request, "accounts/link_invalid.html", {"kind": "change"}, status=400)
    messages.success(request, _("Your new e-mail address is confirmed and now in use."))
    return redirect("accounts:account" if request.user.is_authenticated else "accounts:login")


@never_cache
@require_POST
@sensitive_post_parameters("current_password", "new_password")
@access.role_required(*ANY_ROLE)
def change_password(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = ChangePasswordForm(request.POST)
    if form.is_valid():
        try:
            actions.change_password(
                user=user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password is changed. Other devices have been logged out."))
            return redirect("accounts:account")
    return _account_page(request, password_form=form, status=400)
