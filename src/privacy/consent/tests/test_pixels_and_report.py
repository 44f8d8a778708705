"""E-mail open pixels only with the recipient's consent; the privacy officer's chart; the
banner's weight on the wire."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from privacy.api import email_open_pixel
from privacy.consent.models import AnalyticsCount

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

Visitor = Callable[..., Client]
STATIC = Path(__file__).resolve().parents[1] / "static" / "consent"


def choose_logged_in(visitor: Visitor, user: Any, method: str, *categories: str) -> Client:
    client = visitor("DE")
    client.force_login(user)
    body = json.dumps({"method": method, "categories": list(categories)})
    assert client.post("/api/consent/", body, content_type="application/json").status_code == 201
    return client


@pytest.mark.commitment("C10")
def test_an_open_pixel_only_for_a_recipient_who_granted_performance(
    visitor: Visitor, make_user: Callable[..., Any]
) -> None:
    never_chose, declined, agreed = make_user(), make_user(), make_user()
    choose_logged_in(visitor, declined, "custom", "functionality")
    client = choose_logged_in(visitor, agreed, "custom", "performance")
    assert email_open_pixel(subject_id=never_chose.subject_id, campaign="november") == ""
    assert email_open_pixel(subject_id=declined.subject_id, campaign="november") == ""
    tag = email_open_pixel(
        subject_id=agreed.subject_id, campaign="november", base_url="https://sogaworks.com"
    )
    found = re.fullmatch(
        r'<img src="https://sogaworks\.com(/consent/open/[^"]+\.gif)" alt="" width="1" height="1" '
        r'style="display:none">',
        tag,
    )
    assert found is not None
    opened = visitor("DE").get(found.group(1))
    assert opened.status_code == 200
    assert opened["Content-Type"] == "image/gif"
    assert opened["Cache-Control"] == "no-store"
    assert list(AnalyticsCount.objects.values_list("kind", "key", "count")) == [("email_open", "november", 1)]
    # Withdrawn before the e-mail is opened: the open is not counted.
    body = json.dumps({"method": "withdraw"})
    client.post("/api/consent/", body, content_type="application/json")
    visitor("DE").get(found.group(1))
    assert AnalyticsCount.objects.get().count == 1


def test_a_forged_pixel_counts_nothing(visitor: Visitor) -> None:
    response = visitor("DE").get("/consent/open/not-a-token.gif")
    assert response.status_code == 200
    assert AnalyticsCount.objects.count() == 0


def test_the_consent_chart_is_the_privacy_officers(visitor: Visitor, make_user: Callable[..., Any]) -> None:
    for method in ("accept_all", "reject_all", "reject_all"):
        body = json.dumps({"method": method})
        visitor("DE").post("/api/consent/", body, content_type="application/json")
    anonymous = visitor("DE").get("/consent/report/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/account/login/")
    customer = visitor("DE")
    customer.force_login(make_user())
    assert customer.get("/consent/report/").status_code == 403
    officer = visitor("DE")
    officer.force_login(make_user(officer=True))
    html = officer.get("/consent/report/?days=7").content.decode()
    assert html.count("<svg") == 2
    assert 'aria-label="Share of choices granting each category"' in html
    assert re.search(r'<polyline [^>]*data-category="advertising"', html)
    assert re.search(
        r'<rect [^>]*data-method="reject_all"><title>\d{4}-\d\d-\d\d reject_all: 2</title>', html
    )
    assert "<td>33%</td>" in html  # advertising: one choice of three


def test_the_banner_script_and_style_weigh_at_most_8_kb_gzipped() -> None:
    payload = (STATIC / "banner.js").read_bytes() + (STATIC / "banner.css").read_bytes()
    size = len(gzip.compress(payload, compresslevel=9))
    assert size <= 8 * 1024, f"banner.js + banner.css = {size} bytes gzipped"
