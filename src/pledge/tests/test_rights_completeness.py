"""The access package is complete by construction: computed from the catalog, not from a list.

The expected set is found without the engine's subject queries: every row of every
personal model is read, and a row is the subject's when its own subject path (walked on
the instance by the vault) or its `privacy_person` path (walked here) leads to their
subject id. Every declared field of such a row that holds a value must be in the package,
with that value. A field added tomorrow is in the expected set the day it is declared, so
it cannot be missed silently.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import pytest

from pledge.tests.rights_world import build_world, every_row_of
from privacy.catalog.registry import declared_fields, person_path_of, personal_models
from privacy.rights.collect import build_access_package
from privacy.rights.rows import WITHHELD, is_empty, json_value
from privacy.vault.errors import SubjectUnresolved
from privacy.vault.files import EncryptedFile
from privacy.vault.subjects import subject_id_of

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

# Every app a customer puts data in: the world must reach them all, or the test proves less.
MODELS_OF_A_CUSTOMER = {
    "accounts.User",
    "addresses.Address",
    "chat.Attachment",
    "chat.Message",
    "consent.ConsentRecord",
    "orders.ModelFile",
    "orders.Order",
    "orders.OrderAddress",
    "orders.OrderEvent",
    "payments.Invoice",
    "payments.Payment",
    "support.Ticket",
    "support.TicketMessage",
    "weblog.EmailOpen",
    "weblog.RequestLog",
    "weblog.TrackedEmail",
}


def _walk(row: Any, path: str) -> Any:
    target = row
    for step in path.split("__"):
        target = getattr(target, step, None)
        if target is None:
            return None
    return target


def _is_about(row: Any, subject_id: UUID) -> bool:
    try:
        if subject_id_of(row) == subject_id:
            return True
    except SubjectUnresolved:
        pass
    path = person_path_of(type(row))
    return path is not None and _walk(row, path) == subject_id


def _expected_values(subject_id: UUID) -> dict[tuple[str, str, str], Any]:
    found: dict[tuple[str, str, str], Any] = {}
    for model, row in every_row_of(personal_models()):
        if not _is_about(row, subject_id):
            continue
        for field, declared in declared_fields(model):
            value = getattr(row, field.name)
            if is_empty(value):
                continue
            if declared.category.startswith("user.authorization"):
                shown: Any = WITHHELD
            elif isinstance(value, EncryptedFile):
                shown = value.size
            else:
                shown = json_value(value)
            found[(model._meta.label, str(row.pk), field.name)] = shown
    return found


def _exported_values(data: dict[str, Any]) -> dict[tuple[str, str, str], Any]:
    found: dict[tuple[str, str, str], Any] = {}
    for label, section in data["personal_data"].items():
        for row in section["rows"]:
            for name, value in row["values"].items():
                if is_empty(value):
                    continue
                shown = value["size"] if isinstance(value, dict) and "file" in value else value
                found[(label, row["id"], name)] = shown
    return found


@pytest.mark.commitment("C29")
def test_the_access_package_holds_every_declared_field_that_has_a_value_for_the_subject() -> None:
    # Given a customer with data in every app, and a bystander with the same.
    world = build_world()
    subject = world.alice.subject_id
    expected = _expected_values(subject)
    assert {label for label, _, _ in expected} == MODELS_OF_A_CUSTOMER

    # When her access package is built.
    package = build_access_package(subject)

    # Then it holds exactly every (model, row, field) with a value, with that value.
    assert _exported_values(package.data) == expected
    # ... every row about her is counted, and nothing of the bystander is in it.
    rows_about_her = {(label, row) for label, row, _ in expected}
    assert sum(package.counts.values()) >= len(rows_about_her)
    exported_rows = {
        (label, row["id"])
        for label, section in package.data["personal_data"].items()
        for row in section["rows"]
    }
    bob_rows = {
        (model._meta.label, str(row.pk))
        for model, row in every_row_of(personal_models())
        if _is_about(row, world.bob.subject_id)
    }
    assert len(bob_rows) > 20
    assert exported_rows & bob_rows == set()
    assert "Bob Chen" not in json.dumps(package.data, ensure_ascii=False)


@pytest.mark.commitment("C29")
def test_the_package_includes_the_account_managers_side_of_her_chat_and_her_held_records() -> None:
    world = build_world()

    package = build_access_package(world.alice.subject_id)

    messages = package.data["personal_data"]["chat.Message"]["rows"]
    bodies = [row["values"]["body"] for row in messages]
    assert len(bodies) == 2
    assert bodies[0].startswith("Hello! Here is a sketch of the bracket")
    assert bodies[1].startswith("Thank you! 6061 aluminium")
    assert package.counts["orders.OrderAddress"] == 6  # delivery and billing of three placed orders
    assert package.counts["payments.Invoice"] == 2
    assert package.counts["weblog.RequestLog"] == 3
