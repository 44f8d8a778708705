"""The orders JSON API: the same actions and the same need-to-know as the pages (C5, C37)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from addresses.actions import AddressDetails, add_address
from orders.models import ModelFile, Order, Status
from orders.tests.factories import audit_actions, files_under, logged_in, quote, stl_bytes, stl_file

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

FIELDS = {
    "process": "cnc_machining",
    "material": "Stainless steel 316L",
    "finish": "Polished",
    "quantity": "3",
    "notes": "Mirror polish on the top face",
}
SHENZHEN = AddressDetails(
    consignee_name="Wei Chen",
    mobile_phone="+86 138 0013 8000",
    country="CN",
    city="Shenzhen",
    street_line1="8 Keji Road",
    postal_code="518057",
)


def post_json(client: Any, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


@pytest.mark.commitment("C5")
def test_quote_price_and_place_through_the_api(customer: User, manager: User) -> None:
    client = logged_in(customer)

    created = client.post("/api/orders/", {**FIELDS, "files": [stl_file("lid.stl", 20.0, binary=True)]})

    assert created.status_code == 201, created.content
    body = created.json()
    order_id = body["id"]
    assert (body["status"], body["quantity"], body["notes"], body["total"]) == (
        "quote_requested",
        3,
        "Mirror polish on the top face",
        None,
    )
    assert body["files"] == [
        {
            "id": body["files"][0]["id"],
            "name": "lid.stl",
            "format": "stl_binary",
            "size": 684,
            "triangles": 12,
            "bbox_min": [0.0, 0.0, 0.0],
            "bbox_max": [20.0, 20.0, 20.0],
            "volume_mm3": 8000.0,
        }
    ]

    priced = post_json(
        logged_in(manager),
        f"/api/orders/{order_id}/quote",
        {"unit_price": "99.90", "currency": "EUR", "lead_time_days": 10, "note": "Polish adds two days"},
    )
    assert priced.status_code == 200, priced.content
    assert (priced.json()["status"], priced.json()["total"], priced.json()["currency"]) == (
        "quoted",
        "299.70",
        "EUR",
    )

    address = add_address(customer=customer, details=SHENZHEN)
    placed = post_json(
        client,
        f"/api/orders/{order_id}/place",
        {"delivery_address_id": str(address.pk), "billing_address_id": str(address.pk)},
    )
    assert placed.status_code == 200, placed.content
    assert [(step["from_status"], step["to_status"]) for step in placed.json()["timeline"]] == [
        ("", "quote_requested"),
        ("quote_requested", "quoted"),
        ("quoted", "placed"),
    ]
    order = Order.objects.get(pk=order_id)
    assert order.addresses.get(kind="delivery").lines == ["8 Keji Road", "518057 Shenzhen", "China"]


@pytest.mark.commitment("C5")
def test_a_hostile_upload_through_the_api_is_refused_and_leaves_nothing(
    customer: User, media_root: Path
) -> None:
    client = logged_in(customer)
    truncated = SimpleUploadedFile("cube.stl", stl_bytes(binary=True)[:-30])

    response = client.post("/api/orders/", {**FIELDS, "files": [stl_file("ok.stl"), truncated]})

    assert response.status_code == 422
    assert response.json()["code"] == "truncated"
    assert response.json()["field"] == "uploads"
    assert (Order.objects.count(), ModelFile.objects.count(), files_under(media_root)) == (0, 0, [])


def test_placing_with_someone_elses_address_is_refused(
    customer: User, manager: User, other_customer: User
) -> None:
    from orders.tests.factories import quoted

    order = quoted(customer, manager)
    theirs = add_address(customer=other_customer, details=SHENZHEN)

    response = post_json(
        logged_in(customer),
        f"/api/orders/{order.pk}/place",
        {"delivery_address_id": str(theirs.pk), "billing_address_id": str(theirs.pk)},
    )

    assert (response.status_code, response.json()["code"]) == (422, "unknown_address")
    order.refresh_from_db()
    assert order.status == Status.QUOTED


def test_an_illegal_move_through_the_api_is_a_conflict(customer: User, manager: User) -> None:
    order = quote(customer)

    response = post_json(logged_in(manager), f"/api/orders/{order.pk}/advance", {"to": "shipped"})

    assert (response.status_code, response.json()["code"]) == (409, "illegal_transition")
    order.refresh_from_db()
    assert order.status == Status.QUOTE_REQUESTED


@pytest.mark.commitment("C37")
@pytest.mark.parametrize(
    ("who", "status"),
    [("other_customer", 404), ("other_manager", 404), ("support_agent", 403), ("privacy_officer", 403)],
)
def test_the_api_shows_nothing_to_those_without_a_need_to_know(
    request: pytest.FixtureRequest, customer: User, who: str, status: int
) -> None:
    order = quote(customer, name="Secret-Widget.stl", notes="Kestrel prototype")
    model_file = order.files.get()
    client = logged_in(request.getfixturevalue(who))
    trail = audit_actions()

    responses = [
        client.get(f"/api/orders/{order.pk}"),
        client.get(f"/api/orders/{order.pk}/files/{model_file.pk}"),
        post_json(client, f"/api/orders/{order.pk}/cancel", {}),
        post_json(
            client,
            f"/api/orders/{order.pk}/quote",
            {"unit_price": "1", "currency": "USD", "lead_time_days": 1},
        ),
    ]
    listing = client.get("/api/orders/")

    assert [response.status_code for response in responses[:3]] == [status] * 3
    assert responses[3].status_code == (404 if who == "other_manager" else 403)  # pricing is for managers
    assert listing.status_code == (200 if status == 404 else 403)
    for response in [*responses, listing]:
        for secret in (str(order.pk), order.reference, "Secret-Widget", "Kestrel"):
            assert secret not in response.content.decode()
    order.refresh_from_db()
    assert (order.status, audit_actions()) == (Status.QUOTE_REQUESTED, trail)


def test_a_logged_out_caller_gets_401(customer: User) -> None:
    from django.test import Client

    order = quote(customer)

    assert Client().get(f"/api/orders/{order.pk}").status_code == 401


def test_the_api_download_is_an_attachment(customer: User) -> None:
    order = quote(customer, name="part.stl")
    model_file = order.files.get()

    response = logged_in(customer).get(f"/api/orders/{order.pk}/files/{model_file.pk}")

    assert response.status_code == 200
    assert response["Content-Type"] == "model/stl"
    assert response["Content-Disposition"].startswith('attachment; filename="part.stl"')
