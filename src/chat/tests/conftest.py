"""People of each role, a media folder on disk, and helpers for the chat tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role, User
from orders.tests.factories import make_user


@pytest.fixture(autouse=True)
def media_root(tmp_path: Path, settings: Any) -> Path:
    """Uploads go to a fresh folder on disk (the real LocalFileStore), so tests can list it."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def manager(db: None) -> User:
    return make_user(Role.ACCOUNT_MANAGER, name="maria")


@pytest.fixture
def customer(manager: User) -> User:
    return make_user(Role.CUSTOMER, manager=manager, name="alice")


@pytest.fixture
def other_manager(db: None) -> User:
    return make_user(Role.ACCOUNT_MANAGER, name="oscar")


@pytest.fixture
def other_customer(other_manager: User) -> User:
    return make_user(Role.CUSTOMER, manager=other_manager, name="bob")


@pytest.fixture
def support_agent(db: None) -> User:
    return make_user(Role.SUPPORT_AGENT, name="sam")


@pytest.fixture
def privacy_officer(db: None) -> User:
    return make_user(Role.PRIVACY_OFFICER, name="priya")


@pytest.fixture
def administrator(db: None) -> User:
    return make_user(Role.ADMINISTRATOR, name="admin")


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    """What a browser sends; the content type it claims is ignored by the checks."""
    return SimpleUploadedFile(name, data, content_type=content_type)
