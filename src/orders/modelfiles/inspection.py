"""Deciding what an upload is from its bytes, and whether its name agrees.

Order matters. A binary STL is recognised first, by exact size arithmetic, because its
80-byte header is free text and may say anything ("solid", "PK", "%PDF"). Then ZIP (3MF),
then well-known foreign signatures (so a PNG renamed .stl gets a helpful message), then
the text formats by their opening (STEP's magic line, IGES's column-73 "S", "solid",
OBJ keywords). A binary file that is none of these is either a binary STL cut short or
not a model at all.

The extension is consulted only after the content has been accepted, to refuse a
mismatch. That is an error, not a note: downstream tools (slicers, CAM, the account
manager's viewer) choose their parser by extension, and a file stored as "part.step"
that is really an STL fails there, later, with nobody to explain why. Renaming is a
one-second fix for the customer and the message says exactly what to rename it to.

The whole upload is read into memory, but never more than `max_bytes` + 1 bytes: the
stream's remaining size is checked up front when it can be, and every chunk is counted.
"""

from __future__ import annotations

from typing import BinaryIO

from orders.modelfiles import iges, obj, step, stl, threemf
from orders.modelfiles.archive import ZIP_MAGIC, ArchiveLimits
from orders.modelfiles.names import safe_display_name
from orders.modelfiles.result import Format, ModelFileInfo, ModelFileRejected

DEFAULT_ARCHIVE_LIMITS = ArchiveLimits()

_CHUNK = 1 << 20
# Bytes that occur in text files (tab, LF, FF, CR, printable ASCII, and any byte ≥ 0x80 so
# that Latin-1 or UTF-8 names in comments pass). Anything else marks a binary file.
_TEXT_BYTES = bytes([0x09, 0x0A, 0x0C, 0x0D, *range(0x20, 0x7F), *range(0x80, 0x100)])
_FOREIGN_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a Linux program"),
    (b"\xcf\xfa\xed\xfe", "a macOS program"),
    (b"\xca\xfe\xba\xbe", "a macOS program"),
    (b"#!", "a script"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"RIFF", "an audio or video file"),
    (b"\xd0\xcf\x11\xe0", "an Office document"),
)
ACCEPTED = "STEP (.step, .stp), STL (.stl), IGES (.iges, .igs), OBJ (.obj) or 3MF (.3mf)"
_FORMAT_NAMES: dict[Format, tuple[str, str]] = {
    "step": ("a STEP model", ".step"),
    "stl_ascii": ("an STL model", ".stl"),
    "stl_binary": ("an STL model", ".stl"),
    "iges": ("an IGES model", ".igs"),
    "obj": ("an OBJ model", ".obj"),
    "3mf": ("a 3MF model", ".3mf"),
}
_EXTENSIONS: dict[str, tuple[Format, ...]] = {
    "stl": ("stl_ascii", "stl_binary"),
    "step": ("step",),
    "stp": ("step",),
    "iges": ("iges",),
    "igs": ("iges",),
    "obj": ("obj",),
    "3mf": ("3mf",),
}


def inspect_model_file(
    stream: BinaryIO,
    *,
    filename: str,
    max_bytes: int,
    archive_limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
) -> ModelFileInfo:
    """Read at most `max_bytes` from `stream` (from its current position) and describe the model.

    Raises ModelFileRejected with a stable code and a message fit to show the customer.
    """
    if max_bytes <= 0:
        raise ValueError("max_bytes must be positive")
    data = _read_bounded(stream, max_bytes)
    info = _inspect_content(data, archive_limits)
    _check_extension(info.format, filename)
    return info


def _read_bounded(stream: BinaryIO, max_bytes: int) -> bytes:
    remaining = _remaining_size(stream)
    if remaining is not None and remaining > max_bytes:
        raise _too_large(max_bytes)
    chunks: list[bytes] = []
    total = 0
    while chunk := stream.read(min(_CHUNK, max_bytes + 1 - total)):
        total += len(chunk)
        if total > max_bytes:
            raise _too_large(max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def _remaining_size(stream: BinaryIO) -> int | None:
    try:
        if not stream.seekable():
            return None
        here = stream.tell()
        end = stream.seek(0, 2)
        stream.seek(here)
    except (AttributeError, OSError, ValueError):
        return None
    return end - here


def _inspect_content(data: bytes, limits: ArchiveLimits) -> ModelFileInfo:
    if not data:
        raise ModelFileRejected("empty", "This file is empty.")
    if stl.is_binary_stl(data):
        return stl.inspect_binary_stl(data)
    if data.startswith(ZIP_MAGIC):
        return threemf.inspect_3mf(data, limits)
    for signature, what in _FOREIGN_SIGNATURES:
        if data.startswith(signature):
            raise ModelFileRejected(
                "unknown_format", f"This file is {what}, not a 3D model. Upload {ACCEPTED}."
            )
    if _is_text(data):
        if step.starts_like_step(data):
            return step.inspect_step(data)
        if iges.starts_like_iges(data):
            return iges.inspect_iges(data)
        if stl.starts_like_ascii_stl(data):
            return stl.inspect_ascii_stl(data)
        if obj.starts_like_obj(data):
            return obj.inspect_obj(data)
        raise ModelFileRejected("unknown_format", f"This text file is not a 3D model. Upload {ACCEPTED}.")
    if stl.looks_like_truncated_binary_stl(data):
        raise ModelFileRejected(
            "truncated",
            "This binary STL is shorter than the triangle count in its header says; the file is incomplete.",
        )
    raise ModelFileRejected("unknown_format", f"This file is not a 3D model we recognise. Upload {ACCEPTED}.")


def _is_text(data: bytes) -> bool:
    # Most binary files show themselves in the first few KB; only then scan the rest.
    return not data[:8192].translate(None, _TEXT_BYTES) and not data.translate(None, _TEXT_BYTES)


def _check_extension(format: Format, filename: str) -> None:
    name = safe_display_name(filename)
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    if format in _EXTENSIONS.get(extension, ()):
        return
    what, suggested = _FORMAT_NAMES[format]
    said = f"ends in '.{extension}'" if extension else "has no extension"
    raise ModelFileRejected(
        "extension_mismatch",
        f"This file is {what} but its name {said}; rename it to end in '{suggested}' and upload it again.",
    )


def _too_large(max_bytes: int) -> ModelFileRejected:
    return ModelFileRejected(
        "too_large", f"This file is larger than the {_human_size(max_bytes)} upload limit."
    )


def _human_size(size: int) -> str:
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.3g} {unit}"
    return f"{size} bytes"
