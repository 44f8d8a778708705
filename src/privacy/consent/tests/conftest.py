"""Fixtures for the consent tests: visitors from a given place, accounts, the clock, and a
declaration whose cookie section is another version."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from privacy.consent import state as consent_state
from privacy.consent.declaration import CookieDeclaration, current_declaration, using_policy
from privacy.consent.state import COOKIE_NAME, Payload
from privacy.policy.schema import Policy

DE = {"HTTP_X_PLEDGE_COUNTRY": "DE"}
CALIFORNIA = {"HTTP_X_PLEDGE_COUNTRY": "US-CA"}
GPC = {"HTTP_SEC_GPC": "1"}
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
UA = {"HTTP_USER_AGENT": CHROME}


@pytest.fixture
def decl() -> CookieDeclaration:
    return current_declaration()


@pytest.fixture
def visitor() -> Callable[..., Client]:
    """A browser from a place: visitor("DE"), visitor("US-CA", gpc=True)."""

    def make(place: str = "DE", *, gpc: bool = False, **headers: str) -> Client:
        extra = {"HTTP_X_PLEDGE_COUNTRY": place, "REMOTE_ADDR": "203.0.113.77", **UA, **headers}
        if gpc:
            extra.update(GPC)
        return Client(**extra)

    return make


def cookie_payload(client: Client) -> Payload | None:
    morsel = client.cookies.get(COOKIE_NAME)
    return Payload.decode(morsel.value) if morsel is not None and morsel.value else None


_names = itertools.count(1)


@pytest.fixture
def make_user(django_db_blocker: Any) -> Callable[..., Any]:
    def make(*, officer: bool = False) -> Any:
        n = next(_names)
        user = get_user_model().objects.create_user(
            f"person{n}", f"person{n}@example.com", "a long passphrase 42"
        )
        if officer:
            user.user_permissions.add(
                Permission.objects.get(codename="view_consent_reports", content_type__app_label="consent")
            )
            user = get_user_model().objects.get(pk=user.pk)  # forget the cached permissions
        return user

    return make


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[dt.datetime], None]:
    """Move consent's clock: clock(datetime) sets it, for time travel past an expiry."""

    def set_to(moment: dt.datetime) -> None:
        monkeypatch.setattr(consent_state, "clock", lambda: moment.timestamp())

    return set_to


def with_cookie_version(policy: Policy, version: str) -> Policy:
    return policy.model_copy(update={"cookies": policy.cookies.model_copy(update={"version": version})})


@pytest.fixture
def new_cookie_version(decl: CookieDeclaration) -> Iterator[CookieDeclaration]:
    """The same declaration with its cookie section at another version, for the block."""
    with using_policy(with_cookie_version(decl.policy, decl.version + "-next")) as changed:
        yield changed
