"""Access, portability and erasure end to end through the Privacy Center: the package is
delivered by a signed link that expires and works once, only to its owner; an erasure
answers with what the law keeps (C29, C31, C33, C45)."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from privacy.rights.models import Delivery, RequestContact, Status
from privacy.rights.tests.workflow import (
    PASSWORD,
    audit_events,
    body_of,
    code_in,
    latest_request,
    link_in,
    logged_in,
    raw_table_text,
    steps_of,
)

pytestmark = pytest.mark.django_db(databases=["default", "keys"], transaction=True)


def request_by_code(email: str, right: str, smtp_server) -> object:
    Client().post(
        "/privacy-center/",
        {"right": right, "jurisdiction": "EU", "requester_kind": "subject", "email": email, "purpose": ""},
    )
    request = latest_request()
    code = code_in(smtp_server.to(email)[-1])
    Client().post(f"/privacy-center/r/{request.id}/verify/", {"code": code})
    request.refresh_from_db()
    return request


def zip_names(response) -> list[str]:
    data = b"".join(response.streaming_content)
    return sorted(zipfile.ZipFile(io.BytesIO(data)).namelist())


@pytest.mark.commitment("C29")
@pytest.mark.commitment("C45")
def test_access_by_code_is_executed_at_once_and_downloaded_once_by_the_signed_in_owner(
    make_user, smtp_server
):
    # Given a customer who asks for their data and enters the code
    customer = make_user()
    request = request_by_code(customer.email, "access", smtp_server)
    # Then the package was built and a link e-mailed; the steps are in the log and the trail
    assert request.status == Status.EXECUTED
    assert steps_of(request) == ["received", "verified", "executed"]
    executed = audit_events("rights.request.executed")
    assert len(executed) == 1
    assert executed[0]["details"]["counts"]["accounts.User"] == 1
    mail = [m for m in smtp_server.to(customer.email) if "ready" in str(m["Subject"])]
    assert len(mail) == 1
    path = link_in(mail[0])
    # When the owner, signed in, opens the link and downloads
    owner = logged_in(customer)
    page = owner.get(path)
    assert page.status_code == 200
    assert "Download (zip)" in page.content.decode()
    response = owner.post(path, {"action": "download"})
    # Then they get the zip with the report and the data, and the request is delivered and closed
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    names = zip_names(response)
    assert "report.html" in names
    assert "data.json" in names
    request.refresh_from_db()
    assert request.status == Status.CLOSED
    assert steps_of(request) == ["received", "verified", "executed", "delivered", "closed"]
    # And the link works once: the package is gone
    assert owner.get(path).status_code == 404
    assert owner.post(path, {"action": "download"}).status_code == 404
    assert Delivery.objects.get(request=request).package is None
    # And the requester had an e-mail at each step, on the real SMTP server
    ref = request.reference
    assert [str(m["Subject"]) for m in smtp_server.to(customer.email)] == [
        f"We received your privacy request {ref}",
        f"Your SogaWorks code for request {ref}",
        f"Your privacy request {ref} is confirmed",
        f"Your data is ready: privacy request {ref}",
        f"Your privacy request {ref} is closed",
    ]


def test_another_customers_link_is_a_404_and_spends_nothing(make_user, smtp_server):
    customer, other = make_user(), make_user()
    request_by_code(customer.email, "access", smtp_server)
    path = link_in(next(m for m in smtp_server.to(customer.email) if "ready" in str(m["Subject"])))
    intruder = logged_in(other)
    assert intruder.get(path).status_code == 404
    assert intruder.post(path, {"action": "download"}).status_code == 404
    delivery = Delivery.objects.get()
    assert delivery.downloaded_at is None
    assert delivery.package is not None


def test_an_expired_link_and_a_forged_link_are_404(make_user, smtp_server):
    customer = make_user()
    request_by_code(customer.email, "access", smtp_server)
    path = link_in(next(m for m in smtp_server.to(customer.email) if "ready" in str(m["Subject"])))
    owner = logged_in(customer)
    assert owner.get(path[:-3] + "xx/").status_code == 404  # the signature no longer holds
    Delivery.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert owner.get(path).status_code == 404
    assert owner.post(path, {"action": "download"}).status_code == 404


def test_a_visitor_downloads_with_a_fresh_code_sent_to_the_account(make_user, smtp_server):
    customer = make_user()
    request_by_code(customer.email, "portability", smtp_server)
    path = link_in(next(m for m in smtp_server.to(customer.email) if "ready" in str(m["Subject"])))
    visitor = Client()
    assert (
        visitor.post(path, {"action": "download"}).status_code == 200
    )  # no download without sign-in or code
    assert Delivery.objects.get().downloaded_at is None
    visitor.post(path, {"action": "send"})
    code = code_in(smtp_server.to(customer.email)[-1])
    wrong = visitor.post(path, {"action": "code", "code": "000000" if code != "000000" else "111111"})
    assert "That code is not right." in wrong.content.decode()
    response = visitor.post(path, {"action": "code", "code": code})
    assert response.status_code == 200
    assert "data.json" in zip_names(response)
    assert visitor.post(path, {"action": "code", "code": code}).status_code == 404  # used


@pytest.mark.commitment("C33")
def test_portability_delivers_json_and_csv(make_user, smtp_server):
    customer = make_user()
    request_by_code(customer.email, "portability", smtp_server)
    path = link_in(next(m for m in smtp_server.to(customer.email) if "ready" in str(m["Subject"])))
    response = logged_in(customer).post(path, {"action": "download"})
    names = zip_names(response)
    assert "data.json" in names
    assert any(name.endswith(".csv") for name in names)


@pytest.mark.commitment("C31")
@pytest.mark.commitment("C45")
def test_erasure_by_code_erases_the_account_and_answers_what_was_kept(make_user, smtp_server):
    customer = make_user()
    address, subject = customer.email, customer.subject_id
    request = request_by_code(address, "erasure", smtp_server)
    # The account is gone, the request is closed with the counts in its log and the trail
    assert not get_user_model().objects.filter(subject_id=subject).exists()
    assert request.status == Status.CLOSED
    assert request.close_reason == "erased"
    assert steps_of(request) == ["received", "verified", "executed", "closed"]
    executed = request.events.get(step="executed").details
    assert executed["counts"]["accounts.User"] == 1
    assert executed["key_destroyed"] is True
    assert audit_events("rights.request.closed")[-1]["details"]["reason"] == "erased"
    # The requester was told, at the address read before the erasure
    closed = [m for m in smtp_server.to(address) if "is closed" in str(m["Subject"])]
    assert len(closed) == 1
    assert "We have erased your personal data." in body_of(closed[0])
    # Nothing of the request's contact is left, and no stored byte holds the address
    assert not RequestContact.objects.filter(request=request).exists()
    for table in ("accounts_user", "rights_requestcontact", "rights_requestevent", "audit_auditevent"):
        assert address not in raw_table_text(table)


@pytest.mark.commitment("C31")
def test_a_signed_in_customer_erases_their_account_after_confirming_the_password(make_user, smtp_server):
    customer = make_user()
    client = logged_in(customer)
    response = client.post(
        "/privacy-center/", {"right": "erasure", "jurisdiction": "CN", "password": PASSWORD, "purpose": ""}
    )
    request = latest_request()
    assert response.status_code == 303
    assert request.status == Status.CLOSED
    assert request.verification == "password"
    assert not get_user_model().objects.filter(pk=customer.pk).exists()
    assert client.get("/account/").status_code == 302  # signed out


def test_access_data_json_holds_the_account_fields(make_user, smtp_server):
    customer = make_user()
    request_by_code(customer.email, "access", smtp_server)
    path = link_in(next(m for m in smtp_server.to(customer.email) if "ready" in str(m["Subject"])))
    response = logged_in(customer).post(path, {"action": "download"})
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    data = json.loads(archive.read("data.json"))
    assert customer.email in json.dumps(data)
