"""Chromium journeys: the site under pytest-django's live server, and stand-in third parties
(an analytics provider and an advertising partner) on other loopback ports that record
every request they receive. The analytics stand-in binds 127.0.0.1:8765, the origin the
declaration names, when that port is free.

Each journey proves what a visitor sees and what the server records: before consent no
non-essential cookie is set and no request leaves for another origin; Accept all, Reject
all, Customise and withdrawal behave and are recorded exactly as shown; GPC is honoured;
a new cookie-section version asks again; the dialog is keyboard-operable with focus
trapped and restored, and its colours pass WCAG 2.2 AA.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest

from privacy.consent.declaration import current_declaration, using_policy
from privacy.consent.models import BannerText, ConsentRecord
from privacy.consent.tests.conftest import with_cookie_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "keys"])]

GIF = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")
OPTIONAL_COOKIES = {"_sw_pa", "_sa_vid", "IDE", "fr", "django_language", "pledge_region"}


@dataclass
class StandIn:
    """A third party on loopback: serves a tag, a pixel and a widget; sets its cookie."""

    cookie: str
    server: ThreadingHTTPServer | None = None
    paths: list[str] = field(default_factory=list)
    full: list[str] = field(default_factory=list)  # with the query string

    @property
    def origin(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self, port: int) -> None:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                stand_in.paths.append(self.path.split("?", 1)[0])
                stand_in.full.append(self.path)
                route = self.path.split("?", 1)[0]
                if route == "/tag.js":
                    body = (
                        f'(function(){{var i=new Image();i.src="{stand_in.origin}/collect?p="'
                        "+encodeURIComponent(location.pathname);document.body.appendChild(i);})();"
                    ).encode()
                    self._send(body, "application/javascript")
                elif route in ("/collect", "/pixel.gif"):
                    self._send(GIF, "image/gif", cookie=True)
                else:
                    self._send(b"<!doctype html><button>Like</button>", "text/html", cookie=True)

            def _send(self, body: bytes, kind: str, *, cookie: bool = False) -> None:
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                if cookie:
                    self.send_header(
                        "Set-Cookie", f"{stand_in.cookie}=v1; Path=/; Max-Age=3600; SameSite=Lax"
                    )
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def _free(port: int) -> bool:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@pytest.fixture
def third_parties(settings: Any) -> Iterator[tuple[StandIn, StandIn]]:
    analytics, ads = StandIn("_sa_vid"), StandIn("IDE")
    analytics.start(8765 if _free(8765) else 0)
    ads.start(0)
    settings.PLEDGE_ANALYTICS_ORIGIN = analytics.origin
    settings.PLEDGE_CONSENT_TAGS = [
        {
            "name": "page-analytics",
            "category": "performance",
            "kind": "beacon",
            "src": "/api/analytics/events",
        },
        {
            "name": "analytics",
            "category": "performance",
            "kind": "script",
            "src": f"{analytics.origin}/tag.js",
        },
        {"name": "ad-partner", "category": "advertising", "kind": "pixel", "src": f"{ads.origin}/pixel.gif"},
        {
            "name": "share",
            "category": "advertising",
            "kind": "widget",
            "src": f"{ads.origin}/share",
            "provider": "Meta Platforms",
            "title": "Share button",
        },
    ]
    try:
        yield analytics, ads
    finally:
        analytics.stop()
        ads.stop()


@dataclass
class Visit:
    """One browser context on the site: its page, and every request it made."""

    site: str
    context: Any
    page: Any
    requests: list[str] = field(default_factory=list)

    def goto(self, path: str = "/") -> None:
        self.page.goto(self.site + path)

    def foreign(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(self.site) and not url.startswith("data:")]

    def cookies(self) -> set[str]:
        return {cookie["name"] for cookie in self.context.cookies()}

    def dialog_open(self) -> bool:
        return bool(self.page.evaluate("document.getElementById('cc').open"))

    def modal(self) -> bool:
        return bool(self.page.evaluate("document.getElementById('cc').matches(':modal')"))

    def click_and_reload(self, selector: str) -> None:
        with self.page.expect_navigation():
            self.page.click(selector)


@pytest.fixture
def visit(
    chromium: Any, live_server: Any, third_parties: tuple[StandIn, StandIn]
) -> Iterator[Callable[..., Visit]]:
    # live_server listens on 127.0.0.1: the stand-ins are other origins of the same site.
    site = "http://127.0.0.1:" + str(urlsplit(live_server.url).port)
    contexts: list[Any] = []

    def open_visit(
        place: str = "DE", *, gpc: bool = False, language: str = "en", script_gpc: bool = False
    ) -> Visit:
        headers = {"X-Pledge-Country": place, "Accept-Language": language}
        if gpc:
            headers["Sec-GPC"] = "1"
        context = chromium.new_context(extra_http_headers=headers, locale=language)
        if gpc or script_gpc:
            context.add_init_script(
                "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true})"
            )
        contexts.append(context)
        page = context.new_page()
        found = Visit(site, context, page)
        page.on("request", lambda request: found.requests.append(request.url))
        return found

    yield open_visit
    for context in contexts:
        context.close()


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def only_record() -> ConsentRecord:
    return ConsentRecord.objects.order_by("-created_at", "-id").first()  # type: ignore[return-value]


# --- The journeys ------------------------------------------------------------------------------


@pytest.mark.commitment("C9", "C11", "C12", "C13", "C15")
def test_nothing_optional_before_consent_then_accept_all_is_recorded_as_shown(
    visit: Callable[..., Visit], third_parties: tuple[StandIn, StandIn]
) -> None:
    analytics, ads = third_parties
    v = visit("DE")
    v.goto("/")
    assert v.dialog_open()
    assert v.modal()
    v.page.wait_for_load_state("networkidle")
    assert v.foreign() == []
    assert analytics.paths == []
    assert ads.paths == []
    assert v.cookies() <= {"csrftoken"}
    assert v.page.evaluate("Array.from(dataLayer[0])") == [
        "consent",
        "default",
        {
            "ad_storage": "denied",
            "ad_user_data": "denied",
            "ad_personalization": "denied",
            "analytics_storage": "denied",
            "functionality_storage": "denied",
            "personalization_storage": "denied",
            "security_storage": "denied",
            "wait_for_update": 500,
        },
    ]
    assert v.page.locator("#cc input[name=category]:checked").count() == 1  # essential, locked on
    assert v.page.locator("#cc input[value=essential]").is_disabled()
    shown = v.page.get_attribute("#cc", "data-banner")
    v.page.click("#cc summary")  # Customise shows each category and cookie
    visible_text = v.page.inner_text("#cc")

    v.click_and_reload("#cc button[value=accept_all]")

    record = only_record()
    assert record.method == "accept_all"
    assert record.choices == {
        "essential": True,
        "performance": True,
        "functionality": True,
        "advertising": True,
    }
    assert record.banner_version_id == shown
    assert record.language == "en"
    assert record.user_agent_family == "HeadlessChrome"
    stored = BannerText.objects.get(pk=shown).text
    for line in ("Cookies on SogaWorks", "Accept all", "Reject all", "Customise", "_sa_vid", "13 months"):
        assert line in visible_text
        assert line in stored
    assert not v.dialog_open()
    wait_for(lambda: "/collect" in analytics.paths, "the analytics stand-in to be called")
    # What the analytics provider is sent: the page, and nothing that names the visitor (C11).
    assert [path for path in analytics.full if path.startswith("/collect")] == ["/collect?p=%2F"]
    wait_for(lambda: "/pixel.gif" in ads.paths, "the advertising stand-in to be called")
    wait_for(lambda: {"pledge_consent", "_sa_vid", "_sw_pa", "IDE"} <= v.cookies(), "the granted cookies")
    assert v.page.evaluate("dataLayer.filter(e => e[1] === 'update').pop()[2].ad_storage") == "granted"


@pytest.mark.commitment("C13", "C15", "C16")
def test_reject_all_keeps_everything_optional_off(
    visit: Callable[..., Visit], third_parties: tuple[StandIn, StandIn]
) -> None:
    analytics, ads = third_parties
    v = visit("DE")
    v.goto("/")
    v.page.click("#cc button[value=reject_all]")
    wait_for(lambda: not v.dialog_open(), "the banner to close")
    record = only_record()
    assert record.method == "reject_all"
    assert record.choices == {
        "essential": True,
        "performance": False,
        "functionality": False,
        "advertising": False,
    }
    v.goto("/cookies/")
    v.page.wait_for_load_state("networkidle")
    assert not v.dialog_open()
    assert v.foreign() == []
    assert analytics.paths == []
    assert ads.paths == []
    assert v.cookies() & OPTIONAL_COOKIES == set()
    assert "pledge_consent" in v.cookies()


@pytest.mark.commitment("C13", "C14")
def test_customise_grants_only_what_is_ticked(
    visit: Callable[..., Visit], third_parties: tuple[StandIn, StandIn]
) -> None:
    analytics, ads = third_parties
    v = visit("DE")
    v.goto("/")
    v.page.click("#cc summary")
    v.page.check("#cc input[value=performance]")
    v.click_and_reload("#cc button[value=custom]")
    record = only_record()
    assert record.method == "custom"
    assert record.choices == {
        "essential": True,
        "performance": True,
        "functionality": False,
        "advertising": False,
    }
    wait_for(lambda: "/collect" in analytics.paths, "the analytics stand-in to be called")
    v.page.wait_for_load_state("networkidle")
    assert ads.paths == []
    assert "IDE" not in v.cookies()


@pytest.mark.commitment("C16", "C13", "C15")
def test_withdrawal_from_cookie_settings_takes_one_click_and_deletes_the_cookies(
    visit: Callable[..., Visit], third_parties: tuple[StandIn, StandIn]
) -> None:
    analytics, ads = third_parties
    v = visit("DE")
    v.goto("/")
    v.click_and_reload("#cc button[value=accept_all]")
    accepted = only_record()
    wait_for(lambda: {"_sa_vid", "_sw_pa", "IDE"} <= v.cookies(), "the granted cookies")
    v.page.click("[data-cc-open]")
    assert v.modal()
    v.click_and_reload("#cc button[value=withdraw]")
    withdrawn = only_record()
    assert withdrawn.method == "withdraw"
    assert withdrawn.supersedes == accepted.id
    assert withdrawn.visitor_id == accepted.visitor_id
    assert withdrawn.choices == {
        "essential": True,
        "performance": False,
        "functionality": False,
        "advertising": False,
    }
    assert v.cookies() & OPTIONAL_COOKIES == set()
    before = (len(analytics.paths), len(ads.paths))
    v.goto("/privacy/")
    v.page.wait_for_load_state("networkidle")
    assert (len(analytics.paths), len(ads.paths)) == before
    assert v.cookies() & OPTIONAL_COOKIES == set()


@pytest.mark.commitment("C20", "C15")
def test_gpc_is_honoured_and_never_read_as_consent(
    visit: Callable[..., Visit], third_parties: tuple[StandIn, StandIn]
) -> None:
    analytics, ads = third_parties
    v = visit("US-CA", gpc=True)
    v.goto("/")
    assert v.page.is_visible("#cc .cc-gpc")
    assert v.page.inner_text("#cc .cc-gpc strong") == "Opt-Out Request Honored"
    assert v.page.locator("#cc input[value=advertising]").is_disabled()
    v.page.click("#cc button[value=accept_all]")  # nothing changes here (opt-out): no reload
    wait_for(lambda: not v.dialog_open(), "the banner to close")
    record = only_record()
    assert record.method == "accept_all"
    assert record.choices == {
        "essential": True,
        "performance": True,
        "functionality": True,
        "advertising": False,
    }
    assert record.signals["gpc"] is True
    assert record.signals["gpc_source"] == "header"
    wait_for(lambda: "/collect" in analytics.paths, "the analytics stand-in to be called")
    v.page.wait_for_load_state("networkidle")
    assert ads.paths == []
    assert "IDE" not in v.cookies()
    assert v.page.is_visible("footer [data-cc-honored]")


@pytest.mark.commitment("C20")
def test_gpc_seen_only_by_the_script_takes_back_advertising(visit: Callable[..., Visit]) -> None:
    plain = visit("DE")
    plain.goto("/")
    plain.click_and_reload("#cc button[value=accept_all]")
    accepted = only_record()
    consent_cookie = next(c for c in plain.context.cookies() if c["name"] == "pledge_consent")
    v = visit("DE", script_gpc=True)
    v.context.add_cookies([consent_cookie])
    with v.page.expect_navigation(url=re.compile(".*")):
        v.goto("/")  # the script posts the GPC opt-out, then reloads
    wait_for(lambda: only_record().method == "gpc", "the GPC record")
    record = only_record()
    assert record.supersedes == accepted.id
    assert record.choices["advertising"] is False
    assert record.signals["gpc_source"] == "script"


@pytest.mark.commitment("C16")
def test_a_new_cookie_section_version_asks_again(
    visit: Callable[..., Visit], third_parties: tuple[StandIn, StandIn]
) -> None:
    analytics, _ = third_parties
    v = visit("DE")
    v.goto("/")
    v.click_and_reload("#cc button[value=accept_all]")
    accepted = only_record()
    assert not v.dialog_open()
    decl = current_declaration()
    with using_policy(with_cookie_version(decl.policy, "2026.12")):
        v.requests.clear()
        calls = len(analytics.paths)
        v.goto("/")
        v.page.wait_for_load_state("networkidle")
        assert v.dialog_open()
        assert v.page.locator("#cc input[name=category]:checked").count() == 1
        assert v.foreign() == []
        assert len(analytics.paths) == calls
        v.page.click("#cc button[value=reject_all]")
        wait_for(lambda: not v.dialog_open(), "the banner to close")
    again = only_record()
    assert again.cookie_version == "2026.12"
    assert again.supersedes == accepted.id


def test_the_dialog_is_keyboard_operable_with_focus_trapped_and_restored(visit: Callable[..., Visit]) -> None:
    v = visit("DE")
    v.goto("/")
    page = v.page
    inside = "document.getElementById('cc').contains(document.activeElement)"
    assert page.evaluate(inside)
    for _ in range(12):  # more presses than the dialog has controls: focus stays inside
        page.keyboard.press("Tab")
        assert page.evaluate(inside)
    for _ in range(12):
        page.keyboard.press("Shift+Tab")
        assert page.evaluate(inside)
    page.keyboard.press("Escape")
    assert v.dialog_open()  # a first visit needs an answer
    page.focus("#cc button[value=reject_all]")
    page.keyboard.press("Enter")
    wait_for(lambda: not v.dialog_open(), "the banner to close")
    assert only_record().method == "reject_all"
    page.focus("[data-cc-open]")
    page.keyboard.press("Enter")
    assert v.modal()
    assert page.evaluate(inside)
    page.keyboard.press("Escape")
    assert not v.dialog_open()
    assert page.evaluate("document.activeElement.hasAttribute('data-cc-open')")


def _luminance(colour: str) -> float:
    red, green, blue = (int(part) / 255 for part in re.findall(r"[\d.]+", colour)[:3])

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def _contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_banner_meets_wcag_aa_contrast(visit: Callable[..., Visit]) -> None:
    v = visit("DE", gpc=True)
    v.goto("/")
    v.page.click("#cc summary")
    pairs = v.page.evaluate(
        """() => Array.from(document.querySelectorAll(
            '#cc h2, #cc p, #cc strong, #cc label, #cc .cc-btn, #cc th, #cc td, #cc code, #cc .cc-tag'
          )).filter(e => e.checkVisibility()).map(e => {
          let bg = 'rgba(0, 0, 0, 0)', n = e;
          while (n && /rgba\\(.*, 0\\)|transparent/.test(bg)) {
            bg = getComputedStyle(n).backgroundColor;
            n = n.parentElement;
          }
          const s = getComputedStyle(e);
          return [e.tagName + '.' + e.className, s.color, bg, parseFloat(s.fontSize), parseInt(s.fontWeight)];
        })"""
    )
    assert len(pairs) > 20
    for name, colour, background, size, weight in pairs:
        large = size >= 24 or (size >= 18.66 and weight >= 700)
        assert _contrast(colour, background) >= (3.0 if large else 4.5), (name, colour, background)
    v.page.focus("#cc button[value=reject_all]")
    v.page.keyboard.press("Tab")
    v.page.keyboard.press("Shift+Tab")
    ring = v.page.evaluate("getComputedStyle(document.activeElement).outlineColor")
    assert _contrast(ring, "rgb(255, 255, 255)") >= 3.0


def test_the_banner_speaks_simplified_chinese(visit: Callable[..., Visit]) -> None:
    v = visit("CN", language="zh-CN")
    v.goto("/")
    assert v.page.inner_text("#cc h2") == "SogaWorks 的 Cookie"
    assert v.page.inner_text("#cc button[value=accept_all]") == "全部接受"
    assert v.page.inner_text("#cc button[value=reject_all]") == "全部拒绝"
    v.click_and_reload("#cc button[value=accept_all]")
    assert only_record().language == "zh"
