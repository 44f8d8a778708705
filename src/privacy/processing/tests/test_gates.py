"""may_process: restriction (C32), objection (C34), consent per purpose (C42), each audited."""

from __future__ import annotations

import uuid

import pytest

from privacy.audit.models import AuditEvent
from privacy.consent.models import AppendOnlyError
from privacy.policy.loader import current_policy
from privacy.processing import actions, queries
from privacy.processing.errors import ProcessingError, UnknownPurpose
from privacy.processing.models import Objection, PurposeConsent, PurposeWording, Restriction

pytestmark = pytest.mark.django_db

WORDING = "Send me SogaWorks marketing e-mails."
STAFF = "subject:00000000-0000-0000-0000-0000000000aa"


def events(subject_id: uuid.UUID) -> list[tuple[str, dict[str, object]]]:
    return [(e.action, e.details) for e in AuditEvent.objects.filter(subject=str(subject_id)).order_by("seq")]


def grant(subject_id: uuid.UUID, purpose: str = "marketing_messages") -> PurposeConsent:
    return actions.grant_consent_for(
        subject_id=subject_id,
        purpose=purpose,
        actor=f"subject:{subject_id}",
        method="account_page",
        wording=WORDING,
    )


def test_an_unknown_purpose_is_an_error_naming_it() -> None:
    with pytest.raises(UnknownPurpose, match="'selling_data'"):
        queries.may_process(uuid.uuid4(), "selling_data")
    with pytest.raises(UnknownPurpose, match="'selling_data'"):
        queries.processable_subjects([uuid.uuid4()], "selling_data")


def test_without_any_decision_every_purpose_but_the_consent_based_ones_may_be_processed() -> None:
    subject = uuid.uuid4()

    allowed = sorted(p for p in current_policy().purposes if queries.may_process(subject, p))

    assert allowed == [
        "administer_account",
        "communicate",
        "fulfil_orders",
        "improve_services",
        "legal_claims",
        "legal_obligation",
        "prevent_fraud",
        "research",
        "storage",
        "surveys",
        "troubleshoot",
    ]


@pytest.mark.commitment("C32")
def test_a_restriction_refuses_every_purpose_but_storage_legal_claims_and_legal_obligations() -> None:
    # Given a subject who consented to marketing
    subject = uuid.uuid4()
    grant(subject)

    # When their processing is restricted
    restriction = actions.restrict_processing(subject_id=subject, reason="rights request 42", actor=STAFF)

    # Then only the purposes the declaration allows under restriction remain
    allowed = sorted(p for p in current_policy().purposes if queries.may_process(subject, p))
    assert allowed == ["legal_claims", "legal_obligation", "storage"]
    assert queries.is_restricted(subject) is True
    assert restriction.active is True
    assert (restriction.reason, restriction.actor) == ("rights request 42", STAFF)
    assert events(subject)[-1] == ("processing.restriction.started", {"reason": "rights request 42"})
    # and the data stays: the consent history is untouched
    assert PurposeConsent.objects.filter(subject_id=subject).count() == 1


@pytest.mark.commitment("C32")
def test_lifting_a_restriction_lets_the_services_use_the_data_again() -> None:
    subject = uuid.uuid4()
    grant(subject)
    actions.restrict_processing(subject_id=subject, reason="rights request 42", actor=STAFF)

    lifted = actions.lift_restriction(subject_id=subject, reason="rights request 42 answered", actor=STAFF)

    assert lifted is True
    assert queries.is_restricted(subject) is False
    assert queries.may_process(subject, "communicate") is True
    assert queries.may_process(subject, "marketing_messages") is True
    row = Restriction.objects.get(subject_id=subject)
    assert (row.lifted_reason, row.lifted_by, row.ended_at is not None) == (
        "rights request 42 answered",
        STAFF,
        True,
    )
    action, details = events(subject)[-1]
    assert action == "processing.restriction.lifted"
    assert details["reason"] == "rights request 42 answered"


def test_restricting_twice_keeps_one_open_restriction_and_one_event() -> None:
    subject = uuid.uuid4()
    first = actions.restrict_processing(subject_id=subject, reason="rights request 1", actor=STAFF)

    second = actions.restrict_processing(subject_id=subject, reason="rights request 2", actor=STAFF)

    assert second.pk == first.pk
    assert Restriction.objects.filter(subject_id=subject).count() == 1
    assert [a for a, _ in events(subject)] == ["processing.restriction.started"]


def test_lifting_when_nothing_is_restricted_changes_nothing() -> None:
    subject = uuid.uuid4()

    assert actions.lift_restriction(subject_id=subject, reason="rights request 7", actor=STAFF) is False
    assert events(subject) == []


def test_a_restriction_without_a_reason_is_refused_and_nothing_is_written() -> None:
    subject = uuid.uuid4()

    with pytest.raises(ProcessingError) as refused:
        actions.restrict_processing(subject_id=subject, reason="  ", actor=STAFF)

    assert refused.value.code == "invalid_reason"
    assert Restriction.objects.count() == 0
    assert events(subject) == []


@pytest.mark.commitment("C42")
def test_a_consent_based_purpose_needs_consent_in_force() -> None:
    subject = uuid.uuid4()
    assert queries.may_process(subject, "marketing_messages") is False

    consent = grant(subject)
    assert queries.may_process(subject, "marketing_messages") is True
    assert (consent.granted, consent.method, consent.wording.text if consent.wording else None) == (
        True,
        "account_page",
        WORDING,
    )

    report = actions.withdraw_consent_for(
        subject_id=subject, purpose="marketing_messages", actor=f"subject:{subject}"
    )
    assert queries.may_process(subject, "marketing_messages") is False
    assert (report.was_granted, report.deleted) == (True, {})
    assert [(c.granted, c.method) for c in queries.consent_history(subject)] == [
        (True, "account_page"),
        (False, "rights_request"),
    ]
    assert events(subject) == [
        (
            "processing.consent.granted",
            {"purpose": "marketing_messages", "method": "account_page", "wording": consent.wording_id},
        ),
        (
            "processing.consent.withdrawn",
            {"purpose": "marketing_messages", "method": "rights_request", "was_granted": True, "deleted": {}},
        ),
    ]


def test_the_same_wording_is_stored_once_and_a_grant_in_force_is_not_repeated() -> None:
    first, second = uuid.uuid4(), uuid.uuid4()

    grant(first)
    grant(second)
    again = grant(first)

    assert PurposeWording.objects.count() == 1
    assert PurposeConsent.objects.count() == 2
    assert again.subject_id == first


def test_consent_history_is_append_only() -> None:
    consent = grant(uuid.uuid4())

    with pytest.raises(AppendOnlyError):
        PurposeConsent.objects.filter(pk=consent.pk).update(granted=False)
    with pytest.raises(AppendOnlyError):
        consent.delete()
    assert PurposeConsent.objects.get(pk=consent.pk).granted is True


def test_only_consent_based_purposes_take_consent_or_its_withdrawal() -> None:
    subject = uuid.uuid4()

    with pytest.raises(ProcessingError) as refused:
        actions.withdraw_consent_for(subject_id=subject, purpose="fulfil_orders", actor=STAFF)
    assert refused.value.code == "not_consent_based"
    with pytest.raises(ProcessingError) as refused_grant:
        grant(subject, purpose="fulfil_orders")
    assert refused_grant.value.code == "not_consent_based"
    assert PurposeConsent.objects.count() == 0
    assert events(subject) == []


@pytest.mark.commitment("C34")
def test_an_objection_to_direct_marketing_is_upheld_at_once_and_for_good() -> None:
    # Given a subject who consented to marketing
    subject = uuid.uuid4()
    grant(subject)

    # When they object, even if the officer's form said "not upheld"
    objection = actions.record_objection(
        subject_id=subject, purpose="marketing_messages", actor=STAFF, upheld=False, reasons=""
    )

    # Then it is upheld, absolute, the consent is withdrawn, and it cannot be given again
    assert (objection.upheld, objection.absolute) == (True, True)
    assert queries.may_process(subject, "marketing_messages") is False
    assert queries.consent_in_force(subject, "marketing_messages") is None
    with pytest.raises(ProcessingError) as refused:
        grant(subject)
    assert refused.value.code == "objected"
    assert queries.may_process(subject, "marketing_messages") is False
    # nor does lifting anything bring it back
    actions.restrict_processing(subject_id=subject, reason="rights request 9", actor=STAFF)
    actions.lift_restriction(subject_id=subject, reason="rights request 9", actor=STAFF)
    assert queries.may_process(subject, "marketing_messages") is False
    assert [a for a, _ in events(subject)] == [
        "processing.consent.granted",
        "processing.consent.withdrawn",
        "processing.objection.recorded",
        "processing.restriction.started",
        "processing.restriction.lifted",
    ]
    recorded = dict(events(subject))["processing.objection.recorded"]
    assert recorded == {
        "purpose": "marketing_messages",
        "upheld": True,
        "absolute": True,
        "consent_withdrawn": True,
        "deleted": {},
    }


@pytest.mark.commitment("C34")
def test_an_objection_to_a_legitimate_interest_is_decided_with_reasons() -> None:
    subject = uuid.uuid4()

    with pytest.raises(ProcessingError) as refused:
        actions.record_objection(
            subject_id=subject, purpose="research", actor=STAFF, upheld=True, reasons=" "
        )
    assert refused.value.code == "reasons_required"
    assert Objection.objects.count() == 0

    rejected = actions.record_objection(
        subject_id=subject,
        purpose="research",
        actor=STAFF,
        upheld=False,
        reasons="Compelling grounds: fraud study",
    )
    assert (rejected.upheld, rejected.absolute) == (False, False)
    assert queries.may_process(subject, "research") is True

    actions.record_objection(
        subject_id=subject, purpose="research", actor=STAFF, upheld=True, reasons="No overriding grounds"
    )
    assert queries.may_process(subject, "research") is False
    assert queries.may_process(subject, "improve_services") is True  # another purpose is not covered
    assert [d["upheld"] for a, d in events(subject) if a == "processing.objection.recorded"] == [False, True]


def test_processable_subjects_gives_the_same_answers_as_may_process() -> None:
    plain, consented, restricted, objected, withdrawn = (uuid.uuid4() for _ in range(5))
    for subject in (consented, restricted, objected, withdrawn):
        grant(subject)
    actions.restrict_processing(subject_id=restricted, reason="rights request 1", actor=STAFF)
    actions.record_objection(
        subject_id=objected, purpose="marketing_messages", actor=STAFF, upheld=True, reasons=""
    )
    actions.withdraw_consent_for(subject_id=withdrawn, purpose="marketing_messages", actor=STAFF)
    everyone = [plain, consented, restricted, objected, withdrawn]

    for purpose in ("marketing_messages", "communicate", "storage"):
        expected = {s for s in everyone if queries.may_process(s, purpose)}
        assert queries.processable_subjects(everyone, purpose) == expected
    assert queries.processable_subjects(everyone, "marketing_messages") == {consented}
    assert queries.processable_subjects(everyone, "communicate") == {plain, consented, objected, withdrawn}
