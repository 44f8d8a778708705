"""The order pages' forms. They parse and bound the input; the actions decide (and re-check) the rest."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from orders.actions import MAX_FILES, MAX_LEAD_TIME_DAYS, MAX_NOTES, MAX_QUANTITY, OrderActionError
from orders.models import Currency, Status
from orders.offerings import PROCESSES

PROCESS_CHOICES = [("", _("Choose a process")), *((process.key, process.name) for process in PROCESSES)]
# Grouped by process; a small script shows only the chosen process's group, and the action
# refuses a material or finish that the chosen process does not offer.
MATERIAL_CHOICES: list[Any] = [
    ("", _("Choose a material")),
    *((process.name, [(material, material) for material in process.materials]) for process in PROCESSES),
]
FINISH_CHOICES: list[Any] = [
    ("", _("Choose a finish")),
    *((process.name, [(finish, finish) for finish in process.finishes]) for process in PROCESSES),
]
ACCEPT = ".step,.stp,.stl,.iges,.igs,.obj,.3mf"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class QuoteRequestForm(forms.Form):
    process = forms.ChoiceField(label=_("Process"), choices=PROCESS_CHOICES)
    material = forms.ChoiceField(label=_("Material"), choices=MATERIAL_CHOICES)
    finish = forms.ChoiceField(label=_("Finish"), choices=FINISH_CHOICES)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY, initial=1)
    notes = forms.CharField(
        label=_("Notes (optional)"),
        required=False,
        max_length=MAX_NOTES,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Tolerances, threads, inserts, colour, deadlines — anything your account manager should know."
        ),
    )
    uploads = MultipleFileField(
        label=_("3D files"),
        widget=MultipleFileInput(attrs={"accept": ACCEPT}),
        help_text=_(
            "STEP, STL, IGES, OBJ or 3MF; up to %(count)d files. We check each file's content, not its name."
        )
        % {"count": MAX_FILES},
    )

    def add_action_error(self, error: OrderActionError) -> None:
        self.add_error(error.field if error.field in self.fields else None, error.message)


class PriceForm(forms.Form):
    unit_price = forms.DecimalField(
        label=_("Unit price"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices, initial=Currency.USD)
    lead_time_days = forms.IntegerField(
        label=_("Lead time (days)"), min_value=1, max_value=MAX_LEAD_TIME_DAYS
    )
    note = forms.CharField(
        label=_("Note to the customer (optional)"),
        required=False,
        max_length=MAX_NOTES,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def add_action_error(self, error: OrderActionError) -> None:
        self.add_error(error.field if error.field in self.fields else None, error.message)


class PlaceOrderForm(forms.Form):
    delivery_address = forms.ChoiceField(label=_("Deliver to"))
    billing_address = forms.ChoiceField(label=_("Invoice to"))

    def __init__(self, *args: Any, choices: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("delivery_address", "billing_address"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = list(choices)


class AdvanceForm(forms.Form):
    to = forms.ChoiceField(
        choices=[
            (status.value, status.label)
            for status in (Status.IN_PRODUCTION, Status.SHIPPED, Status.DELIVERED)
        ]
    )
    note = forms.CharField(required=False, max_length=MAX_NOTES)


class CancelForm(forms.Form):
    note = forms.CharField(label=_("Reason (optional)"), required=False, max_length=MAX_NOTES)
