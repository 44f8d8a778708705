"""What the site embeds from each cookie category: scripts, pixels, beacons, widgets.

A tag is rendered only when its category is granted (templatetags/consent.py), and its
origin is allowed by the response's Content-Security-Policy only then (enforcement.py).
The list comes from settings.PLEDGE_CONSENT_TAGS when a deployment sets it, otherwise
from `default_tags()`, which reads the origins of the declared third-party cookies and
lets settings.PLEDGE_ANALYTICS_ORIGIN move the analytics provider (a stand-in on
loopback in development and tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from django.conf import settings

from privacy.consent.declaration import CookieDeclaration

Kind = Literal["script", "pixel", "beacon", "widget"]


@dataclass(frozen=True)
class Tag:
    name: str
    category: str
    kind: Kind
    src: str  # absolute URL for third parties; a same-origin path for first-party beacons
    provider: str = ""
    title: str = ""  # what a widget is, for its placeholder ("Share button")

    @property
    def origin(self) -> str | None:
        parts = urlsplit(self.src)
        return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def _declared_origin(
    decl: CookieDeclaration, category: str, *, skip: tuple[str, ...] = ()
) -> tuple[str, str]:
    for cookie in decl.cookies_of(category):
        if cookie.party == "third" and cookie.origin and cookie.origin not in skip:
            return cookie.origin.rstrip("/"), cookie.provider
    return "", ""


def default_tags(decl: CookieDeclaration) -> tuple[Tag, ...]:
    analytics = str(getattr(settings, "PLEDGE_ANALYTICS_ORIGIN", "")).rstrip("/")
    tags: list[Tag] = [Tag("page-analytics", "performance", "beacon", "/api/analytics/events", "SogaWorks")]
    if analytics:
        _, provider = _declared_origin(decl, "performance")
        tags.append(Tag("analytics", "performance", "script", f"{analytics}/tag.js", provider or "Analytics"))
    ads = [c for c in decl.cookies_of("advertising") if c.party == "third" and c.origin]
    for cookie in ads:
        origin = cookie.origin.rstrip("/") if cookie.origin else ""
        is_widget = any(
            word in (cookie.provider + cookie.name).lower() for word in ("social", "share", "like")
        )
        if is_widget:
            tags.append(
                Tag("share", "advertising", "widget", f"{origin}/share", cookie.provider, "Share button")
            )
        else:
            tags.append(Tag("ad-partner", "advertising", "pixel", f"{origin}/pixel.gif", cookie.provider))
    return tuple(tag for tag in tags if tag.category in decl.categories)


def configured_tags(decl: CookieDeclaration) -> tuple[Tag, ...]:
    raw = getattr(settings, "PLEDGE_CONSENT_TAGS", None)
    if raw is None:
        return default_tags(decl)
    return tuple(Tag(**item) for item in raw if item["category"] in decl.categories)


def tag_origins(decl: CookieDeclaration) -> dict[str, tuple[str, ...]]:
    """Per category, every third-party origin it may reach: declared cookies and tags."""
    found: dict[str, set[str]] = {key: set(decl.origins.get(key, ())) for key in decl.categories}
    for tag in configured_tags(decl):
        if tag.origin:
            found[tag.category].add(tag.origin)
    return {key: tuple(sorted(origins)) for key, origins in found.items()}
