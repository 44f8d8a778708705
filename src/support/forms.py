"""Ticket forms: the same checks as the actions (clean_ticket_request), shown field by field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from addresses.forms import add_errors
from support.actions import MAX_CONTENT, MAX_SUBJECT_LINE, TicketRequest, clean_ticket_request
from support.models import Topic


class TicketForm(forms.Form):
    topic = forms.ChoiceField(
        label=_("What is it about?"), choices=[("", _("Choose a topic")), *Topic.choices]
    )
    subject_line = forms.CharField(
        label=_("Subject"),
        max_length=MAX_SUBJECT_LINE,
        help_text=_("A few words, such as “Order 1042 arrived damaged”."),
    )
    content = forms.CharField(
        label=_("Your message"),
        max_length=MAX_CONTENT,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_("Please leave out card numbers and passwords: we never need them."),
    )
    contact_email = forms.CharField(
        label=_("E-mail for our answer"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    contact_phone = forms.CharField(
        label=_("Phone (optional)"),
        max_length=32,
        required=False,
        help_text=_("With the country code, if you would like a call back."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    _checked_by_actions = ("topic", "subject_line", "content")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self._checked_by_actions:
            self.fields[name].required = False
            self.fields[name].widget.attrs["required"] = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        request = TicketRequest(
            topic=cleaned.get("topic") or "",
            subject_line=cleaned.get("subject_line") or "",
            content=cleaned.get("content") or "",
            contact_email=cleaned.get("contact_email") or "",
            contact_phone=cleaned.get("contact_phone") or "",
        )
        try:
            cleaned["request"] = clean_ticket_request(request)
        except ValidationError as problem:
            add_errors(self, problem)
        return cleaned


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        max_length=MAX_CONTENT,
        widget=forms.Textarea(attrs={"rows": 5, "required": True}),
        required=False,
    )
