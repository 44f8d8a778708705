"""Rules a declaration must keep beyond its shape: the cross-references and vocabulary.

`schema.py` checks that each value has the right type; this module checks that the values
mean something together. A context may only name purposes the declaration defines, a
data category must be a fideslang key, a transfer needs safeguards, a retention rule must
be about data its context collects, a period must be a duration the engine can count.

Findings carry the path of the offending value; the loader turns a path into a file line.
Errors make the declaration unusable. Warnings are legal or editorial risks in a
declaration that still works (an opt-out model where the law wants opt-in, a missing
Chinese translation).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from privacy.policy.durations import FORMATS, Duration, DurationError
from privacy.policy.schema import Policy, Text, section_anchor
from privacy.policy.source import Loc
from privacy.policy.vocabulary import (
    CONSENT_MODE_SIGNALS,
    closest,
    data_categories,
    data_uses,
    is_within,
)

RIGHTS = ("informed", "access", "rectification", "erasure", "restriction", "portability", "objection")
RETENTION_PERIODS = ("until_withdrawal", "indefinite_anonymised")
SESSION = "session"
ANYWHERE = "*"  # a recipient or transfer that may be in any country (e.g. the delivery destination)
COUNTRY = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-]+(:\d{1,5})?$")
COMMITMENT = re.compile(r"^C[1-9][0-9]*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Finding:
    loc: Loc
    message: str
    suggestion: str | None = None


def find_errors(policy: Policy) -> list[Finding]:
    return [
        *_contexts(policy),
        *_purposes(policy),
        *_recipients(policy),
        *_cookies(policy),
        *_rights(policy),
        *_children(policy),
        *_retention(policy),
        *_sections(policy),
        *_controller(policy),
        *_labels(policy),
        *_commitments(policy),
    ]


def find_warnings(policy: Policy) -> list[Finding]:
    return [*_consent_models(policy), *_coverage(policy), *_translations(policy)]


# Vocabulary -----------------------------------------------------------------------------


def _category(loc: Loc, key: str) -> Iterator[Finding]:
    if key not in data_categories():
        yield Finding(loc, f"unknown fideslang data category '{key}'", closest(key, data_categories()))


def _data_use(loc: Loc, key: str) -> Iterator[Finding]:
    if key not in data_uses():
        yield Finding(loc, f"unknown fideslang data use '{key}'", closest(key, data_uses()))


def _purpose_ref(loc: Loc, key: str, policy: Policy) -> Iterator[Finding]:
    if key not in policy.purposes:
        yield Finding(loc, f"unknown purpose '{key}'", closest(key, policy.purposes))


def _duration(loc: Loc, text: str | None, *, also: Iterable[str] = ()) -> Iterator[Finding]:
    if text is None or text in also:
        return
    try:
        Duration.parse(text)
    except DurationError:
        extra = "".join(f", or '{word}'" for word in also)
        yield Finding(loc, f"'{text}' is not a duration: write {FORMATS}{extra}", closest(text, also))


def _country(loc: Loc, code: str, policy: Policy) -> Iterator[Finding]:
    if code != ANYWHERE and code not in policy.jurisdiction_groups and not COUNTRY.match(code):
        yield Finding(loc, f"'{code}' is not an ISO 3166 country code, a jurisdiction group or '*'")


def _duplicates(loc: Loc, values: list[str], what: str) -> Iterator[Finding]:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            yield Finding((*loc, index), f"{what} '{value}' is listed twice")
        seen.add(value)


# Sections of the declaration ------------------------------------------------------------


def _contexts(policy: Policy) -> Iterator[Finding]:
    anchors = [section_anchor(section) for section in policy.sections]
    for name, context in policy.contexts.items():
        loc: Loc = ("contexts", name)
        for index, category in enumerate(context.categories):
            yield from _category((*loc, "categories", index), category)
        yield from _duplicates((*loc, "categories"), context.categories, "category")
        for index, category in enumerate(context.required):
            if category not in context.categories:
                yield Finding(
                    (*loc, "required", index),
                    f"required category '{category}' is not among this context's categories",
                    closest(category, context.categories),
                )
        if not context.purposes:
            yield Finding((*loc, "purposes"), "a context needs at least one purpose")
        for index, purpose in enumerate(context.purposes):
            yield from _purpose_ref((*loc, "purposes", index), purpose, policy)
        if context.section not in anchors:
            yield Finding(
                (*loc, "section"),
                f"no section has the anchor '{context.section}'",
                closest(context.section, anchors),
            )
        if context.cookie_category is not None and context.cookie_category not in policy.cookies.categories:
            yield Finding(
                (*loc, "cookie_category"),
                f"unknown cookie category '{context.cookie_category}'",
                closest(context.cookie_category, policy.cookies.categories),
            )


def _purposes(policy: Policy) -> Iterator[Finding]:
    for name, purpose in policy.purposes.items():
        loc: Loc = ("purposes", name)
        if not purpose.data_uses:
            yield Finding((*loc, "data_uses"), "a purpose needs at least one fideslang data use")
        for index, use in enumerate(purpose.data_uses):
            yield from _data_use((*loc, "data_uses", index), use)


def _recipients(policy: Policy) -> Iterator[Finding]:
    home = policy.controller.mailing_address.country
    collected = [category for context in policy.contexts.values() for category in context.categories]
    for name, recipient in policy.recipients.items():
        loc: Loc = ("recipients", name)
        for index, category in enumerate(recipient.categories):
            unknown = list(_category((*loc, "categories", index), category))
            yield from unknown
            if not unknown and not is_within(category, collected):
                yield Finding(
                    (*loc, "categories", index),
                    f"category '{category}' is not collected in any context",
                    closest(category, collected),
                )
        personal = recipient.data_form in ("personal", "de_identified")
        if personal and not recipient.categories:
            yield Finding((*loc, "categories"), "a recipient of personal data needs its categories")
        for index, purpose in enumerate(recipient.purposes):
            yield from _purpose_ref((*loc, "purposes", index), purpose, policy)
        if not recipient.purposes:
            yield Finding((*loc, "purposes"), "a recipient needs at least one purpose")
        if not recipient.safeguards:
            yield Finding((*loc, "safeguards"), "a recipient needs at least one safeguard")
        yield from _safeguards((*loc, "safeguards"), recipient.safeguards, policy)
        for index, country in enumerate(recipient.countries):
            yield from _country((*loc, "countries", index), country, policy)
        abroad = [country for country in recipient.countries if country != home]
        transfer = recipient.transfer
        if transfer is None:
            if abroad and personal:
                yield Finding(
                    (*loc, "countries"),
                    f"personal data leaves {home} (to {', '.join(abroad)}) but the recipient has no transfer",
                )
            continue
        tloc: Loc = (*loc, "transfer")
        if not transfer.safeguards:
            yield Finding((*tloc, "safeguards"), "a transfer needs at least one safeguard")
        yield from _safeguards((*tloc, "safeguards"), transfer.safeguards, policy)
        for index, country in enumerate(transfer.destination_countries):
            yield from _country((*tloc, "destination_countries", index), country, policy)
        missing = [country for country in abroad if country not in transfer.destination_countries]
        if missing:
            yield Finding(
                (*tloc, "destination_countries"),
                f"the recipient's countries {', '.join(missing)} are not among the transfer's destinations",
            )
        if transfer.gdpr_mechanism == "scc" and transfer.scc_module is None:
            yield Finding((*tloc, "gdpr_mechanism"), "standard contractual clauses need an scc_module")
        if transfer.gdpr_mechanism != "scc" and transfer.scc_module is not None:
            yield Finding((*tloc, "scc_module"), "scc_module is set but the GDPR mechanism is not 'scc'")
        if transfer.pipl_mechanism == "exempt" and not transfer.pipl_exemption:
            yield Finding(
                (*tloc, "pipl_mechanism"), "a PIPL exemption must name its ground in pipl_exemption"
            )


def _safeguards(loc: Loc, keys: list[str], policy: Policy) -> Iterator[Finding]:
    known = policy.labels.safeguards
    for index, key in enumerate(keys):
        if key not in known:
            yield Finding(
                (*loc, index),
                f"unknown safeguard '{key}': define it under labels.safeguards",
                closest(key, known),
            )


def _cookies(policy: Policy) -> Iterator[Finding]:
    section = policy.cookies
    if not any(category.essential for category in section.categories.values()):
        yield Finding(("cookies", "categories"), "one cookie category must be essential (always on)")
    for name, category in section.categories.items():
        loc: Loc = ("cookies", "categories", name)
        for index, signal in enumerate(category.consent_mode):
            if signal not in CONSENT_MODE_SIGNALS:
                yield Finding(
                    (*loc, "consent_mode", index),
                    f"unknown Google Consent Mode signal '{signal}'",
                    closest(signal, CONSENT_MODE_SIGNALS),
                )
        for index, use in enumerate(category.data_uses):
            yield from _data_use((*loc, "data_uses", index), use)
    for index, cookie in enumerate(section.cookies):
        loc = ("cookies", "cookies", index)
        if cookie.category not in section.categories:
            yield Finding(
                (*loc, "category"),
                f"unknown cookie category '{cookie.category}'",
                closest(cookie.category, section.categories),
            )
        yield from _duration((*loc, "duration"), cookie.duration, also=(SESSION,))
        if cookie.origin is not None and not ORIGIN.match(cookie.origin):
            yield Finding((*loc, "origin"), f"'{cookie.origin}' is not an origin (scheme://host[:port])")
    yield from _duplicates(("cookies", "cookies"), [cookie.name for cookie in section.cookies], "cookie")
    if "default" not in section.jurisdictions:
        yield Finding(("cookies", "jurisdictions"), "a 'default' consent rule is needed for other places")


def _rights(policy: Policy) -> Iterator[Finding]:
    section = policy.rights
    for key, right in section.rights.items():
        if key not in RIGHTS:
            yield Finding(
                ("rights", "rights", key),
                f"'{key}' is not one of the seven rights ({', '.join(RIGHTS)})",
                closest(key, set(RIGHTS) - set(section.rights)) or closest(key, RIGHTS),
            )
        elif not COMMITMENT.match(right.commitment):
            yield Finding(
                ("rights", "rights", key, "commitment"), f"'{right.commitment}' is not a commitment id"
            )
    for key in RIGHTS:
        if key not in section.rights:
            yield Finding(("rights", "rights"), f"the right '{key}' is missing")
    if not EMAIL.match(section.request_email):
        yield Finding(("rights", "request_email"), f"'{section.request_email}' is not an e-mail address")
    yield from _duration(
        ("rights", "unverified_request_closes_after"), section.unverified_request_closes_after
    )
    yield from _duration(("rights", "promised_answer_within"), section.promised_answer_within)
    if "default" not in section.deadlines:
        yield Finding(("rights", "deadlines"), "a 'default' deadline is needed for other places")
    for name, deadline in section.deadlines.items():
        loc: Loc = ("rights", "deadlines", name)
        for field in ("base", "extension", "max_total", "extension_notice_within", "acknowledge_within"):
            yield from _duration((*loc, field), getattr(deadline, field))


def _children(policy: Policy) -> Iterator[Finding]:
    places = [rule.jurisdiction for rule in policy.children.local_ages]
    yield from _duplicates(("children", "local_ages"), places, "jurisdiction")


def _retention(policy: Policy) -> Iterator[Finding]:
    seen: dict[tuple[str, str], int] = {}
    for index, rule in enumerate(policy.retention):
        loc: Loc = ("retention", index)
        context = policy.contexts.get(rule.context)
        if context is None:
            yield Finding(
                (*loc, "context"), f"unknown context '{rule.context}'", closest(rule.context, policy.contexts)
            )
        unknown = list(_category((*loc, "category"), rule.category))
        yield from unknown
        if context is not None and not unknown and not is_within(rule.category, context.categories):
            yield Finding(
                (*loc, "category"),
                f"category '{rule.category}' is not declared in context '{rule.context}'",
                closest(rule.category, context.categories),
            )
        yield from _duration((*loc, "period"), rule.period, also=RETENTION_PERIODS)
        if rule.period == "until_withdrawal" and rule.trigger != "consent_withdrawn":
            yield Finding((*loc, "trigger"), "'until_withdrawal' needs the trigger 'consent_withdrawn'")
        if rule.period == "indefinite_anonymised" and rule.on_expiry != "anonymise":
            yield Finding((*loc, "on_expiry"), "'indefinite_anonymised' data must be anonymised, not erased")
        pair = (rule.category, rule.context)
        if pair in seen:
            yield Finding(
                (*loc, "category"),
                f"retention[{seen[pair]}] already covers '{rule.category}' in '{rule.context}'",
            )
        seen.setdefault(pair, index)
    yield from _duplicates(("retention",), [rule.id for rule in policy.retention], "rule id")


def _sections(policy: Policy) -> Iterator[Finding]:
    anchors = [section_anchor(section) for section in policy.sections]
    for index, count in _repeats(anchors):
        yield Finding(("sections", index, "anchor"), f"the anchor '{anchors[index]}' is used {count} times")
    for index, section in enumerate(policy.sections):
        if not section.keys and not section.text and not section.text_after:
            yield Finding(("sections", index), "a section needs keys or text")
        for position, key in enumerate(section.keys):
            problem = _unresolved(policy, key)
            if problem is not None:
                message, suggestion = problem
                yield Finding(("sections", index, "keys", position), message, suggestion)
    for index, gap in enumerate(policy.gaps):
        if gap.section not in anchors:
            yield Finding(
                ("gaps", index, "section"),
                f"no section has the anchor '{gap.section}'",
                closest(gap.section, anchors),
            )


def _commitments(policy: Policy) -> Iterator[Finding]:
    for cid, keys in policy.commitments.items():
        if not COMMITMENT.match(cid):
            yield Finding(("commitments", cid), f"'{cid}' is not a commitment id like C12")
        for position, key in enumerate(keys):
            problem = _unresolved(policy, key)
            if problem is not None:
                message, suggestion = problem
                yield Finding(("commitments", cid, position), message, suggestion)


def _repeats(values: list[str]) -> Iterator[tuple[int, int]]:
    counts = Counter(values)
    seen: set[str] = set()
    for index, value in enumerate(values):
        if counts[value] > 1 and value in seen:
            yield index, counts[value]
        seen.add(value)


def _unresolved(policy: Policy, key: str) -> tuple[str, str | None] | None:
    """Why `key` names nothing in the declaration, with the likeliest intended key."""
    values: list[Any] = [policy]
    walked: list[str] = []
    for part in key.split("."):
        following: list[Any] = []
        names: set[str] = set()
        for value in values:
            if isinstance(value, BaseModel):
                names |= set(type(value).model_fields)
                if part in type(value).model_fields:
                    following.append(getattr(value, part))
            elif isinstance(value, dict):
                names |= set(value)
                following.extend(
                    value.values() if part == ANYWHERE else [value[part]] if part in value else []
                )
            elif isinstance(value, list) and part == ANYWHERE:
                following.extend(value)
        if not following:
            guess = closest(part, names)
            suggestion = ".".join([*walked, guess]) if guess else None
            return f"'{key}' names nothing in the declaration", suggestion
        values = [value for value in following if value is not None] or following
        walked.append(part)
    return None


def _controller(policy: Policy) -> Iterator[Finding]:
    controller = policy.controller
    addresses = [
        (("controller", "contacts", "privacy"), controller.contacts.privacy),
        (("controller", "contacts", "marketing"), controller.contacts.marketing),
    ]
    for field in ("eu_representative", "pipl_officer"):
        person = getattr(controller, field)
        if person is not None:
            addresses.append((("controller", field, "email"), person.email))
    for loc, address in addresses:
        if not EMAIL.match(address):
            yield Finding(loc, f"'{address}' is not an e-mail address")


def _labels(policy: Policy) -> Iterator[Finding]:
    for key in policy.labels.categories:
        yield from _category(("labels", "categories", key), key)


# Warnings -------------------------------------------------------------------------------


def _consent_models(policy: Policy) -> Iterator[Finding]:
    for name, rule in policy.cookies.jurisdictions.items():
        if rule.law_requires_opt_in and rule.model != "opt_in":
            yield Finding(
                ("cookies", "jurisdictions", name, "model"),
                f"the consent model is '{rule.model}' but the law here requires opt-in ({rule.source})",
                "opt_in",
            )
    for index, cookie in enumerate(policy.cookies.cookies):
        if cookie.party == "third" and cookie.origin is None:
            yield Finding(
                ("cookies", "cookies", index, "origin"),
                f"third-party cookie '{cookie.name}' has no origin to allow once its category is granted",
            )


def _coverage(policy: Policy) -> Iterator[Finding]:
    for name, context in policy.contexts.items():
        for index, category in enumerate(context.categories):
            if policy.retention_rule(category, name) is None:
                yield Finding(
                    ("contexts", name, "categories", index),
                    f"no retention rule covers '{category}' in '{name}'",
                )
    labels = policy.labels
    used = {category for context in policy.contexts.values() for category in context.categories}
    used |= {category for recipient in policy.recipients.values() for category in recipient.categories}
    for category in sorted(used - set(labels.categories)):
        yield Finding(("labels", "categories"), f"no customer-facing name for '{category}'")
    places = {rule.jurisdiction for rule in policy.children.local_ages}
    places |= set(policy.cookies.jurisdictions) | set(policy.rights.deadlines)
    for recipient in policy.recipients.values():
        places |= set(recipient.countries)
        if recipient.transfer is not None:
            places |= set(recipient.transfer.destination_countries)
    for place in sorted(places - set(labels.places)):
        yield Finding(("labels", "places"), f"no customer-facing name for '{place}'")


def _translations(policy: Policy) -> Iterator[Finding]:
    for loc, text in _texts(policy, ()):
        if not text.en.strip():
            yield Finding(loc, "the English text is empty")
        if not text.zh.strip():
            yield Finding(loc, "the Chinese (zh) text is empty")


def _texts(value: Any, loc: Loc) -> Iterator[tuple[Loc, Text]]:
    if isinstance(value, Text):
        yield loc, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _texts(getattr(value, name), (*loc, name))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(item, (*loc, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _texts(item, (*loc, index))
