"""The consent in force for one request, read from the signed `pledge_consent` cookie.

This is the hot path: every request reads it, so it touches no database. The cookie
carries, signed with the site's secret, everything needed to decide what may run: the
consent id, the visitor id, the granted categories, when the consent lapses, a digest of
the cookie-section version it was given under, the method, and for a logged-in customer
the account it was last reconciled with. A cookie that is unsigned, tampered with, from
another cookie-section version or past its expiry is not in force, and the banner asks.

Where the visitor is (their jurisdiction) matters only while nothing is in force, so the
IP look-up runs only then.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import time
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest

from privacy.consent.declaration import CookieDeclaration, Model, current_declaration
from privacy.consent.models import Method

if TYPE_CHECKING:
    from geoip2fast import GeoIP2Fast

COOKIE_NAME = "pledge_consent"
SALT = "pledge.consent.cookie"
FORMAT = "c1"

METHOD_CODES = {
    Method.ACCEPT_ALL: "a",
    Method.REJECT_ALL: "r",
    Method.CUSTOM: "c",
    Method.WITHDRAW: "w",
    Method.GPC: "g",
    Method.EXPIRED: "x",
}
CODE_METHODS = {code: method for method, code in METHOD_CODES.items()}


def clock() -> float:
    """The clock consent reads (epoch seconds); tests move it to travel past an expiry."""
    return time.time()


def now() -> dt.datetime:
    return dt.datetime.fromtimestamp(clock(), dt.UTC)


@dataclass(frozen=True, slots=True)
class Payload:
    """What the consent cookie carries."""

    consent_id: uuid.UUID
    visitor_id: uuid.UUID
    granted: frozenset[str]
    method: Method
    chosen: int  # when the record was made (epoch seconds)
    expires: int  # when it lapses (epoch seconds)
    tag: str  # digest of the cookie-section version
    account: str  # pk of the account last reconciled with, "" when none
    issued: int  # when this cookie was issued (epoch seconds)

    def encode(self) -> str:
        value = "|".join(
            [
                FORMAT,
                self.consent_id.hex,
                self.visitor_id.hex,
                "+".join(sorted(self.granted)),
                METHOD_CODES[self.method],
                str(self.chosen),
                str(self.expires),
                self.tag,
                self.account,
                str(self.issued),
            ]
        )
        return signing.Signer(salt=SALT).sign(value)

    @classmethod
    def decode(cls, raw: str) -> Payload | None:
        try:
            value = signing.Signer(salt=SALT).unsign(raw)
            fmt, cid, vid, granted, method, chosen, expires, tag, account, issued = value.split("|")
            if fmt != FORMAT:
                return None
            return cls(
                consent_id=uuid.UUID(hex=cid),
                visitor_id=uuid.UUID(hex=vid),
                granted=frozenset(granted.split("+")) if granted else frozenset(),
                method=CODE_METHODS[method],
                chosen=int(chosen),
                expires=int(expires),
                tag=tag,
                account=account,
                issued=int(issued),
            )
        except (signing.BadSignature, ValueError, KeyError):
            return None

    @property
    def lapsed_marker(self) -> bool:
        return self.method == Method.EXPIRED


@dataclass(slots=True)
class ConsentState:
    """The consent of one request: what is granted, and whether the banner must ask."""

    decl: CookieDeclaration
    payload: Payload | None  # the consent in force on this device, None when nothing is
    previous: Payload | None  # a cookie that is no longer in force (other version, lapsed)
    gpc: bool  # the request carried Sec-GPC: 1
    place_of: Any = field(repr=False)  # () -> "DE" | "US-CA" | "", looked up only when needed
    nonce: str = ""
    issue: Payload | None = None  # a cookie to set on the response
    inline_panel: bool = False  # the page shows the settings panel itself (no dialog)
    _place: str | None = None
    _model: Model | None = None

    @property
    def place(self) -> str:
        if self._place is None:
            self._place = str(self.place_of())
        return self._place

    @property
    def country(self) -> str:
        return self.place.split("-", 1)[0][:2]

    @property
    def decided(self) -> bool:
        """A choice is in force (not merely the jurisdiction's defaults)."""
        return self.payload is not None and self.payload.method != Method.EXPIRED

    @property
    def needs_choice(self) -> bool:
        return not self.decided

    @property
    def model(self) -> Model:
        if self._model is None:
            self._model = self.decl.model_for(self.place)
        return self._model

    @property
    def granted(self) -> frozenset[str]:
        payload = self.payload
        if payload is None or payload.method == Method.EXPIRED:
            return self.decl.defaults(self.model, gpc=self.gpc)
        granted = self.decl.essential | (payload.granted & frozenset(self.decl.optional))
        return granted - self.decl.gpc_categories if self.gpc else granted

    def is_granted(self, category: str) -> bool:
        return category in self.granted

    @property
    def consent_id(self) -> uuid.UUID | None:
        return self.payload.consent_id if self.payload else None

    @property
    def visitor_id(self) -> uuid.UUID | None:
        known = self.payload or self.previous
        return known.visitor_id if known else None

    def adopt(self, payload: Payload) -> None:
        """Put a new consent in force for the rest of this request and send its cookie."""
        self.payload = payload
        self.issue = payload


def epoch(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def read_state(request: HttpRequest, *, decl: CookieDeclaration | None = None) -> ConsentState:
    decl = decl or current_declaration()
    payload = previous = None
    raw = request.COOKIES.get(COOKIE_NAME)
    if raw:
        found = Payload.decode(raw)
        if found is not None:
            if found.tag == decl.tag and found.method != Method.EXPIRED and found.expires > clock():
                payload = found
            else:
                previous = found
    return ConsentState(
        decl=decl,
        payload=payload,
        previous=previous,
        gpc=request.META.get("HTTP_SEC_GPC", "").strip() == "1",
        place_of=lambda: place_of_request(request),
        nonce=secrets.token_urlsafe(12),
    )


# --- Where the visitor is, and what a record keeps of their device -----------------------


def client_ip(request: HttpRequest) -> str:
    header = getattr(settings, "PLEDGE_CONSENT_CLIENT_IP_HEADER", None)
    raw = (request.META.get(header, "") if header else "") or request.META.get("REMOTE_ADDR", "")
    return str(raw).split(",", 1)[0].strip()


def place_of_request(request: HttpRequest) -> str:
    """The visitor's country (or "US-CA"-style region) for the jurisdiction rules.

    A fixed setting wins (a deployment serving one market); then, only in development and
    tests, a request header; then geoip2fast on the client IP. "" when unknown.
    """
    fixed = getattr(settings, "PLEDGE_CONSENT_COUNTRY", None)
    if fixed:
        return str(fixed).upper()
    if settings.DEBUG or getattr(settings, "PLEDGE_ENV", "") == "test":
        header = getattr(settings, "PLEDGE_CONSENT_COUNTRY_HEADER", "HTTP_X_PLEDGE_COUNTRY")
        claimed = request.META.get(header, "").strip().upper()
        if claimed:
            return claimed[:8]
    country = country_of_ip(client_ip(request))
    region_header = getattr(settings, "PLEDGE_CONSENT_REGION_HEADER", None)
    region = str(request.META.get(region_header, "")).strip().upper() if region_header else ""
    return f"{country}-{region[:3]}" if country and region.isalnum() else country


@lru_cache(maxsize=1)
def _geoip() -> GeoIP2Fast:
    from geoip2fast import GeoIP2Fast

    # The IPv6 file holds IPv4 too: one database for every client.
    return GeoIP2Fast(geoip2fast_data_file="geoip2fast-ipv6.dat.gz")


def country_of_ip(ip: str) -> str:
    if not ip:
        return ""
    try:
        code = str(_geoip().lookup(ip).country_code or "")
    except Exception:  # an address the database cannot parse is an unknown place
        return ""
    return code if len(code) == 2 and code.isalpha() else ""


_IPV4_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = re.compile(rf"(?:{_IPV4_OCTET}\.){{3}}{_IPV4_OCTET}\Z")


def truncate_ip(ip: str) -> str | None:
    """The network, not the host: IPv4 to /24, IPv6 to /48."""
    if _IPV4.match(ip):  # the common case, without building ipaddress objects
        return ip.rsplit(".", 1)[0] + ".0"
    import ipaddress

    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False).network_address)


@lru_cache(maxsize=512)
def user_agent_family(user_agent: str) -> str:
    if not user_agent:
        return ""
    from ua_parser import parse_user_agent

    parsed = parse_user_agent(user_agent[:512])
    return (parsed.family if parsed else "Other")[:64]
