from __future__ import annotations

import logging
import sys
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from privacy.vault.redaction import (
    REDACTED,
    RedactingExceptionReporter,
    RedactingExceptionReporterFilter,
    RedactionScopeMiddleware,
    RedactPersonalValues,
    redact,
    redaction_scope,
    remember_personal_value,
)
from privacy.vault.tests.models import Customer

EMAIL = "ann.o'brien@example.com"


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
        self.addFilter(RedactPersonalValues())

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def log() -> Any:
    handler = Collect()
    logger = logging.getLogger("pledge.test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    yield logger, handler.lines
    logger.removeHandler(handler)


@pytest.mark.django_db(databases=["default", "keys"])
@pytest.mark.usefixtures("vault_tables")
def test_a_decrypted_value_is_redacted_from_log_lines(log: Any) -> None:
    logger, lines = log
    customer = Customer.objects.create(email=EMAIL, name="Ann O'Brien")
    with redaction_scope():
        loaded = Customer.objects.get(pk=customer.pk)
        email = loaded.email

        logger.warning("Password reset for %s from %s", email, "203.0.113.9")
        logger.info("Name on file: %s", "ann o'brien")  # not decrypted in this context
        assert loaded.name == "Ann O'Brien"
        logger.info("Name on file: %s", "ann o'brien")  # decrypted now; any case

    assert lines == [
        f"WARNING Password reset for {REDACTED} from 203.0.113.9",
        "INFO Name on file: ann o'brien",
        f"INFO Name on file: {REDACTED}",
    ]


def test_a_value_encrypted_in_this_context_is_redacted_too(log: Any) -> None:
    logger, lines = log
    remember_personal_value({"street": "12 Rue de la Paix", "floor": 3, "tags": ["VIP customer"]})

    logger.error("Address %s, note %s", "12 Rue de la Paix", "VIP customer")

    assert lines == [f"ERROR Address {REDACTED}, note {REDACTED}"]


def test_a_traceback_in_a_log_record_is_redacted(log: Any) -> None:
    logger, lines = log
    remember_personal_value(EMAIL)

    try:
        raise ValueError(f"no account for {EMAIL}")
    except ValueError:
        logger.exception("Lookup failed")

    assert EMAIL not in lines[0]
    assert f"ValueError: no account for {REDACTED}" in lines[0]


def test_values_of_other_contexts_and_short_values_are_left_alone(log: Any) -> None:
    logger, lines = log
    with redaction_scope():
        remember_personal_value("secret@example.com")
    remember_personal_value("Li")

    logger.warning("secret@example.com spoke to Li")

    assert lines == ["WARNING secret@example.com spoke to Li"]


def test_the_middleware_starts_each_request_with_an_empty_set() -> None:
    remember_personal_value("left over from before")
    seen: list[str] = []

    def view(request: Any) -> HttpResponse:
        seen.append(redact("left over from before"))
        return HttpResponse()

    RedactionScopeMiddleware(view)(RequestFactory().get("/"))

    assert seen == ["left over from before"]


def _report(reporter_class: type[RedactingExceptionReporter]) -> tuple[str, str]:
    request = RequestFactory().post("/account/", {"email": EMAIL, "note": "nothing personal"})
    email = EMAIL  # a frame variable holding the value
    try:
        raise RuntimeError(f"cannot deliver to {email}")
    except RuntimeError:
        reporter = reporter_class(request, *sys.exc_info())
        return reporter.get_traceback_text(), reporter.get_traceback_html()


def test_exception_reports_never_show_a_decrypted_value(settings: Any) -> None:
    settings.DEFAULT_EXCEPTION_REPORTER_FILTER = "privacy.vault.redaction.RedactingExceptionReporterFilter"
    remember_personal_value(EMAIL)

    text, html = _report(RedactingExceptionReporter)

    assert EMAIL not in text
    assert "ann.o&#x27;brien@example.com" not in html
    assert EMAIL not in html
    assert f"cannot deliver to {REDACTED}" in text
    assert "nothing personal" in text


def test_the_filter_redacts_frame_variables_and_post_data() -> None:
    remember_personal_value(EMAIL)
    request = RequestFactory().post("/", {"email": EMAIL, "password": "hunter2hunter2"})
    email = EMAIL
    frame = sys._getframe()

    variables = dict(RedactingExceptionReporterFilter().get_traceback_frame_variables(request, frame))
    post = RedactingExceptionReporterFilter().get_post_parameters(request)

    assert variables["email"] == REDACTED
    assert post["email"] == REDACTED
    assert email == EMAIL  # the value itself is untouched
