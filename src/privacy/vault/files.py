"""Where encrypted files are kept, behind one small interface with an in-memory fake.

`LocalFileStore` writes under settings.MEDIA_ROOT/vault/, named by a random file id only
(no personal data, no original file name, no date in any path). A file is written to a
temporary name and renamed into place when complete, so a crash never leaves a
half-written file under a real id. `MemoryFileStore` is for tests (`using_file_store`);
an S3 store would implement the same four methods.

`save_file` / `open_file` / `delete_file` are the API; `EncryptedFile` is the reference a
row keeps (id and plaintext size; EncryptedFileField stores it).
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol
from uuid import UUID

from django.conf import settings

from privacy.vault.errors import CiphertextCorrupted
from privacy.vault.file_format import CHUNK_SIZE, EncryptedFileReader, encrypt_stream, new_file_id
from privacy.vault.keys import DataKey, data_key


class FileStore(Protocol):
    def write(self, file_id: UUID, pieces: Iterable[bytes]) -> int:
        """Store the pieces as one file, atomically; the number of bytes written."""

    def open(self, file_id: UUID) -> tuple[BinaryIO, int]:
        """A seekable binary stream of the stored bytes and their length; FileNotFoundError if absent."""

    def delete(self, file_id: UUID) -> bool:
        """Remove the file; False if there was none."""

    def exists(self, file_id: UUID) -> bool: ...


class LocalFileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, file_id: UUID) -> Path:
        name = file_id.hex
        return self.root / name[:2] / name

    def write(self, file_id: UUID, pieces: Iterable[bytes]) -> int:
        final = self.path(file_id)
        final.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial = final.with_name(f".{final.name}.{os.urandom(4).hex()}.partial")
        written = 0
        try:
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as out:
                for piece in pieces:
                    out.write(piece)
                    written += len(piece)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, final)
        finally:
            partial.unlink(missing_ok=True)
        return written

    def open(self, file_id: UUID) -> tuple[BinaryIO, int]:
        stream = self.path(file_id).open("rb")
        return stream, os.fstat(stream.fileno()).st_size

    def delete(self, file_id: UUID) -> bool:
        try:
            self.path(file_id).unlink()
        except FileNotFoundError:
            return False
        return True

    def exists(self, file_id: UUID) -> bool:
        return self.path(file_id).exists()


class MemoryFileStore:
    """The in-memory fake: the same contract, bytes in a dict."""

    def __init__(self) -> None:
        self.files: dict[UUID, bytes] = {}

    def write(self, file_id: UUID, pieces: Iterable[bytes]) -> int:
        data = b"".join(pieces)
        self.files[file_id] = data
        return len(data)

    def open(self, file_id: UUID) -> tuple[BinaryIO, int]:
        data = self.files.get(file_id)
        if data is None:
            raise FileNotFoundError(f"no stored file {file_id}")
        return io.BytesIO(data), len(data)

    def delete(self, file_id: UUID) -> bool:
        return self.files.pop(file_id, None) is not None

    def exists(self, file_id: UUID) -> bool:
        return file_id in self.files


_override: list[FileStore] = []


def file_store() -> FileStore:
    if _override:
        return _override[-1]
    return LocalFileStore(Path(settings.MEDIA_ROOT) / "vault")


@contextmanager
def using_file_store(store: FileStore) -> Iterator[FileStore]:
    """Make `store` the current one inside the block (tests)."""
    _override.append(store)
    try:
        yield store
    finally:
        _override.pop()


@dataclass(frozen=True)
class EncryptedFile:
    """A stored file as a row refers to it.

    `owner` is the row and field the file is bound to ("app.model.field:pk", "" for a file
    saved outside a field); None skips the check (a reference read without its row).
    """

    id: UUID
    size: int
    owner: str | None = None

    def open(self) -> EncryptedFileReader:
        return open_file(self.id, owner=self.owner, expected_size=self.size)

    def chunks(self, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Plaintext of bytes start..end-1, in pieces of at most one chunk."""
        with self.open() as reader:
            yield from reader.iter_range(start, end)

    def to_column(self) -> str:
        return f"{self.id}:{self.size}"

    @classmethod
    def from_column(cls, text: str, owner: str | None = None) -> EncryptedFile:
        file_id, _, size = text.partition(":")
        try:
            return cls(UUID(file_id), int(size), owner)
        except ValueError:
            raise CiphertextCorrupted("stored file reference is malformed") from None


def save_file(
    subject_id: UUID,
    source: bytes | BinaryIO | Iterable[bytes],
    *,
    owner: str = "",
    chunk_size: int = CHUNK_SIZE,
    key: DataKey | None = None,
) -> EncryptedFile:
    """Encrypt `source` under the subject's key (created if needed) into the current store.

    `key`: the subject's key when the caller already holds it (bulk creation, whose new
    keys are not in the key store yet).
    """
    if key is None:
        key = data_key(subject_id, create=True)
    file_id = new_file_id()
    sizes: list[int] = []
    pieces = encrypt_stream(
        key.key,
        source,
        subject_id=subject_id,
        file_id=file_id,
        owner=owner,
        chunk_size=chunk_size,
        sizes=sizes,
    )
    file_store().write(file_id, pieces)
    return EncryptedFile(file_id, sizes[0], owner)


def open_file(
    file_id: UUID, *, owner: str | None = None, expected_size: int | None = None
) -> EncryptedFileReader:
    """A reader over a stored file; SubjectErased if its key is gone, CiphertextCorrupted if damaged.

    A file that is missing from the store is reported as corrupted: erasure destroys the
    key first, so a missing file of a live subject is damage, not an erasure.
    """
    try:
        stream, length = file_store().open(file_id)
    except FileNotFoundError:
        raise CiphertextCorrupted(f"file {file_id} is missing from the file store") from None
    return EncryptedFileReader(stream, length, file_id=file_id, owner=owner, expected_size=expected_size)


def delete_file(file_id: UUID) -> bool:
    """Remove a stored file; False if it was already gone. Idempotent, for erasure and replay."""
    return file_store().delete(file_id)
