"""HTML: the cookie settings page (also the banner's no-JavaScript form target), the
privacy officer's consent report, and the e-mail open pixel."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from privacy.consent import charts, flows, pixels, queries
from privacy.consent.actions import ConsentError
from privacy.consent.banner import language, panel_context, state_of
from privacy.consent.models import Method
from privacy.consent.state import now
from privacy.consent.wording import pick


@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _record(request)
    state = state_of(request)
    state.inline_panel = True
    context = panel_context(request, inline=True)
    context["saved"] = request.GET.get("saved") == "1"
    return render(request, "consent/settings.html", context)


def _record(request: HttpRequest) -> HttpResponse:
    try:
        flows.record_choice_for(
            request,
            method=request.POST.get("method", ""),
            categories=request.POST.getlist("category"),
            banner=request.POST.get("banner"),
        )
    except ConsentError as problem:
        return HttpResponseBadRequest(str(problem))
    except flows.BannerChanged:
        # The text the visitor answered is no longer the one shown: show it and ask again.
        return HttpResponseRedirect(reverse("consent:settings"), status=303)
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if not target or not safe or target.startswith(reverse("consent:settings")):
        target = reverse("consent:settings") + "?saved=1"
    return HttpResponseRedirect(target, status=303)


@require_GET
@login_required
def report(request: HttpRequest) -> HttpResponse:
    if not queries.is_privacy_officer(request.user):
        raise PermissionDenied
    try:
        days = max(1, min(366, int(request.GET.get("days", "30"))))
    except ValueError:
        days = 30
    state = state_of(request)
    decl = state.decl
    lang = language(request)
    until = now().date()
    rates = queries.consent_rates(decl, since=until - dt.timedelta(days=days - 1), until=until)
    categories = [(key, pick(decl.section.categories[key].title, lang)) for key in decl.optional]
    methods = [(m.value, str(m.label)) for m in Method]
    rows = [
        (
            day,
            [f"{day.rate(key):.0%}" if day.choices else "–" for key, _ in categories]
            + [day.by_method.get(key, 0) for key, _ in methods],
        )
        for day in rates
    ]
    context = {
        "rows": rows,
        "period": days,
        "categories": categories,
        "methods": methods,
        "rate_chart": charts.rate_chart(rates, categories, title="Share of choices granting each category"),
        "method_chart": charts.method_chart(rates, methods, title="Consent records per method"),
    }
    return render(request, "consent/report.html", context)


@require_GET
def email_open(request: HttpRequest, token: str) -> HttpResponse:
    pixels.register_open(token)
    return HttpResponse(pixels.GIF, content_type="image/gif", headers={"Cache-Control": "no-store"})
