"""The published privacy policy and cookie notice, rendered from the declaration."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation

from privacy.policy.document import Lang, Notice
from privacy.policy.loader import PolicyInvalid, current_policy
from privacy.policy.render import DJANGO_LANGUAGE, LANGUAGE_NAMES, build_document, language_for, localized
from privacy.policy.wording import word

logger = logging.getLogger(__name__)


def privacy(request: HttpRequest) -> HttpResponse:
    return _notice(request, "privacy")


def cookies(request: HttpRequest) -> HttpResponse:
    return _notice(request, "cookies")


def _notice(request: HttpRequest, notice: Notice) -> HttpResponse:
    lang = language_for(request.GET.get("lang")) or language_for(translation.get_language()) or "en"
    try:
        policy = current_policy()
    except PolicyInvalid as exc:
        logger.error("The privacy policy cannot be published: %s", exc)
        return HttpResponse(
            "The privacy policy is unavailable for a moment. Please write to us if you need it now.",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    code = DJANGO_LANGUAGE[lang]
    with translation.override(code):
        document = build_document(policy, lang=lang, notice=notice)
        other: Notice = "cookies" if notice == "privacy" else "privacy"
        other_title = word("cookie_notice", lang) if other == "cookies" else localized(policy.title, lang)
        response = render(
            request,
            "policy/page.html",
            {
                "doc": document,
                "languages": [_language_link(option, lang) for option in LANGUAGE_NAMES],
                "companion": {"url": f"{reverse(f'policy:{other}')}?lang={lang}", "title": other_title},
            },
        )
    response.headers["Content-Language"] = code
    return response


def _language_link(option: Lang, current: Lang) -> dict[str, object]:
    return {
        "query": f"?lang={option}",
        "hreflang": "zh-Hans" if option == "zh" else "en",
        "name": LANGUAGE_NAMES[option],
        "current": option == current,
    }


# keeps: C28, C44 (the latest policy, published from the declaration)
