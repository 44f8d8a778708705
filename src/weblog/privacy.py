"""Whose rows the technical logs are, under which key they are sealed, and their contexts.

Request logs are kept six months under a legal hold (policy/sogaworks.yaml, rules
log-*: PRC Cybersecurity Law Art. 21(3)), so an erasure request must spare them — and an
erasure destroys the person's data key first. A log line sealed under the person's key
would become unreadable the moment it must be kept (privacy.E105). So every request log
row is sealed under the key of its *log day*: one pseudonymous subject per calendar day
(UTC), whatever the visitor. Destroying a day's key shreds that whole day at once, which
is how the six-month retention can end it, backups included.

Who made the request is a separate column, `account_subject_id`: the account's subject
id when the visitor was logged in (their page history, C8), empty otherwise. Anonymous
visitors get no identifier at all — no cookie, no visitor id: the log serves security
and troubleshooting (legitimate interest), which needs the IP address and the time, not
a profile across visits; a per-visitor id would live in a cookie that ePrivacy Art. 5(3)
allows only with consent, and the consent cookie's visitor id exists to prove consent,
not to link logs. GDPR Art. 11 then spares us from keeping identifiers only to answer
requests (docs/decisions/0008-weblog.md).
"""

from __future__ import annotations

import datetime as dt
import uuid

# Contexts of the declaration (policy section 6, "Technical information").
LOG_FILES = "technical_log_files"
PIXEL_TAGS = "technical_pixel_tags"
ANALYTICS = "technical_analytics"

# Fixed forever: changing it would orphan the keys of every past log day.
_LOG_DAY_NAMESPACE = uuid.UUID("0b3c6f0e-4f55-4a51-9d55-6b1a0e9e2d17")


def log_day_subject(day: dt.date) -> uuid.UUID:
    """The subject id whose key seals the request logs of `day` (UTC)."""
    return uuid.uuid5(_LOG_DAY_NAMESPACE, f"weblog.request-log-day.{day.isoformat()}")
