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

The second link, `privacy_person`. `privacy_subject` names the key that seals a row, which
is usually, but not always, the person the row is about. A row kept under a legal hold
must outlive the person's key (an order's delivery address, an invoice: their own key; a
request log line: its log day's key), and SogaWorks' side of a chat is sealed under the
thread's key. Such a row names its person with `privacy_person`: a path of forward
ForeignKey/OneToOneField steps ending at a UUIDField that holds the person's subject id
("customer_subject_id", "thread__customer__subject_id"). Access and portability read the
rows of both links (`rows_about_subject`); erasure deletes the linked rows too unless a
legal hold keeps them, or, with `privacy_person_erasure = "unlink"`, keeps them and cuts
the link (the last step of the path is set to NULL): the company's own record stays, tied
to nobody.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
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
PERSON_ATTR = "privacy_person"
PERSON_ERASURE_ATTR = "privacy_person_erasure"

PersonErasure = Literal["delete", "unlink"]
PERSON_ERASURES: tuple[str, ...] = ("delete", "unlink")
# A model whose rows exist only on the basis of consent to one purpose names it here
# (`privacy_only_for = "marketing_messages"`): withdrawing that consent deletes the
# subject's rows (privacy.processing; C42).
ONLY_FOR_ATTR = "privacy_only_for"


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


def only_for_of(model: type[Model]) -> str | None:
    """The consent-based purpose that alone keeps `model`'s rows, or None."""
    purpose = getattr(model, ONLY_FOR_ATTR, None)
    return purpose if isinstance(purpose, str) and purpose else None


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


class PersonPathError(SubjectPathError):
    """A `privacy_person` path that does not lead to a UUIDField, or cannot be unlinked."""


@dataclass(frozen=True)
class PersonLink:
    """A resolved `privacy_person`: where the person's subject id is, and where erasure cuts it."""

    path: str  # the lookup from the model to the UUID ("thread__customer__subject_id")
    erasure: PersonErasure
    cut_model: type[Model]  # the model that holds the link erasure cuts ("unlink")
    cut_field: str  # that model's field set to NULL: the path's last relation, or the UUID field
    cut_lookup: str  # the lookup from `cut_model` to the UUID

    def cut(self, subject_id: UUID) -> int:
        """Set the link to NULL on every row that ties to the subject; the rows changed."""
        rows = self.cut_model._base_manager.filter(**{self.cut_lookup: subject_id})
        return rows.update(**{self.cut_field: None})


def person_path_of(model: type[Model]) -> str | None:
    path = getattr(model, PERSON_ATTR, None)
    return path if isinstance(path, str) and path else None


def resolve_person_path(model: type[Model], path: str) -> PersonLink:
    """The person link of `model`; raises PersonPathError naming the first bad step.

    Every step but the last is a forward ForeignKey or OneToOneField; the last is a
    concrete UUIDField. With "unlink", the field that is cut must allow NULL.
    """
    erasure = getattr(model, PERSON_ERASURE_ATTR, "delete")
    if erasure not in PERSON_ERASURES:
        allowed = ", ".join(PERSON_ERASURES)
        raise PersonPathError(
            f"{model._meta.label}.{PERSON_ERASURE_ATTR} is {erasure!r}; use one of {allowed}"
        )
    steps = path.split("__")
    current: type[Model] = model
    cut_at = (model, len(steps) - 1)
    for index, step in enumerate(steps):
        try:
            field = current._meta.get_field(step)
        except FieldDoesNotExist:
            raise PersonPathError(f"{current._meta.label} has no field {step!r} (path {path!r})") from None
        if index == len(steps) - 1:
            if not (isinstance(field, models.UUIDField) and field.concrete):
                raise PersonPathError(
                    f"{current._meta.label}.{step} is not a UUIDField holding a subject id (path {path!r})"
                )
            break
        related = field.related_model
        if not (field.is_relation and field.concrete and (field.many_to_one or field.one_to_one)):
            raise PersonPathError(
                f"{current._meta.label}.{step} is not a ForeignKey or OneToOneField (path {path!r})"
            )
        if not isinstance(related, type) or not issubclass(related, Model):
            raise PersonPathError(f"{current._meta.label}.{step} points at no model (path {path!r})")
        cut_at = (current, index)
        current = related
    cut_model, cut_index = cut_at
    cut_field = cut_model._meta.get_field(steps[cut_index])
    if erasure == "unlink" and not getattr(cut_field, "null", False):
        raise PersonPathError(
            f"{cut_model._meta.label}.{cut_field.name} cannot be set to NULL, so erasure cannot unlink "
            f"(path {path!r})"
        )
    return PersonLink(
        path=path,
        erasure=erasure,  # type: ignore[arg-type]  # checked against PERSON_ERASURES above
        cut_model=cut_model,
        cut_field=cut_field.name,
        cut_lookup="__".join(steps[cut_index:]),
    )


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
    return (
        bool(declared_fields(model))
        or subject_path_of(model) is not None
        or person_path_of(model) is not None
    )


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
        self._person_links: dict[type[Model], PersonLink] | None = None
        self._erasable: tuple[type[Model], ...] | None = None

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
        """Personal models whose subject path resolves, children before parents (worked out once)."""
        if self._erasable is None:
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
            self._erasable = tuple(found)
        return list(self._erasable)

    def person_links(self) -> dict[type[Model], PersonLink]:
        """Personal models with a `privacy_person` that resolves (a bad one is privacy.E106)."""
        if self._person_links is None:
            found = {}
            for model in self.models:
                path = person_path_of(model)
                if path is None:
                    continue
                try:
                    found[model] = resolve_person_path(model, path)
                except PersonPathError:
                    continue
            self._person_links = found
        return self._person_links

    def rows_for_subject(self, subject_id: UUID) -> Iterator[tuple[type[Model], models.QuerySet[Any]]]:
        """The rows sealed under the subject's key, found through `privacy_subject`."""
        # The base manager: a default manager that hides rows (soft deletion) must not hide
        # them from an erasure or an access request.
        for model in self.erasable_models():
            yield model, model._base_manager.filter(subject_filter(model, subject_id))

    def rows_linked_to(
        self, subject_id: UUID
    ) -> Iterator[tuple[type[Model], PersonLink, models.QuerySet[Any]]]:
        """The rows that name the subject through `privacy_person`, whatever key seals them."""
        for model, link in self.person_links().items():
            yield model, link, model._base_manager.filter(**{link.path: subject_id})

    def querysets_about_subject(
        self, subject_id: UUID, *, company_records: bool = True
    ) -> Iterator[tuple[type[Model], tuple[models.QuerySet[Any], ...]]]:
        """Per personal model, the querysets of both links (each an indexed filter; a row may be in both).

        Two queries rather than one with OR: an OR across joined tables defeats the indexes.
        `company_records=False` leaves out the rows found only through an "unlink" person
        link: SogaWorks' own record about the person (its side of a chat), which is theirs to
        read (access) but not data they provided (portability).
        """
        sealed = dict(self.rows_for_subject(subject_id))
        linked = {
            model: rows
            for model, link, rows in self.rows_linked_to(subject_id)
            if company_records or link.erasure != "unlink"
        }
        for model in self.models:
            found = tuple(rows for rows in (sealed.get(model), linked.get(model)) if rows is not None)
            if found:
                yield model, found

    def rows_about_subject(
        self, subject_id: UUID, *, company_records: bool = True
    ) -> Iterator[tuple[type[Model], list[Any]]]:
        """Every row about the subject per model (sealed under their key or naming them), by pk."""
        for model, querysets in self.querysets_about_subject(subject_id, company_records=company_records):
            rows: dict[Any, Any] = {}
            for queryset in querysets:
                # No ORDER BY: the rows are sorted here, and a model's default ordering can
                # cost a join or a sort in the database.
                for row in queryset.order_by():
                    rows.setdefault(row.pk, row)
            if rows:
                yield model, [rows[pk] for pk in sorted(rows)]

    def kept_only_for(self, purpose: str) -> list[type[Model]]:
        """Erasable models whose rows exist only for `purpose`, children before parents."""
        return [model for model in self.erasable_models() if only_for_of(model) == purpose]

    def rows_kept_only_for(
        self, subject_id: UUID, purpose: str
    ) -> Iterator[tuple[type[Model], models.QuerySet[Any]]]:
        """Each model kept only for `purpose` with the subject's rows (base manager, as above)."""
        for model in self.kept_only_for(purpose):
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


def rows_about_subject(subject_id: UUID) -> Iterator[tuple[type[Model], list[Any]]]:
    """Every row about the subject, through both links, per model (access and portability)."""
    return current_catalog().rows_about_subject(subject_id)


def rows_kept_only_for(subject_id: UUID, purpose: str) -> Iterator[tuple[type[Model], models.QuerySet[Any]]]:
    """The subject's rows of every model kept only on consent to `purpose`, safe to delete in order."""
    return current_catalog().rows_kept_only_for(subject_id, purpose)
