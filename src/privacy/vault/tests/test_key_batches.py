"""Many subjects' keys at once: `data_keys_for` and `holding_data_keys`.

An access export reads values sealed under a hundred keys (the person's, each order's,
each log day's); these fetch them in one key-store query and hold them only for the
block. The promises kept here: a destroyed key is never returned, not even one this
process still has cached; held keys are seen only by the block's own context and are
gone when it ends; values read inside the block are exactly those read without it.
"""

from __future__ import annotations

import contextvars
import uuid
from typing import Any

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from privacy.vault import keys as vault_keys_module
from privacy.vault.errors import SubjectErased
from privacy.vault.keys import (
    clear_key_cache,
    data_key,
    data_keys_for,
    destroy_subject_key,
    holding_data_keys,
)
from privacy.vault.models import SubjectKey
from privacy.vault.tests.models import Customer

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _key_queries() -> CaptureQueriesContext:
    return CaptureQueriesContext(connections["keys"])


def _subjects_with_keys(count: int) -> list[uuid.UUID]:
    subjects = [uuid.uuid4() for _ in range(count)]
    for subject in subjects:
        data_key(subject, create=True)
    clear_key_cache()
    return subjects


def test_data_keys_for_returns_every_stored_key_in_one_query_and_leaves_out_subjects_without_one() -> None:
    # Given three subjects with keys, and one who never had a key.
    subjects = _subjects_with_keys(3)
    expected = {subject: data_key(subject).key for subject in subjects}
    clear_key_cache()
    stranger = uuid.uuid4()

    # When their keys are fetched together.
    with _key_queries() as queries:
        found = data_keys_for([*subjects, stranger, subjects[0]])

    # Then one query brought the same keys data_key opens, and nothing for the stranger.
    assert len(queries.captured_queries) == 1
    assert {subject: key.key for subject, key in found.items()} == expected
    assert stranger not in found
    assert data_keys_for([]) == {}


def test_data_keys_for_asks_in_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    subjects = _subjects_with_keys(5)
    monkeypatch.setattr(vault_keys_module, "KEYS_PER_QUERY", 2)

    with _key_queries() as queries:
        found = data_keys_for(subjects)

    assert len(queries.captured_queries) == 3
    assert set(found) == set(subjects)


def test_a_destroyed_key_is_never_returned_even_while_this_process_still_caches_it() -> None:
    # Given a key this process has cached, then destroyed in the store by another process
    # (its row deleted behind this process's back, so the cache here was not told).
    subject, kept = _subjects_with_keys(2)
    data_key(subject)
    SubjectKey.objects.filter(subject_id=subject).delete()

    # When keys are fetched in a batch.
    found = data_keys_for([subject, kept])

    # Then the destroyed key is not among them, and the stale cached copy is dropped too.
    assert list(found) == [kept]
    with pytest.raises(SubjectErased):
        data_key(subject)


def test_a_key_destroyed_inside_a_holding_block_is_unreadable_at_once() -> None:
    subject, other = _subjects_with_keys(2)

    with holding_data_keys([subject, other]):
        data_key(subject)
        assert destroy_subject_key(subject) is True
        with pytest.raises(SubjectErased):
            data_key(subject)
        assert data_key(other).subject_id == other

    with pytest.raises(SubjectErased):
        data_key(subject)


def test_a_holding_block_answers_without_queries_and_forgets_its_keys_when_it_ends() -> None:
    # Given two subjects with keys, and one without.
    subjects = _subjects_with_keys(2)
    missing = uuid.uuid4()

    # When their keys are held and read inside the block.
    with _key_queries() as inside, holding_data_keys([*subjects, missing]) as held:
        keys = [data_key(subject).key for subject in subjects]
        with pytest.raises(SubjectErased):
            data_key(missing)

    # Then only the fetch queried the store, and the subject without a key raised at once.
    assert len(inside.captured_queries) == 1
    assert held == {}  # the block's own dict is emptied when it ends
    # ... and afterwards the keys are neither held nor cached: reading asks the store again.
    with _key_queries() as after:
        assert data_key(subjects[0]).key == keys[0]
    assert len(after.captured_queries) == 1


def test_a_key_made_inside_a_holding_block_is_used_for_the_rest_of_it() -> None:
    newcomer = uuid.uuid4()

    with holding_data_keys([newcomer]):
        with pytest.raises(SubjectErased):
            data_key(newcomer)
        made = data_key(newcomer, create=True)
        assert data_key(newcomer).key == made.key


def test_nested_blocks_add_their_keys_only_for_their_own_duration() -> None:
    outer, inner = _subjects_with_keys(2)

    with holding_data_keys([outer]):
        with holding_data_keys([inner]), _key_queries() as nested:
            data_key(outer)
            data_key(inner)
        with _key_queries() as after_inner:
            data_key(outer)
            data_key(inner)  # no longer held: asked for again

    assert len(nested.captured_queries) == 0
    assert len(after_inner.captured_queries) == 1


def test_held_keys_are_seen_only_in_the_blocks_own_context() -> None:
    # A thread or request starts from another context: it looks keys up itself.
    (subject,) = _subjects_with_keys(1)

    def read_elsewhere() -> int:
        with _key_queries() as queries:
            data_key(subject)
        clear_key_cache()
        return len(queries.captured_queries)

    with holding_data_keys([subject]):
        elsewhere = contextvars.Context().run(read_elsewhere)
        here = read_elsewhere()

    assert (elsewhere, here) == (1, 0)


@pytest.mark.usefixtures("vault_tables")
def test_values_read_inside_a_holding_block_are_the_values_read_without_it() -> None:
    # Given two customers' rows, read back from the database.
    for email, name in (("mei@example.org", "Mei Lin"), ("li@example.org", "Li Wei")):
        Customer.objects.create(email=email, name=name, notes="multi\nline")
    clear_key_cache()
    loaded: list[Any] = list(Customer.objects.all())

    # When their values are opened inside a block holding both keys.
    with _key_queries() as queries, holding_data_keys(row.subject_id for row in loaded):
        values = sorted((row.email, row.name, row.notes) for row in loaded)

    # Then they are exactly the stored plaintexts, opened with one key-store query.
    assert values == [
        ("li@example.org", "Li Wei", "multi\nline"),
        ("mei@example.org", "Mei Lin", "multi\nline"),
    ]
    assert len(queries.captured_queries) == 1
