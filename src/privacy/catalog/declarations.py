"""How a model field says it holds personal data, where the field is defined.

A field carries a `PersonalData` declaration (set by the vault's encrypted fields, or by
`personal()` for a field the vault does not encrypt, such as a file), or an explicit
`not_personal()` mark with a reason. A model with personal fields names the path to the
person they describe in `privacy_subject`: "self" for the subject's own row, otherwise a
chain of relations ("customer", "thread__customer") ending at a model whose
`subject_id` identifies the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeVar

from django.db import models

ErasureMethod = Literal["destroy_key", "delete_row", "anonymise", "clear"]

FieldT = TypeVar("FieldT", bound=models.Field)  # type: ignore[type-arg]

PERSONAL_ATTR = "personal_data"
NOT_PERSONAL_ATTR = "not_personal_reason"


@dataclass(frozen=True)
class PersonalData:
    """What the catalog knows of one personal field."""

    category: str  # a fideslang data category the declaration lists for `context`
    context: str  # a collection context key of the declaration
    erasure: ErasureMethod = "destroy_key"
    provided_by_subject: bool = True  # portability covers only what the subject provided
    # Why the legal hold of the field's retention rule does not reach it, when it does not:
    # a working copy that the law does not require kept (an address book, whose entries an
    # order copies into its own, held, record). Such a field is erased with its subject.
    not_held: str | None = None


def personal(
    field: FieldT,
    *,
    category: str,
    context: str,
    erasure: ErasureMethod = "destroy_key",
    provided_by_subject: bool = True,
    not_held: str | None = None,
) -> FieldT:
    if not_held is not None and not not_held.strip():
        raise ValueError("personal(not_held=...) needs a reason")
    setattr(field, PERSONAL_ATTR, PersonalData(category, context, erasure, provided_by_subject, not_held))
    return field


def not_personal(field: FieldT, *, reason: str) -> FieldT:
    if not reason.strip():
        raise ValueError("not_personal() needs a reason")
    setattr(field, NOT_PERSONAL_ATTR, reason)
    return field


def declaration_of(field: object) -> PersonalData | None:
    found = getattr(field, PERSONAL_ATTR, None)
    return found if isinstance(found, PersonalData) else None
