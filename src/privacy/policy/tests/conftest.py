from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings

from privacy.policy.loader import reset_policy_cache

Breaker = Callable[..., Path]


@pytest.fixture(autouse=True)
def _fresh_policy_cache() -> Iterator[None]:
    reset_policy_cache()
    yield
    reset_policy_cache()


@pytest.fixture
def seed_file() -> Path:
    return Path(settings.PLEDGE_POLICY_FILE)


@pytest.fixture
def broken(tmp_path: Path, seed_file: Path) -> Breaker:
    """A copy of the seed declaration with each `old` text (which must occur once) replaced."""

    def write(*replacements: tuple[str, str], name: str = "broken.yaml") -> Path:
        text = seed_file.read_text(encoding="utf-8")
        for old, new in replacements:
            assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in the seed"
            text = text.replace(old, new)
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
