"""Signed, expiring, single-use links for confirming an e-mail address.

A token carries the account's primary key and a keyed digest of the state it confirms
(the address and whether it is confirmed yet; or the pending new address and when it
was asked for). Confirming changes that state, so the same link cannot be used twice,
and a newer request makes every older link stale. Tokens hold no address in the clear:
links end up in browser histories and request logs.

Password-reset links use Django's own token generator (the hash covers the password,
so a reset link is single-use as well).
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

from django.core import signing
from django.utils.crypto import salted_hmac

VERIFY_EMAIL = "accounts.verify_email"
CHANGE_EMAIL = "accounts.change_email"

MAX_AGE = {
    VERIFY_EMAIL: dt.timedelta(days=3),
    CHANGE_EMAIL: dt.timedelta(days=1),
}


class InvalidToken(Exception):
    """The link is malformed, expired, already used or superseded."""


@dataclass(frozen=True)
class TokenClaim:
    user_pk: str
    digest: str


def state_digest(purpose: str, state: str) -> str:
    return salted_hmac(purpose, state, algorithm="sha256").hexdigest()[:32]


def make_token(*, purpose: str, user_pk: object, state: str) -> str:
    return signing.dumps({"u": str(user_pk), "s": state_digest(purpose, state)}, salt=purpose)


def read_token(*, purpose: str, token: str) -> TokenClaim:
    try:
        payload = signing.loads(token, salt=purpose, max_age=MAX_AGE[purpose])
    except signing.BadSignature as bad:  # SignatureExpired is a BadSignature
        raise InvalidToken(str(bad)) from None
    if not (
        isinstance(payload, dict) and isinstance(payload.get("u"), str) and isinstance(payload.get("s"), str)
    ):
        raise InvalidToken("malformed payload")
    return TokenClaim(user_pk=payload["u"], digest=payload["s"])


def state_matches(*, purpose: str, claim: TokenClaim, state: str) -> bool:
    return hmac.compare_digest(claim.digest, state_digest(purpose, state))
