"""EncryptedFileField: a row's uploaded file, encrypted under its subject's key in the file store.

The column holds "<file id>:<plaintext size>" — nothing personal; `values_list()` yields
`EncryptedFile` references, so an erasure can delete the files by id. Assign an upload (a
Django File or UploadedFile, bytes, a binary stream or an iterable of bytes) and save():
`pre_save` streams it through encryption into the store, bound to this row and field (the
header's owner), and the attribute becomes an `EncryptedFile` to read or stream with
`encrypted_file_response`. Assigning another row's EncryptedFile copies its content under
this row's binding, so deleting one never breaks the other.

A replaced file is not deleted at save() (the transaction may still roll back): it stays
encrypted under the subject's key until deleted with `delete_file` or until the subject
is erased.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core import checks
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.fields import AutoFieldMixin
from django.db.models.query_utils import DeferredAttribute

from privacy.catalog.declarations import ErasureMethod, declaration_of, personal
from privacy.vault.errors import EncryptedFieldMisuse, MissingPrimaryKey
from privacy.vault.file_format import CHUNK_SIZE
from privacy.vault.files import EncryptedFile, save_file
from privacy.vault.subjects import subject_id_of


class EncryptedFileDescriptor(DeferredAttribute):
    field: EncryptedFileField

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        attname = self.field.attname
        data = instance.__dict__
        if attname not in data:
            super().__get__(instance, cls)
        value = data[attname]
        if isinstance(value, EncryptedFile) and value.owner is None:  # as loaded: bind it to this row
            value = EncryptedFile(value.id, value.size, self.field.owner_label(instance.pk))
            data[attname] = value
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedFileField(models.Field[Any, Any]):
    descriptor_class = EncryptedFileDescriptor

    def __init__(
        self,
        *args: Any,
        category: str | None = None,
        context: str | None = None,
        erasure: ErasureMethod = "destroy_key",
        provided_by_subject: bool = True,
        **kwargs: Any,
    ) -> None:
        kwargs["max_length"] = 64
        super().__init__(*args, **kwargs)
        if category is not None or context is not None:
            if not (category and context):
                raise TypeError("EncryptedFileField needs both category= and context=, or neither")
            personal(
                self,
                category=category,
                context=context,
                erasure=erasure,
                provided_by_subject=provided_by_subject,
            )

    def owner_label(self, pk: Any) -> str:
        return f"{self.model._meta.label_lower}.{self.name}:{self.model._meta.pk.to_python(pk)}"

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        data = model_instance.__dict__
        value = data.get(self.attname)
        if value is None:
            return None
        pk = model_instance.pk
        if pk is None:
            raise MissingPrimaryKey(
                f"{model_instance._meta.label} has an encrypted file, which is bound to the primary key, "
                "but this row has none yet: inherit privacy.vault.personal_model.PersonalModel"
            )
        owner = self.owner_label(pk)
        if isinstance(value, EncryptedFile) and value.owner in (None, owner):
            return value.to_column()
        if isinstance(value, EncryptedFile):
            source: Any = value.chunks()
        elif hasattr(value, "chunks"):  # django.core.files.File, UploadedFile
            source = value.chunks(CHUNK_SIZE)
        else:
            source = value
        stored = save_file(subject_id_of(model_instance), source, owner=owner)
        data[self.attname] = stored
        return stored.to_column()

    def get_internal_type(self) -> str:
        return "CharField"

    def get_db_prep_value(self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False) -> Any:
        if value is None or isinstance(value, str):
            return value
        raise EncryptedFieldMisuse(
            f"{self.model._meta.label}.{self.name} is written through Model.save(), not QuerySet.update()"
        )

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        # An unbound reference: `values_list()` gives these (erasure deletes files by their id).
        return None if value is None else EncryptedFile.from_column(value)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise EncryptedFieldMisuse(
            f"{self.model._meta.label}.{self.name} is an encrypted file reference; only isnull can be queried"
        )

    def value_to_string(self, obj: models.Model) -> str:
        value = getattr(obj, self.attname)
        return value.to_column() if isinstance(value, EncryptedFile) else ""

    def save_form_data(self, instance: models.Model, data: Any) -> None:
        if data is False:  # the form's "clear" box
            setattr(instance, self.attname, None)
        elif data is not None:
            setattr(instance, self.attname, data)

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        return super().formfield(form_class or forms.FileField, choices_form_class, **kwargs)

    def deconstruct(self) -> tuple[str, str, Any, dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_length", None)
        return name, path, args, kwargs

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = list(super().check(**kwargs))
        label = f"{self.model._meta.label}.{self.name}"
        if declaration_of(self) is None:
            errors.append(
                checks.Error(
                    f"{label} is an encrypted file but declares no category= and context=",
                    obj=self,
                    id="vault.E001",
                )
            )
        if isinstance(self.model._meta.pk, AutoFieldMixin):
            errors.append(
                checks.Error(
                    f"{label} is bound to the primary key, which {self.model._meta.label} gets from the "
                    "database too late",
                    hint="Inherit privacy.vault.personal_model.PersonalModel (a UUIDv7 primary key).",
                    obj=self,
                    id="vault.E002",
                )
            )
        return errors
