"""Erasing a customer with data in every app: what goes, what the law keeps, what stays as ours.

- Her own rows and files go, her key is destroyed.
- Rows about her under other keys are reached through the catalog's second link
  (`privacy_person`): her invoices and her orders' delivery addresses are kept under their
  legal holds and listed as retained; her request logs are kept under the log's hold
  (rules log-*, PRC Cybersecurity Law Art. 21(3)) and listed too.
- Her chat thread keeps the account manager's messages, readable, with the link to her cut.
- Afterwards no byte of the database, the key store or the uploads holds her values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chat.models import Attachment, Message, Thread
from orders.models import OrderAddress
from payments.models import Invoice
from pledge.tests.rights_world import build_world
from privacy.catalog.erasure import erase_subject
from privacy.catalog.tests.test_erasure_raw_bytes import copy_database
from privacy.rights.collect import build_access_package
from privacy.vault.keys import clear_key_cache, has_data_key
from privacy.vault.models import SubjectKey
from weblog.models import RequestLog

pytestmark = pytest.mark.django_db(databases=["default", "keys"], transaction=True)

# Alice's values as the demo builders typed them (addresses, chat, ticket, account).
HER_VALUES = [
    "alice@example.com",
    "Alice Martin",
    "+44 7400 123456",
    "447400123456",
    "10 Example Street",
    "1 Sample Road",
    "workshop@example.com",
    "Here is a sketch of the bracket",
    "our assembly line starts on Monday",
    "Please keep the 2 mm wall",
    "203.0.113.77",
]


def _forms(needle: str) -> list[bytes]:
    raw = needle.encode()
    return [raw, needle.encode("utf-16-le"), raw.hex().encode()]


def _found_in(needles: list[str], *places: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for place in places:
        paths = sorted(p for p in place.rglob("*") if p.is_file()) if place.is_dir() else [place]
        for path in paths:
            data = path.read_bytes()
            for needle in needles:
                if any(form in data for form in _forms(needle)):
                    found.setdefault(needle, []).append(path.name)
    return found


@pytest.fixture
def media(tmp_path: Path, settings: Any) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


@pytest.mark.commitment("C31")
def test_erasing_a_customer_keeps_what_the_law_holds_and_sogaworks_side_of_the_chat(media: Path) -> None:
    # Given a customer with data in every app, and a bystander.
    world = build_world()
    alice, bob = world.alice, world.bob
    thread = Thread.objects.get(customer=alice)
    staff_messages = list(Message.objects.filter(thread=thread, from_staff=True).values_list("pk", flat=True))
    assert len(staff_messages) == 1
    bob_package_before = build_access_package(bob.subject_id).data["personal_data"]

    # When she is erased.
    report = erase_subject(alice.subject_id, reason="rights request 1", actor="staff:officer")

    # Then her own rows and files are deleted and her key destroyed.
    assert report.key_destroyed
    assert report.deleted == {
        "addresses.Address": 2,
        "chat.Attachment": 2,
        "chat.Message": 1,
        "orders.ModelFile": 6,
        "support.Ticket": 1,
        "support.TicketMessage": 1,
        "weblog.EmailOpen": 1,
        "weblog.TrackedEmail": 1,
    }
    assert report.files_deleted == 8
    # ... what the law keeps is listed with its rule, her invoices and order addresses among it.
    assert {(kept.model, kept.rows, kept.rule_id) for kept in report.retained} == {
        ("accounts.User", 1, "order-record"),
        ("consent.ConsentRecord", 1, "cookie-consent-records"),
        ("orders.Order", 6, "order-record"),
        ("orders.OrderAddress", 6, "delivery-name"),
        ("orders.OrderEvent", 18, "order-record"),
        ("payments.Invoice", 2, "payment-invoice"),
        ("payments.Payment", 2, "payment-invoice"),
        ("weblog.RequestLog", 3, "log-ip-address"),
    }
    assert OrderAddress.objects.filter(customer_subject_id=alice.subject_id).count() == 6
    assert Invoice.objects.filter(customer_subject_id=alice.subject_id).count() == 2
    assert RequestLog.objects.filter(account_subject_id=alice.subject_id).count() == 3
    clear_key_cache()
    kept_address = OrderAddress.objects.filter(customer_subject_id=alice.subject_id).first()
    assert kept_address is not None
    assert kept_address.consignee_name == "Alice Martin"  # held: its own key, still readable
    # ... the manager's message stays readable, untied from her; hers and her files are gone.
    assert report.unlinked == {"chat.Message": 1, "chat.Thread": 1}
    thread.refresh_from_db()
    assert thread.customer_id is None
    assert list(Message.objects.filter(thread=thread).values_list("pk", flat=True)) == staff_messages
    assert Message.objects.get(pk=staff_messages[0]).body.startswith("Thank you! 6061 aluminium")
    assert not Attachment.objects.filter(message__thread=thread).exists()
    # ... and nothing of the bystander changed.
    assert build_access_package(bob.subject_id).data["personal_data"] == bob_package_before


@pytest.mark.commitment("C31")
def test_after_erasure_no_byte_of_the_databases_or_uploads_holds_her_values(
    media: Path, tmp_path: Path
) -> None:
    world = build_world()
    subject = world.alice.subject_id
    wrapped_key = bytes(SubjectKey.objects.get(subject_id=subject).wrapped)
    before = copy_database("default", tmp_path / "before")
    # A control: a value stored in plain text (an invoice number) is found by the same scan.
    canary = Invoice.objects.filter(customer_subject_id=subject).values_list("number", flat=True).first()
    assert canary is not None
    assert _found_in([canary], before) == {canary: ["before"]}

    erase_subject(subject, reason="rights request 2", actor="staff:officer")

    data = copy_database("default", tmp_path / "data-after")
    keys = copy_database("keys", tmp_path / "keys-after")
    assert _found_in(HER_VALUES, data, keys, media) == {}
    assert wrapped_key not in keys.read_bytes()
    assert not has_data_key(subject)
