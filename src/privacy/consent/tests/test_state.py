"""The consent cookie, the jurisdiction rules and the derived declaration: no database."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.test import RequestFactory

from privacy.consent.declaration import CookieDeclaration, add_months, using_policy
from privacy.consent.models import Method
from privacy.consent.state import COOKIE_NAME, Payload, read_state, truncate_ip, user_agent_family
from privacy.consent.tests.conftest import CHROME, with_cookie_version

CID = uuid.UUID("11111111-1111-4111-8111-111111111111")
VID = uuid.UUID("22222222-2222-4222-8222-222222222222")
FUTURE = int(dt.datetime(2099, 1, 1, tzinfo=dt.UTC).timestamp())


def payload(decl: CookieDeclaration, **changes: object) -> Payload:
    fields: dict[str, object] = {
        "consent_id": CID,
        "visitor_id": VID,
        "granted": frozenset({"essential", "performance"}),
        "method": Method.CUSTOM,
        "chosen": 1_800_000_000,
        "expires": FUTURE,
        "tag": decl.tag,
        "account": "",
        "issued": 1_800_000_000,
        **changes,
    }
    return Payload(**fields)  # type: ignore[arg-type]


def request_with(raw: str | None = None, **meta: str):  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/", **meta)
    if raw is not None:
        request.COOKIES[COOKIE_NAME] = raw
    return request


@pytest.mark.commitment("C12")
def test_the_declaration_has_four_categories_with_essential_locked_on(decl: CookieDeclaration) -> None:
    assert decl.categories == ("essential", "performance", "functionality", "advertising")
    assert decl.essential == frozenset({"essential"})
    assert decl.optional == ("performance", "functionality", "advertising")
    assert decl.category_of("sessionid") == "essential"
    assert decl.category_of("pledge_consent") == "essential"
    assert decl.category_of("_sw_pa") == "performance"
    assert decl.category_of("_sa_vid") == "performance"
    assert decl.category_of("django_language") == "functionality"
    assert decl.category_of("IDE") == "advertising"
    assert decl.category_of("undeclared") is None


def test_a_signed_cookie_round_trips(decl: CookieDeclaration) -> None:
    original = payload(decl)
    raw = original.encode()
    assert raw.startswith(f"c1|{CID.hex}|{VID.hex}|essential+performance|c|")
    assert Payload.decode(raw) == original


def test_a_tampered_cookie_is_not_in_force(decl: CookieDeclaration) -> None:
    raw = payload(decl).encode()
    forged = raw.replace("essential+performance", "advertising+essential+performance")
    assert Payload.decode(forged) is None
    state = read_state(request_with(forged, HTTP_X_PLEDGE_COUNTRY="DE"))
    assert state.payload is None
    assert state.previous is None
    assert state.needs_choice
    assert state.granted == frozenset({"essential"})


def test_a_valid_cookie_decides_without_the_database(decl: CookieDeclaration) -> None:
    state = read_state(request_with(payload(decl).encode()))  # no django_db mark: a query would fail
    assert state.decided
    assert state.granted == frozenset({"essential", "performance"})
    assert state.consent_id == CID


def test_a_cookie_from_another_cookie_section_version_asks_again(decl: CookieDeclaration) -> None:
    raw = payload(decl).encode()
    with using_policy(with_cookie_version(decl.policy, "2099.01")):
        state = read_state(request_with(raw, HTTP_X_PLEDGE_COUNTRY="DE"))
    assert state.needs_choice
    assert state.previous is not None
    assert state.previous.consent_id == CID
    assert state.granted == frozenset({"essential"})


def test_a_cookie_past_its_expiry_asks_again(decl: CookieDeclaration) -> None:
    state = read_state(request_with(payload(decl, expires=1_000).encode(), HTTP_X_PLEDGE_COUNTRY="DE"))
    assert state.needs_choice
    assert state.previous is not None


@pytest.mark.parametrize(
    ("place", "key", "model"),
    [
        ("DE", "EU", "opt_in"),
        ("FR", "EU", "opt_in"),
        ("NO", "EEA", "opt_in"),
        ("GB", "GB", "opt_in"),
        ("CN", "CN", "opt_in"),
        ("US-CA", "US-CA", "opt_out"),
        ("US", "default", "opt_in"),  # no state known: the declaration's default
        ("", "default", "opt_in"),
    ],
)
def test_the_jurisdiction_decides_the_default_model(
    decl: CookieDeclaration, place: str, key: str, model: str
) -> None:
    assert decl.jurisdiction_for(place)[0] == key
    assert decl.model_for(place) == model


@pytest.mark.commitment("C15")
def test_defaults_grant_nothing_optional_under_opt_in_and_never_advertising(decl: CookieDeclaration) -> None:
    assert decl.defaults("opt_in", gpc=False) == frozenset({"essential"})
    assert decl.defaults("opt_out", gpc=False) == frozenset({"essential", "performance", "functionality"})
    assert decl.defaults("opt_out", gpc=True) == frozenset({"essential", "performance", "functionality"})


def test_implied_consent_in_a_place_whose_law_requires_opt_in_is_opt_in(decl: CookieDeclaration) -> None:
    rules = dict(decl.section.jurisdictions)
    rules["EU"] = rules["EU"].model_copy(update={"model": "implied"})
    changed = decl.policy.model_copy(
        update={"cookies": decl.section.model_copy(update={"jurisdictions": rules})}
    )
    with using_policy(changed) as implied:
        assert implied.model_for("DE") == "opt_in"


@pytest.mark.commitment("C20")
def test_gpc_takes_advertising_out_of_what_a_cookie_grants(decl: CookieDeclaration) -> None:
    everything = frozenset({"essential", "performance", "functionality", "advertising"})
    raw = payload(decl, granted=everything, method=Method.ACCEPT_ALL).encode()
    assert read_state(request_with(raw)).granted == everything
    assert read_state(request_with(raw, HTTP_SEC_GPC="1")).granted == everything - {"advertising"}


def test_consent_mode_signals_follow_the_categories(decl: CookieDeclaration) -> None:
    assert decl.consent_mode(frozenset({"essential"})) == {
        "ad_storage": "denied",
        "ad_user_data": "denied",
        "ad_personalization": "denied",
        "analytics_storage": "denied",
        "functionality_storage": "denied",
        "personalization_storage": "denied",
        "security_storage": "granted",
    }
    assert decl.consent_mode(frozenset({"essential", "performance", "advertising"})) == {
        "ad_storage": "granted",
        "ad_user_data": "granted",
        "ad_personalization": "granted",
        "analytics_storage": "granted",
        "functionality_storage": "denied",
        "personalization_storage": "denied",
        "security_storage": "granted",
    }


def test_the_country_header_is_honoured_only_in_debug_or_test(settings) -> None:  # type: ignore[no-untyped-def]
    request = request_with(HTTP_X_PLEDGE_COUNTRY="DE", REMOTE_ADDR="8.8.8.8")
    assert read_state(request).place == "DE"
    settings.PLEDGE_ENV, settings.DEBUG = "production", False
    assert read_state(request_with(HTTP_X_PLEDGE_COUNTRY="DE", REMOTE_ADDR="8.8.8.8")).place == "US"
    settings.PLEDGE_CONSENT_COUNTRY = "GB"
    assert read_state(request_with(HTTP_X_PLEDGE_COUNTRY="DE", REMOTE_ADDR="8.8.8.8")).place == "GB"


def test_the_ip_decides_the_country_when_nothing_overrides_it(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PLEDGE_ENV, settings.DEBUG = "production", False
    assert read_state(request_with(REMOTE_ADDR="81.2.69.142")).place == "GB"
    assert read_state(request_with(REMOTE_ADDR="127.0.0.1")).place == ""
    settings.PLEDGE_CONSENT_REGION_HEADER = "HTTP_X_REGION"
    assert read_state(request_with(REMOTE_ADDR="8.8.8.8", HTTP_X_REGION="CA")).place == "US-CA"


def test_a_record_keeps_only_the_network_and_the_browser_family() -> None:
    assert truncate_ip("203.0.113.77") == "203.0.113.0"
    assert truncate_ip("2001:db8:1234:5678::1") == "2001:db8:1234::"
    assert truncate_ip("not an address") is None
    assert user_agent_family(CHROME) == "Chrome"
    assert user_agent_family("") == ""


def test_ipv4_truncation_takes_exactly_what_the_ipaddress_module_takes() -> None:
    assert truncate_ip("0.1.2.3") == "0.1.2.0"
    assert truncate_ip("255.255.255.255") == "255.255.255.0"
    assert truncate_ip("10.1.2.3") == "10.1.2.0"
    for refused in ("256.1.1.1", "01.2.3.4", "1.2.3", "1.2.3.4.5", "1.2.3.4\n", " 1.2.3.4", ""):
        assert truncate_ip(refused) is None


def test_months_are_added_as_calendar_months() -> None:
    assert add_months(dt.datetime(2026, 1, 31, 12, tzinfo=dt.UTC), 1) == dt.datetime(
        2026, 2, 28, 12, tzinfo=dt.UTC
    )
    assert add_months(dt.datetime(2026, 8, 31, tzinfo=dt.UTC), 6) == dt.datetime(2027, 2, 28, tzinfo=dt.UTC)
    assert add_months(dt.datetime(2026, 3, 15, tzinfo=dt.UTC), 13) == dt.datetime(2027, 4, 15, tzinfo=dt.UTC)
