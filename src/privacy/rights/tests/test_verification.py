"""Intake and identity: the code goes to the account's own address, the answer is the same
for an unknown address, codes expire, allow five tries and work once, and a guessed request
id is a plain 404 (C29, C31: access and erasure only for the verified owner)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from privacy.rights.identity import MAX_ATTEMPTS
from privacy.rights.models import RequestContact, RightsRequest, Status, VerificationCode
from privacy.rights.tests.workflow import (
    PASSWORD,
    audit_events,
    code_in,
    latest_request,
    logged_in,
    steps_of,
)

pytestmark = pytest.mark.django_db(databases=["default", "keys"], transaction=True)


def shown(page: str, request: RightsRequest) -> str:
    """The page's main content without what differs by request (its id, reference and form token)."""
    main = page[page.index("<main") : page.index("</main>")]
    main = main.replace(request.reference, "").replace(str(request.id), "")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", main)


def file_by_page(client: Client, **fields: str):
    data = {
        "right": "access",
        "jurisdiction": "EU",
        "requester_kind": "subject",
        "details": "",
        "purpose": "",
    }
    data.update(fields)
    return client.post("/privacy-center/", data)


@pytest.mark.commitment("C29")
def test_a_code_goes_to_the_address_on_the_account_and_verifies_the_request(make_user, smtp_server):
    # Given a customer
    customer = make_user()
    # When someone files an access request with the account's address, in other case
    response = file_by_page(Client(), email=customer.email.upper(), right="erasure")
    request = latest_request()
    # Then the request waits for the code, which went to the address stored on the account
    assert response.status_code == 303
    assert response["Location"] == f"/privacy-center/r/{request.id}/"
    assert request.status == Status.VERIFYING
    assert request.subject_id == customer.subject_id
    codes = [m for m in smtp_server.to(customer.email) if "code" in str(m["Subject"]).lower()]
    assert len(codes) == 1
    page = Client().get(response["Location"])
    assert "If an account uses the address you gave" in page.content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_code(make_user, smtp_server):
    # Given a customer, and an address no account uses
    customer = make_user()
    # When a request is filed with each
    known = file_by_page(Client(), email=customer.email)
    known_request = latest_request()
    known_page = Client().get(known["Location"]).content.decode()
    unknown = file_by_page(Client(), email="nobody@example.net")
    request = latest_request()
    unknown_page = Client().get(unknown["Location"]).content.decode()
    # Then the pages say the same (but for the reference), and no code exists or was sent for the unknown one
    assert shown(known_page, known_request) == shown(unknown_page, request)
    assert request.subject_id is None
    assert request.status == Status.VERIFYING
    assert VerificationCode.objects.filter(request=request).count() == 0
    sent = smtp_server.to("nobody@example.net")
    assert [str(m["Subject"]) for m in sent] == [f"We received your privacy request {request.reference}"]
    # And no code typed for it can verify it
    Client().post(f"/privacy-center/r/{request.id}/verify/", {"code": "123456"})
    request.refresh_from_db()
    assert request.status == Status.VERIFYING


def test_a_wrong_code_does_not_verify_and_a_used_code_cannot_be_replayed(make_user, smtp_server):
    customer = make_user()
    file_by_page(Client(), email=customer.email, right="restriction")
    request = latest_request()
    code = code_in(smtp_server.to(customer.email)[-1])
    wrong = "000000" if code != "000000" else "111111"
    # A wrong code
    Client().post(f"/privacy-center/r/{request.id}/verify/", {"code": wrong})
    request.refresh_from_db()
    assert request.status == Status.VERIFYING
    # The right one
    Client().post(f"/privacy-center/r/{request.id}/verify/", {"code": code})
    request.refresh_from_db()
    assert request.status == Status.VERIFIED
    assert request.verification == "code"
    # Replayed: nothing changes, no second "verified" step
    Client().post(f"/privacy-center/r/{request.id}/verify/", {"code": code})
    assert steps_of(request).count("verified") == 1
    assert len(audit_events("rights.request.verified")) == 1


def test_five_wrong_codes_lock_the_code_even_for_the_right_one(make_user, smtp_server):
    customer = make_user()
    file_by_page(Client(), email=customer.email, right="restriction")
    request = latest_request()
    code = code_in(smtp_server.to(customer.email)[-1])
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(MAX_ATTEMPTS):
        Client().post(f"/privacy-center/r/{request.id}/verify/", {"code": wrong})
    response = Client().post(f"/privacy-center/r/{request.id}/verify/", {"code": code}, follow=True)
    request.refresh_from_db()
    assert request.status == Status.VERIFYING
    assert "Too many wrong codes" in response.content.decode()
    assert VerificationCode.objects.get(request=request).attempts == MAX_ATTEMPTS


def test_an_expired_code_does_not_verify(make_user, smtp_server):
    customer = make_user()
    file_by_page(Client(), email=customer.email, right="restriction")
    request = latest_request()
    code = code_in(smtp_server.to(customer.email)[-1])
    VerificationCode.objects.filter(request=request).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    response = Client().post(f"/privacy-center/r/{request.id}/verify/", {"code": code}, follow=True)
    request.refresh_from_db()
    assert request.status == Status.VERIFYING
    assert "That code has expired" in response.content.decode()


def test_a_new_code_retires_the_old_one(make_user, smtp_server):
    customer = make_user()
    file_by_page(Client(), email=customer.email, right="restriction")
    request = latest_request()
    first = code_in(smtp_server.to(customer.email)[-1])
    Client().post(f"/privacy-center/r/{request.id}/resend/")
    second = code_in(smtp_server.to(customer.email)[-1])
    if first != second:
        Client().post(f"/privacy-center/r/{request.id}/verify/", {"code": first})
        request.refresh_from_db()
        assert request.status == Status.VERIFYING
    Client().post(f"/privacy-center/r/{request.id}/verify/", {"code": second})
    request.refresh_from_db()
    assert request.status == Status.VERIFIED


def test_codes_are_stored_only_as_a_keyed_hash(make_user, smtp_server):
    customer = make_user()
    file_by_page(Client(), email=customer.email, right="restriction")
    code = code_in(smtp_server.to(customer.email)[-1])
    stored = VerificationCode.objects.get()
    assert code not in stored.code_hash
    assert len(stored.code_hash) == 64


def test_a_guessed_request_id_is_a_plain_404_on_every_page_and_endpoint(make_user):
    customer = make_user()
    file_by_page(Client(), email=customer.email)
    guess = "0b6c1a5e-9a62-4d3e-8f51-2c0a3c1d9e77"
    for path in (f"/privacy-center/r/{guess}/",):
        assert Client().get(path).status_code == 404
    assert Client().post(f"/privacy-center/r/{guess}/verify/", {"code": "123456"}).status_code == 404
    api = Client().get(f"/api/rights/requests/{guess}")
    assert (api.status_code, api.json()) == (404, {"detail": "Not found.", "code": "not_found"})
    assert (
        Client().post(f"/api/rights/requests/{guess}/verify", {"code": "1"}, "application/json").status_code
        == 404
    )


def test_what_the_requester_wrote_is_sealed_and_moves_to_the_account_key_once_verified(
    make_user, smtp_server
):
    customer = make_user()
    file_by_page(Client(), email=customer.email, right="restriction", details="My street is Rue Secrète 7")
    request = latest_request()
    contact = RequestContact.objects.get(request=request)
    assert contact.subject_id != customer.subject_id  # interim key while unverified
    code = code_in(smtp_server.to(customer.email)[-1])
    Client().post(f"/privacy-center/r/{request.id}/verify/", {"code": code})
    contact = RequestContact.objects.get(request=request)
    assert contact.subject_id == customer.subject_id
    assert contact.details == "My street is Rue Secrète 7"
    from privacy.rights.tests.workflow import raw_table_text

    assert "Rue Secr" not in raw_table_text("rights_requestcontact")
    assert "Rue Secr" not in raw_table_text("rights_requestevent")
    assert "Rue Secr" not in raw_table_text("audit_auditevent")


def test_a_signed_in_customer_confirms_their_password_and_a_wrong_one_files_nothing(make_user, smtp_server):
    customer = make_user()
    client = logged_in(customer)
    response = client.post(
        "/privacy-center/",
        {"right": "restriction", "jurisdiction": "EU", "password": "not it", "purpose": ""},
    )
    assert response.status_code == 200
    assert "That is not your password." in response.content.decode()
    assert RightsRequest.objects.count() == 0
    response = client.post(
        "/privacy-center/",
        {"right": "restriction", "jurisdiction": "EU", "password": PASSWORD, "purpose": ""},
    )
    request = latest_request()
    assert response.status_code == 303
    assert (request.status, request.verification, request.subject_id) == (
        Status.VERIFIED,
        "password",
        customer.subject_id,
    )
    assert steps_of(request) == ["received", "verified"]
