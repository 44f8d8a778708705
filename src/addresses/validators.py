"""Phone numbers and postal codes: checked with a message that says how to fix them, then normalised.

A phone number is stored in E.164 ("+8613800138000"), whatever spacing the customer typed,
so that it prints the same everywhere and the blind index (an exact-match hash) finds it
however it was written. A number without a country code is read in the address's country.

A postal code is checked against the country's format where we know it (the rules below)
and normalised to its usual printed form ("sw1a1aa" -> "SW1A 1AA", "1000001" -> "100-0001").
For any other country a generic rule applies (2 to 10 letters, digits, spaces or hyphens),
and a few countries have no postal codes at all, so there the field may stay empty.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from addresses.countries import COUNTRIES, country_name

FALLBACK_PHONE_EXAMPLE = "+86 138 0013 8000"

# Types that cannot receive a courier's call or text on the move.
_NOT_MOBILE = frozenset(
    {
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.TOLL_FREE,
        phonenumbers.PhoneNumberType.PREMIUM_RATE,
        phonenumbers.PhoneNumberType.SHARED_COST,
        phonenumbers.PhoneNumberType.UAN,
        phonenumbers.PhoneNumberType.VOICEMAIL,
        phonenumbers.PhoneNumberType.PAGER,
    }
)


def validate_country(code: str) -> str:
    """The ISO 3166-1 alpha-2 code, upper-cased; ValidationError if it names no country we know."""
    normal = code.strip().upper()
    if normal not in COUNTRIES:
        raise ValidationError("Choose a country from the list.", code="invalid_country")
    return normal


def phone_example(country: str | None) -> str:
    """An example mobile number of the country, as a customer would write it with its code."""
    if country:
        example = phonenumbers.example_number_for_type(country, phonenumbers.PhoneNumberType.MOBILE)
        if example is not None:
            return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return FALLBACK_PHONE_EXAMPLE


def normalize_phone_number(value: str, *, country: str | None = None, mobile: bool = False) -> str:
    """`value` in E.164; ValidationError (code invalid_phone or not_mobile) with a message to act on.

    `country` is where a number written without "+" and a country code is read.
    """
    text = value.strip()
    invalid = ValidationError(
        f"Enter a valid phone number with its country code, for example {phone_example(country)}.",
        code="invalid_phone",
    )
    if not text or len(text) > 32:
        raise invalid
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else (country or None))
    except phonenumbers.NumberParseException:
        raise invalid from None
    if not phonenumbers.is_valid_number(number):
        raise invalid
    if mobile and phonenumbers.number_type(number) in _NOT_MOBILE:
        raise ValidationError(
            "This is not a mobile number. Enter a mobile number, so that the courier can reach the "
            "consignee.",
            code="not_mobile",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone_number(e164: str) -> str:
    """An E.164 number as people read it: "+8613800138000" -> "+86 138 0013 8000"."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalize_email_address(value: str) -> str:
    """An e-mail address, trimmed; ValidationError (code invalid_email) when it is not one."""
    text = value.strip()
    try:
        validate_email(text)
    except ValidationError:
        raise ValidationError(
            "Enter a valid e-mail address, such as name@example.com.", code="invalid_email"
        ) from None
    return text


# --- postal codes --------------------------------------------------------------------------


def _squeeze(value: str) -> str:
    return re.sub(r"\s+", " ", value.strip().upper())


def _digits_then(split: int, sep: str) -> Callable[[str], str]:
    """ "1000001" -> "100-0001": digits only, with `sep` after the first `split` of them."""

    def normal(value: str) -> str:
        digits = re.sub(r"[\s-]", "", value)
        return f"{digits[:split]}{sep}{digits[split:]}" if len(digits) > split else digits

    return normal


def _space_before_last(count: int) -> Callable[[str], str]:
    """ "sw1a1aa" -> "SW1A 1AA": no inner spaces, then one before the last `count` characters."""

    def normal(value: str) -> str:
        compact = re.sub(r"\s", "", value.upper())
        return f"{compact[:-count]} {compact[-count:]}" if len(compact) > count else compact

    return normal


def _us_zip(value: str) -> str:
    digits = re.sub(r"[\s-]", "", value)
    return f"{digits[:5]}-{digits[5:]}" if len(digits) == 9 else digits


@dataclass(frozen=True)
class PostalRule:
    pattern: str  # matched in full against the normalised value
    shape: str  # how the rule reads to a customer
    example: str
    normalize: Callable[[str], str] = _squeeze


POSTAL_RULES: dict[str, PostalRule] = {
    "AT": PostalRule(r"\d{4}", "4 digits", "1010"),
    "AU": PostalRule(r"\d{4}", "4 digits", "2000"),
    "BE": PostalRule(r"\d{4}", "4 digits", "1000"),
    "BR": PostalRule(r"\d{5}-\d{3}", "8 digits (NNNNN-NNN)", "01310-100", _digits_then(5, "-")),
    "CA": PostalRule(
        r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] \d[ABCEGHJ-NPRSTV-Z]\d",
        "letter digit letter, digit letter digit",
        "K1A 0B1",
        _space_before_last(3),
    ),
    "CH": PostalRule(r"\d{4}", "4 digits", "8001"),
    "CN": PostalRule(r"\d{6}", "6 digits", "518126"),
    "CZ": PostalRule(r"\d{3} \d{2}", "5 digits (NNN NN)", "110 00", _digits_then(3, " ")),
    "DE": PostalRule(r"\d{5}", "5 digits", "10115"),
    "DK": PostalRule(r"\d{4}", "4 digits", "1050"),
    "ES": PostalRule(r"(0[1-9]|[1-4]\d|5[0-2])\d{3}", "5 digits", "28013"),
    "FI": PostalRule(r"\d{5}", "5 digits", "00100"),
    "FR": PostalRule(r"\d{5}", "5 digits", "75008"),
    "GB": PostalRule(
        r"(GIR 0AA|[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2})",
        "a UK postcode",
        "SW1A 1AA",
        _space_before_last(3),
    ),
    "IE": PostalRule(r"[A-Z]\d[\dW] [\dA-Z]{4}", "an Eircode", "D02 X285", _space_before_last(4)),
    "IN": PostalRule(r"[1-9]\d{5}", "6 digits", "110001"),
    "IT": PostalRule(r"\d{5}", "5 digits", "00184"),
    "JP": PostalRule(r"\d{3}-\d{4}", "7 digits (NNN-NNNN)", "100-0001", _digits_then(3, "-")),
    "KR": PostalRule(r"\d{5}", "5 digits", "03187"),
    "MX": PostalRule(r"\d{5}", "5 digits", "06600"),
    "NL": PostalRule(r"[1-9]\d{3} [A-Z]{2}", "4 digits and 2 letters", "1012 AB", _space_before_last(2)),
    "NO": PostalRule(r"\d{4}", "4 digits", "0150"),
    "NZ": PostalRule(r"\d{4}", "4 digits", "6011"),
    "PL": PostalRule(r"\d{2}-\d{3}", "5 digits (NN-NNN)", "00-950", _digits_then(2, "-")),
    "PT": PostalRule(r"\d{4}-\d{3}", "7 digits (NNNN-NNN)", "1100-148", _digits_then(4, "-")),
    "RU": PostalRule(r"\d{6}", "6 digits", "101000"),
    "SE": PostalRule(r"\d{3} \d{2}", "5 digits (NNN NN)", "111 52", _digits_then(3, " ")),
    "SG": PostalRule(r"\d{6}", "6 digits", "018956"),
    "TW": PostalRule(r"\d{3}(\d{2,3})?", "3, 5 or 6 digits", "100", lambda v: re.sub(r"[\s-]", "", v)),
    "US": PostalRule(r"\d{5}(-\d{4})?", "5 digits, or ZIP+4 (NNNNN-NNNN)", "94105", _us_zip),
}

# Places without postal codes: the field may stay empty there.
NO_POSTAL_CODES = frozenset({"AE", "AO", "AG", "BS", "BZ", "FJ", "HK", "MO", "QA", "TG", "UG", "ZW"})

GENERIC_RULE = PostalRule(r"[A-Z0-9][A-Z0-9 -]{1,9}", "2 to 10 letters, digits, spaces or hyphens", "")


def postal_code_required(country: str) -> bool:
    return country not in NO_POSTAL_CODES


def normalize_postal_code(value: str, *, country: str) -> str:
    """The postal code in its usual printed form; ValidationError saying the country's format."""
    text = value.strip()
    if not text:
        if postal_code_required(country):
            raise ValidationError("Enter a postal code.", code="required")
        return ""
    rule = POSTAL_RULES.get(country, GENERIC_RULE)
    normal = rule.normalize(text)
    if re.fullmatch(rule.pattern, normal):
        return normal
    if rule is GENERIC_RULE:
        raise ValidationError(f"Enter a valid postal code: {rule.shape}.", code="invalid_postal_code")
    raise ValidationError(
        f"Enter a valid postal code for {country_name(country)}: {rule.shape}, for example {rule.example}.",
        code="invalid_postal_code",
    )
