"""What an inspection returns, and the one error it raises.

Kept apart from the parsers so that views, actions and tests can import the vocabulary
without pulling in the format code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Format = Literal["step", "stl_ascii", "stl_binary", "iges", "obj", "3mf"]

RejectionCode = Literal[
    "too_large",
    "unknown_format",
    "truncated",
    "archive_bomb",
    "unsafe_path",
    "malformed",
    "empty",
    "extension_mismatch",
]

Point = tuple[float, float, float]
BoundingBox = tuple[Point, Point]


@dataclass(frozen=True, slots=True)
class ModelFileInfo:
    """The facts a quote needs about an uploaded model.

    `bbox` is ((min x, min y, min z), (max x, max y, max z)) in millimetres and
    `volume_mm3` in cubic millimetres. 3MF declares its unit and is converted; STL and OBJ
    declare none, so their numbers are taken as millimetres (the industry convention) and
    `units` stays None. STEP and IGES are B-rep formats: they report their declared unit
    but no mesh figures.
    """

    format: Format
    size: int
    triangles: int | None
    bbox: BoundingBox | None
    volume_mm3: float | None
    units: str | None


class ModelFileRejected(Exception):
    """The upload is refused. `code` is stable (for tests and the API); `message` is for people."""

    def __init__(self, code: RejectionCode, message: str) -> None:
        super().__init__(code, message)  # both in args, so the error survives pickling (task queues)
        self.code: RejectionCode = code
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"ModelFileRejected(code={self.code!r}, message={self.message!r})"
