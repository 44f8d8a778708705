"""Carrying a verified request out, and delivering what it produced.

Access and portability build their package from the catalog (R1's `collect` and
`portability`), store the zip in the vault sealed under the subject's key, and e-mail a
link: a random token (stored as a SHA-256 only), signed with a timestamp, that expires and
works once, and only for the subject signed in or with a fresh code. Erasure runs the
catalog's `erase_subject`; the answer lists what was kept and why. Restriction, objection
and withdrawal call the purpose gates of `privacy.processing` (imported where used, so
that this module does not depend on that app at import). A confirmed report of a child's
account freezes it at once; the daily job erases it within the declaration's days.

Each step records the records touched per model (counts, never values) in the request's
log and the audit trail, in the step's transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import secrets
from collections.abc import Iterator
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from privacy.catalog.erasure import erase_subject
from privacy.policy.loader import current_policy
from privacy.rights import emails
from privacy.rights.actions import (
    CHILD_FROZEN,
    DELIVERED,
    EXECUTED,
    RightsError,
    close_request,
    decide,
    step,
)
from privacy.rights.models import (
    DecisionKind,
    Delivery,
    RequesterKind,
    Right,
    RightsRequest,
    Status,
)
from privacy.vault.files import EncryptedFile, delete_file

DELIVERY_TTL = dt.timedelta(days=7)
_SIGNER_SALT = "pledge.rights.delivery"
EXECUTABLE = (Status.VERIFIED, Status.EXTENDED)


def _locked(request_id: Any) -> RightsRequest:
    return RightsRequest.objects.select_for_update().get(pk=request_id)


def _reason(request: RightsRequest) -> str:
    return f"rights request {request.reference}"


def subject_of(request: RightsRequest) -> UUID:
    if request.subject_id is None:
        raise RightsError("no_account", "The request is tied to no account.")
    return request.subject_id


def _executable(request: RightsRequest) -> RightsRequest:
    request = _locked(request.pk)
    if request.status not in EXECUTABLE:
        raise RightsError("not_verified", "Only a verified, open request can be carried out.")
    if request.subject_id is None:
        raise RightsError("no_account", "The request is tied to no account.")
    return request


def _executed(request: RightsRequest, *, actor: str, details: dict[str, Any], **email: Any) -> None:
    request.status = Status.EXECUTED
    request.executed_at = timezone.now()
    request.save(update_fields=["status", "executed_at"])
    step(request, "executed", EXECUTED, actor=actor, details=details, **email)


def execute_request(
    *,
    request: RightsRequest,
    actor: str,
    upheld: bool | None = None,
    reasons: str = "",
) -> RightsRequest:
    """Carry out a verified request; `upheld`/`reasons` are the officer's decision on an objection."""
    right = request.right
    if right in (Right.ACCESS, Right.PORTABILITY):
        return _deliver_package(request, actor=actor)
    if right in (Right.ERASURE, Right.CHILD_ACCOUNT):
        return _erase(request, actor=actor)
    if right == Right.RESTRICTION:
        return _restrict(request, actor=actor)
    if right == Right.OBJECTION:
        return _object(request, actor=actor, upheld=upheld, reasons=reasons)
    if right == Right.WITHDRAW_CONSENT:
        return _withdraw(request, actor=actor)
    raise RightsError("manual", "Rectification is carried out field by field on the review form.")


# --- Access and portability -----------------------------------------------------------------------


def _package(request: RightsRequest) -> tuple[bytes, dict[str, int]]:
    buffer = io.BytesIO()
    if request.right == Right.ACCESS:
        from privacy.rights.collect import build_access_package

        package: Any = build_access_package(subject_of(request), lang=request.language[:2])
    else:
        from privacy.rights.portability import build_portability_export

        package = build_portability_export(subject_of(request))
    package.write_zip(buffer)
    return buffer.getvalue(), dict(package.counts)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def signed_token(token: str) -> str:
    return signing.TimestampSigner(salt=_SIGNER_SALT).sign(token)


def _deliver_package(request: RightsRequest, *, actor: str) -> RightsRequest:
    with transaction.atomic():
        request = _executable(request)
        data, counts = _package(request)
        token = secrets.token_urlsafe(32)
        delivery = Delivery(
            request=request,
            subject_id=subject_of(request),
            token_hash=_token_hash(token),
            expires_at=timezone.now() + DELIVERY_TTL,
            counts=counts,
        )
        delivery.package = data
        delivery.save()
        link = emails.site_link(reverse("rights:download", args=[signed_token(token)]))
        days = DELIVERY_TTL.days
        _executed(
            request,
            actor=actor,
            details={"counts": dict(sorted(counts.items())), "bytes": len(data)},
            email_extra={"link": link, "days": days},
        )
    return request


def delivery_for(signed: str) -> Delivery | None:
    """The delivery a link names, if its signature holds and is recent enough; None otherwise."""
    try:
        token = signing.TimestampSigner(salt=_SIGNER_SALT).unsign(signed, max_age=DELIVERY_TTL)
    except signing.BadSignature:
        return None
    return Delivery.objects.select_related("request").filter(token_hash=_token_hash(token)).first()


def delivery_open(delivery: Delivery, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return delivery.downloaded_at is None and delivery.expires_at > now and delivery.package is not None


def take_delivery(*, delivery: Delivery, actor: str) -> EncryptedFile:
    """Spend the link: the package once; the request is delivered and closed."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if not delivery_open(delivery):
            raise RightsError("link_used", "This link has expired or was used already.")
        file = delivery.package
        delivery.downloaded_at = timezone.now()
        delivery.save(update_fields=["downloaded_at"])
        request = _locked(delivery.request_id)
        request.status = Status.DELIVERED
        request.save(update_fields=["status"])
        step(
            request, "delivered", DELIVERED, actor=actor, details={"delivery": str(delivery.pk)}, email=False
        )
        close_request(request=request, actor=actor, reason="package downloaded")
    return file


def stream_once(delivery_pk: Any, file: EncryptedFile) -> Iterator[bytes]:
    """The package's bytes; once streamed (or abandoned), the stored file is deleted."""
    try:
        yield from file.chunks()
    finally:
        delete_file(file.id)
        Delivery.objects.filter(pk=delivery_pk).update(package=None)


def expire_deliveries(*, now: dt.datetime | None = None) -> int:
    """Delete packages whose link expired unused (the daily job)."""
    now = now or timezone.now()
    removed = 0
    for pk, ref in Delivery.objects.filter(expires_at__lte=now, package__isnull=False).values_list(
        "pk", "package"
    ):
        if isinstance(ref, EncryptedFile):
            delete_file(ref.id)
        Delivery.objects.filter(pk=pk).update(package=None)
        removed += 1
    return removed


# --- Erasure -------------------------------------------------------------------------------------


def _erase(request: RightsRequest, *, actor: str) -> RightsRequest:
    with transaction.atomic():
        request = _executable(request)
        address = emails.recipient_for(request)  # gone once the erasure ran: read it first
    report = erase_subject(subject_of(request), reason=_reason(request), actor=actor)
    retained = [kept.as_dict() for kept in report.retained]
    with transaction.atomic():
        request = _locked(request.pk)
        if request.status not in EXECUTABLE:
            return request
        details = {
            "counts": dict(sorted(report.deleted.items())),
            "files_deleted": report.files_deleted,
            "key_destroyed": report.key_destroyed,
            "retained": retained,
        }
        extra = {"retained": retained}
        _executed(request, actor=actor, details=details, email=False)
        close_request(request=request, actor=actor, reason="erased", email_extra=extra, email_to=address)
    return request


# --- Children ------------------------------------------------------------------------------------


def decide_child_report(
    *, request: RightsRequest, confirmed: bool, reasons: str, actor: str
) -> RightsRequest:
    """The officer confirms (or dismisses) that an account is a child's: confirmed, it is frozen at
    once and its erasure is due within the declaration's days (keeps: C39)."""
    if request.right != Right.CHILD_ACCOUNT:
        raise RightsError("not_child_report", "This request is not a report of a child's account.")
    if confirmed and request.subject_id is None:
        raise RightsError("no_account", "Tie the report to the account first.")
    decide(request=request, kind=DecisionKind.CHILD_ACCOUNT, upheld=confirmed, reasons=reasons, actor=actor)
    with transaction.atomic():
        request = _locked(request.pk)
        if not confirmed:
            close_request(request=request, actor=actor, reason="not a child's account")
            return request
        frozen = (
            get_user_model()._default_manager.filter(subject_id=subject_of(request)).update(is_active=False)
        )
        days = current_policy().children.erase_within_days
        request.status = Status.VERIFIED
        request.verified_at = timezone.now()
        request.erase_by = timezone.now() + dt.timedelta(days=days)
        request.save(update_fields=["status", "verified_at", "erase_by"])
        step(
            request,
            "frozen",
            CHILD_FROZEN,
            actor=actor,
            details={"accounts_frozen": frozen, "erase_by": request.erase_by.date().isoformat()},
        )
    return request


def erase_reported_children(*, actor: str = "system:rights-daily") -> int:
    """Erase every confirmed child's account not yet erased (the daily job; the officer may do it sooner)."""
    due = RightsRequest.objects.filter(
        right=Right.CHILD_ACCOUNT, status__in=EXECUTABLE, erase_by__isnull=False
    )
    done = 0
    for request in due:
        _erase(request, actor=actor)
        done += 1
    return done


# --- Restriction, objection, withdrawal (privacy.processing) ------------------------------------


def _restrict(request: RightsRequest, *, actor: str) -> RightsRequest:
    from privacy.processing.actions import restrict_processing

    with transaction.atomic():
        request = _executable(request)
        restrict_processing(subject_id=subject_of(request), reason=_reason(request), actor=actor)
        _executed(request, actor=actor, details={"restricted": True}, email=False)
        close_request(request=request, actor=actor, reason="processing restricted")
    return request


def _object(request: RightsRequest, *, actor: str, upheld: bool | None, reasons: str) -> RightsRequest:
    from privacy.processing.actions import record_objection
    from privacy.processing.errors import ProcessingError

    absolute = bool(getattr(current_policy().purposes.get(request.purpose), "objection_absolute", False))
    if not absolute and (upheld is None or not reasons.strip()):
        raise RightsError("decision_required", "Decide on the objection and record the reasons.")
    if not absolute:
        decide(
            request=request, kind=DecisionKind.OBJECTION, upheld=bool(upheld), reasons=reasons, actor=actor
        )
    with transaction.atomic():
        request = _executable(request)
        try:
            objection = record_objection(
                subject_id=subject_of(request),
                purpose=request.purpose,
                actor=actor,
                upheld=bool(upheld) or absolute,
                reasons=reasons,
            )
        except ProcessingError as problem:
            raise RightsError(problem.code, str(problem)) from problem
        _executed(
            request,
            actor=actor,
            details={"purpose": request.purpose, "upheld": objection.upheld, "absolute": absolute},
            email=False,
        )
        outcome = "objection upheld" if objection.upheld else "objection not upheld"
        close_request(request=request, actor=actor, reason=outcome, email_extra={"outcome": outcome})
    return request


def _withdraw(request: RightsRequest, *, actor: str) -> RightsRequest:
    from privacy.processing.actions import withdraw_consent_for

    with transaction.atomic():
        request = _executable(request)
        report = withdraw_consent_for(subject_id=subject_of(request), purpose=request.purpose, actor=actor)
        _executed(
            request,
            actor=actor,
            details={"purpose": request.purpose, "counts": dict(sorted(report.deleted.items()))},
            email=False,
        )
        close_request(request=request, actor=actor, reason="consent withdrawn")
    return request


def proceed(*, request: RightsRequest, actor: str = "requester") -> RightsRequest:
    """After verification: carry out at once what needs no officer (the person's own access,
    portability, erasure and withdrawal, and any stop to direct marketing)."""
    request.refresh_from_db()
    if request.status not in EXECUTABLE or request.subject_id is None:
        return request
    if request.requester_kind != RequesterKind.SUBJECT:
        return request
    absolute = bool(getattr(current_policy().purposes.get(request.purpose), "objection_absolute", False))
    if request.right in (Right.ACCESS, Right.PORTABILITY, Right.ERASURE, Right.WITHDRAW_CONSENT) or (
        request.right == Right.OBJECTION and absolute
    ):
        return execute_request(request=request, actor=actor)
    return request


def download_filename(delivery: Delivery) -> str:
    kind = "access" if delivery.request.right == Right.ACCESS else "portability"
    return f"sogaworks-{kind}-{delivery.request.reference}.zip"


def site_is_secure() -> bool:
    return str(settings.PLEDGE_SITE_URL).startswith("https://")


# keeps: C31, C32, C34, C40 (erasure with what is kept; restriction; objection; guardians after proof)
