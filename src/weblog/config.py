"""settings.WEBLOG, typed (see src/pledge/settings.py for what each key does)."""

from __future__ import annotations

from typing import TypedDict, cast

from django.conf import settings


class WeblogSettings(TypedDict):
    BACKGROUND: bool
    FLUSH_INTERVAL_MS: int
    FLUSH_ROWS: int
    BUFFER_LIMIT: int
    SKIP_PREFIXES: tuple[str, ...]
    QUERY_ALLOWLIST: tuple[str, ...]
    REDACTED_URL_KWARGS: tuple[str, ...]
    CLIENT_IP_HEADER: str | None
    GEOIP_DATA_FILE: str
    ANALYTICS_PROVIDER: str


def weblog_settings() -> WeblogSettings:
    return cast(WeblogSettings, settings.WEBLOG)
