"""One flow for a choice made over HTTP, shared by the HTML form, the JSON API and the
middleware: read who is choosing from the request, call the action, put the new consent
in force for the rest of the request (its cookie goes out with the response).

This is where HTTP meets the actions, so that actions.py stays free of requests.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from django.http import HttpRequest

from privacy.consent import actions
from privacy.consent.banner import state_of
from privacy.consent.models import CHOSEN_METHODS, ConsentRecord, Method
from privacy.consent.state import ConsentState, client_ip
from privacy.consent.wording import BannerVersion, banner_text, language_of


class BannerChanged(Exception):
    """The choice names a banner text that this request would not show: ask again."""


def circumstances_for(request: HttpRequest, state: ConsentState) -> actions.Circumstances:
    """Who is choosing and where, as a record keeps it."""
    user = getattr(request, "user", None)
    logged_in = bool(user is not None and user.is_authenticated)
    known = state.payload or state.previous
    return actions.Circumstances(
        language=language_of(getattr(request, "LANGUAGE_CODE", None)),
        visitor_id=known.visitor_id if known else None,
        subject_id=getattr(user, "subject_id", None) if logged_in else None,
        supersedes=known.consent_id if known else None,
        previously_granted=state.payload.granted if state.payload else frozenset(),
        gpc=state.gpc,
        gpc_source="header" if state.gpc else "",
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        country=state.country,
    )


def issue_for(request: HttpRequest, state: ConsentState, record: ConsentRecord) -> None:
    """Put a freshly written record in force for this request and send its cookie."""
    user = getattr(request, "user", None)
    account = str(user.pk) if user is not None and user.is_authenticated else ""
    state.adopt(actions.payload_for(record, account=account))


def shown_banner(request: HttpRequest, state: ConsentState, claimed: str | None) -> BannerVersion:
    """The banner text the visitor saw: the variant whose hash they send back, or, when they
    send none (an API client), the variant this request shows."""
    lang = language_of(getattr(request, "LANGUAGE_CODE", None))
    variants = [
        banner_text(state.decl, lang, opt_out_note=note, gpc=gpc)
        for note in (False, True)
        for gpc in (False, True)
    ]
    if not claimed:
        return banner_text(
            state.decl, lang, opt_out_note=state.needs_choice and state.model == "opt_out", gpc=state.gpc
        )
    for variant in variants:
        if variant.hash == claimed:
            return variant
    raise BannerChanged(claimed)


def record_choice_for(
    request: HttpRequest,
    *,
    method: str,
    categories: Iterable[str] | None,
    banner: str | None,
    gpc_script: bool = False,
) -> ConsentRecord:
    """Record the visitor's choice and put it in force. Raises ConsentError for an unknown
    method or category, BannerChanged for a banner text that is no longer shown."""
    if method not in CHOSEN_METHODS and method != Method.GPC:
        raise actions.ConsentError(f"Unknown method {method!r}")
    state = state_of(request)
    circumstances = circumstances_for(request, state)
    if gpc_script and not state.gpc:
        circumstances = replace(circumstances, gpc=True, gpc_source="script")
    chosen = Method(method)
    if chosen == Method.GPC:
        # A GPC signal seen only by the page's script: it takes back what GPC covers, and
        # nothing else; without such a grant in force there is nothing for it to decide.
        if state.payload is None or not state.payload.granted & state.decl.gpc_categories:
            raise actions.ConsentError("Global Privacy Control has nothing to take back here")
        categories = state.payload.granted
        circumstances = replace(circumstances, gpc=True, gpc_source=circumstances.gpc_source or "script")
    record = actions.record_choice(
        method=chosen,
        categories=categories,
        circumstances=replace(circumstances, banner=shown_banner(request, state, banner)),
    )
    issue_for(request, state, record)
    return record
