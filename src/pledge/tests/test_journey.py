"""One Chromium journey through the Services, then a raw-bytes scan of the database and uploads.

register → confirm the e-mail → log in → add a delivery address → request a quote with a
binary STL → the account manager prices it (through the action layer: staff need TOTP) →
place the order → pay by card → chat with an image → open a support ticket. Afterwards no
table row and no file under MEDIA_ROOT holds the card number, or the customer's e-mail,
phone, consignee name or username in plaintext.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connections

from accounts.models import Role, User
from accounts.testing import make_account
from chat.models import Attachment, Message
from orders import actions as order_actions
from orders.models import Order, Status
from orders.samples import binary_stl, cube_triangles
from payments.models import Payment, PaymentStatus
from support.models import Ticket

CARD = "4242424242424242"
USERNAME = "journey_ada"
EMAIL = "ada.journey@example.org"
PASSWORD = "violet kestrel harbour 93"
PHONE_TYPED = "+44 7911 123456"
PHONE_E164 = "+447911123456"
CONSIGNEE = "Ada Quillfeather"
LINK = re.compile(r"https?://[^\s/]+(/account/verify/[^\s]+/)")
UUID_IN_PATH = re.compile(r"/orders/([0-9a-f-]{36})/")


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (48, 32), (200, 80, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def _as_bytes(value: object) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, memoryview):
        return bytes(value)
    return str(value).encode("utf-8")


def _database_hits(secrets: dict[str, bytes]) -> list[str]:
    hits: list[str] = []
    for alias in ("default", "keys"):
        connection = connections[alias]
        with connection.cursor() as cursor:
            for table in connection.introspection.table_names(cursor):
                cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
                for row in cursor.fetchall():
                    for value in row:
                        if value is None:
                            continue
                        raw = _as_bytes(value)
                        hits.extend(
                            f"{alias}.{table}: {name}" for name, secret in secrets.items() if secret in raw
                        )
    return hits


def _file_hits(root: Path, secrets: dict[str, bytes]) -> list[str]:
    hits: list[str] = []
    for path in root.rglob("*"):
        if path.is_file():
            raw = path.read_bytes()
            hits.extend(f"{path}: {name}" for name, secret in secrets.items() if secret in raw)
    return hits


@pytest.mark.browser
@pytest.mark.commitment("C1", "C2", "C4", "C5", "C6", "C7")
@pytest.mark.django_db(transaction=True, databases=["default", "keys"])
def test_customer_journey_in_chromium_leaves_no_plaintext(
    chromium: Any, live_server: Any, smtp_server: Any, settings: Any, tmp_path: Path
) -> None:
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = media
    manager = make_account(Role.ACCOUNT_MANAGER, username="journeymanager")
    base = live_server.url

    context = chromium.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        # Register (the cookie banner is answered first).
        page.goto(f"{base}/account/register/")
        page.get_by_role("button", name="Reject all").click()
        page.get_by_role("button", name="Reject all").wait_for(state="hidden")
        page.fill("[name=username]", USERNAME)
        page.fill("[name=email]", EMAIL)
        page.fill("[name=password]", PASSWORD)
        page.fill("[name=date_of_birth]", "1988-06-14")
        page.select_option("[name=country]", "GB")
        page.get_by_role("button", name="Create account").click()
        page.wait_for_url(f"{base}/account/register/thanks/")

        # Confirm the e-mail with the link that arrived over SMTP.
        [message] = smtp_server.to(EMAIL)
        text = "".join(
            (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
            for part in message.walk()
            if not part.is_multipart()
        )
        found = LINK.search(text)
        assert found is not None, text
        page.goto(base + found.group(1))
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_url(re.compile(r"/account/login/"))
        customer = User.objects.get(**User.objects.lookup(USERNAME))
        assert customer.email_verified_at is not None
        User.objects.filter(pk=customer.pk).update(account_manager=manager)

        # Log in.
        page.fill("[name=identifier]", USERNAME)
        page.fill("[name=password]", PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{base}/account/")

        # Add a delivery address.
        page.goto(f"{base}/addresses/new/")
        page.fill("[name=consignee_name]", CONSIGNEE)
        page.fill("[name=mobile_phone]", PHONE_TYPED)
        page.select_option("[name=country]", "GB")
        page.fill("[name=street_line1]", "12 Foundry Lane")
        page.fill("[name=city]", "Sheffield")
        page.fill("[name=postal_code]", "S1 2HE")
        page.check("[name=default_delivery]")
        page.check("[name=default_billing]")
        page.get_by_role("button", name="Add address").click()
        page.wait_for_url(f"{base}/addresses/")

        # Request a quote with a binary STL cube.
        page.goto(f"{base}/orders/quote/")
        page.set_input_files(
            "[name=uploads]",
            files=[
                {
                    "name": "bracket.stl",
                    "mimeType": "model/stl",
                    "buffer": binary_stl(cube_triangles(20.0)),
                }
            ],
        )
        page.select_option("[name=process]", "cnc_machining")
        page.select_option("[name=material]", "Aluminium 6061-T6")
        page.select_option("[name=finish]", "Bead blasted")
        page.fill("[name=quantity]", "3")
        page.get_by_role("button", name="Send quote request").click()
        page.wait_for_url(UUID_IN_PATH)
        match = UUID_IN_PATH.search(page.url)
        assert match is not None
        order = Order.objects.get(pk=match.group(1))
        assert order.status == Status.QUOTE_REQUESTED
        assert order.files.count() == 1

        # The account manager prices it.
        order_actions.price_quote(
            actor=manager, order=order, unit_price=Decimal("42.50"), currency="USD", lead_time_days=7
        )

        # The customer places the order.
        page.goto(f"{base}/orders/{order.pk}/place/")
        page.get_by_role("button", name="Place the order").click()
        page.wait_for_url(f"{base}/orders/{order.pk}/")
        order.refresh_from_db()
        assert order.status == Status.PLACED

        # Pay by card on the payment page.
        page.goto(f"{base}/payments/orders/{order.pk}/")
        page.fill("[name=number]", CARD)
        page.select_option("[name=exp_month]", "12")
        years = page.locator("[name=exp_year] option").evaluate_all("os => os.map(o => o.value)")
        page.select_option("[name=exp_year]", years[-1])
        page.fill("[name=cvc]", "123")
        page.get_by_role("button", name=re.compile(r"^Pay ")).click()
        page.wait_for_url(f"{base}/orders/{order.pk}/")
        order.refresh_from_db()
        assert order.status == Status.PAID
        assert Payment.objects.get(order=order).status == PaymentStatus.SUCCEEDED

        # Chat with an image.
        page.goto(f"{base}/chat/")
        page.fill("[name=body]", "Here is a photo of the mating part.")
        page.set_input_files(
            "[name=attachments]",
            files=[{"name": "mating-part.png", "mimeType": "image/png", "buffer": _png()}],
        )
        page.get_by_role("button", name="Send").click()
        page.locator("#chat-thread img").first.wait_for(state="visible")
        assert Message.objects.filter(thread__customer=customer).count() == 1
        assert Attachment.objects.filter(message__thread__customer=customer).count() == 1

        # Open a support ticket.
        page.goto(f"{base}/support/new/")
        page.select_option("[name=topic]", "order")
        page.fill("[name=subject_line]", "Delivery window")
        page.fill("[name=content]", "Could the parts arrive before Friday?")
        page.fill("[name=contact_email]", EMAIL)
        page.fill("[name=contact_phone]", PHONE_TYPED)
        page.get_by_role("button", name="Send").click()
        page.wait_for_url(re.compile(r"/support/[0-9a-f-]{36}/$"))
        assert Ticket.objects.filter(customer=customer).count() == 1
    finally:
        context.close()

    # Nothing in the raw database rows or the upload files is readable in plaintext.
    secrets = {
        "card number": CARD.encode(),
        "e-mail": EMAIL.encode("utf-8"),
        "phone (E.164)": PHONE_E164.encode("utf-8"),
        "phone (as typed)": PHONE_TYPED.encode("utf-8"),
        "consignee name": CONSIGNEE.encode("utf-8"),
        "username": USERNAME.encode("utf-8"),
    }
    # The scan does read the rows: a non-personal value stored in plaintext is found.
    assert _database_hits({"control": b"cnc_machining"})
    assert _database_hits(secrets) == []
    assert Path(django_settings.MEDIA_ROOT) == media
    assert any(path.is_file() for path in media.rglob("*"))
    assert _file_hits(media, secrets) == []
