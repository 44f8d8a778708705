"""Where the master keys and the blind-index key come from.

The master keyring is read from PLEDGE_MASTER_KEY: either one base64 key, or
"id1:base64key,id2:base64key" where the first is current (it wraps new data keys) and the
others still open data keys wrapped before a rotation. Without the variable, development
and tests use a key file under settings.PLEDGE_KEY_DIR (master.key, one "id:base64key"
per line, first current), created on first use. Production never creates a key: a
missing variable is ImproperlyConfigured, because a key made up on a server would be lost
with the server, and every value sealed under it with it.

The blind-index key (PLEDGE_INDEX_KEY or index.key) is separate: a leak of one does not
give the other, and rotating the master key does not change any index.

Both are read once per process and cached; `reset_keyrings()` forgets them (tests, and
`keys rotate --new-master`, which adds a key to the development file).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import sys
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from privacy.vault.crypto import KEY_BYTES, new_key

MASTER_ENV = "PLEDGE_MASTER_KEY"
INDEX_ENV = "PLEDGE_INDEX_KEY"
MASTER_FILE = "master.key"
INDEX_FILE = "index.key"
KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


@dataclass(frozen=True)
class MasterKey:
    id: str
    key: bytes = field(repr=False)


@dataclass(frozen=True)
class MasterKeyring:
    keys: tuple[MasterKey, ...]
    source: str  # "environment" or the path of the development key file

    @property
    def current(self) -> MasterKey:
        return self.keys[0]

    def get(self, key_id: str) -> MasterKey | None:
        return next((key for key in self.keys if key.id == key_id), None)

    @property
    def from_environment(self) -> bool:
        return self.source == "environment"


def _decode_key(text: str, what: str) -> bytes:
    text = text.strip()
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        try:
            raw = base64.urlsafe_b64decode(text)
        except (binascii.Error, ValueError):
            raise ImproperlyConfigured(f"{what} is not valid base64") from None
    if len(raw) != KEY_BYTES:
        raise ImproperlyConfigured(f"{what} must decode to {KEY_BYTES} bytes, not {len(raw)}")
    return raw


def fingerprint_id(key: bytes) -> str:
    """The id of a key given without one: a short fingerprint, stable for the same key."""
    return "fp-" + hashlib.sha256(b"pledge.vault.master-key-id|" + key).hexdigest()[:12]


def parse_keyring(text: str, *, what: str = MASTER_ENV) -> tuple[MasterKey, ...]:
    """Parse "id:base64,id:base64" (commas or newlines) or a single base64 key."""
    items = [item.strip() for item in re.split(r"[,\n]", text) if item.strip() and not item.startswith("#")]
    if not items:
        raise ImproperlyConfigured(f"{what} is empty")
    if len(items) == 1 and ":" not in items[0]:
        key = _decode_key(items[0], what)
        return (MasterKey(fingerprint_id(key), key),)
    keys: list[MasterKey] = []
    for position, item in enumerate(items, start=1):
        key_id, sep, encoded = item.partition(":")
        if not sep or not KEY_ID.match(key_id):
            raise ImproperlyConfigured(
                f"{what}: entry {position} must be 'id:base64key', the id made of letters, digits, _ - ."
            )
        if any(existing.id == key_id for existing in keys):
            raise ImproperlyConfigured(f"{what}: key id {key_id!r} appears twice")
        keys.append(MasterKey(key_id, _decode_key(encoded, f"{what} key {key_id!r}")))
    return tuple(keys)


def format_keyring(keys: tuple[MasterKey, ...]) -> str:
    return "".join(f"{key.id}:{base64.b64encode(key.key).decode()}\n" for key in keys)


def _key_dir() -> Path:
    return Path(settings.PLEDGE_KEY_DIR)


def _refuse_in_production(variable: str) -> None:
    if settings.PRODUCTION:
        raise ImproperlyConfigured(
            f"{variable} is not set. Production never creates keys: give it the key from your secret store."
        )


def _write_new_file(path: Path, text: str) -> bool:
    """Create `path` with `text` (mode 0600) unless it exists; True if this call created it.

    Written to a temporary name and linked into place, so a concurrent reader never sees a
    half-written key and two processes starting at once agree on one key.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "w") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        return True
    finally:
        temporary.unlink(missing_ok=True)


def _development_key_id() -> str:
    return "dev-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + os.urandom(2).hex()


def _development_keyring() -> MasterKeyring:
    path = _key_dir() / MASTER_FILE
    if not path.exists():
        _refuse_in_production(MASTER_ENV)
        first = MasterKey(_development_key_id(), new_key())
        if _write_new_file(path, format_keyring((first,))):
            sys.stderr.write(
                f"Created development master key at {path}. Keep it: data encrypted under it "
                f"cannot be read without it. Production reads {MASTER_ENV} instead.\n"
            )
    return MasterKeyring(parse_keyring(path.read_text(), what=str(path)), str(path))


def _load_master_keyring() -> MasterKeyring:
    configured = os.environ.get(MASTER_ENV, "").strip()
    if configured:
        return MasterKeyring(parse_keyring(configured), "environment")
    _refuse_in_production(MASTER_ENV)
    return _development_keyring()


def _load_index_key() -> bytes:
    configured = os.environ.get(INDEX_ENV, "").strip()
    if configured:
        return _decode_key(configured, INDEX_ENV)
    _refuse_in_production(INDEX_ENV)
    path = _key_dir() / INDEX_FILE
    if not path.exists() and _write_new_file(path, base64.b64encode(new_key()).decode() + "\n"):
        sys.stderr.write(
            f"Created development blind-index key at {path}. Production reads {INDEX_ENV} instead.\n"
        )
    return _decode_key(path.read_text(), str(path))


_lock = threading.Lock()
_master: MasterKeyring | None = None
_index: bytes | None = None


def master_keyring() -> MasterKeyring:
    global _master
    if _master is None:
        with _lock:
            if _master is None:
                _master = _load_master_keyring()
    return _master


def index_key() -> bytes:
    global _index
    if _index is None:
        with _lock:
            if _index is None:
                _index = _load_index_key()
    return _index


def reset_keyrings() -> None:
    """Forget the cached keys, so the next use reads the environment and key files again."""
    global _master, _index
    with _lock:
        _master = None
        _index = None


def add_development_master_key() -> MasterKey:
    """Put a new key first in the development keyring file, keeping the old ones after it.

    The old keys must stay until `keys rotate` has re-wrapped every data key (and until no
    backup of the key store wrapped under them may need restoring): `keys status` shows
    which ids still wrap keys.
    """
    if settings.PRODUCTION or os.environ.get(MASTER_ENV, "").strip():
        raise ImproperlyConfigured(
            f"--new-master only edits the development key file. With {MASTER_ENV} set, put the new "
            "key first in the variable (id:base64key,old-id:base64key) and run `keys rotate`."
        )
    keyring = _development_keyring()
    fresh = MasterKey(_development_key_id(), new_key())
    path = Path(keyring.source)
    temporary = path.with_name(f".{path.name}.new")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(format_keyring((fresh, *keyring.keys)))
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
    reset_keyrings()
    return fresh
