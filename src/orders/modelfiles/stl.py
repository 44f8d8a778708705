"""STL, binary and ASCII.

Binary is recognised by arithmetic, not by the header: 80 free bytes, a uint32 triangle
count n, then exactly n records of 50 bytes. Many exporters write "solid …" into those 80
bytes, so an exact size match wins over the "solid" prefix; the chance of ASCII text also
matching is nil, because the count would be read from text bytes (≥ 0x09090909 triangles,
over 7 GB). A binary-looking file whose count promises more records than it holds is
reported as truncated only when the records it does hold are plausible (finite,
moderate floats); otherwise it is just not an STL.

ASCII is parsed facet by facet with one anchored regular expression, so anything between
facets other than whitespace or `endsolid`/`solid` lines is refused rather than skipped.
"""

from __future__ import annotations

import math
import re
import struct

from orders.modelfiles.mesh import MeshMeasure
from orders.modelfiles.result import ModelFileInfo, ModelFileRejected

_HEADER = 80
_RECORD = 50
_BATCH = 4096
_RECORD_FORMAT = "12x9f2x"  # skip the normal, keep three vertices, skip the attribute word
_BATCH_STRUCT = struct.Struct("<" + _RECORD_FORMAT * _BATCH)
_PLAUSIBLE_LIMIT = 1e7  # 10 km in mm: larger "coordinates" in a sample mean random bytes

_WS = re.compile(rb"\s*")
_SOLID = re.compile(rb"solid\b[^\n]*", re.IGNORECASE)
_ENDSOLID = re.compile(rb"endsolid\b[^\n]*", re.IGNORECASE)
_FACET_START = re.compile(rb"facet\b", re.IGNORECASE)
_ENDSOLID_ANYWHERE = re.compile(rb"endsolid", re.IGNORECASE)
_FACET = re.compile(
    rb"facet\s+normal\s+\S+\s+\S+\s+\S+\s+outer\s+loop\s+"
    rb"vertex\s+(\S+)\s+(\S+)\s+(\S+)\s+"
    rb"vertex\s+(\S+)\s+(\S+)\s+(\S+)\s+"
    rb"vertex\s+(\S+)\s+(\S+)\s+(\S+)\s+"
    rb"endloop\s+endfacet\b",
    re.IGNORECASE,
)


def _skip_space(data: bytes, pos: int) -> int:
    space = _WS.match(data, pos)
    return space.end() if space else pos


def declared_triangles(data: bytes) -> int | None:
    if len(data) < _HEADER + 4:
        return None
    count: int = struct.unpack_from("<I", data, _HEADER)[0]
    return count


def is_binary_stl(data: bytes) -> bool:
    count = declared_triangles(data)
    return count is not None and len(data) == _HEADER + 4 + _RECORD * count


def looks_like_truncated_binary_stl(data: bytes) -> bool:
    """A binary STL cut short, as opposed to some other binary file."""
    count = declared_triangles(data)
    if count is None or count == 0 or len(data) >= _HEADER + 4 + _RECORD * count:
        return False
    whole = (len(data) - _HEADER - 4) // _RECORD
    if whole == 0:
        return all(b == 0 or 0x20 <= b < 0x7F for b in data[:_HEADER])
    sample = struct.unpack_from("<" + "12f2x" * min(whole, 64), data, _HEADER + 4)
    return all(math.isfinite(v) and abs(v) <= _PLAUSIBLE_LIMIT for v in sample)


def inspect_binary_stl(data: bytes) -> ModelFileInfo:
    count = declared_triangles(data)
    assert count is not None, "call only when is_binary_stl(data)"
    if count == 0:
        raise ModelFileRejected("empty", "This STL file contains no triangles.")
    measure = MeshMeasure()
    offset = _HEADER + 4
    for _ in range(count // _BATCH):
        measure.add_flat(_BATCH_STRUCT.unpack_from(data, offset))
        offset += _RECORD * _BATCH
    rest = count % _BATCH
    if rest:
        measure.add_flat(struct.unpack_from("<" + _RECORD_FORMAT * rest, data, offset))
    triangles, bbox, volume = measure.finish()
    return ModelFileInfo(
        format="stl_binary", size=len(data), triangles=triangles, bbox=bbox, volume_mm3=volume, units=None
    )


def starts_like_ascii_stl(data: bytes) -> bool:
    return _SOLID.match(data, _skip_space(data, 0)) is not None


def inspect_ascii_stl(data: bytes) -> ModelFileInfo:
    measure = MeshMeasure()
    coords: list[float] = []
    end = len(data)
    pos = _skip_space(data, 0)
    solid = _SOLID.match(data, pos)
    assert solid is not None
    pos = solid.end()
    while True:
        pos = _skip_space(data, pos)
        facet = _FACET.match(data, pos)
        if facet is not None:
            try:
                coords.extend(map(float, facet.groups()))
            except ValueError:
                raise ModelFileRejected(
                    "malformed", f"This ASCII STL has a vertex that is not a number near byte {pos}."
                ) from None
            if len(coords) >= 9 * _BATCH:
                measure.add_flat(coords)
                coords = []
            pos = facet.end()
            continue
        endsolid = _ENDSOLID.match(data, pos)
        if endsolid is not None:
            pos = _skip_space(data, endsolid.end())
            if pos == end:
                break
            another = _SOLID.match(data, pos)
            if another is None:
                raise ModelFileRejected("malformed", "This ASCII STL has unexpected text after 'endsolid'.")
            pos = another.end()
            continue
        if measure.triangles == 0 and not coords and pos != end and not _FACET_START.match(data, pos):
            raise ModelFileRejected(
                "unknown_format",
                "This text file starts with 'solid' but holds no STL facets; it is not an STL.",
            )
        if pos == end or _ENDSOLID_ANYWHERE.search(data, pos) is None:
            raise ModelFileRejected(
                "truncated", "This ASCII STL ends before its closing 'endsolid' line; the file is incomplete."
            )
        raise ModelFileRejected("malformed", f"This ASCII STL has text that is not a facet near byte {pos}.")
    measure.add_flat(coords)
    triangles, bbox, volume = measure.finish()
    if triangles == 0:
        raise ModelFileRejected("empty", "This STL file contains no triangles.")
    return ModelFileInfo(
        format="stl_ascii", size=len(data), triangles=triangles, bbox=bbox, volume_mm3=volume, units=None
    )
