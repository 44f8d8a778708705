"""What the banner and the settings panel show for one request: the same panel serves the
first-visit banner, the dialog that "Cookie settings" reopens, the no-JavaScript settings
page and the JSON API's description of the current choice."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.http import HttpRequest

from privacy.consent.declaration import CONSENT_MODE_SIGNALS, CookieDeclaration
from privacy.consent.state import ConsentState, read_state
from privacy.consent.wording import WORDS, BannerVersion, Lang, banner_text, duration_words, language_of, pick


@dataclass(frozen=True)
class CookieRow:
    name: str
    provider: str
    purpose: str
    duration: str


@dataclass(frozen=True)
class CategoryPanel:
    key: str
    title: str
    description: str
    essential: bool
    checked: bool
    locked: bool  # cannot be switched on here (GPC holds it off)
    cookies: tuple[CookieRow, ...]


def state_of(request: HttpRequest) -> ConsentState:
    state = getattr(request, "consent", None)
    if not isinstance(state, ConsentState):
        state = read_state(request)
        request.consent = state  # type: ignore[attr-defined]
    return state


def banner_version_for(request: HttpRequest, state: ConsentState) -> BannerVersion:
    lang = language_of(getattr(request, "LANGUAGE_CODE", None))
    return banner_text(state.decl, lang, opt_out_note=show_opt_out_note(state), gpc=state.gpc)


def show_opt_out_note(state: ConsentState) -> bool:
    return state.needs_choice and state.model == "opt_out"


def panel_context(request: HttpRequest, *, inline: bool = False) -> dict[str, Any]:
    state = state_of(request)
    decl = state.decl
    lang = language_of(getattr(request, "LANGUAGE_CODE", None))
    chosen = state.granted if state.decided else frozenset()  # nothing pre-ticked before a choice
    categories = []
    for key in decl.categories:
        category = decl.section.categories[key]
        locked = state.gpc and key in decl.gpc_categories
        categories.append(
            CategoryPanel(
                key=key,
                title=pick(category.title, lang),
                description=pick(category.description, lang),
                essential=key in decl.essential,
                checked=key in decl.essential or (key in chosen and not locked),
                locked=locked,
                cookies=tuple(
                    CookieRow(c.name, c.provider, pick(c.purpose, lang), duration_words(c.duration, lang))
                    for c in decl.cookies_of(key)
                ),
            )
        )
    return {
        "w": {key: pick(text, lang) for key, text in WORDS.items()},
        "lang": lang,
        "categories": categories,
        "banner": banner_version_for(request, state),
        "state": state,
        "open": state.needs_choice or inline,
        "inline": inline,
        "opt_out_note": show_opt_out_note(state),
        "gpc": state.gpc,
        "gpc_categories": " ".join(sorted(decl.gpc_categories)),
        "granted": " ".join(sorted(state.granted & frozenset(decl.optional))),
        "can_withdraw": state.decided and bool(state.granted & frozenset(decl.optional)),
        "next": request.get_full_path() if not inline else request.GET.get("next", "/"),
    }


@lru_cache(maxsize=128)
def _consent_mode_json(decl: CookieDeclaration, granted: frozenset[str]) -> tuple[str, str]:
    denied = dict.fromkeys(CONSENT_MODE_SIGNALS, "denied")
    return json.dumps({**denied, "wait_for_update": 500}), json.dumps(decl.consent_mode(granted))


def consent_mode_scripts(state: ConsentState) -> tuple[str, str]:
    """The JSON of the Consent Mode default (all denied) and of the update for this request."""
    return _consent_mode_json(state.decl, state.granted)


def language(request: HttpRequest) -> Lang:
    return language_of(getattr(request, "LANGUAGE_CODE", None))


# keeps: C12, C15, C16 (the banner: accept and reject on one layer, nothing pre-ticked)
