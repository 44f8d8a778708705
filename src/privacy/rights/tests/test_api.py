"""The rights JSON API: the same flows as the pages (C29, C31, C35)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from privacy.rights.models import RightsRequest, Status
from privacy.rights.tests.workflow import (
    PASSWORD,
    code_in,
    logged_in,
    steps_of,
)

pytestmark = pytest.mark.django_db(databases=["default", "keys"], transaction=True)
JSON = "application/json"


@pytest.mark.commitment("C31")
def test_erasure_through_the_api_with_the_code(make_user, smtp_server):
    customer = make_user()
    subject = customer.subject_id
    response = Client().post(
        "/api/rights/requests", {"right": "erasure", "jurisdiction": "US-CA", "email": customer.email}, JSON
    )
    body = response.json()
    assert response.status_code == 201
    assert (body["status"], body["verification_needed"], body["jurisdiction"]) == ("verifying", True, "US-CA")
    assert "If an account uses the address given" in body["message"]
    code = code_in(smtp_server.to(customer.email)[-1])
    wrong = Client().post(f"/api/rights/requests/{body['id']}/verify", {"code": "x"}, JSON)
    assert (wrong.status_code, wrong.json()["code"]) == (400, "wrong")
    verified = Client().post(f"/api/rights/requests/{body['id']}/verify", {"code": code}, JSON)
    assert verified.status_code == 200
    assert verified.json()["status"] == "closed"
    assert not get_user_model().objects.filter(subject_id=subject).exists()
    replay = Client().post(f"/api/rights/requests/{body['id']}/verify", {"code": code}, JSON)
    assert replay.status_code == 400


def test_an_unknown_address_gets_the_same_api_answer(make_user, smtp_server):
    known = make_user()
    a = Client().post(
        "/api/rights/requests", {"right": "access", "jurisdiction": "DE", "email": known.email}, JSON
    )
    b = Client().post(
        "/api/rights/requests", {"right": "access", "jurisdiction": "DE", "email": "x@example.net"}, JSON
    )

    def shown(body: dict[str, object]) -> dict[str, object]:
        return {k: v for k, v in body.items() if k not in ("id", "reference", "received_at")}

    assert shown(a.json()) == shown(b.json())


def test_a_signed_in_customer_must_confirm_the_password_and_send_the_csrf_token(make_user, smtp_server):
    customer = make_user()
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)
    refused = client.post(
        "/api/rights/requests", {"right": "restriction", "jurisdiction": "DE", "password": PASSWORD}, JSON
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf"
    client = logged_in(customer)
    wrong = client.post(
        "/api/rights/requests", {"right": "restriction", "jurisdiction": "DE", "password": "no"}, JSON
    )
    assert wrong.status_code == 403
    assert wrong.json()["code"] == "password"
    assert RightsRequest.objects.count() == 0
    ok = client.post(
        "/api/rights/requests", {"right": "restriction", "jurisdiction": "DE", "password": PASSWORD}, JSON
    )
    assert ok.status_code == 201
    assert ok.json()["status"] == "verified"


@pytest.mark.commitment("C32")
def test_the_officer_executes_and_extends_through_the_api(make_user, officer, smtp_server):
    customer = make_user()
    client = logged_in(customer)
    filed = client.post(
        "/api/rights/requests", {"right": "restriction", "jurisdiction": "DE", "password": PASSWORD}, JSON
    )
    pk = filed.json()["id"]
    staff = logged_in(officer)
    extended = staff.post(f"/api/rights/requests/{pk}/extend", {"reason": "Several systems"}, JSON)
    assert extended.status_code == 200
    assert extended.json()["extended_due_on"] is not None
    again = staff.post(f"/api/rights/requests/{pk}/extend", {"reason": "More"}, JSON)
    assert (again.status_code, again.json()["code"]) == (400, "already_extended")
    done = staff.post(f"/api/rights/requests/{pk}/execute", content_type=JSON)
    assert done.status_code == 200
    assert done.json()["status"] == Status.CLOSED
    assert steps_of(RightsRequest.objects.get(pk=pk)) == [
        "received",
        "verified",
        "extended",
        "executed",
        "closed",
    ]
    assert client.post(f"/api/rights/requests/{pk}/execute", content_type=JSON).status_code == 403
    assert Client().post(f"/api/rights/requests/{pk}/execute", content_type=JSON).status_code == 401


def test_an_unknown_right_or_place_is_refused(make_user):
    bad = Client().post(
        "/api/rights/requests", {"right": "everything", "jurisdiction": "DE", "email": "a@b.c"}, JSON
    )
    assert (bad.status_code, bad.json()["code"]) == (400, "unknown_right")
    assert RightsRequest.objects.count() == 0


def test_the_rights_api_surface_is_pinned():
    schema = Client().get("/api/openapi.json").json()
    paths = sorted(path for path in schema["paths"] if path.startswith("/api/rights/"))
    assert paths == [
        "/api/rights/queue",
        "/api/rights/requests",
        "/api/rights/requests/{pk}",
        "/api/rights/requests/{pk}/decide",
        "/api/rights/requests/{pk}/execute",
        "/api/rights/requests/{pk}/extend",
        "/api/rights/requests/{pk}/reject",
        "/api/rights/requests/{pk}/resend",
        "/api/rights/requests/{pk}/verify",
    ]
