"""What checking an upload returns, and the one error it raises.

Kept apart from the format checks so that actions, views and tests can import the
vocabulary without the parsers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["image", "audio", "video", "model3d"]
KINDS: tuple[Kind, ...] = ("image", "audio", "video", "model3d")


@dataclass(frozen=True, slots=True)
class MediaFormat:
    """What an audio or video container turned out to be, and how it is served."""

    kind: Kind
    format: str  # mp3, aac, m4a, ogg_opus, ogg_vorbis, wav, mp4, mov, webm
    content_type: str
    extension: str  # given to the download's file name, so that it opens as what it is


@dataclass(frozen=True, slots=True)
class CheckedUpload:
    """An upload that passed its checks, ready to be stored.

    `data` is the bytes to store when they differ from the upload (an image, re-encoded);
    None means: store the upload itself, as it is.
    """

    kind: Kind
    format: str
    content_type: str
    display_name: str
    size: int
    data: bytes | None = None
    width: int | None = None
    height: int | None = None


class AttachmentRejected(Exception):
    """The upload is refused. `code` is stable (tests, the API); `message` is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"AttachmentRejected(code={self.code!r}, message={self.message!r})"


def malformed(what: str, detail: str) -> AttachmentRejected:
    """The refusal for a file that starts like `what` but is not a sound one."""
    return AttachmentRejected(
        "malformed", f"This file starts like {what} but is damaged or incomplete ({detail})."
    )
