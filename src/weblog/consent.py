"""What cookie consent allows the technical logs to do: the one place weblog asks.

Two questions, both answered by the consent engine (`privacy.consent`) through
`privacy.api`:
- may this request's visit go to third-party analytics? Only when the performance
  category is granted for the request (C11, C13);
- may an e-mail to this recipient carry an open pixel, and may its open be recorded?
  Only when their account's consent in force grants performance (C10; the declaration's
  technical_pixel_tags context names that category).

A third question goes to the purpose gates (privacy.processing), not to cookie consent:
may a logged-in account's visit be handed to analytics at all? Not while its processing
is restricted or after an upheld objection to the purpose (C32, C34).

Tests swap the gate (`using_consent_gate`) rather than monkeypatching, as httpx tests
swap a transport.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Protocol
from uuid import UUID

from django.http import HttpRequest

from privacy.api import consent_granted, processable_subjects, recipient_allows_pixels

PERFORMANCE = "performance"
# The declaration's purpose of the analytics hand-off (recipients.analytics_providers).
ANALYTICS_PURPOSE = "improve_services"


def accounts_analytics_may_count(subject_ids: Iterable[UUID]) -> frozenset[UUID]:
    """Those of these accounts whose visits may go to analytics (no restriction, no objection)."""
    return processable_subjects(subject_ids, ANALYTICS_PURPOSE)


class ConsentGate(Protocol):
    def performance_granted(self, request: HttpRequest) -> bool: ...

    def email_pixels_allowed(self, subject_id: UUID) -> bool: ...


class EngineConsentGate:
    """The consent engine's answers."""

    def performance_granted(self, request: HttpRequest) -> bool:
        return consent_granted(request, PERFORMANCE)

    def email_pixels_allowed(self, subject_id: UUID) -> bool:
        return recipient_allows_pixels(subject_id)


class FixedConsentGate:
    """The same answer to every question (tests; a deployment with no optional cookies)."""

    def __init__(self, *, performance: bool, pixels: bool) -> None:
        self.performance, self.pixels = performance, pixels

    def performance_granted(self, request: HttpRequest) -> bool:
        return self.performance

    def email_pixels_allowed(self, subject_id: UUID) -> bool:
        return self.pixels


_gate: ConsentGate = EngineConsentGate()


def consent_gate() -> ConsentGate:
    return _gate


@contextmanager
def using_consent_gate(gate: ConsentGate) -> Iterator[ConsentGate]:
    global _gate
    previous, _gate = _gate, gate
    try:
        yield gate
    finally:
        _gate = previous
