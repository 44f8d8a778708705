"""Fixtures for the weblog tests: an empty buffer, a consent gate and an analytics fake."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from weblog.analytics import InMemoryAnalyticsProvider
from weblog.consent import FixedConsentGate, using_consent_gate
from weblog.writer import discard_request_log, stop_request_log_writer, using_analytics_provider

CHROME_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.6099.109 Safari/537.36"
)
FIREFOX_ON_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"


@pytest.fixture(autouse=True)
def writer_in_hand(settings: Any) -> Iterator[None]:
    """No background thread and an empty buffer: each test flushes when it means to.

    PLEDGE_ENV=test (the Makefile's) already turns the thread off; under another
    environment a thread may have started, so it is stopped here.
    """
    stop_request_log_writer()
    settings.WEBLOG = {**settings.WEBLOG, "BACKGROUND": False}
    discard_request_log()  # what other tests' requests left behind
    yield
    discard_request_log()


@pytest.fixture
def analytics() -> Iterator[InMemoryAnalyticsProvider]:
    with using_analytics_provider(InMemoryAnalyticsProvider()) as provider:
        assert isinstance(provider, InMemoryAnalyticsProvider)
        yield provider


@pytest.fixture
def consented() -> Iterator[FixedConsentGate]:
    """A visitor (or recipient) who granted performance cookies."""
    with using_consent_gate(FixedConsentGate(performance=True, pixels=True)) as gate:
        assert isinstance(gate, FixedConsentGate)
        yield gate


@pytest.fixture
def refused() -> Iterator[FixedConsentGate]:
    with using_consent_gate(FixedConsentGate(performance=False, pixels=False)) as gate:
        assert isinstance(gate, FixedConsentGate)
        yield gate


@pytest.fixture
def make_account(db: None) -> Callable[[str], Any]:
    def make(username: str) -> Any:
        return get_user_model()._default_manager.create_user(  # type: ignore[attr-defined]
            username, f"{username}@example.com", "correct horse battery"
        )

    return make
