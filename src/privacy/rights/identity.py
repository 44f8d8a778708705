"""Who is asking: the account a request names, one-time codes, and password re-authentication.

The engine finds accounts only through `get_user_model()` (the manager's `find`, by e-mail
address or username through blind indexes). A code for a request about an account goes to
the address stored on that account, never to an address typed into the request: whoever
types someone else's address learns nothing and receives nothing.

Codes are six digits from `secrets`, stored only as an HMAC (keyed by a secret derived
from SECRET_KEY and bound to the request and purpose), compared with
`hmac.compare_digest`. A code expires after CODE_TTL, allows MAX_ATTEMPTS wrong tries,
and works once; a new code retires the older ones, and a request gets at most MAX_CODES.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from enum import Enum
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from privacy.rights.models import CodePurpose, RightsRequest, VerificationCode

CODE_TTL = dt.timedelta(minutes=15)
MAX_ATTEMPTS = 5
MAX_CODES = 5
CODE_DIGITS = 6


class CodeCheck(Enum):
    OK = "ok"
    WRONG = "wrong"  # wrong, replayed or none issued: the same answer
    EXPIRED = "expired"
    LOCKED = "locked"  # too many wrong attempts on the current code


def _key() -> bytes:
    return hashlib.sha256(b"pledge.rights.codes|" + settings.SECRET_KEY.encode()).digest()


def code_hash(request_id: UUID, purpose: str, code: str) -> str:
    message = f"{request_id}|{purpose}|{code.strip()}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def find_account(identifier: str) -> Any | None:
    """The active or frozen account an e-mail address or username names, or None."""
    identifier = identifier.strip()
    if not identifier:
        return None
    return get_user_model()._default_manager.find(identifier)


def account_of(subject_id: UUID | None) -> Any | None:
    if subject_id is None:
        return None
    return get_user_model()._default_manager.filter(subject_id=subject_id).first()


def password_confirms(user: Any, password: str) -> bool:
    """The signed-in customer re-authenticates: their current password, checked by the hasher."""
    return bool(password) and bool(user.is_active) and bool(user.check_password(password))


def codes_left(request: RightsRequest, purpose: str = CodePurpose.IDENTITY) -> int:
    return max(0, MAX_CODES - request.codes.filter(purpose=purpose).count())


def issue_code(request: RightsRequest, *, purpose: str = CodePurpose.IDENTITY) -> str | None:
    """A fresh code for the request (older ones retired); None when the request has had enough."""
    now = timezone.now()
    with transaction.atomic():
        if codes_left(request, purpose) == 0:
            return None
        request.codes.filter(purpose=purpose, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
        VerificationCode.objects.create(
            request=request,
            purpose=purpose,
            code_hash=code_hash(request.id, purpose, code),
            created_at=now,
            expires_at=now + CODE_TTL,
        )
    return code


def check_code(request: RightsRequest, code: str, *, purpose: str = CodePurpose.IDENTITY) -> CodeCheck:
    """Spend one attempt on the newest code; OK uses it up (call inside the step's transaction)."""
    now = timezone.now()
    current = (
        VerificationCode.objects.select_for_update()
        .filter(request=request, purpose=purpose, used_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    if current is None:
        return CodeCheck.WRONG
    if current.attempts >= MAX_ATTEMPTS:
        return CodeCheck.LOCKED
    if current.expires_at <= now:
        return CodeCheck.EXPIRED
    given = code_hash(request.id, purpose, "".join(ch for ch in code if ch.isdigit()))
    if hmac.compare_digest(given.encode(), current.code_hash.encode()):
        current.used_at = now
        current.save(update_fields=["used_at"])
        return CodeCheck.OK
    current.attempts += 1
    current.save(update_fields=["attempts"])
    return CodeCheck.LOCKED if current.attempts >= MAX_ATTEMPTS else CodeCheck.WRONG


# keeps: C29, C31 (a code only to the address on the account; re-authentication for the signed-in)
