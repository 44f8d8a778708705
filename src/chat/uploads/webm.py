"""WebM: an EBML document of DocType "webm", with a Segment whose Tracks say what it holds.

EBML elements are an id and a size, both variable-length integers. The EBML header must
name the DocType "webm" (a Matroska .mkv is refused: not every browser plays it); the
Segment that follows is walked, element by element within its bounds, until its Tracks:
video if a track is video, audio if they are all audio. Clusters (the media itself) are
not read. A Segment or Cluster may have an "unknown" size (live recordings, such as a
browser's MediaRecorder, write them so): the Segment then runs to the end of the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from chat.uploads.reading import read_at
from chat.uploads.result import AttachmentRejected, MediaFormat, malformed

WEBM_VIDEO = MediaFormat("video", "webm", "video/webm", "webm")
WEBM_AUDIO = MediaFormat("audio", "webm", "audio/webm", "webm")

WHAT = "a WebM file"
EBML = 0x1A45DFA3
DOCTYPE = 0x4282
SEGMENT = 0x18538067
TRACKS = 0x1654AE6B
TRACK_ENTRY = 0xAE
TRACK_TYPE = 0x83
CLUSTER = 0x1F43B675
VIDEO_TRACK, AUDIO_TRACK = 1, 2
_MAX_ELEMENTS = 10_000


def starts_like_webm(head: bytes) -> bool:
    return head.startswith(b"\x1a\x45\xdf\xa3")


def identify_webm(stream: BinaryIO, size: int) -> MediaFormat:
    header_id, header_start, header_end = _element(stream, 0, size)
    if header_id != EBML or header_end is None:
        raise malformed(WHAT, "its EBML header is invalid")
    doctype = b""
    for child_id, start, end in _children(stream, header_start, header_end):
        if child_id == DOCTYPE:
            doctype = read_at(stream, start, min(end - start, 16)).rstrip(b"\0")
    if doctype != b"webm":
        raise AttachmentRejected(
            "unsupported_codec",
            "This is a Matroska file, not WebM. Send MP4, MOV or WebM video."
            if doctype == b"matroska"
            else "This file is not a WebM video. Send MP4, MOV or WebM video.",
        )
    segment_id, segment_start, segment_end = _element(stream, header_end, size)
    if segment_id != SEGMENT:
        raise malformed(WHAT, "no Segment follows its header")
    types = set(_track_types(stream, segment_start, size if segment_end is None else segment_end))
    if VIDEO_TRACK in types:
        return WEBM_VIDEO
    if AUDIO_TRACK in types:
        return WEBM_AUDIO
    raise malformed(WHAT, "it has neither a video nor an audio track")


def _track_types(stream: BinaryIO, start: int, end: int) -> Iterator[int]:
    for child_id, child_start, child_end in _children(stream, start, end, stop_at=CLUSTER):
        if child_id != TRACKS:
            continue
        for entry_id, entry_start, entry_end in _children(stream, child_start, child_end):
            if entry_id != TRACK_ENTRY:
                continue
            for field_id, field_start, field_end in _children(stream, entry_start, entry_end):
                if field_id == TRACK_TYPE and 1 <= field_end - field_start <= 8:
                    yield int.from_bytes(read_at(stream, field_start, field_end - field_start), "big")
        return


Element = tuple[int, int, int]  # id, start of the data, end of the data


def _children(stream: BinaryIO, start: int, end: int, *, stop_at: int | None = None) -> Iterator[Element]:
    """The elements that tile [start, end); stops at `stop_at` (whose size may be unknown)."""
    position, count = start, 0
    while position < end:
        count += 1
        if count > _MAX_ELEMENTS:
            raise malformed(WHAT, "it holds more elements than any real file")
        element_id, data_start, data_end = _element(stream, position, end)
        if element_id == stop_at:
            return
        if data_end is None:
            raise malformed(WHAT, "an element of unknown size is not allowed here")
        yield element_id, data_start, data_end
        position = data_end


def _element(stream: BinaryIO, position: int, limit: int) -> tuple[int, int, int | None]:
    """One element's id, data start and data end (None when its size is "unknown")."""
    head = read_at(stream, position, 12)
    element_id, id_length = _vint(head, 0, keep_marker=True, max_length=4)
    size, size_length = _vint(head, id_length, keep_marker=False, max_length=8)
    data_start = position + id_length + size_length
    if size == (1 << (7 * size_length)) - 1:  # all value bits set: unknown size
        return element_id, data_start, None
    if data_start + size > limit:
        raise malformed(WHAT, "an element claims more bytes than the file has")
    return element_id, data_start, data_start + size


def _vint(data: bytes, offset: int, *, keep_marker: bool, max_length: int) -> tuple[int, int]:
    if offset >= len(data) or data[offset] == 0:
        raise malformed(WHAT, "an element header is invalid or cut short")
    first = data[offset]
    length = 8 - first.bit_length() + 1
    if length > max_length or offset + length > len(data):
        raise malformed(WHAT, "an element header is invalid or cut short")
    value = first if keep_marker else first & ((1 << (8 - length)) - 1)
    for byte in data[offset + 1 : offset + length]:
        value = (value << 8) | byte
    return value, length
