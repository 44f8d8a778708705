"""3MF: an OPC (ZIP) package whose model part is XML in the 3MF core namespace.

The container is opened through `archive.SafeArchive`, which owns every defence against
hostile ZIPs. Here we find the model part (the 3dmodel relationship in `_rels/.rels`,
falling back to the conventional `3D/3dmodel.model`), stream it through expat into plain
arrays, and measure what the build would print: each build item, with its transform and
its components expanded (including components in other model parts, as Bambu Studio and
other slicers write with the Production extension).

Volume is measured once per object, in its own coordinates, and scaled by |det| of each
instance's transform, so a mirrored instance adds volume rather than cancelling it. The
bounding box is taken over transformed vertices. Everything is in the model's declared
unit, then converted to millimetres once at the end.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import cast

from orders.modelfiles.archive import ArchiveLimits, SafeArchive, open_archive
from orders.modelfiles.mesh import MeshMeasure, scale_bbox
from orders.modelfiles.result import BoundingBox, ModelFileInfo, ModelFileRejected

_CORE = "{http://schemas.microsoft.com/3dmanufacturing/core/2015/02}"
_VERTEX = _CORE + "vertex"
_TRIANGLE = _CORE + "triangle"
_PRODUCTION_PATH = "{http://schemas.microsoft.com/3dmanufacturing/production/2015/06}path"
_RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_MODEL_RELATIONSHIP = "http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel"
_DEFAULT_MODEL_PART = "3D/3dmodel.model"
_CONTENT_TYPES = "[Content_Types].xml"
_ROOT_RELS = "_rels/.rels"
_MAX_NESTING = 32

UNIT_TO_MM = {
    "micron": 0.001,
    "millimeter": 1.0,
    "centimeter": 10.0,
    "inch": 25.4,
    "foot": 304.8,
    "meter": 1000.0,
}

# Row-vector affine transform, as 3MF writes it: m00 m01 m02 m10 m11 m12 m20 m21 m22 m30 m31 m32.
Transform = tuple[float, float, float, float, float, float, float, float, float, float, float, float]
IDENTITY: Transform = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0)


@dataclass(frozen=True, slots=True)
class _Reference:
    part: str
    object_id: int
    transform: Transform


@dataclass(slots=True)
class _Object:
    vertices: array[float] = field(default_factory=lambda: array("d"))
    indices: array[int] = field(default_factory=lambda: array("q"))
    components: list[_Reference] = field(default_factory=list)
    measured: tuple[int, float] | None = None  # (triangles, |signed volume|), filled lazily


class _ModelReader:
    """expat target that keeps only numbers: no element tree is ever built.

    It has no `end` handler (half a million calls saved on a big mesh): an object is
    complete when the next object or the build starts, or the part ends (`finish`).
    """

    def __init__(self, part: str) -> None:
        self.part = part
        self.unit: str | None = None
        self.objects: dict[int, _Object] = {}
        self.build: list[_Reference] = []
        self._current: _Object | None = None
        self._current_id = 0
        self._add_vertex: Callable[[Iterable[float]], None] = self._outside_object
        self._add_triangle: Callable[[Iterable[int]], None] = self._outside_object

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        try:
            if tag == _TRIANGLE:  # the two hot paths first
                self._add_triangle((int(attrib["v1"]), int(attrib["v2"]), int(attrib["v3"])))
            elif tag == _VERTEX:
                self._add_vertex((float(attrib["x"]), float(attrib["y"]), float(attrib["z"])))
            elif tag.startswith(_CORE):
                self._start_structure(tag[len(_CORE) :], attrib)
            # other namespaces (materials, beam lattices, slices) carry no geometry we measure
        except (KeyError, ValueError) as exc:
            element = tag.rpartition("}")[2][:20]
            raise _malformed(
                f"A 3MF <{element}> element has a missing or invalid attribute ({exc})."
            ) from None

    def finish(self) -> None:
        if self.unit is None:
            raise _malformed(f"The part {self.part!r} is not a 3MF model.")
        self._finish_object()

    def _start_structure(self, name: str, attrib: dict[str, str]) -> None:
        if name == "model":
            if self.unit is not None:
                raise _malformed("A 3MF model part holds a second <model>.")
            self.unit = attrib.get("unit", "millimeter")
            if self.unit not in UNIT_TO_MM:
                raise _malformed(f"The 3MF unit {self.unit[:20]!r} is not one the format defines.")
        elif self.unit is None:
            raise _malformed(f"The part {self.part!r} is not a 3MF model (it does not start with <model>).")
        elif name == "object":
            self._finish_object()
            self._current_id = int(attrib["id"])
            if self._current_id in self.objects:
                raise _malformed(f"The 3MF object id {self._current_id} is used twice.")
            self._current = _Object()
            self._add_vertex = self._current.vertices.extend
            self._add_triangle = self._current.indices.extend
        elif name == "component":
            if self._current is None:
                self._outside_object(())
            else:
                self._current.components.append(self._reference(attrib))
        elif name == "build":
            self._finish_object()
        elif name == "item":
            self.build.append(self._reference(attrib))

    def _finish_object(self) -> None:
        mesh = self._current
        if mesh is None:
            return
        if not math.isfinite(sum(mesh.vertices)):
            raise _malformed(f"The 3MF object {self._current_id} has a coordinate that is not a number.")
        if mesh.indices and (min(mesh.indices) < 0 or max(mesh.indices) >= len(mesh.vertices) // 3):
            raise _malformed(f"The 3MF object {self._current_id} has a triangle naming a vertex it lacks.")
        self.objects[self._current_id] = mesh
        self._current = None
        self._add_vertex = self._add_triangle = self._outside_object

    @staticmethod
    def _outside_object(values: Iterable[float]) -> None:
        raise _malformed("A 3MF vertex, triangle or component sits outside any <object>.")

    def _reference(self, attrib: dict[str, str]) -> _Reference:
        path = attrib.get(_PRODUCTION_PATH)
        part = path.lstrip("/") if path else self.part
        return _Reference(
            part=part, object_id=int(attrib["objectid"]), transform=_transform(attrib.get("transform"))
        )


def inspect_3mf(data: bytes, limits: ArchiveLimits) -> ModelFileInfo:
    archive = open_archive(data, limits)
    if not archive.has(_CONTENT_TYPES):
        raise ModelFileRejected("unknown_format", "This is a ZIP archive but not a 3MF package.")
    archive.parse_xml(_CONTENT_TYPES, _IgnoringTarget())  # must at least be safe, well-formed XML
    root_part = _root_model_part(archive)
    if not archive.has(root_part):
        raise ModelFileRejected("unknown_format", "This is a ZIP archive but it contains no 3MF model.")
    models = _Models(archive)
    root = models.load(root_part)
    unit = root.unit or "millimeter"
    if not root.build:
        raise ModelFileRejected("empty", "This 3MF file has nothing in its build.")
    expansions = [models.expansion(ref, depth=0) for ref in root.build]
    instances = sum(i for i, _ in expansions)
    elements = sum(e for _, e in expansions)
    if instances > limits.max_instances or elements > limits.max_mesh_elements:
        raise ModelFileRejected(
            "archive_bomb",
            f"This 3MF expands through its components to {instances:,} objects and {elements:,} triangles "
            f"and vertices; at most {limits.max_instances:,} and {limits.max_mesh_elements:,} are allowed.",
        )
    triangles = 0
    volume = 0.0
    low = [math.inf] * 3
    high = [-math.inf] * 3
    for ref in root.build:
        for mesh, transform in models.instances(ref, IDENTITY):
            count, local_volume = models.measure(mesh)
            if count == 0:
                continue
            triangles += count
            volume += local_volume * abs(_determinant(transform))
            _extend_bounds(low, high, mesh.vertices, transform)
    if triangles == 0:
        raise ModelFileRejected("empty", "This 3MF file contains no triangles.")
    factor = UNIT_TO_MM[unit]
    bbox: BoundingBox = ((low[0], low[1], low[2]), (high[0], high[1], high[2]))
    if not math.isfinite(volume) or not all(math.isfinite(v) for v in (*low, *high)):
        raise _malformed("The mesh contains coordinates that are not numbers (NaN or infinity).")
    return ModelFileInfo(
        format="3mf",
        size=len(data),
        triangles=triangles,
        bbox=scale_bbox(bbox, factor),
        volume_mm3=volume * factor**3,
        units=unit,
    )


class _Models:
    """Model parts, loaded on first reference, and the object graph across them."""

    def __init__(self, archive: SafeArchive) -> None:
        self._archive = archive
        self._parts: dict[str, _ModelReader] = {}
        self._expansions: dict[tuple[str, int], tuple[int, int]] = {}

    def load(self, part: str) -> _ModelReader:
        key = part.casefold()
        if key not in self._parts:
            if ".." in part.split("/") or "\\" in part:
                raise ModelFileRejected(
                    "unsafe_path", f"The 3MF refers to an unsafe part path {part[:80]!r}."
                )
            if not self._archive.has(part):
                raise _malformed(f"The 3MF refers to a model part {part[:80]!r} that is not in the package.")
            reader = _ModelReader(part)
            self._archive.parse_xml(part, reader)
            reader.finish()
            self._parts[key] = reader
        return self._parts[key]

    def resolve(self, ref: _Reference) -> _Object:
        obj = self.load(ref.part).objects.get(ref.object_id)
        if obj is None:
            raise _malformed(f"The 3MF refers to object {ref.object_id}, which does not exist.")
        return obj

    def expansion(self, ref: _Reference, depth: int) -> tuple[int, int]:
        """(instances, triangles + vertices) this reference expands to.

        Memoised per object, so even a bomb of a billion instances is counted in a few steps.
        """
        key = (ref.part.casefold(), ref.object_id)
        if key not in self._expansions:
            if depth > _MAX_NESTING:
                raise _malformed("The 3MF components nest too deeply or refer to themselves.")
            obj = self.resolve(ref)
            instances, elements = 1, len(obj.indices) // 3 + len(obj.vertices) // 3
            for child in obj.components:
                child_instances, child_elements = self.expansion(child, depth + 1)
                instances += child_instances
                elements += child_elements
            self._expansions[key] = (instances, elements)
        return self._expansions[key]

    def instances(self, ref: _Reference, outer: Transform) -> list[tuple[_Object, Transform]]:
        """Every object this reference places, with its world transform (call `expansion` first)."""
        obj = self.resolve(ref)
        transform = _compose(ref.transform, outer)
        found = [(obj, transform)]
        for child in obj.components:
            found.extend(self.instances(child, transform))
        return found

    @staticmethod
    def measure(obj: _Object) -> tuple[int, float]:
        if obj.measured is None:
            mesh = MeshMeasure()
            mesh.add_indexed(obj.vertices, obj.indices)
            triangles, _, volume = mesh.finish()
            obj.measured = (triangles, volume or 0.0)
        return obj.measured


class _IgnoringTarget:
    def start(self, tag: str, attrib: dict[str, str]) -> None:
        pass


class _RelationshipsReader:
    def __init__(self) -> None:
        self.model_target: str | None = None

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if (
            tag == _RELATIONSHIPS + "Relationship"
            and attrib.get("Type") == _MODEL_RELATIONSHIP
            and self.model_target is None
        ):
            self.model_target = attrib.get("Target")


def _root_model_part(archive: SafeArchive) -> str:
    if archive.has(_ROOT_RELS):
        rels = _RelationshipsReader()
        archive.parse_xml(_ROOT_RELS, rels)
        if rels.model_target:
            target = rels.model_target.lstrip("/")
            if ".." in target.split("/") or "\\" in target or ":" in target:
                raise ModelFileRejected(
                    "unsafe_path", f"The 3MF model relationship points to {target[:80]!r}."
                )
            return target
    return _DEFAULT_MODEL_PART


def _transform(text: str | None) -> Transform:
    if text is None:
        return IDENTITY
    values = [float(v) for v in text.split()]
    if len(values) != 12 or not all(math.isfinite(v) for v in values):
        raise ValueError("a transform is twelve finite numbers")
    return cast(Transform, tuple(values))


def _compose(inner: Transform, outer: Transform) -> Transform:
    """The transform that applies `inner`, then `outer` (row vectors: p·A1·A2 + t1·A2 + t2)."""
    if inner == IDENTITY:
        return outer
    if outer == IDENTITY:
        return inner
    a = inner
    b = outer
    rows = [
        (
            a[0] * b[0] + a[1] * b[3] + a[2] * b[6],
            a[0] * b[1] + a[1] * b[4] + a[2] * b[7],
            a[0] * b[2] + a[1] * b[5] + a[2] * b[8],
        ),
        (
            a[3] * b[0] + a[4] * b[3] + a[5] * b[6],
            a[3] * b[1] + a[4] * b[4] + a[5] * b[7],
            a[3] * b[2] + a[4] * b[5] + a[5] * b[8],
        ),
        (
            a[6] * b[0] + a[7] * b[3] + a[8] * b[6],
            a[6] * b[1] + a[7] * b[4] + a[8] * b[7],
            a[6] * b[2] + a[7] * b[5] + a[8] * b[8],
        ),
        (
            a[9] * b[0] + a[10] * b[3] + a[11] * b[6] + b[9],
            a[9] * b[1] + a[10] * b[4] + a[11] * b[7] + b[10],
            a[9] * b[2] + a[10] * b[5] + a[11] * b[8] + b[11],
        ),
    ]
    return (*rows[0], *rows[1], *rows[2], *rows[3])


def _determinant(t: Transform) -> float:
    return (
        t[0] * (t[4] * t[8] - t[5] * t[7])
        - t[1] * (t[3] * t[8] - t[5] * t[6])
        + t[2] * (t[3] * t[7] - t[4] * t[6])
    )


def _extend_bounds(low: list[float], high: list[float], vertices: array[float], t: Transform) -> None:
    if not vertices:
        return
    xs, ys, zs = vertices[0::3], vertices[1::3], vertices[2::3]
    if t[:9] != IDENTITY[:9]:
        points = list(zip(xs, ys, zs, strict=True))
        xs = array("d", (x * t[0] + y * t[3] + z * t[6] for x, y, z in points))
        ys = array("d", (x * t[1] + y * t[4] + z * t[7] for x, y, z in points))
        zs = array("d", (x * t[2] + y * t[5] + z * t[8] for x, y, z in points))
    for axis, values in enumerate((xs, ys, zs)):
        low[axis] = min(low[axis], min(values) + t[9 + axis])
        high[axis] = max(high[axis], max(values) + t[9 + axis])


def _malformed(message: str) -> ModelFileRejected:
    return ModelFileRejected("malformed", message)
