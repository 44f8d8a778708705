"""Model-file inspection: every sample is generated (see fixtures/model_samples.py)."""

from __future__ import annotations

import io
import pickle
import struct
import zipfile
from typing import Any

import pytest
from PIL import Image

from orders.modelfiles import (
    ArchiveLimits,
    ModelFileInfo,
    ModelFileRejected,
    inspect_model_file,
    safe_display_name,
)
from orders.tests.fixtures.model_samples import (
    CORE,
    CUBE_BOX,
    MB,
    OBJ_CUBE,
    STEP,
    ascii_stl,
    binary_stl,
    cube_mesh_xml,
    cube_model,
    cube_triangles,
    iges,
    model_xml,
    package,
)


def inspect(data: bytes, filename: str, max_bytes: int = 64 * MB, **kwargs: ArchiveLimits) -> ModelFileInfo:
    return inspect_model_file(io.BytesIO(data), filename=filename, max_bytes=max_bytes, **kwargs)


def rejection(data: bytes, filename: str, max_bytes: int = 64 * MB, **kwargs: ArchiveLimits) -> str:
    with pytest.raises(ModelFileRejected) as caught:
        inspect(data, filename, max_bytes, **kwargs)
    assert caught.value.message  # every refusal explains itself
    return caught.value.code


# --- accepted files --------------------------------------------------------------------------


def test_ascii_stl_cube_has_exact_box_and_volume() -> None:
    data = ascii_stl(cube_triangles())

    info = inspect(data, "cube.stl")

    assert info == ModelFileInfo(
        format="stl_ascii", size=len(data), triangles=12, bbox=CUBE_BOX, volume_mm3=1000.0, units=None
    )


def test_binary_stl_cube_has_exact_box_and_volume() -> None:
    data = binary_stl(cube_triangles())

    info = inspect(data, "CUBE.STL")

    assert info == ModelFileInfo(
        format="stl_binary", size=84 + 12 * 50, triangles=12, bbox=CUBE_BOX, volume_mm3=1000.0, units=None
    )


def test_binary_stl_whose_header_says_solid_is_read_as_binary() -> None:
    data = binary_stl(cube_triangles(), header=b"solid cube exported by a CAD tool that writes ASCII headers")

    info = inspect(data, "cube.stl")

    assert (info.format, info.triangles, info.volume_mm3) == ("stl_binary", 12, 1000.0)


def test_binary_stl_spanning_several_batches_sums_every_triangle() -> None:
    # 683 cubes, 20 mm apart: 8196 triangles, i.e. two full batches of 4096 and a remainder of 4.
    triangles = [t for i in range(683) for t in cube_triangles(offset=(20.0 * i, 0.0, 0.0))]

    info = inspect(binary_stl(triangles), "rack.stl")

    assert info.triangles == 8196
    assert info.bbox == ((0.0, 0.0, 0.0), (20.0 * 682 + 10.0, 10.0, 10.0))
    assert info.volume_mm3 == 683_000.0


def test_ascii_stl_with_two_solids_and_windows_line_endings() -> None:
    first = ascii_stl(cube_triangles(), "a")
    second = ascii_stl(cube_triangles(offset=(0.0, 0.0, 10.0)), "b")
    data = (first + second).replace(b"\n", b"\r\n")

    info = inspect(data, "stack.stl")

    assert (info.triangles, info.bbox, info.volume_mm3) == (24, ((0.0, 0.0, 0.0), (10.0, 10.0, 20.0)), 2000.0)


def test_3mf_cube_in_millimetres() -> None:
    data = package(cube_model("millimeter"))

    info = inspect(data, "cube.3mf")

    assert info == ModelFileInfo(
        format="3mf", size=len(data), triangles=12, bbox=CUBE_BOX, volume_mm3=1000.0, units="millimeter"
    )


def test_3mf_cube_in_inches_is_converted_to_millimetres() -> None:
    data = package(cube_model("inch", size=1.0))

    info = inspect(data, "cube.3mf")

    assert info.units == "inch"
    assert info.bbox == ((0.0, 0.0, 0.0), (25.4, 25.4, 25.4))
    assert info.volume_mm3 == pytest.approx(16387.064, rel=1e-12)  # 25.4³


def test_3mf_build_items_apply_transforms_and_a_mirror_adds_volume() -> None:
    model = model_xml(
        f'<object id="1" type="model">{cube_mesh_xml(10)}</object>',
        '<item objectid="1"/><item objectid="1" transform="-1 0 0 0 1 0 0 0 1 30 0 0"/>',
    )

    info = inspect(package(model), "pair.3mf")

    assert (info.triangles, info.bbox, info.volume_mm3) == (24, ((0.0, 0.0, 0.0), (30.0, 10.0, 10.0)), 2000.0)


def test_3mf_components_in_another_part_are_followed() -> None:
    part = model_xml(f'<object id="7" type="model">{cube_mesh_xml(10)}</object>', "")
    root = model_xml(
        '<object id="1" type="model"><components>'
        '<component p:path="/3D/Objects/cube.model" objectid="7" transform="1 0 0 0 1 0 0 0 1 0 0 5"/>'
        "</components></object>",
        '<item objectid="1" transform="2 0 0 0 2 0 0 0 2 0 0 0"/>',
    )

    info = inspect(package(root, [("3D/Objects/cube.model", part.encode())]), "assembly.3mf")

    assert (info.triangles, info.bbox, info.volume_mm3) == (
        12,
        ((0.0, 0.0, 10.0), (20.0, 20.0, 30.0)),
        8000.0,
    )


def test_minimal_step_is_recognised_with_its_unit() -> None:
    info = inspect(STEP, "bracket.stp")

    assert info == ModelFileInfo(
        format="step", size=len(STEP), triangles=None, bbox=None, volume_mm3=None, units="millimeter"
    )


def test_minimal_iges_is_recognised_with_its_unit() -> None:
    data = iges()

    info = inspect(data, "bracket.IGS")

    assert info == ModelFileInfo(
        format="iges", size=len(data), triangles=None, bbox=None, volume_mm3=None, units="millimeter"
    )


def test_obj_cube_with_quads_and_negative_indices() -> None:
    info = inspect(OBJ_CUBE, "cube.obj")

    assert info == ModelFileInfo(
        format="obj", size=len(OBJ_CUBE), triangles=12, bbox=CUBE_BOX, volume_mm3=1000.0, units=None
    )


# --- hostile and broken files ----------------------------------------------------------------


def test_file_over_the_limit_is_too_large() -> None:
    assert rejection(binary_stl(cube_triangles()), "cube.stl", max_bytes=683) == "too_large"


class TrickleStream(io.RawIOBase):
    """A non-seekable upload of endless bytes that records how much was asked of it."""

    def __init__(self) -> None:
        self.served = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        assert size > 0, "an unbounded read was attempted"
        self.served += size
        return b"\0" * size


def test_endless_stream_is_refused_after_reading_one_byte_past_the_limit() -> None:
    stream = TrickleStream()

    with pytest.raises(ModelFileRejected) as caught:
        inspect_model_file(stream, filename="endless.stl", max_bytes=3 * MB)  # type: ignore[arg-type]

    assert caught.value.code == "too_large"
    assert stream.served == 3 * MB + 1


def test_png_renamed_stl_is_unknown_format() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(buffer, "PNG")

    with pytest.raises(ModelFileRejected) as caught:
        inspect(buffer.getvalue(), "cube.stl")

    assert caught.value.code == "unknown_format"
    assert "PNG image" in caught.value.message


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
        b"MZ\x90\x00\x03\x00\x00\x00" + bytes(range(256)) * 4,
        b"\x7fELF\x02\x01\x01" + bytes(200),
        b"Dear customer, here is my part.\nRegards\n",
        b"solid waste collection:\nMonday paper, Tuesday glass\n",
        bytes(range(256)) * 64,
    ],
    ids=["pdf", "windows-exe", "elf", "plain-text", "text-starting-with-solid", "random-binary"],
)
def test_other_content_renamed_stl_is_unknown_format(data: bytes) -> None:
    assert rejection(data, "part.stl") == "unknown_format"


def test_zip_that_is_not_a_3mf_is_unknown_format() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("word/document.xml", "<document/>")

    assert rejection(buffer.getvalue(), "part.3mf") == "unknown_format"


def test_binary_garbage_renamed_obj_is_unknown_format() -> None:
    assert rejection(b"v 1 2 3\n\x00\x01\x02\xff garbage", "cube.obj") == "unknown_format"


def test_truncated_binary_stl_is_truncated() -> None:
    data = binary_stl(cube_triangles())[:-10]

    assert rejection(data, "cube.stl") == "truncated"


def test_truncated_binary_stl_with_solid_header_is_truncated_not_ascii() -> None:
    data = binary_stl(cube_triangles(), header=b"solid cube")[:-70]

    assert rejection(data, "cube.stl") == "truncated"


def test_ascii_stl_without_endsolid_is_truncated() -> None:
    assert rejection(ascii_stl(cube_triangles(), end=False), "cube.stl") == "truncated"


def test_ascii_stl_cut_inside_a_facet_is_truncated() -> None:
    data = ascii_stl(cube_triangles())

    assert rejection(data[: len(data) // 2], "cube.stl") == "truncated"


def test_ascii_stl_cut_inside_its_first_facet_is_truncated() -> None:
    assert (
        rejection(b"solid cube\n  facet normal 0 0 -1\n    outer loop\n      vertex 0 0", "cube.stl")
        == "truncated"
    )


def test_ascii_stl_with_text_between_facets_is_malformed() -> None:
    data = ascii_stl(cube_triangles()).replace(b"  endfacet\n", b"  endfacet\n  hello\n", 1)

    assert rejection(data, "cube.stl") == "malformed"


def test_step_without_its_end_line_is_truncated() -> None:
    assert rejection(STEP.replace(b"END-ISO-10303-21;\n", b""), "part.step") == "truncated"


def test_step_without_a_data_section_is_malformed() -> None:
    data = STEP.replace(b"DATA;", b"").replace(b"ENDSEC;\nEND-ISO", b"END-ISO")

    assert rejection(data, "part.step") == "malformed"


def test_iges_without_terminate_section_is_truncated() -> None:
    assert rejection(iges(terminate=False), "part.igs") == "truncated"


def test_stl_with_a_nan_coordinate_is_malformed() -> None:
    triangles = cube_triangles()
    triangles[5] = ((float("nan"), 0.0, 0.0), triangles[5][1], triangles[5][2])

    assert rejection(binary_stl(triangles), "cube.stl") == "malformed"


def test_obj_face_naming_a_missing_vertex_is_malformed() -> None:
    assert rejection(OBJ_CUBE + b"f 1 2 99\n", "cube.obj") == "malformed"


def test_zip_bomb_of_one_highly_compressible_entry_is_refused() -> None:
    data = package(cube_model(), [("Metadata/padding.xml", b"\0" * (50 * MB))])
    assert len(data) < 100 * 1024  # the archive itself is small

    assert rejection(data, "cube.3mf") == "archive_bomb"


def test_archive_over_the_total_uncompressed_limit_is_refused() -> None:
    data = package(cube_model(), compression=zipfile.ZIP_STORED)

    assert (
        rejection(data, "cube.3mf", archive_limits=ArchiveLimits(max_total_uncompressed=1000))
        == "archive_bomb"
    )


def test_archive_with_too_many_entries_is_refused() -> None:
    data = package(cube_model(), [(f"Metadata/{i}.txt", b"x") for i in range(300)])

    assert rejection(data, "cube.3mf") == "archive_bomb"


def test_archive_inside_the_3mf_is_refused() -> None:
    inner = package(cube_model())

    assert rejection(package(cube_model(), [("Metadata/thumbnail.png", inner)]), "cube.3mf") == "archive_bomb"


def test_entry_whose_header_understates_its_size_is_not_read_past_it() -> None:
    data = bytearray(package(cube_model()))
    # Forge the model entry's uncompressed size, in both local and central headers, down to 100 bytes.
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("3D/3dmodel.model")
    real = struct.pack("<I", info.file_size)
    assert data.count(real) == 2
    data = bytearray(bytes(data).replace(real, struct.pack("<I", 100)))

    assert rejection(bytes(data), "cube.3mf") == "malformed"


def test_component_instancing_bomb_is_refused() -> None:
    # Object n holds ten copies of object n-1, seven levels deep: ten million cubes.
    objects = [f'<object id="1" type="model">{cube_mesh_xml(1)}</object>']
    for n in range(2, 9):
        copies = "".join(f'<component objectid="{n - 1}"/>' for _ in range(10))
        objects.append(f'<object id="{n}" type="model"><components>{copies}</components></object>')
    model = model_xml("".join(objects), '<item objectid="8"/>')

    assert rejection(package(model), "bomb.3mf") == "archive_bomb"


def test_component_bomb_of_empty_objects_is_refused() -> None:
    # No geometry at all, but a million placements to walk: counted, not walked.
    objects = ['<object id="1" type="model"><components></components></object>']
    for n in range(2, 8):
        copies = "".join(f'<component objectid="{n - 1}"/>' for _ in range(10))
        objects.append(f'<object id="{n}" type="model"><components>{copies}</components></object>')
    model = model_xml("".join(objects), '<item objectid="7"/>')

    assert rejection(package(model), "bomb.3mf") == "archive_bomb"


def test_components_that_refer_to_themselves_are_malformed() -> None:
    model = model_xml(
        '<object id="1" type="model"><components><component objectid="1"/></components></object>',
        '<item objectid="1"/>',
    )

    assert rejection(package(model), "loop.3mf") == "malformed"


@pytest.mark.parametrize(
    "name",
    ["../evil.model", "3D/../../evil", "/etc/passwd", "C:/Windows/evil.dll", "3D\\evil.model", "3D/\x1b[2Jx"],
)
def test_archive_entry_with_a_path_trick_is_unsafe(name: str) -> None:
    assert rejection(package(cube_model(), [(name, b"x")]), "cube.3mf") == "unsafe_path"


def test_archive_entry_with_a_nul_in_its_stored_name_is_unsafe() -> None:
    # zipfile refuses to write a NUL, so patch it into both headers afterwards.
    data = package(cube_model(), [("3D/evil.stl#.png", b"x")]).replace(b"evil.stl#", b"evil.stl\0")

    assert rejection(data, "cube.3mf") == "unsafe_path"


def test_symlink_entry_is_unsafe() -> None:
    link = zipfile.ZipInfo("3D/texture.png")
    link.external_attr = 0o120777 << 16  # S_IFLNK | rwxrwxrwx

    assert rejection(package(cube_model(), [(link, b"/etc/passwd")]), "cube.3mf") == "unsafe_path"


def test_entry_names_that_collide_ignoring_case_are_unsafe() -> None:
    assert rejection(package(cube_model(), [("3D/3DMODEL.model", b"<x/>")]), "cube.3mf") == "unsafe_path"


def test_3mf_with_entity_expansion_is_malformed() -> None:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE model [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        f'<model unit="millimeter" xmlns="{CORE}"><metadata name="Title">&lol2;</metadata></model>'
    )

    assert rejection(package(laughs), "laughs.3mf") == "malformed"


def test_3mf_hiding_a_doctype_in_utf16_is_malformed() -> None:
    model = (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE model SYSTEM "file:///etc/passwd">'
        + cube_model()[38:]
    )

    assert rejection(package(model.encode("utf-16")), "cube.3mf") == "malformed"


def test_3mf_with_broken_xml_is_malformed() -> None:
    assert rejection(package(cube_model()[:-20]), "cube.3mf") == "malformed"


def test_3mf_triangle_naming_a_missing_vertex_is_malformed() -> None:
    assert rejection(package(cube_model().replace('v3="6"', 'v3="60"', 1)), "cube.3mf") == "malformed"


def test_zero_bytes_is_empty() -> None:
    assert rejection(b"", "cube.stl") == "empty"


def test_binary_stl_with_no_triangles_is_empty() -> None:
    assert rejection(binary_stl([]), "cube.stl") == "empty"


def test_ascii_stl_with_no_facets_is_empty() -> None:
    assert rejection(b"solid nothing\nendsolid nothing\n", "cube.stl") == "empty"


def test_3mf_with_an_empty_build_is_empty() -> None:
    model = model_xml(f'<object id="1" type="model">{cube_mesh_xml(10)}</object>', "")

    assert rejection(package(model), "cube.3mf") == "empty"


@pytest.mark.parametrize(
    ("data", "filename", "suggested"),
    [
        (ascii_stl(cube_triangles()), "bracket.step", "'.stl'"),
        (STEP, "bracket.stl", "'.step'"),
        (package(cube_model()), "cube.zip", "'.3mf'"),
        (OBJ_CUBE, "cube", "'.obj'"),
    ],
)
def test_content_and_extension_that_disagree_are_refused(data: bytes, filename: str, suggested: str) -> None:
    with pytest.raises(ModelFileRejected) as caught:
        inspect(data, filename)

    assert caught.value.code == "extension_mismatch"
    assert suggested in caught.value.message


# --- display names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("bracket.stl", "bracket.stl"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ana\\Desktop\\Bracket v2.STL", "Bracket v2.STL"),
        ("C:bracket.stl", "bracket.stl"),
        ("\u202eltsmodel.exe", "ltsmodel.exe"),
        ("bad\x00name\r\n.stl", "badname.stl"),
        ("  spaced   out  .step. . ", "spaced out.step"),
        ("CON.stl", "_CON.stl"),
        ("..", "unnamed"),
        (".stl", "unnamed.stl"),
        ('what?<is>"this".obj', "what__is__this_.obj"),
        ("Ünïcödé part.3mf", "Ünïcödé part.3mf"),
        ("a" * 300 + ".stl", "a" * 116 + ".stl"),
    ],
)
def test_safe_display_name(raw: str, shown: str) -> None:
    assert safe_display_name(raw) == shown


def test_rejection_survives_pickling_and_reads_as_its_message() -> None:
    error = ModelFileRejected("truncated", "This STL file is incomplete.")

    copy = roundtrip(error)

    assert (copy.code, copy.message, str(copy)) == (
        "truncated",
        "This STL file is incomplete.",
        "This STL file is incomplete.",
    )


def roundtrip(value: object) -> Any:
    return pickle.loads(pickle.dumps(value))  # noqa: S301 - our own object, as a task queue would carry it
