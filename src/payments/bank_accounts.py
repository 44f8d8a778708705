"""Checking the bank account a customer pays from: an IBAN by its check digits, else a plain account number.

Only the shape is checked (ISO 13616 mod-97 for an IBAN, 4 to 34 letters and digits for
other account numbers): whether the account exists is the bank's business. Messages never
repeat the number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SPACING = re.compile(r"[\s-]+")
_IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")
_ACCOUNT = re.compile(r"[A-Z0-9]{4,34}")
MAX_HOLDER = 140
MAX_BANK_NAME = 140


class BankDetailsInvalid(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(field, message)
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, repr=False)
class BankDetails:
    account_holder: str
    account_number: str  # normalised: upper case, no spaces
    bank_name: str

    def __repr__(self) -> str:  # never in a log line or an error report
        return "BankDetails(<redacted>)"


def iban_valid(iban: str) -> bool:
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(char, 36)) for char in rearranged)
    return int(digits) % 97 == 1


def clean_bank_details(*, account_holder: str, account_number: str, bank_name: str) -> BankDetails:
    holder = " ".join(account_holder.split())
    bank = " ".join(bank_name.split())
    number = _SPACING.sub("", account_number).upper()
    if not holder or len(holder) > MAX_HOLDER:
        raise BankDetailsInvalid(
            "account_holder", f"Give the account holder's name (at most {MAX_HOLDER} characters)."
        )
    if not bank or len(bank) > MAX_BANK_NAME:
        raise BankDetailsInvalid("bank_name", f"Give the bank's name (at most {MAX_BANK_NAME} characters).")
    if number[:2].isalpha() and number[2:4].isdigit():
        if not _IBAN.fullmatch(number) or not iban_valid(number):
            raise BankDetailsInvalid("account_number", "This IBAN is not valid; please check it.")
    elif not _ACCOUNT.fullmatch(number):
        raise BankDetailsInvalid(
            "account_number", "Give the IBAN or account number (4 to 34 letters and digits)."
        )
    return BankDetails(account_holder=holder, account_number=number, bank_name=bank)
