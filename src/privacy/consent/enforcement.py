"""What the server does to every response so that only granted categories can act.

- Content-Security-Policy: scripts, images, connections and frames may reach only the
  site itself and the third-party origins of the granted categories. Inline scripts run
  only with the response's nonce (the Consent Mode default is one of them).
- Cookies: a Set-Cookie of a category that is not granted is removed from the response,
  and every cookie the browser sent of a category that is not granted (withdrawn, or
  never given) is deleted by this very response.

The policy string per set of granted categories is built once and cached; a response
only formats the nonce into it.
"""

from __future__ import annotations

from functools import lru_cache

from django.http import HttpRequest, HttpResponseBase

from privacy.consent.declaration import CookieDeclaration, forget_declaration
from privacy.consent.state import COOKIE_NAME, ConsentState
from privacy.consent.tags import tag_origins

CSP_HEADER = "Content-Security-Policy"


@lru_cache(maxsize=256)
def _policy_template(decl: CookieDeclaration, granted: frozenset[str], origins_key: tuple[str, ...]) -> str:
    origins = " ".join(origins_key)
    extra = f" {origins}" if origins else ""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' 'nonce-{nonce}'" + extra,
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:" + extra,
            "connect-src 'self'" + extra,
            "frame-src " + (origins or "'none'"),
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


@lru_cache(maxsize=64)
def _origins_for(decl: CookieDeclaration, granted: frozenset[str]) -> tuple[str, ...]:
    per_category = tag_origins(decl)
    return tuple(sorted({origin for key in granted for origin in per_category.get(key, ())}))


def forget_derived(*, setting: str = "", **kwargs: object) -> None:
    """Drop what was derived from settings and the declaration (after a setting changes)."""
    if setting and not setting.startswith("PLEDGE_"):
        return
    _origins_for.cache_clear()
    _policy_template.cache_clear()
    forget_declaration()


def allowed_origins(decl: CookieDeclaration, granted: frozenset[str]) -> tuple[str, ...]:
    return _origins_for(decl, granted)


def content_security_policy(state: ConsentState) -> str:
    granted = state.granted
    origins = _origins_for(state.decl, granted)
    return _policy_template(state.decl, granted, origins).replace("{nonce}", state.nonce)


def apply_csp(response: HttpResponseBase, state: ConsentState) -> None:
    ours = content_security_policy(state)
    theirs = response.get(CSP_HEADER)
    # Two policies in one header are both enforced: a view's stricter policy stays in force.
    response[CSP_HEADER] = f"{theirs}, {ours}" if theirs else ours


def _is_deletion(morsel_max_age: object, expires: object) -> bool:
    return str(morsel_max_age) == "0" or "1970" in str(expires)


def enforce_cookies(request: HttpRequest, response: HttpResponseBase, state: ConsentState) -> list[str]:
    """Strip and delete cookies of categories that are not granted; the names deleted."""
    decl = state.decl
    granted = state.granted
    for name in list(response.cookies):
        category = decl.category_of(name)
        morsel = response.cookies[name]
        if (
            category is not None
            and category not in granted
            and not _is_deletion(morsel["max-age"], morsel["expires"])
        ):
            del response.cookies[name]
    deleted = []
    for name in request.COOKIES:
        if name == COOKIE_NAME or name in response.cookies:
            continue
        category = decl.category_of(name)
        if category is not None and category not in granted:
            response.delete_cookie(name, path="/", samesite="Lax")
            deleted.append(name)
    return deleted


# keeps: C9, C13, C14, C15, C20, C21 (non-essential tags, cookies and origins only when granted)
