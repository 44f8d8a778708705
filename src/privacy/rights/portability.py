"""The portability export (GDPR Art. 20, PIPL Art. 45(3); commitment C33).

Portability covers what the subject *provided* — the fields declared with
`provided_by_subject=True` — in a structured, commonly used, machine-readable form that
another provider can load: one JSON document, and one CSV per model, their columns
described in docs/portability.md. What we observed or derived (logs, prices we quoted,
our staff's messages) belongs in the access package, not here; credentials are never
exported (rows.WITHHELD_CATEGORIES).

The CSVs are UTF-8 with a header row, "id" first and then the model's provided fields in
declaration order; an empty cell is an empty value; a file is given as its path inside the
zip, where its bytes are streamed from the vault.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from typing import IO, Any
from uuid import UUID

from django.utils import timezone, translation

from privacy.catalog.registry import current_catalog
from privacy.rights.rows import WITHHELD, ModelRows, StoredFile, json_value, model_rows

FORMAT = "pledge.portability/1"


def csv_cell(value: Any) -> str:
    """A JSON value as one CSV cell: text as is, a file as its path, structures as JSON."""
    if value is None:
        return ""
    if isinstance(value, dict) and "file" in value:
        return str(value["file"])
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_name(label: str) -> str:
    """ "orders.Order" -> "orders.order.csv"."""
    return f"{label.lower()}.csv"


@dataclass
class PortabilityExport:
    subject_id: UUID
    data: dict[str, Any]
    counts: dict[str, int]
    sections: tuple[ModelRows, ...]
    files: tuple[StoredFile, ...]

    def csv_text(self, label: str) -> str:
        section = next(section for section in self.sections if section.label == label)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        names = [info.name for info in section.fields]
        writer.writerow(["id", *names])
        for row in section.rows:
            writer.writerow([row["id"], *(csv_cell(row["values"].get(name)) for name in names)])
        return out.getvalue()

    def write_zip(self, fileobj: IO[bytes]) -> None:
        """data.json, one CSV per model, and files/…; `fileobj` need not be seekable."""
        with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("data.json", json.dumps(self.data, ensure_ascii=False, indent=1))
            for section in self.sections:
                archive.writestr(csv_name(section.label), self.csv_text(section.label))
            for stored in self.files:
                with archive.open(stored.path, "w", force_zip64=True) as out:
                    for chunk in stored.chunks():
                        out.write(chunk)


def build_portability_export(subject_id: UUID) -> PortabilityExport:
    """What the subject provided, in every catalogued model, as JSON and CSV."""
    with translation.override("en"):
        sections = tuple(
            section
            for section in model_rows(current_catalog(), subject_id, provided_only=True)
            if section.rows and section.fields
        )
    # A credential is never exported: its column is left out (rows.py keeps it as "withheld").
    sections = tuple(
        ModelRows(
            section.model,
            tuple(info for info in section.fields if not info.withheld),
            tuple(
                {
                    "id": row["id"],
                    "values": {
                        k: v for k, v in row["values"].items() if v != WITHHELD and k in _kept(section)
                    },
                }
                for row in section.rows
            ),
            section.files,
        )
        for section in sections
    )
    sections = tuple(section for section in sections if section.fields)
    data = {
        "format": FORMAT,
        "subject_id": str(subject_id),
        "generated_at": json_value(timezone.now()),
        "models": {
            section.label: {
                "csv": csv_name(section.label),
                "fields": [info.name for info in section.fields],
                "rows": list(section.rows),
            }
            for section in sections
        },
        "files": [stored.as_dict() for section in sections for stored in section.files],
    }
    return PortabilityExport(
        subject_id,
        data,
        {section.label: len(section.rows) for section in sections},
        sections,
        tuple(stored for section in sections for stored in section.files),
    )


def _kept(section: ModelRows) -> set[str]:
    return {info.name for info in section.fields if not info.withheld}


# keeps: C33 (what the subject provided, in JSON and CSV, in a documented schema)
