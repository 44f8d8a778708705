"""System checks that keep the catalog complete and true to the declaration.

`manage.py check` fails when:
- privacy.E101: a field of a project app looks personal (by name or type) and is neither
  declared nor marked `not_personal()`;
- privacy.E102: a declared category is not listed for its context, or the context is unknown;
- privacy.E103: a model with personal fields has no `privacy_subject`, or the path does not
  lead to a model with a `subject_id`;
- privacy.W104: a declared category has no retention rule in that context. A warning, so
  that `runserver` still starts while the declaration is being written; CI runs the
  checks with `--fail-level WARNING`, so it fails all the same.
- privacy.E105: a field under a legal hold is sealed under the subject's key, which
  erasure destroys: the hold could never keep it readable.
- privacy.E106: a model's `privacy_person` (the second link, to the person a row is about
  when another key seals it) does not lead to a UUIDField, or names an erasure that cannot
  be done (`privacy_person_erasure = "unlink"` on a link that cannot be NULL).
When the declaration cannot be loaded, privacy.E001 (privacy.policy.checks) says why, and
the checks that need it are skipped here rather than reported twice.

The name test errs on the side of flagging: a false alarm costs one `not_personal()` with
a reason, a miss leaves personal data outside every erasure and export.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.apps import AppConfig
from django.apps import apps as django_apps
from django.conf import settings
from django.core import checks
from django.db import models

from privacy.catalog.declarations import NOT_PERSONAL_ATTR, declaration_of
from privacy.catalog.registry import (
    PERSON_ATTR,
    PERSON_ERASURE_ATTR,
    SUBJECT_ATTR,
    PersonPathError,
    SubjectPathError,
    declared_fields,
    person_path_of,
    resolve_person_path,
    resolve_subject_path,
    subject_path_of,
)
from privacy.policy.loader import PolicyInvalid, current_policy

if TYPE_CHECKING:
    from privacy.policy.schema import Policy

# Looked for anywhere in the field name: "username" and "filename" are flagged too.
PERSONAL_NAME_PARTS = (
    "email",
    "e_mail",
    "phone",
    "mobile",
    "name",
    "address",
    "street",
    "postal",
    "account_number",
    "message",
    "content",
    "upload",
    "attachment",
    "user_agent",
    "useragent",
    "birth",
    "passport",
    "national_id",
    "tax_id",
)
# Matched only as a whole word of the snake_case name (or its plural), because as parts
# they hide in ordinary words: "ip" in "description", "text" in "context", "card" in "discard".
PERSONAL_NAME_WORDS = ("ip", "zip", "dob", "ssn", "text", "body", "card", "bank", "iban", "file")
# A number, date or UUID cannot hold a message, a name or a file ("uploaded_at",
# "message_count"), but it can hold a birth date, a phone or a card number.
IDENTITY_NAME_PARTS = (
    "phone",
    "mobile",
    "postal",
    "account_number",
    "birth",
    "passport",
    "national_id",
    "tax_id",
)
IDENTITY_NAME_WORDS = ("ip", "zip", "dob", "ssn", "card", "iban")
NON_TEXT_TYPES: tuple[type[models.Field], ...] = (  # type: ignore[type-arg]
    models.DateField,  # DateTimeField too
    models.TimeField,
    models.DurationField,
    models.IntegerField,  # and its Big/Small/Positive kinds
    models.FloatField,
    models.DecimalField,
    models.UUIDField,
)
PERSONAL_TYPES: tuple[type[models.Field], ...] = (  # type: ignore[type-arg]
    models.EmailField,
    models.GenericIPAddressField,
    models.FileField,  # ImageField too
)

PERSON_HINT = (
    "Set privacy_person to a path ending at a UUIDField that holds the person's subject id, such as "
    '"customer_subject_id" or "thread__customer__subject_id" (ForeignKey/OneToOneField steps, then the '
    'UUID); privacy_person_erasure is "delete" (the default) or "unlink" (the last step must allow NULL).'
)
DECLARE_HINT = (
    "Declare it with personal(field, category=..., context=...) or a vault field, or mark it "
    "not_personal(field, reason=...) if it holds no personal data."
)
SUBJECT_HINT = (
    'Set privacy_subject = "self" on the model that has the subject_id, or a path of ForeignKey/'
    'OneToOneField names that ends there, such as "customer" or "thread__customer".'
)


def looks_personal(field: models.Field) -> str | None:  # type: ignore[type-arg]
    """Why the field looks personal ("its name contains 'email'"), or None."""
    for kind in PERSONAL_TYPES:
        if isinstance(field, kind):
            return f"its type is {type(field).__name__}"
    if isinstance(field, models.BooleanField):
        return None
    non_text = isinstance(field, NON_TEXT_TYPES)
    name = field.name.lower()
    for part in IDENTITY_NAME_PARTS if non_text else PERSONAL_NAME_PARTS:
        if part in name:
            return f"its name contains {part!r}"
    words = set(name.split("_"))
    for word in IDENTITY_NAME_WORDS if non_text else PERSONAL_NAME_WORDS:
        if word in words or f"{word}s" in words:
            return f"its name has the word {word!r}"
    return None


def project_roots() -> list[Path]:
    """Where the project's own apps live: `src/` beside settings.BASE_DIR, else BASE_DIR."""
    base = Path(getattr(settings, "BASE_DIR", Path.cwd())).resolve()
    src = base / "src"
    return [src if src.is_dir() else base]


def is_project_app(app_config: AppConfig | None, roots: Sequence[Path]) -> bool:
    """An app of this project, not Django's own or an installed third-party package."""
    if app_config is None:
        return False
    path = Path(app_config.path).resolve()
    if {"site-packages", "dist-packages"} & set(path.parts):
        return False
    return any(path.is_relative_to(root) for root in roots)


def _undeclared_fields(model: type[models.Model]) -> list[checks.CheckMessage]:
    found: list[checks.CheckMessage] = []
    for field in model._meta.local_concrete_fields:
        if field.auto_created or field.is_relation:
            continue
        if declaration_of(field) is not None or getattr(field, NOT_PERSONAL_ATTR, None):
            continue
        why = looks_personal(field)
        if why is not None:
            found.append(
                checks.Error(
                    f"{model._meta.label}.{field.name} looks personal ({why}) but is not declared.",
                    hint=DECLARE_HINT,
                    obj=field,
                    id="privacy.E101",
                )
            )
    return found


def _listed(category: str, listed: frozenset[str]) -> bool:
    # A listed category covers its sub-categories: "user.contact" covers "user.contact.email".
    return any(category == item or category.startswith(f"{item}.") for item in listed)


def _against_declaration(model: type[models.Model], policy: Policy) -> list[checks.CheckMessage]:
    found: list[checks.CheckMessage] = []
    for field, declared in declared_fields(model):
        where = f"{model._meta.label}.{field.name}"
        if declared.context not in policy.contexts:
            found.append(
                checks.Error(
                    f"{where} declares context {declared.context!r}, which the declaration does not define.",
                    hint=f"Use one of the declaration's contexts: {', '.join(sorted(policy.contexts))}.",
                    obj=field,
                    id="privacy.E102",
                )
            )
            continue
        listed = policy.categories_for(declared.context)
        if not _listed(declared.category, listed):
            found.append(
                checks.Error(
                    f"{where} declares category {declared.category!r}, which the declaration does not "
                    f"list for context {declared.context!r}.",
                    hint=f"List it under contexts.{declared.context}.categories in the declaration, or "
                    f"declare one of: {', '.join(sorted(listed))}.",
                    obj=field,
                    id="privacy.E102",
                )
            )
            continue
        rule = policy.retention_rule(declared.category, declared.context)
        if (
            rule is not None
            and rule.legal_hold
            and declared.erasure == "destroy_key"
            and not declared.not_held
        ):
            found.append(
                checks.Error(
                    f"{where} is under the legal hold of retention rule {rule.id!r} but is sealed under the "
                    "subject's key (erasure 'destroy_key'), which erasure destroys: the hold cannot keep it.",
                    hint="Store it plain or under a key of the row's own (privacy_subject = 'self' with its "
                    "own subject_id) and declare erasure='delete_row', or declare not_held='why the law "
                    "does not require this copy kept'.",
                    obj=field,
                    id="privacy.E105",
                )
            )
        if rule is None:
            found.append(
                checks.Warning(
                    f"{where}: the declaration has no retention rule for category {declared.category!r} "
                    f"in context {declared.context!r}.",
                    hint="Add a rule for this category (or a parent category) and context under "
                    "retention: in the declaration.",
                    obj=field,
                    id="privacy.W104",
                )
            )
    return found


def _subject_path(model: type[models.Model]) -> list[checks.CheckMessage]:
    path = subject_path_of(model)
    declared = declared_fields(model)
    where = f"{model._meta.label}.{SUBJECT_ATTR}"
    if path is None:
        if not declared:
            return []
        names = ", ".join(field.name for field, _ in declared)
        return [
            checks.Error(
                f"{where} is missing: the model declares personal fields ({names}) "
                "but not whose data they are.",
                hint=SUBJECT_HINT,
                obj=model,
                id="privacy.E103",
            )
        ]
    try:
        resolve_subject_path(model, path)
    except SubjectPathError as problem:
        return [
            checks.Error(
                f"{where} does not resolve: {problem}.", hint=SUBJECT_HINT, obj=model, id="privacy.E103"
            )
        ]
    return []


def _person_path(model: type[models.Model]) -> list[checks.CheckMessage]:
    path = person_path_of(model)
    if path is None:
        if getattr(model, PERSON_ATTR, None) is None and getattr(model, PERSON_ERASURE_ATTR, None) is None:
            return []
        problem = f"{model._meta.label}.{PERSON_ATTR} must be a non-empty path"
    else:
        try:
            resolve_person_path(model, path)
        except PersonPathError as error:
            problem = f"{model._meta.label}.{PERSON_ATTR} does not resolve: {error}"
        else:
            return []
    return [checks.Error(f"{problem}.", hint=PERSON_HINT, obj=model, id="privacy.E106")]


def personal_data_problems(
    models_: Iterable[type[models.Model]], policy: Policy | None, *, roots: Sequence[Path] | None = None
) -> list[checks.CheckMessage]:
    """Every catalog problem of these models against this declaration."""
    roots = list(roots) if roots is not None else project_roots()
    found: list[checks.CheckMessage] = []
    for model in models_:
        if is_project_app(model._meta.app_config, roots):
            found.extend(_undeclared_fields(model))
        found.extend(_subject_path(model))
        found.extend(_person_path(model))
        if policy is not None:
            found.extend(_against_declaration(model, policy))
    return found


def check_personal_data(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    if app_configs is None:
        selected = list(django_apps.get_models())
    else:
        selected = [model for config in app_configs for model in config.get_models()]
    try:
        policy: Policy | None = current_policy()
    except PolicyInvalid:
        policy = None  # reported by privacy.E001, with file, line and key
    return personal_data_problems(selected, policy)


# keeps: C17, C41 (no field outside the declared categories, contexts and retention)
