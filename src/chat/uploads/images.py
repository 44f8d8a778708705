"""Images: decoded with Pillow and re-encoded, so that only pixels reach the store.

A photo carries more than its picture: EXIF (GPS position, camera serial, time), XMP,
IPTC, ICC profiles, comments, thumbnails of the uncropped original, and in the worst case
bytes that another program reads as HTML or a script (a polyglot). Re-encoding keeps the
pixels and drops everything else. JPEG stays JPEG (a photo as PNG would be several times
larger); every other format becomes PNG (lossless, keeps transparency). An animated GIF or
WebP keeps its first frame. The EXIF orientation is applied to the pixels before the EXIF
is dropped, so that a portrait photo stays upright.

Decompression bombs: the dimensions are read from the header and refused above
`max_pixels` (Image.MAX_IMAGE_PIXELS by default) before any pixel is decoded; Pillow's own
bomb check is turned from a warning into a refusal as a second line.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Literal

from PIL import Image, ImageOps

from chat.uploads.result import AttachmentRejected

SourceFormat = Literal["png", "jpeg", "gif", "webp"]
_PIL_FORMATS: dict[SourceFormat, str] = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "webp": "WEBP"}
_NAMES: dict[SourceFormat, str] = {
    "png": "a PNG image",
    "jpeg": "a JPEG image",
    "gif": "a GIF image",
    "webp": "a WebP image",
}
JPEG_QUALITY = 88


@dataclass(frozen=True, slots=True)
class ReencodedImage:
    data: bytes
    format: Literal["png", "jpeg"]
    content_type: str
    extension: str
    width: int
    height: int


def sniff_image(head: bytes) -> SourceFormat | None:
    """The image format the first bytes announce, if any."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def reencode_image(data: bytes, *, source: SourceFormat, max_pixels: int) -> ReencodedImage:
    """Decode `data` as `source` and encode its first frame again, without any metadata."""
    what = _NAMES[source]
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[source]]) as opened:
                width, height = opened.size
                if width <= 0 or height <= 0:
                    raise AttachmentRejected("malformed", f"This file starts like {what} but has no pixels.")
                if width * height > max_pixels:
                    raise _too_many_pixels(width, height, max_pixels)
                opened.seek(0)
                opened.load()
                picture = _upright(opened)
                clean = _pixels_only(picture)
        except AttachmentRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels(0, 0, max_pixels) from None
        except Exception:  # Pillow raises many types on hostile input (OSError, SyntaxError, ...)
            raise AttachmentRejected(
                "malformed", f"This file starts like {what} but could not be read as one; it may be damaged."
            ) from None
    out = io.BytesIO()
    if source == "jpeg":
        if clean.mode not in ("RGB", "L"):
            clean = clean.convert("RGB")
        clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
        return ReencodedImage(out.getvalue(), "jpeg", "image/jpeg", "jpg", clean.width, clean.height)
    clean.save(out, format="PNG", optimize=True)
    return ReencodedImage(out.getvalue(), "png", "image/png", "png", clean.width, clean.height)


def _upright(image: Image.Image) -> Image.Image:
    """The image turned as its EXIF orientation says (a copy; the tag itself is not kept)."""
    turned = ImageOps.exif_transpose(image)
    return turned if turned is not None else image


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image made of the pixels alone: no info dict, no EXIF, no ICC profile, no palette tricks."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if has_alpha:
        mode = "RGBA"
    elif image.mode in ("L", "1", "I", "I;16", "F"):
        mode = "L"
    else:
        mode = "RGB"
    converted = image.convert(mode)
    return Image.frombytes(mode, converted.size, converted.tobytes())


def _too_many_pixels(width: int, height: int, max_pixels: int) -> AttachmentRejected:
    size = f" ({width} × {height})" if width and height else ""
    return AttachmentRejected(
        "image_too_large",
        f"This image is too large to open safely{size}: at most {max_pixels:,} pixels. "
        "Send a smaller version.",
    )
