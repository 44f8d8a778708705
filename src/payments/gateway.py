"""The payment gateway seam: one small interface, the card rules every gateway shares, and no card data.

Like httpx's transports, the Services talk to a `PaymentGateway` and never to a provider's
SDK, so tests and the demo swap in `payments.testgateway.TestGateway` instead of
monkeypatching. A real provider adapter implements the same three calls.

The privacy rule this module exists to keep (policy: no full card number or CVC anywhere,
ever): the full number and the CVC cross this interface exactly once, inwards, in
`tokenise_card`. What comes back, and everything the Services may store, log or put in a
task payload, is a `CardToken` (opaque token, brand, last four, expiry). Charges and
refunds name the token, never the card. Nothing here, errors included, puts a card
number into a message or a repr.

Money is `Decimal` in the currency's major unit and must not carry more decimals than the
currency has (10.005 EUR is refused, not rounded), so no amount is ever silently changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal, Protocol, runtime_checkable

CardBrand = Literal["visa", "mastercard", "amex", "discover", "jcb", "unionpay"]
ChargeStatus = Literal["succeeded", "declined"]
RefundStatus = Literal["succeeded"]

MASK = "••••"


@dataclass(frozen=True, slots=True)
class CardToken:
    """What the Services may keep about a card. There is deliberately no field for more."""

    token: str
    brand: CardBrand
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True, slots=True)
class Charge:
    id: str
    token: str
    amount: Decimal
    currency: str
    status: ChargeStatus
    decline_code: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Refund:
    id: str
    charge_id: str
    amount: Decimal
    status: RefundStatus


class GatewayError(Exception):
    """Base of every gateway error: a stable `code` and a `message` fit for the customer."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)  # both in args, so the error survives pickling (task queues)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class CardRejected(GatewayError):
    """The card details are invalid; nothing was tokenised. Codes: invalid_number, unknown_brand,
    invalid_expiry, expired_card, invalid_cvc."""


class PaymentDeclined(GatewayError):
    """The charge was attempted and declined. `charge` is the recorded declined charge."""

    def __init__(self, charge: Charge) -> None:
        code = charge.decline_code or "card_declined"
        super().__init__(code, _DECLINE_MESSAGES.get(code, "The card was declined."))
        self.charge = charge

    def __reduce__(self) -> tuple[type[PaymentDeclined], tuple[Charge]]:
        return (PaymentDeclined, (self.charge,))


class InvalidRequest(GatewayError):
    """The call itself is wrong (unknown token or charge, bad amount or currency, over-refund)."""


class IdempotencyConflict(GatewayError):
    """An idempotency key was reused with different parameters."""


@runtime_checkable
class PaymentGateway(Protocol):
    def tokenise_card(
        self, *, number: str, exp_month: int, exp_year: int, cvc: str, holder: str | None = None
    ) -> CardToken: ...

    def charge(self, *, token: str, amount: Decimal, currency: str, idempotency_key: str) -> Charge:
        """Return the succeeded charge, or raise PaymentDeclined carrying the declined one.

        The same idempotency key with the same parameters returns (or raises) the same result.
        """
        ...

    def refund(self, *, charge_id: str, amount: Decimal | None = None, idempotency_key: str) -> Refund:
        """Refund `amount`, or all that is left of the charge when None."""
        ...


# --- card rules shared by every gateway ------------------------------------------------------

_SEPARATORS = re.compile(r"[ -]")
_DIGITS = re.compile(r"[0-9]+")  # ASCII only: str.isdigit() would accept "٤٢٤٢"
_LENGTHS: dict[CardBrand, frozenset[int]] = {
    "visa": frozenset({13, 16, 19}),
    "mastercard": frozenset({16}),
    "amex": frozenset({15}),
    "discover": frozenset(range(16, 20)),
    "jcb": frozenset(range(16, 20)),
    "unionpay": frozenset(range(16, 20)),
}
_DECLINE_MESSAGES = {
    "card_declined": "The card was declined.",
    "insufficient_funds": "The card has insufficient funds.",
    "expired_card": "The card has expired.",
    "incorrect_cvc": "The card's security code is incorrect.",
    "processing_error": "The card could not be processed; please try again.",
    "lost_card": "The card was declined.",
    "stolen_card": "The card was declined.",
    "test_mode_live_card": "This is a test payment page: use a test card number, not a real card.",
}


def normalise_card_number(number: str) -> str:
    """Digits only, spaces and dashes removed; CardRejected("invalid_number") if anything else."""
    digits = _SEPARATORS.sub("", number)
    if not _DIGITS.fullmatch(digits) or not 12 <= len(digits) <= 19:
        raise CardRejected("invalid_number", "The card number is not valid.")
    return digits


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def detect_brand(digits: str) -> CardBrand | None:
    """The brand from the number's prefix (its IIN range), or None if we do not accept it."""
    two, four, six = int(digits[:2]), int(digits[:4]), int(digits[:6])
    if digits[0] == "4":
        return "visa"
    if 51 <= two <= 55 or 2221 <= four <= 2720:
        return "mastercard"
    if two in (34, 37):
        return "amex"
    if four == 6011 or two == 65 or 644 <= six // 1000 <= 649:
        return "discover"
    if two == 62:
        return "unionpay"
    if 3528 <= four <= 3589:
        return "jcb"
    return None


def mask_card_number(number: str) -> str:
    """ "•••• 4242" for display; just "••••" if fewer than four digits are given."""
    digits = "".join(_DIGITS.findall(number))
    return f"{MASK} {digits[-4:]}" if len(digits) >= 4 else MASK


@dataclass(frozen=True, slots=True)
class ValidCard:
    """A card that passed every format rule: what a gateway may keep, minus the token."""

    brand: CardBrand
    last4: str
    exp_month: int
    exp_year: int


def validate_card(*, number: str, exp_month: int, exp_year: int, cvc: str, today: date) -> ValidCard:
    """Apply the format rules (Luhn, brand and length, expiry, CVC) or raise CardRejected."""
    digits = normalise_card_number(number)
    if not luhn_valid(digits):
        raise CardRejected("invalid_number", "The card number is not valid.")
    brand = detect_brand(digits)
    if brand is None:
        raise CardRejected("unknown_brand", "This card brand is not accepted.")
    if len(digits) not in _LENGTHS[brand]:
        raise CardRejected("invalid_number", "The card number is not valid.")
    if exp_year < 100:
        exp_year += 2000  # "27" means 2027, as printed on the card
    if not 1 <= exp_month <= 12 or exp_year > today.year + 25:
        raise CardRejected("invalid_expiry", "The expiry date is not valid.")
    if (exp_year, exp_month) < (today.year, today.month):
        raise CardRejected("expired_card", "The card has expired.")
    if not _DIGITS.fullmatch(cvc) or len(cvc) != (4 if brand == "amex" else 3):
        expected = "four digits" if brand == "amex" else "three digits"
        raise CardRejected("invalid_cvc", f"The security code must be {expected}.")
    return ValidCard(brand=brand, last4=digits[-4:], exp_month=exp_month, exp_year=exp_year)


# --- money -----------------------------------------------------------------------------------

_CURRENCY = re.compile(r"[A-Z]{3}")
# ISO 4217 minor units where they differ from 2.
_MINOR_UNITS = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF"), 0),
    **dict.fromkeys(("UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}
MAX_AMOUNT = Decimal("99999999")


def normalise_currency(currency: str) -> str:
    code = currency.upper()
    if not _CURRENCY.fullmatch(code):
        raise InvalidRequest("invalid_currency", "The currency must be a three-letter ISO 4217 code.")
    return code


def normalise_amount(amount: Decimal, currency: str) -> Decimal:
    """The amount at the currency's precision (10 EUR → 10.00); refuses anything it would have to round."""
    if not isinstance(amount, Decimal) or not amount.is_finite() or not 0 < amount <= MAX_AMOUNT:
        raise InvalidRequest("invalid_amount", "The amount must be a positive Decimal.")
    places = _MINOR_UNITS.get(currency, 2)
    exact = amount.quantize(Decimal(1).scaleb(-places))
    if exact != amount:
        raise InvalidRequest("invalid_amount", f"{currency} amounts have at most {places} decimals.")
    return exact
