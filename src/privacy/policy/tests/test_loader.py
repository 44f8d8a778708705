"""A broken declaration is refused with the file, line, key and likeliest fix of each problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from privacy.policy.loader import PolicyInvalid, PolicyIssue, load_policy, policy_warnings
from privacy.policy.tests.conftest import Breaker
from privacy.policy.tests.support import line_of

LEGAL_BASES = "consent, contract, legal_obligation, vital_interests, public_task, legitimate_interests"
DURATION_FORMATS = "P<n>D, P<n>M, P<n>Y, P<n>WD (working days) or P<n>BD (business days)"
ADMINISTER_ACCOUNT = (
    "    data_uses: [essential.service, essential.service.authentication, personalize.content.limited]\n"
    "    legal_basis: contract\n"
)


def issues_of(path: Path) -> list[PolicyIssue]:
    with pytest.raises(PolicyInvalid) as raised:
        load_policy(path)
    return raised.value.issues


def test_issue_reads_file_line_key_message_and_suggestion() -> None:
    issue = PolicyIssue("policy/x.yaml", 12, "contexts.delivery.categories[2]", "unknown", "user.name")

    assert (
        str(issue) == "policy/x.yaml:12: contexts.delivery.categories[2]: unknown (did you mean 'user.name'?)"
    )
    assert str(PolicyIssue("p.yaml", None, "", "cannot read")) == "p.yaml: cannot read"


def test_yaml_syntax_error_names_its_line(broken: Breaker) -> None:
    path = broken(("    anchor: general\n", "\tanchor: general\n"))

    assert issues_of(path) == [
        PolicyIssue(
            str(path),
            line_of(path, "\tanchor: general"),
            "",
            "YAML syntax error: while scanning for the next token "
            "found character '\\t' that cannot start any token",
        )
    ]


def test_duplicate_key_is_an_error_naming_both_lines(broken: Breaker) -> None:
    path = broken(('  banner_version: "1"\n', '  banner_version: "1"\n  version: "again"\n'))
    first = line_of(path, '  version: "2023.09"', after="cookies:")

    assert issues_of(path) == [
        PolicyIssue(
            str(path),
            line_of(path, 'version: "again"'),
            "cookies.version",
            f"duplicate key 'version' (first written on line {first})",
        )
    ]


def test_unknown_top_level_key_suggests_the_known_one(broken: Breaker) -> None:
    path = broken(("\nsummary:\n", "\nsumary:\n"))

    assert issues_of(path) == [
        PolicyIssue(str(path), line_of(path, 'version: "2023.09"'), "summary", "missing key 'summary'"),
        PolicyIssue(str(path), line_of(path, "sumary:"), "sumary", "unknown key 'sumary'", "summary"),
    ]


def test_misspelt_key_is_unknown_and_the_real_one_missing(broken: Breaker) -> None:
    path = broken((ADMINISTER_ACCOUNT, ADMINISTER_ACCOUNT.replace("legal_basis", "legal_bases")))

    assert issues_of(path) == [
        PolicyIssue(
            str(path),
            line_of(path, "  administer_account:"),
            "purposes.administer_account.legal_basis",
            f"missing key 'legal_basis': every purpose needs a legal basis (one of {LEGAL_BASES})",
        ),
        PolicyIssue(
            str(path),
            line_of(path, "legal_bases: contract"),
            "purposes.administer_account.legal_bases",
            "unknown key 'legal_bases'",
            "legal_basis",
        ),
    ]


def test_purpose_without_legal_basis(broken: Breaker) -> None:
    path = broken((ADMINISTER_ACCOUNT, ADMINISTER_ACCOUNT.replace("    legal_basis: contract\n", "")))

    assert issues_of(path) == [
        PolicyIssue(
            str(path),
            line_of(path, "  administer_account:"),
            "purposes.administer_account.legal_basis",
            f"missing key 'legal_basis': every purpose needs a legal basis (one of {LEGAL_BASES})",
        )
    ]


def test_unknown_legal_basis_suggests_the_nearest(broken: Breaker) -> None:
    path = broken(
        (ADMINISTER_ACCOUNT, ADMINISTER_ACCOUNT.replace("legal_basis: contract", "legal_basis: contracts"))
    )

    assert issues_of(path) == [
        PolicyIssue(
            str(path),
            line_of(path, "legal_basis: contracts"),
            "purposes.administer_account.legal_basis",
            f"'contracts' is not one of: {LEGAL_BASES}",
            "contract",
        )
    ]


def test_missing_top_level_key_points_at_the_document(broken: Breaker) -> None:
    path = broken(("effective_date: 2023-09-01\n", ""))

    assert issues_of(path) == [
        PolicyIssue(
            str(path), line_of(path, 'version: "2023.09"'), "effective_date", "missing key 'effective_date'"
        )
    ]


def test_wrong_type(broken: Breaker) -> None:
    path = broken(("  erase_within_days: 7\n", "  erase_within_days: soon\n"))

    assert issues_of(path) == [
        PolicyIssue(
            str(path),
            line_of(path, "erase_within_days: soon"),
            "children.erase_within_days",
            "input should be a valid integer, unable to parse string as an integer, not str 'soon'",
        )
    ]


def test_unquoted_no_is_explained(broken: Breaker) -> None:
    path = broken(('{jurisdiction: "NO", age: 13', "{jurisdiction: NO, age: 13"))
    [issue] = issues_of(path)

    assert issue.line == line_of(path, "{jurisdiction: NO, age: 13")
    assert issue.key == "children.local_ages[28].jurisdiction"
    assert issue.message == (
        "input should be a valid string, not bool False "
        "(YAML reads unquoted yes/no/on/off, numbers and dates as such: quote the value)"
    )


def test_unknown_data_category_suggests_the_fideslang_key(broken: Breaker) -> None:
    old = "      - user.contact.phone_number\n      - user.name\n      - user.contact.email\n"
    path = broken((old, old.replace("user.contact.email", "user.contact.emial")))

    issues = issues_of(path)

    assert issues[0] == PolicyIssue(
        str(path),
        line_of(path, "- user.contact.emial"),
        "contexts.delivery.categories[2]",
        "unknown fideslang data category 'user.contact.emial'",
        "user.contact.email",
    )
    # The retention rule for the e-mail in delivery now names an undeclared category.
    assert issues[1].key == "retention[7].category"


def test_unknown_data_use_suggests_the_fideslang_key(broken: Breaker) -> None:
    old = "      zh: 开展研究、分析和开发活动\n    data_uses: [analytics.reporting,"
    path = broken((old, old.replace("analytics.reporting", "analytics.reportng")))

    assert issues_of(path) == [
        PolicyIssue(
            str(path),
            line_of(path, "analytics.reportng"),
            "purposes.research.data_uses[0]",
            "unknown fideslang data use 'analytics.reportng'",
            "analytics.reporting",
        )
    ]


def test_context_naming_an_unknown_purpose(broken: Breaker) -> None:
    old = "    purposes: [fulfil_orders, communicate, prevent_fraud, legal_obligation, storage, legal_claims]"
    path = broken((old, old.replace("fulfil_orders", "fulfill_orders")))

    assert issues_of(path) == [
        PolicyIssue(
            str(path),
            line_of(path, "[fulfill_orders,"),
            "contexts.delivery.purposes[0]",
            "unknown purpose 'fulfill_orders'",
            "fulfil_orders",
        )
    ]


def test_recipient_naming_an_unknown_purpose(broken: Breaker) -> None:
    old = "    purposes: [legal_obligation]\n    countries: [CN]\n"
    path = broken((old, old.replace("[legal_obligation]", "[legal_obligations]")))

    assert issues_of(path) == [
        PolicyIssue(
            str(path),
            line_of(path, "purposes: [legal_obligations]"),
            "recipients.authorities.purposes[0]",
            "unknown purpose 'legal_obligations'",
            "legal_obligation",
        )
    ]


ANALYTICS_TRANSFER_SAFEGUARDS = (
    "      pipl_mechanism: standard_contract\n"
    "      safeguards: [scc_2021_914, pipl_standard_contract, pipl_separate_consent, pipia]\n"
    "      copy_available_on_request: true\n"
    "      separate_consent: true\n"
    "      pipia_reference: null  # PLACEHOLDER\n\n"
    "  # PLACEHOLDER: the advertising"
)


def test_transfer_with_no_safeguards(broken: Breaker) -> None:
    path = broken(
        (
            ANALYTICS_TRANSFER_SAFEGUARDS,
            ANALYTICS_TRANSFER_SAFEGUARDS.replace(
                "[scc_2021_914, pipl_standard_contract, pipl_separate_consent, pipia]", "[]"
            ),
        )
    )

    assert issues_of(path) == [
        PolicyIssue(
            str(path),
            line_of(path, "safeguards: []"),
            "recipients.analytics_providers.transfer.safeguards",
            "a transfer needs at least one safeguard",
        )
    ]


def test_transfer_without_safeguards_key(broken: Breaker) -> None:
    line = "      safeguards: [scc_2021_914, pipl_standard_contract, pipl_separate_consent, pipia]\n"
    path = broken((ANALYTICS_TRANSFER_SAFEGUARDS, ANALYTICS_TRANSFER_SAFEGUARDS.replace(line, "")))

    assert issues_of(path) == [
        PolicyIssue(
            str(path),
            line_of(path, "    transfer:", after="  analytics_providers:"),
            "recipients.analytics_providers.transfer.safeguards",
            "missing key 'safeguards': a recipient or transfer needs its safeguards",
        )
    ]


def test_recipient_abroad_without_transfer(broken: Breaker) -> None:
    old = "    countries: [CN]  # PLACEHOLDER: providers not named; China assumed.\n"
    path = broken((old, old.replace("[CN]", "[CN, SG]")))

    assert issues_of(path) == [
        PolicyIssue(
            str(path),
            line_of(path, "countries: [CN, SG]"),
            "recipients.technical_service_providers.countries",
            "personal data leaves CN (to SG) but the recipient has no transfer",
        )
    ]


def test_cookie_without_category(broken: Breaker) -> None:
    old = "    - name: sessionid\n      provider: SogaWorks\n      category: essential\n"
    path = broken((old, old.replace("      category: essential\n", "")))

    assert issues_of(path) == [
        PolicyIssue(
            str(path),
            line_of(path, "- name: sessionid"),
            "cookies.cookies[0].category",
            "missing key 'category': every cookie needs a category "
            "(one of advertising, essential, functionality, performance)",
        )
    ]


def test_cookie_with_unknown_category(broken: Breaker) -> None:
    old = "    - name: csrftoken\n      provider: SogaWorks\n      category: essential\n"
    path = broken((old, old.replace("essential", "esential")))

    assert issues_of(path) == [
        PolicyIssue(
            str(path),
            line_of(path, "category: esential"),
            "cookies.cookies[1].category",
            "unknown cookie category 'esential'",
            "essential",
        )
    ]


def test_retention_rule_for_a_category_its_context_does_not_collect(broken: Breaker) -> None:
    old = "  - id: delivery-phone\n    category: user.contact.phone_number\n"
    path = broken((old, old.replace("user.contact.phone_number", "user.contact.address.street")))

    assert issues_of(path) == [
        PolicyIssue(
            str(path),
            line_of(path, "category: user.contact.address.street"),
            "retention[5].category",
            "category 'user.contact.address.street' is not declared in context 'delivery'",
            "user.contact.address",
        )
    ]


def test_unparseable_duration(broken: Breaker) -> None:
    path = broken(("    EU:\n      base: P1M\n", "    EU:\n      base: 1 month\n"))

    assert issues_of(path) == [
        PolicyIssue(
            str(path),
            line_of(path, "base: 1 month"),
            "rights.deadlines.EU.base",
            f"'1 month' is not a duration: write {DURATION_FORMATS}",
        )
    ]


def test_unparseable_retention_period_suggests_the_special_value(broken: Breaker) -> None:
    path = broken(("    period: until_withdrawal\n", "    period: until_withdrawn\n"))

    assert issues_of(path) == [
        PolicyIssue(
            str(path),
            line_of(path, "period: until_withdrawn"),
            "retention[30].period",
            f"'until_withdrawn' is not a duration: write {DURATION_FORMATS}, "
            "or 'until_withdrawal', or 'indefinite_anonymised'",
            "until_withdrawal",
        )
    ]


def test_rights_must_be_the_seven(broken: Breaker) -> None:
    path = broken(
        (
            "    informed:\n      title: {en: Right to be informed",
            "    informd:\n      title: {en: Right to be informed",
        )
    )

    assert issues_of(path) == [
        PolicyIssue(
            str(path),
            line_of(path, "  rights:", after="rights:"),
            "rights.rights",
            "the right 'informed' is missing",
        ),
        PolicyIssue(
            str(path),
            line_of(path, "    informd:"),
            "rights.rights.informd",
            "'informd' is not one of the seven rights "
            "(informed, access, rectification, erasure, restriction, portability, objection)",
            "informed",
        ),
        PolicyIssue(
            str(path),
            line_of(path, "  C28: [rights.rights.informed"),
            "commitments.C28[0]",
            "'rights.rights.informed' names nothing in the declaration",
            "rights.rights.informd",
        ),
    ]


def test_section_key_must_name_something(broken: Breaker) -> None:
    path = broken(("    keys: [rights.rights]\n", "    keys: [rights.right]\n"))

    assert issues_of(path) == [
        PolicyIssue(
            str(path),
            line_of(path, "keys: [rights.right]"),
            "sections[13].keys[0]",
            "'rights.right' names nothing in the declaration",
            "rights.rights",
        )
    ]


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"

    [issue] = issues_of(path)

    assert (issue.file, issue.line, issue.key) == (str(path), None, "")
    assert issue.message.startswith("cannot read the declaration: ")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("# nothing yet\n")

    assert issues_of(path) == [PolicyIssue(str(path), 1, "", "the declaration is empty")]


def test_opt_out_where_the_law_wants_opt_in_is_a_warning(broken: Breaker) -> None:
    path = broken(("    EU:\n      model: opt_in\n", "    EU:\n      model: opt_out\n"))

    policy = load_policy(path)

    assert policy_warnings(policy) == [
        PolicyIssue(
            str(path),
            line_of(path, "model: opt_out", after="  jurisdictions:"),
            "cookies.jurisdictions.EU.model",
            "the consent model is 'opt_out' but the law here requires opt-in "
            "(ePrivacy Directive 2002/58/EC Art. 5(3); GDPR Arts. 4(11), 7; CJEU C-673/17 Planet49)",
            "opt_in",
        )
    ]


def test_implied_consent_where_the_law_wants_opt_in_is_a_warning(broken: Breaker) -> None:
    path = broken(("    default:\n      model: opt_in\n", "    default:\n      model: implied\n"))

    [warning] = policy_warnings(load_policy(path))

    assert (warning.key, warning.suggestion) == ("cookies.jurisdictions.default.model", "opt_in")
    assert warning.message.startswith("the consent model is 'implied' but the law here requires opt-in")


def test_category_without_retention_rule_is_a_warning(broken: Breaker) -> None:
    rule = (
        "  - id: cookie-language\n    category: user.demographic.language\n    context: technical_cookies\n"
        "    period: P1Y\n    trigger: collected\n    on_expiry: erase\n"
        "    legal_basis: GDPR Art. 6(1)(a), ePrivacy Art. 5(3)\n"
    )
    path = broken((rule, ""))

    assert policy_warnings(load_policy(path)) == [
        PolicyIssue(
            str(path),
            line_of(path, "- user.demographic.language"),
            "contexts.technical_cookies.categories[2]",
            "no retention rule covers 'user.demographic.language' in 'technical_cookies'",
        )
    ]


def test_commitment_naming_a_missing_key_is_an_error_with_a_suggestion(broken: Breaker) -> None:
    path = broken(("  C27: [recipients.successor]\n", "  C27: [recipients.sucessor]\n"))

    assert issues_of(path) == [
        PolicyIssue(
            str(path),
            line_of(path, "  C27: [recipients.sucessor]"),
            "commitments.C27[0]",
            "'recipients.sucessor' names nothing in the declaration",
            "recipients.successor",
        )
    ]
