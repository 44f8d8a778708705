"""The hash that links one audit event to the next. Shared by writing and verifying."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

GENESIS = "0" * 64


def event_hash(
    *,
    prev_hash: str,
    seq: int,
    at: dt.datetime,
    actor: str,
    action: str,
    subject: str,
    object: str,
    details: dict[str, Any],
) -> str:
    body = json.dumps(
        [seq, at.isoformat(timespec="microseconds"), actor, action, subject, object, details],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()
