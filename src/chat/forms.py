"""The chat page's form. It parses and bounds the input; the action decides (and re-checks) the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chat.actions import MAX_ATTACHMENTS, MAX_BODY, ChatActionError

ACCEPT = (
    "image/png,image/jpeg,image/gif,image/webp,audio/*,video/mp4,video/quicktime,video/webm,"
    ".m4a,.aac,.opus,.ogg,.wav,.mp3,.step,.stp,.stl,.iges,.igs,.obj,.3mf"
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=MAX_BODY,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("Write a message…")}),
    )
    attachments = MultipleFileField(
        label=_("Attach files"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ACCEPT}),
        help_text=_(
            "Up to %(count)d files: images, audio, video or 3D models. We check each file's content, "
            "and re-encode images without their location and camera data."
        )
        % {"count": MAX_ATTACHMENTS},
    )

    def add_action_error(self, error: ChatActionError) -> None:
        self.add_error(error.field if error.field in self.fields else None, error.message)
