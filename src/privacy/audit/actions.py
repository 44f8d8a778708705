"""Writing to the audit trail.

`record_event` is called by an action inside its own transaction, so the event commits
or rolls back with the change it records. Action names are namespaced and registered
(`"rights.erasure.completed"`): an unregistered name is a programming error, caught at
the first call rather than discovered in a report.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db import connections, router, transaction
from django.utils import timezone

from privacy.audit.chain import GENESIS, event_hash
from privacy.audit.models import AuditEvent, ChainHead


class AuditError(Exception):
    pass


@dataclass(frozen=True)
class AuditAction:
    name: str
    description: str

    def __str__(self) -> str:
        return self.name


_REGISTRY: dict[str, AuditAction] = {}


def audit_action(name: str, description: str) -> AuditAction:
    """Register an action name once, where the code that records it lives."""
    parts = name.split(".")
    if len(parts) < 2 or not all(part.replace("_", "").isalnum() and part.islower() for part in parts):
        raise AuditError(f"Audit action {name!r} must be dotted lower-case words, e.g. 'consent.recorded'")
    existing = _REGISTRY.get(name)
    if existing is not None and existing.description != description:
        raise AuditError(f"Audit action {name!r} is already registered with another description")
    action = AuditAction(name, description)
    _REGISTRY[name] = action
    return action


def registered_actions() -> dict[str, AuditAction]:
    return dict(_REGISTRY)


def record_event(
    action: AuditAction | str,
    *,
    actor: str,
    subject: str = "",
    object: str = "",
    details: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> AuditEvent:
    name = str(action)
    if name not in _REGISTRY:
        raise AuditError(f"Audit action {name!r} is not registered; declare it with audit_action()")
    db = router.db_for_write(AuditEvent)
    if not connections[db].in_atomic_block:
        raise AuditError(f"record_event({name!r}) must run inside the transaction of the action it records")
    payload = json.loads(json.dumps(details or {}, default=str))
    head, _ = ChainHead.objects.select_for_update().get_or_create(id=1, defaults={"hash": GENESIS})
    seq = head.seq + 1
    when = at or timezone.now()
    digest = event_hash(
        prev_hash=head.hash,
        seq=seq,
        at=when,
        actor=actor,
        action=name,
        subject=subject,
        object=object,
        details=payload,
    )
    event = AuditEvent.objects.create(
        seq=seq,
        at=when,
        actor=actor,
        action=name,
        subject=subject,
        object=object,
        details=payload,
        prev_hash=head.hash,
        hash=digest,
    )
    head.seq, head.hash = seq, digest
    head.save(update_fields=["seq", "hash"])
    return event


@transaction.atomic
def record_event_now(action: AuditAction | str, **fields: Any) -> AuditEvent:
    """For a step that is itself the whole action (a CLI run, a login): its own transaction."""
    return record_event(action, **fields)


# keeps: C37 (every action's audit event, written in its transaction)
