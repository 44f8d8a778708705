"""The address form: the same checks as the actions (clean_address_details), shown field by field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from addresses.actions import AddressDetails, clean_address_details
from addresses.countries import COUNTRIES
from addresses.models import Address
from addresses.validators import format_phone_number


def add_errors(form: forms.Form, problem: ValidationError) -> None:
    """Put an action's ValidationError on the form's fields (or on the form as a whole).

    A field that already has an error (too long, say) is not told twice.
    """
    if not hasattr(problem, "error_dict"):
        for message in problem.messages:
            form.add_error(None, message)
        return
    for field, messages in problem.message_dict.items():
        if field in form.errors:
            continue
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


COUNTRY_CHOICES = [("", _("Choose a country")), *sorted(COUNTRIES.items(), key=lambda item: item[1])]


class AddressForm(forms.Form):
    label = forms.CharField(
        label=_("Label"),
        max_length=40,
        required=False,
        help_text=_("For you to tell addresses apart, such as “Office” or “Workshop”."),
    )
    consignee_name = forms.CharField(
        label=_("Consignee name"),
        max_length=120,
        help_text=_("The person who receives the parcel."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    mobile_phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=32,
        help_text=_(
            "With the country code, such as +86 138 0013 8000. The courier calls or texts this number."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    other_phone = forms.CharField(
        label=_("Other phone (optional)"),
        max_length=32,
        required=False,
        help_text=_("In case the mobile cannot be reached."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    contact_email = forms.CharField(
        label=_("E-mail for delivery updates (optional)"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    country = forms.ChoiceField(
        label=_("Country"), choices=COUNTRY_CHOICES, widget=forms.Select(attrs={"autocomplete": "country"})
    )
    street_line1 = forms.CharField(
        label=_("Street address"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    street_line2 = forms.CharField(
        label=_("Street address, line 2 (optional)"),
        max_length=200,
        required=False,
        help_text=_("Building, floor, unit, company name."),
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    city = forms.CharField(
        label=_("City"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "address-level2"})
    )
    region = forms.CharField(
        label=_("State, province or region"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level1"}),
    )
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    default_delivery = forms.BooleanField(label=_("Use as my default delivery address"), required=False)
    default_billing = forms.BooleanField(label=_("Use as my default billing address"), required=False)

    # Required fields are checked by clean_address_details, with the messages the API gives too.
    _checked_by_actions = ("consignee_name", "mobile_phone", "country", "city", "street_line1")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self._checked_by_actions:
            field = self.fields[name]
            field.required = False
            field.widget.attrs["required"] = True

    @classmethod
    def initial_for(cls, address: Address) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(address, name) for name in AddressDetails.field_names()}
        initial["mobile_phone"] = format_phone_number(address.mobile_phone)
        initial["other_phone"] = format_phone_number(address.other_phone) if address.other_phone else ""
        initial["default_delivery"] = address.is_default_delivery
        initial["default_billing"] = address.is_default_billing
        return initial

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        details = AddressDetails(**{name: cleaned.get(name) or "" for name in AddressDetails.field_names()})
        try:
            cleaned["details"] = clean_address_details(details)
        except ValidationError as problem:
            add_errors(self, problem)
        return cleaned
