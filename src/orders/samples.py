"""Small generated 3D models: a cube as ASCII or binary STL.

Used by the demo data and by the tests (tests/fixtures/model_samples.py re-exports these
and adds the hostile samples). Built in code so that nobody has to open a binary fixture to
know what it holds.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence

Point = tuple[float, float, float]
Triangle = tuple[Point, Point, Point]


def cube_triangles(size: float = 10.0, offset: Point = (0.0, 0.0, 0.0)) -> list[Triangle]:
    """Twelve outward-wound triangles of an axis-aligned cube with its low corner at `offset`."""
    ox, oy, oz = offset
    s = size

    def p(x: float, y: float, z: float) -> Point:
        return (ox + x * s, oy + y * s, oz + z * s)

    quads = [
        (p(0, 0, 0), p(0, 1, 0), p(1, 1, 0), p(1, 0, 0)),  # bottom, facing -z
        (p(0, 0, 1), p(1, 0, 1), p(1, 1, 1), p(0, 1, 1)),  # top
        (p(0, 0, 0), p(1, 0, 0), p(1, 0, 1), p(0, 0, 1)),  # front, facing -y
        (p(0, 1, 0), p(0, 1, 1), p(1, 1, 1), p(1, 1, 0)),  # back
        (p(0, 0, 0), p(0, 0, 1), p(0, 1, 1), p(0, 1, 0)),  # left, facing -x
        (p(1, 0, 0), p(1, 1, 0), p(1, 1, 1), p(1, 0, 1)),  # right
    ]
    return [tri for a, b, c, d in quads for tri in ((a, b, c), (a, c, d))]


def ascii_stl(triangles: Iterable[Triangle], name: str = "cube", *, end: bool = True) -> bytes:
    lines = [f"solid {name}"]
    for tri in triangles:
        lines += ["  facet normal 0 0 0", "    outer loop"]
        lines += [f"      vertex {x:g} {y:g} {z:g}" for x, y, z in tri]
        lines += ["    endloop", "  endfacet"]
    if end:
        lines.append(f"endsolid {name}")
    return ("\n".join(lines) + "\n").encode()


def binary_stl(triangles: Sequence[Triangle], header: bytes = b"binary cube") -> bytes:
    records = b"".join(struct.pack("<12fH", 0, 0, 0, *a, *b, *c, 0) for a, b, c in triangles)
    return header.ljust(80, b" ") + struct.pack("<I", len(triangles)) + records
