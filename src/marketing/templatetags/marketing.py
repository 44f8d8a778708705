"""`{% marketing_subscription account %}`: the opt-in box, for the account page."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.models import User
from marketing.queries import WORDING, subscription_of

register = template.Library()


@register.inclusion_tag("marketing/_subscription.html", takes_context=True)
def marketing_subscription(context: dict[str, Any], account: User) -> dict[str, Any]:
    return {
        "subscription": subscription_of(account),
        "wording": WORDING,
        "csrf_token": context.get("csrf_token"),
    }
