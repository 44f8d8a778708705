"""Helpers for the policy tests."""

from __future__ import annotations

from pathlib import Path


def line_of(path: Path, needle: str, *, after: str | None = None) -> int:
    """The 1-based number of the first line containing `needle`, after the first line that
    starts with `after` when it is given."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = 0
    if after is not None:
        start = next(index for index, line in enumerate(lines) if line.startswith(after)) + 1
    found = [index + 1 for index, line in enumerate(lines) if index >= start and needle in line]
    assert found, f"{needle!r} not found in {path}"
    return found[0]
