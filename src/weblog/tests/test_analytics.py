"""Third-party analytics (commitment C11): the IP of the day, never joined with account data."""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

import weblog.analytics
from weblog.analytics import (
    AnalyticsVisit,
    AnalyticsVisitRefused,
    HttpAnalyticsProvider,
    InMemoryAnalyticsProvider,
    origin_of,
)
from weblog.consent import FixedConsentGate
from weblog.models import RequestLog
from weblog.writer import flush_request_log, using_analytics_provider

pytestmark = [pytest.mark.django_db(databases=["default", "keys"]), pytest.mark.urls("weblog.tests.urls")]

DAY = dt.date(2026, 11, 24)


@pytest.mark.commitment("C11")
def test_a_visit_holds_exactly_the_ip_the_date_the_path_and_the_referrer_origin() -> None:
    assert [field.name for field in dataclasses.fields(AnalyticsVisit)] == [
        "ip",
        "date",
        "path",
        "referrer_origin",
    ]

    visit = AnalyticsVisit(ip="8.8.8.8", date=DAY, path="/page/", referrer_origin="https://search.example")

    assert visit.as_json() == {
        "ip": "8.8.8.8",
        "date": "2026-11-24",
        "path": "/page/",
        "referrer_origin": "https://search.example",
    }


@pytest.mark.commitment("C11")
@pytest.mark.parametrize("extra", ["account_id", "user_id", "username", "email", "cookie_id", "subject_id"])
def test_a_visit_refuses_any_other_field(extra: str) -> None:
    fields: dict[str, Any] = {"ip": "8.8.8.8", "date": DAY, "path": "/page/", extra: "42"}

    with pytest.raises(TypeError, match=extra):
        AnalyticsVisit(**fields)


@pytest.mark.commitment("C11")
def test_a_visit_cannot_be_given_a_field_after_it_is_made() -> None:
    visit = AnalyticsVisit(ip="8.8.8.8", date=DAY, path="/page/")

    with pytest.raises(TypeError):
        dataclasses.replace(visit, account_id=42)  # type: ignore[call-arg]
    with pytest.raises((AttributeError, TypeError)):
        visit.account_id = 42  # type: ignore[attr-defined]
    with pytest.raises(dataclasses.FrozenInstanceError):
        visit.ip = "1.1.1.1"  # type: ignore[misc]


@pytest.mark.commitment("C11")
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("ip", "maria@example.com"),
        ("ip", "42"),
        ("ip", "008.008.008.008"),
        ("date", dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC)),
        ("date", "2026-11-24"),
        ("path", "/page/?email=maria@example.com"),
        ("path", "/people/maria@example.com/"),
        ("path", "page"),
        ("path", "/page/#account-42"),
        ("referrer_origin", "https://search.example/?q=maria"),
        ("referrer_origin", "https://maria:secret@search.example"),
        ("referrer_origin", "javascript:alert(1)"),
    ],
)
def test_a_visit_refuses_values_that_could_carry_more_than_promised(field: str, value: Any) -> None:
    fields: dict[str, Any] = {"ip": "8.8.8.8", "date": DAY, "path": "/page/", "referrer_origin": ""}
    fields[field] = value

    with pytest.raises(AnalyticsVisitRefused):
        AnalyticsVisit(**fields)


def test_origin_of_keeps_scheme_host_and_port_only() -> None:
    assert origin_of("https://Search.Example:8443/path?q=1#x") == "https://search.example:8443"
    assert origin_of("https://user:pw@search.example/") == "https://search.example"
    assert origin_of("http://[2001:db8::1]:8080/x") == "http://[2001:db8::1]:8080"
    assert origin_of("ftp://files.example/") == ""
    assert origin_of("not a url") == ""


def _imports_and_attributes(module_path: Path) -> tuple[set[str], set[str], set[str]]:
    tree = ast.parse(module_path.read_text())
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
            imported.update(f"{node.module}.{alias.name}" for alias in node.names)
    attributes = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    names |= {node.arg for node in ast.walk(tree) if isinstance(node, ast.arg)}
    return imported, attributes, names


@pytest.mark.commitment("C11")
def test_the_analytics_module_never_reaches_accounts_or_the_request() -> None:
    imported, attributes, names = _imports_and_attributes(Path(weblog.analytics.__file__))

    reaching = {
        name
        for name in imported
        if name.split(".")[0] in {"accounts", "weblog"}
        or name.startswith(("django.contrib.auth", "django.contrib.sessions", "django.http", "privacy"))
        or name.endswith("get_user_model")
    }
    assert reaching == set()
    assert attributes & {"user", "subject_id", "account", "account_id", "session", "COOKIES", "META"} == set()
    assert names & {"request", "user", "account", "account_subject_id", "subject_id"} == set()


@pytest.mark.commitment("C11")
def test_a_consented_page_view_sends_only_the_ip_of_the_day(
    client: Client,
    make_account: Callable[[str], Any],
    consented: FixedConsentGate,
    analytics: InMemoryAnalyticsProvider,
) -> None:
    client.force_login(make_account("maria"))

    client.get(
        "/page/?email=maria@example.com",
        REMOTE_ADDR="8.8.8.8",
        HTTP_REFERER="https://search.example/results?q=maria+sogaworks",
    )
    result = flush_request_log()

    assert (result.written, result.sent, result.unsent) == (1, 1, 0)
    assert analytics.visits == [
        AnalyticsVisit(
            ip="8.8.8.8", date=timezone.now().date(), path="/page/", referrer_origin="https://search.example"
        )
    ]
    # The log knows the account; what analytics received does not.
    assert RequestLog.objects.get().account_subject_id is not None


@pytest.mark.commitment("C11")
def test_without_performance_consent_nothing_is_sent(
    client: Client, refused: FixedConsentGate, analytics: InMemoryAnalyticsProvider
) -> None:
    client.get("/page/", REMOTE_ADDR="8.8.8.8")
    result = flush_request_log()

    assert (result.written, result.sent) == (1, 0)
    assert analytics.visits == []


@pytest.mark.commitment("C11")
@pytest.mark.parametrize(("method", "sent"), [("accept_all", 1), ("reject_all", 0)])
def test_the_visitors_own_cookie_choice_decides(
    client: Client, analytics: InMemoryAnalyticsProvider, method: str, sent: int
) -> None:
    client.post("/consent/", {"method": method}, REMOTE_ADDR="8.8.8.8")

    client.get("/page/", REMOTE_ADDR="8.8.8.8")
    result = flush_request_log()

    assert result.sent == sent
    assert [visit.path for visit in analytics.visits] == ["/page/"] * sent


def test_only_successful_html_page_views_are_sent(
    client: Client, consented: FixedConsentGate, analytics: InMemoryAnalyticsProvider
) -> None:
    client.get("/data/", REMOTE_ADDR="8.8.8.8")  # JSON
    client.get("/missing/", REMOTE_ADDR="8.8.8.8")  # 404
    client.post("/page/", REMOTE_ADDR="8.8.8.8")
    client.get("/moved/", REMOTE_ADDR="8.8.8.8")  # a redirect
    client.get("/page/", REMOTE_ADDR="8.8.8.8")
    result = flush_request_log()

    assert result.written == 5
    assert [visit.path for visit in analytics.visits] == ["/page/"]


class _Collector(BaseHTTPRequestHandler):
    received: list[tuple[str, str, dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, self.headers["Content-Type"], json.loads(body)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[tuple[str, list[tuple[str, str, dict[str, Any]]]]]:
    """A stand-in analytics server on loopback."""
    received: list[tuple[str, str, dict[str, Any]]] = []
    handler = type("Collector", (_Collector,), {"received": received})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.commitment("C11")
def test_the_http_provider_posts_the_visit_as_json_to_collect(
    client: Client, consented: FixedConsentGate, collector: tuple[str, list[Any]]
) -> None:
    origin, received = collector

    with using_analytics_provider(HttpAnalyticsProvider(origin)):
        client.get("/page/", REMOTE_ADDR="8.8.8.8", HTTP_REFERER="https://search.example/x")
        result = flush_request_log()

    assert result.sent == 1
    assert received == [
        (
            "/collect",
            "application/json",
            {
                "ip": "8.8.8.8",
                "date": timezone.now().date().isoformat(),
                "path": "/page/",
                "referrer_origin": "https://search.example",
            },
        )
    ]


def test_an_unreachable_provider_costs_the_visits_not_the_log(
    client: Client, consented: FixedConsentGate, collector: tuple[str, list[Any]]
) -> None:
    origin, _ = collector
    dead = origin.rsplit(":", 1)[0] + ":9"  # discard port: nothing listens

    with using_analytics_provider(HttpAnalyticsProvider(dead, timeout=0.5)):
        client.get("/page/", REMOTE_ADDR="8.8.8.8")
        client.get("/page/", REMOTE_ADDR="8.8.4.4")
        result = flush_request_log()

    assert (result.written, result.sent, result.unsent) == (2, 0, 2)
    assert RequestLog.objects.count() == 2
