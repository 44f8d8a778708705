"""The small files the demo customers upload: 3D models (ASCII and binary STL, 3MF) and sketches.

A pool of varied files is built once per process and every file is checked by the same
inspectors the uploads go through (orders.modelfiles, chat.uploads), so the rows written
by the bulk path carry exactly the figures (format, size, triangles, box, image size)
that an upload of the same bytes would get. The vault encrypts each stored copy under
its own file key, so equal plaintexts never give equal files.
"""

from __future__ import annotations

import functools
import io
import struct
import zipfile
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw

from orders.modelfiles import ModelFileInfo, inspect_model_file
from orders.samples import Triangle, ascii_stl

MODEL_POOL = 24
IMAGE_POOL = 12


def box_triangles(sx: float, sy: float, sz: float) -> list[Triangle]:
    """Twelve outward-wound triangles of an axis-aligned box from the origin."""

    def p(x: int, y: int, z: int) -> tuple[float, float, float]:
        return (x * sx, y * sy, z * sz)

    quads = [
        (p(0, 0, 0), p(0, 1, 0), p(1, 1, 0), p(1, 0, 0)),
        (p(0, 0, 1), p(1, 0, 1), p(1, 1, 1), p(0, 1, 1)),
        (p(0, 0, 0), p(1, 0, 0), p(1, 0, 1), p(0, 0, 1)),
        (p(0, 1, 0), p(0, 1, 1), p(1, 1, 1), p(1, 1, 0)),
        (p(0, 0, 0), p(0, 0, 1), p(0, 1, 1), p(0, 1, 0)),
        (p(1, 0, 0), p(1, 1, 0), p(1, 1, 1), p(1, 0, 1)),
    ]
    return [tri for a, b, c, d in quads for tri in ((a, b, c), (a, c, d))]


def binary_stl(triangles: list[Triangle], header: bytes) -> bytes:
    records = b"".join(struct.pack("<12fH", 0, 0, 0, *a, *b, *c, 0) for a, b, c in triangles)
    return header.ljust(80, b" ") + struct.pack("<I", len(triangles)) + records


_3MF_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="model" ContentType="application/vnd.ms-package.3dmanufacturing-3dmodel+xml"/>'
    "</Types>"
)
_3MF_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Target="/3D/3dmodel.model" Id="rel0" '
    'Type="http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel"/>'
    "</Relationships>"
)


def three_mf(sx: float, sy: float, sz: float) -> bytes:
    """A 3MF package holding one box, in millimetres."""
    corners = [(x, y, z) for z in (0.0, sz) for y in (0.0, sy) for x in (0.0, sx)]
    index = {corner: n for n, corner in enumerate(corners)}
    vertices = "".join(f'<vertex x="{x:g}" y="{y:g}" z="{z:g}"/>' for x, y, z in corners)
    triangles = "".join(
        '<triangle v1="{}" v2="{}" v3="{}"/>'.format(*(index[p] for p in tri))
        for tri in box_triangles(sx, sy, sz)
    )
    model = (
        '<?xml version="1.0" encoding="UTF-8"?><model unit="millimeter" xml:lang="en-US" '
        'xmlns="http://schemas.microsoft.com/3dmanufacturing/core/2015/02"><resources>'
        f'<object id="1" type="model"><mesh><vertices>{vertices}</vertices><triangles>{triangles}'
        '</triangles></mesh></object></resources><build><item objectid="1"/></build></model>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _3MF_TYPES)
        archive.writestr("_rels/.rels", _3MF_RELS)
        archive.writestr("3D/3dmodel.model", model)
    return buffer.getvalue()


PART_NAMES = (
    "bracket",
    "enclosure-lid",
    "spacer",
    "gear-housing",
    "mount-plate",
    "hinge",
    "sensor-cover",
    "fixture",
    "heat-sink",
    "knob",
    "clip",
    "adapter",
)


@dataclass(frozen=True)
class ModelSample:
    name: str
    data: bytes
    info: ModelFileInfo


@dataclass(frozen=True)
class ImageSample:
    name: str
    data: bytes  # as uploaded; the chat re-encodes it (`checked.data`)
    checked: Any  # chat.uploads.CheckedUpload


def _model(n: int) -> ModelSample:
    sx, sy, sz = 5.0 + 7 * (n % 5), 8.0 + 3 * (n % 7), 2.0 + 4 * (n % 3)
    base = PART_NAMES[n % len(PART_NAMES)]
    kind = n % 3
    if kind == 0:
        name, data = f"{base}-v{n // 3 + 1}.stl", ascii_stl(box_triangles(sx, sy, sz), name=base)
    elif kind == 1:
        name, data = f"{base}.stl", binary_stl(box_triangles(sx, sy, sz), header=f"{base} rev {n}".encode())
    else:
        name, data = f"{base}.3mf", three_mf(sx, sy, sz)
    info = inspect_model_file(io.BytesIO(data), filename=name, max_bytes=1 << 20)
    return ModelSample(name, data, info)


def _image(n: int) -> ImageSample:
    from django.core.files import File

    from chat.actions import check_upload

    width, height = 160 + 16 * (n % 6), 100 + 12 * (n % 5)
    colour = ("#0b5cad", "#ad3b0b", "#2e7d32", "#6a1b9a", "#37474f", "#c62828")[n % 6]
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((10 + n % 20, 10, width - 20, height - 30 + n % 10), outline=colour, width=3)
    draw.ellipse(
        (width // 2 - 12, height // 2 - 12, width // 2 + 12, height // 2 + 12), outline=colour, width=2
    )
    draw.text((14, height - 22), f"{40 + 5 * n} mm", fill="#55606e")
    out = io.BytesIO()
    image.save(out, format="PNG")
    data = out.getvalue()
    name = f"sketch {n + 1}.png"
    checked = check_upload(File(io.BytesIO(data), name=name))
    return ImageSample(name, data, checked)


@functools.cache
def model_samples() -> tuple[ModelSample, ...]:
    return tuple(_model(n) for n in range(MODEL_POOL))


@functools.cache
def image_samples() -> tuple[ImageSample, ...]:
    return tuple(_image(n) for n in range(IMAGE_POOL))


@functools.cache
def chat_model_checks() -> tuple[Any, ...]:
    """The chat's own check of each 3D sample (a 3D file sent in the chat is stored as uploaded)."""
    from django.core.files import File

    from chat.actions import check_upload

    return tuple(check_upload(File(io.BytesIO(s.data), name=s.name)) for s in model_samples())
