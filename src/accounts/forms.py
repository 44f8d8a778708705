"""The account forms. They parse and check the shape of what was typed; the actions decide.

Field errors raised by an action (`ValidationError` keyed by field) are put back on the
form with `add_action_errors`, so the HTML pages and the JSON API give the same messages.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.geo import country_choices
from accounts.validation import password_problems, username_problems


def add_action_errors(
    form: forms.Form, error: ValidationError, *, fields: dict[str, str] | None = None
) -> None:
    """Attach an action's errors to the form; `fields` renames action keys to form fields."""
    names = fields or {}
    if hasattr(error, "error_dict"):
        for key, messages in error.message_dict.items():
            field = names.get(key, key)
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class RegistrationForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=30,
        help_text=_("3 to 30 letters, digits, dots, dashes or underscores. We greet you with it."),
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("We send a link to confirm it, and use it only for your account."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=4096,
        help_text=_("At least 10 characters; not a common password and not all digits."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        help_text=_("Only to check that you are old enough to have an account. We do not keep it."),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter your date of birth, like 1990-04-25.")},
    )
    country = forms.ChoiceField(
        label=_("Country or region"),
        help_text=_("Where you live: the minimum age for an account depends on it. We do not keep it."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["country"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Choose…")), *country_choices()]

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"].strip()
        problems = username_problems(username)
        if problems:
            raise ValidationError(problems)
        return username

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("password")
        if password is not None:
            problems = password_problems(
                password, username=cleaned.get("username", ""), email=cleaned.get("email", "")
            )
            for problem in problems:
                self.add_error("password", problem)
        return cleaned

    def clean_date_of_birth(self) -> dt.date:
        value: dt.date = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if value > today:
            raise ValidationError(_("Your date of birth cannot be in the future."))
        if value.year < today.year - 130:
            raise ValidationError(_("Please check the year of your date of birth."))
        return value


class LoginForm(forms.Form):
    identifier = forms.CharField(
        label=_("Username or e-mail address"),
        max_length=254,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "autofocus": True}
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": r"[0-9 ]*",
                "autofocus": True,
            }
        ),
    )


class PasswordResetRequestForm(forms.Form):
    identifier = forms.CharField(
        label=_("Username or e-mail address"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )


class SetPasswordForm(forms.Form):
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        max_length=4096,
        help_text=_("At least 10 characters; not a common password and not all digits."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class ChangePasswordForm(SetPasswordForm):
    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ("current_password", "new_password")


class ChangeEmailForm(forms.Form):
    email = forms.EmailField(
        label=_("New e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        max_length=4096,
        help_text=_("To make sure it is you."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
