"""The declaration, written out as the published privacy policy or cookie notice.

Each section of the declaration names the keys that carry its content; a renderer per key
shape turns that part of the declaration into blocks (paragraphs, tables, lists) in one
language. The words around the data (table headings, "after the order is completed")
live here in both languages, because they are the page's wording, not the policy's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel

from privacy.policy.document import Block, Bullets, Document, Heading, Lang, Notice, Paragraph, Table, Terms
from privacy.policy.durations import Duration
from privacy.policy.schema import Policy, Representative, Section, Text, section_anchor
from privacy.policy.wording import word

DJANGO_LANGUAGE: dict[Lang, str] = {"en": "en", "zh": "zh-hans"}
LANGUAGE_NAMES: dict[Lang, str] = {"en": "English", "zh": "简体中文"}


def language_for(code: str | None) -> Lang | None:
    """ "zh", "zh-hans", "zh-CN" -> "zh"; "en", "en-GB" -> "en"; anything else -> None."""
    if not code:
        return None
    code = code.strip().lower().replace("_", "-")
    if code == "zh" or code.startswith(("zh-hans", "zh-cn", "zh-sg")):
        return "zh"
    if code == "en" or code.startswith("en-"):
        return "en"
    return None


def build_document(policy: Policy, *, lang: Lang, notice: Notice = "privacy") -> Document:
    """The privacy policy (every section) or the cookie notice (its sections), in `lang`."""
    sections = [section for section in policy.sections if notice == "privacy" or section.notice == notice]
    toc = tuple(
        Heading(section.level, _t(section.heading, lang), section_anchor(section)) for section in sections
    )
    blocks: list[Block] = []
    for section, heading in zip(sections, toc, strict=True):
        blocks.append(heading)
        blocks += [Paragraph(_t(text, lang)) for text in section.text]
        for key in section.keys:
            blocks += _blocks_for(policy, section, key, lang)
        blocks += [Paragraph(_t(text, lang)) for text in section.text_after]
    title = _t(policy.title, lang) if notice == "privacy" else word("cookie_notice", lang)
    version = policy.version if notice == "privacy" else policy.cookies.version
    return Document(
        lang=lang,
        html_lang=DJANGO_LANGUAGE[lang],
        notice=notice,
        title=title,
        meta=(
            (word("version", lang), version),
            (word("effective", lang), format_date(policy.effective_date, lang)),
            ("", _t(policy.last_updated_label, lang)),
        ),
        effective_date_iso=policy.effective_date.isoformat(),
        contents_label=word("contents", lang),
        toc=toc,
        blocks=tuple(blocks),
    )


def format_date(day: dt.date, lang: Lang) -> str:
    if lang == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {day:%B} {day.year}"


def localized(text: Text, lang: Lang) -> str:
    return text.zh if lang == "zh" else text.en


_t = localized


def _join(items: Iterable[str], lang: Lang) -> str:
    return ("；" if lang == "zh" else "; ").join(items)


# Renderers by key ------------------------------------------------------------------------

Renderer = Callable[[Policy, Section, list[str], Lang], list[Block]]


def _blocks_for(policy: Policy, section: Section, key: str, lang: Lang) -> list[Block]:
    parts = key.split(".")
    for pattern, renderer in _RENDERERS:
        # "?" matches any one key; every other part, "*" included, matches itself.
        if len(pattern) == len(parts) and all(p in ("?", q) for p, q in zip(pattern, parts, strict=True)):
            return renderer(policy, section, parts, lang)
    return _generic(_resolve(policy, parts), lang)


def _resolve(value: Any, parts: list[str]) -> Any:
    for part in parts:
        if isinstance(value, BaseModel):
            value = getattr(value, part, None)
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value


def _generic(value: Any, lang: Lang) -> list[Block]:
    if isinstance(value, Text):
        return [Paragraph(_t(value, lang))]
    if isinstance(value, list) and all(isinstance(item, Text) for item in value):
        return [Bullets(tuple(_t(item, lang) for item in value))] if value else []
    if isinstance(value, str | int | float | dt.date):
        return [Paragraph(str(value))]
    return []


def _summary(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    return [Paragraph(_t(policy.summary, lang))]


def _category_name(policy: Policy, key: str, lang: Lang) -> str:
    label = policy.labels.categories.get(key)
    return _t(label, lang) if label else key


def _contexts(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    rows = []
    for context in policy.contexts.values():
        rows.append(
            (
                (_t(context.title, lang),),
                tuple(_category_name(policy, key, lang) for key in context.categories),
                tuple(_category_name(policy, key, lang) for key in context.required)
                or (word("required_none", lang),),
            )
        )
    headers = (word("context", lang), word("information", lang), word("required", lang))
    return [Table(word("contexts_caption", lang), headers, tuple(rows))]


def _context(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    context = policy.contexts[parts[1]]
    blocks: list[Block] = []
    if sum(key.startswith("contexts.") for key in section.keys) > 1:
        blocks.append(Heading(min(section.level + 1, 6), _t(context.title, lang)))
    blocks.append(Paragraph(_t(context.description, lang)))
    terms = [
        (
            word("collected", lang),
            _join((_category_name(policy, key, lang) for key in context.categories), lang),
        ),
        (
            word("required", lang),
            _join((_category_name(policy, key, lang) for key in context.required), lang)
            or word("required_none", lang),
        ),
        (word("how_collected", lang), word(f"source_{context.source}", lang)),
        (word("used_for", lang), _join(_purpose_titles(policy, context.purposes, lang), lang)),
    ]
    category = policy.cookies.categories.get(context.cookie_category or "")
    if category is not None:
        terms.append((word("consent", lang), word("consent_gate", lang, category=_t(category.title, lang))))
    blocks.append(Terms(tuple(terms)))
    return blocks


def _purpose_titles(policy: Policy, keys: Iterable[str], lang: Lang) -> list[str]:
    return [_t(policy.purposes[key].title, lang) for key in keys if policy.purposes[key].listed_in_policy]


def _purposes(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    rows = []
    for purpose in policy.listed_purposes.values():
        lines = [_t(purpose.title, lang)]
        if purpose.description is not None:
            lines.append(_t(purpose.description, lang))
        basis = [word(f"basis_{purpose.legal_basis}", lang)]
        if purpose.objection_absolute:
            basis.append(word("objection_absolute", lang))
        rows.append((tuple(lines), tuple(basis)))
    blocks: list[Block] = [
        Table(word("purposes_caption", lang), (word("purpose", lang), word("legal_basis", lang)), tuple(rows))
    ]
    added = [purpose for purpose in policy.purposes.values() if not purpose.listed_in_policy]
    if added:
        blocks.append(Paragraph(word("law_added", lang)))
        blocks.append(
            Terms(
                tuple(
                    (_t(purpose.title, lang), word(f"basis_{purpose.legal_basis}", lang)) for purpose in added
                )
            )
        )
    return blocks


def _place(policy: Policy, key: str, lang: Lang) -> str:
    label = policy.labels.places.get(key)
    return _t(label, lang) if label else key


def _safeguard(policy: Policy, key: str, lang: Lang) -> str:
    label = policy.labels.safeguards.get(key)
    return _t(label, lang) if label else key


def _recipients(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    rows = []
    for recipient in policy.recipients.values():
        information = tuple(_category_name(policy, key, lang) for key in recipient.categories)
        if recipient.data_form in ("aggregated", "anonymous"):
            information = (word("aggregated_only", lang),)
        rows.append(
            (
                (_t(recipient.title, lang),),
                (word(f"kind_{recipient.kind}", lang),),
                (_t(recipient.function, lang),),
                information,
                tuple(_place(policy, key, lang) for key in recipient.countries),
                tuple(_safeguard(policy, key, lang) for key in recipient.safeguards),
            )
        )
    headers = tuple(
        word(key, lang) for key in ("recipient", "kind", "function", "information", "countries", "safeguards")
    )
    return [Table(word("recipients_caption", lang), headers, tuple(rows))]


def _transfers(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    rows = []
    for recipient in policy.recipients.values():
        transfer = recipient.transfer
        if transfer is None:
            continue
        gdpr = [word(f"gdpr_{transfer.gdpr_mechanism}", lang)]
        if transfer.scc_reference:
            gdpr.append(transfer.scc_reference)
        pipl = [word(f"pipl_{transfer.pipl_mechanism}", lang)]
        if transfer.separate_consent:
            pipl.append(word("separate_consent", lang))
        rows.append(
            (
                (_t(recipient.title, lang),),
                tuple(_place(policy, key, lang) for key in transfer.destination_countries),
                tuple(gdpr),
                tuple(pipl),
                tuple(_safeguard(policy, key, lang) for key in transfer.safeguards),
            )
        )
    headers = tuple(
        word(key, lang)
        for key in ("recipient", "destination", "gdpr_mechanism", "pipl_mechanism", "safeguards")
    )
    blocks: list[Block] = [Table(word("transfers_caption", lang), headers, tuple(rows))]
    if any(
        r.transfer is not None and r.transfer.copy_available_on_request for r in policy.recipients.values()
    ):
        blocks.append(Paragraph(word("copy_on_request", lang, email=policy.controller.contacts.privacy)))
    return blocks


def _cookie_version(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    cookies = policy.cookies
    return [Paragraph(word("cookie_version", lang, version=cookies.version, banner=cookies.banner_version))]


def _cookie_max_age(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    return [Paragraph(word("cookie_max_age", lang, months=policy.cookies.max_age_months))]


def _cookie_category(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    category = policy.cookies.categories[parts[2]]
    note = word("always_on" if category.essential else "your_choice", lang)
    return [Paragraph(f"{_t(category.description, lang)} {note}", lead=_t(category.title, lang))]


def _cookie_categories(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    blocks: list[Block] = []
    for key in policy.cookies.categories:
        blocks += _cookie_category(policy, section, ["cookies", "categories", key], lang)
    return blocks


def _duration(text: str, lang: Lang) -> str:
    return word("session", lang) if text == "session" else Duration.parse(text).describe(lang)


def _cookie_table(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    categories = policy.cookies.categories
    rows = tuple(
        (
            (cookie.name,),
            (cookie.provider,),
            (_t(categories[cookie.category].title, lang),),
            (_t(cookie.purpose, lang),),
            (_duration(cookie.duration, lang),),
            (word(f"party_{cookie.party}", lang),),
        )
        for cookie in policy.cookies.cookies
    )
    headers = tuple(
        word(key, lang) for key in ("cookie", "provider", "category", "function", "duration", "party")
    )
    return [Table(word("cookies_caption", lang), headers, rows)]


def _jurisdictions(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    rows = tuple(
        ((_place(policy, key, lang),), (word(f"model_{rule.model}", lang),), (rule.source,))
        for key, rule in policy.cookies.jurisdictions.items()
    )
    headers = (word("where", lang), word("how_we_ask", lang), word("source", lang))
    return [Paragraph(word("jurisdictions_intro", lang)), Table("", headers, rows)]


def _rights(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    rights = policy.rights.rights
    return [Terms(tuple((_t(right.title, lang), _t(right.description, lang)) for right in rights.values()))]


def _request_email(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    return [Paragraph(word("request_email", lang, email=policy.rights.request_email))]


def _identity(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    period = Duration.parse(policy.rights.unverified_request_closes_after).describe(lang)
    return [
        Paragraph(_t(policy.rights.identity_verification, lang)),
        Paragraph(word("unverified", lang, period=period)),
    ]


def _deadlines(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    def period(text: str | None) -> str:
        return Duration.parse(text).describe(lang) if text else word("none", lang)

    rows = tuple(
        (
            (_place(policy, key, lang),),
            (period(deadline.base),),
            (period(deadline.extension),),
            (period(deadline.extension_notice_within) if deadline.extension else word("none", lang),),
            (period(deadline.acknowledge_within),),
            (word("yes" if deadline.pause_for_identity else "no", lang),),
            (deadline.source,),
        )
        for key, deadline in policy.rights.deadlines.items()
    )
    headers = tuple(
        word(key, lang)
        for key in (
            "where",
            "answer_within",
            "extension",
            "extension_notice",
            "acknowledge",
            "pause",
            "source",
        )
    )
    promise = policy.rights.promised_answer_within or policy.deadline_for(None).base
    return [
        Paragraph(word("deadlines_intro", lang, promise=period(promise))),
        Table(word("deadlines_caption", lang), headers, rows),
    ]


def _children(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    children = policy.children
    rows = tuple(
        (
            (_place(policy, rule.jurisdiction, lang),),
            (str(rule.age),),
            (str(max(children.default_min_age, rule.age)),),
            (rule.source,),
        )
        for rule in children.local_ages
    )
    headers = (word("where", lang), word("local_age", lang), word("our_age", lang), word("source", lang))
    return [
        Paragraph(word("children_intro", lang, age=children.default_min_age)),
        Table(word("ages_caption", lang), headers, rows),
        Paragraph(_t(children.guardian_requests, lang)),
        Paragraph(word("children_erasure", lang, days=children.erase_within_days)),
    ]


def _kept_for(period: str, trigger: str, lang: Lang) -> str:
    if period in ("until_withdrawal", "indefinite_anonymised"):
        return word(period, lang)
    duration = Duration.parse(period)
    if duration.amount == 0:
        if trigger == "collected":
            return word("not_stored", lang)
        return word("until_trigger", lang, trigger=word(f"until_{trigger}", lang))
    return word(
        "period_after", lang, period=duration.describe(lang), trigger=word(f"trigger_{trigger}", lang)
    )


def _retention(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    order = {name: index for index, name in enumerate(policy.contexts)}
    rules = sorted(policy.retention, key=lambda rule: order.get(rule.context, len(order)))
    rows = []
    for rule in rules:
        context = policy.contexts.get(rule.context)
        then = [word(rule.on_expiry, lang)]
        if rule.legal_hold:
            then.append(word("legal_hold", lang))
        rows.append(
            (
                (_category_name(policy, rule.category, lang),),
                (_t(context.title, lang) if context else rule.context,),
                (_kept_for(rule.period, rule.trigger, lang),),
                tuple(then),
                (rule.legal_basis,),
            )
        )
    headers = tuple(word(key, lang) for key in ("information", "context", "kept_for", "then", "legal_basis"))
    return [Table(word("retention_caption", lang), headers, tuple(rows))]


def _security(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    return [Bullets(tuple(_t(item, lang) for item in policy.security))]


def _changes(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    changes = policy.changes
    separator = "、" if lang == "zh" else ", "
    channels = separator.join(word(f"notify_{channel}", lang) for channel in changes.notify_by)
    blocks: list[Block] = [
        Paragraph(word("major_intro", lang)),
        Bullets(tuple(_t(item, lang) for item in changes.major)),
        Paragraph(word("notify_by", lang, channels=channels)),
    ]
    if changes.reconsent_when:
        what = separator.join(word(f"reconsent_{item}", lang) for item in changes.reconsent_when)
        blocks.append(Paragraph(word("reconsent", lang, what=what)))
    return blocks


def _person(person: Representative | None, fallback_email: str, lang: Lang) -> str:
    if person is None or not person.designated:
        return word("to_be_designated", lang, email=fallback_email)
    details = [person.name, person.email, *([person.address] if person.address else [])]
    return ", ".join(details)


def _controller(policy: Policy, section: Section, parts: list[str], lang: Lang) -> list[Block]:
    controller = policy.controller
    address = controller.mailing_address
    if address.display is not None:
        mailing = _t(address.display, lang)
    else:
        country = _place(policy, address.country, lang)
        mailing = f"{', '.join(address.lines)}, {address.city}, {country}. {address.postal_code}"
    privacy = controller.contacts.privacy
    terms = (
        (word("company", lang), controller.legal_name),
        (word("headquarters", lang), controller.headquarters),
        (word("mailing_address", lang), mailing),
        (word("privacy_email", lang), privacy),
        (word("marketing_email", lang), controller.contacts.marketing),
        (word("website", lang), controller.website),
        (word("eu_representative", lang), _person(controller.eu_representative, privacy, lang)),
        (word("pipl_officer", lang), _person(controller.pipl_officer, privacy, lang)),
    )
    return [Terms(terms)]


_RENDERERS: list[tuple[tuple[str, ...], Renderer]] = [
    (("summary",), _summary),
    (("contexts",), _contexts),
    (("contexts", "?"), _context),
    (("purposes",), _purposes),
    (("recipients",), _recipients),
    (("recipients", "*", "transfer"), _transfers),
    (("cookies", "version"), _cookie_version),
    (("cookies", "max_age_months"), _cookie_max_age),
    (("cookies", "categories"), _cookie_categories),
    (("cookies", "categories", "?"), _cookie_category),
    (("cookies", "cookies"), _cookie_table),
    (("cookies", "jurisdictions"), _jurisdictions),
    (("rights", "rights"), _rights),
    (("rights", "request_email"), _request_email),
    (("rights", "identity_verification"), _identity),
    (("rights", "deadlines"), _deadlines),
    (("children",), _children),
    (("retention",), _retention),
    (("security",), _security),
    (("changes",), _changes),
    (("controller",), _controller),
]
