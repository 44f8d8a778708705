from __future__ import annotations

import uuid

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from privacy.vault.errors import CiphertextCorrupted, SubjectErased, WrongKey
from privacy.vault.middleware import VaultErrorMiddleware

SUBJECT = uuid.UUID("01890000-0000-7000-8000-000000000001")


def _middleware() -> VaultErrorMiddleware:
    return VaultErrorMiddleware(lambda request: HttpResponse("ok"))


def test_an_erased_subject_shows_this_data_was_erased() -> None:
    request = RequestFactory().get("/orders/1/")
    response = _middleware().process_exception(request, SubjectErased(SUBJECT))
    assert response is not None
    assert response.status_code == 410
    page = response.content.decode()
    assert "<h1>This data was erased</h1>" in page
    assert str(SUBJECT) not in page


@pytest.mark.parametrize("error", [CiphertextCorrupted("tag mismatch"), WrongKey("unknown master key")])
def test_damaged_data_shows_a_clear_page_without_the_cause(error: Exception) -> None:
    request = RequestFactory().get("/orders/1/")
    response = _middleware().process_exception(request, error)
    assert response is not None
    assert response.status_code == 500
    page = response.content.decode()
    assert "<h1>This data could not be read</h1>" in page
    assert str(error) not in page


def test_other_errors_are_left_to_django() -> None:
    request = RequestFactory().get("/")
    assert _middleware().process_exception(request, ValueError("x")) is None
