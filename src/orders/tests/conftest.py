"""Fixtures for the orders tests: a customer with an account manager, the other roles, and uploads on disk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from accounts.models import Role, User
from orders.tests.factories import make_user
from payments.provider import using_gateway
from payments.testgateway import TestGateway


@pytest.fixture(autouse=True)
def media_root(tmp_path: Path, settings: Any) -> Path:
    """Uploads go to a fresh folder on disk (the real LocalFileStore), so tests can list it."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture(autouse=True)
def gateway() -> Iterator[TestGateway]:
    with using_gateway(TestGateway()) as test_gateway:
        assert isinstance(test_gateway, TestGateway)
        yield test_gateway


@pytest.fixture
def manager(db: None) -> User:
    return make_user(Role.ACCOUNT_MANAGER)


@pytest.fixture
def customer(manager: User) -> User:
    return make_user(Role.CUSTOMER, manager=manager)


@pytest.fixture
def other_customer(db: None) -> User:
    return make_user(Role.CUSTOMER, manager=make_user(Role.ACCOUNT_MANAGER))


@pytest.fixture
def other_manager(db: None) -> User:
    return make_user(Role.ACCOUNT_MANAGER)


@pytest.fixture
def support_agent(db: None) -> User:
    return make_user(Role.SUPPORT_AGENT)


@pytest.fixture
def privacy_officer(db: None) -> User:
    return make_user(Role.PRIVACY_OFFICER)


@pytest.fixture
def administrator(db: None) -> User:
    return make_user(Role.ADMINISTRATOR)
