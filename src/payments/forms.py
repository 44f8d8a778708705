"""The payment forms. The card form never renders the number or the security code back.

A bound Django form re-renders what was posted, which for a card would put the number into
the page (and the browser's cache and history) after a typo in the expiry. The two card
widgets below render no value, ever; the other fields are harmless to repeat.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from payments.bank_accounts import MAX_BANK_NAME, MAX_HOLDER


class NeverRenderedInput(forms.TextInput):
    """A text input that never writes a value into the page."""

    def format_value(self, value: Any) -> str | None:
        return None


def _years() -> list[tuple[int, str]]:
    this_year = dt.date.today().year
    return [(year, str(year)) for year in range(this_year, this_year + 21)]


class CardForm(forms.Form):
    number = forms.CharField(
        label=_("Card number"),
        max_length=30,
        strip=True,
        widget=NeverRenderedInput(
            attrs={"autocomplete": "cc-number", "inputmode": "numeric", "spellcheck": "false", "size": "24"}
        ),
    )
    exp_month = forms.TypedChoiceField(
        label=_("Expiry month"),
        coerce=int,
        choices=[(month, f"{month:02d}") for month in range(1, 13)],
        widget=forms.Select(attrs={"autocomplete": "cc-exp-month"}),
    )
    exp_year = forms.TypedChoiceField(
        label=_("Expiry year"),
        coerce=int,
        choices=_years,
        widget=forms.Select(attrs={"autocomplete": "cc-exp-year"}),
    )
    cvc = forms.CharField(
        label=_("Security code"),
        max_length=4,
        min_length=3,
        widget=NeverRenderedInput(attrs={"autocomplete": "cc-csc", "inputmode": "numeric", "size": "5"}),
        help_text=_("3 digits on the back (4 on the front for Amex)."),
        error_messages={
            "min_length": _("The security code has 3 or 4 digits."),
            "max_length": _("The security code has 3 or 4 digits."),
        },
    )


class BankTransferForm(forms.Form):
    account_holder = forms.CharField(label=_("Account holder"), max_length=MAX_HOLDER)
    account_number = forms.CharField(
        label=_("IBAN or account number"),
        max_length=50,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    bank_name = forms.CharField(label=_("Bank"), max_length=MAX_BANK_NAME)


class RefundForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=500, required=False)
