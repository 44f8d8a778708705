"""Keep decrypted personal values out of log lines and exception reports.

Every plaintext the vault decrypts or encrypts in the current context (a request, a task,
a command) is remembered in a bounded, context-local set; the logging filter and the
exception reporter replace any of them found in text with "[redacted]". The set lives in
a ContextVar, so threads and asyncio tasks each see their own; the middleware starts a
fresh one per request, which also bounds how long plaintexts stay in memory.

Values shorter than MIN_LENGTH are not tracked: redacting "Li" or "42" everywhere would
mangle every log line and protect nothing.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.safestring import SafeString, mark_safe
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

REDACTED = "[redacted]"
MIN_LENGTH = 3
CAPACITY = 512


class _Seen:
    """An insertion-ordered, bounded set of plaintexts and the pattern that finds them."""

    def __init__(self) -> None:
        self.values: OrderedDict[str, None] = OrderedDict()
        self._pattern: re.Pattern[str] | None = None
        self._lock = threading.Lock()

    def add(self, value: str) -> None:
        if (
            value in self.values
        ):  # already tracked: keep it, without reordering (cheap, and racy reads are fine)
            return
        with self._lock:
            self.values[value] = None
            if len(self.values) > CAPACITY:
                self.values.popitem(last=False)
            self._pattern = None

    def pattern(self) -> re.Pattern[str] | None:
        with self._lock:
            if self._pattern is None and self.values:
                variants = {form for value in self.values for form in (value, html.escape(value))}
                ordered = sorted(variants, key=len, reverse=True)
                self._pattern = re.compile("|".join(re.escape(v) for v in ordered), re.IGNORECASE)
            return self._pattern


_current: ContextVar[_Seen | None] = ContextVar("pledge_vault_redaction", default=None)


def _seen() -> _Seen:
    seen = _current.get()
    if seen is None:
        seen = _Seen()
        _current.set(seen)
    return seen


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dt.date):
        yield value.isoformat()
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def remember_personal_value(value: object) -> None:
    """Track a plaintext (or the strings inside a JSON value) for redaction in this context."""
    if type(value) is str:
        if len(value) >= MIN_LENGTH:
            text = value.strip()
            if len(text) >= MIN_LENGTH:
                _seen().add(text)
        return
    for text in _strings(value):
        text = text.strip()
        if len(text) >= MIN_LENGTH:
            _seen().add(text)


def redact(text: str) -> str:
    seen = _current.get()
    pattern = seen.pattern() if seen is not None else None
    return pattern.sub(REDACTED, text) if pattern is not None else text


@contextmanager
def redaction_scope() -> Iterator[None]:
    """A fresh set of tracked values inside the block (a request, a task)."""
    token = _current.set(_Seen())
    try:
        yield
    finally:
        _current.reset(token)


class RedactionScopeMiddleware:
    """Start each request with an empty set, so one request's values are not kept for the next.

    The scope is left open when the request ends: the error reports written after the view
    (by Django's handler) still redact.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        _current.set(_Seen())
        return self.get_response(request)


class RedactPersonalValues(logging.Filter):
    """A logging filter: personal values seen in this context become "[redacted]".

    The message is formatted here (msg % args) and stored back with no args, and a
    traceback is rendered into exc_text, so that handlers and formatters downstream only
    ever see the redacted text.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        seen = _current.get()
        if seen is None or not seen.values:
            return True
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    try:
        shown = repr(value)
    except Exception:  # a broken __repr__ must not break the error report
        return value
    cleaned = redact(shown)
    return cleaned if cleaned != shown else value


class RedactingExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's safe filter (hides secrets by name) plus the personal values seen in this context."""

    def get_post_parameters(self, request: HttpRequest | None) -> Any:
        cleansed = super().get_post_parameters(request)
        if not isinstance(cleansed, QueryDict):
            return cleansed
        redacted = cleansed.copy()
        for key, values in list(redacted.lists()):
            redacted.setlist(key, [redact(v) if isinstance(v, str) else v for v in values])
        return redacted

    def get_traceback_frame_variables(self, request: HttpRequest | None, tb_frame: Any) -> Any:
        return [
            (name, _redact_value(value))
            for name, value in super().get_traceback_frame_variables(request, tb_frame)
        ]


class RedactingExceptionReporter(ExceptionReporter):
    """Redacts the rendered report as a whole: the exception message, frames and request data."""

    def get_traceback_html(self) -> SafeString:
        return mark_safe(redact(super().get_traceback_html()))  # noqa: S308 -- only swaps text for "[redacted]"

    def get_traceback_text(self) -> SafeString:
        return mark_safe(redact(super().get_traceback_text()))  # noqa: S308 -- as above
