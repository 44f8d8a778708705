"""Children and guardians (C39, C40): a report that an account is a child's freezes it once
the officer confirms, and the daily job erases it within the declaration's days; a guardian's
access or erasure waits for the officer's decision on the proof, recorded with reasons."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from privacy.rights.models import Decision, RequestContact, Status
from privacy.rights.tests.workflow import (
    audit_events,
    body_of,
    code_in,
    latest_request,
    link_in,
    logged_in,
    steps_of,
)

pytestmark = pytest.mark.django_db(databases=["default", "keys"], transaction=True)


def report_child(identifier: str, reporter: str = "parent@example.org") -> None:
    Client().post(
        "/privacy-center/",
        {
            "right": "child_account",
            "jurisdiction": "CN",
            "requester_kind": "guardian",
            "account_identifier": identifier,
            "email": reporter,
            "details": "She is 12.",
            "purpose": "",
        },
    )


@pytest.mark.commitment("C39")
def test_a_confirmed_report_freezes_the_account_at_once_and_the_daily_job_erases_it(
    make_user, officer, smtp_server
):
    child = make_user()
    report_child(child.email)
    request = latest_request()
    assert (request.right, request.requester_kind, request.status) == (
        "child_account",
        "reporter",
        "received",
    )
    assert get_user_model().objects.get(pk=child.pk).is_active is True  # a report alone freezes nothing
    logged_in(officer).post(
        f"/privacy-center/staff/r/{request.id}/",
        {"action": "child_account", "upheld": "yes", "reasons": "School letter confirms the age."},
    )
    request.refresh_from_db()
    assert get_user_model().objects.get(pk=child.pk).is_active is False
    assert request.erase_by.date() == request.verified_at.date() + dt.timedelta(days=7)
    assert audit_events("rights.child.frozen")[0]["details"]["accounts_frozen"] == 1
    call_command("rights", "erase-children")
    request.refresh_from_db()
    assert not get_user_model().objects.filter(pk=child.pk).exists()
    assert request.status == Status.CLOSED
    assert request.close_reason == "erased"
    assert steps_of(request) == ["received", "decided", "frozen", "executed", "closed"]
    assert any("is closed" in str(m["Subject"]) for m in smtp_server.to("parent@example.org"))


def test_a_dismissed_report_changes_nothing_on_the_account(make_user, officer, smtp_server):
    adult = make_user()
    report_child(adult.username)
    request = latest_request()
    logged_in(officer).post(
        f"/privacy-center/staff/r/{request.id}/",
        {"action": "child_account", "upheld": "no", "reasons": "ID shows the holder is an adult."},
    )
    request.refresh_from_db()
    assert request.status == Status.CLOSED
    assert get_user_model().objects.get(pk=adult.pk).is_active is True


@pytest.mark.commitment("C40")
def test_a_guardian_gets_access_after_the_officer_accepts_the_proof(make_user, officer, smtp_server):
    child = make_user()
    Client().post(
        "/privacy-center/",
        {
            "right": "access",
            "jurisdiction": "CN",
            "requester_kind": "guardian",
            "account_identifier": child.email,
            "email": "mother@example.org",
            "proof_description": "Birth certificate attached",
            "purpose": "",
            "proof_file": SimpleUploadedFile("certificate.pdf", b"%PDF-1.4 certificate", "application/pdf"),
        },
    )
    request = latest_request()
    assert request.status == Status.RECEIVED
    assert request.subject_id == child.subject_id
    assert not smtp_server.to(child.email)  # nothing goes to the child's account
    contact = RequestContact.objects.get(request=request)
    assert contact.proof_file is not None
    assert contact.subject_id != child.subject_id
    staff = logged_in(officer)
    proof = staff.get(f"/privacy-center/staff/r/{request.id}/proof/")
    assert b"".join(proof.streaming_content) == b"%PDF-1.4 certificate"
    assert logged_in(child).get(f"/privacy-center/staff/r/{request.id}/proof/").status_code == 403
    staff.post(
        f"/privacy-center/staff/r/{request.id}/",
        {"action": "guardianship", "upheld": "yes", "reasons": "Certificate names the requester as mother."},
    )
    request.refresh_from_db()
    assert request.status == Status.VERIFIED
    assert request.verification == "staff"
    staff.post(f"/privacy-center/staff/r/{request.id}/", {"action": "execute"})
    request.refresh_from_db()
    assert request.status == Status.EXECUTED
    decision = Decision.objects.get(request=request)
    assert (decision.kind, decision.upheld) == ("guardianship", True)
    # The link goes to the guardian, who downloads with a code sent to the same address
    ready = [m for m in smtp_server.to("mother@example.org") if "ready" in str(m["Subject"])]
    path = link_in(ready[0])
    guardian = Client()
    guardian.post(path, {"action": "send"})
    code = code_in(smtp_server.to("mother@example.org")[-1])
    response = guardian.post(path, {"action": "code", "code": code})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"


def test_a_guardian_whose_proof_is_refused_is_told_why(make_user, officer, smtp_server):
    child = make_user()
    Client().post(
        "/privacy-center/",
        {
            "right": "erasure",
            "jurisdiction": "EU",
            "requester_kind": "guardian",
            "account_identifier": child.email,
            "email": "someone@example.org",
            "proof_description": "Trust me",
            "purpose": "",
        },
    )
    request = latest_request()
    logged_in(officer).post(
        f"/privacy-center/staff/r/{request.id}/",
        {"action": "guardianship", "upheld": "no", "reasons": "No document shows parental responsibility."},
    )
    request.refresh_from_db()
    assert request.status == Status.REJECTED
    assert get_user_model().objects.filter(pk=child.pk).exists()
    rejected = [m for m in smtp_server.to("someone@example.org") if "reference" in body_of(m)]
    assert any("No document shows parental responsibility." in body_of(m) for m in rejected)


def test_a_guardian_cannot_ask_for_portability_on_the_childs_behalf(make_user):
    child = make_user()
    response = Client().post(
        "/privacy-center/",
        {
            "right": "portability",
            "jurisdiction": "EU",
            "requester_kind": "guardian",
            "account_identifier": child.email,
            "email": "g@example.org",
            "purpose": "",
        },
    )
    assert response.status_code == 200
    assert latest_request() is None
