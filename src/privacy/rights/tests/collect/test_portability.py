"""The portability export: what the member provided, as JSON and CSV, and docs/portability.md
documents every column the catalog can export."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from privacy.catalog.registry import Catalog, current_catalog, declared_fields
from privacy.rights.portability import build_portability_export
from privacy.rights.tests.collect.isolated_models import Draft, Member, Note, Receipt, Reply

DOC = Path(settings.BASE_DIR) / "docs" / "portability.md"
HEADING = re.compile(r"^### `(?P<csv>[a-z_.]+)\.csv`", re.MULTILINE)
COLUMN = re.compile(r"^\| `(?P<name>[a-z_0-9]+)` \|", re.MULTILINE)


@pytest.mark.commitment("C33")
@pytest.mark.django_db(databases=["default", "keys"], transaction=True)
def test_the_export_round_trips_through_json_and_csv_with_only_what_the_member_provided(
    rights_catalog: Catalog,
) -> None:
    # Given a member with provided data, data we wrote about them, and a credential.
    mei = Member.objects.create(email="mei@example.org", password_hash="pbkdf2_sha256$1$s$h")
    note = Note(member=mei, body='a "quoted", multi-line\nnote', display_name="part.stl")
    note.upload = ContentFile(b"solid part\n", name="part.stl")
    note.save()
    receipt = Receipt.objects.create(member_subject_id=mei.subject_id, total="48.00")
    draft = Draft.objects.create(member_subject_id=mei.subject_id, text="draft")
    Reply.objects.create(member=mei, text="our answer")  # SogaWorks' record: not portable
    Member.objects.create(email="other@example.org")

    # When the export is written and read back.
    export = build_portability_export(mei.subject_id)
    out = io.BytesIO()
    export.write_zip(out)
    archive = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    file_path = f"files/rights.Note/{note.pk}-part.stl"

    # Then it holds every provided value, and nothing else, the same in JSON and CSV.
    assert sorted(archive.namelist()) == [
        "data.json",
        file_path,
        "rights.draft.csv",
        "rights.member.csv",
        "rights.note.csv",
        "rights.receipt.csv",
    ]
    assert export.counts == {"rights.Draft": 1, "rights.Member": 1, "rights.Note": 1, "rights.Receipt": 1}
    data = json.loads(archive.read("data.json"))
    assert data["models"]["rights.Member"] == {
        "csv": "rights.member.csv",
        "fields": ["email"],
        "rows": [{"id": str(mei.pk), "values": {"email": "mei@example.org"}}],
    }
    assert data["models"]["rights.Note"]["rows"] == [
        {
            "id": str(note.pk),
            "values": {
                "body": 'a "quoted", multi-line\nnote',
                "upload": {"file": file_path, "name": "part.stl", "size": 11},
                "display_name": "part.stl",
            },
        }
    ]
    assert archive.read(file_path) == b"solid part\n"
    for label, model in data["models"].items():
        rows = list(csv.DictReader(io.StringIO(archive.read(model["csv"]).decode("utf-8"))))
        expected = [
            {
                "id": row["id"],
                **{
                    name: value["file"] if isinstance(value, dict) else str(value)
                    for name, value in row["values"].items()
                },
            }
            for row in model["rows"]
        ]
        assert rows == expected, label
    assert (data["models"]["rights.Receipt"]["rows"], data["models"]["rights.Draft"]["rows"]) == (
        [{"id": str(receipt.pk), "values": {"total": "48.00"}}],
        [{"id": str(draft.pk), "values": {"text": "draft"}}],
    )
    text = out.getvalue().decode("latin-1")
    assert "pbkdf2" not in json.dumps(data)
    assert "our answer" not in json.dumps(data)
    assert "other@example.org" not in json.dumps(data)
    assert "other@example.org" not in text


def test_docs_portability_documents_every_column_the_catalog_exports() -> None:
    documented: dict[str, set[str]] = {}
    text = DOC.read_text()
    headings = list(HEADING.finditer(text))
    for index, heading in enumerate(headings):
        end = headings[index + 1].start() if index + 1 < len(headings) else len(text)
        documented[heading["csv"]] = set(COLUMN.findall(text, heading.end(), end))

    exported: dict[str, set[str]] = {}
    for model in current_catalog().models:
        names = {
            field.name
            for field, declared in declared_fields(model)
            if declared.provided_by_subject and not declared.category.startswith("user.authorization")
        }
        if names:
            exported[model._meta.label.lower()] = names

    assert documented == exported
