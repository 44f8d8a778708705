"""Marketing e-mails on consent: the opt-in box, a campaign, the one-click unsubscribe (C18, C42).

Mail goes through a real SMTP server on loopback. The engine is reached only through
privacy.api; what it stored is read raw, as the orders tests read the audit trail.
"""

from __future__ import annotations

import json
import re
from email.message import EmailMessage
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from accounts.models import Role, User
from accounts.testing import logged_in_client, make_account
from marketing import actions
from marketing.emails import subject_from_token, unsubscribe_token
from marketing.models import Campaign, Delivery
from marketing.queries import WORDING
from privacy.api import purpose_consent_state

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

MARKETING = "marketing_messages"


def raw(sql: str, *params: object) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def events(action: str) -> list[tuple[str, dict[str, Any]]]:
    """The audit trail's events of one action: (subject, details), oldest first."""
    rows = raw("SELECT subject, details FROM audit_auditevent WHERE action = %s ORDER BY seq", action)
    return [
        (subject, details if isinstance(details, dict) else json.loads(details)) for subject, details in rows
    ]


def subscribed(user: User) -> User:
    actions.subscribe(customer=user, wording=str(WORDING))
    return user


def campaign(name: str = "spring") -> Campaign:
    return actions.create_campaign(
        name=name, subject_line="New materials this spring", body="Titanium is here.", actor="system:test"
    )


def unfold(header: str) -> str:
    """A header as written, before the SMTP library folded its long line (RFC 5322 2.2.3)."""
    return re.sub(r"\r?\n", "", str(header)).strip()


def part_of(message: EmailMessage, content_type: str) -> str:
    """The decoded text of the message's part of this type (the server keeps compat32 messages)."""
    for part in message.walk():
        if part.get_content_type() == content_type:
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError(f"no {content_type} part")


def text_of(message: EmailMessage) -> str:
    return part_of(message, "text/plain")


def html_of(message: EmailMessage) -> str:
    return part_of(message, "text/html")


def test_the_account_page_offers_an_unticked_box_with_its_wording() -> None:
    customer = make_account()

    page = logged_in_client(customer).get("/account/").content.decode()

    box = re.search(r'<input type="checkbox" id="marketing-consent"[^>]*>', page)
    assert box is not None
    assert "checked" not in box.group(0)
    assert '<label for="marketing-consent">' + str(WORDING) + "</label>" in page
    assert purpose_consent_state(customer.subject_id, MARKETING) == "not_granted"


@pytest.mark.commitment("C42")
def test_ticking_the_box_records_consent_with_its_method_and_exact_wording() -> None:
    customer = make_account()
    client = logged_in_client(customer)

    response = client.post("/marketing/subscription/", {"marketing": "yes"})

    assert (response.status_code, response["Location"]) == (302, "/account/#marketing")
    assert purpose_consent_state(customer.subject_id, MARKETING) == "granted"
    assert raw(
        "SELECT c.purpose, c.granted, c.method, w.text FROM processing_purposeconsent c "
        "JOIN processing_purposewording w ON w.hash = c.wording_hash WHERE c.subject_id = %s",
        customer.subject_id.hex if connection.vendor == "sqlite" else customer.subject_id,
    ) == [(MARKETING, True, "account_page", str(WORDING))]
    assert (
        'id="marketing-consent" name="marketing" value="yes" checked'
        in client.get("/account/").content.decode()
    )
    assert [s for s, _ in events("processing.consent.granted")] == [str(customer.subject_id)]


@pytest.mark.commitment("C18")
def test_unticking_the_box_withdraws_at_once() -> None:
    customer = subscribed(make_account())

    logged_in_client(customer).post("/marketing/subscription/", {})

    assert purpose_consent_state(customer.subject_id, MARKETING) == "not_granted"
    assert [d["method"] for _, d in events("processing.consent.withdrawn")] == ["account_page"]


def test_staff_are_offered_no_box_and_cannot_subscribe() -> None:
    manager = make_account(Role.ACCOUNT_MANAGER)

    client = logged_in_client(manager)
    assert "marketing-consent" not in client.get("/account/").content.decode()
    client.post("/marketing/subscription/", {"marketing": "yes"})

    assert purpose_consent_state(manager.subject_id, MARKETING) == "not_granted"


@pytest.mark.commitment("C18")
def test_a_campaign_reaches_only_customers_who_consented_with_a_one_click_unsubscribe(
    smtp_server: Any,
) -> None:
    # Given one customer who consented, one who did not, and one who consented and withdrew
    ada = subscribed(make_account(username="ada"))
    make_account(username="bob")
    cyd = subscribed(make_account(username="cyd"))
    actions.unsubscribe(subject_id=cyd.subject_id, method="account_page")
    campaign()

    # When the campaign is sent
    result = actions.send_campaign(name="spring", actor="system:test")

    # Then only Ada gets it, with RFC 8058 headers and the link in the body
    assert (result.sent, result.failed, result.already) == (1, 0, 0)
    assert [m["To"] for m in smtp_server.messages] == ["ada@example.com"]
    message = smtp_server.messages[0]
    link = f"http://127.0.0.1:8000/marketing/unsubscribe/{unsubscribe_token(ada.subject_id)}/"
    assert message["Subject"] == "New materials this spring"
    assert (
        unfold(message["List-Unsubscribe"])
        == f"<{link}>, <mailto:marketing@sogaworks.com?subject=unsubscribe>"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Titanium is here." in text_of(message)
    assert f"Unsubscribe at once (no log-in): {link}" in text_of(message)
    assert f'<a href="{link}">Unsubscribe at once</a>' in html_of(message)
    assert "ada" not in link
    assert "example.com" not in link
    assert list(Delivery.objects.values_list("customer_id", flat=True)) == [ada.pk]
    sent = events("marketing.campaign.sent")[0][1]
    assert sent == {"name": "spring", "sent": 1, "failed": 0, "already": 0}

    # And a second run mails no one twice
    again = actions.send_campaign(name="spring", actor="system:test")
    assert (again.sent, again.already, len(smtp_server.messages)) == (0, 1, 1)


@pytest.mark.commitment("C18")
@pytest.mark.commitment("C42")
def test_the_one_click_unsubscribe_withdraws_without_log_in_and_deletes_the_delivery_rows(
    smtp_server: Any,
) -> None:
    # Given two subscribers who each received two campaigns
    ada, bob = subscribed(make_account()), subscribed(make_account())
    for name in ("spring", "summer"):
        campaign(name)
        actions.send_campaign(name=name, actor="system:test")
    assert Delivery.objects.count() == 4

    # When Ada's mail client posts the RFC 8058 one-click request (no session, no CSRF token)
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"/marketing/unsubscribe/{unsubscribe_token(ada.subject_id)}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    # Then she is unsubscribed at once, her delivery rows are gone, and nothing else
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    assert purpose_consent_state(ada.subject_id, MARKETING) == "not_granted"
    assert purpose_consent_state(bob.subject_id, MARKETING) == "granted"
    assert Delivery.objects.filter(customer=ada).count() == 0
    assert Delivery.objects.filter(customer=bob).count() == 2
    assert Campaign.objects.count() == 2
    withdrawn = events("processing.consent.withdrawn")
    assert withdrawn == [
        (
            str(ada.subject_id),
            {
                "purpose": MARKETING,
                "method": "unsubscribe_link",
                "was_granted": True,
                "deleted": {"marketing.Delivery": 2},
            },
        )
    ]
    # and the next campaign does not reach her
    campaign("autumn")
    before = len(smtp_server.messages)
    actions.send_campaign(name="autumn", actor="system:test")
    assert [m["To"] for m in smtp_server.messages[before:]] == [bob.email]


def test_opening_the_link_changes_nothing_until_the_button_is_pressed() -> None:
    ada = subscribed(make_account())
    url = f"/marketing/unsubscribe/{unsubscribe_token(ada.subject_id)}/"

    page = Client().get(url)

    assert page.status_code == 200
    assert '<form method="post">' in page.content.decode()
    assert purpose_consent_state(ada.subject_id, MARKETING) == "granted"
    assert events("processing.consent.withdrawn") == []


def test_a_forged_or_altered_link_is_refused_and_changes_nothing() -> None:
    ada = subscribed(make_account())
    token = unsubscribe_token(ada.subject_id)
    other = make_account()
    forged = other.subject_id.hex + token[token.index(":") :]  # Ada's signature on another id

    for bad in (forged, "not-a-token", token[:-2] + "xx"):
        response = Client().post(f"/marketing/unsubscribe/{bad}/")
        assert response.status_code == 404
    assert subject_from_token(forged) is None
    assert purpose_consent_state(ada.subject_id, MARKETING) == "granted"
    assert events("processing.consent.withdrawn") == []


def test_the_command_sends_a_campaign(smtp_server: Any, tmp_path: Any) -> None:
    subscribed(make_account(username="ada"))
    body = tmp_path / "body.txt"
    body.write_text("Resin prints, half price.", encoding="utf-8")

    call_command("marketing", "create", "--campaign", "resin", "--subject", "Resin", "--body-file", str(body))
    call_command("marketing", "send", "--campaign", "resin")
    call_command("marketing", "send", "--campaign", "resin", "--background")  # the immediate task backend

    assert [m["To"] for m in smtp_server.messages] == ["ada@example.com"]
    assert [d["already"] for _, d in events("marketing.campaign.sent")] == [0, 1]
