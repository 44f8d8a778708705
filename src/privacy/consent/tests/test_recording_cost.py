"""What recording a choice costs the database: one INSERT once the banner text is stored,
and still a complete record when that text has vanished (a restore from an older backup).

These tests commit (transaction=True): the process remembers a banner version only after
its row is committed, never from a transaction that may still roll back."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from privacy.consent import actions
from privacy.consent.actions import Circumstances, record_choice
from privacy.consent.declaration import CookieDeclaration
from privacy.consent.models import BannerText, ConsentRecord, Method
from privacy.consent.wording import banner_text

pytestmark = pytest.mark.django_db(transaction=True)


def shown(decl: CookieDeclaration) -> Circumstances:
    return Circumstances(language="en", banner=banner_text(decl, "en", opt_out_note=False, gpc=False))


@pytest.fixture(autouse=True)
def forget_stored_banners() -> None:
    actions._stored_banners.clear()


def test_a_choice_under_a_stored_banner_is_one_insert(decl: CookieDeclaration) -> None:
    # given a first choice, which stores the banner text
    record_choice(method=Method.ACCEPT_ALL, circumstances=shown(decl))
    # when a second visitor chooses under the same banner
    with CaptureQueriesContext(connection) as queries:
        second = record_choice(method=Method.REJECT_ALL, circumstances=shown(decl))
    # then the record's INSERT is the whole transaction: no look-up, no BEGIN or COMMIT
    # of our own (the database commits the one statement before it returns)
    statements = [q["sql"].split(" ", 2)[:2] for q in queries.captured_queries]
    assert statements == [["INSERT", "INTO"]]
    assert ConsentRecord.objects.get(pk=second.pk).banner_version_id == shown(decl).banner.hash  # type: ignore[union-attr]
    assert BannerText.objects.count() == 1


def test_a_withdrawal_writes_its_record_and_audit_event_in_one_transaction(decl: CookieDeclaration) -> None:
    # given a visitor who accepted everything under a stored banner
    first = record_choice(method=Method.ACCEPT_ALL, circumstances=shown(decl))
    withdrawing = replace(
        shown(decl), visitor_id=first.visitor_id, supersedes=first.id, previously_granted=first.granted
    )
    # when they withdraw
    with CaptureQueriesContext(connection) as queries:
        record_choice(method=Method.WITHDRAW, circumstances=withdrawing)
    # then the record and the audit event share one transaction
    statements = [q["sql"].split(" ", 1)[0] for q in queries.captured_queries]
    assert statements[0] == "BEGIN"
    assert statements[-1] == "COMMIT"
    assert statements.count("INSERT") >= 2


def test_a_banner_text_that_vanished_is_stored_again(decl: CookieDeclaration) -> None:
    # given a banner this process saw committed, then a database restored from before it
    record_choice(method=Method.ACCEPT_ALL, circumstances=shown(decl))
    ConsentRecord._base_manager.all().delete()
    BannerText._base_manager.all().delete()
    # when a visitor chooses under that banner
    record = record_choice(method=Method.ACCEPT_ALL, circumstances=shown(decl))
    # then the text is stored again and the record names it
    stored = BannerText.objects.get()
    assert stored.hash == record.banner_version_id
    assert stored.text == shown(decl).banner.text  # type: ignore[union-attr]
    assert ConsentRecord.objects.count() == 1
