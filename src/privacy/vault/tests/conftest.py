from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from privacy.vault.blind_index import forget_index_keys
from privacy.vault.files import MemoryFileStore, using_file_store
from privacy.vault.keyring import reset_keyrings
from privacy.vault.keys import clear_key_cache
from privacy.vault.redaction import redaction_scope
from privacy.vault.tests.models import TEST_MODELS


def _forget_keys() -> None:
    reset_keyrings()
    clear_key_cache()
    forget_index_keys()


@pytest.fixture(autouse=True)
def vault_keys(tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Each test gets fresh development keys in its own folder, and a fresh redaction scope."""
    monkeypatch.delenv("PLEDGE_MASTER_KEY", raising=False)
    monkeypatch.delenv("PLEDGE_INDEX_KEY", raising=False)
    settings.PLEDGE_KEY_DIR = tmp_path / "keys"
    settings.PRODUCTION = False
    _forget_keys()
    with redaction_scope():
        yield tmp_path / "keys"
    _forget_keys()


@pytest.fixture(scope="session")
def vault_tables(django_db_setup: None, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock(), connections["default"].schema_editor() as editor:
        for model in TEST_MODELS:
            editor.create_model(model)


@pytest.fixture
def store() -> Iterator[MemoryFileStore]:
    with using_file_store(MemoryFileStore()) as memory:
        assert isinstance(memory, MemoryFileStore)
        yield memory
