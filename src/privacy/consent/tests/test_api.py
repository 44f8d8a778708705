"""The JSON API: the current choice, recording one, histories (and who may read them), the
report, and the analytics beacon that drops events without performance consent."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from privacy.consent.models import AnalyticsCount, ConsentRecord
from privacy.consent.state import COOKIE_NAME
from privacy.consent.tests.conftest import cookie_payload

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

Visitor = Callable[..., Client]


def post_choice(client: Client, body: dict[str, Any], **headers: str) -> Any:
    return client.post("/api/consent/", json.dumps(body), content_type="application/json", **headers)


def test_the_current_choice_before_and_after_recording(visitor: Visitor) -> None:
    client = visitor("DE")
    before = client.get("/api/consent/").json()
    assert before["decided"] is False
    assert before["consent_id"] is None
    assert before["model"] == "opt_in"
    assert before["categories"] == {
        "essential": True,
        "performance": False,
        "functionality": False,
        "advertising": False,
    }
    assert before["consent_mode"]["analytics_storage"] == "denied"
    response = post_choice(
        client, {"method": "custom", "categories": ["performance"], "banner": before["banner_version"]}
    )
    assert response.status_code == 201
    body = response.json()
    record = ConsentRecord.objects.get()
    assert body["consent_id"] == str(record.id)
    assert body["decided"] is True
    assert body["method"] == "custom"
    assert body["changed"] is True
    assert body["categories"] == {
        "essential": True,
        "performance": True,
        "functionality": False,
        "advertising": False,
    }
    assert body["consent_mode"]["analytics_storage"] == "granted"
    assert body["cookie_version"] == "2023.09"
    assert record.banner_version_id == before["banner_version"]
    payload = cookie_payload(client)
    assert payload is not None
    assert payload.consent_id == record.id
    assert client.get("/api/consent/").json()["consent_id"] == str(record.id)


def test_recording_over_the_api_needs_the_csrf_token(visitor: Visitor) -> None:
    client = visitor("DE", enforce_csrf_checks=True)
    refused = post_choice(client, {"method": "accept_all"})
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": "CSRF check failed: send the csrftoken cookie's value in X-CSRFToken."
    }
    assert ConsentRecord.objects.count() == 0
    assert COOKIE_NAME not in refused.cookies
    client.get("/")  # the banner sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = post_choice(client, {"method": "accept_all"}, HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 201
    assert ConsentRecord.objects.count() == 1


def test_an_unknown_category_or_an_old_banner_records_nothing(visitor: Visitor) -> None:
    client = visitor("DE")
    unknown = post_choice(client, {"method": "custom", "categories": ["tracking"]})
    assert unknown.status_code == 400
    assert unknown.json() == {"detail": "Unknown cookie categories: tracking"}
    old = post_choice(client, {"method": "accept_all", "banner": "f" * 64})
    assert old.status_code == 409
    invalid = post_choice(client, {"method": "accept_everything"})
    assert invalid.status_code == 422
    assert ConsentRecord.objects.count() == 0


@pytest.mark.commitment("C20")
def test_gpc_seen_only_by_the_page_script_is_recorded_as_its_source(visitor: Visitor) -> None:
    client = visitor("DE")
    post_choice(client, {"method": "accept_all"})
    taken_back = post_choice(client, {"method": "gpc", "gpc": True})
    assert taken_back.status_code == 201
    record = ConsentRecord.objects.get(method="gpc")
    assert record.choices == {
        "essential": True,
        "performance": True,
        "functionality": True,
        "advertising": False,
    }
    assert record.signals["gpc"] is True
    assert record.signals["gpc_source"] == "script"
    nothing_left = post_choice(client, {"method": "gpc", "gpc": True})
    assert nothing_left.status_code == 400
    assert ConsentRecord.objects.count() == 2


# --- Histories --------------------------------------------------------------------------------


def test_my_history_is_mine(visitor: Visitor, make_user: Callable[..., Any]) -> None:
    owner = make_user()
    client = visitor("DE")
    client.force_login(owner)
    post_choice(client, {"method": "accept_all"})
    post_choice(client, {"method": "withdraw"})
    first, second = ConsentRecord.objects.order_by("created_at", "id")
    history = client.get("/api/consent/history").json()
    assert [entry["method"] for entry in history] == ["accept_all", "withdraw"]
    assert history[1]["consent_id"] == str(second.id)
    assert history[1]["supersedes"] == str(first.id)
    assert history[1]["ip_truncated"] == "203.0.113.0"
    assert history[1]["user_agent_family"] == "Chrome"
    assert history[1]["country"] == "DE"
    assert history[1]["language"] == "en"
    same = client.get(f"/api/consent/subjects/{owner.subject_id}/history").json()
    assert same == history


def test_histories_are_refused_to_others_and_leak_nothing(
    visitor: Visitor, make_user: Callable[..., Any]
) -> None:
    owner, stranger = make_user(), make_user()
    client = visitor("DE")
    client.force_login(owner)
    post_choice(client, {"method": "accept_all"})
    anonymous = visitor("DE")
    assert anonymous.get("/api/consent/history").status_code == 401
    denied = anonymous.get(f"/api/consent/subjects/{owner.subject_id}/history")
    assert denied.status_code == 401
    assert denied.json() == {"detail": "Log in to read a consent history."}
    nosy = visitor("DE")
    nosy.force_login(stranger)
    for subject in (owner.subject_id, uuid.uuid4()):  # existing or not: the same answer
        refused = nosy.get(f"/api/consent/subjects/{subject}/history")
        assert refused.status_code == 403
        assert refused.json() == {"detail": "You may read only your own consent history."}
    assert nosy.get("/api/consent/history").json() == []


def test_the_privacy_officer_reads_any_history(visitor: Visitor, make_user: Callable[..., Any]) -> None:
    owner, officer = make_user(), make_user(officer=True)
    client = visitor("DE")
    client.force_login(owner)
    post_choice(client, {"method": "reject_all"})
    reader = visitor("DE")
    reader.force_login(officer)
    history = reader.get(f"/api/consent/subjects/{owner.subject_id}/history").json()
    assert [entry["method"] for entry in history] == ["reject_all"]
    assert reader.get(f"/api/consent/subjects/{uuid.uuid4()}/history").status_code == 404


# --- The report and the beacon ----------------------------------------------------------------


def test_the_report_is_the_privacy_officers(visitor: Visitor, make_user: Callable[..., Any]) -> None:
    for method, categories in (("accept_all", []), ("reject_all", []), ("custom", ["performance"])):
        post_choice(visitor("DE"), {"method": method, "categories": categories})
    assert visitor("DE").get("/api/consent/report").status_code == 401
    customer = visitor("DE")
    customer.force_login(make_user())
    assert customer.get("/api/consent/report").json() == {
        "detail": "The consent report is for the privacy officer."
    }
    officer = visitor("DE")
    officer.force_login(make_user(officer=True))
    report = officer.get("/api/consent/report?days=2").json()
    today = dt.datetime.now(dt.UTC).date()
    assert report["since"] == (today - dt.timedelta(days=1)).isoformat()
    assert report["days"][0] == {
        "day": (today - dt.timedelta(days=1)).isoformat(),
        "records": 0,
        "choices": 0,
        "by_method": {},
        "granted_rate": {"performance": 0.0, "functionality": 0.0, "advertising": 0.0},
    }
    assert report["days"][1] == {
        "day": today.isoformat(),
        "records": 3,
        "choices": 3,
        "by_method": {"accept_all": 1, "custom": 1, "reject_all": 1},
        "granted_rate": {"performance": 0.6667, "functionality": 0.3333, "advertising": 0.3333},
    }


@pytest.mark.commitment("C11", "C13")
def test_analytics_events_without_performance_consent_are_dropped(visitor: Visitor) -> None:
    client = visitor("DE")
    event = {
        "path": "/orders/01a20f41-0a79-7521-a83a-31a0825e4d34/?email=someone@example.com",
        "new_visit": True,
    }
    dropped = client.post("/api/analytics/events", json.dumps(event), content_type="application/json")
    assert dropped.status_code == 200
    assert dropped.json() == {"recorded": False}
    assert AnalyticsCount.objects.count() == 0
    post_choice(client, {"method": "custom", "categories": ["performance"]})
    counted = client.post("/api/analytics/events", json.dumps(event), content_type="application/json")
    assert counted.status_code == 202
    assert sorted(AnalyticsCount.objects.values_list("kind", "key", "count")) == [
        ("page_view", "/orders/:id/", 1),
        ("visit", "site", 1),
    ]
    post_choice(client, {"method": "withdraw"})
    again = client.post("/api/analytics/events", json.dumps(event), content_type="application/json")
    assert again.json() == {"recorded": False}
    assert AnalyticsCount.objects.get(kind="page_view").count == 1
