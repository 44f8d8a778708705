"""What a request log keeps of the client: a parsed browser and OS, and a general location.

Both look-ups are offline (ua-parser's bundled regexes, geoip2fast's bundled data) and
run in the background writer, never on the request path. The raw User-Agent string is
parsed and dropped: it is a high-entropy fingerprint (build numbers, device models)
where the policy promises only "browser type" and "operating system", so only family and
major.minor version survive.

Location: geoip2fast ships country data only (IPv4 and IPv6). Its optional city files
(`geoip2fast-city*.dat.gz`, not bundled) add subdivisions; point WEBLOG["GEOIP_DATA_FILE"]
at one and the region ("US-CA") is filled too. With the bundled data the region is "".

geoip2fast keeps its loaded data in module globals, so the last GeoIP2Fast() made in the
process serves every instance; other apps load the IPv4-only file. The data is reloaded
here when another load replaced it (at most once per other loader: they cache theirs),
and since the IPv6 file holds the IPv4 data too, that reload costs them nothing.
"""

from __future__ import annotations

import functools
import ipaddress
import threading
from dataclasses import dataclass
from typing import Any

from weblog.config import weblog_settings

UA_MAX = 512  # longer strings are cut before parsing: a pathological header must not stall the writer


@dataclass(frozen=True, slots=True)
class ClientSoftware:
    browser_family: str = ""
    browser_version: str = ""
    os_family: str = ""
    os_version: str = ""


@dataclass(frozen=True, slots=True)
class Place:
    country: str = ""  # ISO 3166-1 alpha-2, "" when private, unknown or invalid
    region: str = ""  # ISO 3166-2 ("US-CA"), only with a city database


def _version(major: str | None, minor: str | None) -> str:
    if not major:
        return ""
    return f"{major}.{minor}"[:16] if minor else major[:16]


@functools.lru_cache(maxsize=2048)
def client_software(user_agent: str) -> ClientSoftware:
    """Browser and OS families with major.minor versions; empty strings when unknown."""
    if not user_agent:
        return ClientSoftware()
    from ua_parser import parse

    parsed = parse(user_agent[:UA_MAX])
    browser, system = parsed.user_agent, parsed.os
    return ClientSoftware(
        browser_family=browser.family[:64] if browser else "",
        browser_version=_version(browser.major, browser.minor) if browser else "",
        os_family=system.family[:64] if system else "",
        os_version=_version(system.major, system.minor) if system else "",
    )


def valid_ip(raw: str) -> str | None:
    """The address in canonical form, or None when `raw` is not an IP address."""
    try:
        return str(ipaddress.ip_address(raw.strip()))
    except ValueError:
        return None


class _GeoIP:
    def __init__(self) -> None:
        self._instance: Any = None
        self._data: Any = None
        self._lock = threading.Lock()

    def get(self) -> Any:
        import geoip2fast.geoip2fast as module

        if self._instance is None or getattr(module, "mainIndex", None) is not self._data:
            with self._lock:
                if self._instance is None or getattr(module, "mainIndex", None) is not self._data:
                    self._instance = module.GeoIP2Fast(
                        geoip2fast_data_file=weblog_settings()["GEOIP_DATA_FILE"]
                    )
                    self._data = getattr(module, "mainIndex", None)
        return self._instance


_geoip = _GeoIP()


def place_of(ip: str | None) -> Place:
    if not ip:
        return Place()
    found = _geoip.get().lookup(ip)
    country = str(found.country_code or "")
    if len(country) != 2 or not country.isalpha() or getattr(found, "is_private", False):
        return Place()
    city = getattr(found, "city", None)
    subdivision = str(getattr(city, "subdivision_code", "") or "") if city is not None else ""
    region = f"{country}-{subdivision}"[:8] if subdivision else ""
    return Place(country=country.upper(), region=region)
