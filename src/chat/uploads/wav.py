"""WAV: a RIFF container of type WAVE with a format chunk and a data chunk.

The chunks must tile the RIFF body (each padded to an even length), the format chunk must
come first and be at least the 16 bytes of PCMWAVEFORMAT, and a data chunk must follow.
"""

from __future__ import annotations

import struct
from typing import BinaryIO

from chat.uploads.reading import read_at
from chat.uploads.result import MediaFormat, malformed

WAV = MediaFormat("audio", "wav", "audio/wav", "wav")
WHAT = "a WAV audio file"
_MAX_CHUNKS = 10_000


def starts_like_wav(head: bytes) -> bool:
    return len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WAVE"


def identify_wav(stream: BinaryIO, size: int) -> MediaFormat:
    header = read_at(stream, 0, 12)
    (riff_size,) = struct.unpack("<I", header[4:8])
    end = 8 + riff_size
    if end > size or riff_size < 4:
        raise malformed(WHAT, "its header claims more bytes than the file has")
    position, seen = 12, list[bytes]()
    while position < end and len(seen) < _MAX_CHUNKS:
        chunk = read_at(stream, position, 8)
        if len(chunk) < 8 or end - position < 8:
            raise malformed(WHAT, "a chunk header is cut short")
        kind, length = chunk[:4], struct.unpack("<I", chunk[4:8])[0]
        if position + 8 + length > end:
            raise malformed(WHAT, "a chunk claims more bytes than the file has")
        if kind == b"fmt " and length < 16:
            raise malformed(WHAT, "its format chunk is too short")
        seen.append(kind)
        position += 8 + length + (length & 1)
    if b"fmt " not in seen or b"data" not in seen or seen.index(b"fmt ") > seen.index(b"data"):
        raise malformed(WHAT, "it needs a format chunk followed by a data chunk")
    return WAV
