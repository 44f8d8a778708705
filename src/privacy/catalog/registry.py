"""The catalog: every declared personal field of every installed model, found through django.apps.

The engine never imports a domain app. It reads the declarations that each model field
carries (`declarations.py`) and the model's `privacy_subject` path, so that access,
export, erasure and retention walk one map instead of a hand-kept list, and a new model
cannot be forgotten.

The map is built lazily on first use and cached, because neither the app registry nor the
declaration changes while a process runs (`reset_catalog()` after reloading a declaration).
`using_catalog()` swaps in a catalog built from other models (tests with isolated apps);
nothing else replaces it.

A model belongs to the catalog ("personal model") when it declares at least one personal
field or names a `privacy_subject`: a row that only links a person to something (an
order line, a chat membership) is that person's row too, and is erased with them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.apps import apps as django_apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from privacy.catalog.declarations import ErasureMethod, PersonalData, declaration_of
from privacy.policy.loader import current_policy

if TYPE_CHECKING:
    from privacy.policy.schema import Policy, RetentionRule

Model = models.Model

SELF = "self"
SUBJECT_FIELD = "subject_id"
SUBJECT_ATTR = "privacy_subject"


@dataclass(frozen=True)
class CatalogEntry:
    """One declared personal field."""

    model: str  # the model's label, "orders.Order"
    field: str
    category: str
    context: str
    erasure: ErasureMethod
    subject_path: str | None  # "self", "customer", "thread__customer"; None when undeclared
    retention_rule: str | None  # the id of the declaration's retention rule, None when it has none
    provided_by_subject: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "field": self.field,
            "category": self.category,
            "context": self.context,
            "retention_rule": self.retention_rule,
            "erasure": self.erasure,
            "subject_path": self.subject_path,
            "provided_by_subject": self.provided_by_subject,
        }


class SubjectPathError(Exception):
    """A `privacy_subject` path that does not lead to a model with a `subject_id`."""


def subject_path_of(model: type[Model]) -> str | None:
    path = getattr(model, SUBJECT_ATTR, None)
    return path if isinstance(path, str) and path else None


def resolve_subject_path(model: type[Model], path: str) -> type[Model]:
    """The model at the end of `path`; raises SubjectPathError naming the first bad step.

    Only forward, single-valued relations (ForeignKey, OneToOneField) may be followed: a
    row must belong to one person, and deleting it must not reach across to others.
    """
    current: type[Model] = model
    if path != SELF:
        for step in path.split("__"):
            try:
                field = current._meta.get_field(step)
            except FieldDoesNotExist:
                missing = f"{current._meta.label} has no field {step!r} (path {path!r})"
                raise SubjectPathError(missing) from None
            related = field.related_model
            if not (field.is_relation and field.concrete and (field.many_to_one or field.one_to_one)):
                raise SubjectPathError(
                    f"{current._meta.label}.{step} is not a ForeignKey or OneToOneField (path {path!r})"
                )
            if not isinstance(related, type) or not issubclass(related, Model):
                raise SubjectPathError(f"{current._meta.label}.{step} points at no model (path {path!r})")
            current = related
    try:
        current._meta.get_field(SUBJECT_FIELD)
    except FieldDoesNotExist:
        raise SubjectPathError(
            f"path {path!r} ends at {current._meta.label}, which has no {SUBJECT_FIELD!r} field"
        ) from None
    return current


def declared_fields(model: type[Model]) -> list[tuple[models.Field[Any, Any], PersonalData]]:
    """The model's own concrete fields that carry a declaration, in definition order.

    Fields inherited through multi-table inheritance belong to the parent model and are
    catalogued there once.
    """
    found = []
    for field in model._meta.local_concrete_fields:
        declaration = declaration_of(field)
        if declaration is not None:
            found.append((field, declaration))
    return found


def _is_personal(model: type[Model]) -> bool:
    return bool(declared_fields(model)) or subject_path_of(model) is not None


def _deletion_order(personal: list[type[Model]]) -> list[type[Model]]:
    """Children before parents: a model comes before every personal model it points at.

    A stable topological sort (ties by label); a cycle of foreign keys, which Django's own
    deletion collector resolves, is broken by label order.
    """
    members = set(personal)
    points_at: dict[type[Model], set[type[Model]]] = {}
    for model in personal:
        targets: set[type[Model]] = set()
        for field in model._meta.concrete_fields:
            target = field.related_model
            if field.is_relation and isinstance(target, type) and target in members and target is not model:
                targets.add(target)
        points_at[model] = targets
    # `pointed_by[b]` is the set of models still to be placed that must precede b.
    pointed_by: dict[type[Model], set[type[Model]]] = {model: set() for model in personal}
    for model, targets in points_at.items():
        for target in targets:
            pointed_by[target].add(model)
    ordered: list[type[Model]] = []
    remaining = sorted(personal, key=lambda m: m._meta.label)
    while remaining:
        ready = next((m for m in remaining if not pointed_by[m]), remaining[0])
        ordered.append(ready)
        remaining.remove(ready)
        for others in pointed_by.values():
            others.discard(ready)
    return ordered


class Catalog:
    """The map of personal data over a set of models, read against one declaration."""

    def __init__(self, models_: Iterable[type[Model]], policy: Policy | None) -> None:
        self.policy = policy
        self.models: tuple[type[Model], ...] = tuple(
            _deletion_order([model for model in models_ if _is_personal(model)])
        )
        entries = []
        for model in sorted(self.models, key=lambda m: m._meta.label):
            path = subject_path_of(model)
            for field, declared in declared_fields(model):
                rule = self.retention_rule(declared)
                entries.append(
                    CatalogEntry(
                        model=model._meta.label,
                        field=field.name,
                        category=declared.category,
                        context=declared.context,
                        erasure=declared.erasure,
                        subject_path=path,
                        retention_rule=rule.id if rule else None,
                        provided_by_subject=declared.provided_by_subject,
                    )
                )
        self.entries: tuple[CatalogEntry, ...] = tuple(entries)

    def retention_rule(self, declared: PersonalData) -> RetentionRule | None:
        if self.policy is None:
            return None
        return self.policy.retention_rule(declared.category, declared.context)

    def held_by(self, declared: PersonalData) -> RetentionRule | None:
        """The legal hold that keeps this field through an erasure, or None.

        A field marked `not_held` (a working copy the law does not require kept) is never
        held, nor is a field sealed under the subject's key (erasure "destroy_key"): the
        erasure destroys that key, so the hold could not keep it readable (check privacy.E105).
        """
        if declared.not_held is not None or declared.erasure == "destroy_key":
            return None
        rule = self.retention_rule(declared)
        return rule if rule is not None and rule.legal_hold else None

    def legal_hold(self, model: type[Model]) -> RetentionRule | None:
        """The first legal hold that keeps a declared field of `model`, and so its rows."""
        for _, declared in declared_fields(model):
            rule = self.held_by(declared)
            if rule is not None:
                return rule
        return None

    def erasable_models(self) -> list[type[Model]]:
        """Personal models whose subject path resolves, children before parents."""
        found = []
        for model in self.models:
            path = subject_path_of(model)
            if path is None:
                continue
            try:
                resolve_subject_path(model, path)
            except SubjectPathError:
                continue
            found.append(model)
        return found

    def rows_for_subject(self, subject_id: UUID) -> Iterator[tuple[type[Model], models.QuerySet[Any]]]:
        # The base manager: a default manager that hides rows (soft deletion) must not hide
        # them from an erasure or an access request.
        for model in self.erasable_models():
            yield model, model._base_manager.filter(subject_filter(model, subject_id))

    def field_values_for_subject(self, subject_id: UUID) -> dict[type[Model], list[dict[str, Any]]]:
        found: dict[type[Model], list[dict[str, Any]]] = {}
        for model, rows in self.rows_for_subject(subject_id):
            names = [field.name for field, _ in declared_fields(model)]
            if not names:
                continue
            values = [{name: getattr(row, name) for name in names} for row in rows.order_by("pk")]
            if values:
                found[model] = values
        return found


def subject_filter(model: type[Model], subject_id: UUID) -> models.Q:
    """The filter that selects `model`'s rows of one subject, through its `privacy_subject` path."""
    path = subject_path_of(model)
    if path is None:
        raise SubjectPathError(f"{model._meta.label} names no {SUBJECT_ATTR}")
    lookup = SUBJECT_FIELD if path == SELF else f"{path}__{SUBJECT_FIELD}"
    return models.Q(**{lookup: subject_id})


_cached: Catalog | None = None
_override: list[Catalog] = []


def current_catalog() -> Catalog:
    global _cached
    if _override:
        return _override[-1]
    if _cached is None:
        # current_policy() raises PolicyInvalid, naming file, line and key, for a broken declaration.
        _cached = Catalog(django_apps.get_models(), current_policy())
    return _cached


def reset_catalog() -> None:
    """Forget the cached map (after the declaration is reloaded)."""
    global _cached
    _cached = None


@contextmanager
def using_catalog(catalog: Catalog) -> Iterator[Catalog]:
    """Make `catalog` the current one inside the block (tests with isolated models)."""
    _override.append(catalog)
    try:
        yield catalog
    finally:
        _override.pop()


def catalog_entries() -> list[CatalogEntry]:
    return list(current_catalog().entries)


def personal_models() -> list[type[Model]]:
    """Every personal model, children before parents."""
    return list(current_catalog().models)


def rows_for_subject(subject_id: UUID) -> Iterator[tuple[type[Model], models.QuerySet[Any]]]:
    """Each personal model with the subject's rows, in an order that is safe to delete in."""
    return current_catalog().rows_for_subject(subject_id)


def field_values_for_subject(subject_id: UUID) -> dict[type[Model], list[dict[str, Any]]]:
    """The declared fields of every row of the subject, read (decrypted) through the ORM."""
    return current_catalog().field_values_for_subject(subject_id)
