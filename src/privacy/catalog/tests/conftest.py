from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from privacy.catalog.registry import Catalog
from privacy.catalog.tests.isolated_models import isolated_tables
from privacy.vault.blind_index import forget_index_keys
from privacy.vault.keyring import reset_keyrings
from privacy.vault.keys import clear_key_cache
from privacy.vault.redaction import redaction_scope


def _forget_keys() -> None:
    reset_keyrings()
    clear_key_cache()
    forget_index_keys()


@pytest.fixture
def vault_keys(tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Fresh development keys in the test's own folder; uploads in its own folder too."""
    monkeypatch.delenv("PLEDGE_MASTER_KEY", raising=False)
    monkeypatch.delenv("PLEDGE_INDEX_KEY", raising=False)
    settings.PLEDGE_KEY_DIR = tmp_path / "keys"
    settings.MEDIA_ROOT = tmp_path / "uploads"
    _forget_keys()
    with redaction_scope():
        yield tmp_path / "keys"
    _forget_keys()


@pytest.fixture
def catalog_tables(vault_keys: Path) -> Iterator[Catalog]:
    """The isolated test models' tables, and a catalog over them as the current one."""
    with isolated_tables() as catalog:
        yield catalog
