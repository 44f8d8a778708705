"""The privacy officer's side: the queue by due day with its flags, extensions (once, with
reasons, told to the requester; none in China), requests logged from e-mail or post, the
printable history, the daily reminders and closing what was never verified (C35, C45)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from privacy.rights.actions import RightsError, extend_deadline, file_request
from privacy.rights.deadlines import plan_for
from privacy.rights.models import RightsRequest, Status, VerificationCode
from privacy.rights.tests.workflow import (
    audit_events,
    body_of,
    latest_request,
    logged_in,
    steps_of,
)

pytestmark = pytest.mark.django_db(databases=["default", "keys"], transaction=True)

STAFF_PAGES = ("/privacy-center/staff/", "/privacy-center/staff/new/")


def filed(
    email: str, *, jurisdiction: str = "DE", days_ago: int = 0, right: str = "restriction"
) -> RightsRequest:
    received = timezone.now() - dt.timedelta(days=days_ago)
    return file_request(right=right, jurisdiction=jurisdiction, email=email, received_at=received).request


def test_customers_and_visitors_cannot_open_the_staff_pages(make_user):
    customer = make_user()
    request = filed(customer.email)
    for path in (
        *STAFF_PAGES,
        f"/privacy-center/staff/r/{request.id}/",
        f"/privacy-center/staff/r/{request.id}/history/",
    ):
        assert logged_in(customer).get(path).status_code == 403
        assert Client().get(path).status_code == 302  # to the log-in page
    before = steps_of(request)
    assert (
        logged_in(customer).post(f"/privacy-center/staff/r/{request.id}/", {"action": "execute"}).status_code
        == 403
    )
    assert steps_of(request) == before
    assert logged_in(customer).get("/api/rights/queue").status_code == 403


@pytest.mark.commitment("C35")
def test_the_queue_sorts_by_due_day_and_flags_at_risk_and_overdue(make_user, officer):
    customer = make_user()
    fresh = filed(customer.email, days_ago=0)
    at_risk = filed(customer.email, days_ago=26)
    overdue = filed(customer.email, days_ago=40)
    page = logged_in(officer).get("/privacy-center/staff/").content.decode()
    order = [page.index(r.reference) for r in (overdue, at_risk, fresh)]
    assert order == sorted(order)
    rows = {row["reference"]: row for row in logged_in(officer).get("/api/rights/queue").json()}
    assert [rows[r.reference]["flag"] for r in (overdue, at_risk, fresh)] == ["overdue", "at_risk", ""]
    assert rows[fresh.reference]["due_on"] == fresh.due_on.isoformat()


@pytest.mark.commitment("C35")
def test_an_extension_needs_a_reason_is_allowed_once_and_the_requester_is_told(
    make_user, officer, smtp_server
):
    customer = make_user()
    request = filed(customer.email, jurisdiction="DE")
    staff = logged_in(officer)
    staff.post(f"/privacy-center/staff/r/{request.id}/", {"action": "extend", "reason": ""})
    request.refresh_from_db()
    assert request.extended_due_on is None
    staff.post(
        f"/privacy-center/staff/r/{request.id}/",
        {"action": "extend", "reason": "The request covers ten years of orders across three systems."},
    )
    request.refresh_from_db()
    assert request.extended_due_on == plan_for("DE", request.received_at.date()).extension_until
    assert request.status == Status.VERIFYING  # an extension changes the day, not the state
    told = [m for m in smtp_server.to(customer.email) if "more time" in str(m["Subject"])]
    assert len(told) == 1
    assert "ten years of orders" in body_of(told[0])
    assert (
        audit_events("rights.request.extended")[0]["details"]["due_on"] == request.extended_due_on.isoformat()
    )
    with pytest.raises(RightsError, match="once"):
        extend_deadline(request=request, reason="Again", actor="staff:x")


def test_an_extension_is_exactly_the_rules_maximum(make_user):
    customer = make_user()
    received = dt.datetime(2026, 1, 31, 9, tzinfo=dt.UTC)
    request = file_request(
        right="restriction", jurisdiction="DE", email=customer.email, received_at=received
    ).request
    assert request.due_on == dt.date(2026, 2, 28)
    assert extend_deadline(
        request=request, reason="Complex", actor="staff:x", today=dt.date(2026, 2, 20)
    ) == dt.date(2026, 4, 30)


def test_no_extension_after_the_due_day_or_where_the_rule_has_none(make_user):
    customer = make_user()
    received = dt.datetime(2026, 1, 15, 9, tzinfo=dt.UTC)
    late = file_request(
        right="restriction", jurisdiction="US-CA", email=customer.email, received_at=received
    ).request
    with pytest.raises(RightsError, match="announced by 2026-02-15"):
        extend_deadline(request=late, reason="Complex", actor="staff:x", today=dt.date(2026, 2, 16))
    china = file_request(right="restriction", jurisdiction="CN", email=customer.email).request
    with pytest.raises(RightsError, match="allows no extension"):
        extend_deadline(request=china, reason="Complex", actor="staff:x")
    assert RightsRequest.objects.filter(extended_due_on__isnull=False).count() == 0


def test_the_officer_logs_a_letter_and_the_deadline_runs_from_its_receipt(make_user, officer, smtp_server):
    customer = make_user()
    response = logged_in(officer).post(
        "/privacy-center/staff/new/",
        {
            "right": "access",
            "jurisdiction": "EU",
            "requester_kind": "subject",
            "email": customer.email,
            "purpose": "",
            "channel": "post",
            "received_on": "2026-01-31",
        },
    )
    request = latest_request()
    assert response.status_code == 303
    assert (request.channel, request.due_on, request.status) == (
        "post",
        dt.date(2026, 2, 28),
        Status.VERIFYING,
    )
    assert request.events.get(step="received").actor == f"staff:{officer.pk}"
    assert any("code" in str(m["Subject"]).lower() for m in smtp_server.to(customer.email))


@pytest.mark.commitment("C45")
def test_the_printable_history_lists_every_step_with_its_grounds(make_user, officer, smtp_server):
    customer = make_user()
    request = filed(customer.email)
    extend_deadline(request=request, reason="Archive retrieval", actor=f"staff:{officer.pk}")
    page = logged_in(officer).get(f"/privacy-center/staff/r/{request.id}/history/")
    text = page.content.decode()
    assert page.status_code == 200
    assert request.reference in text
    assert "received" in text
    assert "extended" in text
    assert "Archive retrieval" in text
    assert "@media print" in text
    assert customer.email not in text  # the history names no one


def test_the_daily_job_reminds_officers_of_requests_at_risk(make_user, officer, smtp_server):
    customer = make_user()
    at_risk = filed(customer.email, days_ago=27)
    filed(customer.email, days_ago=0)
    call_command("rights", "remind")
    mails = smtp_server.to(officer.email)
    assert len(mails) == 1
    assert str(mails[0]["Subject"]) == "Privacy requests due soon or overdue"
    body = body_of(mails[0])
    assert at_risk.reference in body
    assert customer.email not in body
    at_risk.refresh_from_db()
    assert at_risk.reminded_on == timezone.now().date()


def test_a_request_never_verified_is_closed_after_a_month_with_a_reason(make_user, smtp_server):
    customer = make_user()
    old = file_request(
        right="access",
        jurisdiction="DE",
        email=customer.email,
        received_at=timezone.now() - dt.timedelta(days=40),
    ).request
    recent = file_request(right="access", jurisdiction="DE", email=customer.email).request
    call_command("rights", "close-unverified")
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.status == Status.CLOSED_UNVERIFIED
    assert old.close_reason == "identity not verified within 1 month"
    assert recent.status == Status.VERIFYING
    assert not VerificationCode.objects.filter(request=old, expires_at__gt=timezone.now()).exists()
    assert audit_events("rights.request.closed_unverified")[0]["object"] == f"rights.request:{old.reference}"


def test_the_daily_task_runs_every_job(make_user, officer, smtp_server):
    from privacy.rights.tasks import run_daily

    customer = make_user()
    filed(customer.email, days_ago=40)
    filed(customer.email, days_ago=27)
    result = run_daily.enqueue()
    assert result.return_value == {
        "reminded": 1,
        "officers": 1,
        "closed_unverified": 1,
        "children_erased": 0,
        "packages_expired": 0,
    }
