"""Small media files built in code for the chat tests: valid ones of every accepted kind and
hostile ones. Each builder shows what the bytes are, so nobody has to open a fixture."""

from __future__ import annotations

import io
import struct
import wave
import zlib

from PIL import ExifTags, Image
from PIL.PngImagePlugin import PngInfo

from orders.samples import ascii_stl, binary_stl, cube_triangles

MB = 1024 * 1024
GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (22.0, 32.0, 42.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (113.0, 56.0, 7.0),
}


def picture(size: tuple[int, int] = (40, 30), mode: str = "RGB") -> Image.Image:
    image = Image.new(mode, size, (200, 40, 40) if mode == "RGB" else (200, 40, 40, 128))
    for x in range(size[0] // 2):
        image.putpixel((x, size[1] // 2), (0, 90, 170) if mode == "RGB" else (0, 90, 170, 255))
    return image


def with_gps() -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Model X SERIAL-12345"
    exif[ExifTags.Base.GPSInfo] = GPS
    return exif


def png(size: tuple[int, int] = (40, 30), *, gps: bool = False, comment: str = "") -> bytes:
    out = io.BytesIO()
    info = PngInfo()
    if comment:
        info.add_text("Comment", comment)
    kwargs: dict[str, object] = {"pnginfo": info}
    if gps:
        kwargs["exif"] = with_gps()
    picture(size, "RGBA").save(out, format="PNG", **kwargs)
    return out.getvalue()


def jpeg(size: tuple[int, int] = (40, 30), *, gps: bool = False, orientation: int | None = None) -> bytes:
    out = io.BytesIO()
    exif = with_gps() if gps else Image.Exif()
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    picture(size).save(out, format="JPEG", exif=exif.tobytes(), comment=b"secret comment")
    return out.getvalue()


def gif() -> bytes:
    out = io.BytesIO()
    frames = [picture().convert("P"), Image.new("P", (40, 30), 3)]
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


def webp() -> bytes:
    out = io.BytesIO()
    picture().save(out, format="WEBP", lossless=True)
    return out.getvalue()


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG whose header claims 10 billion pixels, in a few dozen bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1024))
        + chunk(b"IEND", b"")
    )


# --- Audio ---------------------------------------------------------------------------------------


def mp3(frames: int = 6, *, id3: bool = True) -> bytes:
    """MPEG-1 Layer III, 128 kbit/s, 44.1 kHz: frames of 417 bytes, after an ID3v2 tag."""
    frame = b"\xff\xfb\x90\x00" + b"\x55" * 413
    tag = b"ID3\x04\x00\x00" + bytes([0, 0, 0, 10]) + b"TIT2\x00\x00\x00\x00\x00\x00" if id3 else b""
    return tag + frame * frames


def adts(frames: int = 5) -> bytes:
    """Raw AAC (ADTS), LC profile, 44.1 kHz, stereo: frames of 100 bytes."""
    length = 100
    header = bytes(
        [0xFF, 0xF1, 0x50, 0x80 | (length >> 11), (length >> 3) & 0xFF, ((length & 7) << 5) | 0x1F, 0xFC]
    )
    return (header + b"\x21" * (length - 7)) * frames


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def trak(handler: bytes) -> bytes:
    hdlr = box(b"hdlr", b"\0" * 4 + b"\0" * 4 + handler + b"\0" * 12 + b"handler\0")
    return box(b"trak", box(b"tkhd", b"\0" * 84) + box(b"mdia", box(b"mdhd", b"\0" * 24) + hdlr))


def mp4(
    *, brand: bytes = b"isom", handlers: tuple[bytes, ...] = (b"vide", b"soun"), media: bytes = b""
) -> bytes:
    ftyp = box(b"ftyp", brand + b"\0\0\2\0" + b"isomiso2mp41")
    moov = box(b"moov", box(b"mvhd", b"\0" * 100) + b"".join(trak(handler) for handler in handlers))
    return ftyp + moov + box(b"mdat", media or bytes(range(256)) * 40)


def m4a() -> bytes:
    return mp4(brand=b"M4A ", handlers=(b"soun",))


def mov() -> bytes:
    return mp4(brand=b"qt  ", handlers=(b"vide",))


def ogg_page(packet: bytes, *, sequence: int, begins: bool = False) -> bytes:
    lacing = [255] * (len(packet) // 255) + [len(packet) % 255]
    header = b"OggS" + bytes([0, 0x02 if begins else 0]) + struct.pack("<qIII", 0, 1234, sequence, 0)
    return header + bytes([len(lacing)]) + bytes(lacing) + packet


def ogg_opus() -> bytes:
    head = b"OpusHead" + bytes([1, 2]) + struct.pack("<HIhB", 312, 48000, 0, 0)
    tags = b"OpusTags" + struct.pack("<I", 4) + b"test" + struct.pack("<I", 0)
    return (
        ogg_page(head, sequence=0, begins=True)
        + ogg_page(tags, sequence=1)
        + ogg_page(b"\xfc" * 600, sequence=2)
    )


def wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(8000)
        writer.writeframes(b"\x00\x01" * 800)
    return out.getvalue()


def ebml(element_id: int, data: bytes) -> bytes:
    id_bytes = element_id.to_bytes((element_id.bit_length() + 7) // 8, "big")
    return id_bytes + b"\x01" + len(data).to_bytes(7, "big") + data


def webm(*, track_types: tuple[int, ...] = (1, 2), doctype: bytes = b"webm") -> bytes:
    header = ebml(0x1A45DFA3, ebml(0x4286, b"\x01") + ebml(0x4282, doctype))
    tracks = ebml(
        0x1654AE6B,
        b"".join(
            ebml(0xAE, ebml(0xD7, bytes([n + 1])) + ebml(0x83, bytes([kind])))
            for n, kind in enumerate(track_types)
        ),
    )
    info = ebml(0x1549A966, ebml(0x2AD7B1, b"\x0f\x42\x40"))
    cluster = ebml(0x1F43B675, ebml(0xE7, b"\x00") + b"\xa3\x81\x00" * 10)
    return header + ebml(0x18538067, info + tracks + cluster)


# --- 3D ------------------------------------------------------------------------------------------


def stl(*, binary: bool = True, size: float = 10.0) -> bytes:
    triangles = cube_triangles(size)
    return binary_stl(triangles) if binary else ascii_stl(triangles)


HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>\n"
