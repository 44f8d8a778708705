from __future__ import annotations

import datetime as dt

import pytest

from privacy.policy.durations import Duration, DurationError, add_months


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P1M", Duration(1, "M")),
        ("P45D", Duration(45, "D")),
        ("P3Y", Duration(3, "Y")),
        ("P15WD", Duration(15, "WD")),
        ("P10BD", Duration(10, "BD")),
        ("P0D", Duration(0, "D")),
    ],
)
def test_parse(text: str, expected: Duration) -> None:
    assert Duration.parse(text) == expected
    assert str(expected) == text


@pytest.mark.parametrize("text", ["1 month", "P1W", "p1m", "P-1D", "PM", "P1.5M", "", "P1MD"])
def test_parse_refuses(text: str) -> None:
    with pytest.raises(DurationError):
        Duration.parse(text)


@pytest.mark.parametrize(
    ("text", "en", "zh"),
    [
        ("P1M", "1 month", "1个月"),
        ("P2M", "2 months", "2个月"),
        ("P45D", "45 days", "45天"),
        ("P15WD", "15 working days", "15个工作日"),
        ("P10BD", "10 business days", "10个工作日"),
        ("P30Y", "30 years", "30年"),
    ],
)
def test_describe(text: str, en: str, zh: str) -> None:
    assert Duration.parse(text).describe("en") == en
    assert Duration.parse(text).describe("zh") == zh


# The GDPR test vectors of LAW.md (Regulation 1182/71 Art. 3; weekend roll-over only).
@pytest.mark.parametrize(
    ("received", "period", "roll", "due"),
    [
        (dt.date(2026, 1, 15), "P1M", False, dt.date(2026, 2, 15)),
        (dt.date(2026, 1, 15), "P1M", True, dt.date(2026, 2, 16)),
        (dt.date(2026, 1, 31), "P1M", False, dt.date(2026, 2, 28)),
        (dt.date(2026, 1, 31), "P1M", True, dt.date(2026, 3, 2)),
        (dt.date(2026, 3, 31), "P1M", True, dt.date(2026, 4, 30)),
        (dt.date(2026, 1, 15), "P3M", False, dt.date(2026, 4, 15)),
        (dt.date(2024, 2, 29), "P1Y", False, dt.date(2025, 2, 28)),
        (dt.date(2026, 1, 1), "P45D", False, dt.date(2026, 2, 15)),
    ],
)
def test_add_to_counts_calendar_periods(received: dt.date, period: str, roll: bool, due: dt.date) -> None:
    assert Duration.parse(period).add_to(received, roll_weekend=roll) == due


def test_business_days_skip_weekends_and_holidays() -> None:
    friday = dt.date(2026, 1, 16)

    assert Duration.parse("P10BD").add_to(friday) == dt.date(2026, 1, 30)
    assert Duration.parse("P10BD").add_to(friday, holidays={dt.date(2026, 1, 19)}) == dt.date(2026, 2, 2)


def test_working_days_follow_the_prc_calendar_when_given() -> None:
    # 2026-02-14 (Sat) is a swapped working day in this example calendar; 16-20 Feb are holidays.
    start = dt.date(2026, 2, 12)
    holidays = {dt.date(2026, 2, day) for day in range(16, 21)}

    assert Duration.parse("P3WD").add_to(start) == dt.date(2026, 2, 17)
    assert Duration.parse("P3WD").add_to(start, holidays=holidays, extra_workdays={dt.date(2026, 2, 14)}) == (
        dt.date(2026, 2, 23)
    )


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)
