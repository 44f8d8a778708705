"""The age gate of registration (commitment C39).

The date of birth is read, compared and forgotten: only the fact that the check passed
and the minimum age that applied are kept on the account (decision 0006). The minimum
age comes from the declaration for the visitor's jurisdiction, never from a constant
here, because the law moves (Spain, Slovenia).
"""

from __future__ import annotations

import datetime as dt

from privacy.api import minimum_age_for


class UnderMinimumAge(Exception):
    """The visitor is younger than the minimum age of their jurisdiction."""

    def __init__(self, minimum_age: int) -> None:
        super().__init__(f"under the minimum age of {minimum_age}")
        self.minimum_age = minimum_age


def age_on(date_of_birth: dt.date, today: dt.date) -> int:
    """Completed years on `today`; someone born on 29 February turns a year older on 1 March."""
    before_birthday = (today.month, today.day) < (date_of_birth.month, date_of_birth.day)
    return today.year - date_of_birth.year - int(before_birthday)


def check_age(*, date_of_birth: dt.date, country: str | None, today: dt.date) -> int:
    """The minimum age that applied, when the visitor meets it; raises UnderMinimumAge otherwise."""
    minimum = minimum_age_for(country)
    if age_on(date_of_birth, today) < minimum:
        raise UnderMinimumAge(minimum)
    return minimum


# keeps: C39 (the age gate: nothing stored about a refused child)
