"""The vault's typed errors: each names its cause, so a page can say "this data was erased"
where that is the cause and fail loudly everywhere else.

None of them ever carries a plaintext or a key in its message.
"""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import FieldError


class VaultError(Exception):
    """Base of every error raised by the vault."""


class CiphertextCorrupted(VaultError):
    """A stored value or file is malformed or fails authentication under the subject's key.

    Raised when bytes were altered, truncated, reordered, or moved to another row, column or
    file: the associated data no longer matches, so the value is refused rather than guessed.
    """


class WrongKey(VaultError):
    """A wrapped data key does not open with the master key it names (or that key is unknown)."""


class SubjectErased(VaultError):
    """The subject's data key is gone: the subject was erased, so their data is unreadable for good."""

    def __init__(self, subject_id: UUID, detail: str = "") -> None:
        self.subject_id = subject_id
        message = f"The data of subject {subject_id} was erased: its data key no longer exists"
        super().__init__(f"{message} ({detail})" if detail else message)


class SubjectUnresolved(VaultError):
    """A row's `privacy_subject` path does not lead to a subject id, so it cannot be encrypted."""


class MissingPrimaryKey(VaultError):
    """A row with encrypted fields has no primary key yet; its values are bound to the key."""


class EncryptedFieldMisuse(VaultError, FieldError):
    """A query or bulk write that cannot work on ciphertext (filtering by value, QuerySet.update)."""
