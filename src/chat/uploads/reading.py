"""Reading a seekable upload by offset, never more than asked."""

from __future__ import annotations

import os
from typing import BinaryIO


def stream_size(stream: BinaryIO) -> int:
    """The number of bytes in the stream (it must be seekable, as Django's uploads are)."""
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def read_at(stream: BinaryIO, offset: int, length: int) -> bytes:
    """Up to `length` bytes from `offset`; fewer only at the end of the stream."""
    stream.seek(offset)
    parts: list[bytes] = []
    wanted = length
    while wanted > 0:
        piece = stream.read(wanted)
        if not piece:
            break
        parts.append(piece)
        wanted -= len(piece)
    return b"".join(parts)
