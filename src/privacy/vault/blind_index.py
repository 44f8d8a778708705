"""Exact-match look-ups on encrypted values: a keyed hash stored beside the ciphertext.

`BlindIndexField(source="email", normalizer=normalize_email)` stores
HMAC-SHA256(field key, normalizer(plaintext)) truncated to 16 bytes, computed in
`pre_save` from the source field. The field key is derived with HKDF from the blind-index
key and the field's label ("accounts.user.email_index"), so equal values in two fields
(or two deployments) do not hash alike. Look-ups build the same hash:

    User.objects.filter(email_index=blind_index(User, "email_index", "A@B.com"))

The index is not the value, but it is not nothing: anyone holding the index key and a
guess can test it, and equal values within one field are visibly equal. It is deleted with
the row; destroying the subject's data key does not make it unreadable (docs/decisions/0003).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
import unicodedata
from collections.abc import Callable
from typing import Any

from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

from privacy.catalog.declarations import not_personal
from privacy.vault.crypto import derive_key
from privacy.vault.fields import EncryptedField, is_as_loaded
from privacy.vault.keyring import index_key

DIGEST_BYTES = 16
Normalizer = Callable[[str], str]


def normalize_exact(value: str) -> str:
    return value


def normalize_email(value: str) -> str:
    """Case and surrounding spaces do not make another address (for look-up purposes)."""
    return unicodedata.normalize("NFKC", value).strip().casefold()


normalize_username = normalize_email

_NOT_DIGITS = re.compile(r"\D")


def normalize_phone(value: str) -> str:
    """Digits only, keeping a leading "+": "+44 (20) 7946-0018" -> "+442079460018"."""
    value = value.strip()
    return ("+" if value.startswith("+") else "") + _NOT_DIGITS.sub("", value)


_keys: dict[str, bytes] = {}
_keys_lock = threading.Lock()


def _field_key(label: str) -> bytes:
    found = _keys.get(label)
    if found is None:
        found = derive_key(index_key(), info=b"pledge.vault.blind-index.v1|" + label.encode())
        with _keys_lock:
            _keys[label] = found
    return found


def forget_index_keys() -> None:
    """Drop the derived field keys (after the index key changed: tests)."""
    with _keys_lock:
        _keys.clear()


class BlindIndexField(models.Field[Any, Any]):
    """A 16-byte keyed hash of another field's normalised plaintext, for exact-match filters."""

    def __init__(
        self,
        *args: Any,
        source: str | None = None,
        normalizer: Normalizer = normalize_exact,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("null", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)
        self.source = source
        self.normalizer = normalizer
        not_personal(
            self,
            reason=f"keyed hash (HMAC) of {source or 'another field'} for exact-match look-ups; "
            "it cannot be reversed without the index key and is deleted with the row",
        )

    @property
    def label(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def digest(self, value: Any) -> bytes:
        text = self.normalizer(value if isinstance(value, str) else str(value))
        return hmac.new(_field_key(self.label), text.encode(), hashlib.sha256).digest()[:DIGEST_BYTES]

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        assert self.source is not None
        current = model_instance.__dict__.get(self.attname)
        source = self.model._meta.get_field(self.source)
        if (
            current is not None
            and isinstance(source, EncryptedField)
            and is_as_loaded(model_instance, source)
        ):
            return current  # read with the source from the database; the source has not changed since
        plaintext = getattr(model_instance, self.source)
        value = None if plaintext is None else self.digest(plaintext)
        setattr(model_instance, self.attname, value)
        return value

    def get_internal_type(self) -> str:
        return "BinaryField"

    def get_db_prep_value(self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False) -> Any:
        if value is None:
            return None
        if not isinstance(value, bytes | bytearray | memoryview):
            raise TypeError(
                f"{self.model._meta.label}.{self.name} compares hashes: filter on "
                f"blind_index({self.model.__name__}, {self.name!r}, value), not on the value itself"
            )
        return bytes(value)

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        return None if value is None else bytes(value)

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = list(super().check(**kwargs))
        if not self.source:
            errors.append(checks.Error(f"{self.label} needs source=", obj=self, id="vault.E010"))
        else:
            try:
                self.model._meta.get_field(self.source)
            except FieldDoesNotExist:
                errors.append(
                    checks.Error(
                        f"{self.label}: source {self.source!r} is not a field", obj=self, id="vault.E010"
                    )
                )
        return errors


def blind_index(model: type[models.Model], field_name: str, value: str) -> bytes:
    """The hash to filter `model.field_name` by, for the plaintext `value`."""
    field = model._meta.get_field(field_name)
    if not isinstance(field, BlindIndexField):
        raise TypeError(f"{model._meta.label}.{field_name} is not a BlindIndexField")
    if value is None:
        raise ValueError("blind_index() of None: filter on the index's isnull instead")
    return field.digest(value)
