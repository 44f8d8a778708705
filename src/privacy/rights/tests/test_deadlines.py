"""Due days per jurisdiction, exactly (C35): GDPR's calendar month, CCPA's 45 days under the
policy's one-month promise, the PRC's 15 working days; extensions once, within the maximum."""

from __future__ import annotations

import datetime as dt

import pytest

from privacy.rights.deadlines import plan_for, urgency


@pytest.mark.commitment("C35")
def test_gdpr_month_ends_on_the_same_date_of_the_next_month():
    plan = plan_for("DE", dt.date(2026, 3, 10))
    assert (plan.rule, plan.due_on, plan.statutory_due_on) == (
        "EU",
        dt.date(2026, 4, 10),
        dt.date(2026, 4, 10),
    )
    assert plan.extension_until == dt.date(2026, 6, 10)
    assert plan.extend_by == dt.date(2026, 4, 10)


@pytest.mark.commitment("C35")
def test_gdpr_month_from_january_31_ends_on_the_last_day_of_february():
    assert plan_for("FR", dt.date(2026, 1, 31)).due_on == dt.date(2026, 2, 28)
    assert plan_for("FR", dt.date(2028, 1, 31)).due_on == dt.date(2028, 2, 29)  # a leap year


@pytest.mark.commitment("C35")
def test_ccpa_counts_45_days_but_the_policy_promises_one_month():
    plan = plan_for("US-CA", dt.date(2026, 1, 15))
    assert plan.rule == "US-CA"
    assert plan.statutory_due_on == dt.date(2026, 3, 1)  # 45 days
    assert plan.due_on == dt.date(2026, 2, 15)  # the promise is shorter and wins
    assert plan.extension_until == dt.date(2026, 4, 15)  # 90 days in all
    assert plan.extend_by == dt.date(2026, 2, 15)


@pytest.mark.commitment("C35")
def test_china_counts_15_working_days_and_allows_no_extension():
    plan = plan_for("CN", dt.date(2026, 11, 27))  # a Friday
    assert plan.rule == "CN"
    assert plan.due_on == dt.date(2026, 12, 18)  # three working weeks later, a Friday
    assert (plan.extension_until, plan.extend_by, plan.extendable) == (None, None, False)


def test_a_place_without_a_rule_of_its_own_gets_the_policy_default():
    plan = plan_for("ZZ", dt.date(2026, 5, 31))
    assert (plan.rule, plan.due_on) == ("default", dt.date(2026, 6, 30))


def test_the_uk_has_its_own_rule_with_the_same_month():
    assert plan_for("GB", dt.date(2026, 8, 31)).due_on == dt.date(2026, 9, 30)


def test_urgency_flags_overdue_and_under_seven_days():
    today = dt.date(2026, 6, 10)
    assert urgency(dt.date(2026, 6, 9), today) == "overdue"
    assert urgency(dt.date(2026, 6, 10), today) == "at_risk"
    assert urgency(dt.date(2026, 6, 16), today) == "at_risk"
    assert urgency(dt.date(2026, 6, 17), today) == ""
