"""System checks for `privacy_only_for`: a model kept only on consent must be deletable on withdrawal.

`manage.py check` fails when a model's `privacy_only_for`
- privacy.E121: names a purpose the declaration does not define, or one that does not rest
  on consent (only consent can be withdrawn);
- privacy.E122: sits on a model whose rows cannot be found per subject (no resolvable
  `privacy_subject`), so a withdrawal could not delete them;
- privacy.E123: sits on a model with a field under a legal hold, or with stored files
  (a withdrawal deletes rows, not files): the two declarations contradict each other.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.apps import apps as django_apps
from django.core import checks
from django.db import models

from privacy.catalog.registry import (
    ONLY_FOR_ATTR,
    Catalog,
    SubjectPathError,
    current_catalog,
    declared_fields,
    only_for_of,
    resolve_subject_path,
    subject_path_of,
)
from privacy.policy.loader import PolicyInvalid, current_policy
from privacy.vault.file_fields import EncryptedFileField

if TYPE_CHECKING:
    from privacy.policy.schema import Policy


@checks.register()
def check_only_for(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        policy = current_policy()
    except PolicyInvalid:
        return []  # privacy.E001 says why
    return only_for_problems(django_apps.get_models(), policy, current_catalog())


def only_for_problems(
    models_: Iterable[type[models.Model]], policy: Policy, catalog: Catalog
) -> list[checks.CheckMessage]:
    found: list[checks.CheckMessage] = []
    for model in models_:
        purpose = only_for_of(model)
        if purpose is None:
            continue
        label = model._meta.label
        declared = policy.purposes.get(purpose)
        if declared is None or declared.legal_basis != "consent":
            consent_based = sorted(k for k, p in policy.purposes.items() if p.legal_basis == "consent")
            found.append(
                checks.Error(
                    f"{label}.{ONLY_FOR_ATTR} names {purpose!r}, which is not a consent-based purpose.",
                    hint=f"Name one of: {', '.join(consent_based)}.",
                    obj=model,
                    id="privacy.E121",
                )
            )
        path = subject_path_of(model)
        try:
            if path is None:
                raise SubjectPathError(f"{label} names no privacy_subject")
            resolve_subject_path(model, path)
        except SubjectPathError as problem:
            found.append(
                checks.Error(
                    f"{label}.{ONLY_FOR_ATTR} is set, but its rows cannot be found per subject: {problem}.",
                    hint="Give the model a privacy_subject path, so that a withdrawal can delete its rows.",
                    obj=model,
                    id="privacy.E122",
                )
            )
        for field, declared_field in declared_fields(model):
            if catalog.held_by(declared_field) is not None or isinstance(
                field, models.FileField | EncryptedFileField
            ):
                found.append(
                    checks.Error(
                        f"{label}.{field.name} is held by law or stores files, but the model is kept only "
                        f"for {purpose!r} and deleted on withdrawal.",
                        hint=f"Move the field to a model without {ONLY_FOR_ATTR}.",
                        obj=model,
                        id="privacy.E123",
                    )
                )
    return found
