"""The access package (right of access, GDPR Art. 15, PIPL Art. 45; commitment C29).

`build_access_package(subject_id)` walks the catalog, never a list of apps: every declared
field of every catalogued row about the subject (sealed under their key, or naming them
through the catalog's second link, `privacy_person`), decrypted through the ORM; the files
those rows hold; the subject's consent history; the recipients their kinds of data go to;
and the Art. 15 information for exactly the data present (disclosure.py). A new model or
field is in the package the day it is declared, and the completeness test proves it.

The package is built in memory except the files, which `write_zip` streams from the vault
into the archive a chunk at a time, so a large upload costs no more memory than a small
one. `report_html()` is the same content for a person to read (templates/rights/
access_report.html, English or Simplified Chinese labels where the declaration has them);
`data` is the machine-readable JSON. Both hold personal data: the request workflow delivers
them only to the verified requester, and never logs them.

Cost. A subject has a few hundred rows and thousands of values; the template engine spends
microseconds per tag, so the table rows are written here, each value escaped once
(`_rows_html`), and the template lays out the rest. data.json is written compactly by the
C encoder (no indentation: it is for machines; report.html is the one for people).
"""

from __future__ import annotations

import html
import json
import zipfile
from dataclasses import dataclass, field
from typing import IO, Any
from uuid import UUID

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from privacy.catalog.registry import current_catalog
from privacy.consent.models import ConsentRecord
from privacy.consent.queries import history_for_subject
from privacy.rights.disclosure import category_label, information, recipients
from privacy.rights.rows import ERASED, WITHHELD, ModelRows, StoredFile, is_empty, json_value, model_rows

FORMAT = "pledge.access/1"
REPORT_TEMPLATE = "rights/access_report.html"
DJANGO_LANGUAGE = {"en": "en", "zh": "zh-hans"}
# The report's own words (English, Simplified Chinese); the declaration supplies the rest.
REPORT_WORDS: dict[str, tuple[str, str]] = {
    "title": ("A copy of your personal data", "您的个人数据副本"),
    "intro": (
        "This is everything our systems hold about you, and what our privacy policy says about it.",
        "以下是我们的系统中与您有关的全部数据，以及我们的隐私政策对这些数据的说明。",
    ),
    "generated": ("Prepared", "生成时间"),
    "subject": ("Your reference", "您的编号"),
    "data": ("Your data", "您的数据"),
    "rows": ("records", "条记录"),
    "record": ("Record", "记录"),
    "withheld": ("held (not copied here, for your security)", "已保存（为保障您的安全，不在此复制）"),
    "erased": ("erased", "已删除"),
    "file": ("file", "文件"),
    "files": ("Files you uploaded", "您上传的文件"),
    "consent": ("Your cookie choices", "您的 Cookie 选择"),
    "method": ("Choice", "选择"),
    "choices": ("Categories", "类别"),
    "expires": ("Expires", "到期"),
    "purposes": ("Why we use it", "我们使用这些数据的目的"),
    "legal_basis": ("Legal basis", "法律依据"),
    "categories": ("Kinds of data", "数据类别"),
    "recipients": ("Who receives it", "数据接收方"),
    "countries": ("Where", "所在地"),
    "safeguards": ("Safeguards", "保障措施"),
    "retention": ("How long we keep it", "保存期限"),
    "legal_hold": (
        "kept even after an erasure request, as the law requires",
        "依法律要求，即使您要求删除也会保留",
    ),
    "sources": ("Where it came from", "数据来源"),
    "provided": ("Provided by you", "由您提供"),
    "observed": ("Recorded as you used the Services", "在您使用服务时记录"),
    "profiling": ("Profiling", "用户画像"),
    "no_profiling": ("None of your data is used for profiling.", "您的数据未被用于用户画像。"),
    "transfers": ("Transfers abroad", "跨境传输"),
    "rights": ("Your rights", "您的权利"),
    "complaint": (
        "You may also lodge a complaint with a data protection supervisory authority.",
        "您也可以向个人信息保护监管机构投诉。",
    ),
    "contact": ("Contact", "联系方式"),
    "none": ("None", "无"),
}


def _consent_entry(record: ConsentRecord) -> dict[str, Any]:
    return {
        "id": str(record.id),
        "at": json_value(record.created_at),
        "method": record.method,
        "choices": json_value(record.choices),
        "policy_version": record.policy_version,
        "cookie_version": record.cookie_version,
        "expires_at": json_value(record.expires_at),
    }


def _cell(value: Any, words: dict[str, str]) -> str:
    """A JSON value as the report shows it."""
    if value is None:
        return ""
    if value == WITHHELD:
        return words["withheld"]
    if value == ERASED:
        return words["erased"]
    if isinstance(value, dict) and "file" in value:
        return f"{words['file']}: {value['name']} ({value['size']:,} B) — {value['file']}"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return str(value)


def _html_text(text: str) -> str:
    """What `{{ text|linebreaksbr }}` writes: escaped, line breaks as <br>."""
    escaped = html.escape(text)
    if "\r" in escaped:
        escaped = escaped.replace("\r\n", "\n").replace("\r", "\n")
    return escaped.replace("\n", "<br>")


def _rows_html(section: ModelRows, words: dict[str, str]) -> SafeString:
    """The <tr> of every row of a section, each value escaped (html.escape, as the template would)."""
    names = [info.name for info in section.fields]
    lines = []
    for row in section.rows:
        values = row["values"]
        parts = ['<tr><td class="muted">', html.escape(row["id"]), "</td>"]
        for name in names:
            value = values.get(name)
            parts += ("<td>", _html_text(value if type(value) is str else _cell(value, words)), "</td>")
        parts.append("</tr>\n")
        lines.append("".join(parts))
    # Safe: every value above went through html.escape; the tags are ours.
    return mark_safe("".join(lines))  # noqa: S308


@dataclass
class AccessPackage:
    subject_id: UUID
    lang: str
    data: dict[str, Any]
    counts: dict[str, int]
    files: tuple[StoredFile, ...] = ()
    sections: tuple[ModelRows, ...] = field(default=(), repr=False)

    def report_html(self) -> str:
        """The package as one self-contained page (no scripts, no outside resources)."""
        words = {key: pair[1] if self.lang == "zh" else pair[0] for key, pair in REPORT_WORDS.items()}
        with translation.override(DJANGO_LANGUAGE.get(self.lang, "en")):
            return render_to_string(
                REPORT_TEMPLATE,
                {
                    "lang": self.lang,
                    "w": words,
                    "html_lang": DJANGO_LANGUAGE.get(self.lang, "en"),
                    "data": self.data,
                    "sections": [
                        {
                            "label": section.label,
                            "title": self.data["personal_data"][section.label]["title"],
                            "fields": self.data["personal_data"][section.label]["fields"],
                            "count": len(section.rows),
                            "ids": [row["id"] for row in section.rows] if not section.fields else [],
                            "body": _rows_html(section, words) if section.fields else "",
                        }
                        for section in self.sections
                    ],
                },
            )

    def data_json(self) -> str:
        return json.dumps(self.data, ensure_ascii=False, separators=(",", ":"))

    def write_zip(self, fileobj: IO[bytes]) -> None:
        """report.html, data.json and files/<model>/<id>-<name>; `fileobj` need not be seekable."""
        with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("report.html", self.report_html())
            archive.writestr("data.json", self.data_json())
            for stored in self.files:
                with archive.open(stored.path, "w", force_zip64=True) as out:
                    for chunk in stored.chunks():
                        out.write(chunk)


def build_access_package(subject_id: UUID, *, lang: str = "en") -> AccessPackage:
    """Everything the catalog holds about the subject, and what the declaration says of it."""
    lang = "zh" if lang.startswith("zh") else "en"
    catalog = current_catalog()
    policy = catalog.policy
    with translation.override(DJANGO_LANGUAGE[lang]):
        sections = model_rows(catalog, subject_id)
        personal_data: dict[str, Any] = {}
        present: set[tuple[str, str, bool]] = set()
        for section in sections:
            personal_data[section.label] = {
                "title": section.title,
                "fields": [
                    {
                        "name": info.name,
                        "label": info.label,
                        "category": info.declared.category,
                        "category_label": category_label(policy, info.declared.category, lang)
                        if policy
                        else info.declared.category,
                        "context": info.declared.context,
                        "provided_by_you": info.declared.provided_by_subject,
                    }
                    for info in section.fields
                ],
                "rows": list(section.rows),
            }
            for info in section.fields:
                if any(not is_empty(row["values"].get(info.name)) for row in section.rows):
                    declared = info.declared
                    present.add((declared.category, declared.context, declared.provided_by_subject))
    files = tuple(stored for section in sections for stored in section.files)
    history = history_for_subject(subject_id)
    categories = sorted({category for category, _, _ in present})
    receiving = recipients(policy, categories, lang=lang) if policy else []
    data: dict[str, Any] = {
        "format": FORMAT,
        "subject_id": str(subject_id),
        "generated_at": json_value(timezone.now()),
        "language": lang,
        "policy_version": policy.version if policy else None,
        "personal_data": personal_data,
        "files": [stored.as_dict() for stored in files],
        "consent_history": [_consent_entry(record) for record in history],
        "recipients": receiving,
        "information": information(policy, present, lang=lang, receiving=receiving),
    }
    counts = {section.label: len(section.rows) for section in sections}
    return AccessPackage(subject_id, lang, data, counts, files, tuple(sections))


# keeps: C29 (a copy of every declared field of the subject, their files, consent history,
# recipients and the Art. 15 information)
