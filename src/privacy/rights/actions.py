"""Writes of the rights workflow: file, verify, decide, extend, rectify, close.

Each action is one transaction that changes the request, appends its step to the
request's log (`RequestEvent`) and writes the audit event inside it; the requester's
e-mail for the step is sent on commit. Carrying a request out (access, erasure, ...) is
in `execution.py`; both are called by the pages, the API, the staff forms and the daily
job alike.

The request moves received → verifying → verified → (extended) → executed → delivered →
closed, or ends rejected or closed_unverified. A request about an account is tied to it
(`subject_id`) when filed, but nothing is done to the account before it is verified: by
the signed-in customer's password, by a code sent to the account's own address, by the
privacy officer's decision on a guardian's or agent's proof, or — only for objecting to
direct marketing, which the policy never makes anyone verify — not at all.

Nothing personal goes into an event, an audit detail or a reason: references, rights,
dates, counts and field names only.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from privacy.audit.actions import audit_action, record_event
from privacy.policy.durations import Duration
from privacy.policy.loader import current_policy
from privacy.rights import emails, identity
from privacy.rights.deadlines import plan_for
from privacy.rights.models import (
    Channel,
    Decision,
    DecisionKind,
    RequestContact,
    RequesterKind,
    RequestEvent,
    Right,
    RightsRequest,
    Status,
    Verification,
)
from privacy.vault.keys import destroy_subject_key
from privacy.vault.subjects import subject_id_of

RECEIVED = audit_action("rights.request.received", "A data subject rights request was received")
VERIFIED = audit_action("rights.request.verified", "The requester's identity or authority was verified")
EXTENDED = audit_action("rights.request.extended", "A request's deadline was extended, with reasons")
EXECUTED = audit_action("rights.request.executed", "A request was carried out (records touched per model)")
DELIVERED = audit_action("rights.request.delivered", "A request's package was downloaded by the requester")
CLOSED = audit_action("rights.request.closed", "A request was closed")
REJECTED = audit_action("rights.request.rejected", "A request was refused, with reasons")
CLOSED_UNVERIFIED = audit_action(
    "rights.request.closed_unverified", "A request whose requester never verified was closed"
)
DECIDED = audit_action("rights.request.decided", "The privacy officer decided on a request, with reasons")
RECTIFIED = audit_action(
    "rights.request.rectified", "Fields were corrected on request (names only, no values)"
)
CHILD_FROZEN = audit_action(
    "rights.child.frozen", "An account reported as a child's was frozen and its erasure scheduled"
)

# Rights a guardian or agent may ask for on someone's behalf.
ON_BEHALF: dict[str, frozenset[str]] = {
    RequesterKind.GUARDIAN: frozenset({Right.ACCESS, Right.ERASURE}),
    RequesterKind.AGENT: frozenset(set(Right) - {Right.CHILD_ACCOUNT}),
}
MAX_TEXT = 4000


class RightsError(ValueError):
    """A step refused. `code` is stable (tests, the API); the message is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Filed:
    request: RightsRequest
    code_sent: bool  # a code went to an account's address (never said to the requester)


def staff_actor(user: Any) -> str:
    return f"staff:{user.pk}"


def step(
    request: RightsRequest,
    name: str,
    action: Any,
    *,
    actor: str,
    details: dict[str, Any] | None = None,
    note: str = "",
    email: bool = True,
    email_extra: dict[str, Any] | None = None,
    email_to: str | None = None,
) -> RequestEvent:
    """Append one step to the request's log and the audit trail; e-mail the requester on commit."""
    details = details or {}
    event = RequestEvent.objects.create(
        request=request, step=name, actor=actor, details=details, note=note, at=timezone.now()
    )
    record_event(
        action,
        actor=actor,
        subject=str(request.subject_id or ""),
        object=f"rights.request:{request.reference}",
        details={"right": request.right, "status": request.status, **details},
    )
    if email:
        transaction.on_commit(
            partial(emails.send_step, request_id=request.id, step=name, extra=email_extra, to=email_to)
        )
    return event


def _purpose_objection_absolute(purpose: str) -> bool:
    declared = current_policy().purposes.get(purpose)
    return bool(declared is not None and getattr(declared, "objection_absolute", False))


def needs_no_verification(right: str, purpose: str) -> bool:
    """Stopping direct marketing is never made to wait for a check (policy, identity_verification)."""
    return right in (Right.OBJECTION, Right.WITHDRAW_CONSENT) and _purpose_objection_absolute(purpose)


def _check_purpose(right: str, purpose: str) -> str:
    if right not in (Right.OBJECTION, Right.WITHDRAW_CONSENT):
        return ""
    declared = current_policy().purposes.get(purpose)
    if declared is None:
        raise RightsError("unknown_purpose", "Choose the purpose you object to or withdraw consent from.")
    if right == Right.WITHDRAW_CONSENT and declared.legal_basis != "consent":
        raise RightsError("not_consent_based", "That purpose does not rest on consent; object to it instead.")
    return purpose


def _text(value: str, what: str) -> str:
    value = (value or "").strip()
    if len(value) > MAX_TEXT:
        raise RightsError("too_long", f"{what} can be at most {MAX_TEXT} characters.")
    return value


def file_request(
    *,
    right: str,
    jurisdiction: str,
    email: str = "",
    details: str = "",
    purpose: str = "",
    requester_kind: str = RequesterKind.SUBJECT,
    account_identifier: str = "",
    reauthenticated_user: Any = None,
    channel: str = Channel.WEB,
    language: str = "en",
    proof_description: str = "",
    proof_file: UploadedFile | None = None,
    received_at: dt.datetime | None = None,
    actor: str = "requester",
) -> Filed:
    """Record a request and start its verification.

    `reauthenticated_user` is a signed-in customer who has just confirmed their password (or
    who stops direct marketing, which needs no password): the request is theirs and
    verified at once. Otherwise `email` (for the person themself) or
    `account_identifier` (for a guardian, an agent or a report of a child's account) names
    the account; the answer is the same whether or not one matches.
    """
    if right not in Right.values:
        raise RightsError("unknown_right", "Choose the right you want to exercise.")
    if requester_kind not in RequesterKind.values:
        raise RightsError("unknown_requester", "Say who is asking.")
    if channel not in Channel.values:
        raise RightsError("unknown_channel", "Unknown channel.")
    jurisdiction = jurisdiction.strip().upper()
    if not (2 <= len(jurisdiction) <= 8) or not jurisdiction.replace("-", "").isalnum():
        raise RightsError("unknown_jurisdiction", "Choose where you live.")
    purpose = _check_purpose(right, purpose.strip())
    if right == Right.CHILD_ACCOUNT:
        requester_kind = RequesterKind.REPORTER
    elif requester_kind == RequesterKind.REPORTER:
        raise RightsError("not_on_behalf", "Only a report of a child's account is made as a reporter.")
    elif requester_kind != RequesterKind.SUBJECT and right not in ON_BEHALF[requester_kind]:
        raise RightsError("not_on_behalf", "That right cannot be asked for on someone else's behalf here.")
    details, proof_description = _text(details, "Details"), _text(proof_description, "The proof")
    email = email.strip()
    if reauthenticated_user is None and right != Right.CHILD_ACCOUNT and "@" not in email:
        raise RightsError("email_required", "Give the e-mail address to answer.")

    received = received_at or timezone.now()
    plan = plan_for(jurisdiction, received.date())
    target: Any = None
    if reauthenticated_user is not None:
        target, requester_kind = reauthenticated_user, RequesterKind.SUBJECT
        email = str(target.email)
    elif requester_kind == RequesterKind.SUBJECT and right != Right.CHILD_ACCOUNT:
        target = identity.find_account(email)
    else:
        target = identity.find_account(account_identifier)

    with transaction.atomic():
        request = RightsRequest.objects.create(
            right=right,
            jurisdiction=jurisdiction,
            requester_kind=requester_kind,
            channel=channel,
            language="zh-hans" if language.startswith("zh") else "en",
            subject_id=target.subject_id if target is not None else None,
            purpose=purpose,
            received_at=received,
            due_on=plan.due_on,
            statutory_due_on=plan.statutory_due_on,
        )
        # The requester's words stay under a key of their own until they are verified as the owner.
        own = reauthenticated_user is not None
        contact = RequestContact(
            request=request,
            subject_id=target.subject_id if own else uuid.uuid4(),
            email=email,
            details=details,
            proof_description=proof_description,
        )
        if proof_file is not None:
            contact.proof_file = proof_file
        contact.save()
        step(
            request,
            "received",
            RECEIVED,
            actor=actor,
            details={
                "channel": channel,
                "jurisdiction": jurisdiction,
                "requester": requester_kind,
                "rule": plan.rule,
                "due_on": plan.due_on.isoformat(),
                "purpose": purpose,
            },
            email_to=email or None,
        )
        code_sent = False
        if own:
            exempt = needs_no_verification(right, purpose)
            _verify(request, Verification.NOT_NEEDED if exempt else Verification.PASSWORD, actor=actor)
        elif right == Right.CHILD_ACCOUNT or requester_kind != RequesterKind.SUBJECT:
            pass  # the privacy officer decides (a report, or a guardian's or agent's proof)
        elif needs_no_verification(right, purpose):
            if target is not None:
                _verify(request, Verification.NOT_NEEDED, actor=actor, email=False)
            else:  # closed as a known address's would be: the page and the e-mail say the same
                close_request(
                    request=request, actor=actor, reason="no account uses the address given", email_to=email
                )
        else:
            request.status = Status.VERIFYING
            request.save(update_fields=["status"])
            if target is not None:
                code = identity.issue_code(request)
                if code is not None:
                    transaction.on_commit(partial(emails.send_code, request_id=request.id, code=code))
                    code_sent = True
    return Filed(request=request, code_sent=code_sent)


def _verify(request: RightsRequest, how: str, *, actor: str, email: bool = True, note: str = "") -> None:
    request.status = Status.VERIFIED
    request.verification = how
    request.verified_at = timezone.now()
    request.save(update_fields=["status", "verification", "verified_at"])
    if request.requester_kind == RequesterKind.SUBJECT and request.subject_id is not None:
        _adopt_contact(request)
    step(request, "verified", VERIFIED, actor=actor, details={"how": how}, note=note, email=email)


def _adopt_contact(request: RightsRequest) -> None:
    """Reseal what the verified requester wrote under their account's key; forget the interim key."""
    contact = RequestContact.objects.filter(request=request).first()
    if contact is None or contact.subject_id == request.subject_id or contact.proof_file:
        return
    interim = contact.subject_id
    assert request.subject_id is not None
    contact.email, contact.details, contact.proof_description = (
        contact.email,
        contact.details,
        contact.proof_description,
    )
    contact.subject_id = request.subject_id
    contact.save()
    transaction.on_commit(partial(destroy_subject_key, interim))


def _locked(request_id: uuid.UUID) -> RightsRequest:
    return RightsRequest.objects.select_for_update().get(pk=request_id)


def verify_with_code(*, request: RightsRequest, code: str) -> identity.CodeCheck:
    """The requester enters the code sent to the account's address."""
    with transaction.atomic():
        request = _locked(request.pk)
        if request.status != Status.VERIFYING:
            return identity.CodeCheck.WRONG
        result = identity.check_code(request, code)
        if result is identity.CodeCheck.OK:
            _verify(request, Verification.CODE, actor="requester")
    return result


def resend_code(*, request: RightsRequest) -> None:
    """Another code to the account's address, if the request names one and has codes left (else silent)."""
    with transaction.atomic():
        request = _locked(request.pk)
        if request.status != Status.VERIFYING or request.subject_id is None:
            return
        code = identity.issue_code(request)
        if code is not None:
            transaction.on_commit(partial(emails.send_code, request_id=request.id, code=code))


def decide(*, request: RightsRequest, kind: str, upheld: bool, reasons: str, actor: str) -> Decision:
    """The privacy officer's decision on a guardian's or agent's proof, an identity, or a report.

    An upheld proof verifies the request; a refused one rejects it. Decisions on an objection
    and on a child's account are carried out by `execution`, which calls this first.
    """
    reasons = _text(reasons, "Reasons")
    if not reasons:
        raise RightsError("reasons_required", "Record the reasons for the decision.")
    if kind not in DecisionKind.values:
        raise RightsError("unknown_decision", "Unknown kind of decision.")
    with transaction.atomic():
        request = _locked(request.pk)
        if not request.is_open:
            raise RightsError("closed", "This request is closed.")
        decision = Decision.objects.create(
            request=request, kind=kind, upheld=upheld, reasons=reasons, decided_by=actor
        )
        step(
            request,
            "decided",
            DECIDED,
            actor=actor,
            details={"decision": kind, "upheld": upheld},
            note=reasons,
            email=False,
        )
        if kind in (DecisionKind.IDENTITY, DecisionKind.GUARDIANSHIP):
            if upheld and request.subject_id is None:
                raise RightsError("no_account", "Tie the request to an account before accepting the proof.")
            if upheld:
                _verify(request, Verification.STAFF, actor=actor, note=reasons)
            else:
                _reject(request, reasons=reasons, actor=actor)
    return decision


def link_account(*, request: RightsRequest, account_identifier: str, actor: str) -> bool:
    """The officer ties a request to the account it concerns (a letter naming it); False if none matches."""
    target = identity.find_account(account_identifier)
    if target is None:
        return False
    with transaction.atomic():
        request = _locked(request.pk)
        request.subject_id = target.subject_id
        request.save(update_fields=["subject_id"])
        step(request, "linked", DECIDED, actor=actor, details={"linked": True}, email=False)
    return True


def _reject(request: RightsRequest, *, reasons: str, actor: str) -> None:
    request.status = Status.REJECTED
    request.closed_at = timezone.now()
    request.close_reason = "refused"
    request.save(update_fields=["status", "closed_at", "close_reason"])
    step(request, "rejected", REJECTED, actor=actor, note=reasons, email_extra={"reasons": reasons})


def reject_request(*, request: RightsRequest, reasons: str, actor: str) -> None:
    reasons = _text(reasons, "Reasons")
    if not reasons:
        raise RightsError("reasons_required", "Record the reasons for refusing.")
    with transaction.atomic():
        request = _locked(request.pk)
        if not request.is_open:
            raise RightsError("closed", "This request is closed.")
        _reject(request, reasons=reasons, actor=actor)


def extend_deadline(
    *, request: RightsRequest, reason: str, actor: str, today: dt.date | None = None
) -> dt.date:
    """Once, before the due day, within the rule's maximum; the requester is told why."""
    reason = _text(reason, "The reason")
    if not reason:
        raise RightsError("reason_required", "An extension needs its reason.")
    today = today or timezone.now().date()
    with transaction.atomic():
        request = _locked(request.pk)
        plan = plan_for(request.jurisdiction, request.received_at.date())
        if not request.is_open:
            raise RightsError("closed", "This request is closed.")
        if plan.extension_until is None or plan.extend_by is None:
            raise RightsError("no_extension", f"The rule applied ({plan.rule}) allows no extension.")
        if request.extended_due_on is not None:
            raise RightsError(
                "already_extended", "This request was extended already; it can be extended once."
            )
        if today > plan.extend_by:
            raise RightsError(
                "too_late", f"An extension had to be announced by {plan.extend_by.isoformat()}."
            )
        request.extended_due_on = plan.extension_until
        request.extension_reason = reason
        request.status = Status.EXTENDED if request.status == Status.VERIFIED else request.status
        request.save(update_fields=["extended_due_on", "extension_reason", "status"])
        step(
            request,
            "extended",
            EXTENDED,
            actor=actor,
            details={"due_on": plan.extension_until.isoformat(), "rule": plan.rule},
            note=reason,
            email_extra={"reason": reason},
        )
    return plan.extension_until


def close_request(
    *,
    request: RightsRequest,
    actor: str,
    reason: str,
    email_extra: dict[str, Any] | None = None,
    email_to: str | None = None,
) -> None:
    """Close an answered request (inside the caller's transaction, or its own)."""
    with transaction.atomic():
        request.status = Status.CLOSED
        request.closed_at = timezone.now()
        request.close_reason = reason
        request.save(update_fields=["status", "closed_at", "close_reason"])
        step(
            request,
            "closed",
            CLOSED,
            actor=actor,
            details={"reason": reason},
            email_extra=email_extra,
            email_to=email_to,
        )


def close_unverified_requests(*, now: dt.datetime | None = None, actor: str = "system:rights-daily") -> int:
    """Close every request still waiting for its requester after the declaration's time."""
    now = now or timezone.now()
    after = Duration.parse(current_policy().rights.unverified_request_closes_after)
    waiting = (
        RightsRequest.objects.filter(status__in=(Status.RECEIVED, Status.VERIFYING))
        .exclude(right=Right.CHILD_ACCOUNT)
        .exclude(requester_kind__in=(RequesterKind.GUARDIAN, RequesterKind.AGENT))
    )
    closed = 0
    for request_id, received_at in waiting.values_list("pk", "received_at"):
        if after.add_to(received_at.date()) >= now.date():
            continue
        with transaction.atomic():
            request = _locked(request_id)
            if request.status not in (Status.RECEIVED, Status.VERIFYING):
                continue
            request.status = Status.CLOSED_UNVERIFIED
            request.closed_at = now
            request.close_reason = f"identity not verified within {after.describe()}"
            request.save(update_fields=["status", "closed_at", "close_reason"])
            request.codes.filter(used_at__isnull=True).update(expires_at=now)
            step(
                request,
                "closed_unverified",
                CLOSED_UNVERIFIED,
                actor=actor,
                details={"after": str(after)},
                email_to=None,
            )
        closed += 1
    return closed


def rectify(*, request: RightsRequest, changes: list[tuple[Any, str, Any]], actor: str) -> list[str]:
    """Write corrected values (instance, field name, value) through the model, so sealed fields
    stay sealed; the log and the audit trail name the fields, never old or new values."""
    if request.right != Right.RECTIFICATION:
        raise RightsError("not_rectification", "This request is not for rectification.")
    names: list[str] = []
    with transaction.atomic():
        request = _locked(request.pk)
        if request.status not in (Status.VERIFIED, Status.EXTENDED):
            raise RightsError("not_verified", "The request must be verified first.")
        for instance, field_name, value in changes:
            if subject_id_of(instance) != request.subject_id:
                raise RightsError("not_subject", "That row is not the requester's.")
            field = instance._meta.get_field(field_name)
            cleaned = field.clean(value, instance)
            setattr(instance, field.attname, cleaned)
            instance.save(update_fields=[field.attname])
            names.append(f"{instance._meta.label}.{field_name}")
        request.status = Status.EXECUTED
        request.executed_at = timezone.now()
        request.save(update_fields=["status", "executed_at"])
        step(request, "executed", RECTIFIED, actor=actor, details={"fields": names})
        close_request(request=request, actor=actor, reason="corrected")
    return names


# keeps: C30, C45 (rectification by request, logged by field name; every step in the log and the trail)
