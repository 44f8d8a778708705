"""Access and erasure cost what the subject's own rows cost: every column the catalog filters or
joins on to find a subject's rows is indexed, so no look-up scans a table."""

from __future__ import annotations

from django.db import models

from privacy.catalog.registry import SELF, SUBJECT_FIELD, current_catalog, person_path_of, subject_path_of


def _indexed(model: type[models.Model], name: str) -> bool:
    """An index whose first column is the field: its own, a unique one, or one in Meta."""
    field = model._meta.get_field(name)
    if (
        getattr(field, "db_index", False)
        or getattr(field, "unique", False)
        or getattr(field, "primary_key", False)
    ):
        return True
    firsts = [index.fields[0].lstrip("-") for index in model._meta.indexes if index.fields]
    firsts += [
        constraint.fields[0]
        for constraint in model._meta.constraints
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields
    ]
    return name in firsts


def _unindexed_steps(model: type[models.Model], lookup: str) -> list[str]:
    missing: list[str] = []
    current = model
    for step in lookup.split("__"):
        if not _indexed(current, step):
            missing.append(f"{current._meta.label}.{step}")
        field = current._meta.get_field(step)
        if field.is_relation and isinstance(field.related_model, type):
            current = field.related_model
    return missing


def test_every_column_on_a_subjects_path_is_indexed() -> None:
    missing: list[str] = []
    for model in current_catalog().models:
        path = subject_path_of(model)
        if path is not None:
            missing += _unindexed_steps(model, SUBJECT_FIELD if path == SELF else f"{path}__{SUBJECT_FIELD}")
        person = person_path_of(model)
        if person is not None:
            missing += _unindexed_steps(model, person)

    assert missing == []
