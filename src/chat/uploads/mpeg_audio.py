"""MP3 (MPEG-1/2/2.5 Layer III) and raw AAC (ADTS): streams of frames, each with a header.

Neither has a container. A file is accepted when, after an optional ID3v2 tag, it begins
with a valid frame header and the next frame header sits exactly where the first frame's
length says: two consecutive frames are a strong sign of real audio, and the chance that
random bytes (or a renamed HTML page) pass is negligible. The rest of the stream is not
decoded; the file is served as audio with a fixed content type, never run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO

from chat.uploads.reading import read_at
from chat.uploads.result import AttachmentRejected, MediaFormat, malformed

MP3 = MediaFormat("audio", "mp3", "audio/mpeg", "mp3")
AAC = MediaFormat("audio", "aac", "audio/aac", "aac")

_MP3_BITRATES = {  # kbit/s by bitrate index; index 0 (free format) and 15 are refused
    "1": (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    "2": (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_MP3_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
_MAX_LEADING_PADDING = 4096  # zero bytes some encoders leave between the ID3 tag and the first frame


def starts_like_mpeg_audio(head: bytes) -> bool:
    return head.startswith(b"ID3") or (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)


def identify_mpeg_audio(stream: BinaryIO, size: int) -> MediaFormat:
    offset = _after_id3(stream, size)
    window = read_at(stream, offset, _MAX_LEADING_PADDING + 4)
    skipped = len(window) - len(window.lstrip(b"\0"))
    offset += skipped
    header = read_at(stream, offset, 7)
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        raise AttachmentRejected("unknown_type", _UNKNOWN)
    if header[1] & 0x06 == 0:  # layer bits 00: ADTS (AAC)
        return _check_frames(stream, size, offset, (_adts_length, 7), AAC, "an AAC audio file")
    return _check_frames(stream, size, offset, (_mp3_length, 4), MP3, "an MP3 audio file")


_UNKNOWN = (
    "This file is not an audio file we recognise. Send MP3, M4A, AAC, Ogg (Opus or Vorbis) or WAV audio."
)


def _after_id3(stream: BinaryIO, size: int) -> int:
    tag = read_at(stream, 0, 10)
    if not tag.startswith(b"ID3"):
        return 0
    if len(tag) < 10 or any(byte & 0x80 for byte in tag[6:10]) or tag[3] == 0xFF or tag[4] == 0xFF:
        raise malformed("an MP3 audio file", "its ID3 tag header is invalid")
    length = (tag[6] << 21) | (tag[7] << 14) | (tag[8] << 7) | tag[9]
    end = 10 + length + (10 if tag[5] & 0x10 else 0)  # a footer repeats the header
    if end >= size:
        raise malformed("an MP3 audio file", "it holds a tag but no audio")
    return end


def _mp3_length(header: bytes) -> int | None:
    """The frame length in bytes of a Layer III frame header, or None if it is not one."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version = (header[1] >> 3) & 0x03  # 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5, 1: reserved
    layer = (header[1] >> 1) & 0x03  # 1: Layer III
    bitrate_index = header[2] >> 4
    rate_index = (header[2] >> 2) & 0x03
    if version == 1 or layer != 1 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    bitrate = _MP3_BITRATES["1" if version == 3 else "2"][bitrate_index] * 1000
    rate = _MP3_RATES[version][rate_index]
    padding = (header[2] >> 1) & 0x01
    factor = 144 if version == 3 else 72
    return factor * bitrate // rate + padding


def _adts_length(header: bytes) -> int | None:
    """The frame length in bytes of an ADTS header (7 bytes), or None if it is not one."""
    if len(header) < 7 or header[0] != 0xFF or header[1] & 0xF6 != 0xF0:
        return None
    if (header[2] >> 2) & 0x0F > 12:  # sampling frequency index 13-15 are reserved
        return None
    length = ((header[3] & 0x03) << 11) | (header[4] << 3) | (header[5] >> 5)
    return length if length >= 7 else None


FrameHeader = tuple[Callable[[bytes], int | None], int]  # frame length from a header; header size


def _check_frames(
    stream: BinaryIO, size: int, offset: int, frames: FrameHeader, fmt: MediaFormat, what: str
) -> MediaFormat:
    length_of, header_size = frames
    first = length_of(read_at(stream, offset, header_size))
    if first is None:
        raise malformed(what, "its first frame header is invalid")
    following = offset + first
    if following >= size:
        return fmt  # a single frame: very short, but sound
    second = read_at(stream, following, header_size)
    if len(second) < header_size or length_of(second) is None:
        raise malformed(what, "its frames do not follow one another")
    return fmt
