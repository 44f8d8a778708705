"""Where a customer stands with marketing e-mails, for the account page."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from accounts.models import User
from marketing.models import MARKETING
from privacy.api import may_process, purpose_consent_state

# The words next to the box, stored with each consent as the proof of what was agreed to.
WORDING = _(
    "Send me SogaWorks marketing e-mails about products, services, offers, promotions and events. "
    "I can unsubscribe at any time with the link in every e-mail or on this page."
)


@dataclass(frozen=True)
class Subscription:
    state: str  # "granted", "not_granted", "objected"
    paused: bool  # consent in force, but marketing may not be processed now (a restriction)

    @property
    def subscribed(self) -> bool:
        return self.state == "granted"

    @property
    def objected(self) -> bool:
        return self.state == "objected"


def subscription_of(customer: User) -> Subscription:
    state = purpose_consent_state(customer.subject_id, MARKETING)
    paused = state == "granted" and not may_process(customer.subject_id, MARKETING)
    return Subscription(state=state, paused=paused)
