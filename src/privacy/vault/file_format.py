"""Encrypted files in chunks, so that uploads of hundreds of MB stream in and out in bounded memory.

Layout: a header, then chunks of CHUNK_SIZE plaintext bytes (the last one shorter, and
present even for an empty file), each sealed with AES-256-GCM and followed by its tag.

    header = b"PVF" | version (1) | chunk size (u32) | subject id (16) | file id (16)
             | salt (16) | owner length (u16) | owner (utf-8: "app.model.field:pk", or "")

Every file has its own key, HKDF(subject's data key, salt, file id): chunk nonces can then
simply count (chunk index as u64 | 3 zero bytes | final flag), with no risk of repeating
under a key. The nonce and the associated data (the whole header, the index and the final
flag) make the chunks a STREAM construction (Hoang et al., 2015): a chunk moved within
the file, taken from another file, dropped from the end, or a header altered, fails to
open. Readers check that the last chunk carries the final flag before serving anything.

A range read decrypts only the chunks that cover the range.
"""

from __future__ import annotations

import os
import struct
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from privacy.vault.crypto import TAG_BYTES, derive_key
from privacy.vault.errors import CiphertextCorrupted
from privacy.vault.keys import data_key

MAGIC = b"PVF"
FILE_VERSION = 1
CHUNK_SIZE = 64 * 1024
_FIXED = struct.Struct(">3sBI16s16s16sH")
MAX_OWNER_BYTES = 1024


@dataclass(frozen=True)
class FileHeader:
    chunk_size: int
    subject_id: UUID
    file_id: UUID
    salt: bytes = field(repr=False)
    owner: str

    def pack(self) -> bytes:
        owner = self.owner.encode()
        fixed = _FIXED.pack(
            MAGIC,
            FILE_VERSION,
            self.chunk_size,
            self.subject_id.bytes,
            self.file_id.bytes,
            self.salt,
            len(owner),
        )
        return fixed + owner

    @classmethod
    def read_from(cls, stream: BinaryIO) -> tuple[FileHeader, bytes]:
        fixed = stream.read(_FIXED.size)
        if len(fixed) != _FIXED.size:
            raise CiphertextCorrupted("encrypted file is shorter than its header")
        magic, version, chunk_size, subject, file_id, salt, owner_length = _FIXED.unpack(fixed)
        if magic != MAGIC or version != FILE_VERSION:
            raise CiphertextCorrupted("not an encrypted file of a known version")
        if not 0 < chunk_size <= 64 * 1024 * 1024 or owner_length > MAX_OWNER_BYTES:
            raise CiphertextCorrupted("encrypted file header is out of range")
        owner = stream.read(owner_length)
        if len(owner) != owner_length:
            raise CiphertextCorrupted("encrypted file is shorter than its header")
        header = cls(
            chunk_size, UUID(bytes=subject), UUID(bytes=file_id), salt, owner.decode(errors="replace")
        )
        return header, fixed + owner


def _file_aead(key: bytes, header: FileHeader) -> AESGCM:
    return AESGCM(derive_key(key, salt=header.salt, info=b"pledge.vault.file.v1|" + header.file_id.bytes))


def _nonce(index: int, final: bool) -> bytes:
    return struct.pack(">Q3xB", index, final)


def _aad(header_bytes: bytes, index: int, final: bool) -> bytes:
    return header_bytes + struct.pack(">QB", index, final)


def ciphertext_length(plaintext_size: int, chunk_size: int, header_size: int) -> int:
    chunks = max(1, -(-plaintext_size // chunk_size))
    return header_size + plaintext_size + chunks * TAG_BYTES


def _pieces(source: bytes | BinaryIO | Iterable[bytes], chunk_size: int) -> Iterator[bytes]:
    if isinstance(source, bytes | bytearray | memoryview):
        view = memoryview(source)
        for start in range(0, len(view), chunk_size):
            yield bytes(view[start : start + chunk_size])
    elif hasattr(source, "read"):
        while piece := source.read(chunk_size):
            yield piece
    else:
        yield from source


def encrypt_stream(
    key: bytes,
    source: bytes | BinaryIO | Iterable[bytes],
    *,
    subject_id: UUID,
    file_id: UUID,
    owner: str = "",
    chunk_size: int = CHUNK_SIZE,
    sizes: list[int] | None = None,
) -> Iterator[bytes]:
    """The header, then each sealed chunk. Holds at most about two chunks of plaintext.

    If `sizes` is given, the plaintext size is appended to it once the stream is exhausted.
    """
    header = FileHeader(chunk_size, subject_id, file_id, os.urandom(16), owner)
    header_bytes = header.pack()
    aead = _file_aead(key, header)
    yield header_bytes
    buffer = bytearray()
    index = total = 0
    for piece in _pieces(source, chunk_size):
        buffer += piece
        total += len(piece)
        # Strictly more than one chunk buffered: the first is not the last, so seal it now.
        while len(buffer) > chunk_size:
            yield aead.encrypt(
                _nonce(index, False), bytes(buffer[:chunk_size]), _aad(header_bytes, index, False)
            )
            del buffer[:chunk_size]
            index += 1
    yield aead.encrypt(_nonce(index, True), bytes(buffer), _aad(header_bytes, index, True))
    if sizes is not None:
        sizes.append(total)


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...
    def seek(self, offset: int, whence: int = 0, /) -> int: ...
    def close(self) -> None: ...


class EncryptedFileReader:
    """Random access to one encrypted file: its size, and the plaintext of any byte range.

    Opening checks the header (file id, owner), finds the subject's key (SubjectErased if
    it is gone), and authenticates the last chunk with its final flag, so a truncated or
    extended file is refused before a byte is served.
    """

    def __init__(
        self,
        stream: _Readable,
        stored_length: int,
        *,
        file_id: UUID,
        owner: str | None = None,
        expected_size: int | None = None,
    ) -> None:
        self._stream = stream
        try:
            self.header, self._header_bytes = FileHeader.read_from(stream)  # type: ignore[arg-type]
            if self.header.file_id != file_id:
                raise CiphertextCorrupted(f"file {file_id} holds the content of another file")
            if owner is not None and self.header.owner != owner:
                raise CiphertextCorrupted(f"file {file_id} belongs to another row or field")
            self._aead = _file_aead(data_key(self.header.subject_id).key, self.header)
            step = self.header.chunk_size + TAG_BYTES
            body = stored_length - len(self._header_bytes)
            self.chunk_count = max(1, -(-body // step))
            self.size = body - self.chunk_count * TAG_BYTES
            if body < TAG_BYTES or self.size < 0:
                raise CiphertextCorrupted(f"file {file_id} is truncated")
            if expected_size is not None and expected_size != self.size:
                raise CiphertextCorrupted(f"file {file_id} does not have the size recorded for it")
            self._check_final()
        except BaseException:
            stream.close()
            raise

    def _check_final(self) -> None:
        last = self.chunk_count - 1
        try:
            self._chunk(last)
        except CiphertextCorrupted:
            try:
                self._chunk(last, final=False)
            except CiphertextCorrupted:
                raise CiphertextCorrupted(
                    f"file {self.header.file_id}: its last chunk fails authentication"
                ) from None
            raise CiphertextCorrupted(
                f"file {self.header.file_id} is truncated: its last chunk is not final"
            ) from None

    def _chunk(self, index: int, *, final: bool | None = None) -> bytes:
        if final is None:
            final = index == self.chunk_count - 1
        chunk_size = self.header.chunk_size
        self._stream.seek(len(self._header_bytes) + index * (chunk_size + TAG_BYTES))
        sealed = self._stream.read(chunk_size + TAG_BYTES)
        try:
            return self._aead.decrypt(_nonce(index, final), sealed, _aad(self._header_bytes, index, final))
        except InvalidTag:
            raise CiphertextCorrupted(
                f"file {self.header.file_id}: chunk {index} fails authentication (altered, moved, truncated)"
            ) from None

    def iter_range(self, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Plaintext bytes start..end-1 (end exclusive, None for the end of the file), chunk by chunk."""
        end = self.size if end is None else min(end, self.size)
        if start < 0 or start > end:
            raise ValueError(f"bad range {start}-{end} of a {self.size}-byte file")
        chunk_size = self.header.chunk_size
        if start == end:
            return
        for index in range(start // chunk_size, (end - 1) // chunk_size + 1):
            plaintext = self._chunk(index)
            offset = index * chunk_size
            yield plaintext[max(0, start - offset) : end - offset]

    def read_range(self, start: int, end: int) -> bytes:
        """A small range as bytes (for large ones iterate iter_range)."""
        return b"".join(self.iter_range(start, end))

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> EncryptedFileReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<EncryptedFileReader {self.header.file_id} {self.size} bytes>"


def new_file_id() -> UUID:
    """Random, so that a stored name says nothing of its owner, its content or its time."""
    return uuid.uuid4()
