"""What an access package costs in queries, and that the faster paths change no value.

The package reads one query per model and link, and fetches every key its values are
sealed under in one key-store query (privacy.vault.keys.holding_data_keys), however many
keys there are; a value whose key was destroyed reads as erased; the report's table rows,
written in Python, escape every value as the template would.
"""

from __future__ import annotations

import uuid

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from privacy.catalog.registry import Catalog
from privacy.rights.collect import build_access_package
from privacy.rights.portability import build_portability_export
from privacy.rights.rows import ERASED
from privacy.rights.tests.collect.isolated_models import Draft, Member, Receipt, Reply
from privacy.vault.keys import clear_key_cache, destroy_subject_key

pytestmark = pytest.mark.django_db(databases=["default", "keys"], transaction=True)


def _member_with_rows_under_many_keys(drafts: int) -> Member:
    mei = Member.objects.create(email="mei.lin@example.org", password_hash="pbkdf2_sha256$1$salt$hash")
    Receipt.objects.create(member_subject_id=mei.subject_id, total="48.00")
    for n in range(drafts):  # each under a key of its own, as request logs are under their day's
        Draft.objects.create(member_subject_id=mei.subject_id, text=f"draft {n}")
    Reply.objects.create(member=mei, text="Yes, blue works.")
    clear_key_cache()
    return mei


def test_the_package_fetches_all_its_keys_in_one_query_and_reads_one_query_per_model_and_link(
    rights_catalog: Catalog,
) -> None:
    # Given a member whose rows are sealed under 1 + 1 + 12 + 1 keys.
    mei = _member_with_rows_under_many_keys(drafts=12)
    links = sum(len(querysets) for _, querysets in rights_catalog.querysets_about_subject(mei.subject_id))

    # When the package is built, with no key cached.
    with (
        CaptureQueriesContext(connections["keys"]) as keys,
        CaptureQueriesContext(connections["default"]) as data,
    ):
        package = build_access_package(mei.subject_id)
        package.data_json()
        package.report_html()

    # Then one key-store query opened every value; one query per model and link, and the
    # consent history, read the rows.
    assert len(keys.captured_queries) == 1
    assert len(data.captured_queries) == links + 1
    drafts = package.data["personal_data"]["rights.Draft"]["rows"]
    assert sorted(row["values"]["text"] for row in drafts) == sorted(f"draft {n}" for n in range(12))


def test_a_value_whose_key_was_destroyed_reads_as_erased_without_asking_again(
    rights_catalog: Catalog,
) -> None:
    mei = _member_with_rows_under_many_keys(drafts=2)
    gone = Draft.objects.order_by("pk").first()
    assert gone is not None
    destroy_subject_key(gone.subject_id)

    with CaptureQueriesContext(connections["keys"]) as keys:
        package = build_access_package(mei.subject_id)

    values = {
        row["id"]: row["values"]["text"] for row in package.data["personal_data"]["rights.Draft"]["rows"]
    }
    assert values[str(gone.pk)] == ERASED
    assert sorted(v for k, v in values.items() if k != str(gone.pk)) == ["draft 1"]
    assert len(keys.captured_queries) == 1


def test_the_report_escapes_every_value_and_keeps_line_breaks(rights_catalog: Catalog) -> None:
    mei = Member.objects.create(email="mei@example.org", password_hash="x")
    Draft.objects.create(member_subject_id=mei.subject_id, text="<b>\"bold\" & 'quoted'</b>\r\nsecond line")

    report = build_access_package(mei.subject_id).report_html()

    assert "<td>&lt;b&gt;&quot;bold&quot; &amp; &#x27;quoted&#x27;&lt;/b&gt;<br>second line</td>" in report
    assert "<b>" not in report


def test_portability_reads_the_same_values_through_the_same_paths(rights_catalog: Catalog) -> None:
    mei = _member_with_rows_under_many_keys(drafts=3)

    with CaptureQueriesContext(connections["keys"]) as keys:
        export = build_portability_export(mei.subject_id)

    assert len(keys.captured_queries) == 1
    assert sorted(row["values"]["text"] for row in export.data["models"]["rights.Draft"]["rows"]) == [
        "draft 0",
        "draft 1",
        "draft 2",
    ]
    assert "rights.Reply" not in export.counts  # SogaWorks' record about her: access only
    assert str(uuid.UUID(export.data["subject_id"])) == str(mei.subject_id)
