"""Ogg audio (Opus or Vorbis): a chain of pages, each with an "OggS" header and a lacing table.

The file is accepted when its pages tile it exactly, the first page begins a stream, and
the stream's first packet is an Opus or Vorbis identification header. Other Ogg payloads
(FLAC, Speex, Theora video) are refused: chat takes the audio formats that every browser
plays. Nothing is decoded.
"""

from __future__ import annotations

from typing import BinaryIO

from chat.uploads.reading import read_at
from chat.uploads.result import AttachmentRejected, MediaFormat, malformed

OPUS = MediaFormat("audio", "ogg_opus", "audio/ogg", "opus")
VORBIS = MediaFormat("audio", "ogg_vorbis", "audio/ogg", "ogg")

WHAT = "an Ogg audio file"
_HEADER = 27
_BEGINS_STREAM = 0x02
_MAX_PAGES = 2_000_000  # a page holds at least 27 bytes; this bounds the walk of any file we accept


def starts_like_ogg(head: bytes) -> bool:
    return head.startswith(b"OggS")


def identify_ogg(stream: BinaryIO, size: int) -> MediaFormat:
    position, pages, first_packet = 0, 0, b""
    while position < size:
        pages += 1
        if pages > _MAX_PAGES:
            raise malformed(WHAT, "it has more pages than any real file")
        header = read_at(stream, position, _HEADER)
        if len(header) < _HEADER or header[:4] != b"OggS":
            raise malformed(WHAT, "a page does not start where the previous one ended")
        if header[4] != 0:
            raise malformed(WHAT, "a page has an unknown version")
        if pages == 1 and not header[5] & _BEGINS_STREAM:
            raise malformed(WHAT, "its first page does not begin a stream")
        segments = header[26]
        lacing = read_at(stream, position + _HEADER, segments)
        if len(lacing) < segments:
            raise malformed(WHAT, "a page is cut short")
        body = position + _HEADER + segments
        end = body + sum(lacing)
        if end > size:
            raise malformed(WHAT, "its last page is cut short")
        if pages == 1:
            first_packet = read_at(stream, body, 8)
        position = end
    if first_packet.startswith(b"OpusHead"):
        return OPUS
    if first_packet.startswith(b"\x01vorbis"):
        return VORBIS
    raise AttachmentRejected(
        "unsupported_codec",
        "This Ogg file does not hold Opus or Vorbis audio. Send MP3, M4A, Ogg (Opus) or WAV.",
    )
