"""An in-memory gateway that behaves like a provider's test mode, for tests, the demo and CI.

Test cards (any future expiry, any well-formed CVC; the same numbers as Stripe's test mode):

    number               brand        charge outcome
    4242424242424242     visa         succeeds
    4000056655665556     visa         succeeds (debit)
    5555555555554444     mastercard   succeeds
    2223003122003222     mastercard   succeeds (2-series)
    5200828282828210     mastercard   succeeds (debit)
    378282246310005      amex         succeeds
    371449635398431      amex         succeeds
    6011111111111117     discover     succeeds
    3566002020360505     jcb          succeeds
    6200000000000005     unionpay     succeeds
    4000000000000002     visa         declined: card_declined
    4000000000009995     visa         declined: insufficient_funds
    4000000000000069     visa         declined: expired_card
    4000000000000127     visa         declined: incorrect_cvc
    4000000000000119     visa         declined: processing_error
    4000000000009987     visa         declined: lost_card
    4000000000009979     visa         declined: stolen_card
    any other valid card —            declined: test_mode_live_card

Like a real test mode, a valid number that is not a test card tokenises but never
charges: a customer who types a real card into the demo is told so, and nothing was taken.

Tokenising applies the shared format rules (`gateway.validate_card`), then keeps only what
a `CardToken` holds plus the test outcome of the number; the number itself is dropped
before `tokenise_card` returns. State lives in the instance behind one lock, so concurrent
calls with one idempotency key produce one charge.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TypeVar

from payments.gateway import (
    CardBrand,
    CardToken,
    Charge,
    IdempotencyConflict,
    InvalidRequest,
    PaymentDeclined,
    Refund,
    normalise_amount,
    normalise_card_number,
    normalise_currency,
    validate_card,
)

TEST_CARDS: dict[str, str | None] = {
    "4242424242424242": None,
    "4000056655665556": None,
    "5555555555554444": None,
    "2223003122003222": None,
    "5200828282828210": None,
    "378282246310005": None,
    "371449635398431": None,
    "6011111111111117": None,
    "3566002020360505": None,
    "6200000000000005": None,
    "4000000000000002": "card_declined",
    "4000000000009995": "insufficient_funds",
    "4000000000000069": "expired_card",
    "4000000000000127": "incorrect_cvc",
    "4000000000000119": "processing_error",
    "4000000000009987": "lost_card",
    "4000000000009979": "stolen_card",
}
LIVE_CARD = "test_mode_live_card"
_Result = TypeVar("_Result", Charge, Refund)
_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")


@dataclass(frozen=True, slots=True)
class _StoredCard:
    brand: CardBrand
    last4: str
    exp_month: int
    exp_year: int
    decline_code: str | None  # what charging this test card does; the number is not kept


@dataclass(frozen=True, slots=True)
class _Replay:
    fingerprint: tuple[object, ...]
    result: Charge | Refund


def _utc_now() -> datetime:
    return datetime.now(tz=UTC)


class TestGateway:
    """In-memory `PaymentGateway`. `clock` is injectable so expiry and timestamps are testable."""

    __test__ = False  # a gateway, not a pytest test class

    def __init__(self, *, clock: Callable[[], datetime] = _utc_now) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._cards: dict[str, _StoredCard] = {}
        self._charges: dict[str, Charge] = {}
        self._refunds: dict[str, Refund] = {}
        self._refunded: dict[str, Decimal] = {}
        self._replays: dict[str, _Replay] = {}

    def __repr__(self) -> str:
        counts = f"{len(self._cards)} cards, {len(self._charges)} charges, {len(self._refunds)} refunds"
        return f"<TestGateway: {counts}>"

    def tokenise_card(
        self, *, number: str, exp_month: int, exp_year: int, cvc: str, holder: str | None = None
    ) -> CardToken:
        """Validate and tokenise. `holder` is accepted for provider parity and not retained."""
        card = validate_card(
            number=number, exp_month=exp_month, exp_year=exp_year, cvc=cvc, today=self._clock().date()
        )
        decline_code = TEST_CARDS.get(normalise_card_number(number), LIVE_CARD)
        token = "tok_" + secrets.token_urlsafe(24)
        with self._lock:
            self._cards[token] = _StoredCard(
                card.brand, card.last4, card.exp_month, card.exp_year, decline_code
            )
        return CardToken(
            token=token, brand=card.brand, last4=card.last4, exp_month=card.exp_month, exp_year=card.exp_year
        )

    def charge(self, *, token: str, amount: Decimal, currency: str, idempotency_key: str) -> Charge:
        currency = normalise_currency(currency)
        amount = normalise_amount(amount, currency)
        fingerprint = ("charge", token, amount, currency)
        with self._lock:
            charge = self._replayed(idempotency_key, fingerprint, Charge)
            if charge is None:
                card = self._cards.get(token)
                if card is None:
                    raise InvalidRequest("unknown_token", "This card token is not known to the gateway.")
                charge = Charge(
                    id="ch_" + secrets.token_urlsafe(18),
                    token=token,
                    amount=amount,
                    currency=currency,
                    status="declined" if card.decline_code else "succeeded",
                    decline_code=card.decline_code,
                    created_at=self._clock(),
                )
                self._charges[charge.id] = charge
                self._replays[idempotency_key] = _Replay(fingerprint, charge)
        if charge.status == "declined":
            raise PaymentDeclined(charge)
        return charge

    def refund(self, *, charge_id: str, amount: Decimal | None = None, idempotency_key: str) -> Refund:
        fingerprint = ("refund", charge_id, amount)
        with self._lock:
            refund = self._replayed(idempotency_key, fingerprint, Refund)
            if refund is not None:
                return refund
            charge = self._charges.get(charge_id)
            if charge is None:
                raise InvalidRequest("unknown_charge", "This charge is not known to the gateway.")
            if charge.status != "succeeded":
                raise InvalidRequest("charge_not_refundable", "A declined charge cannot be refunded.")
            refunded = self._refunded.get(charge_id, Decimal(0))
            remaining = charge.amount - refunded
            if remaining <= 0:
                raise InvalidRequest(
                    "charge_already_refunded", "This charge has already been refunded in full."
                )
            value = remaining if amount is None else normalise_amount(amount, charge.currency)
            if value > remaining:
                raise InvalidRequest(
                    "refund_exceeds_charge",
                    f"At most {remaining} {charge.currency} of this charge can still be refunded.",
                )
            refund = Refund(
                id="re_" + secrets.token_urlsafe(18), charge_id=charge_id, amount=value, status="succeeded"
            )
            self._refunds[refund.id] = refund
            self._refunded[charge_id] = refunded + value
            self._replays[idempotency_key] = _Replay(fingerprint, refund)
            return refund

    def _replayed(self, key: str, fingerprint: tuple[object, ...], kind: type[_Result]) -> _Result | None:
        """The earlier result for `key`, None if the key is new; call with the lock held."""
        if not _IDEMPOTENCY_KEY.fullmatch(key):
            raise InvalidRequest(
                "invalid_idempotency_key", "An idempotency key is 1-255 printable ASCII characters."
            )
        replay = self._replays.get(key)
        if replay is None:
            return None
        if replay.fingerprint != fingerprint or not isinstance(replay.result, kind):
            raise IdempotencyConflict(
                "idempotency_conflict", "This idempotency key was already used with different parameters."
            )
        return replay.result
