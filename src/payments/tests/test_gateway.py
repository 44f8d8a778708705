"""The gateway interface and its in-memory test-mode implementation."""

from __future__ import annotations

import dataclasses
import pickle
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from payments.gateway import (
    CardRejected,
    CardToken,
    Charge,
    IdempotencyConflict,
    InvalidRequest,
    PaymentDeclined,
    PaymentGateway,
    Refund,
    detect_brand,
    luhn_valid,
    mask_card_number,
)
from payments.testgateway import TestGateway

NOW = datetime(2026, 5, 14, 9, 30, tzinfo=UTC)


def gateway() -> TestGateway:
    return TestGateway(clock=lambda: NOW)


def tokenise(gw: TestGateway, number: str = "4242424242424242", cvc: str = "123") -> CardToken:
    return gw.tokenise_card(number=number, exp_month=12, exp_year=2030, cvc=cvc, holder="Ana Example")


def paid(gw: TestGateway, amount: str = "10.00", key: str = "order-1") -> Charge:
    return gw.charge(token=tokenise(gw).token, amount=Decimal(amount), currency="EUR", idempotency_key=key)


# --- the interface ---------------------------------------------------------------------------


def test_test_gateway_implements_the_interface() -> None:
    assert isinstance(gateway(), PaymentGateway)


def test_card_token_has_no_field_for_the_number_or_cvc() -> None:
    assert [f.name for f in dataclasses.fields(CardToken)] == [
        "token",
        "brand",
        "last4",
        "exp_month",
        "exp_year",
    ]


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("4242424242424242", "•••• 4242"),
        ("4242 4242 4242 4242", "•••• 4242"),
        ("3782-822463-10005", "•••• 0005"),
        ("12", "••••"),
        ("", "••••"),
    ],
)
def test_mask_card_number(number: str, masked: str) -> None:
    assert mask_card_number(number) == masked


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("4242424242424242", True),
        ("4242424242424241", False),
        ("378282246310005", True),
        ("79927398713", True),
    ],
)
def test_luhn(number: str, valid: bool) -> None:
    assert luhn_valid(number) is valid


@pytest.mark.parametrize(
    ("prefix", "brand"),
    [
        ("4000", "visa"),
        ("5100", "mastercard"),
        ("5599", "mastercard"),
        ("2221", "mastercard"),
        ("2720", "mastercard"),
        ("3400", "amex"),
        ("3700", "amex"),
        ("6011", "discover"),
        ("6500", "discover"),
        ("6200", "unionpay"),
        ("3528", "jcb"),
        ("3589", "jcb"),
        ("2220", None),
        ("2721", None),
        ("5000", None),
        ("5600", None),
        ("3527", None),
        ("3590", None),
        ("3056", None),
    ],
)
def test_brand_from_prefix(prefix: str, brand: str | None) -> None:
    assert detect_brand(prefix + "000000000000") == brand


# --- tokenising ------------------------------------------------------------------------------


def test_tokenise_returns_brand_last4_and_expiry_and_a_random_token() -> None:
    gw = gateway()

    first = tokenise(gw)
    second = tokenise(gw)

    assert (first.brand, first.last4, first.exp_month, first.exp_year) == ("visa", "4242", 12, 2030)
    assert re.fullmatch(r"tok_[A-Za-z0-9_-]{32}", first.token)
    assert first.token != second.token


@pytest.mark.parametrize(
    ("number", "cvc", "brand", "last4"),
    [
        ("5555 5555 5555 4444", "123", "mastercard", "4444"),
        ("378282246310005", "1234", "amex", "0005"),
        ("6200000000000005", "123", "unionpay", "0005"),
        ("6011111111111117", "123", "discover", "1117"),
        ("3566002020360505", "123", "jcb", "0505"),
    ],
)
def test_tokenise_other_brands(number: str, cvc: str, brand: str, last4: str) -> None:
    token = tokenise(gateway(), number, cvc)

    assert (token.brand, token.last4) == (brand, last4)


def test_thirteen_digit_visa_is_accepted() -> None:
    token = tokenise(gateway(), "4222222222222")

    assert (token.brand, token.last4) == ("visa", "2222")


def test_two_digit_year_means_this_century() -> None:
    token = gateway().tokenise_card(number="4242424242424242", exp_month=1, exp_year=31, cvc="123")

    assert token.exp_year == 2031


def test_card_expiring_this_month_is_still_valid() -> None:
    token = gateway().tokenise_card(number="4242424242424242", exp_month=5, exp_year=2026, cvc="123")

    assert (token.exp_month, token.exp_year) == (5, 2026)


@pytest.mark.parametrize(
    ("number", "exp_month", "exp_year", "cvc", "code"),
    [
        ("4242424242424241", 12, 2030, "123", "invalid_number"),
        ("4242 4242 4242 424x", 12, 2030, "123", "invalid_number"),
        ("٤٢٤٢٤٢٤٢٤٢٤٢٤٢٤٢", 12, 2030, "123", "invalid_number"),
        ("42424242", 12, 2030, "123", "invalid_number"),
        ("3782822463100052", 12, 2030, "1234", "invalid_number"),  # passes Luhn, but Amex has 15 digits
        ("5555555555554444000", 12, 2030, "123", "invalid_number"),
        ("30569309025904", 12, 2030, "123", "unknown_brand"),
        ("4242424242424242", 13, 2030, "123", "invalid_expiry"),
        ("4242424242424242", 0, 2030, "123", "invalid_expiry"),
        ("4242424242424242", 12, 2099, "123", "invalid_expiry"),
        ("4242424242424242", 4, 2026, "123", "expired_card"),
        ("4242424242424242", 12, 2025, "123", "expired_card"),
        ("4242424242424242", 12, 2030, "12", "invalid_cvc"),
        ("4242424242424242", 12, 2030, "1234", "invalid_cvc"),
        ("4242424242424242", 12, 2030, "12a", "invalid_cvc"),
        ("378282246310005", 12, 2030, "123", "invalid_cvc"),
    ],
)
def test_invalid_card_is_rejected_and_nothing_is_stored(
    number: str, exp_month: int, exp_year: int, cvc: str, code: str
) -> None:
    gw = gateway()

    with pytest.raises(CardRejected) as caught:
        gw.tokenise_card(number=number, exp_month=exp_month, exp_year=exp_year, cvc=cvc)

    assert caught.value.code == code
    assert repr(gw) == "<TestGateway: 0 cards, 0 charges, 0 refunds>"
    assert number not in f"{caught.value} {caught.value!r} {caught.value.args}"


# --- charging --------------------------------------------------------------------------------


def test_charge_succeeds_with_exact_values() -> None:
    gw = gateway()
    token = tokenise(gw)

    charge = gw.charge(token=token.token, amount=Decimal("10"), currency="eur", idempotency_key="order-1")

    assert re.fullmatch(r"ch_[A-Za-z0-9_-]{24}", charge.id)
    assert charge == Charge(
        id=charge.id,
        token=token.token,
        amount=Decimal("10.00"),
        currency="EUR",
        status="succeeded",
        decline_code=None,
        created_at=NOW,
    )
    assert str(charge.amount) == "10.00"


@pytest.mark.parametrize(
    ("number", "cvc"),
    [
        ("4242424242424242", "123"),
        ("4000056655665556", "123"),
        ("5555555555554444", "123"),
        ("2223003122003222", "123"),
        ("5200828282828210", "123"),
        ("378282246310005", "1234"),
        ("371449635398431", "1234"),
        ("6011111111111117", "123"),
        ("3566002020360505", "123"),
        ("6200000000000005", "123"),
    ],
)
def test_succeeding_test_cards(number: str, cvc: str) -> None:
    gw = gateway()

    charge = gw.charge(
        token=tokenise(gw, number, cvc).token, amount=Decimal("5.00"), currency="USD", idempotency_key="k"
    )

    assert charge.status == "succeeded"


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("4000000000000002", "card_declined"),
        ("4000000000009995", "insufficient_funds"),
        ("4000000000000069", "expired_card"),
        ("4000000000000127", "incorrect_cvc"),
        ("4000000000000119", "processing_error"),
        ("4000000000009987", "lost_card"),
        ("4000000000009979", "stolen_card"),
        ("4111111111111111", "test_mode_live_card"),
    ],
)
def test_declining_cards_raise_with_the_recorded_declined_charge(number: str, code: str) -> None:
    gw = gateway()
    token = tokenise(gw, number)

    with pytest.raises(PaymentDeclined) as caught:
        gw.charge(token=token.token, amount=Decimal("10.00"), currency="EUR", idempotency_key="order-1")

    assert caught.value.code == code
    assert caught.value.charge.status == "declined"
    assert caught.value.charge.decline_code == code
    assert caught.value.charge.token == token.token
    assert repr(gw) == "<TestGateway: 1 cards, 1 charges, 0 refunds>"


def test_charge_with_unknown_token_is_refused_and_nothing_is_charged() -> None:
    gw = gateway()

    with pytest.raises(InvalidRequest) as caught:
        gw.charge(token="tok_guess", amount=Decimal("1.00"), currency="EUR", idempotency_key="k")

    assert caught.value.code == "unknown_token"
    assert repr(gw) == "<TestGateway: 0 cards, 0 charges, 0 refunds>"


@pytest.mark.parametrize(
    ("amount", "currency", "code"),
    [
        (Decimal("10.005"), "EUR", "invalid_amount"),
        (Decimal("100.5"), "JPY", "invalid_amount"),
        (Decimal("0"), "EUR", "invalid_amount"),
        (Decimal("-5.00"), "EUR", "invalid_amount"),
        (Decimal("NaN"), "EUR", "invalid_amount"),
        (Decimal("Infinity"), "EUR", "invalid_amount"),
        (10.0, "EUR", "invalid_amount"),
        (Decimal("10.00"), "EURO", "invalid_currency"),
        (Decimal("10.00"), "€", "invalid_currency"),
    ],
)
def test_bad_amount_or_currency_is_refused(amount: Decimal, currency: str, code: str) -> None:
    gw = gateway()
    token = tokenise(gw)

    with pytest.raises(InvalidRequest) as caught:
        gw.charge(token=token.token, amount=amount, currency=currency, idempotency_key="k")

    assert caught.value.code == code
    assert repr(gw) == "<TestGateway: 1 cards, 0 charges, 0 refunds>"


@pytest.mark.parametrize(
    ("amount", "currency", "charged"),
    [(Decimal("100"), "JPY", "100"), (Decimal("1.234"), "KWD", "1.234"), (Decimal("9.5"), "GBP", "9.50")],
)
def test_amounts_keep_the_currency_precision(amount: Decimal, currency: str, charged: str) -> None:
    gw = gateway()

    charge = gw.charge(token=tokenise(gw).token, amount=amount, currency=currency, idempotency_key="k")

    assert str(charge.amount) == charged


# --- idempotency -----------------------------------------------------------------------------


def test_same_key_and_parameters_return_the_same_charge() -> None:
    gw = gateway()
    token = tokenise(gw).token

    first = gw.charge(token=token, amount=Decimal("10.00"), currency="EUR", idempotency_key="order-1")
    again = gw.charge(token=token, amount=Decimal("10.0"), currency="EUR", idempotency_key="order-1")

    assert again == first
    assert repr(gw) == "<TestGateway: 1 cards, 1 charges, 0 refunds>"


def test_same_key_replays_a_decline() -> None:
    gw = gateway()
    token = tokenise(gw, "4000000000009995").token
    declined = []
    for _ in range(2):
        with pytest.raises(PaymentDeclined) as caught:
            gw.charge(token=token, amount=Decimal("10.00"), currency="EUR", idempotency_key="order-1")
        declined.append(caught.value.charge.id)

    assert declined[0] == declined[1]
    assert repr(gw) == "<TestGateway: 1 cards, 1 charges, 0 refunds>"


def test_same_key_with_different_parameters_is_a_conflict_and_charges_nothing() -> None:
    gw = gateway()
    token = tokenise(gw).token
    gw.charge(token=token, amount=Decimal("10.00"), currency="EUR", idempotency_key="order-1")

    with pytest.raises(IdempotencyConflict) as caught:
        gw.charge(token=token, amount=Decimal("11.00"), currency="EUR", idempotency_key="order-1")

    assert caught.value.code == "idempotency_conflict"
    assert repr(gw) == "<TestGateway: 1 cards, 1 charges, 0 refunds>"


def test_charge_key_reused_for_a_refund_is_a_conflict() -> None:
    gw = gateway()
    charge = paid(gw, key="order-1")

    with pytest.raises(IdempotencyConflict):
        gw.refund(charge_id=charge.id, idempotency_key="order-1")

    assert repr(gw) == "<TestGateway: 1 cards, 1 charges, 0 refunds>"


@pytest.mark.parametrize("key", ["", "a" * 256, "with space", "ключ"])
def test_malformed_idempotency_key_is_refused(key: str) -> None:
    gw = gateway()

    with pytest.raises(InvalidRequest) as caught:
        gw.charge(token=tokenise(gw).token, amount=Decimal("1.00"), currency="EUR", idempotency_key=key)

    assert caught.value.code == "invalid_idempotency_key"


def test_concurrent_calls_with_one_key_make_one_charge() -> None:
    gw = gateway()
    token = tokenise(gw).token
    ids: list[str] = []
    start = threading.Barrier(16)

    def pay() -> None:
        start.wait()
        charge = gw.charge(token=token, amount=Decimal("10.00"), currency="EUR", idempotency_key="order-1")
        ids.append(charge.id)

    threads = [threading.Thread(target=pay) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(ids) == 16
    assert len(set(ids)) == 1
    assert repr(gw) == "<TestGateway: 1 cards, 1 charges, 0 refunds>"


# --- refunds ---------------------------------------------------------------------------------


def test_partial_then_remaining_refund() -> None:
    gw = gateway()
    charge = paid(gw, "10.00")

    part = gw.refund(charge_id=charge.id, amount=Decimal("4"), idempotency_key="refund-1")
    rest = gw.refund(charge_id=charge.id, idempotency_key="refund-2")

    assert part == Refund(id=part.id, charge_id=charge.id, amount=Decimal("4.00"), status="succeeded")
    assert rest == Refund(id=rest.id, charge_id=charge.id, amount=Decimal("6.00"), status="succeeded")
    assert re.fullmatch(r"re_[A-Za-z0-9_-]{24}", part.id)
    assert part.id != rest.id


def test_refund_replays_with_the_same_key() -> None:
    gw = gateway()
    charge = paid(gw)

    first = gw.refund(charge_id=charge.id, amount=Decimal("3.00"), idempotency_key="refund-1")
    again = gw.refund(charge_id=charge.id, amount=Decimal("3.00"), idempotency_key="refund-1")

    assert again == first
    assert repr(gw) == "<TestGateway: 1 cards, 1 charges, 1 refunds>"


def test_refund_beyond_the_charge_is_refused_and_nothing_is_refunded() -> None:
    gw = gateway()
    charge = paid(gw, "10.00")
    gw.refund(charge_id=charge.id, amount=Decimal("7.00"), idempotency_key="refund-1")

    with pytest.raises(InvalidRequest) as caught:
        gw.refund(charge_id=charge.id, amount=Decimal("3.01"), idempotency_key="refund-2")

    assert caught.value.code == "refund_exceeds_charge"
    assert caught.value.message == "At most 3.00 EUR of this charge can still be refunded."
    assert repr(gw) == "<TestGateway: 1 cards, 1 charges, 1 refunds>"
    assert gw.refund(charge_id=charge.id, idempotency_key="refund-3").amount == Decimal("3.00")


def test_fully_refunded_charge_cannot_be_refunded_again() -> None:
    gw = gateway()
    charge = paid(gw)
    gw.refund(charge_id=charge.id, idempotency_key="refund-1")

    with pytest.raises(InvalidRequest) as caught:
        gw.refund(charge_id=charge.id, amount=Decimal("0.01"), idempotency_key="refund-2")

    assert caught.value.code == "charge_already_refunded"
    assert repr(gw) == "<TestGateway: 1 cards, 1 charges, 1 refunds>"


def test_declined_or_unknown_charge_cannot_be_refunded() -> None:
    gw = gateway()
    with pytest.raises(PaymentDeclined) as declined:
        gw.charge(
            token=tokenise(gw, "4000000000000002").token,
            amount=Decimal("10.00"),
            currency="EUR",
            idempotency_key="order-1",
        )

    with pytest.raises(InvalidRequest) as not_refundable:
        gw.refund(charge_id=declined.value.charge.id, idempotency_key="refund-1")
    with pytest.raises(InvalidRequest) as unknown:
        gw.refund(charge_id="ch_guess", idempotency_key="refund-2")

    assert (not_refundable.value.code, unknown.value.code) == ("charge_not_refundable", "unknown_charge")
    assert repr(gw) == "<TestGateway: 1 cards, 1 charges, 0 refunds>"


# --- no card data survives -------------------------------------------------------------------


def strings_within(value: object, seen: set[int] | None = None) -> Iterator[str]:
    """Every string reachable from `value` through containers, dataclasses and instance dicts."""
    seen = set() if seen is None else seen
    if id(value) in seen or (callable(value) and not dataclasses.is_dataclass(value)):
        return
    seen.add(id(value))
    if isinstance(value, str):
        yield value
    elif isinstance(value, bytes | bytearray):
        yield value.decode("latin-1")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings_within(key, seen)
            yield from strings_within(item, seen)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from strings_within(item, seen)
    elif isinstance(value, BaseException):
        yield from strings_within(value.args, seen)
        yield from strings_within(vars(value), seen)
    elif dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            yield from strings_within(getattr(value, field.name), seen)
    elif hasattr(value, "__dict__"):
        yield from strings_within(vars(value), seen)


def test_no_card_number_or_cvc_survives_in_the_gateway_or_any_repr() -> None:
    gw = gateway()
    cards = [("4242424242424242", "314"), ("378282246310005", "2718"), ("4000000000000002", "159")]
    results: list[object] = []
    for index, (number, cvc) in enumerate(cards):
        token = tokenise(gw, number, cvc)
        results.append(token)
        try:
            charge = gw.charge(
                token=token.token, amount=Decimal("5.00"), currency="EUR", idempotency_key=f"o{index}"
            )
            results.append(charge)
        except PaymentDeclined as declined:
            results.extend([declined, declined.charge])
    with pytest.raises(CardRejected) as rejected:
        gw.tokenise_card(number="5555555555554444", exp_month=12, exp_year=2030, cvc="99")
    results.append(rejected.value)

    state = list(strings_within(vars(gw))) + list(strings_within(results))
    shown = [repr(gw), *(repr(r) for r in results), *(str(r) for r in results)]

    assert "4242" in state  # the walk does reach the stored cards
    for text in state + shown:
        assert not re.search(r"\d{7,}", text), text  # no number, nor any long part of one
    for _, cvc in cards:  # tokens and ids are random and may contain any three digits
        assert all(cvc not in text for text in state if not text.startswith(("tok_", "ch_")))
    assert {t.last4 for t in results if isinstance(t, CardToken)} == {"4242", "0005", "0002"}


def test_errors_survive_pickling_for_task_queues() -> None:
    gw = gateway()
    with pytest.raises(PaymentDeclined) as declined:
        gw.charge(
            token=tokenise(gw, "4000000000000002").token,
            amount=Decimal("1.00"),
            currency="EUR",
            idempotency_key="k",
        )

    copy = roundtrip(declined.value)
    rejected = roundtrip(CardRejected("invalid_cvc", "The security code must be three digits."))

    assert (copy.code, copy.message, copy.charge) == (
        "card_declined",
        "The card was declined.",
        declined.value.charge,
    )
    assert (rejected.code, str(rejected)) == ("invalid_cvc", "The security code must be three digits.")


def roundtrip(value: object) -> Any:
    return pickle.loads(pickle.dumps(value))  # noqa: S301 - our own object, as a task queue would carry it
