"""The published privacy policy and cookie notice, rendered from the declaration.

The document itself (some 8,000 template nodes, most through `urlize`) does not depend on
who asks: it is rendered once per loaded declaration, language and notice and kept in the
process, and each response only wraps it in the page (`bench.pages` measured 51 ms of CPU
per view before, the cost of the minimal page after).
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from privacy.policy.document import Document, Lang, Notice
from privacy.policy.loader import PolicyInvalid, current_policy
from privacy.policy.render import DJANGO_LANGUAGE, LANGUAGE_NAMES, build_document, language_for, localized
from privacy.policy.schema import Policy
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
        document, body = _document(policy, lang, notice)
        other: Notice = "cookies" if notice == "privacy" else "privacy"
        other_title = word("cookie_notice", lang) if other == "cookies" else localized(policy.title, lang)
        response = render(
            request,
            "policy/page.html",
            {
                "doc": document,
                "document_html": body,
                "languages": [_language_link(option, lang) for option in LANGUAGE_NAMES],
                "companion": {"url": f"{reverse(f'policy:{other}')}?lang={lang}", "title": other_title},
            },
        )
    response.headers["Content-Language"] = code
    return response


# (lang, notice) -> (the declaration it was rendered from, its document, the document's HTML)
_rendered: dict[tuple[Lang, Notice], tuple[Policy, Document, SafeString]] = {}


def _document(policy: Policy, lang: Lang, notice: Notice) -> tuple[Document, SafeString]:
    """The notice's document and its HTML, rendered once per declaration (compared by identity:
    a reloaded declaration is a new object)."""
    kept = _rendered.get((lang, notice))
    if kept is not None and kept[0] is policy:
        return kept[1], kept[2]
    document = build_document(policy, lang=lang, notice=notice)
    body = mark_safe(render_to_string("policy/document.html", {"doc": document}))  # noqa: S308 (our template)
    _rendered[(lang, notice)] = (policy, document, body)
    return document, body


def _language_link(option: Lang, current: Lang) -> dict[str, object]:
    return {
        "query": f"?lang={option}",
        "hreflang": "zh-Hans" if option == "zh" else "en",
        "name": LANGUAGE_NAMES[option],
        "current": option == current,
    }


# keeps: C28, C44 (the latest policy, published from the declaration)
