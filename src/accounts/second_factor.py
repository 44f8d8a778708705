"""TOTP second factor for staff (RFC 6238, 30-second steps, 6 digits, via pyotp).

A code is accepted for the current step and one step either side (clock drift), and
only for a step later than the last one accepted: a code seen once, even within its own
30 seconds, is refused after that (replay). The caller stores `accepted_step` on the
account in the same transaction that lets the person in.
"""

from __future__ import annotations

import datetime as dt
import hmac

import pyotp

ISSUER = "SogaWorks"
DRIFT_STEPS = 1


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(*, secret: str, account_name: str) -> str:
    """The otpauth:// URI an authenticator app reads (as text or a QR code)."""
    return pyotp.TOTP(secret).provisioning_uri(name=account_name, issuer_name=ISSUER)


def normalise_code(code: str) -> str:
    return "".join(code.split())


def matching_step(*, secret: str, code: str, now: dt.datetime, after_step: int | None) -> int | None:
    """The time step whose code equals `code` and is later than `after_step`, or None."""
    code = normalise_code(code)
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if after_step is not None and step <= after_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def code_at(*, secret: str, when: dt.datetime) -> str:
    """The code an authenticator shows at `when` (demo data and tests)."""
    return pyotp.TOTP(secret).at(when)
