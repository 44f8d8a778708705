"""Chat uploads are judged by their bytes, never their name (C5), and images keep only their pixels."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from chat.tests import media_samples as samples
from chat.uploads import AttachmentRejected, CheckedUpload, inspect_upload
from orders.tests.fixtures.model_samples import cube_model, package

LIMITS = {
    "image": 20 * samples.MB,
    "audio": 50 * samples.MB,
    "video": 200 * samples.MB,
    "model3d": 100 * samples.MB,
}
PIXELS = 89_478_485


def check(
    data: bytes, name: str, *, limits: dict[str, int] | None = None, pixels: int = PIXELS
) -> CheckedUpload:
    return inspect_upload(
        io.BytesIO(data), filename=name, max_bytes=limits or LIMITS, max_image_pixels=pixels
    )


def refusal(data: bytes, name: str, **kwargs: object) -> tuple[str, str]:
    with pytest.raises(AttachmentRejected) as raised:
        check(data, name, **kwargs)  # type: ignore[arg-type]
    return raised.value.code, raised.value.message


@pytest.mark.commitment("C5")
@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (samples.png(), "part.png", ("image", "png", "image/png", "part.png")),
        (samples.jpeg(), "photo.jpeg", ("image", "jpeg", "image/jpeg", "photo.jpeg")),
        (samples.gif(), "anim.gif", ("image", "png", "image/png", "anim.png")),
        (samples.webp(), "shot.webp", ("image", "png", "image/png", "shot.png")),
        (samples.mp3(), "voice.mp3", ("audio", "mp3", "audio/mpeg", "voice.mp3")),
        (samples.mp3(id3=False), "raw.mp3", ("audio", "mp3", "audio/mpeg", "raw.mp3")),
        (samples.adts(), "clip.aac", ("audio", "aac", "audio/aac", "clip.aac")),
        (samples.m4a(), "memo.m4a", ("audio", "m4a", "audio/mp4", "memo.m4a")),
        (samples.ogg_opus(), "note.ogg", ("audio", "ogg_opus", "audio/ogg", "note.opus")),
        (samples.wav(), "beep.wav", ("audio", "wav", "audio/wav", "beep.wav")),
        (samples.webm(track_types=(2,)), "recording.webm", ("audio", "webm", "audio/webm", "recording.webm")),
        (samples.mp4(), "demo.mp4", ("video", "mp4", "video/mp4", "demo.mp4")),
        (samples.mov(), "IMG_0001.MOV", ("video", "mov", "video/quicktime", "IMG_0001.MOV")),
        (samples.webm(), "screen.webm", ("video", "webm", "video/webm", "screen.webm")),
        (samples.stl(), "cube.stl", ("model3d", "stl_binary", "model/stl", "cube.stl")),
        (samples.stl(binary=False), "cube.stl", ("model3d", "stl_ascii", "model/stl", "cube.stl")),
        (package(cube_model()), "cube.3mf", ("model3d", "3mf", "application/octet-stream", "cube.3mf")),
    ],
)
def test_each_accepted_kind_is_recognised_by_its_content(
    data: bytes, name: str, expected: tuple[str, str, str, str]
) -> None:
    checked = check(data, name)
    assert (checked.kind, checked.format, checked.content_type, checked.display_name) == expected


@pytest.mark.commitment("C5")
@pytest.mark.parametrize(
    ("data", "name", "expected_name", "kind"),
    [
        (samples.png(), "drawing.jpg", "drawing.png", "image"),  # a PNG with a wrong extension is fine
        (samples.png(), "noextension", "noextension.png", "image"),
        (samples.mp3(), "song.html", "song.mp3", "audio"),  # never downloaded as a web page
        (samples.mp4(), "movie.exe", "movie.mp4", "video"),
    ],
)
def test_the_name_decides_nothing_and_gets_the_extension_of_the_content(
    data: bytes, name: str, expected_name: str, kind: str
) -> None:
    checked = check(data, name)
    assert (checked.kind, checked.display_name) == (kind, expected_name)


@pytest.mark.commitment("C5")
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.png", "passwd.png"),
        ("..\\..\\Windows\\system32\\evil.png", "evil.png"),
        ("C:\\Users\\ada\\Desktop\\plan.png", "plan.png"),
        ("holiday\u202egnp.exe", "holidaygnp.png"),  # the right-to-left override is dropped
        ("CON.png", "_CON.png"),
        ("", "unnamed.png"),
    ],
)
def test_path_tricks_in_names_leave_only_a_safe_display_name(name: str, expected: str) -> None:
    assert check(samples.png(), name).display_name == expected


@pytest.mark.commitment("C5", "C37")
def test_exif_gps_and_camera_data_are_stripped_from_a_jpeg() -> None:
    original = samples.jpeg(gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the upload does carry GPS

    checked = check(original, "site visit.jpg")

    assert checked.data is not None
    stored = Image.open(io.BytesIO(checked.data))
    assert (stored.format, stored.size) == ("JPEG", (40, 30))
    assert dict(stored.getexif()) == {}
    assert b"Exif" not in checked.data
    assert b"PhoneMaker" not in checked.data
    assert b"SERIAL-12345" not in checked.data
    assert b"secret comment" not in checked.data
    assert "comment" not in stored.info


@pytest.mark.commitment("C5", "C37")
def test_exif_gps_and_text_chunks_are_stripped_from_a_png() -> None:
    original = samples.png(gps=True, comment="made at 1 Secret Lane")
    assert b"eXIf" in original
    assert b"Secret Lane" in original

    checked = check(original, "map.png")

    assert checked.data is not None
    stored = Image.open(io.BytesIO(checked.data))
    assert (stored.format, stored.mode, stored.size) == ("PNG", "RGBA", (40, 30))
    assert dict(stored.getexif()) == {}
    assert b"eXIf" not in checked.data
    assert b"Secret Lane" not in checked.data
    assert b"PhoneMaker" not in checked.data


def test_a_photo_is_turned_upright_before_its_orientation_tag_is_dropped() -> None:
    checked = check(samples.jpeg((40, 30), orientation=6), "portrait.jpg")  # 6: rotate 90° clockwise
    assert (checked.width, checked.height) == (30, 40)


def test_an_animated_gif_keeps_its_first_frame() -> None:
    checked = check(samples.gif(), "anim.gif")
    assert checked.data is not None
    assert getattr(Image.open(io.BytesIO(checked.data)), "n_frames", 1) == 1


@pytest.mark.commitment("C5")
def test_a_decompression_bomb_is_refused_before_it_is_decoded() -> None:
    bomb = samples.png_bomb()
    assert len(bomb) < 200

    code, message = refusal(bomb, "tiny.png")

    assert code == "image_too_large"
    assert "at most 89,478,485 pixels" in message


def test_an_image_over_a_lower_pixel_limit_is_refused_with_its_size() -> None:
    assert refusal(samples.png((40, 30)), "big.png", pixels=1000) == (
        "image_too_large",
        "This image is too large to open safely (40 × 30): at most 1,000 pixels. Send a smaller version.",
    )


@pytest.mark.commitment("C5")
@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (samples.HTML, "cat.png", "unknown_type"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"\x00\x01" * 100, "invoice.pdf", "unknown_type"),
        (b"MZ\x90\x00" + b"\x00" * 200, "setup.mp4", "unknown_type"),
        (b"", "empty.png", "empty"),
        (samples.png()[:60], "cut.png", "malformed"),
        (b"\x89PNG\r\n\x1a\n" + b"<script>alert(1)</script>" * 4, "fake.png", "malformed"),
        (samples.mp4()[:-100], "cut.mp4", "malformed"),
        (b"\x00\x00\x00\x18ftypisom" + b"\x00" * 8, "nomoov.mp4", "malformed"),
        (samples.mp4(handlers=(b"text",)), "subtitles.mp4", "malformed"),
        (samples.mp3(frames=1) + b"<html>" * 80, "glued.mp3", "malformed"),
        (samples.ogg_opus()[:-10], "cut.ogg", "malformed"),
        (samples.wav()[:-100], "cut.wav", "malformed"),
        (samples.webm(doctype=b"matroska"), "film.mkv", "unsupported_codec"),
        (samples.webm(track_types=()), "empty.webm", "malformed"),
        (samples.stl()[:-20], "cube.stl", "truncated"),
        (
            package(cube_model(), [("Metadata/padding.xml", b"\0" * (50 * samples.MB))]),
            "bomb.3mf",
            "archive_bomb",
        ),
        (package(cube_model(), [("../../evil.txt", b"x")]), "cube.3mf", "unsafe_path"),
    ],
)
def test_hostile_and_broken_uploads_are_refused_with_a_stable_code(data: bytes, name: str, code: str) -> None:
    assert refusal(data, name)[0] == code


def test_the_html_file_gets_the_message_that_lists_what_we_take() -> None:
    assert refusal(samples.HTML, "cat.png") == (
        "unknown_type",
        "This file is not one we accept. Send images (PNG, JPEG, GIF, WebP), audio (MP3, M4A, AAC, Ogg, "
        "WAV), video (MP4, MOV, WebM) or 3D files (STEP, STL, IGES, OBJ, 3MF).",
    )


@pytest.mark.parametrize(
    ("data", "name", "limits", "message"),
    [
        (samples.png(), "a.png", {"image": 100}, "This file is larger than the 100 bytes limit for images."),
        (
            samples.mp3(),
            "a.mp3",
            {"audio": 200},
            "This file is larger than the 200 bytes limit for audio files.",
        ),
        (
            samples.mp4(),
            "a.mp4",
            {"video": 1000},
            "This file is larger than the 1000 bytes limit for videos.",
        ),
        (
            samples.stl(),
            "a.stl",
            {"model3d": 300},
            "This file is larger than the 300 bytes limit for 3D files.",
        ),
        (
            samples.mp4(),
            "a.mp4",
            {"audio": 200, "video": 200},
            "This file is larger than the 200 bytes limit.",
        ),
    ],
)
def test_each_kind_has_its_own_size_limit(
    data: bytes, name: str, limits: dict[str, int], message: str
) -> None:
    assert refusal(data, name, limits={**LIMITS, **limits}) == ("too_large", message)


def test_a_video_may_be_larger_than_the_audio_limit() -> None:
    limits = {"image": 100, "audio": 200, "video": 20_000, "model3d": 300}
    assert check(samples.mp4(), "a.mp4", limits=limits).kind == "video"
