"""The opt-in box (account page) and the one-click unsubscribe link. HTTP only.

The unsubscribe URL works without logging in: its token is the authority. A GET shows a
button and changes nothing (mail scanners fetch links); a POST — the button, or a mail
client's RFC 8058 one-click request, which carries no CSRF token — withdraws at once. A
forged token gets a 404 and changes nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from accounts.queries import is_customer
from marketing import actions
from marketing.emails import subject_from_token
from marketing.queries import WORDING, subscription_of


@login_required
@require_POST
def subscription(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # login_required
    target = reverse("accounts:account") + "#marketing"
    if not is_customer(user):
        messages.error(request, _("Only customers receive marketing e-mails."))
        return HttpResponseRedirect(target)
    wanted = request.POST.get("marketing") == "yes"
    current = subscription_of(user)
    if wanted and not current.subscribed:
        try:
            actions.subscribe(customer=user, wording=str(WORDING), language=get_language() or "en")
        except actions.MarketingError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("You will receive our marketing e-mails. Unsubscribe at any time."))
    elif not wanted and current.subscribed:
        actions.unsubscribe(
            subject_id=user.subject_id, method="account_page", actor=f"subject:{user.subject_id}"
        )
        messages.success(request, _("You are unsubscribed: we send you no more marketing e-mails."))
    return HttpResponseRedirect(target)


# RFC 8058: the mail client's one-click POST carries no CSRF token; the signed token is the authority.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    subject_id = subject_from_token(token)
    if subject_id is None:
        return render(request, "marketing/unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        actions.unsubscribe(subject_id=subject_id, method="unsubscribe_link")
        return render(request, "marketing/unsubscribe.html", {"done": True})
    return render(request, "marketing/unsubscribe.html", {"done": False})
