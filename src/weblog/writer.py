"""The request log's background writer: requests append, a daemon thread writes.

Why a thread in the web process, not a task per batch: a task payload would carry the IP
address and the page, and the project's rule is that no task payload carries a personal
value; and a task per request would write to the database on the request path anyway
(the task row). So the middleware only appends a small tuple to an in-process buffer (a
deque: append and popleft are atomic, no lock on the request path), and a daemon thread
drains it every FLUSH_INTERVAL_MS, or sooner once FLUSH_ROWS are waiting: it parses the
User-Agent, looks up the country, seals the IP address and the page under the log day's
key (weblog.privacy), and writes the batch with one bulk INSERT in one transaction. Only
then are the consented visits handed to the analytics provider, outside the transaction.

Crash semantics: what is in the buffer when the process dies (SIGKILL, OOM, power) is
lost — at most FLUSH_INTERVAL_MS of requests or BUFFER_LIMIT rows. That is acceptable for
a log whose purpose is troubleshooting and security, and it is the price of never making
a visitor wait for it. A normal exit (SIGTERM to gunicorn, the end of runserver) flushes
through atexit. A batch the database refuses is retried row by row, so one bad row (its
day's key destroyed meanwhile) costs that row only. When the buffer is full, new
requests are counted in `dropped` and not logged, rather than grow without bound.

Tests set WEBLOG["BACKGROUND"] = False: no thread starts, and the test calls
`flush_request_log()` when it wants the rows written. Whatever the setting, the shared
writer starts no thread inside Django's test environment (pytest-django, manage.py
test): its commits would land outside every test's transaction and leak between tests.
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import os
import re
import threading
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlencode
from uuid import UUID

from django.core import mail
from django.db import close_old_connections, connections

from weblog.actions import write_request_logs
from weblog.analytics import PATH_MAX as ANALYTICS_PATH_MAX
from weblog.analytics import (
    AnalyticsProvider,
    AnalyticsVisit,
    AnalyticsVisitRefused,
    configured_provider,
    origin_of,
)
from weblog.client_details import client_software, place_of, valid_ip
from weblog.config import weblog_settings
from weblog.consent import accounts_analytics_may_count
from weblog.models import PATH_MAX, RequestLog
from weblog.privacy import log_day_subject

logger = logging.getLogger(__name__)

_SEGMENT_WITH_AT = re.compile(r"[^/]*@[^/]*")


class Captured(NamedTuple):
    """What the middleware keeps of one request until the writer runs. Memory only."""

    at: float  # epoch seconds
    ip: str  # as received (REMOTE_ADDR or the configured proxy header), checked by the writer
    user_agent: str  # parsed and dropped by the writer, never stored
    path: str  # request.path: no query string
    query: str  # the raw query string; only WEBLOG["QUERY_ALLOWLIST"] keys survive
    method: str
    status: int
    response_ms: float
    account_subject_id: UUID | None  # the logged-in account's subject id, or None
    url_kwargs: Mapping[str, Any] | None  # the resolved URL's kwargs, to mask tokens in the path
    referer: str  # kept only when `analytics` is true
    analytics: bool  # a page view whose visitor granted performance cookies


@dataclass
class FlushResult:
    written: int = 0
    failed: int = 0
    sent: int = 0
    unsent: int = 0
    withheld: int = 0  # visits of accounts whose processing is restricted or objected to


def page_path(entry: Captured) -> str:
    """The page as logged: tokens in the URL masked, e-mail-like segments removed, allow-listed query only."""
    config = weblog_settings()
    path = entry.path
    if entry.url_kwargs:
        masked = config["REDACTED_URL_KWARGS"]
        for name, value in entry.url_kwargs.items():
            text = str(value)
            if name in masked and text:
                path = path.replace(text, f"<{name}>")
    if "@" in path:
        path = _SEGMENT_WITH_AT.sub("<redacted>", path)
    allowed = config["QUERY_ALLOWLIST"]
    if entry.query and allowed:
        kept = [
            (key, value) for key, value in parse_qsl(entry.query, keep_blank_values=True) if key in allowed
        ]
        if kept:
            path = f"{path}?{urlencode(kept)}"
    return path[:PATH_MAX]


def client_ip(entry: Captured) -> str | None:
    return valid_ip(entry.ip.split(",", 1)[0])


def request_log_row(entry: Captured) -> RequestLog:
    at = dt.datetime.fromtimestamp(entry.at, tz=dt.UTC)
    ip = client_ip(entry)
    software = client_software(entry.user_agent)
    place = place_of(ip)
    return RequestLog(
        subject_id=log_day_subject(at.date()),
        account_subject_id=entry.account_subject_id,
        at=at,
        ip_address=ip,
        country=place.country,
        region=place.region,
        browser_family=software.browser_family,
        browser_version=software.browser_version,
        os_family=software.os_family,
        os_version=software.os_version,
        path=page_path(entry),
        method=entry.method[:8],
        status=entry.status,
        response_ms=round(entry.response_ms, 2),
    )


def analytics_visit(entry: Captured) -> AnalyticsVisit | None:
    """The visit as the analytics provider may see it: IP, date, path, referrer origin. Nothing else."""
    ip = client_ip(entry)
    if ip is None:
        return None
    path = page_path(entry).split("?", 1)[0]
    return AnalyticsVisit(
        ip=ip,
        date=dt.datetime.fromtimestamp(entry.at, tz=dt.UTC).date(),
        path=path[:ANALYTICS_PATH_MAX],
        referrer_origin=origin_of(entry.referer) if entry.referer else "",
    )


def _in_test_environment() -> bool:
    # django.test.utils.setup_test_environment() gives django.core.mail an outbox.
    return hasattr(mail, "outbox")


class RequestLogWriter:
    def __init__(self, *, thread_in_tests: bool = False) -> None:
        self._reset()
        self.provider: AnalyticsProvider | None = None
        self._exit_hook = False
        self._thread_in_tests = thread_in_tests

    def _reset(self) -> None:
        self._buffer: deque[Captured] = deque()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._flush_lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.dropped = 0

    # --- the request side: cheap, no I/O -----------------------------------------------

    def append(self, entry: Captured) -> None:
        buffer, config = self._buffer, weblog_settings()
        if len(buffer) >= config["BUFFER_LIMIT"]:
            self.dropped += 1
            return
        buffer.append(entry)
        if config["BACKGROUND"]:
            if self._thread is None:
                if _in_test_environment() and not self._thread_in_tests:
                    return
                self._start()
            if len(buffer) >= config["FLUSH_ROWS"]:
                self._wake.set()

    @property
    def pending(self) -> int:
        return len(self._buffer)

    def discard(self) -> int:
        """Forget what is waiting (tests); how many entries were dropped."""
        return len(self._drain(len(self._buffer) + 1_000))

    # --- the writing side ---------------------------------------------------------------

    def _drain(self, limit: int) -> list[Captured]:
        batch: list[Captured] = []
        pop = self._buffer.popleft
        try:
            while len(batch) < limit:
                batch.append(pop())
        except IndexError:
            pass
        return batch

    def flush(self) -> FlushResult:
        """Write everything waiting now, batch by batch; then hand consented visits to analytics."""
        result = FlushResult()
        with self._flush_lock:
            while batch := self._drain(weblog_settings()["FLUSH_ROWS"]):
                self._write(batch, result)
                self._send(batch, result)
        return result

    def _write(self, batch: Sequence[Captured], result: FlushResult) -> None:
        rows: list[RequestLog] = []
        for entry in batch:
            try:
                rows.append(request_log_row(entry))
            except Exception as error:  # a malformed entry must not cost the batch
                result.failed += 1
                logger.warning("request log entry skipped: %s", type(error).__name__)
        try:
            result.written += write_request_logs(rows=rows)
            return
        except Exception as error:
            logger.warning(
                "request log batch of %d rows refused (%s); writing row by row",
                len(rows),
                type(error).__name__,
            )
        for row in rows:
            try:
                result.written += write_request_logs(rows=[row])
            except Exception as error:
                result.failed += 1
                logger.warning("request log row dropped: %s", type(error).__name__)

    def _send(self, batch: Sequence[Captured], result: FlushResult) -> None:
        visits: list[AnalyticsVisit] = []
        # A logged-in account's visit goes only if its data may be used for analytics now:
        # not while restricted or after an upheld objection (asked once per batch).
        accounts = {e.account_subject_id for e in batch if e.analytics and e.account_subject_id is not None}
        countable = accounts_analytics_may_count(accounts) if accounts else frozenset()
        for entry in batch:
            if not entry.analytics:
                continue
            if entry.account_subject_id is not None and entry.account_subject_id not in countable:
                result.withheld += 1
                continue
            try:
                visit = analytics_visit(entry)
            except AnalyticsVisitRefused:  # the visit would say more than C11 allows: not sent
                result.unsent += 1
                continue
            if visit is not None:
                visits.append(visit)
        if not visits:
            return
        if self.provider is None:
            self.provider = configured_provider()
        for position, visit in enumerate(visits):
            try:
                self.provider.send(visit)
            except Exception as error:
                # The provider is down or refusing: drop the rest of this batch rather than
                # hold up the log behind a timeout per visit.
                result.unsent += len(visits) - position
                logger.warning(
                    "analytics provider failed (%s); %d visits not sent",
                    type(error).__name__,
                    len(visits) - position,
                )
                return
            result.sent += 1

    # --- the thread ---------------------------------------------------------------------

    def _start(self) -> None:
        with self._start_lock:
            if self._thread is not None:
                return
            self._stop.clear()
            thread = threading.Thread(target=self._run, name="weblog-writer", daemon=True)
            self._thread = thread
            thread.start()
            if not self._exit_hook:
                atexit.register(self.stop)
                self._exit_hook = True

    def _run(self) -> None:
        interval = weblog_settings()["FLUSH_INTERVAL_MS"] / 1000
        while not self._stop.is_set():
            self._wake.wait(interval)
            self._wake.clear()
            self._flush_in_thread()
        self._flush_in_thread()
        connections.close_all()  # this thread's own connections

    def _flush_in_thread(self) -> None:
        close_old_connections()  # a connection the database dropped is reopened, not reused
        try:
            self.flush()
        except Exception as error:
            logger.error("request log flush failed: %s", type(error).__name__)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread after a last flush (at exit). A later append starts a new one."""
        with self._start_lock:
            thread = self._thread
            if thread is None:
                return
            self._stop.set()
            self._wake.set()
            thread.join(timeout)
            self._thread = None

    def after_fork(self) -> None:
        """In a forked worker: a fresh buffer and no thread (the parent writes its own entries)."""
        self._reset()


_writer = RequestLogWriter()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_writer.after_fork)


def record_request(entry: Captured) -> None:
    _writer.append(entry)


def flush_request_log() -> FlushResult:
    """Write every waiting request log entry now, in this thread."""
    return _writer.flush()


def stop_request_log_writer() -> None:
    """Flush and stop the background thread, if one runs (shutdown; tests)."""
    _writer.stop()


def pending_request_logs() -> int:
    return _writer.pending


def discard_request_log() -> int:
    return _writer.discard()


def dropped_request_logs() -> int:
    return _writer.dropped


@contextmanager
def using_analytics_provider(provider: AnalyticsProvider) -> Iterator[AnalyticsProvider]:
    previous, _writer.provider = _writer.provider, provider
    try:
        yield provider
    finally:
        _writer.provider = previous
