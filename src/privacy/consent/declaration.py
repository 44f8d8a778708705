"""The cookie section of the declaration, in the shapes that the request path needs.

The Policy is immutable, so everything derived from it here (which category a cookie
name belongs to, the third-party origins and Consent Mode signals of each category, the
default consent model of each jurisdiction) is computed once per Policy object and then
read by every request without work. A new Policy object (a reload, or a test swapping
the declaration) is noticed by identity and derived again.

The engine reads the declaration through `privacy.policy.loader.current_policy`. Until
that loader is installed, or when a test needs another declaration, `using_policy()`
puts one in its place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal

from django.conf import settings

from privacy.policy.schema import ConsentRule, Cookie, CookieSection, Policy

Model = Literal["opt_in", "opt_out"]

# Google Consent Mode v2: every signal, each denied by default before any tag runs.
CONSENT_MODE_SIGNALS = (
    "ad_storage",
    "ad_user_data",
    "ad_personalization",
    "analytics_storage",
    "functionality_storage",
    "personalization_storage",
    "security_storage",
)

# Geography, not law: the legal consequence of each group lives in the declaration's
# jurisdictions, keyed by a country code or by one of these group names.
EU = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)
EEA = EU | {"IS", "LI", "NO"}
GROUPS: dict[str, frozenset[str]] = {
    "EU": EU,
    "EEA": EEA,
    "UK": frozenset({"GB"}),
    "CN": frozenset({"CN"}),
    "US": frozenset({"US"}),
}
FALLBACK_KEYS = ("default", "*", "other")


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day `months` later, clamped to the end of a shorter month (31 Jan + 1 = 28/29 Feb)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    last_day = (following - dt.timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one per Policy object
class CookieDeclaration:
    """The cookie section of one Policy, indexed for the request path."""

    policy: Policy
    section: CookieSection
    categories: tuple[str, ...]  # declaration order
    essential: frozenset[str]
    optional: tuple[str, ...]  # every category a visitor may switch, in declaration order
    # Categories that need agreement in every jurisdiction, and those that Global Privacy
    # Control opts out of (settings; see docs/decisions/0005-consent.md).
    opt_in_everywhere: frozenset[str]
    gpc_categories: frozenset[str]
    exact_names: dict[str, str] = field(repr=False)  # cookie name -> category
    prefixes: tuple[tuple[str, str], ...] = field(repr=False)  # ("_ga_", "performance") for "_ga_*"
    origins: dict[str, tuple[str, ...]] = field(repr=False)  # category -> declared third-party origins
    signals: dict[str, tuple[str, ...]] = field(repr=False)  # category -> Consent Mode signals
    tag: str = ""  # a short digest of the section's version, carried in the consent cookie

    @property
    def version(self) -> str:
        return self.section.version

    @property
    def max_age_months(self) -> int:
        return self.section.max_age_months

    def cookies_of(self, category: str) -> list[Cookie]:
        return [cookie for cookie in self.section.cookies if cookie.category == category]

    def category_of(self, cookie_name: str) -> str | None:
        """The declared category of a cookie name (names ending in * declare a prefix)."""
        found = self.exact_names.get(cookie_name)
        if found is not None:
            return found
        for prefix, category in self.prefixes:
            if cookie_name.startswith(prefix):
                return category
        return None

    def jurisdiction_for(self, place: str) -> tuple[str, ConsentRule | None]:
        """The declaration's rule for a place ("DE", "US-CA", "" when unknown) and the key that matched."""
        place = place.upper()
        country = place.split("-", 1)[0]
        candidates = [place] if place else []
        if country and country != place:
            candidates.append(country)
        candidates += [group for group, members in GROUPS.items() if country in members]
        candidates += list(FALLBACK_KEYS)
        for key in candidates:
            rule = self.section.jurisdictions.get(key)
            if rule is not None:
                return key, rule
        return "", None

    def model_for(self, place: str) -> Model:
        """Opt-in wherever the law requires it or the rule is unknown; the declaration's
        "implied" consent is treated as opt-out only where the law allows opt-out."""
        _, rule = self.jurisdiction_for(place)
        if rule is None or rule.law_requires_opt_in or rule.model == "opt_in":
            return "opt_in"
        return "opt_out"

    def defaults(self, model: Model, *, gpc: bool) -> frozenset[str]:
        """What is granted before any choice: essential only under opt-in; under opt-out the
        optional categories too, except those that need agreement everywhere and, with GPC,
        those that GPC opts out of."""
        if model == "opt_in":
            return self.essential
        held_back = self.opt_in_everywhere | (self.gpc_categories if gpc else frozenset())
        return self.essential | frozenset(c for c in self.optional if c not in held_back)

    def consent_mode(self, granted: frozenset[str]) -> dict[str, str]:
        """Consent Mode v2 signals for a set of granted categories: granted if any granted
        category lists the signal, denied otherwise."""
        on = {signal for category in granted for signal in self.signals.get(category, ())}
        return {signal: "granted" if signal in on else "denied" for signal in CONSENT_MODE_SIGNALS}

    def expiry(self, moment: dt.datetime) -> dt.datetime:
        return add_months(moment, self.max_age_months)


def _origin_list(cookies: list[Cookie]) -> tuple[str, ...]:
    return tuple(sorted({c.origin.rstrip("/") for c in cookies if c.party == "third" and c.origin}))


def derive(policy: Policy) -> CookieDeclaration:
    section = policy.cookies
    categories = tuple(section.categories)
    essential = frozenset(key for key, category in section.categories.items() if category.essential)
    exact: dict[str, str] = {}
    prefixes: list[tuple[str, str]] = []
    for cookie in section.cookies:
        if cookie.name.endswith("*"):
            prefixes.append((cookie.name[:-1], cookie.category))
        else:
            exact[cookie.name] = cookie.category
    optional = tuple(key for key in categories if key not in essential)
    configured_opt_in = getattr(settings, "PLEDGE_CONSENT_OPT_IN_EVERYWHERE", ("advertising",))
    configured_gpc = getattr(settings, "PLEDGE_CONSENT_GPC_CATEGORIES", ("advertising",))
    return CookieDeclaration(
        policy=policy,
        section=section,
        categories=categories,
        essential=essential,
        optional=optional,
        opt_in_everywhere=frozenset(configured_opt_in) & frozenset(optional),
        gpc_categories=frozenset(configured_gpc) & frozenset(optional),
        exact_names=exact,
        prefixes=tuple(sorted(prefixes, key=lambda item: -len(item[0]))),
        origins={key: _origin_list([c for c in section.cookies if c.category == key]) for key in categories},
        signals={key: tuple(category.consent_mode) for key, category in section.categories.items()},
        tag=hashlib.sha256(section.version.encode()).hexdigest()[:10],
    )


_override: list[Policy] = []
_slot: tuple[Policy, CookieDeclaration] | None = None


_loaded: tuple[object, Policy] | None = None


def _loaded_policy() -> Policy:
    """The loader's declaration, asked for once per policy file: the loader reads the file
    once per process anyway, and asking it costs a path parse and a lock per request.
    A changed PLEDGE_POLICY_FILE setting, or `forget_declaration()`, asks again."""
    global _loaded
    key = settings.PLEDGE_POLICY_FILE
    loaded = _loaded
    if loaded is not None and loaded[0] is key:
        return loaded[1]
    loader = importlib.import_module("privacy.policy.loader")
    policy: Policy = loader.current_policy()
    _loaded = (key, policy)
    return policy


def current_declaration() -> CookieDeclaration:
    global _slot
    policy = _override[-1] if _override else _loaded_policy()
    slot = _slot
    if slot is not None and slot[0] is policy:
        return slot[1]
    derived = derive(policy)
    _slot = (policy, derived)
    return derived


def forget_declaration() -> None:
    """Read the declaration again on the next request (after the loader's cache was reset)."""
    global _slot, _loaded
    _slot = None
    _loaded = None


@contextmanager
def using_policy(policy: Policy) -> Iterator[CookieDeclaration]:
    """Make `policy` the declaration that consent reads inside the block."""
    _override.append(policy)
    try:
        yield current_declaration()
    finally:
        _override.pop()
