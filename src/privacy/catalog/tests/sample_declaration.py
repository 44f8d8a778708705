"""A small declaration for the catalog's tests: three contexts and their retention rules.

Only the parts the catalog reads (contexts, retention) are filled in; `model_construct`
skips validation of the rest, which the policy engineer's tests cover.
"""

from __future__ import annotations

from privacy.policy.schema import Context, Policy, RetentionRule, Text


def _context(categories: list[str]) -> Context:
    blank = Text(en="-", zh="-")
    return Context(
        title=blank, section="s", description=blank, categories=categories, purposes=["provide_services"]
    )


def sample_policy() -> Policy:
    return Policy.model_construct(
        contexts={
            "registration": _context(["user.contact.email", "user.name", "user.contact.phone_number"]),
            "chat": _context(["user.content"]),
            "payment": _context(["user.financial", "user.name"]),
        },
        retention=[
            RetentionRule(
                id="account-data",
                category="user",
                context="registration",
                period="P30D",
                trigger="account_closed",
                on_expiry="erase",
                legal_basis="contract",
            ),
            RetentionRule(
                id="chat-history",
                category="user.content",
                context="chat",
                period="P3Y",
                trigger="last_activity",
                on_expiry="erase",
                legal_basis="legitimate_interests",
            ),
            RetentionRule(
                id="tax-records",
                category="user.financial",
                context="payment",
                period="P10Y",
                trigger="order_completed",
                on_expiry="erase",
                legal_basis="legal_obligation: commercial and tax record keeping",
                legal_hold=True,
            ),
        ],
    )
