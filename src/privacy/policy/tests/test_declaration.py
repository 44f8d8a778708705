"""The SogaWorks declaration says what the seed policy says, and what the law adds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from privacy.policy.document import to_markdown
from privacy.policy.durations import Duration
from privacy.policy.loader import current_policy, load_policy, policy_warnings
from privacy.policy.render import build_document
from privacy.policy.schema import Policy, section_anchor

# Every heading of shared/seed/privacy-policy.txt, in order, listed here on purpose: a
# heading added to or dropped from the seed must be noticed here first.
SEED_HEADINGS = [
    "General",
    "What information do we collect?",
    "1. Account Registration",
    "2. Delivery",
    "3. Live Chat and Order",
    "4. Payment and delivery",
    "5. Customer support information",
    "6. Technical information",
    "Cookies Notice",
    "Types of Cookies We Use",
    "Your Cookie Choices",
    "How SogaWorks uses your personal information",
    "How We Share Your Personal Information",
    "Your Rights",
    "Protection of Personal Information",
    "Cross-Border Data Transfers",
    "Children’s Privacy",
    "Retention your information",
    "Changes to this Policy",
    "Contact Us",
]
THIRTEEN_PURPOSES = {
    "administer_account",
    "fulfil_orders",
    "troubleshoot",
    "communicate",
    "prevent_fraud",
    "improve_services",
    "research",
    "surveys",
    "marketing_messages",
    "testimonials",
    "personalised_advertising",
    "social_features",
    "legal_obligation",
}


def seed_policy_text() -> str:
    return (Path(settings.PLEDGE_COMMITMENTS_FILE).parent / "privacy-policy.txt").read_text(encoding="utf-8")


@pytest.fixture
def policy() -> Policy:
    return current_policy()


def test_seed_declaration_loads_without_errors_or_warnings(seed_file: Path) -> None:
    policy = load_policy(seed_file)

    assert policy_warnings(policy) == []
    assert policy.version == "2023.09"
    assert str(policy.effective_date) == "2023-09-01"
    assert policy.last_updated_label.en == "Last Updated: September, 2023"


def test_every_seed_heading_is_listed_here_in_order() -> None:
    lines = [line.strip() for line in seed_policy_text().splitlines()]

    positions = [lines.index(heading) for heading in SEED_HEADINGS]

    assert positions == sorted(positions)


@pytest.mark.commitment("C28")
def test_every_seed_heading_has_its_section(policy: Policy) -> None:
    headings = [section.heading.en for section in policy.sections]

    assert [heading for heading in headings if heading in SEED_HEADINGS] == SEED_HEADINGS
    for section in policy.sections:
        assert section.heading.zh.strip()
        assert section.keys or section.text


def _fragments(text: str) -> list[str]:
    """The seed's sentences and clauses, each short enough to be found verbatim."""
    found = []
    for line in text.splitlines():
        line = line.strip().removeprefix("- ")
        for fragment in re.split(r"(?<=[.;:!?])(?:\s+|(?=[“”\"]))", line):
            fragment = _normal(fragment).rstrip(".;: ")
            if fragment:
                found.append(fragment)
    return found


def _normal(text: str) -> str:
    text = re.sub(r"[“”„\"]", '"', text)
    text = re.sub(r"[‘’]", "'", text)
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.commitment("C28")
def test_nothing_of_the_seed_policy_is_left_out(policy: Policy) -> None:
    published = _normal(to_markdown(build_document(policy, lang="en")))

    missing = [fragment for fragment in _fragments(seed_policy_text()) if fragment not in published]

    assert missing == []


def test_collection_contexts(policy: Policy) -> None:
    assert list(policy.contexts) == [
        "account_registration",
        "delivery",
        "live_chat_and_order",
        "payment",
        "customer_support",
        "technical_log_files",
        "technical_cookies",
        "technical_pixel_tags",
        "technical_analytics",
    ]
    registration = policy.contexts["account_registration"]
    assert registration.required == [
        "user.device.ip_address",
        "user.account.username",
        "user.contact.email",
        "user.authorization.password",
    ]
    # Asked by the age gate, never required, never kept.
    assert "user.demographic.date_of_birth" in registration.categories
    dob = policy.retention_rule("user.demographic.date_of_birth", "account_registration")
    assert dob is not None
    assert (dob.period, dob.trigger) == ("P0D", "collected")


@pytest.mark.commitment("C17")
def test_the_thirteen_purposes_and_only_they_are_the_policys(policy: Policy) -> None:
    assert set(policy.listed_purposes) == THIRTEEN_PURPOSES
    assert set(policy.purposes) - THIRTEEN_PURPOSES == {"storage", "legal_claims"}
    used = {key for context in policy.contexts.values() for key in context.purposes}
    used |= {key for recipient in policy.recipients.values() for key in recipient.purposes}
    assert used <= set(policy.purposes)


def test_purpose_flags(policy: Policy) -> None:
    assert policy.purposes_allowed_when_restricted() == {"legal_obligation", "storage", "legal_claims"}
    absolute = {key for key, purpose in policy.purposes.items() if purpose.objection_absolute}
    assert absolute == {"marketing_messages", "personalised_advertising"}
    consent = {key for key, purpose in policy.purposes.items() if purpose.legal_basis == "consent"}
    assert consent == {"marketing_messages", "testimonials", "personalised_advertising", "social_features"}


def test_recipients_abroad_have_transfers_with_safeguards(policy: Policy) -> None:
    home = policy.controller.mailing_address.country
    assert home == "CN"
    for key, recipient in policy.recipients.items():
        abroad = [country for country in recipient.countries if country != home]
        if abroad and recipient.data_form in ("personal", "de_identified"):
            assert recipient.transfer is not None, key
            assert recipient.transfer.safeguards, key
            assert set(abroad) <= set(recipient.transfer.destination_countries), key
    analytics = policy.recipients["analytics_providers"]
    assert analytics.categories == ["user.device.ip_address"]
    assert analytics.transfer is not None
    assert (analytics.transfer.scc_module, analytics.transfer.pipl_mechanism) == (
        "module_2",
        "standard_contract",
    )
    assert policy.recipients["aggregate_data_partners"].data_form == "aggregated"
    assert policy.recipients["aggregate_data_partners"].categories == []


def test_every_kind_of_partner_the_policy_names_is_a_recipient(policy: Policy) -> None:
    assert {
        "affiliates",
        "technical_service_providers",
        "data_storage_providers",
        "after_sales_service_providers",
        "marketing_promotion_providers",
        "third_party_sdk_providers",
        "analytics_providers",
        "advertising_partners",
        "aggregate_data_partners",
        "successor",
        "authorities",
    } <= set(policy.recipients)
    assert policy.recipients["successor"].kind == "successor"
    assert policy.recipients["authorities"].purposes == ["legal_obligation"]


@pytest.mark.commitment("C12")
def test_four_cookie_categories_with_essential_always_on(policy: Policy) -> None:
    categories = policy.cookies.categories

    assert list(categories) == ["essential", "performance", "functionality", "advertising"]
    assert [key for key, category in categories.items() if category.essential] == ["essential"]
    signals = [signal for category in categories.values() for signal in category.consent_mode]
    assert sorted(signals) == sorted(
        [
            "security_storage",
            "analytics_storage",
            "functionality_storage",
            "personalization_storage",
            "ad_storage",
            "ad_user_data",
            "ad_personalization",
        ]
    )
    assert policy.cookies.max_age_months == 6


def test_every_cookie_the_site_sets(policy: Policy) -> None:
    by_category = {
        key: [cookie.name for cookie in policy.cookies.cookies if cookie.category == key]
        for key in policy.cookies.categories
    }

    assert by_category["essential"] == ["sessionid", "csrftoken", "pledge_consent"]
    assert by_category["functionality"] == ["django_language", "pledge_region"]
    assert by_category["performance"][0] == "_sw_pa"
    third_party_analytics = [
        cookie
        for cookie in policy.cookies.cookies
        if cookie.category == "performance" and cookie.party == "third"
    ]
    assert [cookie.origin for cookie in third_party_analytics] == ["http://127.0.0.1:8765"]
    assert len(by_category["advertising"]) == 2
    sw_pa = policy.cookie("_sw_pa")
    assert sw_pa is not None
    assert sw_pa.provider == "SogaWorks Analytics (self-hosted stand-in)"
    consent = policy.cookie("pledge_consent")
    assert consent is not None
    assert Duration.parse(consent.duration) == Duration(policy.cookies.max_age_months, "M")


def test_consent_rules_by_jurisdiction(policy: Policy) -> None:
    rules = policy.cookies.jurisdictions

    assert {key: rule.model for key, rule in rules.items()} == {
        "EU": "opt_in",
        "EEA": "opt_in",
        "GB": "opt_in",
        "CN": "opt_in",
        "US-CA": "opt_out",
        "default": "opt_in",
    }
    assert all(rule.source for rule in rules.values())
    assert policy.consent_rule_for("DE").model == "opt_in"
    assert policy.consent_rule_for("NO") is rules["EEA"]
    assert policy.consent_rule_for("US", "CA") is rules["US-CA"]
    assert policy.consent_rule_for("US", "TX") is rules["default"]


def test_the_seven_rights_carry_their_commitments(policy: Policy) -> None:
    assert {key: right.commitment for key, right in policy.rights.rights.items()} == {
        "informed": "C28",
        "access": "C29",
        "rectification": "C30",
        "erasure": "C31",
        "restriction": "C32",
        "portability": "C33",
        "objection": "C34",
    }
    assert policy.rights.request_email == "privacy@sogaworks.com"
    assert policy.rights.promised_answer_within == "P1M"


def test_deadlines_by_jurisdiction(policy: Policy) -> None:
    deadlines = policy.rights.deadlines

    assert (deadlines["default"].base, deadlines["default"].extension) == ("P1M", "P2M")
    eu = deadlines["EU"]
    assert (eu.base, eu.extension, eu.extension_notice_within, eu.roll_weekend, eu.pause_for_identity) == (
        "P1M",
        "P2M",
        "P1M",
        False,
        False,
    )
    assert (deadlines["GB"].base, deadlines["GB"].pause_for_identity) == ("P1M", True)
    ca = deadlines["US-CA"]
    assert (ca.base, ca.extension, ca.max_total, ca.acknowledge_within) == ("P45D", "P45D", "P90D", "P10BD")
    cn = deadlines["CN"]
    assert (cn.base, cn.extension, cn.certainty) == ("P15WD", None, "M")
    assert policy.deadline_for("FR") is eu
    assert policy.deadline_for("BR") is deadlines["default"]


def test_minimum_age_is_fourteen_or_the_higher_local_age(policy: Policy) -> None:
    ages = {
        place: policy.minimum_age_for(place) for place in ["DE", "FR", "BE", "GB", "US", "CN", "BR", None]
    }

    assert ages == {"DE": 16, "FR": 15, "BE": 14, "GB": 14, "US": 14, "CN": 14, "BR": 14, None: 14}
    assert policy.minimum_age("DE") == 16
    assert all(rule.source and rule.as_of for rule in policy.children.local_ages)


def test_every_collected_category_has_a_retention_rule(policy: Policy) -> None:
    uncovered = [
        (name, category)
        for name, context in policy.contexts.items()
        for category in context.categories
        if policy.retention_rule(category, name) is None
    ]

    assert uncovered == []
    consent = [rule for rule in policy.retention if rule.period == "until_withdrawal"]
    assert [rule.trigger for rule in consent] == ["consent_withdrawn"]
    assert any(rule.period == "indefinite_anonymised" for rule in policy.retention)
    assert policy.retention_rule("user.device.ip_address", "technical_log_files").period == "P6M"  # type: ignore[union-attr]


def test_placeholders_are_marked(policy: Policy) -> None:
    controller = policy.controller

    assert controller.legal_name == "Shenzhen Sogaworks Technology Co., Ltd."
    assert (controller.contacts.privacy, controller.contacts.marketing) == (
        "privacy@sogaworks.com",
        "marketing@sogaworks.com",
    )
    assert controller.eu_representative is not None
    assert controller.eu_representative.designated is False
    assert controller.pipl_officer is not None
    assert controller.pipl_officer.designated is False


def test_gaps_name_their_sections(policy: Policy) -> None:
    anchors = {section_anchor(section) for section in policy.sections}
    gaps = {gap.id: gap for gap in policy.gaps}

    assert {gap.section for gap in policy.gaps} <= anchors
    assert gaps["assumed-cookie-consent"].section == "cookie-choices"
    assert {"consent-by-use", "ssl", "de-identified-sharing", "representative-missing"} <= set(gaps)


def test_every_text_has_both_languages(policy: Policy) -> None:
    assert [issue for issue in policy_warnings(policy) if "text is empty" in issue.message] == []
