"""Quote requests, uploads judged by content, pricing and the status table (C5, C37)."""

from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from accounts.models import User
from orders import actions
from orders.models import TRANSITIONS, ModelFile, Order, OrderAddress, OrderEvent, Status
from orders.tests.factories import (
    ADDRESS,
    audit_actions,
    files_under,
    placed,
    quote,
    quoted,
    stl_bytes,
    stl_file,
)
from orders.tests.fixtures.model_samples import MB, cube_model, package

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def request(customer: User, *uploads: SimpleUploadedFile, **fields: Any) -> Order:
    values: dict[str, Any] = {
        "process": "cnc_machining",
        "material": "Aluminium 6061-T6",
        "finish": "Bead blasted",
        "quantity": 4,
        "notes": "",
    }
    values.update(fields)
    return actions.request_quote(customer=customer, uploads=list(uploads), **values)


@pytest.mark.commitment("C5")
def test_a_quote_request_keeps_the_files_with_their_measurements(customer: User, manager: User) -> None:
    order = request(
        customer, stl_file("Bracket v2.stl"), stl_file("big.stl", 20.0, binary=True), notes="M4 threads"
    )

    order.refresh_from_db()
    assert (order.status, order.quantity, order.notes, order.account_manager_id) == (
        Status.QUOTE_REQUESTED,
        4,
        "M4 threads",
        manager.pk,
    )
    files = list(order.files.all())
    assert [(f.display_name, f.format, f.size, f.triangles) for f in files] == [
        ("Bracket v2.stl", "stl_ascii", len(stl_bytes()), 12),
        ("big.stl", "stl_binary", 684, 12),
    ]
    assert [f.dimensions for f in files] == [(10.0, 10.0, 10.0), (20.0, 20.0, 20.0)]
    assert [f.volume_mm3 for f in files] == [1000.0, 8000.0]
    assert b"".join(files[0].file.chunks()) == stl_bytes()
    assert [(e.from_status, e.to_status, e.actor_id) for e in order.events.all()] == [
        ("", Status.QUOTE_REQUESTED, customer.pk)
    ]
    assert audit_actions() == ["orders.quote.requested"]


@pytest.mark.commitment("C5")
def test_notes_and_file_names_are_not_readable_in_the_database(customer: User, media_root: Path) -> None:
    request(customer, stl_file("Project Nightingale housing.stl"), notes="Ship to the Nightingale lab")

    with connection.cursor() as cursor:
        cursor.execute("SELECT notes FROM orders_order")
        (notes,) = cursor.fetchone()
        cursor.execute("SELECT display_name, file FROM orders_modelfile")
        name, reference = cursor.fetchone()
    assert b"Nightingale" not in bytes(notes)
    assert b"Nightingale" not in bytes(name)
    assert "Nightingale" not in reference
    assert ".stl" not in reference
    stored = [media_root / path for path in files_under(media_root)]
    assert len(stored) == 1
    assert b"facet normal" not in stored[0].read_bytes()  # the STL is encrypted on disk


def _bomb() -> bytes:
    return package(cube_model(), [("Metadata/padding.xml", b"\0" * (50 * MB))])


def _path_trick() -> bytes:
    return package(cube_model(), [("../../evil.model", b"x")])


def _truncated() -> bytes:
    return stl_bytes(binary=True)[:-30]


HOSTILE = [
    pytest.param("part.stl", PNG, "unknown_format", id="png-renamed-stl"),
    pytest.param("bomb.3mf", _bomb(), "archive_bomb", id="3mf-bomb"),
    pytest.param("cube.3mf", _path_trick(), "unsafe_path", id="3mf-path-trick"),
    pytest.param("cube.stl", _truncated(), "truncated", id="truncated-stl"),
    pytest.param(
        "../../etc/cube.step", stl_bytes(), "extension_mismatch", id="path-in-name-and-wrong-extension"
    ),
]


@pytest.mark.commitment("C5")
@pytest.mark.parametrize(("name", "data", "code"), HOSTILE)
def test_a_hostile_upload_is_refused_and_leaves_nothing_behind(
    customer: User, media_root: Path, name: str, data: bytes, code: str
) -> None:
    before = files_under(media_root)

    with pytest.raises(actions.UploadRejected) as refused:
        request(customer, stl_file("good.stl"), SimpleUploadedFile(name, data))

    assert refused.value.code == code
    assert refused.value.message.startswith(refused.value.filename + ": ")
    assert "/" not in refused.value.filename
    assert (Order.objects.count(), ModelFile.objects.count(), OrderEvent.objects.count()) == (0, 0, 0)
    assert files_under(media_root) == before == []
    assert audit_actions() == []


@pytest.mark.commitment("C5")
def test_an_upload_over_the_size_limit_is_refused(customer: User, media_root: Path, settings: Any) -> None:
    settings.PLEDGE_MAX_UPLOAD_BYTES = 1000

    with pytest.raises(actions.UploadRejected) as refused:
        request(customer, stl_file("cube.stl"))

    assert (refused.value.code, refused.value.message) == (
        "too_large",
        "cube.stl: This file is larger than the 1000 bytes upload limit.",
    )
    assert (Order.objects.count(), files_under(media_root)) == (0, [])


@pytest.mark.commitment("C5")
def test_a_failed_transaction_removes_the_files_it_wrote(
    customer: User, media_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(actions, "record_event", broken)

    with pytest.raises(RuntimeError):
        request(customer, stl_file("a.stl"), stl_file("b.stl"))

    assert (Order.objects.count(), ModelFile.objects.count(), files_under(media_root)) == (0, 0, [])


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("process", "laser_sintering_on_mars", "unknown_process"),
        ("material", "Adamantium", "unknown_material"),
        ("finish", "Gold leaf", "unknown_finish"),
        ("quantity", 0, "invalid_quantity"),
    ],
)
def test_a_request_outside_the_offerings_is_refused(
    customer: User, field: str, value: Any, code: str
) -> None:
    with pytest.raises(actions.InvalidRequest) as refused:
        request(customer, stl_file(), **{field: value})

    assert (refused.value.code, refused.value.field) == (code, field)
    assert Order.objects.count() == 0


def test_the_transition_table_is_exactly_the_lifecycle() -> None:
    assert {status: sorted(targets) for status, targets in TRANSITIONS.items()} == {
        "quote_requested": ["cancelled", "quoted"],
        "quoted": ["cancelled", "placed", "quoted"],
        "placed": ["cancelled", "paid"],
        "paid": ["cancelled", "in_production"],
        "in_production": ["cancelled", "shipped"],
        "shipped": ["delivered"],
        "delivered": [],
        "cancelled": [],
    }


def test_pricing_sets_the_quote_and_records_the_change(customer: User, manager: User) -> None:
    order = quote(customer, quantity=4)

    actions.price_quote(
        actor=manager,
        order=order,
        unit_price=Decimal("12.50"),
        currency="EUR",
        lead_time_days=9,
        note="Anodised",
    )

    order.refresh_from_db()
    assert (
        order.status,
        order.unit_price,
        order.total,
        order.currency,
        order.lead_time_days,
        order.quote_note,
    ) == (
        Status.QUOTED,
        Decimal("12.50"),
        Decimal("50.00"),
        "EUR",
        9,
        "Anodised",
    )
    assert [(e.from_status, e.to_status, e.actor_id, e.note) for e in order.events.all()][1:] == [
        (Status.QUOTE_REQUESTED, Status.QUOTED, manager.pk, "Anodised")
    ]
    assert audit_actions() == ["orders.quote.requested", "orders.quote.priced"]


@pytest.mark.commitment("C37")
def test_an_unassigned_manager_cannot_price_and_nothing_changes(
    customer: User, other_manager: User, administrator: User
) -> None:
    order = quote(customer)

    for actor in (other_manager, administrator, customer):
        with pytest.raises(actions.NotPermitted):
            actions.price_quote(
                actor=actor, order=order, unit_price=Decimal("1.00"), currency="USD", lead_time_days=3
            )

    order.refresh_from_db()
    assert (order.status, order.total, order.events.count()) == (Status.QUOTE_REQUESTED, None, 1)
    assert audit_actions() == ["orders.quote.requested"]


def _move(order: Order, who: User, how: str) -> None:
    if how == "place":
        actions.place_order(actor=who, order=order, delivery=ADDRESS, billing=ADDRESS)
    elif how == "price":
        actions.price_quote(
            actor=who, order=order, unit_price=Decimal("2.00"), currency="USD", lead_time_days=2
        )
    elif how == "cancel":
        actions.cancel_order(actor=who, order=order)
    else:
        actions.advance_order(actor=who, order=order, to=how)


@pytest.mark.parametrize(
    ("start", "how"),
    [
        ("quote_requested", "place"),
        ("quote_requested", "in_production"),
        ("quoted", "shipped"),
        ("placed", "price"),
        ("placed", "in_production"),
        ("cancelled", "place"),
        ("cancelled", "price"),
    ],
)
def test_an_illegal_transition_is_refused_and_nothing_changes(
    customer: User, manager: User, start: str, how: str
) -> None:
    order = {"quote_requested": quote, "quoted": quoted, "placed": placed, "cancelled": quote}[start](
        *((customer,) if start in ("quote_requested", "cancelled") else (customer, manager))
    )
    if start == "cancelled":
        actions.cancel_order(actor=customer, order=order)
    order.refresh_from_db()
    events, trail = order.events.count(), audit_actions()
    who = customer if how == "place" else manager

    with pytest.raises(actions.IllegalTransition):
        _move(order, who, how)

    order.refresh_from_db()
    assert (order.status, order.events.count(), audit_actions()) == (start, events, trail)


def test_placing_keeps_a_copy_of_the_addresses_under_its_own_key(customer: User, manager: User) -> None:
    order = placed(customer, manager)

    copies = {a.kind: a for a in OrderAddress.objects.filter(order=order)}
    assert sorted(copies) == ["billing", "delivery"]
    delivery = copies["delivery"]
    assert (delivery.consignee_name, delivery.lines, delivery.mobile_phone) == (
        "Ada Consignee",
        ["12 Harbour Road", "518000 Shenzhen", "China"],
        "+86 138 0013 8000",
    )
    assert delivery.customer_subject_id == customer.subject_id
    assert (
        delivery.subject_id != customer.subject_id
    )  # sealed apart, so an erasure leaves the held record readable
    with connection.cursor() as cursor:
        cursor.execute("SELECT consignee_name, postal_lines FROM orders_orderaddress")
        rows = cursor.fetchall()
    assert all(b"Ada" not in bytes(name) and b"Harbour" not in bytes(lines) for name, lines in rows)


def test_a_customer_cannot_cancel_someone_elses_quote(customer: User, other_customer: User) -> None:
    order = quote(customer)

    with pytest.raises(actions.NotPermitted):
        actions.cancel_order(actor=other_customer, order=order)

    order.refresh_from_db()
    assert order.status == Status.QUOTE_REQUESTED


def test_staff_move_a_paid_order_to_delivery(customer: User, manager: User, administrator: User) -> None:
    order = placed(customer, manager)
    Order.objects.filter(pk=order.pk).update(status=Status.PAID)  # paying is payments' business

    actions.advance_order(actor=manager, order=order, to=Status.IN_PRODUCTION)
    actions.advance_order(actor=administrator, order=order, to=Status.SHIPPED, note="SF1234567890")
    actions.advance_order(actor=manager, order=order, to=Status.DELIVERED)

    order.refresh_from_db()
    assert order.status == Status.DELIVERED
    assert [(e.to_status, e.note) for e in order.events.all()][-3:] == [
        ("in_production", ""),
        ("shipped", "SF1234567890"),
        ("delivered", ""),
    ]


def test_the_archive_builder_really_makes_a_bomb() -> None:
    # Guard for the hostile samples above: the bomb is small on the wire and huge inside.
    import io

    data = _bomb()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sum(info.file_size for info in archive.infolist()) > 50 * MB > 100 * len(data)
