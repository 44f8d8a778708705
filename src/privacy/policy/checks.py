"""`manage.py check` fails on a broken declaration, naming file, line and key.

privacy.E001: an error in the declaration (it cannot be loaded).
privacy.W001: a legal or editorial risk in a declaration that loads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core import checks

from privacy.policy.loader import PolicyInvalid, current_policy, policy_warnings


def check_policy_declaration(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    if app_configs is not None and not any(config.label == "policy" for config in app_configs):
        return []
    try:
        policy = current_policy()
    except PolicyInvalid as exc:
        return [checks.Error(str(issue), id="privacy.E001") for issue in exc.issues]
    return [checks.Warning(str(issue), id="privacy.W001") for issue in policy_warnings(policy)]
