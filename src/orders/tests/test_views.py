"""The quote and order pages: the customer's journey, the manager's queue, and need-to-know (C5, C37)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from orders.models import ModelFile, Order, Status
from orders.tests.factories import audit_actions, files_under, logged_in, quote, stl_bytes, stl_file

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

QUOTE_FORM = {
    "process": "3d_printing",
    "material": "Nylon PA12 (SLS/MJF)",
    "finish": "Dyed black",
    "quantity": "30",
    "notes": "Snap fits, keep the 0.3 mm gap",
}


def post_quote(client: Client, *uploads: SimpleUploadedFile) -> object:
    return client.post(reverse("orders:quote"), {**QUOTE_FORM, "uploads": list(uploads)})


@pytest.mark.commitment("C5")
def test_a_customer_requests_a_quote_and_sees_box_and_volume(customer: User) -> None:
    client = logged_in(customer)

    response = post_quote(client, stl_file("Clip housing.stl", 20.0, binary=True))

    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("orders:detail", args=[order.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Clip housing.stl" in page
    assert "Bounding box 20 × 20 × 20 mm" in page
    assert "Volume 8,000 mm³" in page
    assert "Snap fits, keep the 0.3 mm gap" in page
    assert "Quote requested" in page


@pytest.mark.commitment("C5")
@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "photo.stl",
            b"\x89PNG\r\n\x1a\n" + b"\0" * 40,
            "photo.stl: This file is a PNG image, not a 3D model.",
        ),
        (
            "cube.stl",
            stl_bytes(binary=True)[:-10],
            "cube.stl: This binary STL is shorter than the triangle count in its header says",
        ),
        ("..\\..\\windows\\notes.stl", b"hello\n", "notes.stl: This text file is not a 3D model."),
    ],
)
def test_a_hostile_upload_gets_a_clear_error_on_the_page_and_nothing_is_kept(
    customer: User, media_root: Path, name: str, data: bytes, message: str
) -> None:
    client = logged_in(customer)
    before = files_under(media_root)

    response = post_quote(client, stl_file("fine.stl"), SimpleUploadedFile(name, data))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert (Order.objects.count(), ModelFile.objects.count()) == (0, 0)
    assert files_under(media_root) == before == []
    assert audit_actions() == []


def test_the_quote_form_offers_exactly_the_processes_of_the_catalogue(customer: User) -> None:
    from orders.offerings import PROCESSES

    page = logged_in(customer).get(reverse("orders:quote")).content.decode()

    for process in PROCESSES:
        assert f'<option value="{process.key}">{process.name}</option>' in page
        for material in process.materials:
            assert f'<option value="{material}">' in page


def test_the_manager_prices_from_the_queue_and_the_customer_sees_the_quote(
    customer: User, manager: User
) -> None:
    order = quote(customer, quantity=4)
    staff = logged_in(manager)

    queue = staff.get(reverse("orders:list")).content.decode()
    response = staff.post(
        reverse("orders:price", args=[order.pk]),
        {"unit_price": "12.50", "currency": "USD", "lead_time_days": "7", "note": "Includes deburring"},
    )

    assert order.reference in queue
    assert "Waiting for your price" in queue
    assert response.status_code == 302
    page = logged_in(customer).get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert "50.00 USD" in page
    assert "12.50 USD" in page
    assert "7 days" in page
    assert "Includes deburring" in page
    assert "Place the order" in page


@pytest.mark.commitment("C5")
def test_the_customer_downloads_their_file_as_an_attachment(customer: User, manager: User) -> None:
    order = quote(customer, name="part.stl")
    model_file = order.files.get()

    for user in (customer, manager):
        response = logged_in(user).get(reverse("orders:file", args=[order.pk, model_file.pk]))

        assert response.status_code == 200
        assert response["Content-Type"] == "model/stl"
        assert (
            response["Content-Disposition"] == "attachment; filename=\"part.stl\"; filename*=UTF-8''part.stl"
        )
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == stl_bytes()  # type: ignore[attr-defined]
    assert audit_actions().count("orders.file.downloaded") == 2


@pytest.mark.commitment("C37")
@pytest.mark.parametrize("who", ["other_customer", "other_manager", "support_agent", "privacy_officer"])
def test_nobody_without_a_need_to_know_sees_an_order_or_its_files(
    request: pytest.FixtureRequest, customer: User, who: str
) -> None:
    order = quote(customer, name="Secret-Widget.stl", notes="Prototype for the Kestrel project")
    model_file = order.files.get()
    intruder: User = request.getfixturevalue(who)
    client = logged_in(intruder)
    trail = audit_actions()

    pages = {
        "detail": client.get(reverse("orders:detail", args=[order.pk])),
        "file": client.get(reverse("orders:file", args=[order.pk, model_file.pk])),
        "price": client.get(reverse("orders:price", args=[order.pk])),
        "place": client.get(reverse("orders:place", args=[order.pk])),
        "cancel": client.post(reverse("orders:cancel", args=[order.pk])),
        "advance": client.post(reverse("orders:advance", args=[order.pk]), {"to": "in_production"}),
    }
    listing = client.get(reverse("orders:list"))

    assert all(response.status_code in (403, 404) for response in pages.values()), {
        name: response.status_code for name, response in pages.items()
    }
    for response in [*pages.values(), listing]:
        body = response.content.decode()
        for secret in (order.reference, str(order.pk), "Secret-Widget", "Kestrel"):
            assert secret not in body
    order.refresh_from_db()
    assert (order.status, order.events.count()) == (Status.QUOTE_REQUESTED, 1)
    assert audit_actions() == trail


@pytest.mark.commitment("C37")
def test_an_administrator_sees_the_order_but_not_the_files(customer: User, administrator: User) -> None:
    order = quote(customer, name="Secret-Widget.stl")
    model_file = order.files.get()
    client = logged_in(administrator)

    page = client.get(reverse("orders:detail", args=[order.pk]))
    download = client.get(reverse("orders:file", args=[order.pk, model_file.pk]))

    assert page.status_code == 200
    assert "Secret-Widget" not in page.content.decode()
    assert download.status_code == 403


def test_a_logged_out_visitor_is_sent_to_log_in(customer: User) -> None:
    order = quote(customer)

    response = Client().get(reverse("orders:detail", args=[order.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")
