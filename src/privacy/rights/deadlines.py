"""When a request must be answered: the jurisdiction's rule, capped by the policy's promise.

The declaration gives each jurisdiction a rule (`rights.deadlines`: GDPR's calendar month,
CCPA's 45 days, the PRC benchmark's 15 working days) and the policy promises everyone an
answer "within one month after receipt unless we need more time" (C35,
`promised_answer_within`). The due day is the earlier of the two: a longer statutory
period never lengthens the promise, a shorter one still applies. An extension ("unless we
need more time") is the rule's: once, announced before the due day and within the rule's
notice period, up to the rule's maximum in total; a rule without one (CN) allows none.

Days are UTC calendar days; the period starts the day after receipt (Regulation 1182/71
Art. 3, as `Duration.add_to` counts). `pause_for_identity` (UK GDPR Art. 12A) could only
move the statutory day later, never past the promise, so it changes no due day here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from privacy.policy.durations import Duration
from privacy.policy.loader import current_policy
from privacy.policy.schema import Deadline, Policy


@dataclass(frozen=True)
class DeadlinePlan:
    rule: str  # the key of the rule applied: "EU", "US-CA", "CN", "default"
    source: str
    due_on: dt.date  # the day to answer by: the rule's or the promise's, whichever is earlier
    statutory_due_on: dt.date
    extension_until: dt.date | None  # the latest extended due day; None when the rule has no extension
    extend_by: dt.date | None  # the last day an extension may be announced

    @property
    def extendable(self) -> bool:
        return self.extension_until is not None


def split_jurisdiction(code: str) -> tuple[str | None, str | None]:
    """ "US-CA" -> ("US", "CA"); "DE" -> ("DE", None); "" -> (None, None)."""
    country, _, subdivision = code.strip().upper().partition("-")
    return (country or None, subdivision or None)


def rule_key(policy: Policy, jurisdiction: str) -> str:
    keys = policy.jurisdiction_keys(*split_jurisdiction(jurisdiction))
    return next(key for key in keys if key in policy.rights.deadlines)


def plan_for(jurisdiction: str, received_on: dt.date, *, policy: Policy | None = None) -> DeadlinePlan:
    policy = policy or current_policy()
    key = rule_key(policy, jurisdiction)
    rule: Deadline = policy.rights.deadlines[key]

    def add(period: str) -> dt.date:
        return Duration.parse(period).add_to(received_on, roll_weekend=rule.roll_weekend)

    statutory = add(rule.base)
    due = statutory
    if policy.rights.promised_answer_within:
        due = min(due, Duration.parse(policy.rights.promised_answer_within).add_to(received_on))
    until = extend_by = None
    if rule.extension:
        if rule.max_total:
            until = add(rule.max_total)
        else:
            until = Duration.parse(rule.extension).add_to(statutory, roll_weekend=rule.roll_weekend)
        extend_by = due
        if rule.extension_notice_within:
            extend_by = min(due, add(rule.extension_notice_within))
    return DeadlinePlan(
        rule=key,
        source=rule.source,
        due_on=due,
        statutory_due_on=statutory,
        extension_until=until,
        extend_by=extend_by,
    )


AT_RISK_DAYS = 7  # the staff queue flags a request due within this many days


def urgency(due_on: dt.date, today: dt.date) -> str:
    """ "overdue", "at_risk" (under 7 days left) or "" for the staff queue."""
    if due_on < today:
        return "overdue"
    if (due_on - today).days < AT_RISK_DAYS:
        return "at_risk"
    return ""


# keeps: C35 (answers within the policy's month or the shorter local period; one extension with reasons)
