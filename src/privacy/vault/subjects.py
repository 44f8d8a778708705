"""Which person a row belongs to: its `privacy_subject` path, followed on the instance.

The names are the catalog's (privacy.catalog.registry): "self" for the subject's own row
(read its `subject_id`), otherwise relations joined by "__" ("thread__customer") ending at
a model with a `subject_id`. The catalog checks the paths at start-up; here they are
walked on one instance, using whatever related objects it has already loaded.
"""

from __future__ import annotations

from uuid import UUID

from django.db import models

from privacy.vault.errors import SubjectUnresolved

SELF = "self"
SUBJECT_FIELD = "subject_id"
SUBJECT_ATTR = "privacy_subject"


def subject_id_of(instance: models.Model) -> UUID:
    """The subject id of the person `instance` describes; SubjectUnresolved if it has none."""
    label = instance._meta.label
    path = getattr(type(instance), SUBJECT_ATTR, None)
    if not isinstance(path, str) or not path:
        raise SubjectUnresolved(
            f"{label} has encrypted fields but names no {SUBJECT_ATTR} "
            f"('self', or a relation path such as 'customer')"
        )
    target: object = instance
    if path != SELF:
        for step in path.split("__"):
            target = getattr(target, step)
            if target is None:
                raise SubjectUnresolved(
                    f"{label} {instance.pk}: {step!r} of the path {path!r} is empty: the row has no subject"
                )
    value = getattr(target, SUBJECT_FIELD, None)
    if value is None:
        raise SubjectUnresolved(f"{label} {instance.pk}: the path {path!r} reaches no {SUBJECT_FIELD}")
    return value if isinstance(value, UUID) else UUID(str(value))
