"""Withdrawing consent deletes exactly the rows kept only on it, found through the catalog (C42).

The models live only in this test (their own app registry and tables): a member, their
newsletter subscriptions and opens (kept only for marketing e-mails), a testimonial (kept
only for the testimonials purpose) and a purchase (kept for the contract).
"""

# ruff: noqa: DJ008 -- models that exist only inside a test need no __str__

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import ClassVar

import pytest
from django.db import connection, models
from django.test.utils import isolate_apps

from privacy.audit.models import AuditEvent
from privacy.catalog.declarations import personal
from privacy.catalog.registry import Catalog, using_catalog
from privacy.policy.loader import current_policy
from privacy.processing import actions, queries
from privacy.processing.checks import only_for_problems

pytestmark = pytest.mark.django_db(transaction=True)

with isolate_apps("privacy.processing") as isolated_apps:

    class Member(models.Model):
        subject_id = models.UUIDField(unique=True)
        privacy_subject: ClassVar[str] = "self"

    class Newsletter(models.Model):
        member = models.ForeignKey(Member, on_delete=models.CASCADE)
        topics = personal(
            models.CharField(max_length=100), category="user.contact.email", context="account_registration"
        )
        privacy_subject: ClassVar[str] = "member"
        privacy_only_for: ClassVar[str] = "marketing_messages"

    class NewsletterOpen(models.Model):
        newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE)
        privacy_subject: ClassVar[str] = "newsletter__member"
        privacy_only_for: ClassVar[str] = "marketing_messages"

    class Endorsement(models.Model):
        member = models.ForeignKey(Member, on_delete=models.CASCADE)
        privacy_subject: ClassVar[str] = "member"
        privacy_only_for: ClassVar[str] = "testimonials"

    class Purchase(models.Model):
        member = models.ForeignKey(Member, on_delete=models.CASCADE)
        privacy_subject: ClassVar[str] = "member"

    class Wrong(models.Model):  # only in the checks' test: three contradictions at once
        member = models.ForeignKey(Member, on_delete=models.CASCADE)
        upload = personal(
            models.FileField(), category="user.content", context="live_chat_and_order", erasure="delete_row"
        )
        privacy_only_for: ClassVar[str] = "fulfil_orders"


TABLES = [Member, Newsletter, NewsletterOpen, Endorsement, Purchase]


@pytest.fixture
def catalog() -> Iterator[Catalog]:
    with connection.schema_editor() as editor:
        for model in TABLES:
            editor.create_model(model)
    try:
        with using_catalog(Catalog(TABLES, current_policy())) as made:
            yield made
    finally:
        with connection.schema_editor() as editor:
            for model in reversed(TABLES):
                editor.delete_model(model)


def member_with_data(*, newsletters: int, opens_each: int) -> Member:
    member = Member.objects.create(subject_id=uuid.uuid4())
    for number in range(newsletters):
        letter = Newsletter.objects.create(member=member, topics=f"topic {number}")
        for _ in range(opens_each):
            NewsletterOpen.objects.create(newsletter=letter)
    Endorsement.objects.create(member=member)
    Purchase.objects.create(member=member)
    return member


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TABLES}


@pytest.mark.commitment("C42")
def test_withdrawal_deletes_exactly_the_rows_kept_only_for_that_purpose(catalog: Catalog) -> None:
    # Given two members with newsletters, opens, a testimonial and a purchase each
    ada = member_with_data(newsletters=2, opens_each=3)
    bob = member_with_data(newsletters=1, opens_each=1)
    actions.grant_consent_for(
        subject_id=ada.subject_id,
        purpose="marketing_messages",
        actor="subject:ada",
        method="account_page",
        wording="Send me marketing e-mails.",
    )
    assert counts() == {"Member": 2, "Newsletter": 3, "NewsletterOpen": 7, "Endorsement": 2, "Purchase": 2}

    # When Ada withdraws her consent to marketing e-mails
    report = actions.withdraw_consent_for(
        subject_id=ada.subject_id,
        purpose="marketing_messages",
        actor="subject:ada",
        method="unsubscribe_link",
    )

    # Then her newsletters and their opens are gone, and nothing else of anyone
    assert report.deleted == {"processing.NewsletterOpen": 6, "processing.Newsletter": 2}
    assert report.rows_deleted == 8
    assert counts() == {"Member": 2, "Newsletter": 1, "NewsletterOpen": 1, "Endorsement": 2, "Purchase": 2}
    assert Newsletter.objects.get().member_id == bob.pk
    assert Endorsement.objects.filter(member=ada).count() == 1
    assert Purchase.objects.filter(member=ada).count() == 1
    event = AuditEvent.objects.filter(action="processing.consent.withdrawn").get()
    assert (event.subject, event.details) == (
        str(ada.subject_id),
        {
            "purpose": "marketing_messages",
            "method": "unsubscribe_link",
            "was_granted": True,
            "deleted": {"processing.Newsletter": 2, "processing.NewsletterOpen": 6},
        },
    )


@pytest.mark.commitment("C42")
def test_withdrawing_another_purpose_deletes_only_its_own_rows(catalog: Catalog) -> None:
    ada = member_with_data(newsletters=2, opens_each=1)

    report = actions.withdraw_consent_for(subject_id=ada.subject_id, purpose="testimonials", actor="staff")

    assert (report.was_granted, report.deleted) == (False, {"processing.Endorsement": 1})
    assert counts() == {"Member": 1, "Newsletter": 2, "NewsletterOpen": 2, "Endorsement": 0, "Purchase": 1}


@pytest.mark.commitment("C34")
def test_an_objection_to_marketing_deletes_what_marketing_alone_kept(catalog: Catalog) -> None:
    ada = member_with_data(newsletters=1, opens_each=2)

    actions.record_objection(
        subject_id=ada.subject_id, purpose="marketing_messages", actor="staff", upheld=True, reasons=""
    )

    assert counts() == {"Member": 1, "Newsletter": 0, "NewsletterOpen": 0, "Endorsement": 1, "Purchase": 1}
    assert queries.may_process(ada.subject_id, "marketing_messages") is False


def test_the_checks_refuse_an_only_for_that_cannot_be_honoured() -> None:
    problems = only_for_problems(
        [Newsletter, Wrong, Purchase], current_policy(), Catalog([], current_policy())
    )

    assert sorted((p.id or "", p.obj.__name__) for p in problems) == [
        ("privacy.E121", "Wrong"),
        ("privacy.E122", "Wrong"),
        ("privacy.E123", "Wrong"),
    ]
    assert "'fulfil_orders'" in problems[0].msg
