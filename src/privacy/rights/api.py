"""The rights JSON API (django-ninja): file a request, confirm it with the code, follow it;
and the privacy officer's queue and steps. The endpoints call the same actions as the
Privacy Center's pages.

A signed-in caller sends the CSRF token (X-CSRFToken), as the forms do. A request is
addressed by its random id; an unknown one is 404 with nothing else said. Filing answers
the same whether or not the address belongs to an account.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.utils import check_csrf

from privacy.rights import actions, execution, queries
from privacy.rights.actions import RightsError, staff_actor
from privacy.rights.identity import CodeCheck, password_confirms
from privacy.rights.models import DecisionKind, RequesterKind, RightsRequest, Status

router = Router(tags=["rights"])


class Problem(Schema):
    detail: str
    code: str = ""


class RequestIn(Schema):
    right: str
    jurisdiction: str  # "DE", "US-CA", "CN", "EU", ...
    email: str = ""
    details: str = ""
    purpose: str = ""
    requester_kind: str = RequesterKind.SUBJECT
    account_identifier: str = ""
    proof_description: str = ""
    password: str = ""  # a signed-in customer confirms their password


class RequestOut(Schema):
    id: uuid.UUID
    reference: str
    right: str
    status: str
    jurisdiction: str
    received_at: dt.datetime
    due_on: dt.date
    extended_due_on: dt.date | None
    verification_needed: bool
    message: str = ""


class CodeIn(Schema):
    code: str


class QueueRowOut(Schema):
    id: uuid.UUID
    reference: str
    right: str
    status: str
    due_on: dt.date
    days_left: int
    flag: str


class DecisionIn(Schema):
    upheld: bool
    reasons: str


class ReasonIn(Schema):
    reason: str


def _out(request: RightsRequest, message: str = "") -> dict[str, Any]:
    return {
        "id": request.id,
        "reference": request.reference,
        "right": request.right,
        "status": request.status,
        "jurisdiction": request.jurisdiction,
        "received_at": request.received_at,
        "due_on": request.due_on,
        "extended_due_on": request.extended_due_on,
        "verification_needed": request.status == Status.VERIFYING,
        "message": message,
    }


def _csrf_refused(request: HttpRequest) -> bool:
    return bool(request.user.is_authenticated and check_csrf(request) is not None)


CSRF = {"detail": "CSRF check failed: send the csrftoken cookie's value in X-CSRFToken.", "code": "csrf"}
NOT_FOUND = {"detail": "Not found.", "code": "not_found"}
NEUTRAL = (
    "If an account uses the address given, a one-time code was sent to the address on that account; "
    "POST it to verify."
)


def _customer(request: HttpRequest) -> Any | None:
    user = request.user
    return user if user.is_authenticated and getattr(user, "role", "") == "customer" else None


@router.post(
    "/requests", response={201: RequestOut, 400: Problem, 403: Problem}, summary="Make a rights request"
)
def file(request: HttpRequest, body: RequestIn) -> tuple[int, Any]:
    if _csrf_refused(request):
        return 403, CSRF
    customer = _customer(request)
    exempt = actions.needs_no_verification(body.right, body.purpose)
    if customer is not None and not exempt and not password_confirms(customer, body.password):
        return 403, {
            "detail": "Confirm your password to make a request about your account.",
            "code": "password",
        }
    try:
        filed = actions.file_request(
            right=body.right,
            jurisdiction=body.jurisdiction,
            email=body.email,
            details=body.details,
            purpose=body.purpose,
            requester_kind=body.requester_kind,
            account_identifier=body.account_identifier,
            reauthenticated_user=customer,
            channel="api",
            proof_description=body.proof_description,
        )
    except RightsError as problem:
        return 400, {"detail": str(problem), "code": problem.code}
    done = execution.proceed(request=filed.request)
    return 201, _out(done, NEUTRAL if done.status == Status.VERIFYING else "")


def _find(pk: uuid.UUID) -> RightsRequest | None:
    return RightsRequest.objects.filter(pk=pk).first()


@router.get("/requests/{pk}", response={200: RequestOut, 404: Problem}, summary="A request's status")
def status(request: HttpRequest, pk: uuid.UUID) -> tuple[int, Any]:
    found = _find(pk)
    return (404, NOT_FOUND) if found is None else (200, _out(found))


@router.post(
    "/requests/{pk}/verify",
    response={200: RequestOut, 400: Problem, 403: Problem, 404: Problem},
    summary="Confirm a request with the code sent to the account's address",
)
def verify(request: HttpRequest, pk: uuid.UUID, body: CodeIn) -> tuple[int, Any]:
    if _csrf_refused(request):
        return 403, CSRF
    found = _find(pk)
    if found is None:
        return 404, NOT_FOUND
    result = actions.verify_with_code(request=found, code=body.code)
    if result is not CodeCheck.OK:
        return 400, {"detail": "The code is wrong, expired or used up.", "code": result.value}
    return 200, _out(execution.proceed(request=found))


@router.post(
    "/requests/{pk}/resend", response={202: Problem, 403: Problem, 404: Problem}, summary="Send a new code"
)
def resend(request: HttpRequest, pk: uuid.UUID) -> tuple[int, Any]:
    if _csrf_refused(request):
        return 403, CSRF
    found = _find(pk)
    if found is None:
        return 404, NOT_FOUND
    actions.resend_code(request=found)
    return 202, {"detail": NEUTRAL}


# --- The privacy officer ---------------------------------------------------------------------------


def _refusal(request: HttpRequest) -> tuple[int, dict[str, str]] | None:
    if not request.user.is_authenticated:
        return 401, {"detail": "Log in.", "code": "login"}
    if not queries.may_handle_requests(request.user):
        return 403, {"detail": "Rights requests are handled by the privacy officer.", "code": "forbidden"}
    if request.method != "GET" and check_csrf(request) is not None:
        return 403, CSRF
    return None


@router.get(
    "/queue",
    response={200: list[QueueRowOut], 401: Problem, 403: Problem},
    summary="Open requests by due day",
)
def queue(request: HttpRequest) -> tuple[int, Any]:
    refused = _refusal(request)
    if refused:
        return refused
    today = timezone.now().date()
    return 200, [
        {
            "id": row.request.id,
            "reference": row.request.reference,
            "right": row.request.right,
            "status": row.request.status,
            "due_on": row.due_on,
            "days_left": (row.due_on - today).days,
            "flag": row.flag,
        }
        for row in queries.staff_queue(today=today)
    ]


def _staff_step(request: HttpRequest, pk: uuid.UUID, run: Any) -> tuple[int, Any]:
    refused = _refusal(request)
    if refused:
        return refused
    found = _find(pk)
    if found is None:
        return 404, NOT_FOUND
    try:
        run(found, staff_actor(request.user))
    except RightsError as problem:
        return 400, {"detail": str(problem), "code": problem.code}
    found.refresh_from_db()
    return 200, _out(found)


STAFF_RESPONSES = {200: RequestOut, 400: Problem, 401: Problem, 403: Problem, 404: Problem}


@router.post("/requests/{pk}/execute", response=STAFF_RESPONSES, summary="Carry out a verified request")
def execute(request: HttpRequest, pk: uuid.UUID) -> tuple[int, Any]:
    return _staff_step(
        request, pk, lambda found, actor: execution.execute_request(request=found, actor=actor)
    )


@router.post(
    "/requests/{pk}/extend", response=STAFF_RESPONSES, summary="Extend the deadline once, with reasons"
)
def extend(request: HttpRequest, pk: uuid.UUID, body: ReasonIn) -> tuple[int, Any]:
    return _staff_step(
        request,
        pk,
        lambda found, actor: actions.extend_deadline(request=found, reason=body.reason, actor=actor),
    )


@router.post("/requests/{pk}/reject", response=STAFF_RESPONSES, summary="Refuse a request, with reasons")
def reject(request: HttpRequest, pk: uuid.UUID, body: ReasonIn) -> tuple[int, Any]:
    return _staff_step(
        request,
        pk,
        lambda found, actor: actions.reject_request(request=found, reasons=body.reason, actor=actor),
    )


@router.post(
    "/requests/{pk}/decide", response=STAFF_RESPONSES, summary="Decide on proof, an objection or a report"
)
def decide(request: HttpRequest, pk: uuid.UUID, body: DecisionIn) -> tuple[int, Any]:
    def run(found: RightsRequest, actor: str) -> None:
        if found.right == "objection":
            execution.execute_request(request=found, actor=actor, upheld=body.upheld, reasons=body.reasons)
        elif found.right == "child_account":
            execution.decide_child_report(
                request=found, confirmed=body.upheld, reasons=body.reasons, actor=actor
            )
        else:
            kind = (
                DecisionKind.GUARDIANSHIP
                if found.requester_kind != RequesterKind.SUBJECT
                else DecisionKind.IDENTITY
            )
            actions.decide(request=found, kind=kind, upheld=body.upheld, reasons=body.reasons, actor=actor)

    return _staff_step(request, pk, run)
