"""Erasing a subject for good: journal, destroy the key, delete every catalogued row and file.

The steps run in this order, and the transaction boundaries sit where they do, so that a
crash anywhere leaves a state that `replay_erasures()` completes:

1. The erasure is written to the journal (beside the key store, committed on its own),
   so that it is remembered even if everything after it fails.
2. The subject's data key is destroyed. From here on every copy of their encrypted
   values — backups, WAL, replicas — is unreadable, whatever happens next.
3. In ONE transaction on the default database: every catalogued row of the subject is
   deleted (children before parents) with its files, kept rows are emptied of what their
   hold does not need, and the audit event "vault.subject.erased" is written with counts
   per model (never a personal value).
4. The journal entry is marked complete.

Replay applies steps 2 and 3 again for every journaled subject, complete or not: after a
database restore, rows come back; after a key-store restore, keys come back. Both are
idempotent, so replay can be run any number of times.

Legal holds. A row with a field that a legal-hold retention rule keeps (`Catalog.held_by`:
stored plain or under a key of its own, not marked `not_held`) is not deleted, nor is a
row that a kept row points at (deleting it would cascade into the kept row or be refused
by PROTECT). Kept rows keep only what the hold needs: their other plain personal fields
are cleared, their blind indexes emptied; what is sealed under the subject's key becomes
unreadable with the key, which is destroyed all the same. They are reported as retained
with the rule and its legal basis; restricting them is issue 6's restriction state.

Rows about the subject under another key (the catalog's second link, `privacy_person`:
an order's delivery address and an invoice under their own keys, request logs under
their day's key, SogaWorks' chat messages under the thread's) are walked too, after the
model's own rows: deleted unless a legal hold keeps them (then retained as above), or,
for a model that declares `privacy_person_erasure = "unlink"`, kept as SogaWorks' own
record and untied from the person: the link is set to NULL once every model was walked,
and the rows are counted as `unlinked`. Destroying the subject's key does not reach such
rows, so a kept linked row keeps every value sealed under its own key: declare its fields
held, or do not keep it.

Cost. Statements per model and link, each an indexed filter on the subject: a model under
a legal hold costs a COUNT (and an UPDATE only when it has rows with something to clear),
never a DELETE, since the hold keeps all its rows; other models one DELETE (Django's
collector adds a SELECT where other rows point at them), plus a SELECT of stored file
names where the model holds files. The files are deleted several at a time (threads: each
deletion waits on the disk), still inside the transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from uuid import UUID

from django.core.files.storage import Storage
from django.db import models, transaction

from privacy.audit.actions import audit_action, record_event
from privacy.catalog.registry import Catalog, PersonLink, current_catalog, declared_fields
from privacy.vault.blind_index import BlindIndexField
from privacy.vault.fields import EncryptedField
from privacy.vault.file_fields import EncryptedFileField
from privacy.vault.files import EncryptedFile, delete_file
from privacy.vault.journal import journal_erasure, journaled_subjects, mark_erasure_complete
from privacy.vault.keys import destroy_subject_key

SUBJECT_ERASED = audit_action(
    "vault.subject.erased",
    "A subject's data key was destroyed and their catalogued rows and files deleted",
)
ERASURE_REPLAYED = audit_action(
    "vault.erasure.replayed",
    "A journaled erasure was applied again and removed rows or a key that had come back (after a restore)",
)


@dataclass(frozen=True)
class Retained:
    """Rows of the subject kept because the declaration orders them kept."""

    model: str
    rows: int
    rule_id: str
    legal_basis: str
    cleared: tuple[str, ...] = ()  # plain fields of the kept rows that the hold does not need, emptied

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "rows": self.rows,
            "rule": self.rule_id,
            "legal_basis": self.legal_basis,
            "cleared": list(self.cleared),
        }


@dataclass(frozen=True)
class ErasureReport:
    subject_id: UUID
    key_destroyed: bool  # a key existed and is gone now
    deleted: dict[str, int] = field(default_factory=dict)  # model label -> rows deleted, cascades included
    files_deleted: int = 0
    retained: tuple[Retained, ...] = ()
    # model label -> rows kept as SogaWorks' own record, no longer tied to the subject
    unlinked: dict[str, int] = field(default_factory=dict)

    @property
    def rows_deleted(self) -> int:
        return sum(self.deleted.values())

    @property
    def removed_anything(self) -> bool:
        return self.key_destroyed or bool(self.deleted) or self.files_deleted > 0 or bool(self.unlinked)

    def audit_details(self) -> dict[str, Any]:
        return {
            "key_destroyed": self.key_destroyed,
            "deleted": dict(sorted(self.deleted.items())),
            "files_deleted": self.files_deleted,
            "retained": [kept.as_dict() for kept in self.retained],
            "unlinked": dict(sorted(self.unlinked.items())),
        }


def erase_subject(subject_id: UUID, *, reason: str, actor: str) -> ErasureReport:
    """Erase everything the catalog holds of one subject, except what the law orders kept.

    `reason` names the request ("rights request 42"); it is journaled and audited, so it
    must not contain personal values.
    """
    entry = journal_erasure(subject_id, reason)
    report = _apply(subject_id, catalog=current_catalog(), actor=actor, reason=reason, replay=False)
    mark_erasure_complete(entry)
    return report


def replay_erasures(
    *, actor: str = "system:erasures-replay", progress: Callable[[int, int], None] | None = None
) -> list[ErasureReport]:
    """Apply every journaled erasure again, completing interrupted ones; one report per subject."""
    entries = list(journaled_subjects())
    catalog = current_catalog()
    reports = []
    for done, entry in enumerate(entries, start=1):
        reports.append(
            _apply(entry.subject_id, catalog=catalog, actor=actor, reason=entry.reason, replay=True)
        )
        mark_erasure_complete(entry)
        if progress is not None:
            progress(done, len(entries))
    return reports


def _apply(subject_id: UUID, *, catalog: Catalog, actor: str, reason: str, replay: bool) -> ErasureReport:
    key_destroyed = destroy_subject_key(subject_id)
    with transaction.atomic(using="default"):
        walk = _delete_rows(catalog, subject_id)
        files_deleted = _delete_files(walk.files)
        report = ErasureReport(
            subject_id=subject_id,
            key_destroyed=key_destroyed,
            deleted=walk.deleted,
            files_deleted=files_deleted,
            retained=walk.retained(),
            unlinked=walk.unlinked,
        )
        if not replay or report.removed_anything:
            record_event(
                ERASURE_REPLAYED if replay else SUBJECT_ERASED,
                actor=actor,
                subject=str(subject_id),
                details={"reason": reason, **report.audit_details()},
            )
    return report


# Deletes one stored file of a row being deleted; True if there was a file to delete.
_FileDeletion = Callable[[], bool]
# Files deleted at once: each deletion mostly waits on the disk or the object store (an
# unlink on a filesystem mounted with `discard` takes milliseconds), not on Python.
FILE_DELETERS = 8


def _delete_files(deletions: list[_FileDeletion]) -> int:
    """Run the deletions, several at a time, inside the caller's transaction; how many removed a file.

    A failure is raised here, as if they ran one by one, so the rows' deletion rolls back
    with it and a replay finds rows and files again.
    """
    if len(deletions) < 2:
        return sum(1 for delete in deletions if delete())
    with ThreadPoolExecutor(max_workers=min(FILE_DELETERS, len(deletions))) as pool:
        return sum(1 for removed in pool.map(lambda delete: delete(), deletions) if removed)


@dataclass
class _Walk:
    """What one erasure walk did and still has to do (files are deleted after the rows)."""

    deleted: dict[str, int] = field(default_factory=dict)
    files: list[_FileDeletion] = field(default_factory=list)
    # The kept rows per model, so that the rows they point at are kept too (children come first).
    kept: dict[type[models.Model], tuple[list[models.QuerySet[Any]], Retained]] = field(default_factory=dict)
    unlinked: dict[str, int] = field(default_factory=dict)
    cuts: dict[tuple[type[models.Model], str, str], PersonLink] = field(default_factory=dict)

    def retained(self) -> tuple[Retained, ...]:
        return tuple(sorted((why for _, why in self.kept.values()), key=lambda why: why.model))


def _delete_rows(catalog: Catalog, subject_id: UUID) -> _Walk:
    walk = _Walk()
    sealed = dict(catalog.rows_for_subject(subject_id))
    links = catalog.person_links()
    for model in catalog.models:
        own = sealed.get(model)
        if own is not None:
            _erase_rows(catalog, model, own, walk)
        link = links.get(model)
        if link is None:
            continue
        linked = model._base_manager.filter(**{link.path: subject_id})
        if own is not None:
            linked = linked.exclude(pk__in=own.values("pk"))  # kept own rows are accounted for
        if link.erasure == "unlink":
            count = linked.count()
            if count:
                walk.unlinked[model._meta.label] = count
                walk.cuts.setdefault((link.cut_model, link.cut_field, link.cut_lookup), link)
        else:
            _erase_rows(catalog, model, linked, walk)
    # Cut after the walk, so that every model's linked rows were found (and counted) first.
    for link in walk.cuts.values():
        link.cut(subject_id)
    return walk


def _erase_rows(catalog: Catalog, model: type[models.Model], rows: models.QuerySet[Any], walk: _Walk) -> None:
    """Delete `rows` with their files, except those a legal hold or a kept row keeps."""
    hold = catalog.legal_hold(model)
    cause: tuple[str, str] | None
    if hold is not None:
        keep, cause = rows, (hold.id, hold.legal_basis)
    else:
        keep, cause = _pointed_at_by_kept_rows(model, rows, walk.kept)
    count = keep.count() if cause is not None else 0
    if hold is not None and not count:
        return  # nothing of the subject in this model (the hold would keep every row anyway)
    if cause is not None and count:
        cleared, cleared_files = _clear_unheld(catalog, model, keep)
        walk.files.extend(cleared_files)
        why = Retained(model._meta.label, count, *cause, cleared=cleared)
        earlier = walk.kept.get(model)
        if earlier is None:
            walk.kept[model] = ([keep], why)
        else:
            querysets, before = earlier
            walk.kept[model] = (
                [*querysets, keep],
                Retained(
                    before.model,
                    before.rows + count,
                    before.rule_id,
                    before.legal_basis,
                    cleared=tuple(sorted(set(before.cleared) | set(cleared))),
                ),
            )
        if hold is not None:
            return  # the hold keeps every row: nothing is left to delete
        rows = rows.exclude(pk__in=keep.values("pk"))
    walk.files.extend(_files_of(model, rows))
    _, per_model = rows.delete()
    for label, number in per_model.items():
        if number:
            walk.deleted[label] = walk.deleted.get(label, 0) + number


def _clear_unheld(
    catalog: Catalog, model: type[models.Model], rows: models.QuerySet[Any]
) -> tuple[tuple[str, ...], list[_FileDeletion]]:
    """Empty what kept rows hold beyond their hold; the names of the fields emptied, and their files.

    Values sealed under the subject's key are left to the key's destruction (writing them
    would need the key). A plain field that can be neither null nor empty (a number, a date)
    is left as it is: declare it held, or let the model allow null.
    """
    updates: dict[str, Any] = {}
    files: list[_FileDeletion] = []
    for declared_field, declared in declared_fields(model):
        if catalog.held_by(declared) is not None or isinstance(
            declared_field, EncryptedField | EncryptedFileField
        ):
            continue
        if isinstance(declared_field, models.FileField):
            files.extend(_files_of_field(declared_field, rows))
        if declared_field.null:
            updates[declared_field.attname] = None
        elif declared_field.empty_strings_allowed:
            updates[declared_field.attname] = ""
    for index in model._meta.local_concrete_fields:
        if isinstance(index, BlindIndexField) and index.null:
            updates[index.attname] = None
    if updates:
        rows.update(**updates)
    return tuple(sorted(updates)), files


def _pointed_at_by_kept_rows(
    model: type[models.Model],
    rows: models.QuerySet[Any],
    kept: dict[type[models.Model], tuple[list[models.QuerySet[Any]], Retained]],
) -> tuple[models.QuerySet[Any], tuple[str, str] | None]:
    """The rows among `rows` that kept rows point at, and the hold (rule, basis) of the first such."""
    pointed = models.Q(pk__in=[])
    cause: tuple[str, str] | None = None
    for child, (querysets, why) in kept.items():
        for relation in _relations_to(child, model):
            target = relation.target_field.name  # type: ignore[attr-defined]
            for child_rows in querysets:
                condition = models.Q(**{f"{target}__in": child_rows.values(relation.attname)})
                if cause is None and rows.filter(condition).exists():
                    cause = (why.rule_id, why.legal_basis)
                pointed |= condition
    return rows.filter(pointed), cause


def _relations_to(child: type[models.Model], parent: type[models.Model]) -> Iterable[models.Field[Any, Any]]:
    for relation in child._meta.concrete_fields:
        if relation.is_relation and relation.related_model is parent:
            yield relation


def _files_of(model: type[models.Model], rows: models.QuerySet[Any]) -> list[_FileDeletion]:
    """How to delete the stored files of `rows`: vault files by id, Django FileFields by name."""
    found: list[_FileDeletion] = []
    for declared_field, _ in declared_fields(model):
        found.extend(_files_of_field(declared_field, rows))
    return found


def _files_of_field(
    declared_field: models.Field[Any, Any], rows: models.QuerySet[Any]
) -> list[_FileDeletion]:
    found: list[_FileDeletion] = []
    stored = rows.exclude(**{f"{declared_field.attname}__isnull": True})
    if isinstance(declared_field, EncryptedFileField):
        for ref in stored.values_list(declared_field.attname, flat=True):
            if isinstance(ref, EncryptedFile):
                found.append(partial(delete_file, ref.id))
    elif isinstance(declared_field, models.FileField):
        for name in stored.exclude(**{declared_field.attname: ""}).values_list(
            declared_field.attname, flat=True
        ):
            found.append(partial(_delete_stored, declared_field.storage, name))
    return found


def _delete_stored(storage: Storage, name: str) -> bool:
    existed = storage.exists(name)
    storage.delete(name)
    return existed


# keeps: C31 (erasure through key destruction, with legal-hold exceptions)
