"""The declaration's shape: one immutable Policy, validated field by field.

Every model forbids unknown keys, so a misspelt key is an error with a suggestion rather
than a silently ignored line. Cross-references (a context naming a purpose, a retention
rule naming a category) are checked after parsing in `validate.py`, where the fideslang
vocabulary is at hand.

Fields marked "added" below extend the original contract; every original name, field and
method is unchanged. Text a customer reads is a `Text` (English and Simplified Chinese);
notes for engineers and the privacy officer are plain strings.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from privacy.policy.source import SourceMap

Certainty = Literal["T", "S", "M"]  # legal text read / secondary source / memory, unverified


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A sentence a customer reads, in English and Simplified Chinese."""

    en: str
    zh: str


class Address(Strict):
    lines: list[str]
    city: str
    country: str
    postal_code: str
    # Added: the address as customers read it, when the parts alone would not say it well.
    display: Text | None = None


class Contacts(Strict):
    privacy: str
    marketing: str


class Representative(Strict):
    name: str
    email: str
    address: str | None = None
    # Added: false while the business has not named anyone; notices then say so.
    designated: bool = True


class Controller(Strict):
    name: str
    legal_name: str
    headquarters: str
    website: str
    mailing_address: Address
    contacts: Contacts
    eu_representative: Representative | None = None
    pipl_officer: Representative | None = None


LegalBasis = Literal[
    "consent",
    "contract",
    "legal_obligation",
    "vital_interests",
    "public_task",
    "legitimate_interests",
]


class Purpose(Strict):
    """One of the policy's purposes, with fideslang data uses and a legal basis."""

    title: Text
    data_uses: list[str]
    legal_basis: LegalBasis
    # What may be processed for this purpose when the subject has restricted processing.
    allowed_when_restricted: bool = False
    # Objection to this purpose takes effect at once and for good (GDPR Art. 21(3)).
    objection_absolute: bool = False
    # Added: the rest of the policy's sentence(s) about this purpose.
    description: Text | None = None
    # Added: false for purposes the law adds (storage, legal claims) that the policy's
    # list does not name; commitment C17 counts only the listed ones.
    listed_in_policy: bool = True


class Context(Strict):
    """A collection context of the policy ("What information do we collect?" item)."""

    title: Text
    section: str
    description: Text
    categories: list[str]
    required: list[str] = Field(default_factory=list)
    purposes: list[str]
    source: Literal["subject", "automatic", "third_party"] = "subject"
    # Added: the cookie category whose consent gates collection in this context (pixel
    # tags and analytics are "similar technologies" under ePrivacy Art. 5(3)).
    cookie_category: str | None = None


class Transfer(Strict):
    destination_countries: list[str]
    gdpr_mechanism: Literal["adequacy", "scc", "bcr", "derogation", "not_applicable"]
    scc_module: Literal["module_1", "module_2", "module_3", "module_4"] | None = None
    scc_reference: str | None = None
    pipl_mechanism: Literal[
        "standard_contract", "certification", "security_assessment", "exempt", "not_applicable"
    ]
    pipl_exemption: str | None = None
    safeguards: list[str]
    copy_available_on_request: bool = True
    # Added: PIPL Art. 39 separate consent, and the PIPL Art. 55 impact assessment.
    separate_consent: bool = False
    pipia_reference: str | None = None


class Recipient(Strict):
    title: Text
    kind: Literal["affiliate", "processor", "third_party", "successor", "authority"]
    function: Text
    categories: list[str]
    purposes: list[str]
    countries: list[str]
    data_form: Literal["personal", "aggregated", "de_identified", "anonymous"] = "personal"
    safeguards: list[str]
    transfer: Transfer | None = None


class CookieCategory(Strict):
    title: Text
    description: Text
    essential: bool = False
    consent_mode: list[str] = Field(default_factory=list)  # Google Consent Mode v2 signals
    data_uses: list[str] = Field(default_factory=list)


class Cookie(Strict):
    name: str
    provider: str
    category: str
    purpose: Text
    duration: str
    party: Literal["first", "third"]
    origin: str | None = None  # third-party origin allowed in CSP when the category is granted


class ConsentRule(Strict):
    """Default consent model for a jurisdiction (cookies and similar technologies)."""

    model: Literal["opt_in", "opt_out", "implied"]
    law_requires_opt_in: bool
    source: str
    certainty: Certainty | None = None  # added


class CookieSection(Strict):
    version: str
    banner_version: str
    max_age_months: int = Field(default=6, ge=1, le=13)
    categories: dict[str, CookieCategory]
    cookies: list[Cookie]
    jurisdictions: dict[str, ConsentRule]


class Deadline(Strict):
    """How long a request may take in one jurisdiction, with its legal source."""

    base: str  # ISO-8601-like: "P1M" (calendar month), "P45D", "P15WD" (working days)
    extension: str | None = None
    max_total: str | None = None
    extension_notice_within: str | None = None
    acknowledge_within: str | None = None
    pause_for_identity: bool = False
    roll_weekend: bool = False
    source: str
    certainty: Literal["T", "S", "M"]
    note: str | None = None  # added


class Right(Strict):
    title: Text
    description: Text
    commitment: str


class RightsSection(Strict):
    rights: dict[str, Right]
    request_email: str
    identity_verification: Text
    unverified_request_closes_after: str
    deadlines: dict[str, Deadline]
    # Added: the policy's own promise to everyone (C35, "within one month"). A
    # jurisdiction's statutory base never lengthens it; a shorter one still applies.
    promised_answer_within: str | None = None


class AgeRule(Strict):
    jurisdiction: str
    age: int = Field(ge=0, le=21)
    source: str
    as_of: dt.date
    certainty: Literal["T", "S", "M"]


class ChildrenSection(Strict):
    default_min_age: int = Field(ge=13, le=21)
    local_ages: list[AgeRule]
    erase_within_days: int = Field(ge=1)
    guardian_requests: Text


class RetentionRule(Strict):
    id: str
    category: str
    context: str
    period: str  # "P3Y", "P30D", "until_withdrawal", "indefinite_anonymised"
    trigger: Literal["collected", "account_closed", "order_completed", "last_activity", "consent_withdrawn"]
    on_expiry: Literal["erase", "anonymise"]
    legal_basis: str
    legal_hold: bool = False  # kept for a legal obligation even after an erasure request
    note: str | None = None


class ChangesSection(Strict):
    major: list[Text]
    notify_by: list[Literal["website_notice", "email", "banner"]]
    reconsent_when: list[Literal["purposes", "means", "categories"]]


class Section(Strict):
    """A heading of the published policy and the declaration keys that say the same thing."""

    heading: Text
    keys: list[str]
    # Added: the policy's own paragraphs under this heading, before and after what the keys
    # render; where the heading sits (2 = top level); its anchor; and which published
    # notice it belongs to (the cookie notice is also part of the full policy).
    text: list[Text] = Field(default_factory=list)
    text_after: list[Text] = Field(default_factory=list)
    level: int = Field(default=2, ge=2, le=4)
    anchor: str | None = None
    notice: Literal["privacy", "cookies"] = "privacy"


class Labels(Strict):
    """Added: customer-facing names for the keys the declaration uses."""

    categories: dict[str, Text] = Field(default_factory=dict)  # fideslang data categories
    places: dict[str, Text] = Field(default_factory=dict)  # countries and jurisdiction keys
    safeguards: dict[str, Text] = Field(default_factory=dict)  # keys used in `safeguards`


class Gap(Strict):
    """Added: where the policy's words fall short of the law, and what the code does instead.

    Reported to the privacy officer; the published text keeps the policy's words.
    """

    id: str
    section: str  # anchor of the section whose words fall short
    policy_says: str
    law: str
    behaviour: str
    source: str
    certainty: Certainty


class Policy(Strict):
    version: str
    effective_date: dt.date
    last_updated_label: Text
    controller: Controller
    summary: Text
    contexts: dict[str, Context]
    purposes: dict[str, Purpose]
    recipients: dict[str, Recipient]
    cookies: CookieSection
    rights: RightsSection
    children: ChildrenSection
    retention: list[RetentionRule]
    security: list[Text]
    changes: ChangesSection
    sections: list[Section]
    # Added.
    title: Text = Text(en="Privacy Policy", zh="隐私政策")
    jurisdiction_groups: dict[str, list[str]] = Field(default_factory=dict)  # "EU": ["AT", ...]
    labels: Labels = Field(default_factory=Labels)
    gaps: list[Gap] = Field(default_factory=list)
    # Which declaration keys carry each commitment of commitments.md (shown by `pledge trace`).
    commitments: dict[str, list[str]] = Field(default_factory=dict)

    # Where each key was written (set by the loader), so later findings can name a line.
    _source: SourceMap | None = PrivateAttr(default=None)

    def categories_for(self, context: str) -> frozenset[str]:
        found = self.contexts.get(context)
        return frozenset(found.categories) if found else frozenset()

    def retention_rule(self, category: str, context: str) -> RetentionRule | None:
        """The most specific rule: exact category first, then its nearest parent category."""
        candidates = [rule for rule in self.retention if rule.context == context]
        key = category
        while key:
            for rule in candidates:
                if rule.category == key:
                    return rule
            key = key.rpartition(".")[0]
        return None

    def minimum_age(self, jurisdiction: str | None) -> int:
        """The policy's age floor, raised (never lowered) by a stricter local rule."""
        local = {rule.jurisdiction: rule.age for rule in self.children.local_ages}
        return max(self.children.default_min_age, local.get(jurisdiction or "", 0))

    # Added methods.

    @property
    def source(self) -> SourceMap | None:
        return self._source

    @property
    def listed_purposes(self) -> dict[str, Purpose]:
        """The purposes the policy itself lists (C17), without those the law adds."""
        return {key: purpose for key, purpose in self.purposes.items() if purpose.listed_in_policy}

    def purposes_allowed_when_restricted(self) -> frozenset[str]:
        return frozenset(key for key, purpose in self.purposes.items() if purpose.allowed_when_restricted)

    def jurisdiction_keys(self, country: str | None, subdivision: str | None = None) -> list[str]:
        """Keys to look a place up by, most specific first: "US-CA", "US", "EU", "default"."""
        keys: list[str] = []
        if country:
            country = country.upper()
            if subdivision:
                keys.append(f"{country}-{subdivision.upper()}")
            keys.append(country)
            keys.extend(group for group, members in self.jurisdiction_groups.items() if country in members)
        keys.append("default")
        return keys

    def consent_rule_for(self, country: str | None, subdivision: str | None = None) -> ConsentRule:
        rules = self.cookies.jurisdictions
        return next(rules[key] for key in self.jurisdiction_keys(country, subdivision) if key in rules)

    def deadline_for(self, country: str | None, subdivision: str | None = None) -> Deadline:
        deadlines = self.rights.deadlines
        return next(
            deadlines[key] for key in self.jurisdiction_keys(country, subdivision) if key in deadlines
        )

    def minimum_age_for(self, country: str | None, subdivision: str | None = None) -> int:
        """The policy's floor, raised by the most specific local age (an EU country missing
        from the table falls back to the "EU" row, GDPR Art. 8's default of 16)."""
        local = {rule.jurisdiction: rule.age for rule in self.children.local_ages}
        for key in self.jurisdiction_keys(country, subdivision):
            if key in local:
                return max(self.children.default_min_age, local[key])
        return self.children.default_min_age

    def cookie(self, name: str) -> Cookie | None:
        return next((cookie for cookie in self.cookies.cookies if cookie.name == name), None)

    def section(self, anchor: str) -> Section | None:
        return next((section for section in self.sections if section_anchor(section) == anchor), None)


def section_anchor(section: Section) -> str:
    """The section's anchor, or one made from its English heading."""
    if section.anchor:
        return section.anchor
    slug = "".join(ch if ch.isalnum() else "-" for ch in section.heading.en.lower())
    return "-".join(part for part in slug.split("-") if part) or "section"
