"""The consent check in the request path.

On the way in, `request.consent` is read from the signed cookie (no database). Three
rare cases write a record before the view runs, each once:
- the consent has passed its maximum age: a lapse is recorded and the banner asks again;
- the request carries Sec-GPC: 1 while the consent in force grants a category GPC opts
  out of: a "gpc" record takes it back (GPC alone decided);
- a logged-in customer's browser has not been reconciled with their account recently:
  the account's newer choice from another device is adopted here.
On the way out, the response gets its Content-Security-Policy, the cookies of categories
not granted are stripped and deleted, and a new consent cookie is set when one was issued.

Measuring the cost: bench/ times the same anonymous request with and without this
middleware (`PLEDGE_CONSENT_CHECK=False` leaves it installed but inert); the common path is
one HMAC check, a few set operations and one string format.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import replace

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_vary_headers

from privacy.consent import actions, queries
from privacy.consent import state as consent_state
from privacy.consent.enforcement import apply_csp, enforce_cookies
from privacy.consent.flows import circumstances_for, issue_for
from privacy.consent.models import Method
from privacy.consent.state import COOKIE_NAME, ConsentState, epoch, now, read_state

logger = logging.getLogger(__name__)

# The consent cookie lives exactly as long as the consent (the declaration's duration for
# pledge_consent). A lapse is recorded by `pledge consent expire` (daily), or here when a
# browser still presents the cookie after its expiry (a clock that is off).


class ConsentMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not getattr(settings, "PLEDGE_CONSENT_CHECK", True):
            return self.get_response(request)
        state = read_state(request)
        request.consent = state  # type: ignore[attr-defined]
        if state.previous is not None or state.gpc or settings.SESSION_COOKIE_NAME in request.COOKIES:
            self._reconcile(request, state)
        response = self.get_response(request)
        state = request.consent  # type: ignore[attr-defined]  # a view may have issued a new consent
        enforce_cookies(request, response, state)
        apply_csp(response, state)
        if state.issue is not None:
            payload = state.issue
            response.set_cookie(
                COOKIE_NAME,
                payload.encode(),
                max_age=max(0, payload.expires - int(consent_state.clock())),
                path="/",
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        patch_vary_headers(response, ("Cookie", "Sec-GPC"))
        return response

    def _reconcile(self, request: HttpRequest, state: ConsentState) -> None:
        """The rare cases that write before the view runs (see the module's docstring)."""
        try:
            self._lapse(request, state)
            self._follow_account(request, state)
            self._honour_gpc(request, state)
        except DatabaseError:
            # Proof that cannot be written must not take the page down: what is granted
            # is still decided by the cookie and the defaults, which are safe.
            logger.exception("consent: could not reconcile the consent of this request")

    def _lapse(self, request: HttpRequest, state: ConsentState) -> None:
        previous = state.previous
        if previous is None or previous.method == Method.EXPIRED or previous.tag != state.decl.tag:
            return
        if previous.expires > consent_state.clock():
            return
        record = actions.expire_consent(lapsed=previous, circumstances=circumstances_for(request, state))
        issue_for(request, state, record)  # a lapse marker is not a choice: the banner asks

    def _follow_account(self, request: HttpRequest, state: ConsentState) -> None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return
        payload = state.payload
        sync_every = int(getattr(settings, "PLEDGE_CONSENT_ACCOUNT_SYNC_SECONDS", 300))
        if (
            payload is not None
            and payload.account == str(user.pk)
            and consent_state.clock() - payload.issued < sync_every
        ):
            return
        at = now()
        record = queries.subject_consent_in_force(user.subject_id, state.decl, at)
        if record is not None and (payload is None or epoch(record.created_at) > payload.chosen):
            # The device follows the account's choice, but keeps a visitor id of its own.
            known = payload or state.previous
            adopted = actions.payload_for(record, account=str(user.pk), issued=at)
            state.adopt(replace(adopted, visitor_id=known.visitor_id if known else uuid.uuid4()))
        elif payload is not None:
            state.adopt(replace(payload, account=str(user.pk), issued=epoch(at)))

    def _honour_gpc(self, request: HttpRequest, state: ConsentState) -> None:
        # Until it is recorded, the signal already holds the categories off for every
        # request (ConsentState.granted); it is recorded on a page view, not mid-form.
        payload = state.payload
        if not state.gpc or payload is None or not (payload.granted & state.decl.gpc_categories):
            return
        if request.method not in ("GET", "HEAD"):
            return
        record = actions.record_choice(
            method=Method.GPC,
            categories=payload.granted,
            circumstances=circumstances_for(request, state),
        )
        issue_for(request, state, record)
