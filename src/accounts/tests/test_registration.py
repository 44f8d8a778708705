"""Registration collects exactly the IP, username, e-mail and password (C1), keeps them
encrypted or hashed (C2), and refuses a child without keeping anything of them (C39)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import actions
from accounts.models import RefusedRegistrationCount, Role, User
from accounts.tests.conftest import ADULT_BIRTHDAY, BASE_URL, PASSWORD
from privacy.api import minimum_age_for

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

FORM = {
    "username": "Marie_Curie",
    "email": "Marie.Curie@Example.com",
    "password": PASSWORD,
    "date_of_birth": "1990-04-25",
    "country": "FR",
}


def _raw_row(user: User) -> dict[str, Any]:
    connection = connections["default"]
    pk = User._meta.pk.get_db_prep_value(user.pk, connection)  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {User._meta.db_table} WHERE id = %s", [pk])  # noqa: S608
        row = cursor.fetchone()
        names = [column[0] for column in cursor.description]
    assert row is not None
    return dict(zip(names, row, strict=True))


def _as_bytes(value: Any) -> bytes:
    if value is None:
        return b""
    if isinstance(value, memoryview | bytearray):
        return bytes(value)
    return value if isinstance(value, bytes) else str(value).encode()


def _row_counts() -> dict[str, int]:
    counts = {}
    for alias in ("default", "keys"):
        with connections[alias].cursor() as cursor:
            for table in connections[alias].introspection.table_names(cursor):
                cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - names from introspection
                counts[f"{alias}.{table}"] = cursor.fetchone()[0]
    return counts


@pytest.mark.commitment("C1")
def test_registration_stores_exactly_ip_username_email_and_password(client: Client) -> None:
    # Given the registration form, filled in from 81.2.69.160
    # When it is sent
    response = client.post(reverse("accounts:register"), FORM, REMOTE_ADDR="81.2.69.160")

    # Then the visitor is told to check their inbox, and one customer account exists
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:registered")
    user = User.objects.get()
    assert (user.username, user.email, user.registration_ip) == (
        "Marie_Curie",
        "Marie.Curie@Example.com",
        "81.2.69.160",
    )
    assert user.check_password(PASSWORD)
    assert user.role == Role.CUSTOMER
    assert user.minimum_age_applied == minimum_age_for("FR") == 15
    # ... and the row holds those four items, bookkeeping and nothing else: no date of
    # birth, no country.
    row = _raw_row(user)
    filled = {name for name, value in row.items() if value not in (None, "", 0, False)}
    assert filled == {
        "id",
        "subject_id",
        "username",
        "username_index",
        "email",
        "email_index",
        "password",
        "registration_ip",
        "date_joined",
        "is_active",
        "age_checked_at",
        "minimum_age_applied",
        "role",
    }
    assert not any(b"1990" in _as_bytes(value) or _as_bytes(value) == b"FR" for value in row.values())


@pytest.mark.commitment("C1")
def test_registration_requires_nothing_beyond_the_four_items_and_the_age_check() -> None:
    # The form's fields are the four items plus the age gate's two, which are not kept.
    from accounts.forms import RegistrationForm

    assert list(RegistrationForm().fields) == ["username", "email", "password", "date_of_birth", "country"]


@pytest.mark.commitment("C2")
def test_password_is_argon2id_and_no_plaintext_is_in_the_row() -> None:
    user = actions.register_customer(
        username="ada_lovelace",
        email="ada@example.org",
        password=PASSWORD,
        date_of_birth=ADULT_BIRTHDAY,
        country="GB",
        ip_address="203.0.113.77",
        base_url=BASE_URL,
    )
    assert user is not None

    row = _raw_row(user)

    assert row["password"].startswith("argon2$argon2id$")
    assert PASSWORD not in row["password"]
    raw = b"|".join(_as_bytes(value) for value in row.values())
    for plaintext in (b"ada_lovelace", b"ada@example.org", b"203.0.113.77", PASSWORD.encode()):
        assert plaintext not in raw
    # Read back through the ORM, the values are whole again.
    fresh = User.objects.get(pk=user.pk)
    assert (fresh.username, fresh.email, fresh.registration_ip) == (
        "ada_lovelace",
        "ada@example.org",
        "203.0.113.77",
    )


@pytest.mark.commitment("C39")
def test_an_under_age_registration_is_refused_and_nothing_about_the_child_is_kept(client: Client) -> None:
    # Given a 13-year-old in Italy (minimum age 14)
    today = timezone.localdate()
    thirteen = today.replace(year=today.year - 13) if not (today.month == 2 and today.day == 29) else today
    client.get(reverse("accounts:register"), REMOTE_ADDR="81.2.69.160")  # the form sets the CSRF cookie only
    before = _row_counts()

    # When they register
    response = client.post(
        reverse("accounts:register"),
        {
            **FORM,
            "username": "kid",
            "email": "kid@example.com",
            "date_of_birth": thirteen.isoformat(),
            "country": "IT",
        },
        REMOTE_ADDR="81.2.69.160",
    )

    # Then they are refused kindly
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sorry, we can’t open an account for you yet" in page
    assert "We have not kept anything you typed in" in page
    for typed in ("kid@example.com", thirteen.isoformat(), "81.2.69.160", "Italy"):
        assert typed not in page
    # ... and the only row written anywhere is the day's counter for Italy
    after = _row_counts()
    changed = {
        table: after[table] - before.get(table, 0) for table in after if after[table] != before.get(table, 0)
    }
    assert changed == {f"default.{RefusedRegistrationCount._meta.db_table}": 1}
    counter = RefusedRegistrationCount.objects.get()
    assert (counter.day, counter.jurisdiction, counter.refused) == (today, "IT", 1)
    assert not client.session.items()
    assert response.cookies.get("sessionid") is None


@pytest.mark.commitment("C39")
def test_the_age_gate_answers_before_other_corrections() -> None:
    # A child's form with a bad username and a weak password is refused for age, not corrected.
    today = timezone.localdate()
    with pytest.raises(actions.UnderMinimumAge) as refused:
        actions.register_customer(
            username="x",
            email="not-an-address",
            password="123",
            date_of_birth=today - dt.timedelta(days=365 * 10),
            country="DE",
            ip_address="192.0.2.1",
            base_url=BASE_URL,
        )
    assert refused.value.minimum_age == 16  # Germany: GDPR Art. 8 default (the "EU" row)
    assert User.objects.count() == 0
    assert RefusedRegistrationCount.objects.get().jurisdiction == "DE"


@pytest.mark.commitment("C39")
def test_the_minimum_age_is_met_on_the_birthday() -> None:
    # Born exactly 14 years ago today in China (minimum 14): allowed.
    today = timezone.localdate()
    born = today.replace(year=today.year - 14) if not (today.month == 2 and today.day == 29) else today
    user = actions.register_customer(
        username="birthday",
        email="birthday@example.com",
        password=PASSWORD,
        date_of_birth=born,
        country="CN",
        ip_address=None,
        base_url=BASE_URL,
    )
    assert user is not None
    assert user.minimum_age_applied == 14
    assert user.registration_ip is None


def test_country_is_prefilled_from_the_ip(client: Client) -> None:
    response = client.get(reverse("accounts:register"), REMOTE_ADDR="81.2.69.160")
    assert response.context["form"].initial == {"country": "GB"}


def test_a_taken_username_is_refused_in_any_case(make_user: Any, client: Client) -> None:
    make_user("marie_curie")
    response = client.post(reverse("accounts:register"), FORM)
    assert response.status_code == 200
    assert response.context["form"].errors == {"username": ["That username is taken. Please choose another."]}
    assert User.objects.count() == 1


def test_a_registered_address_gets_a_notice_and_the_visitor_sees_the_usual_answer(
    make_user: Any, client: Client, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Given an account with this address (in another case)
    make_user("marie", email="marie.curie@example.com")

    # When someone registers with it
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:register"), FORM)

    # Then the answer is the same as for a new account, no account is made, and the owner is told
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:registered")
    assert User.objects.count() == 1
    [notice] = smtp_server.messages
    assert notice["To"] == "marie.curie@example.com"
    assert notice["Subject"] == "You already have a SogaWorks account"


def test_password_validators_give_clear_messages(client: Client) -> None:
    response = client.post(reverse("accounts:register"), {**FORM, "password": "12345678"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "password": [
            "This password is too short. It must contain at least 10 characters.",
            "This password is too common.",
            "This password is entirely numeric.",
        ]
    }
    assert User.objects.count() == 0


@pytest.mark.commitment("C39")
def test_the_refused_request_itself_is_not_request_logged(client: Client) -> None:
    pytest.importorskip("weblog.writer")
    from weblog.models import RequestLog
    from weblog.writer import discard_request_log, flush_request_log

    today = timezone.localdate()
    discard_request_log()
    client.post(
        reverse("accounts:register"),
        {
            **FORM,
            "email": "kid@example.com",
            "date_of_birth": today.replace(day=1).isoformat(),
            "country": "IT",
        },
        REMOTE_ADDR="81.2.69.160",
    )
    flush_request_log()
    assert RequestLog.objects.count() == 0
