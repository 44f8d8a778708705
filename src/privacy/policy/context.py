"""The policy's version and date on every page (the footer names the version in force)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from privacy.policy.loader import PolicyInvalid, current_policy


def policy_summary(request: HttpRequest) -> dict[str, Any]:
    # A broken declaration is reported by `manage.py check`; pages still render without it.
    try:
        policy = current_policy()
    except PolicyInvalid:
        return {}
    return {"policy_summary": {"version": policy.version, "effective_date": policy.effective_date}}
