"""Turn the vault's read errors into pages a person can understand.

A value whose subject was erased is gone for good: the page says "this data was erased"
(410 Gone), never a traceback or a wrong value. A value that fails authentication or
whose key cannot be unwrapped is damage: the page says the data could not be read (500),
and the log names the cause without any value.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from privacy.vault.errors import CiphertextCorrupted, SubjectErased, WrongKey

logger = logging.getLogger("privacy.vault")


class VaultErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, SubjectErased):
            return render(request, "vault/erased.html", status=410)
        if isinstance(exception, CiphertextCorrupted | WrongKey):
            logger.error("Unreadable personal data at %s: %s", request.path, type(exception).__name__)
            return render(request, "vault/unreadable.html", status=500)
        return None
