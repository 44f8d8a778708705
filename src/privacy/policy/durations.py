"""Periods as the declaration writes them, and the dates they lead to.

The declaration writes a period as `P<n><unit>`: `D` calendar days, `M` calendar months,
`Y` years (the ISO 8601 forms), and two units ISO 8601 lacks but the law uses: `WD`
working days (a PRC benchmark counts these) and `BD` business days (CCPA counts these).
Without a holiday calendar both count Monday to Friday; pass `holidays` (and, for the
PRC's swapped weekend working days, `extra_workdays`) to count them exactly.

Months are counted the way Regulation (EEC, Euratom) 1182/71 Art. 3 counts them for the
GDPR: the day of receipt does not count, the period ends on the same date of the later
month, or on that month's last day when it has no such date. Rolling a weekend end date
forward is the caller's choice (`roll_weekend`), because the conservative reading does
not roll.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

Unit = Literal["D", "M", "Y", "WD", "BD"]

PATTERN = re.compile(r"^P(?P<amount>\d{1,5})(?P<unit>WD|BD|D|M|Y)$")
FORMATS = "P<n>D, P<n>M, P<n>Y, P<n>WD (working days) or P<n>BD (business days)"

_WORDS: dict[str, dict[Unit, tuple[str, str]]] = {
    # unit: (singular, plural)
    "en": {
        "D": ("day", "days"),
        "M": ("month", "months"),
        "Y": ("year", "years"),
        "WD": ("working day", "working days"),
        "BD": ("business day", "business days"),
    },
    "zh": {
        "D": ("天", "天"),
        "M": ("个月", "个月"),
        "Y": ("年", "年"),
        "WD": ("个工作日", "个工作日"),
        "BD": ("个工作日", "个工作日"),
    },
}


class DurationError(ValueError):
    """A period the declaration cannot mean."""


@dataclass(frozen=True, order=True)
class Duration:
    amount: int
    unit: Unit

    @classmethod
    def parse(cls, text: str) -> Duration:
        match = PATTERN.match(text.strip()) if isinstance(text, str) else None
        if match is None:
            raise DurationError(f"{text!r} is not a duration: write {FORMATS}")
        unit: Unit = match["unit"]  # type: ignore[assignment]  # the pattern admits only Unit values
        return cls(int(match["amount"]), unit)

    def __str__(self) -> str:
        return f"P{self.amount}{self.unit}"

    @property
    def counts_working_days(self) -> bool:
        return self.unit in ("WD", "BD")

    @property
    def approximate_days(self) -> int:
        """A rough length in calendar days, for comparing periods of different units."""
        per_unit = {"D": 1.0, "M": 30.44, "Y": 365.25, "WD": 7 / 5, "BD": 7 / 5}
        return round(self.amount * per_unit[self.unit])

    def describe(self, lang: str = "en") -> str:
        """The period in words: "1 month", "15 working days", "15个工作日"."""
        singular, plural = _WORDS["zh" if lang.startswith("zh") else "en"][self.unit]
        if lang.startswith("zh"):
            return f"{self.amount}{plural}"
        return f"{self.amount} {singular if self.amount == 1 else plural}"

    def add_to(
        self,
        start: dt.date,
        *,
        holidays: Collection[dt.date] = (),
        extra_workdays: Collection[dt.date] = (),
        roll_weekend: bool = False,
    ) -> dt.date:
        """The last day of the period that starts the day after `start`.

        `roll_weekend` moves an end date that falls on a weekend or holiday to the next
        working day (Regulation 1182/71 Art. 3(4)); working-day periods always end on a
        working day.
        """

        def is_working(day: dt.date) -> bool:
            if day in extra_workdays:
                return True
            return day.weekday() < 5 and day not in holidays

        if self.counts_working_days:
            day, counted = start, 0
            while counted < self.amount:
                day += dt.timedelta(days=1)
                if is_working(day):
                    counted += 1
            return day
        if self.unit == "D":
            end = start + dt.timedelta(days=self.amount)
        else:
            months = self.amount * (12 if self.unit == "Y" else 1)
            end = add_months(start, months)
        while roll_weekend and not is_working(end):
            end += dt.timedelta(days=1)
        return end


def add_months(start: dt.date, months: int) -> dt.date:
    """The same date `months` later, or the last day of that month if it has no such date."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def parse_duration(text: str) -> Duration:
    return Duration.parse(text)
