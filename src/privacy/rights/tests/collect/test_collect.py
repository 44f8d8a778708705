"""The access package over test models read against the real declaration: exact values.

Every declared field of every row about the member (sealed under their key, or naming them
through `privacy_person`), their file streamed into the zip, credentials withheld, and the
Art. 15 information for exactly the categories present.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile

from privacy.catalog.registry import Catalog
from privacy.rights.collect import build_access_package
from privacy.rights.tests.collect.isolated_models import Draft, Member, Note, Receipt, Reply

pytestmark = pytest.mark.django_db(databases=["default", "keys"], transaction=True)

STL = b"solid cube\nendsolid cube\n" * 50_000  # 1.2 MB: several vault chunks


def _member(email: str = "mei.lin@example.org") -> dict[str, Any]:
    member = Member.objects.create(email=email, password_hash="pbkdf2_sha256$1$salt$hash")
    note = Note(member=member, body="Can you make it in blue?", display_name="blue cube.stl")
    note.upload = ContentFile(STL, name="blue cube.stl")
    note.save()
    receipt = Receipt.objects.create(member_subject_id=member.subject_id, total="48.00")
    draft = Draft.objects.create(member_subject_id=member.subject_id, text="half-written question")
    reply = Reply.objects.create(member=member, text="Yes, blue works.")
    return {"member": member, "note": note, "receipt": receipt, "draft": draft, "reply": reply}


@pytest.mark.commitment("C29")
def test_the_package_holds_every_row_about_the_member_with_exact_values(rights_catalog: Catalog) -> None:
    # Given a member with rows under their key and under other keys, and another member.
    mei = _member()
    _member("someone.else@example.org")
    note = mei["note"]

    # When their access package is built.
    package = build_access_package(mei["member"].subject_id)

    # Then every row about them is there, with every declared value, and no one else's.
    assert package.counts == {
        "rights.Draft": 1,
        "rights.Member": 1,
        "rights.Note": 1,
        "rights.Receipt": 1,
        "rights.Reply": 1,
    }
    rows = {label: section["rows"] for label, section in package.data["personal_data"].items()}
    file_path = f"files/rights.Note/{note.pk}-blue_cube.stl"
    assert rows == {
        "rights.Member": [
            {
                "id": str(mei["member"].pk),
                "values": {"email": "mei.lin@example.org", "password_hash": {"withheld": "credential"}},
            }
        ],
        "rights.Note": [
            {
                "id": str(note.pk),
                "values": {
                    "body": "Can you make it in blue?",
                    "upload": {"file": file_path, "name": "blue cube.stl", "size": len(STL)},
                    "display_name": "blue cube.stl",
                },
            }
        ],
        "rights.Receipt": [{"id": str(mei["receipt"].pk), "values": {"total": "48.00"}}],
        "rights.Draft": [{"id": str(mei["draft"].pk), "values": {"text": "half-written question"}}],
        "rights.Reply": [{"id": str(mei["reply"].pk), "values": {"text": "Yes, blue works."}}],
    }
    assert package.data["files"] == [
        {
            "model": "rights.Note",
            "row": str(note.pk),
            "field": "upload",
            "name": "blue cube.stl",
            "size": len(STL),
            "path": file_path,
        }
    ]
    assert package.data["personal_data"]["rights.Member"]["fields"] == [
        {
            "name": "email",
            "label": "e-mail",
            "category": "user.contact.email",
            "category_label": "E-mail address",
            "context": "account_registration",
            "provided_by_you": True,
        },
        {
            "name": "password_hash",
            "label": "password hash",
            "category": "user.authorization.password",
            "category_label": "Password (stored encrypted)",
            "context": "account_registration",
            "provided_by_you": True,
        },
    ]


@pytest.mark.commitment("C29")
def test_the_art_15_information_follows_the_declaration_for_the_data_present(rights_catalog: Catalog) -> None:
    mei = _member()

    information = build_access_package(mei["member"].subject_id).data["information"]
    recipients = build_access_package(mei["member"].subject_id).data["recipients"]

    assert [item["key"] for item in information["categories"]] == [
        "user.authorization.password",
        "user.behavior.purchase_history",
        "user.contact.email",
        "user.content.private",
    ]
    assert [item["key"] for item in information["purposes"]] == [
        "administer_account",
        "communicate",
        "prevent_fraud",
        "troubleshoot",
        "surveys",
        "marketing_messages",
        "testimonials",
        "legal_obligation",
        "storage",
        "legal_claims",
        "fulfil_orders",
        "research",
    ]
    assert [(rule["rule"], rule["kept_for"], rule["legal_hold"]) for rule in information["retention"]] == [
        ("account-password", "Until the account is closed", False),
        ("payment-invoice", "30 years after the order is completed", True),
        ("account-email", "Until the account is closed", False),
        ("chat-content", "3 years after the last activity", False),
    ]
    assert [
        (s["context"], s["source"], s["provided_by_you"], s["observed"]) for s in information["sources"]
    ] == [
        ("account_registration", "subject", ["user.authorization.password", "user.contact.email"], []),
        ("live_chat_and_order", "subject", ["user.content.private"], ["user.content.private"]),
        ("payment", "subject", ["user.behavior.purchase_history"], []),
    ]
    assert information["profiling"] == []  # no data of the cookie contexts, so no advertising profile
    assert [item["key"] for item in recipients] == [
        "affiliates",
        "technical_service_providers",
        "data_storage_providers",
        "after_sales_service_providers",
        "marketing_promotion_providers",
        "logistics_providers",
        "payment_service_providers",
        "successor",
        "authorities",
    ]
    logistics = next(item for item in recipients if item["key"] == "logistics_providers")
    assert [c["key"] for c in logistics["categories"]] == ["user.contact.email"]
    assert [t["recipient"] for t in information["transfers"]] == [
        "after_sales_service_providers",
        "logistics_providers",
        "payment_service_providers",
    ]


@pytest.mark.commitment("C29")
def test_the_zip_holds_the_report_the_json_and_the_file_streamed_from_the_vault(
    rights_catalog: Catalog,
) -> None:
    mei = _member()
    package = build_access_package(mei["member"].subject_id)

    out = io.BytesIO()
    package.write_zip(out)

    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        path = f"files/rights.Note/{mei['note'].pk}-blue_cube.stl"
        assert archive.namelist() == ["report.html", "data.json", path]
        assert archive.read(path) == STL
        assert json.loads(archive.read("data.json")) == json.loads(json.dumps(package.data))
        report = archive.read("report.html").decode()
    assert "mei.lin@example.org" in report
    assert "held (not copied here, for your security)" in report
    assert "pbkdf2" not in report
    assert "pbkdf2" not in package.data_json()
    assert "Yes, blue works." in report
    assert "<script" not in report


def test_the_report_is_in_chinese_with_the_declarations_labels(rights_catalog: Catalog) -> None:
    mei = _member()

    report = build_access_package(mei["member"].subject_id, lang="zh").report_html()

    assert '<html lang="zh-hans">' in report
    assert "您的个人数据副本" in report
    assert "电子邮件地址" in report  # the declaration's zh label of user.contact.email
    assert "物流服务提供商" in report  # a recipient's zh title


def test_a_package_of_someone_with_no_data_is_empty_but_still_says_what_the_policy_says(
    rights_catalog: Catalog, tmp_path: Path
) -> None:
    _member()
    import uuid

    package = build_access_package(uuid.uuid4())

    assert (
        package.counts,
        package.data["personal_data"],
        package.data["files"],
        package.data["recipients"],
    ) == (
        {},
        {},
        [],
        [],
    )
    assert [right["key"] for right in package.data["information"]["rights"]][:2] == ["informed", "access"]
