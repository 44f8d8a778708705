"""HTML: the Privacy Center (file a request, verify it, follow it, download the answer) and
the privacy officer's pages (the queue, a request, the printable history, logging a
request that came by e-mail or post).

A request's page is addressed by its random UUID; a wrong one is a plain 404, whatever
exists. A download link that is not the signed-in customer's own, expired, used or
forged is a 404 too: nothing says which. Staff pages need rights.handle_requests.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from privacy.rights import actions, emails, execution, queries, rectification
from privacy.rights.actions import RightsError, staff_actor
from privacy.rights.forms import (
    CodeForm,
    DecisionForm,
    LinkForm,
    ReasonForm,
    RectifyForm,
    RequestForm,
    StaffLogForm,
    jurisdiction_code,
)
from privacy.rights.identity import CodeCheck, check_code, issue_code, password_confirms
from privacy.rights.models import (
    Channel,
    CodePurpose,
    DecisionKind,
    RequestContact,
    RequesterKind,
    Right,
    RightsRequest,
    Status,
)
from privacy.vault.responses import content_disposition, encrypted_file_response

NEUTRAL = _(
    "Thank you. If an account uses the address you gave, we have sent a one-time code to the "
    "address on that account. Enter it below to confirm the request."
)


def _customer(request: HttpRequest) -> Any | None:
    user = request.user
    if user.is_authenticated and getattr(user, "role", "") == "customer":
        return user
    return None


@require_http_methods(["GET", "POST"])
def center(request: HttpRequest) -> HttpResponse:
    customer = _customer(request)
    form = RequestForm(request.POST or None, request.FILES or None, signed_in=customer is not None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        exempt = actions.needs_no_verification(data["right"], data["purpose"])
        if customer is not None and not exempt and not password_confirms(customer, data["password"]):
            form.add_error("password", _("That is not your password."))
        else:
            try:
                filed = actions.file_request(
                    right=data["right"],
                    jurisdiction=jurisdiction_code(data["jurisdiction"]),
                    email=data.get("email", ""),
                    details=data["details"],
                    purpose=data["purpose"],
                    requester_kind=data.get("requester_kind", RequesterKind.SUBJECT),
                    account_identifier=data.get("account_identifier", ""),
                    reauthenticated_user=customer,
                    language=get_language() or "en",
                    proof_description=data.get("proof_description", ""),
                    proof_file=data.get("proof_file"),
                )
            except RightsError as problem:
                form.add_error(None, str(problem))
            else:
                done = execution.proceed(request=filed.request)
                if done.right == Right.ERASURE and done.status == Status.CLOSED and customer is not None:
                    logout(request)
                return HttpResponseRedirect(reverse("rights:status", args=[filed.request.id]), status=303)
    mine = (
        RightsRequest.objects.filter(subject_id=customer.subject_id).order_by("-received_at")[:20]
        if customer is not None
        else []
    )
    return render(
        request, "rights/center.html", {"form": form, "mine": mine, "signed_in": customer is not None}
    )


def _request_or_404(pk: UUID) -> RightsRequest:
    return get_object_or_404(RightsRequest, pk=pk)


@require_GET
def status(request: HttpRequest, pk: UUID) -> HttpResponse:
    rights_request = _request_or_404(pk)
    context = {
        "req": rights_request,
        "code_form": CodeForm(),
        "neutral": NEUTRAL if rights_request.status == Status.VERIFYING else "",
    }
    return render(request, "rights/status.html", context)


@require_POST
def verify(request: HttpRequest, pk: UUID) -> HttpResponse:
    rights_request = _request_or_404(pk)
    form = CodeForm(request.POST)
    result = CodeCheck.WRONG
    if form.is_valid():
        result = actions.verify_with_code(request=rights_request, code=form.cleaned_data["code"])
    if result is CodeCheck.OK:
        execution.proceed(request=rights_request)
        messages.success(request, _("Thank you: your request is verified."))
    else:
        messages.error(request, _code_message(result))
    return HttpResponseRedirect(reverse("rights:status", args=[rights_request.id]), status=303)


def _code_message(result: CodeCheck) -> str:
    if result is CodeCheck.EXPIRED:
        return _("That code has expired. Ask for a new one.")
    if result is CodeCheck.LOCKED:
        return _("Too many wrong codes. Ask for a new one.")
    return _("That code is not right.")


@require_POST
def resend(request: HttpRequest, pk: UUID) -> HttpResponse:
    rights_request = _request_or_404(pk)
    actions.resend_code(request=rights_request)
    messages.info(request, NEUTRAL)
    return HttpResponseRedirect(reverse("rights:status", args=[rights_request.id]), status=303)


# --- Download ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def download(request: HttpRequest, token: str) -> HttpResponseBase:
    delivery = execution.delivery_for(token)
    if delivery is None or not execution.delivery_open(delivery):
        raise Http404
    rights_request = delivery.request
    user = request.user
    own_account = user.is_authenticated and getattr(user, "subject_id", None) == delivery.subject_id
    by_subject = rights_request.requester_kind == RequesterKind.SUBJECT
    if user.is_authenticated and not own_account:
        raise Http404  # another customer's link, or staff: the same as no link at all
    error = ""
    if request.method == "POST":
        verb = request.POST.get("action", "")
        if verb == "download" and own_account and by_subject:
            return _stream(delivery)
        if verb == "send":
            code = issue_code(rights_request, purpose=CodePurpose.DOWNLOAD)
            if code is not None:
                transaction.on_commit(
                    partial(emails.send_code, request_id=rights_request.id, code=code, purpose="download")
                )
            messages.info(request, _("We have sent a code to the address we answer at."))
            return HttpResponseRedirect(request.path, status=303)
        if verb == "code":
            form = CodeForm(request.POST)
            result = CodeCheck.WRONG
            if form.is_valid():
                with transaction.atomic():
                    result = check_code(
                        rights_request, form.cleaned_data["code"], purpose=CodePurpose.DOWNLOAD
                    )
            if result is CodeCheck.OK:
                return _stream(delivery)
            error = _code_message(result)
    context = {
        "delivery": delivery,
        "req": rights_request,
        "signed_in_owner": own_account and by_subject,
        "code_form": CodeForm(),
        "error": error,
    }
    return render(request, "rights/download.html", context)


def _stream(delivery: Any) -> HttpResponseBase:
    try:
        file = execution.take_delivery(delivery=delivery, actor="requester")
    except RightsError:
        raise Http404 from None
    response = StreamingHttpResponse(execution.stream_once(delivery.pk, file), content_type="application/zip")
    response["Content-Length"] = str(file.size)
    response["Content-Disposition"] = content_disposition("attachment", execution.download_filename(delivery))
    response["Cache-Control"] = "private, no-store"
    return response


# --- Staff ---------------------------------------------------------------------------------------


def _officer(request: HttpRequest) -> None:
    if not queries.may_handle_requests(request.user):
        raise PermissionDenied


@require_GET
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    _officer(request)
    rows = queries.staff_queue(include_closed=request.GET.get("all") == "1")
    return render(request, "rights/queue.html", {"rows": rows, "today": timezone.now().date()})


@require_http_methods(["GET", "POST"])
@login_required
def log_request(request: HttpRequest) -> HttpResponse:
    _officer(request)
    form = StaffLogForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        received = dt.datetime.combine(data["received_on"], dt.time(12), tzinfo=dt.UTC)
        try:
            filed = actions.file_request(
                right=data["right"],
                jurisdiction=jurisdiction_code(data["jurisdiction"]),
                email=data["email"],
                details=data["details"],
                purpose=data["purpose"],
                requester_kind=data["requester_kind"],
                account_identifier=data["account_identifier"],
                channel=data["channel"],
                proof_description=data["proof_description"],
                proof_file=data.get("proof_file"),
                received_at=min(received, timezone.now()),
                actor=staff_actor(request.user),
            )
        except RightsError as problem:
            form.add_error(None, str(problem))
        else:
            return HttpResponseRedirect(reverse("rights:detail", args=[filed.request.id]), status=303)
    return render(request, "rights/log.html", {"form": form})


@require_http_methods(["GET", "POST"])
@login_required
def detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    _officer(request)
    rights_request = _request_or_404(pk)
    if request.method == "POST":
        return _staff_step(request, rights_request)
    context = {
        "req": rights_request,
        "plan": queries.deadline_plan(rights_request),
        "events": queries.history(rights_request),
        "decision_form": DecisionForm(),
        "reason_form": ReasonForm(),
        "link_form": LinkForm(),
        "contact": rectification.contact_summary(rights_request),
        "rectify_form": RectifyForm(targets=rectification.targets(rights_request))
        if rights_request.right == Right.RECTIFICATION and rights_request.subject_id
        else None,
    }
    return render(request, "rights/detail.html", context)


def _staff_step(request: HttpRequest, rights_request: RightsRequest) -> HttpResponse:
    actor = staff_actor(request.user)
    verb = request.POST.get("action", "")
    try:
        if verb == "execute":
            execution.execute_request(request=rights_request, actor=actor)
        elif verb in ("guardianship", "identity", "objection", "child_account"):
            form = DecisionForm(request.POST)
            if not form.is_valid():
                raise RightsError("invalid", _("Choose a decision and write the reasons."))
            upheld, reasons = form.cleaned_data["upheld"], form.cleaned_data["reasons"]
            if verb == "objection":
                execution.execute_request(request=rights_request, actor=actor, upheld=upheld, reasons=reasons)
            elif verb == "child_account":
                execution.decide_child_report(
                    request=rights_request, confirmed=upheld, reasons=reasons, actor=actor
                )
            else:
                kind = DecisionKind.GUARDIANSHIP if verb == "guardianship" else DecisionKind.IDENTITY
                actions.decide(request=rights_request, kind=kind, upheld=upheld, reasons=reasons, actor=actor)
        elif verb in ("extend", "reject", "restrict"):
            reason_form = ReasonForm(request.POST)
            if not reason_form.is_valid():
                raise RightsError("invalid", _("Write the reason."))
            reason = reason_form.cleaned_data["reason"]
            if verb == "extend":
                actions.extend_deadline(request=rights_request, reason=reason, actor=actor)
            else:
                actions.reject_request(request=rights_request, reasons=reason, actor=actor)
        elif verb == "link":
            link_form = LinkForm(request.POST)
            if not link_form.is_valid() or not actions.link_account(
                request=rights_request,
                account_identifier=link_form.cleaned_data["account_identifier"],
                actor=actor,
            ):
                raise RightsError("no_account", _("No account matches."))
        elif verb == "rectify":
            rectify_form = RectifyForm(request.POST, targets=rectification.targets(rights_request))
            if not rectify_form.is_valid():
                raise RightsError("invalid", _("Choose a field and give the corrected value."))
            rectification.apply(
                request=rights_request,
                target=rectify_form.cleaned_data["target"],
                value=rectify_form.cleaned_data["value"],
                actor=actor,
            )
        else:
            raise RightsError("unknown", _("Unknown step."))
    except RightsError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, _("Done."))
    return HttpResponseRedirect(reverse("rights:detail", args=[rights_request.id]), status=303)


@require_GET
@login_required
def proof(request: HttpRequest, pk: UUID) -> HttpResponseBase:
    """The document a guardian or agent attached, for the officer deciding on it."""
    _officer(request)
    contact = RequestContact.objects.filter(request_id=pk).first()
    if contact is None or not contact.proof_file:
        raise Http404
    return encrypted_file_response(
        request, contact.proof_file, content_type="application/octet-stream", filename="proof"
    )


@require_GET
@login_required
def history(request: HttpRequest, pk: UUID) -> HttpResponse:
    _officer(request)
    rights_request = _request_or_404(pk)
    context = {
        "req": rights_request,
        "plan": queries.deadline_plan(rights_request),
        "events": queries.history(rights_request),
        "decisions": list(rights_request.decisions.all()),
        "printed_at": timezone.now(),
        "channel": Channel(rights_request.channel).label,
    }
    return render(request, "rights/history.html", context)
