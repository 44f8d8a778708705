"""MP4, M4A and QuickTime MOV: the ISO base media file format, a tree of sized boxes.

The file is accepted when its top-level boxes tile it exactly (each size is checked
against what is left, so a forged size cannot point outside the file), the first box is
`ftyp` (or, for QuickTime files older than ftyp, one of the atoms they start with), and a
`moov` box holds at least one track whose handler is video or sound. What the tracks are,
not the brand or the name, decides the kind: video if any track is video, else audio.
Nothing is decoded.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import BinaryIO

from chat.uploads.reading import read_at
from chat.uploads.result import MediaFormat, malformed

MP4 = MediaFormat("video", "mp4", "video/mp4", "mp4")
MOV = MediaFormat("video", "mov", "video/quicktime", "mov")
M4A = MediaFormat("audio", "m4a", "audio/mp4", "m4a")

WHAT = "an MP4 or MOV file"
# Atoms that open QuickTime files written before ftyp existed.
_QUICKTIME_OPENERS = (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot")
_MAX_BOXES = 100_000  # per level: a real file has a handful; this bounds the work on a hostile one
_CONTAINERS = {b"moov": (b"trak",), b"trak": (b"mdia",), b"mdia": (b"hdlr",)}


def starts_like_isobmff(head: bytes) -> bool:
    return len(head) >= 8 and (head[4:8] == b"ftyp" or head[4:8] in _QUICKTIME_OPENERS)


def identify_isobmff(stream: BinaryIO, size: int) -> MediaFormat:
    top = list(_boxes(stream, 0, size))
    first_type = top[0][0]
    if first_type == b"ftyp":
        quicktime = _major_brand(stream, top[0]) == b"qt  "
    elif first_type in _QUICKTIME_OPENERS:
        quicktime = True
    else:
        raise malformed(WHAT, "it does not open with a file type box")
    moov = [box for box in top if box[0] == b"moov"]
    if not moov:
        raise malformed(WHAT, "it has no movie header, so no player can open it")
    handlers = set(_handlers(stream, moov[0]))
    if b"vide" in handlers:
        return MOV if quicktime else MP4
    if b"soun" in handlers:
        return M4A
    raise malformed(WHAT, "it has neither a video nor a sound track")


Box = tuple[bytes, int, int]  # type, start of the payload, end of the box


def _boxes(stream: BinaryIO, start: int, end: int) -> Iterator[Box]:
    """The boxes that tile [start, end) exactly; a size that does not fit is refused."""
    position, count = start, 0
    while position < end:
        count += 1
        if count > _MAX_BOXES:
            raise malformed(WHAT, "it holds more boxes than any real file")
        header = read_at(stream, position, 16)
        if len(header) < 8 or end - position < 8:
            raise malformed(WHAT, "a box header is cut short")
        length, kind = struct.unpack(">I4s", header[:8])
        payload = position + 8
        if length == 1:  # a 64-bit size follows
            if len(header) < 16:
                raise malformed(WHAT, "a box header is cut short")
            (length,) = struct.unpack(">Q", header[8:16])
            payload = position + 16
        elif length == 0:  # to the end of the enclosing space
            length = end - position
        if length < payload - position or position + length > end:
            raise malformed(WHAT, "a box claims more bytes than the file has")
        yield kind, payload, position + length
        position += length


def _major_brand(stream: BinaryIO, ftyp: Box) -> bytes:
    _, start, end = ftyp
    if end - start < 8:
        raise malformed(WHAT, "its file type box is too short")
    return read_at(stream, start, 4)


def _handlers(stream: BinaryIO, box: Box) -> Iterator[bytes]:
    """Handler types (b"vide", b"soun", ...) of the tracks under moov, walking moov/trak/mdia/hdlr."""
    kind, start, end = box
    if kind == b"hdlr":
        # version and flags (4), pre_defined (4), handler_type (4)
        body = read_at(stream, start, 12)
        if len(body) < 12 or end - start < 12:
            raise malformed(WHAT, "a track handler is cut short")
        yield body[8:12]
        return
    wanted = _CONTAINERS.get(kind, ())
    for child in _boxes(stream, start, end):
        if child[0] in wanted:
            yield from _handlers(stream, child)
