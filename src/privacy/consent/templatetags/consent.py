"""Template tags: the banner, the Consent Mode default, and every tag of a category only
when that category is granted for this request.

    {% load consent %}
    {% consent_head %}                      in <head>, before any other script
    {% consent_banner %}                    once per page (the dialog and its script)
    {% consent_tags %}                      scripts, pixels and beacons of granted categories
    {% consent_widget "share" %}            a widget, or its two-click placeholder
    {% consent_granted "advertising" as ok %}{% if ok %}...{% endif %}
    {% consent_settings_link %}             the footer's "Cookie settings" link
"""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from privacy.consent.banner import consent_mode_scripts, language, panel_context, state_of
from privacy.consent.tags import configured_tags
from privacy.consent.wording import pick, say

register = template.Library()


def _request(context: template.Context) -> HttpRequest | None:
    request = context.get("request")
    return request if isinstance(request, HttpRequest) else None


@register.simple_tag(takes_context=True)
def consent_granted(context: template.Context, category: str) -> bool:
    request = _request(context)
    return bool(request is not None and state_of(request).is_granted(category))


@register.simple_tag(takes_context=True)
def consent_head(context: template.Context) -> SafeString:
    """Consent Mode v2: every signal denied before any tag, then the state for this request."""
    request = _request(context)
    if request is None:
        return mark_safe("")
    state = state_of(request)
    default, update = consent_mode_scripts(state)
    script = (
        "window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}"
        f"gtag('consent','default',{default});gtag('consent','update',{update});"
    )
    return format_html(
        '<script nonce="{}">{}</script>\n  <link rel="stylesheet" href="{}">',
        state.nonce,
        mark_safe(script),  # noqa: S308 - JSON built from the declaration's signal names
        static("consent/banner.css"),
    )


@register.simple_tag(takes_context=True)
def consent_banner(context: template.Context) -> SafeString:
    request = _request(context)
    if request is None:
        return mark_safe("")
    script = format_html('<script src="{}" defer></script>', static("consent/banner.js"))
    if state_of(request).inline_panel:  # the settings page shows the panel in its content
        return script
    get_token(request)  # the form and the script both post with the CSRF token
    html = render_to_string("consent/banner.html", panel_context(request), request=request)
    return format_html("{}\n{}", mark_safe(html), script)  # noqa: S308 - our own template, escaped


@register.simple_tag(takes_context=True)
def consent_settings_link(context: template.Context) -> SafeString:
    request = _request(context)
    if request is None:
        return mark_safe("")
    lang = language(request)
    from django.urls import reverse

    return format_html(
        '<a href="{}" data-cc-open>{}</a><span class="cc-honored" data-cc-honored{}>{}</span>',
        reverse("consent:settings"),
        say("settings_link", lang),
        "" if state_of(request).gpc else mark_safe(" hidden"),
        say("gpc_honored", lang),
    )


@register.simple_tag(takes_context=True)
def consent_tags(context: template.Context) -> SafeString:
    """Every script, pixel and beacon of a granted category; nothing of the others."""
    request = _request(context)
    if request is None:
        return mark_safe("")
    state = state_of(request)
    parts: list[tuple[str, ...]] = []
    for tag in configured_tags(state.decl):
        if not state.is_granted(tag.category):
            continue
        if tag.kind == "script":
            parts.append(('<script src="{}" async data-category="{}"></script>', tag.src, tag.category))
        elif tag.kind == "pixel":
            parts.append(
                (
                    '<img src="{}" alt="" width="1" height="1" class="cc-px" data-category="{}">',
                    tag.src,
                    tag.category,
                )
            )
        elif tag.kind == "beacon":
            parts.append(
                (
                    '<script src="{}" defer data-endpoint="{}" data-category="{}"></script>',
                    static("consent/beacon.js"),
                    tag.src,
                    tag.category,
                )
            )
    return format_html_join("\n", "{}", ((format_html(part[0], *part[1:]),) for part in parts))


@register.simple_tag(takes_context=True)
def consent_widget(context: template.Context, name: str) -> SafeString:
    """A social widget when its category is granted; otherwise a placeholder whose first
    click switches the category on (the second click is the widget's own)."""
    request = _request(context)
    if request is None:
        return mark_safe("")
    state = state_of(request)
    found = next(
        (tag for tag in configured_tags(state.decl) if tag.name == name and tag.kind == "widget"), None
    )
    if found is None:
        return mark_safe("")
    if state.is_granted(found.category):
        return format_html(
            '<iframe src="{}" title="{}" class="cc-widget-frame" loading="lazy" data-category="{}"></iframe>',
            found.src,
            found.title or found.name,
            found.category,
        )
    lang = language(request)
    category = state.decl.section.categories[found.category]
    context_: dict[str, Any] = {
        "tag": found,
        "intro": say("widget_intro", lang).format(
            provider=found.provider, what=found.title or found.name, category=pick(category.title, lang)
        ),
        "load": say("widget_load", lang).format(what=found.title or found.name),
        "blocked": say("widget_gpc", lang).format(what=found.title or found.name)
        if state.gpc and found.category in state.decl.gpc_categories
        else "",
        "keep": sorted(state.granted - state.decl.essential) if state.decided else [],
        "next": request.get_full_path(),
    }
    get_token(request)
    return mark_safe(render_to_string("consent/widget.html", context_, request=request))  # noqa: S308
