"""Model fields stored encrypted under the subject's data key, read back through the ORM.

A value is sealed in `pre_save`, where the instance gives the primary key and the subject,
and opened lazily by the descriptor on first attribute access; the plaintext is then kept
on the instance, so a value is decrypted at most once per load and re-encrypted only when
it changed (or the row's key or subject did).

Stored bytes: version (1) | subject id (16) | nonce (12) | AES-GCM ciphertext and tag.
The associated data is version | subject id | "app_label.model_name.field_name:pk", so a
value copied to another row or column, or relabelled with another subject, fails to open
(CiphertextCorrupted). The subject id travels inside the value so that reading never has
to follow the row's relations to find the key.

What the ORM cannot do with ciphertext is refused with EncryptedFieldMisuse rather than
silently wrong: filtering by value (use a BlindIndexField), QuerySet.update() and
bulk_update() (no instance to bind to), and serialising (dumpdata).
"""

from __future__ import annotations

import json
from enum import Enum
from typing import Any
from uuid import UUID

from django import forms
from django.core import checks, validators
from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.fields import AutoFieldMixin
from django.db.models.lookups import Exact
from django.db.models.query_utils import DeferredAttribute

from privacy.catalog.declarations import ErasureMethod, declaration_of, personal
from privacy.vault.crypto import NONCE_BYTES, TAG_BYTES, Key, open_, seal
from privacy.vault.errors import CiphertextCorrupted, EncryptedFieldMisuse, MissingPrimaryKey
from privacy.vault.keys import data_key
from privacy.vault.redaction import remember_personal_value
from privacy.vault.subjects import subject_id_of

VALUE_VERSION = 1
HEADER_BYTES = 1 + 16


def seal_value(key: Key, subject_id: UUID, label: bytes, plaintext: bytes) -> bytes:
    """The stored form of one value: header, then `seal` with the header and label as associated data."""
    header = bytes((VALUE_VERSION,)) + subject_id.bytes
    return header + seal(key, header + label, plaintext)


# One-entry memos: the fields of a row share its subject and primary key, and building a
# UUID from bytes or a UUID's text costs more than the AES-GCM call for a short value.
_last_subject: tuple[bytes, UUID] = (b"", UUID(int=0))
_last_pk_text: tuple[object, bytes] = (None, b"")


def subject_of_value(blob: bytes) -> UUID:
    global _last_subject
    if len(blob) < HEADER_BYTES + NONCE_BYTES + TAG_BYTES:
        raise CiphertextCorrupted("stored value is too short to be a vault ciphertext")
    if blob[0] != VALUE_VERSION:
        raise CiphertextCorrupted(f"stored value has unknown format version {blob[0]}")
    raw = blob[1:HEADER_BYTES]
    last = _last_subject
    if last[0] != raw:
        last = _last_subject = (raw, UUID(bytes=raw))
    return last[1]


def _pk_text(pk: object) -> bytes:
    global _last_pk_text
    last = _last_pk_text
    if last[0] is not pk:
        last = _last_pk_text = (pk, str(pk).encode())
    return last[1]


def open_value(blob: bytes, label: bytes) -> bytes:
    """The plaintext of a stored value; SubjectErased if its subject's key is gone."""
    key = data_key(subject_of_value(blob))
    return open_(key.aead, blob[:HEADER_BYTES] + label, blob[HEADER_BYTES:])


class Sealed:
    """A stored value on its way from or to the database. Its repr never shows the bytes."""

    __slots__ = ("blob",)

    def __init__(self, blob: bytes) -> None:
        self.blob = blob

    def __repr__(self) -> str:
        return "<sealed value>"


class _Missing(Enum):
    MISSING = "missing"


MISSING = _Missing.MISSING


class _Slot:
    """What an instance holds for one encrypted field (in instance.__dict__, where Django looks).

    blob: the stored ciphertext, None while a new plaintext waits for save().
    plaintext: MISSING until the blob is first opened.
    pk: the primary key the blob is bound to (MISSING: the instance's own, as loaded).
    encoded: for mutable plaintexts (JSON), the bytes sealed, to notice changes made in place.
    loaded: the blob is the one read from the database, not replaced since (blind indexes
    computed from it are still current).
    Never changed once made: a change replaces the slot, so copies of an instance never
    share a change. (A plain class rather than a frozen dataclass: it is made on every
    load and save, and a frozen dataclass's __init__ costs several times more.)
    """

    __slots__ = ("blob", "encoded", "loaded", "pk", "plaintext")

    def __init__(
        self,
        blob: bytes | None,
        plaintext: Any,
        pk: Any = MISSING,
        encoded: bytes | None = None,
        loaded: bool = False,
    ) -> None:
        self.blob = blob
        self.plaintext = plaintext
        self.pk = pk
        self.encoded = encoded
        self.loaded = loaded

    def __repr__(self) -> str:
        return "<encrypted value>"

    def __reduce__(self) -> tuple[Any, ...]:
        # A pickled instance (a cache, a session) carries the ciphertext, not the plaintext.
        if self.blob is not None:
            return (_Slot, (self.blob, MISSING, self.pk, None, self.loaded))
        return (_Slot, (None, self.plaintext, self.pk, None, False))


class SealedValueDescriptor(DeferredAttribute):
    """Decrypts on first access and keeps the plaintext; wraps an assigned plaintext for save()."""

    field: EncryptedField

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        attname = self.field.attname
        data = instance.__dict__
        if attname not in data:
            super().__get__(instance, cls)  # a deferred field: load it
        value = data[attname]
        if isinstance(value, _Slot):
            return self.field.open_slot(instance, value) if value.plaintext is MISSING else value.plaintext
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        attname = self.field.attname
        data = instance.__dict__
        if value is None or isinstance(value, _Slot):
            data[attname] = value
        elif isinstance(value, Sealed):
            pk = data.get(instance._meta.pk.attname)
            data[attname] = _Slot(value.blob, MISSING, MISSING if pk is None else pk, loaded=True)
        else:
            current = data.get(attname)
            unchanged = (
                isinstance(current, _Slot)
                and type(current.plaintext) is type(value)
                and current.plaintext == value
            )
            if not unchanged:
                data[attname] = _Slot(None, value)


class _ExactNullOnly(Exact[Any]):
    """`filter(field=None)` becomes IS NULL; any other value cannot be compared with ciphertext."""

    def get_prep_lookup(self) -> Any:
        if self.rhs is None:
            return None
        raise EncryptedFieldMisuse(_lookup_message(self.lhs.output_field, "exact"))


def _lookup_message(field: Any, lookup: str) -> str:
    return (
        f"{field.model._meta.label}.{field.name} is encrypted and cannot be queried by value "
        f"(lookup {lookup!r}); only isnull works. For exact-match look-ups add a BlindIndexField "
        "and filter on blind_index(Model, 'field_index', value)."
    )


class EncryptedField(models.Field[Any, Any]):
    """Base of the encrypted fields: a bytes column; plaintext in Python, ciphertext in the database.

    Subclasses define how a plaintext becomes bytes (`encode`) and back (`decode`).
    `category`, `context`, `erasure` and `provided_by_subject` are the catalog's
    declaration (privacy.catalog.declarations.personal); they change no column, so
    migrations do not record them.
    """

    descriptor_class = SealedValueDescriptor
    mutable = False  # True when a plaintext can change in place (JSON)

    def __init__(
        self,
        *args: Any,
        category: str | None = None,
        context: str | None = None,
        erasure: ErasureMethod = "destroy_key",
        provided_by_subject: bool = True,
        not_held: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if category is not None or context is not None:
            if not (category and context):
                raise TypeError(f"{type(self).__name__} needs both category= and context=, or neither")
            personal(
                self,
                category=category,
                context=context,
                erasure=erasure,
                provided_by_subject=provided_by_subject,
                not_held=not_held,
            )

    # --- plaintext <-> bytes -----------------------------------------------------------

    def encode(self, value: Any) -> bytes:
        raise NotImplementedError

    def decode(self, data: bytes) -> Any:
        raise NotImplementedError

    def check_plaintext(self, value: Any) -> None:
        """Refuse at save what the database cannot refuse for us (it only sees ciphertext)."""

    # --- sealing -----------------------------------------------------------------------

    def aad_label(self, pk: Any) -> bytes:
        # self.model is the model that defines the field: a proxy or a multi-table child
        # reads its parent's values with the parent's label and the shared primary key.
        cached = self.__dict__.get("_aad_prefix")
        if cached is None or cached[0] is not self.model:
            cached = (self.model, f"{self.model._meta.label_lower}.{self.name}:".encode())
            self.__dict__["_aad_prefix"] = cached
        canonical = pk if type(pk) is UUID else self.model._meta.pk.to_python(pk)
        return cached[1] + _pk_text(canonical)

    def open_slot(self, instance: models.Model, slot: _Slot) -> Any:
        assert slot.blob is not None
        pk = instance.pk if slot.pk is MISSING else slot.pk
        encoded = open_value(slot.blob, self.aad_label(pk))
        plaintext = self.decode(encoded)
        instance.__dict__[self.attname] = _Slot(
            slot.blob, plaintext, pk, encoded if self.mutable else None, loaded=slot.loaded
        )
        remember_personal_value(plaintext)
        return plaintext

    def open_stored(self, stored: Sealed, pk: Any) -> Any:
        """The plaintext of a value read with values()/values_list() (a Sealed) from the row `pk`.

        The same checks as reading it through an instance: the key of the subject named in
        the value (`data_key`, so a `holding_data_keys` block's), and the row and column it
        was sealed for. SubjectErased if that key is gone.
        """
        plaintext = self.decode(open_value(stored.blob, self.aad_label(pk)))
        remember_personal_value(plaintext)
        return plaintext

    def _changed_in_place(self, slot: _Slot) -> bool:
        return self.mutable and slot.plaintext is not MISSING and self.encode(slot.plaintext) != slot.encoded

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        data = model_instance.__dict__
        slot = data.get(self.attname)
        if slot is None:
            return None
        if not isinstance(slot, _Slot):
            slot = _Slot(None, slot)
        pk = model_instance.pk
        if pk is None:
            raise MissingPrimaryKey(
                f"{model_instance._meta.label} has encrypted fields, which are bound to the primary key, "
                "but this row has none yet: inherit privacy.vault.personal_model.PersonalModel (a UUIDv7 "
                "primary key set in Python) or set the primary key before saving"
            )
        subject = subject_id_of(model_instance)
        bound_pk = pk if slot.pk is MISSING else slot.pk
        if (
            slot.blob is not None
            and bound_pk == pk
            and slot.blob[1:HEADER_BYTES] == subject.bytes
            and not self._changed_in_place(slot)
        ):
            return Sealed(slot.blob)
        plaintext = self.open_slot(model_instance, slot) if slot.plaintext is MISSING else slot.plaintext
        plaintext = self.to_python(plaintext)
        if plaintext is None:
            data[self.attname] = None
            return None
        self.check_plaintext(plaintext)
        encoded = self.encode(plaintext)
        blob = seal_value(data_key(subject, create=True).aead, subject, self.aad_label(pk), encoded)
        data[self.attname] = _Slot(blob, plaintext, pk, encoded if self.mutable else None)
        remember_personal_value(plaintext)
        return Sealed(blob)

    def seal_new(self, key: Key, subject_id: UUID, pk: Any, plaintext: Any) -> bytes | None:
        """The stored form of `plaintext` in a new row, under a key the caller holds (bulk creation).

        What `pre_save` stores for a new value, without the instance: the same checks,
        encoding, associated data and sealing; None for None.
        """
        plaintext = self.to_python(plaintext)
        if plaintext is None:
            return None
        self.check_plaintext(plaintext)
        return seal_value(key, subject_id, self.aad_label(pk), self.encode(plaintext))

    # --- the database side -------------------------------------------------------------

    def get_internal_type(self) -> str:
        return "BinaryField"

    def get_db_prep_value(self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False) -> Any:
        if value is None:
            return None
        if isinstance(value, Sealed):
            return value.blob
        raise EncryptedFieldMisuse(
            f"{self.model._meta.label}.{self.name} is encrypted per row: write it through Model.save() "
            "or bulk_create(), not QuerySet.update(), bulk_update() or a raw save"
        )

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        return None if value is None else Sealed(bytes(value))

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        if lookup_name == "exact":
            return _ExactNullOnly
        raise EncryptedFieldMisuse(_lookup_message(self, lookup_name))

    def get_transform(self, lookup_name: str) -> Any:
        raise EncryptedFieldMisuse(_lookup_message(self, lookup_name))

    def value_to_string(self, obj: models.Model) -> str:
        raise EncryptedFieldMisuse(
            f"{self.model._meta.label}.{self.name} is encrypted and is not serialised (dumpdata); "
            "export personal data through the rights engine"
        )

    def deconstruct(self) -> tuple[str, str, Any, dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_length", None)  # applies to the plaintext; the column is bytes
        return name, path, args, kwargs

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = list(super().check(**kwargs))
        label = f"{self.model._meta.label}.{self.name}"
        if declaration_of(self) is None:
            errors.append(
                checks.Error(
                    f"{label} is encrypted but declares no category= and context=",
                    hint="Pass category= (a data category of the declaration) and context= to the field.",
                    obj=self,
                    id="vault.E001",
                )
            )
        if isinstance(self.model._meta.pk, AutoFieldMixin):
            errors.append(
                checks.Error(
                    f"{label} is encrypted, but {self.model._meta.label}'s primary key is assigned by the "
                    "database, after the value must be sealed to it",
                    hint="Inherit privacy.vault.personal_model.PersonalModel (a UUIDv7 primary key).",
                    obj=self,
                    id="vault.E002",
                )
            )
        return errors


class EncryptedTextField(EncryptedField):
    def encode(self, value: Any) -> bytes:
        return str(value).encode()

    def decode(self, data: bytes) -> Any:
        return data.decode()

    def to_python(self, value: Any) -> Any:
        return value if value is None or isinstance(value, str) else str(value)

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        kwargs.setdefault("widget", forms.Textarea)
        return super().formfield(form_class, choices_form_class, **kwargs)


class EncryptedCharField(EncryptedTextField):
    """Text with a maximum length, in characters, of the plaintext (checked on clean and on save)."""

    def __init__(self, *args: Any, max_length: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, max_length=max_length, **kwargs)
        if max_length is not None:
            self.validators.append(validators.MaxLengthValidator(max_length))

    def check_plaintext(self, value: Any) -> None:
        if self.max_length is not None and len(value) > self.max_length:
            raise ValidationError(
                f"{self.model._meta.label}.{self.name}: the value has {len(value)} characters, "
                f"more than max_length={self.max_length}",
                code="max_length",
            )

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        if self.max_length is None or self.max_length <= 0:
            errors.append(
                checks.Error(
                    f"{self.model._meta.label}.{self.name} needs a positive max_length",
                    obj=self,
                    id="vault.E003",
                )
            )
        return errors

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        kwargs.setdefault("max_length", self.max_length)
        return models.Field.formfield(self, form_class, choices_form_class, **kwargs)


_DATES: models.DateField[Any, Any] = models.DateField()


class EncryptedDateField(EncryptedField):
    empty_strings_allowed = False

    def encode(self, value: Any) -> bytes:
        return value.isoformat().encode()

    def decode(self, data: bytes) -> Any:
        return _DATES.to_python(data.decode())

    def to_python(self, value: Any) -> Any:
        return _DATES.to_python(value)

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        return super().formfield(form_class or forms.DateField, choices_form_class, **kwargs)


class EncryptedJSONField(EncryptedField):
    """Small JSON values (preferences, a structured address). Changes made in place are saved too."""

    empty_strings_allowed = False
    mutable = True

    def __init__(self, *args: Any, encoder: type[json.JSONEncoder] | None = None, **kwargs: Any) -> None:
        self.encoder = encoder
        super().__init__(*args, **kwargs)

    def encode(self, value: Any) -> bytes:
        return json.dumps(value, cls=self.encoder, ensure_ascii=False, separators=(",", ":")).encode()

    def decode(self, data: bytes) -> Any:
        return json.loads(data)

    def to_python(self, value: Any) -> Any:
        return value

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        kwargs.setdefault("encoder", self.encoder)
        return super().formfield(form_class or forms.JSONField, choices_form_class, **kwargs)


def is_as_loaded(instance: models.Model, field: EncryptedField) -> bool:
    """True while the field holds the ciphertext read from the database, neither reassigned nor resealed."""
    slot = instance.__dict__.get(field.attname)
    return isinstance(slot, _Slot) and slot.loaded and not field._changed_in_place(slot)


# keeps: C2, C37 (personal values encrypted at rest under the subject's key)
