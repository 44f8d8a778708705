"""Where each key of a declaration was written, so that a finding can name its line.

The loader composes the YAML once and records the line of every mapping key and
sequence item, by path: ("contexts", "delivery", "categories", 2) -> 41.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class SourceMap:
    file: str
    lines: dict[Loc, int] = field(default_factory=dict)

    def line_of(self, loc: Sequence[str | int]) -> int | None:
        """The line of `loc`, or of its nearest written ancestor (a missing key's parent)."""
        path = tuple(loc)
        while True:
            found = self.lines.get(path)
            if found is not None or not path:
                return found
            path = path[:-1]


def format_key(loc: Sequence[str | int]) -> str:
    """("contexts", "delivery", "categories", 2) -> "contexts.delivery.categories[2]"."""
    key = ""
    for part in loc:
        if isinstance(part, int):
            key += f"[{part}]"
        else:
            key += f".{part}" if key else str(part)
    return key
