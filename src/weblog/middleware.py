"""Captures each request for the request log, without writing anything on the request path.

After the response is made, the middleware appends one `Captured` tuple to the writer's
in-memory buffer and returns; parsing, look-ups, encryption and the INSERT happen in the
background writer (writer.py). Static files, health checks and the e-mail open pixel are
not logged (WEBLOG["SKIP_PREFIXES"]): the pixel's open is recorded on its own, and
logging its request would add an IP address and a time to an e-mail open, which the
policy does not ask for.

Place it right after SecurityMiddleware so that the response time covers the rest of the
stack; it reads request.user after the view, when AuthenticationMiddleware has set it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from weblog.config import weblog_settings
from weblog.consent import consent_gate
from weblog.writer import Captured, record_request

logger = logging.getLogger(__name__)


class RequestLogMiddleware:
    sync_capable = True
    async_capable = False

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        config = weblog_settings()
        static = (settings.STATIC_URL,) if settings.STATIC_URL else ()
        self.skip: tuple[str, ...] = (*static, *config["SKIP_PREFIXES"])
        self.ip_header: str | None = config["CLIENT_IP_HEADER"]

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        arrived, started = time.time(), time.perf_counter()
        response = self.get_response(request)
        # A view may forbid logging its own request: the refused registration of a child
        # stores nothing about the child, not even here (C39).
        if not request.path.startswith(self.skip) and not getattr(request, "skip_request_log", False):
            try:
                self.capture(request, response, arrived, (time.perf_counter() - started) * 1000)
            except Exception as error:  # the log must never cost the visitor their page
                logger.warning("request not logged: %s", type(error).__name__)
        return response

    def capture(
        self, request: HttpRequest, response: HttpResponseBase, arrived: float, elapsed_ms: float
    ) -> None:
        meta = request.META
        user = getattr(request, "user", None)
        authenticated = user is not None and user.is_authenticated
        account_subject_id = getattr(user, "subject_id", None) if authenticated else None
        status = response.status_code
        page_view = (  # a page the visitor saw: not a redirect, an error, an asset or an API call
            request.method == "GET"
            and 200 <= status < 300
            and str(response.get("Content-Type", "")).startswith("text/html")
        )
        analytics = page_view and consent_gate().performance_granted(request)
        match = request.resolver_match
        record_request(
            Captured(
                at=arrived,
                ip=(self.ip_header and meta.get(self.ip_header)) or meta.get("REMOTE_ADDR", ""),
                user_agent=meta.get("HTTP_USER_AGENT", ""),
                path=request.path,
                query=meta.get("QUERY_STRING", ""),
                method=request.method or "",
                status=status,
                response_ms=elapsed_ms,
                account_subject_id=account_subject_id,
                url_kwargs=match.kwargs if match is not None else None,
                referer=meta.get("HTTP_REFERER", "") if analytics else "",
                analytics=analytics,
            )
        )


# keeps: C8 (the request log)
