"""Bounding box and enclosed volume of a triangle mesh, in pure Python and in bounded memory.

The volume is the divergence-theorem sum of signed tetrahedra (origin, a, b, c), taken as an
absolute value so that inward- and outward-wound meshes agree. Triangles arrive in batches
of flat coordinates (9 floats each) so the hot loop runs in C: min/max over slices, and one
generator expression per batch whose terms are summed with `math.fsum` (exact summation,
so a 10 mm cube is exactly 1000.0 mm³ regardless of triangle order).

Any NaN or infinity makes the volume non-finite (every coordinate appears in a product
of the determinant, and inf·0 is NaN), which is how corrupt coordinates are caught
without a per-value check.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import chain

from orders.modelfiles.result import BoundingBox, ModelFileRejected

_BATCH_TRIANGLES = 4096


class MeshMeasure:
    """Accumulates triangles; `finish()` returns (triangles, bbox, volume) in the input unit."""

    def __init__(self) -> None:
        self.triangles = 0
        self._low = [math.inf, math.inf, math.inf]
        self._high = [-math.inf, -math.inf, -math.inf]
        self._six_volumes: list[float] = []

    def add_flat(self, coords: Sequence[float]) -> None:
        """Add triangles given as x1 y1 z1 x2 y2 z2 x3 y3 z3, repeated."""
        count = len(coords) // 9
        if count == 0:
            return
        self.triangles += count
        for axis in range(3):
            values = coords[axis::3]
            self._low[axis] = min(self._low[axis], min(values))
            self._high[axis] = max(self._high[axis], max(values))
        it = iter(coords)
        try:
            self._six_volumes.append(
                math.fsum(
                    ax * (by * cz - bz * cy) - ay * (bx * cz - bz * cx) + az * (bx * cy - by * cx)
                    for ax, ay, az, bx, by, bz, cx, cy, cz in zip(
                        it, it, it, it, it, it, it, it, it, strict=False
                    )
                )
            )
        except (ValueError, OverflowError):  # fsum refuses inf - inf and overflowing sums
            self._six_volumes.append(math.nan)

    def add_indexed(self, vertices: Sequence[float], indices: Sequence[int]) -> None:
        """Add triangles given as a flat vertex list (x y z …) and vertex indices (a b c …).

        Indices must already be validated to lie within the vertex list.
        """
        points = list(zip(vertices[0::3], vertices[1::3], vertices[2::3], strict=False))
        corner = points.__getitem__
        step = 3 * _BATCH_TRIANGLES
        for start in range(0, len(indices), step):
            # map/chain keep the gather loop in C: several times faster than a comprehension.
            self.add_flat(list(chain.from_iterable(map(corner, indices[start : start + step]))))

    def finish(self) -> tuple[int, BoundingBox | None, float | None]:
        if self.triangles == 0:
            return 0, None, None
        volume = abs(math.fsum(self._six_volumes)) / 6.0 if self._six_volumes else 0.0
        bounds = (*self._low, *self._high)
        if not math.isfinite(volume) or not all(math.isfinite(v) for v in bounds):
            raise ModelFileRejected(
                "malformed", "The mesh contains coordinates that are not numbers (NaN or infinity)."
            )
        low = (self._low[0], self._low[1], self._low[2])
        high = (self._high[0], self._high[1], self._high[2])
        return self.triangles, (low, high), volume


def scale_bbox(bbox: BoundingBox | None, factor: float) -> BoundingBox | None:
    if bbox is None or factor == 1.0:
        return bbox
    low, high = bbox
    return (
        (low[0] * factor, low[1] * factor, low[2] * factor),
        (high[0] * factor, high[1] * factor, high[2] * factor),
    )
