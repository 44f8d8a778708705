"""The words a declaration may use: fideslang's data categories and data uses, and the
Google Consent Mode v2 signals, with "did you mean" suggestions for the rest.

fideslang (Apache-2.0 code, CC BY 4.0 taxonomy, by Ethyca; see NOTICE) is read once.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from functools import cache

CONSENT_MODE_SIGNALS = frozenset(
    {
        "ad_storage",
        "ad_user_data",
        "ad_personalization",
        "analytics_storage",
        "functionality_storage",
        "personalization_storage",
        "security_storage",
    }
)


@cache
def data_categories() -> dict[str, str]:
    """fideslang data category key -> its English name."""
    from fideslang.default_taxonomy import DEFAULT_TAXONOMY

    return {item.fides_key: item.name or item.fides_key for item in DEFAULT_TAXONOMY.data_category}


@cache
def data_uses() -> dict[str, str]:
    """fideslang data use key -> its English name."""
    from fideslang.default_taxonomy import DEFAULT_TAXONOMY

    return {item.fides_key: item.name or item.fides_key for item in DEFAULT_TAXONOMY.data_use}


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The likeliest intended choice: a dotted key with the same last part, else the
    nearest spelling."""
    options = sorted(set(choices))
    if not isinstance(word, str) or not options:
        return None
    if "." in word or any("." in option for option in options):
        tail = word.rpartition(".")[2]
        same_tail = [option for option in options if option.rpartition(".")[2] == tail]
        if same_tail:
            return difflib.get_close_matches(word, same_tail, n=1, cutoff=0.0)[0]
    found = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return found[0] if found else None


def is_within(category: str, declared: Iterable[str]) -> bool:
    """True when `category` is one of `declared` or a parent of one of them."""
    return any(item == category or item.startswith(category + ".") for item in declared)
