"""Recording choices: the exact record, append-only proof, withdrawals and lapses audited."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import transaction

from privacy.audit.models import AuditEvent
from privacy.consent import actions
from privacy.consent.actions import Circumstances, ConsentError, record_choice
from privacy.consent.declaration import CookieDeclaration
from privacy.consent.models import AppendOnlyError, BannerText, ConsentRecord, Method
from privacy.consent.tests.conftest import CHROME
from privacy.consent.wording import banner_text

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)
VISITOR = uuid.UUID("33333333-3333-4333-8333-333333333333")
SUBJECT = uuid.UUID("44444444-4444-4444-8444-444444444444")


def seen(decl: CookieDeclaration, **changes: object) -> Circumstances:
    fields: dict[str, object] = {
        "language": "en",
        "visitor_id": VISITOR,
        "banner": banner_text(decl, "en", opt_out_note=False, gpc=False),
        "ip": "198.51.100.23",
        "user_agent": CHROME,
        "country": "DE",
        **changes,
    }
    return Circumstances(**fields)  # type: ignore[arg-type]


@pytest.mark.commitment("C12")
def test_a_choice_is_recorded_with_every_field(decl: CookieDeclaration) -> None:
    banner = banner_text(decl, "en", opt_out_note=False, gpc=False)
    record = record_choice(
        method=Method.CUSTOM, categories=["performance"], circumstances=seen(decl, subject_id=SUBJECT), at=T0
    )
    stored = ConsentRecord.objects.get(pk=record.pk)
    assert stored.visitor_id == VISITOR
    assert stored.subject_id == SUBJECT
    assert stored.created_at == T0
    assert stored.policy_version == decl.policy.version
    assert stored.cookie_version == "2023.09"
    assert stored.banner_version_id == banner.hash
    assert stored.language == "en"
    assert stored.choices == {
        "essential": True,
        "performance": True,
        "functionality": False,
        "advertising": False,
    }
    assert stored.method == "custom"
    assert stored.signals == {
        "gpc": False,
        "consent_mode": {
            "ad_storage": "denied",
            "ad_user_data": "denied",
            "ad_personalization": "denied",
            "analytics_storage": "granted",
            "functionality_storage": "denied",
            "personalization_storage": "denied",
            "security_storage": "granted",
        },
    }
    assert stored.ip_truncated == "198.51.100.0"
    assert stored.user_agent_family == "Chrome"
    assert stored.country == "DE"
    assert stored.expires_at == dt.datetime(2027, 5, 24, 12, 0, tzinfo=dt.UTC)  # six months
    assert stored.supersedes is None


def test_the_banner_text_is_stored_once_per_version(decl: CookieDeclaration) -> None:
    banner = banner_text(decl, "en", opt_out_note=False, gpc=False)
    record_choice(method=Method.ACCEPT_ALL, circumstances=seen(decl), at=T0)
    record_choice(method=Method.REJECT_ALL, circumstances=seen(decl), at=T0)
    assert list(BannerText.objects.values_list("hash", "language")) == [(banner.hash, "en")]
    text = BannerText.objects.get().text
    assert "Accept all" in text
    assert "Reject all" in text
    assert "_sa_vid" in text
    assert banner_text(decl, "zh", opt_out_note=False, gpc=False).hash != banner.hash


@pytest.mark.parametrize(
    ("method", "categories", "expected"),
    [
        (Method.ACCEPT_ALL, None, {"performance": True, "functionality": True, "advertising": True}),
        (Method.REJECT_ALL, None, {"performance": False, "functionality": False, "advertising": False}),
        (Method.WITHDRAW, None, {"performance": False, "functionality": False, "advertising": False}),
        (
            Method.CUSTOM,
            ["functionality"],
            {"performance": False, "functionality": True, "advertising": False},
        ),
    ],
)
def test_each_method_means_exactly_its_choice(
    decl: CookieDeclaration, method: Method, categories: list[str] | None, expected: dict[str, bool]
) -> None:
    record = record_choice(method=method, categories=categories, circumstances=seen(decl), at=T0)
    assert record.choices == {"essential": True, **expected}


@pytest.mark.commitment("C12")
def test_essential_cannot_be_switched_off(decl: CookieDeclaration) -> None:
    record = record_choice(method=Method.REJECT_ALL, circumstances=seen(decl), at=T0)
    assert record.choices["essential"] is True


def test_an_unknown_category_is_refused_and_nothing_is_written(decl: CookieDeclaration) -> None:
    with pytest.raises(ConsentError, match="Unknown cookie categories: tracking"):
        record_choice(method=Method.CUSTOM, categories=["tracking"], circumstances=seen(decl), at=T0)
    assert ConsentRecord.objects.count() == 0
    assert BannerText.objects.count() == 0


@pytest.mark.commitment("C20")
def test_gpc_is_never_read_as_consent_to_advertising(decl: CookieDeclaration) -> None:
    record = record_choice(
        method=Method.ACCEPT_ALL, circumstances=seen(decl, gpc=True, gpc_source="header"), at=T0
    )
    assert record.choices == {
        "essential": True,
        "performance": True,
        "functionality": True,
        "advertising": False,
    }
    assert record.signals["gpc"] is True
    assert record.signals["gpc_source"] == "header"
    assert record.signals["consent_mode"]["ad_storage"] == "denied"


@pytest.mark.commitment("C16")
def test_a_withdrawal_supersedes_and_is_audited(decl: CookieDeclaration) -> None:
    first = record_choice(method=Method.ACCEPT_ALL, circumstances=seen(decl, subject_id=SUBJECT), at=T0)
    second = record_choice(
        method=Method.WITHDRAW,
        circumstances=seen(decl, subject_id=SUBJECT, supersedes=first.id, previously_granted=first.granted),
        at=T0 + dt.timedelta(minutes=5),
    )
    assert second.supersedes == first.id
    assert second.visitor_id == first.visitor_id
    event = AuditEvent.objects.get(action="consent.withdrawn")
    assert event.subject == str(SUBJECT)
    assert event.object == f"consent:{second.id}"
    assert event.actor == "subject"
    assert event.details == {
        "withdrawn": ["advertising", "functionality", "performance"],
        "method": "withdraw",
        "supersedes": str(first.id),
    }
    assert str(VISITOR) not in str(event.details)  # the trail never holds the visitor id


def test_a_choice_that_takes_nothing_back_writes_no_audit_event(decl: CookieDeclaration) -> None:
    first = record_choice(method=Method.REJECT_ALL, circumstances=seen(decl), at=T0)
    record_choice(
        method=Method.ACCEPT_ALL,
        circumstances=seen(decl, supersedes=first.id, previously_granted=first.granted),
        at=T0,
    )
    assert AuditEvent.objects.count() == 0


def test_records_are_append_only(decl: CookieDeclaration) -> None:
    record = record_choice(method=Method.ACCEPT_ALL, circumstances=seen(decl), at=T0)
    record.method = Method.REJECT_ALL
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()
    with pytest.raises(AppendOnlyError):
        ConsentRecord.objects.filter(pk=record.pk).update(method="reject_all")
    with pytest.raises(AppendOnlyError):
        ConsentRecord.objects.filter(pk=record.pk).delete()
    with pytest.raises(AppendOnlyError):
        ConsentRecord.objects.bulk_update([record], ["method"])
    with pytest.raises(AppendOnlyError):
        BannerText.objects.all().delete()
    stored = ConsentRecord.objects.get(pk=record.pk)
    assert stored.method == "accept_all"
    assert ConsentRecord.objects.count() == 1


@pytest.mark.commitment("C16")
def test_a_lapse_is_recorded_once_and_audited(decl: CookieDeclaration) -> None:
    granted = record_choice(method=Method.ACCEPT_ALL, circumstances=seen(decl, subject_id=SUBJECT), at=T0)
    later = T0 + dt.timedelta(days=200)
    assert actions.expire_lapsed_consents(at=T0 + dt.timedelta(days=100)) == 0
    assert actions.expire_lapsed_consents(at=later) == 1
    assert actions.expire_lapsed_consents(at=later) == 0
    lapse = ConsentRecord.objects.get(method=Method.EXPIRED)
    assert lapse.supersedes == granted.id
    assert lapse.subject_id == SUBJECT
    assert lapse.visitor_id == VISITOR
    assert lapse.choices == {
        "essential": True,
        "performance": False,
        "functionality": False,
        "advertising": False,
    }
    assert lapse.banner_version_id is None
    event = AuditEvent.objects.get(action="consent.expired")
    assert event.details == {"lapsed": str(granted.id)}
    assert event.object == f"consent:{lapse.id}"


def test_counting_is_aggregate_only() -> None:
    day = dt.date(2026, 11, 24)
    actions.count_event(kind="page_view", key="/quotes/", day=day)
    actions.count_event(kind="page_view", key="/quotes/", day=day)
    from privacy.consent.models import AnalyticsCount

    assert list(AnalyticsCount.objects.values_list("day", "kind", "key", "count")) == [
        (day, "page_view", "/quotes/", 2)
    ]


def test_a_choice_rolls_back_with_the_transaction_it_runs_in(decl: CookieDeclaration) -> None:
    def choose_then_fail() -> None:
        with transaction.atomic():
            record_choice(method=Method.ACCEPT_ALL, circumstances=seen(decl), at=T0)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        choose_then_fail()
    assert ConsentRecord.objects.count() == 0


def test_the_expire_command_marks_lapsed_consents(decl: CookieDeclaration, clock) -> None:  # type: ignore[no-untyped-def]
    from io import StringIO

    from django.core.management import call_command

    record_choice(method=Method.ACCEPT_ALL, circumstances=seen(decl), at=T0)
    clock(T0 + dt.timedelta(days=190))
    out = StringIO()
    call_command("consent", "expire", stdout=out)
    assert out.getvalue().strip() == "1 consent lapsed"
    assert ConsentRecord.objects.filter(method=Method.EXPIRED).count() == 1
