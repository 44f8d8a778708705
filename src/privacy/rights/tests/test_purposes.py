"""Restriction, objection, withdrawal and rectification through the Privacy Center and the
officer's pages (C30, C32, C34, C42). Stopping direct marketing needs no verification."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from privacy.processing.actions import grant_consent_for
from privacy.processing.queries import is_restricted, may_process, objected
from privacy.rights.models import Decision, Status
from privacy.rights.tests.workflow import (
    audit_events,
    code_in,
    latest_request,
    logged_in,
    raw_table_text,
    steps_of,
)

pytestmark = pytest.mark.django_db(databases=["default", "keys"], transaction=True)


def file(email: str, right: str, purpose: str = "", **extra: str) -> None:
    data = {
        "right": right,
        "jurisdiction": "EU",
        "requester_kind": "subject",
        "email": email,
        "purpose": purpose,
    }
    data.update(extra)
    Client().post("/privacy-center/", data)


def verify(email: str, smtp_server) -> object:
    request = latest_request()
    Client().post(f"/privacy-center/r/{request.id}/verify/", {"code": code_in(smtp_server.to(email)[-1])})
    request.refresh_from_db()
    return request


@pytest.mark.commitment("C34")
def test_an_objection_to_marketing_takes_effect_at_once_without_verification(make_user, smtp_server):
    customer = make_user()
    grant_consent_for(
        subject_id=customer.subject_id,
        purpose="marketing_messages",
        actor="test",
        method="account_page",
        wording="Yes",
    )
    assert may_process(customer.subject_id, "marketing_messages") is True
    file(customer.email, "objection", "marketing_messages")
    request = latest_request()
    assert request.status == Status.CLOSED
    assert request.verification == "not_needed"
    assert steps_of(request) == ["received", "verified", "executed", "closed"]
    assert objected(customer.subject_id, "marketing_messages") is True
    assert may_process(customer.subject_id, "marketing_messages") is False
    assert not any("code" in str(m["Subject"]).lower() for m in smtp_server.to(customer.email))


def test_an_objection_to_marketing_for_an_unknown_address_says_the_same_and_does_nothing(
    make_user, smtp_server
):
    file("nobody@example.net", "objection", "marketing_messages")
    request = latest_request()
    assert request.subject_id is None
    assert request.status == Status.CLOSED  # as for a known address: the status page tells nothing
    assert request.close_reason == "no account uses the address given"
    assert audit_events("rights.request.executed") == []
    subjects = [str(m["Subject"]) for m in smtp_server.to("nobody@example.net")]
    assert subjects == [
        f"We received your privacy request {request.reference}",
        f"Your privacy request {request.reference} is closed",
    ]


@pytest.mark.commitment("C34")
def test_an_objection_to_another_purpose_waits_for_the_officer_who_decides_with_reasons(
    make_user, officer, smtp_server
):
    customer = make_user()
    file(customer.email, "objection", "research")
    request = verify(customer.email, smtp_server)
    assert request.status == Status.VERIFIED  # not carried out by itself
    staff = logged_in(officer)
    staff.post(
        f"/privacy-center/staff/r/{request.id}/", {"action": "objection", "upheld": "yes", "reasons": ""}
    )
    request.refresh_from_db()
    assert request.status == Status.VERIFIED  # no reasons, no decision
    staff.post(
        f"/privacy-center/staff/r/{request.id}/",
        {
            "action": "objection",
            "upheld": "yes",
            "reasons": "No compelling grounds override it (Art. 21(1)).",
        },
    )
    request.refresh_from_db()
    assert request.status == Status.CLOSED
    assert request.close_reason == "objection upheld"
    assert objected(customer.subject_id, "research") is True
    decision = Decision.objects.get(request=request)
    assert (decision.kind, decision.upheld, decision.decided_by) == ("objection", True, f"staff:{officer.pk}")


@pytest.mark.commitment("C42")
def test_withdrawal_of_consent_is_carried_out_once_verified(make_user, smtp_server):
    customer = make_user()
    grant_consent_for(
        subject_id=customer.subject_id,
        purpose="testimonials",
        actor="test",
        method="account_page",
        wording="Yes",
    )
    file(customer.email, "withdraw_consent", "testimonials")
    request = verify(customer.email, smtp_server)
    assert request.status == Status.CLOSED
    assert request.close_reason == "consent withdrawn"
    assert may_process(customer.subject_id, "testimonials") is False
    assert "counts" in request.events.get(step="executed").details


def test_withdrawal_is_refused_for_a_purpose_that_does_not_rest_on_consent(make_user):
    customer = make_user()
    response = Client().post(
        "/privacy-center/",
        {
            "right": "withdraw_consent",
            "jurisdiction": "EU",
            "requester_kind": "subject",
            "email": customer.email,
            "purpose": "fulfil_orders",
        },
    )
    assert response.status_code == 200
    assert "does not rest on consent" in response.content.decode()
    assert latest_request() is None


@pytest.mark.commitment("C32")
def test_restriction_is_carried_out_by_the_officer(make_user, officer, smtp_server):
    customer = make_user()
    file(customer.email, "restriction")
    request = verify(customer.email, smtp_server)
    assert is_restricted(customer.subject_id) is False
    logged_in(officer).post(f"/privacy-center/staff/r/{request.id}/", {"action": "execute"})
    request.refresh_from_db()
    assert request.status == Status.CLOSED
    assert is_restricted(customer.subject_id) is True
    assert may_process(customer.subject_id, "improve_services") is False


@pytest.mark.commitment("C30")
def test_rectification_writes_the_value_sealed_and_logs_only_the_field_name(make_user, officer, smtp_server):
    customer = make_user()
    file(customer.email, "rectification", details="My username is misspelt")
    request = verify(customer.email, smtp_server)
    staff = logged_in(officer)
    page = staff.get(f"/privacy-center/staff/r/{request.id}/").content.decode()
    target = f"accounts.User|{customer.pk}|username"
    assert target in page
    staff.post(
        f"/privacy-center/staff/r/{request.id}/",
        {"action": "rectify", "target": target, "value": "correctedname"},
    )
    request.refresh_from_db()
    assert request.status == Status.CLOSED
    assert get_user_model().objects.get(pk=customer.pk).username == "correctedname"
    assert request.events.get(step="executed").details == {"fields": ["accounts.User.username"]}
    assert audit_events("rights.request.rectified")[0]["details"]["fields"] == ["accounts.User.username"]
    for table in ("accounts_user", "rights_requestevent", "audit_auditevent"):
        assert "correctedname" not in raw_table_text(table)


def test_rectification_refuses_a_field_of_another_subject(make_user, officer, smtp_server):
    customer, other = make_user(), make_user()
    file(customer.email, "rectification")
    request = verify(customer.email, smtp_server)
    logged_in(officer).post(
        f"/privacy-center/staff/r/{request.id}/",
        {"action": "rectify", "target": f"accounts.User|{other.pk}|username", "value": "hijacked"},
    )
    assert get_user_model().objects.get(pk=other.pk).username == other.username
    request.refresh_from_db()
    assert request.status == Status.VERIFIED


@pytest.mark.commitment("C34")
def test_a_signed_in_customer_stops_marketing_without_the_password(make_user, smtp_server):
    customer = make_user()
    response = logged_in(customer).post(
        "/privacy-center/", {"right": "objection", "jurisdiction": "CN", "purpose": "marketing_messages"}
    )
    request = latest_request()
    assert response.status_code == 303
    assert request.status == Status.CLOSED
    assert objected(customer.subject_id, "marketing_messages") is True
