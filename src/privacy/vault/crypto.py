"""The primitives: AES-256-GCM sealing with associated data, key wrapping, key derivation.

Pure functions of bytes, no Django: the fields, the file format and the key store are
built on them, and the benchmark measures them directly.

`seal` returns nonce (12 bytes, random) followed by ciphertext and tag. A random 96-bit
nonce is safe for far more than the number of values one subject key will ever seal
(NIST SP 800-38D's 2**32 messages per key). Files do not use random nonces: each file has
its own derived key and counts its chunks (see files.py).
"""

from __future__ import annotations

import os
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from privacy.vault.errors import CiphertextCorrupted, WrongKey

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16

Key = bytes | AESGCM


def _aead(key: Key) -> AESGCM:
    return key if isinstance(key, AESGCM) else AESGCM(key)


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def seal(key: Key, aad: bytes, plaintext: bytes) -> bytes:
    """nonce | AES-GCM(key, nonce, plaintext, aad) — ciphertext and 16-byte tag."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + _aead(key).encrypt(nonce, plaintext, aad)


def open_(key: Key, aad: bytes, blob: bytes) -> bytes:
    """The plaintext of a `seal` blob; CiphertextCorrupted if it is short, altered or bound elsewhere."""
    if len(blob) < NONCE_BYTES + TAG_BYTES:
        raise CiphertextCorrupted("ciphertext is too short to hold a nonce and a tag")
    try:
        return _aead(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
    except InvalidTag:
        raise CiphertextCorrupted(
            "ciphertext fails authentication: it was altered, or moved from another row, column or subject"
        ) from None


WRAP_CONTEXT = b"pledge.vault.subject-key.v1|"


def wrap_aad(subject_id: UUID, master_key_id: str) -> bytes:
    return WRAP_CONTEXT + subject_id.bytes + master_key_id.encode()


def wrap_key(master: bytes, master_key_id: str, subject_id: UUID, data_key: bytes) -> bytes:
    """A data key sealed under a master key, bound to its subject and to the master key's id."""
    return seal(master, wrap_aad(subject_id, master_key_id), data_key)


def unwrap_key(master: bytes, master_key_id: str, subject_id: UUID, wrapped: bytes) -> bytes:
    try:
        data_key = open_(master, wrap_aad(subject_id, master_key_id), wrapped)
    except CiphertextCorrupted:
        raise WrongKey(
            f"the data key of subject {subject_id} does not open with master key {master_key_id!r}: "
            "the master key is wrong or the wrapped key was altered"
        ) from None
    if len(data_key) != KEY_BYTES:
        raise WrongKey(f"the data key of subject {subject_id} has the wrong length")
    return data_key


def derive_key(secret: bytes, *, info: bytes, salt: bytes | None = None) -> bytes:
    """HKDF-SHA256 to a 32-byte key; `info` names what the key is for, so keys never repeat across uses."""
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=info).derive(secret)
