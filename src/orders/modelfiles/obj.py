"""Wavefront OBJ.

OBJ has no magic number, so it is recognised by grammar: text in which every statement
starts with an OBJ keyword. The first unknown statement decides: at the top of the file it
means "not an OBJ" (a README renamed .obj), later it means a damaged OBJ. Faces are
checked against the vertices they name (1-based, or negative for "counting back"), and
polygons are fanned into triangles for the count, box and volume. OBJ declares no unit,
so the numbers are taken as millimetres, as for STL.
"""

from __future__ import annotations

import itertools
from array import array

from orders.modelfiles.mesh import MeshMeasure
from orders.modelfiles.result import ModelFileInfo, ModelFileRejected

_GEOMETRY = frozenset({"v", "vt", "vn", "vp", "f", "fo", "l", "p"})
_GROUPING = frozenset({"g", "o", "s", "mg", "mtllib", "usemtl", "usemap", "maplib"})
_FREEFORM = frozenset(
    {
        "cstype",
        "deg",
        "bmat",
        "step",
        "curv",
        "curv2",
        "surf",
        "parm",
        "trim",
        "hole",
        "scrv",
        "sp",
        "end",
        "con",
    }
)
_RENDER = frozenset(
    {"bevel", "c_interp", "d_interp", "lod", "shadow_obj", "trace_obj", "ctech", "stech", "call", "csh"}
)
_KEYWORDS = _GEOMETRY | _GROUPING | _FREEFORM | _RENDER


def _statements(data: bytes) -> list[str]:
    text = data.decode("utf-8", errors="replace").replace("\\\r\n", " ").replace("\\\n", " ")
    return text.splitlines()


def starts_like_obj(data: bytes) -> bool:
    for line in data[:4096].decode("utf-8", errors="replace").splitlines():
        words = line.split(maxsplit=1)
        if words and not words[0].startswith("#"):
            return words[0] in _KEYWORDS
    return False


def inspect_obj(data: bytes) -> ModelFileInfo:
    vertices: array[float] = array("d")
    indices: array[int] = array("q")
    for number, line in enumerate(_statements(data), start=1):
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        keyword = words[0]
        if keyword == "v":
            if len(words) < 4:
                raise ModelFileRejected("malformed", f"OBJ line {number}: a vertex needs x, y and z.")
            try:
                vertices.extend(map(float, words[1:4]))
            except ValueError:
                raise ModelFileRejected(
                    "malformed", f"OBJ line {number}: a vertex coordinate is not a number."
                ) from None
        elif keyword == "f":
            corners = [_vertex_index(ref, len(vertices) // 3, number) for ref in words[1:]]
            if len(corners) < 3:
                raise ModelFileRejected(
                    "malformed", f"OBJ line {number}: a face needs at least three vertices."
                )
            first = corners[0]
            for second, third in itertools.pairwise(corners[1:]):  # fan: (0 1 2) (0 2 3) ...
                indices.extend((first, second, third))
        elif keyword not in _KEYWORDS:
            raise ModelFileRejected(
                "malformed", f"OBJ line {number}: '{keyword[:20]}' is not an OBJ statement."
            )
    measure = MeshMeasure()
    measure.add_indexed(vertices, indices)
    triangles, bbox, volume = measure.finish()
    if triangles == 0:
        raise ModelFileRejected("empty", "This OBJ file contains no faces.")
    return ModelFileInfo(
        format="obj", size=len(data), triangles=triangles, bbox=bbox, volume_mm3=volume, units=None
    )


def _vertex_index(ref: str, count: int, line: int) -> int:
    try:
        index = int(ref.split("/", 1)[0])
    except ValueError:
        raise ModelFileRejected(
            "malformed", f"OBJ line {line}: '{ref[:20]}' is not a vertex reference."
        ) from None
    resolved = index - 1 if index > 0 else count + index
    if index == 0 or not 0 <= resolved < count:
        raise ModelFileRejected(
            "malformed", f"OBJ line {line}: face refers to vertex {index}, which does not exist."
        )
    return resolved
