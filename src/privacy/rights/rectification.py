"""Rectification by request: the fields of the subject's rows a member of staff may correct.

Customers correct their account and address fields themselves; anything else they ask to
have corrected is reviewed by the privacy officer, who picks the field from the catalog
(every declared field of every row sealed under the subject's key) and writes the value
through the model, so that a sealed field stays sealed. The log and the audit trail name
the fields, never the old or new value (the old value is not kept anywhere).
"""

from __future__ import annotations

from typing import Any

from privacy.catalog.registry import declared_fields, rows_for_subject
from privacy.rights import actions
from privacy.rights.actions import RightsError
from privacy.rights.models import RequestContact, RightsRequest
from privacy.vault.errors import SubjectErased
from privacy.vault.file_fields import EncryptedFileField

MAX_ROWS_PER_MODEL = 50


def _editable(field: Any) -> bool:
    return not isinstance(field, EncryptedFileField) and field.editable and not field.primary_key


def targets(request: RightsRequest) -> list[tuple[str, str]]:
    """(value, label) for each correctable field of the subject's rows: "label|pk|field"."""
    if request.subject_id is None:
        return []
    found: list[tuple[str, str]] = []
    for model, rows in rows_for_subject(request.subject_id):
        fields = [field for field, _ in declared_fields(model) if _editable(field)]
        if not fields:
            continue
        for pk in rows.values_list("pk", flat=True)[:MAX_ROWS_PER_MODEL]:
            for field in fields:
                label = model._meta.label
                found.append((f"{label}|{pk}|{field.name}", f"{label} {str(pk)[-8:]} · {field.verbose_name}"))
    return found


def apply(*, request: RightsRequest, target: str, value: str, actor: str) -> list[str]:
    if target not in {choice for choice, _ in targets(request)}:
        raise RightsError("not_subject", "That field is not one of the requester's.")
    label, pk, field_name = target.split("|")
    for model, rows in rows_for_subject(request.subject_id):  # type: ignore[arg-type]
        if model._meta.label == label:
            instance = rows.get(pk=pk)
            return actions.rectify(request=request, changes=[(instance, field_name, value)], actor=actor)
    raise RightsError("not_subject", "That field is not one of the requester's.")


def contact_summary(request: RightsRequest) -> dict[str, Any]:
    """What the requester wrote, for the officer; empty once erased."""
    contact = RequestContact.objects.filter(request=request).first()
    if contact is None:
        return {}
    try:
        return {
            "email": contact.email,
            "details": contact.details,
            "proof_description": contact.proof_description,
            "has_proof_file": bool(contact.proof_file),
        }
    except SubjectErased:
        return {"erased": True}
