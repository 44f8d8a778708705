"""The background writer: batches, a thread, a flush at stop, and what is lost when."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from weblog.models import RequestLog
from weblog.tests.conftest import CHROME_ON_WINDOWS
from weblog.writer import (
    Captured,
    RequestLogWriter,
    dropped_request_logs,
    flush_request_log,
    pending_request_logs,
    record_request,
)


def captured(path: str = "/page/", *, status: int = 200, ip: str = "8.8.8.8") -> Captured:
    return Captured(
        at=time.time(),
        ip=ip,
        user_agent=CHROME_ON_WINDOWS,
        path=path,
        query="",
        method="GET",
        status=status,
        response_ms=1.25,
        account_subject_id=None,
        url_kwargs=None,
        referer="",
        analytics=False,
    )


@pytest.mark.django_db(databases=["default", "keys"])
def test_a_flush_writes_in_batches_of_flush_rows(settings: Any) -> None:
    settings.WEBLOG = {**settings.WEBLOG, "FLUSH_ROWS": 3}
    for n in range(7):
        record_request(captured(f"/page/{n}/"))

    result = flush_request_log()

    assert (result.written, result.failed) == (7, 0)
    assert sorted(row.path for row in RequestLog.objects.all()) == [f"/page/{n}/" for n in range(7)]
    assert pending_request_logs() == 0


@pytest.mark.django_db(databases=["default", "keys"])
def test_a_row_the_database_refuses_costs_only_that_row() -> None:
    record_request(captured("/first/"))
    record_request(captured("/refused/", status=-1))  # violates the column's CHECK (status >= 0)
    record_request(captured("/last/"))

    result = flush_request_log()

    assert (result.written, result.failed) == (2, 1)
    assert sorted(row.path for row in RequestLog.objects.all()) == ["/first/", "/last/"]


@pytest.mark.django_db(databases=["default", "keys"])
def test_an_unparseable_address_is_logged_without_one() -> None:
    record_request(captured(ip="not-an-address"))

    flush_request_log()

    row = RequestLog.objects.get()
    assert (row.ip_address, row.country) == (None, "")


@pytest.mark.django_db(databases=["default", "keys"])
def test_the_first_address_of_a_forwarded_list_is_the_client(settings: Any) -> None:
    record_request(captured(ip="8.8.8.8, 10.0.0.1"))

    flush_request_log()

    assert RequestLog.objects.get().ip_address == "8.8.8.8"


def test_a_full_buffer_counts_what_it_drops(settings: Any) -> None:
    settings.WEBLOG = {**settings.WEBLOG, "BUFFER_LIMIT": 2}
    before = dropped_request_logs()

    for _ in range(5):
        record_request(captured())

    assert pending_request_logs() == 2
    assert dropped_request_logs() - before == 3


@pytest.mark.django_db(databases=["default", "keys"], transaction=True)
def test_the_background_thread_writes_on_its_own_and_flushes_at_stop(settings: Any) -> None:
    settings.WEBLOG = {**settings.WEBLOG, "BACKGROUND": True, "FLUSH_INTERVAL_MS": 20, "FLUSH_ROWS": 1000}
    writer = RequestLogWriter(thread_in_tests=True)
    try:
        writer.append(captured("/early/"))
        deadline = time.monotonic() + 5
        while RequestLog.objects.count() < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert RequestLog.objects.count() == 1

        settings.WEBLOG = {**settings.WEBLOG, "FLUSH_INTERVAL_MS": 60_000}
        writer.stop()  # the thread that waited 20 ms is stopped; a new one waits a minute
        writer.append(captured("/late/"))
        assert writer.pending == 1
    finally:
        writer.stop()  # at exit: the last rows are flushed before the thread ends

    assert writer.pending == 0
    assert sorted(row.path for row in RequestLog.objects.all()) == ["/early/", "/late/"]


def test_the_shared_writer_starts_no_thread_in_the_test_environment(settings: Any) -> None:
    settings.WEBLOG = {**settings.WEBLOG, "BACKGROUND": True}

    record_request(captured())

    assert [thread.name for thread in threading.enumerate() if thread.name == "weblog-writer"] == []
    assert pending_request_logs() == 1
