"""The request log (commitment C8): one row per request, parsed and minimised, written later."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from weblog.middleware import RequestLogMiddleware
from weblog.models import RequestLog
from weblog.privacy import log_day_subject
from weblog.queries import page_history_of
from weblog.tests.conftest import CHROME_ON_WINDOWS, FIREFOX_ON_LINUX
from weblog.writer import flush_request_log, pending_request_logs

pytestmark = [pytest.mark.django_db(databases=["default", "keys"]), pytest.mark.urls("weblog.tests.urls")]


@pytest.mark.commitment("C8")
def test_a_request_writes_one_row_with_parsed_browser_os_and_country(client: Client) -> None:
    before = timezone.now()

    client.get("/page/", REMOTE_ADDR="8.8.8.8", HTTP_USER_AGENT=CHROME_ON_WINDOWS)
    result = flush_request_log()

    assert (result.written, result.failed) == (1, 0)
    row = RequestLog.objects.get()
    assert row.ip_address == "8.8.8.8"
    assert (row.country, row.region) == ("US", "")
    assert (row.browser_family, row.browser_version) == ("Chrome", "120.0")
    assert (row.os_family, row.os_version) == ("Windows", "10")
    assert (row.path, row.method, row.status) == ("/page/", "GET", 200)
    assert before <= row.at <= timezone.now()
    assert row.response_ms >= 0
    assert row.account_subject_id is None
    assert row.subject_id == log_day_subject(row.at.date())


@pytest.mark.commitment("C8")
def test_a_loopback_address_has_no_country(client: Client) -> None:
    client.get("/page/", REMOTE_ADDR="127.0.0.1", HTTP_USER_AGENT=FIREFOX_ON_LINUX)
    flush_request_log()

    row = RequestLog.objects.get()
    assert (row.ip_address, row.country, row.region) == ("127.0.0.1", "", "")
    assert (row.browser_family, row.browser_version, row.os_family, row.os_version) == (
        "Firefox",
        "121.0",
        "Linux",
        "",
    )


@pytest.mark.commitment("C8")
def test_an_ipv6_address_is_located_too(client: Client) -> None:
    client.get("/page/", REMOTE_ADDR="2001:4860:4860::8888")
    flush_request_log()

    row = RequestLog.objects.get()
    assert (row.ip_address, row.country) == ("2001:4860:4860::8888", "US")
    assert (row.browser_family, row.os_family) == ("", "")  # no User-Agent header at all


@pytest.mark.commitment("C8")
def test_the_query_string_is_not_stored(client: Client) -> None:
    client.get("/page/?email=someone@example.com&page=2", REMOTE_ADDR="8.8.8.8")
    flush_request_log()

    assert RequestLog.objects.get().path == "/page/"
    with connection.cursor() as cursor:
        cursor.execute("SELECT path FROM weblog_requestlog")
        (raw,) = cursor.fetchone()
    assert b"someone@example.com" not in bytes(raw)
    assert b"email=" not in bytes(raw)


@pytest.mark.commitment("C8")
def test_allow_listed_query_keys_are_kept_and_others_dropped(client: Client, settings: Any) -> None:
    settings.WEBLOG = {**settings.WEBLOG, "QUERY_ALLOWLIST": ("page",)}

    client.get("/page/?email=someone@example.com&page=2", REMOTE_ADDR="8.8.8.8")
    flush_request_log()

    assert RequestLog.objects.get().path == "/page/?page=2"


@pytest.mark.commitment("C8")
def test_tokens_in_the_url_and_address_like_segments_are_masked(client: Client) -> None:
    client.get("/reset/MQ/c4a-8f1e2d3b4c5d6e7f/", REMOTE_ADDR="8.8.8.8")
    client.get("/people/someone@example.com/", REMOTE_ADDR="8.8.8.8")
    flush_request_log()

    assert sorted(row.path for row in RequestLog.objects.all()) == [
        "/people/<redacted>/",
        "/reset/<uidb64>/<token>/",
    ]


@pytest.mark.commitment("C8")
def test_a_logged_in_request_is_linked_to_the_account(
    client: Client, make_account: Callable[[str], Any]
) -> None:
    maria = make_account("maria")
    other = make_account("other")
    client.force_login(maria)

    client.get("/page/", REMOTE_ADDR="8.8.8.8")
    client.get("/data/", REMOTE_ADDR="8.8.8.8")
    client.logout()
    client.get("/page/", REMOTE_ADDR="8.8.8.8")
    flush_request_log()

    assert RequestLog.objects.count() == 3
    history = list(page_history_of(maria))
    assert [(row.path, row.status) for row in history] == [("/data/", 200), ("/page/", 200)]  # newest first
    assert {row.account_subject_id for row in history} == {maria.subject_id}
    assert list(page_history_of(other)) == []
    anonymous = RequestLog.objects.filter(account_subject_id=None)
    assert [row.path for row in anonymous] == ["/page/"]


@pytest.mark.commitment("C8")
def test_raw_columns_hold_no_plaintext_ip_address_or_page(client: Client) -> None:
    client.get("/people/visible-name/", REMOTE_ADDR="203.0.113.77")
    flush_request_log()

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM weblog_requestlog")
        raw_row = cursor.fetchone()
    dump = b"|".join(
        value if isinstance(value, bytes | memoryview) else str(value).encode() for value in raw_row
    )
    assert b"203.0.113.77" not in bytes(dump)
    assert b"visible-name" not in bytes(dump)
    assert RequestLog.objects.get().ip_address == "203.0.113.77"


def test_static_files_and_health_checks_are_not_logged(client: Client) -> None:
    client.get("/static/pledge/site.css", REMOTE_ADDR="8.8.8.8")
    client.get("/health", REMOTE_ADDR="8.8.8.8")

    assert pending_request_logs() == 0
    assert flush_request_log().written == 0


def test_the_request_path_writes_nothing_to_the_database(client: Client) -> None:
    with CaptureQueriesContext(connection) as queries:
        client.get("/page/", REMOTE_ADDR="8.8.8.8", HTTP_USER_AGENT=CHROME_ON_WINDOWS)

    assert [q["sql"] for q in queries.captured_queries] == []
    assert pending_request_logs() == 1
    assert RequestLog.objects.count() == 0


def test_a_logged_in_request_path_reads_the_session_but_writes_nothing(
    client: Client, make_account: Callable[[str], Any]
) -> None:
    client.force_login(make_account("maria"))

    with CaptureQueriesContext(connection) as queries:
        client.get("/page/", REMOTE_ADDR="8.8.8.8")

    statements = [q["sql"].split(None, 1)[0].upper() for q in queries.captured_queries]
    assert set(statements) <= {"SELECT"}
    assert pending_request_logs() == 1


def test_the_middleware_alone_runs_no_query(django_assert_num_queries: Any) -> None:
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok", content_type="text/html")

    middleware = RequestLogMiddleware(view)
    request = RequestFactory().get("/page/", REMOTE_ADDR="8.8.8.8", HTTP_USER_AGENT=CHROME_ON_WINDOWS)

    with django_assert_num_queries(0):
        response = middleware(request)

    assert response.status_code == 200
    assert pending_request_logs() == 1


def test_a_log_day_subject_is_one_per_day() -> None:
    day = dt.date(2026, 11, 24)

    assert log_day_subject(day) == log_day_subject(dt.date(2026, 11, 24))
    assert log_day_subject(day) != log_day_subject(day + dt.timedelta(days=1))
