"""Deciding what a chat upload is from its bytes, and whether to take it.

The name is the one part of an upload that its sender chooses freely, so it decides
nothing: the first bytes say which family a file claims to be, and that family's check
reads enough of the structure to confirm it (chat.uploads.images, mpeg_audio, isobmff,
ogg, wav, webm; 3D files through orders.modelfiles). What is not an image, audio, video
or 3D model we recognise is refused with one message that lists what we take.

Order matters where signatures overlap. A binary STL's 80-byte header is free text and
may begin like anything ("RIFF", "OggS", "ID3"), so a file whose length matches a binary
STL's triangle count is a 3D file first. WebP and WAV are both RIFF; the form type at
offset 8 tells them apart.

The size limit is per kind (settings.PLEDGE_CHAT_MAX_BYTES) and checked on the stream's
length before the content is read. The display name keeps the sender's words but, for
images, audio and video, takes the extension of what the bytes are: a download named
".html" that is really an MP3 must not open as a web page on the recipient's computer.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Mapping
from typing import BinaryIO

from chat.uploads import images
from chat.uploads.isobmff import identify_isobmff, starts_like_isobmff
from chat.uploads.mpeg_audio import identify_mpeg_audio, starts_like_mpeg_audio
from chat.uploads.ogg import identify_ogg, starts_like_ogg
from chat.uploads.reading import read_at, stream_size
from chat.uploads.result import AttachmentRejected, CheckedUpload, Kind, MediaFormat
from chat.uploads.wav import identify_wav, starts_like_wav
from chat.uploads.webm import identify_webm, starts_like_webm
from orders.modelfiles import ModelFileRejected, inspect_model_file, safe_display_name

ACCEPTED = (
    "images (PNG, JPEG, GIF, WebP), audio (MP3, M4A, AAC, Ogg, WAV), video (MP4, MOV, WebM) "
    "or 3D files (STEP, STL, IGES, OBJ, 3MF)"
)
_KIND_NAMES: dict[Kind, str] = {
    "image": "images",
    "audio": "audio files",
    "video": "videos",
    "model3d": "3D files",
}
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
# Bytes of text files (tab, LF, FF, CR, printable ASCII and anything >= 0x80), as in orders.modelfiles.
_TEXT_BYTES = bytes([0x09, 0x0A, 0x0C, 0x0D, *range(0x20, 0x7F), *range(0x80, 0x100)])

MediaCheck = tuple[Callable[[bytes], bool], Callable[[BinaryIO, int], MediaFormat]]
_MEDIA_CHECKS: tuple[MediaCheck, ...] = (
    (starts_like_wav, identify_wav),
    (starts_like_ogg, identify_ogg),
    (starts_like_webm, identify_webm),
    (starts_like_isobmff, identify_isobmff),
    (starts_like_mpeg_audio, identify_mpeg_audio),
)


def inspect_upload(
    stream: BinaryIO, *, filename: str, max_bytes: Mapping[str, int], max_image_pixels: int
) -> CheckedUpload:
    """Check one upload by content; AttachmentRejected with a stable code and a message for people.

    `stream` must be seekable (Django's uploads are). Nothing is written anywhere.
    """
    size = stream_size(stream)
    if size == 0:
        raise AttachmentRejected("empty", "This file is empty.")
    head = read_at(stream, 0, 512)
    name = safe_display_name(filename)
    if _is_binary_stl(head, size):
        return _model3d(stream, name, filename, size, max_bytes)
    source = images.sniff_image(head)
    if source is not None:
        _check_size("image", size, max_bytes)
        picture = images.reencode_image(read_at(stream, 0, size), source=source, max_pixels=max_image_pixels)
        return CheckedUpload(
            kind="image",
            format=picture.format,
            content_type=picture.content_type,
            display_name=_with_extension(name, picture.extension),
            size=len(picture.data),
            data=picture.data,
            width=picture.width,
            height=picture.height,
        )
    for starts_like, identify in _MEDIA_CHECKS:
        if starts_like(head):
            # Before reading the structure: larger than any audio or video we take is refused at once.
            largest = max(_limit("audio", max_bytes), _limit("video", max_bytes))
            if size > largest:
                raise AttachmentRejected(
                    "too_large", f"This file is larger than the {_human_size(largest)} limit."
                )
            found = identify(stream, size)
            _check_size(found.kind, size, max_bytes)
            return CheckedUpload(
                kind=found.kind,
                format=found.format,
                content_type=found.content_type,
                display_name=_with_extension(name, found.extension),
                size=size,
            )
    # A ZIP (3MF), a text (STEP, IGES, OBJ, ASCII STL) or a binary small enough to be a 3D
    # file (a cut-short binary STL gets its own message there) is for orders.modelfiles.
    if head.startswith(_ZIP) or _is_text(head) or size <= _limit("model3d", max_bytes):
        return _model3d(stream, name, filename, size, max_bytes)
    raise AttachmentRejected("unknown_type", f"This file is not one we accept. Send {ACCEPTED}.")


def _model3d(
    stream: BinaryIO, name: str, filename: str, size: int, max_bytes: Mapping[str, int]
) -> CheckedUpload:
    limit = _limit("model3d", max_bytes)
    _check_size("model3d", size, max_bytes)
    stream.seek(0)
    try:
        info = inspect_model_file(stream, filename=filename, max_bytes=limit)
    except ModelFileRejected as rejected:
        if rejected.code == "unknown_format":
            raise AttachmentRejected(
                "unknown_type", f"This file is not one we accept. Send {ACCEPTED}."
            ) from None
        raise AttachmentRejected(rejected.code, rejected.message) from None
    content_type = "model/stl" if info.format.startswith("stl") else "application/octet-stream"
    return CheckedUpload(
        kind="model3d", format=info.format, content_type=content_type, display_name=name, size=size
    )


def _is_binary_stl(head: bytes, size: int) -> bool:
    if len(head) < 84:
        return False
    (triangles,) = struct.unpack("<I", head[80:84])
    return triangles > 0 and size == 84 + 50 * triangles


def _is_text(head: bytes) -> bool:
    return not head.translate(None, _TEXT_BYTES)


def _limit(kind: Kind, max_bytes: Mapping[str, int]) -> int:
    return int(max_bytes[kind])


def _check_size(kind: Kind, size: int, max_bytes: Mapping[str, int]) -> None:
    limit = _limit(kind, max_bytes)
    if size > limit:
        raise AttachmentRejected(
            "too_large", f"This file is larger than the {_human_size(limit)} limit for {_KIND_NAMES[kind]}."
        )


def _with_extension(name: str, extension: str) -> str:
    stem, dot, old = name.rpartition(".")
    base = stem if dot and stem else name
    if old.lower() == extension or (extension == "jpg" and old.lower() == "jpeg"):
        return name
    return f"{base[: 120 - len(extension) - 1]}.{extension}"


def _human_size(size: int) -> str:
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.3g} {unit}"
    return f"{size} bytes"
