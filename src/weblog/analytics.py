"""The hand-off to a third-party analytics provider (commitment C11).

The policy promises that analytics providers get "only the IP address assigned to you on
the date you visit the Website rather than your name or other personally identifying
information", and that their data is never combined with personal data. Both are kept by
construction, not by care at each call site:

- `AnalyticsVisit` is the only thing a provider can be given, and it can hold only the
  IP address, the date of the visit, the page path (no query string) and the referrer's
  origin (no path). It refuses any other field and validates each one, so that an
  account id, a username, an e-mail address or a cookie id has nowhere to go.
- This module never imports the accounts app or the auth framework and never sees a
  request (tests/test_analytics.py checks its syntax tree; import-linter checks the
  imports): the writer builds the visit from the few values it needs, in the background,
  and only for a request whose performance cookies were granted.

Providers sit behind one small interface, with an in-memory fake for tests (as httpx's
MockTransport): `HttpAnalyticsProvider` posts each visit as JSON to
settings.PLEDGE_ANALYTICS_ORIGIN + "/collect".
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import threading
import urllib.request
from dataclasses import asdict, dataclass
from typing import Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.module_loading import import_string

PATH_MAX = 512
DEFAULT_ORIGIN = "http://127.0.0.1:8765"


class AnalyticsVisitRefused(ValueError):
    """A value that does not belong in an analytics visit (the message never repeats it)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AnalyticsVisit:
    """Everything a third-party analytics provider may learn of one visit. Nothing else fits."""

    ip: str
    date: dt.date
    path: str
    referrer_origin: str = ""

    def __post_init__(self) -> None:
        try:
            canonical = str(ipaddress.ip_address(self.ip))
        except (TypeError, ValueError):
            raise AnalyticsVisitRefused("ip must be an IP address") from None
        if canonical != self.ip:
            raise AnalyticsVisitRefused("ip must be in canonical form")
        if type(self.date) is not dt.date:  # a datetime would tell the time of day too
            raise AnalyticsVisitRefused("date must be a date, not a time")
        if (
            not isinstance(self.path, str)
            or not self.path.startswith("/")
            or len(self.path) > PATH_MAX
            or any(mark in self.path for mark in "?#@")
        ):
            raise AnalyticsVisitRefused("path must be a site path with no query, fragment or '@'")
        if self.referrer_origin and origin_of(self.referrer_origin) != self.referrer_origin:
            raise AnalyticsVisitRefused("referrer_origin must be an origin (scheme://host[:port]) only")

    def as_json(self) -> dict[str, str]:
        fields = asdict(self)
        fields["date"] = self.date.isoformat()
        return fields


def origin_of(url: str) -> str:
    """scheme://host[:port] of an http(s) URL, without user info, path or query; "" otherwise."""
    try:
        parts = urlsplit(url.strip())
        host, port = parts.hostname, parts.port
    except ValueError:
        return ""
    if parts.scheme not in {"http", "https"} or not host:
        return ""
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}:{port}" if port else f"{parts.scheme}://{host}"


class AnalyticsProvider(Protocol):
    def send(self, visit: AnalyticsVisit) -> None:
        """Deliver one visit; raise on failure (the writer drops the rest of its batch)."""


class InMemoryAnalyticsProvider:
    """Keeps what it is sent, for tests and for a deployment without a provider."""

    def __init__(self) -> None:
        self.visits: list[AnalyticsVisit] = []
        self._lock = threading.Lock()

    def send(self, visit: AnalyticsVisit) -> None:
        with self._lock:
            self.visits.append(visit)


class HttpAnalyticsProvider:
    """POSTs each visit as JSON to <origin>/collect. Runs in the background writer only."""

    def __init__(self, origin: str | None = None, *, timeout: float = 2.0) -> None:
        origin = origin or str(getattr(settings, "PLEDGE_ANALYTICS_ORIGIN", "") or DEFAULT_ORIGIN)
        if origin_of(origin) != origin.rstrip("/"):
            raise ValueError("the analytics origin must be an http(s) origin, e.g. http://127.0.0.1:8765")
        self.endpoint = origin.rstrip("/") + "/collect"
        self.timeout = timeout

    def send(self, visit: AnalyticsVisit) -> None:
        body = json.dumps(visit.as_json()).encode()
        post = urllib.request.Request(  # noqa: S310 -- the scheme is checked to be http(s) above
            self.endpoint, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(post, timeout=self.timeout) as response:  # noqa: S310 -- as above
            response.read()


def configured_provider() -> AnalyticsProvider:
    """The provider named by WEBLOG["ANALYTICS_PROVIDER"] (a dotted path to a class)."""
    provider: AnalyticsProvider = import_string(str(settings.WEBLOG["ANALYTICS_PROVIDER"]))()
    return provider


# keeps: C11 (analytics receives the IP of the day only, never joined with accounts)
