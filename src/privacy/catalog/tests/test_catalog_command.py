"""`pledge catalog` prints the map of personal data, as a table or as JSON."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from privacy.catalog.checks import check_personal_data
from privacy.catalog.registry import Catalog, catalog_entries, personal_models, reset_catalog, using_catalog
from privacy.catalog.tests.isolated_models import (
    Attachment,
    Customer,
    Invoice,
    Message,
    Refund,
    Thread,
    catalog_of_test_models,
)
from privacy.catalog.tests.sample_declaration import sample_policy

ATTACHMENT_PATH = "message__thread__customer"
# model, field, category, context, retention rule, erasure, subject path
EXPECTED_ROWS = [
    ["catalog.Attachment", "upload", "user.content", "chat", "chat-history", "destroy_key", ATTACHMENT_PATH],
    ["catalog.Attachment", "preview", "user.content", "chat", "chat-history", "delete_row", ATTACHMENT_PATH],
    ["catalog.Customer", "name", "user.name", "registration", "account-data", "destroy_key", "self"],
    [
        "catalog.Customer",
        "email",
        "user.contact.email",
        "registration",
        "account-data",
        "destroy_key",
        "self",
    ],
    [
        "catalog.Customer",
        "phone",
        "user.contact.phone_number",
        "registration",
        "account-data",
        "destroy_key",
        "self",
    ],
    ["catalog.Invoice", "billing_name", "user.financial", "payment", "tax-records", "delete_row", "self"],
    ["catalog.Invoice", "delivery_note", "user.content", "chat", "chat-history", "clear", "self"],
    [
        "catalog.Message",
        "body",
        "user.content.chat",
        "chat",
        "chat-history",
        "destroy_key",
        "thread__customer",
    ],
    [
        "catalog.Refund",
        "bank_reference",
        "user.financial",
        "payment",
        "tax-records",
        "delete_row",
        "customer",
    ],
]
HEADINGS = ["Model", "Field", "Category", "Context", "Retention rule", "Erasure", "Subject path"]
KEYS = ["model", "field", "category", "context", "retention_rule", "erasure", "subject_path"]


def _run(*args: str) -> str:
    out = StringIO()
    with using_catalog(catalog_of_test_models()):
        call_command("catalog", *args, stdout=out)
    return out.getvalue()


def test_json_lists_every_declared_field_with_its_rule_and_path() -> None:
    expected = [{**dict(zip(KEYS, row, strict=True)), "provided_by_subject": True} for row in EXPECTED_ROWS]

    assert json.loads(_run("--json")) == expected


def test_table_shows_the_same_map() -> None:
    lines = _run().splitlines()

    assert lines[0].strip() == "Personal data catalog (9 fields)"
    assert (lines[1][0], lines[3][0], lines[-1][0]) == ("┏", "┡", "└")
    grid = (lines[2], *lines[4:-1])
    cells = [[cell.strip() for cell in line[1:-1].replace("┃", "│").split("│")] for line in grid]
    assert cells == [HEADINGS, *EXPECTED_ROWS]
    assert len({len(line) for line in lines[1:]}) == 1  # no row was wrapped


def test_an_empty_catalog_says_so() -> None:
    out = StringIO()
    with using_catalog(Catalog([], sample_policy())):
        call_command("catalog", stdout=out)
        assert out.getvalue() == "No personal fields are declared.\n"
        call_command("catalog", "--json", stdout=out)
    assert out.getvalue().endswith("[]\n")


def test_without_a_declaration_the_retention_rules_are_unknown() -> None:
    with using_catalog(Catalog([Invoice], None)):
        assert [(entry.field, entry.retention_rule) for entry in catalog_entries()] == [
            ("billing_name", None),
            ("delivery_note", None),
        ]


def test_personal_models_are_ordered_children_before_parents() -> None:
    with using_catalog(catalog_of_test_models()):
        # Attachment -> Message -> Thread -> Customer, and Refund -> Customer; ties go by label.
        assert personal_models() == [Attachment, Invoice, Message, Refund, Thread, Customer]


def test_a_broken_declaration_is_named_not_crashed_on(tmp_path: Path, settings: Any) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: [\n")
    settings.PLEDGE_POLICY_FILE = broken
    reset_catalog()
    try:
        named = r"(?s)The declaration cannot be loaded: .*broken\.yaml:2: YAML syntax error"
        with pytest.raises(CommandError, match=named):
            call_command("catalog", stdout=StringIO())
        # The model checks still run; privacy.E001 (the policy's own check) names the problem.
        assert all(message.id in {"privacy.E101", "privacy.E103"} for message in check_personal_data())
    finally:
        reset_catalog()
