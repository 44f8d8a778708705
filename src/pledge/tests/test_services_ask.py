"""The Services ask before they use personal data, and stop while processing is restricted (C32).

Each Service asks `privacy.api.may_process` with its declared purpose: order status e-mails
("communicate"), marketing e-mails ("marketing_messages"), the analytics hand-off and
e-mail open pixels ("improve_services"), and the greeting by name ("administer_account").
Each test shows the Service working, stopped while restricted, and working again once the
restriction is lifted — except marketing after an objection, which stops for good (C34).

These tests live in the project package because they drive the engine's restriction and
objection actions (which no domain app imports) together with the domain apps.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from accounts.models import Role, User
from accounts.testing import logged_in_client, make_account
from marketing import actions as marketing
from marketing.queries import WORDING
from orders import actions as orders
from orders.models import Order
from orders.tests.factories import stl_file
from privacy.api import email_open_pixel, may_process
from privacy.consent.models import AnalyticsCount
from privacy.processing.actions import lift_restriction, record_objection, restrict_processing
from weblog.actions import start_open_tracking
from weblog.analytics import InMemoryAnalyticsProvider
from weblog.consent import FixedConsentGate, using_consent_gate
from weblog.writer import (
    discard_request_log,
    flush_request_log,
    stop_request_log_writer,
    using_analytics_provider,
)

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

OFFICER = "subject:00000000-0000-0000-0000-00000000000f"
REQUEST = "rights request 42"


def restrict(user: User) -> None:
    restrict_processing(subject_id=user.subject_id, reason=REQUEST, actor=OFFICER)


def lift(user: User) -> None:
    assert lift_restriction(subject_id=user.subject_id, reason=REQUEST, actor=OFFICER) is True


@pytest.fixture(autouse=True)
def media_root(tmp_path: Any, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


# --- Order status e-mails ------------------------------------------------------------------------


def price(order: Order, manager: User, captured: Any, unit: str) -> None:
    with captured(execute=True):
        orders.price_quote(
            actor=manager, order=order, unit_price=Decimal(unit), currency="USD", lead_time_days=7
        )


@pytest.mark.commitment("C32")
def test_order_status_e_mails_stop_while_restricted_and_resume_when_lifted(
    smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    manager = make_account(Role.ACCOUNT_MANAGER)
    customer = make_account(manager=manager, username="olga")
    order = orders.request_quote(
        customer=customer,
        process="cnc_machining",
        material="Aluminium 6061-T6",
        finish="Bead blasted",
        quantity=2,
        uploads=[stl_file()],
    )

    price(order, manager, django_capture_on_commit_callbacks, "10.00")
    assert [m["Subject"] for m in smtp_server.to("olga@example.com")] == [
        f"SogaWorks order {order.reference}: quoted"
    ]

    restrict(customer)
    price(order, manager, django_capture_on_commit_callbacks, "9.00")
    assert len(smtp_server.messages) == 1  # the quote changed; no e-mail while restricted
    assert Order.objects.get(pk=order.pk).unit_price == Decimal("9.00")  # the Service itself still works

    lift(customer)
    price(order, manager, django_capture_on_commit_callbacks, "8.00")
    assert len(smtp_server.to("olga@example.com")) == 2
    assert f"/orders/{order.pk}/" in str(smtp_server.messages[-1].get_payload())


# --- Marketing e-mails ---------------------------------------------------------------------------


def subscriber(username: str) -> User:
    user = make_account(username=username)
    marketing.subscribe(customer=user, wording=str(WORDING))
    return user


@pytest.mark.commitment("C32")
def test_marketing_e_mails_stop_while_restricted_and_resume_when_lifted(smtp_server: Any) -> None:
    ada = subscriber("ada")
    marketing.create_campaign(name="spring", subject_line="Spring", body="New resins.", actor="system:test")

    restrict(ada)
    paused = marketing.send_campaign(name="spring", actor="system:test")
    page = logged_in_client(ada).get("/account/").content.decode()

    assert (paused.sent, smtp_server.messages) == (0, [])
    assert "Paused: processing of your data is restricted" in page

    lift(ada)
    resumed = marketing.send_campaign(name="spring", actor="system:test")
    assert (resumed.sent, [m["To"] for m in smtp_server.messages]) == (1, ["ada@example.com"])


@pytest.mark.commitment("C34")
@pytest.mark.commitment("C18")
def test_an_objection_to_marketing_stops_it_for_good(smtp_server: Any) -> None:
    ada = subscriber("ada")
    marketing.create_campaign(name="spring", subject_line="Spring", body="New resins.", actor="system:test")

    record_objection(
        subject_id=ada.subject_id, purpose="marketing_messages", actor=OFFICER, upheld=True, reasons=""
    )
    restrict(ada)
    lift(ada)
    client = logged_in_client(ada)
    client.post("/marketing/subscription/", {"marketing": "yes"})  # ticking the box again is refused
    result = marketing.send_campaign(name="spring", actor="system:test")

    assert (result.sent, smtp_server.messages) == (0, [])
    assert may_process(ada.subject_id, "marketing_messages") is False
    page = client.get("/account/").content.decode()
    assert "You objected to marketing. We will not send you marketing e-mails again." in page
    assert 'id="marketing-consent"' not in page


# --- The analytics hand-off ----------------------------------------------------------------------


@pytest.fixture
def analytics(settings: Any) -> Iterator[InMemoryAnalyticsProvider]:
    stop_request_log_writer()
    settings.WEBLOG = {**settings.WEBLOG, "BACKGROUND": False}
    discard_request_log()
    with (
        using_consent_gate(FixedConsentGate(performance=True, pixels=True)),
        using_analytics_provider(InMemoryAnalyticsProvider()) as provider,
    ):
        assert isinstance(provider, InMemoryAnalyticsProvider)
        yield provider
    discard_request_log()


@pytest.mark.commitment("C32")
def test_analytics_gets_no_visit_of_a_restricted_account_until_the_restriction_is_lifted(
    analytics: InMemoryAnalyticsProvider,
) -> None:
    ada, bob = make_account(), make_account()
    ada_browser, bob_browser = logged_in_client(ada), logged_in_client(bob)

    restrict(ada)
    ada_browser.get("/processes/")
    bob_browser.get("/processes/")
    Client().get("/processes/")
    restricted = flush_request_log()

    assert (restricted.written, restricted.sent, restricted.withheld) == (3, 2, 1)
    assert [visit.path for visit in analytics.visits] == ["/processes/", "/processes/"]

    lift(ada)
    ada_browser.get("/processes/")
    lifted = flush_request_log()
    assert (lifted.sent, lifted.withheld, len(analytics.visits)) == (1, 0, 3)


@pytest.mark.commitment("C34")
def test_analytics_gets_no_visit_of_an_account_whose_objection_was_upheld(
    analytics: InMemoryAnalyticsProvider,
) -> None:
    ada = make_account()
    record_objection(
        subject_id=ada.subject_id,
        purpose="improve_services",
        actor=OFFICER,
        upheld=True,
        reasons="No overriding grounds",
    )

    logged_in_client(ada).get("/processes/")

    assert (flush_request_log().withheld, analytics.visits) == (1, [])


# --- Personalisation: the greeting by name -------------------------------------------------------


def heading(client: Client) -> str:
    found = re.search(r"<h1>(.*?)</h1>", client.get("/account/").content.decode())
    assert found is not None
    return found.group(1)


@pytest.mark.commitment("C32")
def test_the_greeting_by_name_stops_while_restricted_and_returns_when_lifted() -> None:
    ada = make_account(username="Ada_L")
    browser = logged_in_client(ada)
    assert heading(browser) == "Welcome back, Ada_L"

    restrict(ada)
    assert heading(browser) == "Welcome back"
    logged_out = Client()
    response = logged_out.post(
        "/account/login/", {"identifier": "Ada_L", "password": "correct horse battery"}, follow=True
    )
    assert next(str(m) for m in response.context["messages"]) == "Welcome back."
    assert "Welcome back, Ada_L" not in response.content.decode()

    lift(ada)
    assert heading(browser) == "Welcome back, Ada_L"


# --- E-mail open pixels --------------------------------------------------------------------------


def grant_performance_cookies(user: User) -> None:
    client = logged_in_client(user)
    body = json.dumps({"method": "custom", "categories": ["performance"]})
    assert client.post("/api/consent/", body, content_type="application/json").status_code == 201


@pytest.mark.commitment("C32")
def test_e_mail_open_pixels_stop_while_restricted_and_resume_when_lifted() -> None:
    ada = make_account()
    grant_performance_cookies(ada)
    pixel = email_open_pixel(subject_id=ada.subject_id, campaign="spring")
    found = re.search(r'src="[^"]*(/consent/open/[^"]+\.gif)"', pixel)
    assert found is not None

    restrict(ada)
    assert email_open_pixel(subject_id=ada.subject_id, campaign="spring") == ""
    assert start_open_tracking(subject_id=ada.subject_id) is None
    Client().get(found.group(1))  # a pixel already in the mailbox is opened: not counted
    assert AnalyticsCount.objects.filter(kind="email_open").count() == 0

    lift(ada)
    assert email_open_pixel(subject_id=ada.subject_id, campaign="spring") != ""
    assert start_open_tracking(subject_id=ada.subject_id) is not None
    Client().get(found.group(1))
    assert list(AnalyticsCount.objects.filter(kind="email_open").values_list("key", "count")) == [
        ("spring", 1)
    ]
