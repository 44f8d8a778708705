"""Where a visitor probably is, from the IP address alone, with the offline geoip2fast data.

Used only to prefill the country on the registration form (the visitor can change it);
the country decides the minimum age and is not stored. Nothing here touches the network.
"""

from __future__ import annotations

import functools
import ipaddress
import string
from typing import Any

from geoip2fast import GeoIP2Fast

_LETTERS = frozenset(string.ascii_uppercase)


@functools.cache
def _database() -> Any:
    return GeoIP2Fast()


def is_country_code(code: str) -> bool:
    return len(code) == 2 and set(code) <= _LETTERS


def country_from_ip(ip_address: str | None) -> str | None:
    """The ISO 3166-1 alpha-2 code for a public address, or None (private, unknown, invalid)."""
    if not ip_address:
        return None
    try:
        ipaddress.ip_address(ip_address)
    except ValueError:
        return None
    code = str(_database().lookup(ip_address).country_code or "").upper()
    return code if is_country_code(code) else None


@functools.cache
def country_choices() -> tuple[tuple[str, str], ...]:
    """(code, English name) for every country geoip2fast knows, sorted by name."""
    _database()  # loading fills the module's name table
    import geoip2fast.geoip2fast as data

    found: dict[str, str] = {}
    for entry in getattr(data, "mainListNamesCountry", []):
        code, _, name = str(entry).partition(":")
        if is_country_code(code) and name:
            found[code] = name
    return tuple(sorted(found.items(), key=lambda item: item[1]))
