"""The rows about one subject, as JSON-able values, with the files they hold.

Access (collect.py) and portability (portability.py) read the same thing: every catalogued
row about the subject, through both of the catalog's links (the key that seals it, and
`privacy_person`), each declared field read through the ORM and every encrypted value
opened by the vault (`EncryptedField.open_stored`: the same key, row and column checks as
reading it on an instance). Only the subject's rows are touched: every look-up is an
indexed filter on a subject id (the catalog's paths), so the cost follows the subject's
own data, not the size of the tables.

Cost. One query per model and link, selecting only the primary key and the declared
columns (`values_list`, no model instances). The values are sealed under several keys
(the person's, each order's and invoice's own, each request-log day's): the keys named
in the values are fetched together in one key-store query (`holding_data_keys`) and held
only while the values are opened, instead of one look-up per key.

Values become JSON as a person reads them: text and numbers as they are, decimals as
strings (no float rounding of money), dates and times in ISO 8601, UUIDs as text, a file
as its place in the package. Credentials (`user.authorization.*`: the password hash, the
second-factor secret) are never copied into a download, where they would help whoever
intercepts it; the package says that they are held instead. A value whose key was
destroyed (an erasure) is reported as erased, not as an error.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.fields.files import FieldFile

from privacy.catalog.declarations import PersonalData
from privacy.catalog.registry import Catalog, declared_fields
from privacy.vault.errors import SubjectErased
from privacy.vault.fields import EncryptedField, Sealed, subject_of_value
from privacy.vault.file_fields import EncryptedFileField
from privacy.vault.files import EncryptedFile
from privacy.vault.keys import holding_data_keys

# Categories whose values are shown as held, never copied (a credential in a download).
WITHHELD_CATEGORIES = ("user.authorization",)
WITHHELD = {"withheld": "credential"}
ERASED = {"unreadable": "erased"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class FieldInfo:
    name: str
    label: str  # the model field's verbose name, in the active language
    declared: PersonalData

    @property
    def withheld(self) -> bool:
        category = self.declared.category
        return any(category == key or category.startswith(f"{key}.") for key in WITHHELD_CATEGORIES)


@dataclass(frozen=True)
class StoredFile:
    """One file a row holds, and where it goes in a package."""

    model: str
    row: str
    field: str
    name: str
    size: int
    path: str  # inside the zip: files/<model>/<row id>-<safe name>
    source: EncryptedFile | FieldFile

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "row": self.row,
            "field": self.field,
            "name": self.name,
            "size": self.size,
            "path": self.path,
        }

    def chunks(self) -> Iterator[bytes]:
        """The plaintext, a chunk at a time: never the whole file in memory."""
        if isinstance(self.source, EncryptedFile):
            yield from self.source.chunks()
            return
        with self.source.open("rb") as handle:
            yield from iter(lambda: handle.read(1 << 20), b"")


@dataclass(frozen=True)
class ModelRows:
    """The subject's rows of one model, their declared values, and their files."""

    model: type[models.Model]
    fields: tuple[FieldInfo, ...]
    rows: tuple[dict[str, Any], ...]  # {"id": ..., "values": {field: JSON value}}
    files: tuple[StoredFile, ...]

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def title(self) -> str:
        return str(self.model._meta.verbose_name_plural)


def safe_name(text: str, *, limit: int = 80) -> str:
    """A file name that is safe in a zip on any system: letters, digits, dot, dash, underscore."""
    cleaned = _UNSAFE.sub("_", text).strip("._")
    return cleaned[:limit] or "file"


def json_value(value: Any) -> Any:
    """A declared value as JSON: exact numbers as strings, times in ISO 8601."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return str(value)


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


# The field that names a stored file in a package, when the model has one.
DISPLAY_NAME = "display_name"


@dataclass(frozen=True)
class _Plan:
    """What to read of one model: the columns selected, and which of them each field is."""

    model: type[models.Model]
    fields: tuple[FieldInfo, ...]
    concrete: tuple[models.Field[Any, Any], ...]  # the model field of each of `fields`
    columns: tuple[str, ...]  # attnames: the primary key, `fields`, then the display name if extra
    display: int | None  # the column of the file's display name, if the model has one


def _plan(model: type[models.Model], provided_only: bool) -> _Plan | None:
    declared = declared_fields(model)
    picked = [(field, mine) for field, mine in declared if mine.provided_by_subject or not provided_only]
    if not picked and provided_only:
        return None
    fields = tuple(FieldInfo(field.name, str(field.verbose_name), mine) for field, mine in picked)
    concrete = tuple(field for field, _ in picked)
    columns = [model._meta.pk.attname, *(field.attname for field in concrete)]
    display: int | None = None
    if any(isinstance(field, EncryptedFileField | models.FileField) for field in concrete):
        names = [field.name for field in concrete]
        if DISPLAY_NAME in names:
            display = 1 + names.index(DISPLAY_NAME)
        else:
            try:
                shown = model._meta.get_field(DISPLAY_NAME)
            except FieldDoesNotExist:  # files are named by their field
                shown = None
            if isinstance(shown, models.Field) and shown.concrete:
                display = len(columns)
                columns.append(shown.attname)
    return _Plan(model, fields, concrete, tuple(columns), display)


def _open(field: models.Field[Any, Any], pk: Any, stored: Any) -> Any:
    """A selected column's value as the model gives it: an encrypted one opened by the vault."""
    if isinstance(stored, Sealed) and isinstance(field, EncryptedField):
        try:
            return field.open_stored(stored, pk)
        except SubjectErased:
            return ERASED
    if isinstance(stored, EncryptedFile) and isinstance(field, EncryptedFileField):
        return EncryptedFile(stored.id, stored.size, field.owner_label(pk))  # bound to its row
    if isinstance(field, models.FileField):
        # An unsaved stand-in of the row: the file is only read (name, size, open), never saved.
        file_class = getattr(field, "attr_class", FieldFile)
        return file_class(field.model(pk=pk), field, stored)
    return stored


def _file_of(label: str, pk: Any, field: models.Field[Any, Any], value: Any, shown: Any) -> StoredFile | None:
    if isinstance(value, EncryptedFile):
        name = shown if isinstance(shown, str) and shown else field.name
        size = value.size
    elif isinstance(value, FieldFile) and value.name:
        name = value.name.rsplit("/", 1)[-1]
        size = value.size
    else:
        return None
    path = f"files/{label}/{pk}-{safe_name(name)}"
    return StoredFile(label, str(pk), field.name, name, size, path, value)


def model_rows(catalog: Catalog, subject_id: UUID, *, provided_only: bool = False) -> list[ModelRows]:
    """The subject's rows per catalogued model, in the catalog's order, models without rows left out.

    `provided_only`: only the fields the subject provided, and not SogaWorks' own records
    about them (rows found only through an "unlink" person link): portability, GDPR Art. 20.
    """
    fetched: list[tuple[_Plan, list[tuple[Any, ...]]]] = []
    for model, querysets in catalog.querysets_about_subject(subject_id, company_records=not provided_only):
        plan = _plan(model, provided_only)
        if plan is None:
            continue
        rows: dict[Any, tuple[Any, ...]] = {}
        for queryset in querysets:
            # No ORDER BY: the rows are sorted here, and a model's default ordering can cost
            # a join or a sort in the database. A row found through both links is read once.
            for values in queryset.order_by().values_list(*plan.columns):
                rows.setdefault(values[0], values)
        if rows:
            fetched.append((plan, [rows[pk] for pk in sorted(rows)]))
    keys = {
        subject_of_value(value.blob)
        for _, rows_ in fetched
        for values in rows_
        for value in values
        if isinstance(value, Sealed)
    }
    with holding_data_keys(keys):
        return [_model_rows(plan, rows_) for plan, rows_ in fetched]


# How a selected column is read: as it comes, opened by the vault, or as a stored file.
_PLAIN, _SEALED, _FILE = 0, 1, 2


def _kind(field: models.Field[Any, Any]) -> int:
    if isinstance(field, EncryptedField):
        return _SEALED
    if isinstance(field, EncryptedFileField | models.FileField):
        return _FILE
    return _PLAIN


def _model_rows(plan: _Plan, rows: list[tuple[Any, ...]]) -> ModelRows:
    label = plan.model._meta.label
    columns = [
        (column, info.name, field, _kind(field), info.withheld)
        for column, (info, field) in enumerate(zip(plan.fields, plan.concrete, strict=True), start=1)
    ]
    display_field = plan.model._meta.get_field(DISPLAY_NAME) if plan.display is not None else None
    records: list[dict[str, Any]] = []
    files: list[StoredFile] = []
    for values in rows:
        pk = values[0]
        shown: Any = None
        if plan.display is not None and display_field is not None:
            shown = _open(display_field, pk, values[plan.display])  # type: ignore[arg-type]
        record: dict[str, Any] = {}
        for column, name, field, kind, withheld in columns:
            stored = values[column]
            if kind == _PLAIN and not withheld:
                record[name] = stored if stored is None or type(stored) is str else json_value(stored)
                continue
            value = _open(field, pk, stored)
            if withheld:
                record[name] = None if is_empty(value) else WITHHELD
            elif kind == _SEALED or value is ERASED:
                record[name] = value if value is ERASED or type(value) is str else json_value(value)
            else:
                found = _file_of(label, pk, field, value, shown)
                if found is not None:
                    files.append(found)
                    record[name] = {"file": found.path, "name": found.name, "size": found.size}
                else:
                    record[name] = (
                        None if value is None or isinstance(value, FieldFile) else json_value(value)
                    )
        records.append({"id": str(pk), "values": record})
    return ModelRows(plan.model, plan.fields, tuple(records), tuple(files))
