"""The banner, the no-JavaScript form, and what the server enforces on every response."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.test import Client

from privacy.audit.models import AuditEvent
from privacy.consent.declaration import CookieDeclaration
from privacy.consent.models import ConsentRecord
from privacy.consent.state import COOKIE_NAME
from privacy.consent.tests.conftest import cookie_payload

pytestmark = [
    pytest.mark.django_db(databases=["default", "keys"]),
    pytest.mark.urls("privacy.consent.tests.urls"),
]

Visitor = Callable[..., Client]
ANALYTICS = "http://127.0.0.1:8765"
ADS = "https://googleads.g.doubleclick.net"
SOCIAL = "https://www.facebook.com"


def dialog_tag(html: str) -> str:
    found = re.search(r"<dialog id=\"cc\"[^>]*>", html, re.S)
    assert found is not None, "the page has no consent dialog"
    return found.group(0)


def banner_open(html: str) -> bool:
    return bool(re.search(r"\sopen(\s|>)", dialog_tag(html)))


def checked_boxes(html: str) -> list[str]:
    return re.findall(r'<input type="checkbox" name="category" value="(\w+)" checked', html)


def csp_of(response) -> str:  # type: ignore[no-untyped-def]
    return str(response["Content-Security-Policy"])


def expected_csp(nonce: str, origins: str) -> str:
    extra = f" {origins}" if origins else ""
    frames = origins or "'none'"
    return (
        f"default-src 'self'; script-src 'self' 'nonce-{nonce}'{extra}; style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data:{extra}; connect-src 'self'{extra}; frame-src {frames}; "
        "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )


def nonce_of(html: str) -> str:
    found = re.search(r'<script nonce="([^"]+)">', html)
    assert found is not None
    return found.group(1)


def choose(client: Client, method: str, *categories: str, next_: str = "/") -> ConsentRecord:
    before = set(ConsentRecord.objects.values_list("id", flat=True))
    response = client.post("/consent/", {"method": method, "category": list(categories), "next": next_})
    assert response.status_code == 303, response.content
    (new,) = ConsentRecord.objects.exclude(id__in=before)
    return new


# --- The first visit -----------------------------------------------------------------------


@pytest.mark.commitment("C12", "C15")
def test_a_first_visit_shows_the_banner_with_nothing_pre_ticked(visitor: Visitor) -> None:
    response = visitor("DE").get("/")
    html = response.content.decode()
    assert banner_open(html)
    assert checked_boxes(html) == ["essential"]
    assert re.search(r'value="essential" checked disabled', html)
    # Accept all and Reject all: the same layer, the same element and class; Customise beside them.
    assert '<button type="submit" name="method" value="accept_all" class="cc-btn">Accept all</button>' in html
    assert '<button type="submit" name="method" value="reject_all" class="cc-btn">Reject all</button>' in html
    assert '<summary class="cc-btn cc-alt">Customise</summary>' in html
    for category in (
        "Essential Cookies",
        "Performance Cookies",
        "Functionality cookies",
        "Advertising Cookies",
    ):
        assert category in html
    for row in (
        "<td><code>_sa_vid</code></td><td>Analytics provider (stand-in at 127.0.0.1:8765)</td>",
        "<td>13 months</td>",
        "<td><code>IDE</code></td><td>Google (advertising partner)</td>",
        "<td><code>django_language</code></td>",
    ):
        assert row in html
    assert 'href="/consent/" data-cc-open>Cookie settings</a>' in html


@pytest.mark.commitment("C15")
def test_before_consent_nothing_optional_is_rendered_or_allowed(visitor: Visitor) -> None:
    client = visitor("DE")
    response = client.get("/")
    html = response.content.decode()
    assert ANALYTICS not in html.split("</dialog>")[1]  # the cookie table names it; nothing loads it
    assert ADS not in html
    assert SOCIAL not in html
    assert "beacon.js" not in html
    assert csp_of(response) == expected_csp(nonce_of(html), "")
    assert COOKIE_NAME not in response.cookies
    assert [name for name in response.cookies if name not in ("csrftoken",)] == []


def test_consent_mode_is_denied_by_default_before_any_tag(visitor: Visitor) -> None:
    html = visitor("DE").get("/").content.decode()
    head = html.split("</head>")[0]
    first_script = head.index("<script")
    assert head.count("<script") == 1  # the Consent Mode default is the only script in the head
    assert (
        'gtag(\'consent\',\'default\',{"ad_storage": "denied", "ad_user_data": "denied", '
        '"ad_personalization": "denied", "analytics_storage": "denied", "functionality_storage": "denied", '
        '"personalization_storage": "denied", "security_storage": "denied", "wait_for_update": 500})'
    ) in head[first_script:]


def test_the_banner_speaks_simplified_chinese(visitor: Visitor) -> None:
    html = visitor("DE", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").get("/").content.decode()
    for text in (
        "SogaWorks 的 Cookie",
        ">全部接受<",
        ">全部拒绝<",
        ">自定义<",
        "必要 Cookie",
        "广告 Cookie",
        "13个月",
    ):
        assert text in html
    assert 'lang="zh-Hans"' in dialog_tag(html)


# --- Choices over the no-JavaScript form ------------------------------------------------------


@pytest.mark.commitment("C9", "C13", "C20")
def test_accept_all_grants_every_category_and_its_origins(visitor: Visitor, decl: CookieDeclaration) -> None:
    client = visitor("DE")
    client.get("/")
    record = choose(client, "accept_all")
    assert record.method == "accept_all"
    assert record.choices == {
        "essential": True,
        "performance": True,
        "functionality": True,
        "advertising": True,
    }
    assert record.country == "DE"
    assert record.ip_truncated == "203.0.113.0"
    assert record.user_agent_family == "Chrome"
    payload = cookie_payload(client)
    assert payload is not None
    assert payload.consent_id == record.id
    assert payload.visitor_id == record.visitor_id
    response = client.get("/")
    html = response.content.decode()
    assert not banner_open(html)
    assert f'<script src="{ANALYTICS}/tag.js" async data-category="performance"></script>' in html
    assert 'src="/static/consent/beacon.js" defer data-endpoint="/api/analytics/events"' in html
    assert f'<img src="{ADS}/pixel.gif"' in html
    assert csp_of(response) == expected_csp(nonce_of(html), f"{ANALYTICS} {ADS} {SOCIAL}")
    assert '"analytics_storage": "granted"' in html.split("</head>")[0]


@pytest.mark.commitment("C13", "C15", "C16")
def test_reject_all_grants_nothing_optional(visitor: Visitor) -> None:
    client = visitor("DE")
    record = choose(client, "reject_all")
    assert record.choices == {
        "essential": True,
        "performance": False,
        "functionality": False,
        "advertising": False,
    }
    response = client.get("/")
    html = response.content.decode()
    assert not banner_open(html)
    assert ADS not in html
    assert "beacon.js" not in html
    assert f"{ANALYTICS}/tag.js" not in html
    assert csp_of(response) == expected_csp(nonce_of(html), "")


@pytest.mark.commitment("C13", "C14")
def test_customise_grants_exactly_the_ticked_categories(visitor: Visitor) -> None:
    client = visitor("DE")
    record = choose(client, "custom", "performance")
    assert record.method == "custom"
    assert record.choices == {
        "essential": True,
        "performance": True,
        "functionality": False,
        "advertising": False,
    }
    response = client.get("/")
    html = response.content.decode()
    assert f"{ANALYTICS}/tag.js" in html
    assert ADS not in html.split("</dialog>")[1]
    assert csp_of(response) == expected_csp(nonce_of(html), ANALYTICS)
    assert checked_boxes(client.get("/consent/").content.decode()) == ["essential", "performance"]


@pytest.mark.commitment("C14")
def test_functionality_cookies_are_stripped_until_granted(visitor: Visitor) -> None:
    client = visitor("DE")
    response = client.get("/test/cookies/")
    assert sorted(response.cookies) == ["undeclared"]  # django_language, _sw_pa and IDE are never sent
    choose(client, "custom", "functionality")
    response = client.get("/test/cookies/")
    assert sorted(name for name in response.cookies if response.cookies[name]["max-age"] != 0) == [
        "django_language",
        "undeclared",
    ]


@pytest.mark.commitment("C16", "C13", "C15")
def test_withdrawal_takes_one_click_and_deletes_the_cookies_on_the_next_response(visitor: Visitor) -> None:
    client = visitor("DE")
    accepted = choose(client, "accept_all")
    for name in ("_sw_pa", "_sa_vid", "IDE", "fr", "django_language", "undeclared"):
        client.cookies[name] = "x"
    settings_page = client.get("/consent/").content.decode()
    assert (
        '<button type="submit" name="method" value="withdraw" class="cc-btn cc-alt">Withdraw consent</button>'
        in (settings_page)
    )
    response = client.post("/consent/", {"method": "withdraw", "next": "/"})
    withdrawn = ConsentRecord.objects.exclude(pk=accepted.pk).get()
    assert withdrawn.method == "withdraw"
    assert withdrawn.supersedes == accepted.id
    assert withdrawn.visitor_id == accepted.visitor_id
    assert withdrawn.choices == {
        "essential": True,
        "performance": False,
        "functionality": False,
        "advertising": False,
    }
    deleted = sorted(name for name, morsel in response.cookies.items() if morsel["max-age"] == 0)
    assert deleted == ["IDE", "_sa_vid", "_sw_pa", "django_language", "fr"]
    assert response.cookies["IDE"]["expires"] == "Thu, 01 Jan 1970 00:00:00 GMT"
    assert "undeclared" not in response.cookies
    event = AuditEvent.objects.get(action="consent.withdrawn")
    assert event.details["withdrawn"] == ["advertising", "functionality", "performance"]


def test_a_bad_method_is_refused_and_nothing_is_recorded(visitor: Visitor) -> None:
    client = visitor("DE")
    response = client.post("/consent/", {"method": "accept_everything_forever"})
    assert response.status_code == 400
    assert ConsentRecord.objects.count() == 0
    assert COOKIE_NAME not in response.cookies


def test_the_form_needs_its_csrf_token(visitor: Visitor) -> None:
    client = visitor("DE", enforce_csrf_checks=True)
    response = client.post("/consent/", {"method": "accept_all"})
    assert response.status_code == 403
    assert ConsentRecord.objects.count() == 0


def test_an_answer_to_a_banner_no_longer_shown_asks_again(visitor: Visitor) -> None:
    client = visitor("DE")
    response = client.post("/consent/", {"method": "accept_all", "banner": "0" * 64})
    assert response.status_code == 303
    assert response["Location"] == "/consent/"
    assert ConsentRecord.objects.count() == 0


def test_the_next_address_must_be_on_this_site(visitor: Visitor) -> None:
    client = visitor("DE")
    response = client.post("/consent/", {"method": "reject_all", "next": "https://evil.example/"})
    assert response["Location"] == "/consent/?saved=1"
    assert "Your cookie choice has been saved." in client.get(response["Location"]).content.decode()


# --- Jurisdictions and Global Privacy Control ----------------------------------------------------


def test_opt_out_places_run_performance_and_functionality_until_the_visitor_objects(visitor: Visitor) -> None:
    client = visitor("US-CA")
    response = client.get("/")
    html = response.content.decode()
    assert banner_open(html)
    assert checked_boxes(html) == ["essential"]  # the boxes are the visitor's choice: none yet
    assert "the law allows performance and functionality cookies until you object" in html
    assert f"{ANALYTICS}/tag.js" in html
    assert ADS not in html.split("</dialog>")[1]
    assert csp_of(response) == expected_csp(nonce_of(html), ANALYTICS)
    assert ConsentRecord.objects.count() == 0


@pytest.mark.commitment("C20")
def test_gpc_shows_opt_out_honored_and_holds_advertising_off(visitor: Visitor) -> None:
    client = visitor("US-CA", gpc=True)
    html = client.get("/").content.decode()
    assert re.search(r'<p class="cc-gpc" data-cc-honored><strong>Opt-Out Request Honored</strong>', html)
    assert re.search(r'value="advertising" disabled', html)
    record = choose(client, "accept_all")
    assert record.method == "accept_all"
    assert record.choices["advertising"] is False
    assert record.signals["gpc"] is True
    assert record.signals["gpc_source"] == "header"
    response = client.get("/")
    page = response.content.decode()
    assert ADS not in csp_of(response)
    assert ADS not in page.split("</dialog>")[1]
    assert '<span class="cc-honored" data-cc-honored>Opt-Out Request Honored</span>' in page


@pytest.mark.commitment("C20", "C16")
def test_gpc_alone_takes_back_an_earlier_advertising_grant(visitor: Visitor) -> None:
    plain = visitor("DE")
    accepted = choose(plain, "accept_all")
    with_gpc = visitor("DE", gpc=True)
    with_gpc.cookies[COOKIE_NAME] = plain.cookies[COOKIE_NAME].value
    with_gpc.cookies["IDE"] = "ad"
    response = with_gpc.get("/")
    gpc_record = ConsentRecord.objects.exclude(pk=accepted.pk).get()
    assert gpc_record.method == "gpc"
    assert gpc_record.supersedes == accepted.id
    assert gpc_record.choices == {
        "essential": True,
        "performance": True,
        "functionality": True,
        "advertising": False,
    }
    assert gpc_record.signals["gpc"] is True
    assert response.cookies["IDE"]["max-age"] == 0
    payload = cookie_payload(with_gpc)
    assert payload is not None
    assert payload.consent_id == gpc_record.id
    assert AuditEvent.objects.get(action="consent.withdrawn").details["withdrawn"] == ["advertising"]
    with_gpc.get("/")
    assert ConsentRecord.objects.count() == 2  # recorded once


# --- Asking again --------------------------------------------------------------------------


@pytest.mark.commitment("C16")
def test_a_new_cookie_section_version_asks_again(visitor: Visitor, decl: CookieDeclaration) -> None:
    client = visitor("DE")
    accepted = choose(client, "accept_all")
    from privacy.consent.declaration import using_policy
    from privacy.consent.tests.conftest import with_cookie_version

    with using_policy(with_cookie_version(decl.policy, "2026.12")):
        response = client.get("/")
        html = response.content.decode()
        assert banner_open(html)
        assert checked_boxes(html) == ["essential"]
        assert csp_of(response) == expected_csp(nonce_of(html), "")
        again = choose(client, "reject_all")
    assert again.cookie_version == "2026.12"
    assert again.supersedes == accepted.id
    assert again.visitor_id == accepted.visitor_id


@pytest.mark.commitment("C16")
def test_consent_lapses_after_the_maximum_age(visitor: Visitor, clock: Callable[[dt.datetime], None]) -> None:
    t0 = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
    clock(t0)
    client = visitor("DE")
    accepted = choose(client, "accept_all")
    assert accepted.expires_at == dt.datetime(2027, 5, 24, 9, 0, tzinfo=dt.UTC)
    clock(dt.datetime(2027, 5, 24, 8, 59, tzinfo=dt.UTC))
    assert not banner_open(client.get("/").content.decode())
    clock(dt.datetime(2027, 5, 24, 9, 1, tzinfo=dt.UTC))
    response = client.get("/")
    html = response.content.decode()
    assert banner_open(html)
    assert csp_of(response) == expected_csp(nonce_of(html), "")
    lapse = ConsentRecord.objects.get(method="expired")
    assert lapse.supersedes == accepted.id
    assert lapse.visitor_id == accepted.visitor_id
    assert AuditEvent.objects.filter(action="consent.expired").count() == 1
    client.get("/")
    assert ConsentRecord.objects.filter(method="expired").count() == 1
    renewed = choose(client, "custom", "performance")
    assert renewed.supersedes == lapse.id


# --- The account's choice on other devices ------------------------------------------------------


@pytest.mark.commitment("C16")
def test_a_logged_in_choice_follows_the_account_to_another_device(visitor: Visitor, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user()
    laptop = visitor("DE")
    laptop.force_login(user)
    chosen = choose(laptop, "custom", "functionality")
    assert chosen.subject_id == user.subject_id
    phone = visitor("DE")
    phone.force_login(user)
    response = phone.get("/")
    assert not banner_open(response.content.decode())
    payload = cookie_payload(phone)
    assert payload is not None
    assert payload.consent_id == chosen.id
    assert payload.granted == frozenset({"essential", "functionality"})
    assert payload.visitor_id != chosen.visitor_id  # the phone keeps a visitor id of its own
    withdrawn = choose(phone, "withdraw")
    assert withdrawn.supersedes == chosen.id
    assert withdrawn.subject_id == user.subject_id
    assert withdrawn.visitor_id == payload.visitor_id


# --- Widgets, and the question other apps ask -------------------------------------------------


@pytest.mark.commitment("C21")
def test_a_social_widget_is_a_two_click_placeholder_until_granted(visitor: Visitor) -> None:
    client = visitor("DE")
    html = client.get("/test/widget/").content.decode()
    assert SOCIAL not in html.split("</dialog>")[1]
    assert "Meta Platforms (Facebook “Like” button) provides this Share button." in html
    assert '<button type="submit" class="cc-btn">Load Share button</button>' in html
    assert '<p id="granted">False</p>' in html
    record = choose(client, "custom", "advertising", next_="/test/widget/")
    assert record.choices["advertising"] is True
    html = client.get("/test/widget/").content.decode()
    assert f'<iframe src="{SOCIAL}/share" title="Share button"' in html
    assert '<p id="granted">True</p>' in html


@pytest.mark.commitment("C21", "C20")
def test_gpc_keeps_the_widget_off(visitor: Visitor) -> None:
    html = visitor("DE", gpc=True).get("/test/widget/").content.decode()
    assert "This Share button stays off because your browser sent a Global Privacy Control signal." in html
    assert "Load Share button" not in html


def test_consent_granted_answers_for_the_request(visitor: Visitor, rf) -> None:  # type: ignore[no-untyped-def]
    from privacy.api import consent_granted

    client = visitor("DE")
    choose(client, "custom", "performance")
    request = rf.get("/", HTTP_X_PLEDGE_COUNTRY="DE")
    request.COOKIES[COOKIE_NAME] = client.cookies[COOKIE_NAME].value
    assert consent_granted(request, "performance") is True
    assert consent_granted(request, "advertising") is False
    assert consent_granted(rf.get("/", HTTP_X_PLEDGE_COUNTRY="DE"), "performance") is False


def test_every_page_has_the_cookie_settings_link(visitor: Visitor) -> None:
    client = visitor("DE")
    for url in ("/", "/privacy/", "/cookies/", "/consent/"):
        html = client.get(url).content.decode()
        assert 'href="/consent/" data-cc-open>Cookie settings</a>' in html, url


def test_the_settings_page_shows_the_panel_inline_and_works_without_javascript(visitor: Visitor) -> None:
    client = visitor("DE")
    html = client.get("/consent/").content.decode()
    tag = dialog_tag(html)
    assert 'class="cc cc-inline"' in tag
    assert banner_open(html)
    assert html.count('<dialog id="cc"') == 1
    assert html.count('src="/static/consent/banner.js"') == 1
    assert "You have not chosen yet." in html
    assert '<details class="cc-more" open>' in html
    record = choose(client, "custom", "functionality", next_="/consent/")
    page = client.get("/consent/?saved=1").content.decode()
    assert "Your cookie choice has been saved." in page
    assert f"<code>{record.id}</code>" in page
    assert "<li>Functionality cookies: On</li>" in page
    assert "<li>Advertising Cookies: Off</li>" in page
