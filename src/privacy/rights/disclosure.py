"""What GDPR Art. 15(1)-(2) (and PIPL Art. 45) say an access answer must tell, from the declaration.

Nothing here is written per app: the categories are those of the fields that hold a value
for the subject, and everything else follows from the declaration (policy/sogaworks.yaml)
for those categories and the contexts they were collected in:

- purposes, with their legal basis: the purposes of those contexts (Art. 15(1)(a));
- categories, with their customer-facing labels (15(1)(b));
- recipients: those whose declared categories meet the subject's (a parent category
  covers its children both ways: "user.contact" meets "user.contact.email") (15(1)(c));
- retention: the rule of each (category, context) present, in words (15(1)(d));
- source: whether the subject provided it or it was observed, per context and per field
  (15(1)(g));
- profiling: the purposes whose data uses profile (15(1)(h));
- transfers abroad and their safeguards: the transfer records of those recipients (15(2)).
The rights and how to complain (15(1)(e)-(f)) come from the declaration's rights section.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from privacy.policy.document import Lang
from privacy.policy.durations import Duration
from privacy.policy.render import localized
from privacy.policy.schema import Policy, RetentionRule, Text
from privacy.policy.wording import word


def overlaps(a: str, b: str) -> bool:
    """Two fideslang categories meet when they are equal or one contains the other."""
    return a == b or a.startswith(f"{b}.") or b.startswith(f"{a}.")


def _text(text: Text | None, lang: str, default: str = "") -> str:
    return localized(text, "zh" if lang == "zh" else "en") if text is not None else default


def category_label(policy: Policy, key: str, lang: str) -> str:
    """The declaration's label for the category or its nearest labelled parent; the key otherwise."""
    probe = key
    while probe:
        label = policy.labels.categories.get(probe)
        if label is not None:
            return _text(label, lang)
        probe = probe.rpartition(".")[0]
    return key


def _place(policy: Policy, key: str, lang: str) -> str:
    return _text(policy.labels.places.get(key), lang, key)


def _safeguard(policy: Policy, key: str, lang: str) -> str:
    return _text(policy.labels.safeguards.get(key), lang, key)


def kept_for(rule: RetentionRule, lang: str) -> str:
    """How long, in words ("3 years after the order is completed")."""
    code: Lang = "zh" if lang == "zh" else "en"
    if rule.period in ("until_withdrawal", "indefinite_anonymised"):
        return word(rule.period, code)
    duration = Duration.parse(rule.period)
    if duration.amount == 0:
        if rule.trigger == "collected":
            return word("not_stored", code)
        return word("until_trigger", code, trigger=word(f"until_{rule.trigger}", code))
    return word(
        "period_after", code, period=duration.describe(code), trigger=word(f"trigger_{rule.trigger}", code)
    )


def information(
    policy: Policy | None,
    present: Iterable[tuple[str, str, bool]],
    *,
    lang: str,
    receiving: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The Art. 15 information for data present as (category, context, provided_by_subject).

    `receiving`: `recipients(policy, <the categories present>, lang=lang)` when the caller
    has it already (the access package lists them too), so it is not worked out twice.
    """
    present = sorted(set(present))
    if policy is None:
        return {"categories": [{"key": key} for key in sorted({c for c, _, _ in present})]}
    categories = sorted({category for category, _, _ in present})
    contexts = sorted({context for _, context, _ in present})
    purpose_keys: list[str] = []
    for key in contexts:
        context = policy.contexts.get(key)
        for purpose in context.purposes if context else ():
            if purpose not in purpose_keys:
                purpose_keys.append(purpose)
    purposes = [
        {
            "key": key,
            "title": _text(policy.purposes[key].title, lang),
            "legal_basis": policy.purposes[key].legal_basis,
        }
        for key in purpose_keys
        if key in policy.purposes
    ]
    retention: list[dict[str, Any]] = []
    for category, context_key, _ in present:
        rule = policy.retention_rule(category, context_key)
        if rule is not None and not any(item["rule"] == rule.id for item in retention):
            retention.append(
                {
                    "rule": rule.id,
                    "category": category_label(policy, rule.category, lang),
                    "context": context_key,
                    "kept_for": kept_for(rule, lang),
                    "then": rule.on_expiry,
                    "legal_hold": rule.legal_hold,
                    "legal_basis": rule.legal_basis,
                }
            )
    sources = [
        {
            "context": key,
            "title": _text(policy.contexts[key].title, lang),
            "source": policy.contexts[key].source,
            "provided_by_you": sorted({c for c, ctx, mine in present if ctx == key and mine}),
            "observed": sorted({c for c, ctx, mine in present if ctx == key and not mine}),
        }
        for key in contexts
        if key in policy.contexts
    ]
    if receiving is None:
        receiving = recipients(policy, categories, lang=lang)
    return {
        "controller": {
            "name": policy.controller.legal_name,
            "privacy_contact": policy.controller.contacts.privacy,
            "address": _text(policy.controller.mailing_address.display, lang)
            or ", ".join(policy.controller.mailing_address.lines),
        },
        "purposes": purposes,
        "categories": [{"key": key, "label": category_label(policy, key, lang)} for key in categories],
        "retention": retention,
        "sources": sources,
        "profiling": [
            item
            for item in purposes
            if any(use.endswith(".profiling") for use in policy.purposes[item["key"]].data_uses)
        ],
        "transfers": [
            {"recipient": item["key"], **item["transfer"]}
            for item in receiving
            if item["transfer"] is not None
        ],
        "rights": [
            {"key": key, "title": _text(right.title, lang), "description": _text(right.description, lang)}
            for key, right in policy.rights.rights.items()
        ],
        "request_email": policy.rights.request_email,
    }


def recipients(policy: Policy, categories: Iterable[str], *, lang: str) -> list[dict[str, Any]]:
    """The declared recipients of any of `categories`, with what of it they receive."""
    held = sorted(set(categories))
    found = []
    for key, recipient in policy.recipients.items():
        shared = sorted({mine for mine in held for theirs in recipient.categories if overlaps(mine, theirs)})
        if not shared:
            continue
        transfer = recipient.transfer
        found.append(
            {
                "key": key,
                "title": _text(recipient.title, lang),
                "kind": recipient.kind,
                "function": _text(recipient.function, lang),
                "categories": [{"key": c, "label": category_label(policy, c, lang)} for c in shared],
                "purposes": [
                    _text(policy.purposes[p].title, lang) for p in recipient.purposes if p in policy.purposes
                ],
                "countries": [_place(policy, c, lang) for c in recipient.countries],
                "safeguards": [_safeguard(policy, s, lang) for s in recipient.safeguards],
                "transfer": None
                if transfer is None
                else {
                    "destinations": [_place(policy, c, lang) for c in transfer.destination_countries],
                    "gdpr_mechanism": transfer.gdpr_mechanism,
                    "scc_reference": transfer.scc_reference,
                    "pipl_mechanism": transfer.pipl_mechanism,
                    "safeguards": [_safeguard(policy, s, lang) for s in transfer.safeguards],
                    "copy_available_on_request": transfer.copy_available_on_request,
                },
            }
        )
    return found
