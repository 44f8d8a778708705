"""The Privacy Center's forms: a request, a code, and the privacy officer's forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from privacy.policy.loader import current_policy
from privacy.rights.models import Channel, RequesterKind, Right

FORM_RIGHTS = [(value, label) for value, label in Right.choices]
JURISDICTIONS = [
    ("EU", _("European Union")),
    ("EEA", _("Iceland, Liechtenstein or Norway")),
    ("GB", _("United Kingdom")),
    ("US-CA", _("California, United States")),
    ("CN", _("China (mainland)")),
    ("OTHER", _("Somewhere else")),
]


def purpose_choices() -> list[tuple[str, Any]]:
    purposes = current_policy().purposes
    return [("", _("— not needed for this right —"))] + [
        (key, purpose.title.en) for key, purpose in purposes.items()
    ]


def jurisdiction_code(value: str) -> str:
    """The place chosen on the form, as the deadline rules are keyed ("ZZ": no rule of its own)."""
    return "ZZ" if value == "OTHER" else value


class RequestForm(forms.Form):
    right = forms.ChoiceField(label=_("What do you want us to do?"), choices=FORM_RIGHTS)
    jurisdiction = forms.ChoiceField(label=_("Where do you live?"), choices=JURISDICTIONS)
    requester_kind = forms.ChoiceField(
        label=_("Who is asking?"), choices=RequesterKind.choices, initial=RequesterKind.SUBJECT
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        required=False,
        help_text=_("We answer here. For your own account, use the address of the account."),
    )
    account_identifier = forms.CharField(
        label=_("The account's e-mail address or username"),
        required=False,
        max_length=254,
        help_text=_("Only when you ask for someone else, or report a child's account."),
    )
    purpose = forms.ChoiceField(label=_("Which use of your data?"), required=False, choices=())
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For a correction: which information is wrong and what it should say."),
    )
    proof_description = forms.CharField(
        label=_("Proof that you may ask (guardians and agents)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    proof_file = forms.FileField(label=_("A document as proof (optional)"), required=False)

    def __init__(self, *args: Any, signed_in: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = purpose_choices()  # type: ignore[attr-defined]
        if signed_in:
            self.fields["password"] = forms.CharField(
                label=_("Confirm your password"),
                required=False,  # not to stop marketing: the policy never asks that (views.center)
                widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
                help_text=_(
                    "We ask for it before we send, change or delete your data (not to stop marketing)."
                ),
            )
            for name in ("email", "requester_kind", "account_identifier", "proof_description", "proof_file"):
                del self.fields[name]


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("The code we sent"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class StaffLogForm(RequestForm):
    """A request that came by e-mail or post, logged by the privacy officer."""

    channel = forms.ChoiceField(
        label=_("How it came"), choices=[(Channel.EMAIL, _("E-mail")), (Channel.POST, _("Post"))]
    )
    received_on = forms.DateField(
        label=_("Received on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The deadline runs from here."),
    )


class DecisionForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Accept")), ("no", _("Refuse"))],
        coerce=lambda value: value == "yes",
    )
    reasons = forms.CharField(
        label=_("Reasons"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The grounds, without personal details."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class LinkForm(forms.Form):
    account_identifier = forms.CharField(label=_("The account's e-mail address or username"), max_length=254)


class RectifyForm(forms.Form):
    target = forms.ChoiceField(label=_("Field"), choices=())
    value = forms.CharField(
        label=_("Corrected value"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, targets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = targets  # type: ignore[attr-defined]
