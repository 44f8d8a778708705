"""Opening a ZIP container (3MF is one) without trusting anything it says about itself.

The defences, in the order they run, and what each one stops:

1. Entry count, names and kinds, before any byte is decompressed: too many entries
   (`archive_bomb`); absolute paths, "..", backslashes, drive letters, control characters,
   names that collide case-insensitively, symlinks (`unsafe_path`); encrypted entries
   (`malformed`). We never extract to disk, but the names are checked anyway because a
   later step (storage, a slicer, the account manager's unzip) might.
2. Declared sizes: their sum and each entry's compression ratio (`archive_bomb`). This is
   cheap and catches most bombs, but headers lie (overlapping entries, forged sizes), so:
3. Every read is counted as it happens, against the same total and ratio limits, in
   64 KiB chunks. Nothing is read whole on the word of a header.
4. Nested archives, by name and by magic bytes in the first bytes of every entry
   (`archive_bomb`): 3MF has no use for them and they defeat the limits above.

XML inside the container is parsed with the expat bundled with Python, after refusing any
DOCTYPE or ENTITY declaration twice over: a textual scan of the decoded UTF-8 (3MF and OPC
require UTF-8, and decoding first stops a UTF-16 document hiding its DOCTYPE from a byte
scan) and a `doctype` hook on the parser target. Without a DTD there are no entities to
expand and nothing external to fetch, which is what defusedxml would otherwise give us.
"""

from __future__ import annotations

import codecs
import io
import re
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol
from xml.etree.ElementTree import ParseError, XMLParser

from orders.modelfiles.result import ModelFileRejected

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")

_CHUNK = 1 << 16
_ARCHIVE_SUFFIXES = (".zip", ".3mf", ".jar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".tar", ".zst")
_ARCHIVE_MAGIC = (
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ",
    b"7z\xbc\xaf",
    b"Rar!",
    b"\x28\xb5\x2f\xfd",
)
_UNSAFE_CHARS = re.compile(r"[\x00-\x1f\x7f\\:]")
_DTD = re.compile(r"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """How much a container may expand. Defaults suit 3MF meshes of a few million triangles."""

    max_entries: int = 256
    max_total_uncompressed: int = 256 * 1024 * 1024
    max_ratio: float = 100.0
    # Below this many bytes an entry is too small to hurt, whatever its ratio (tiny XML parts
    # and empty files compress "infinitely").
    ratio_floor: int = 1024 * 1024
    # Triangles plus vertices after 3MF components and build items are expanded: instancing
    # is a bomb of its own (ten components of ten components of ...).
    max_mesh_elements: int = 20_000_000
    max_instances: int = 100_000


class _Target(Protocol):
    def start(self, tag: str, attrib: dict[str, str]) -> None: ...


class SafeArchive:
    """A checked ZIP: construct it, then read parts by name with `chunks()` or `parse_xml()`."""

    def __init__(self, zf: zipfile.ZipFile, limits: ArchiveLimits, archive_size: int) -> None:
        self._zf = zf
        self._limits = limits
        self._spent = 0
        infos = zf.infolist()
        if len(infos) > limits.max_entries:
            raise _too_many_entries(limits)
        self._parts: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            _check_entry(info)
            key = info.filename.casefold()
            if key in self._parts:
                raise ModelFileRejected(
                    "unsafe_path",
                    f"The archive holds two entries named {info.filename!r}; names must be unique.",
                )
            self._parts[key] = info
        declared = sum(info.file_size for info in infos)
        if declared > limits.max_total_uncompressed or (
            declared > limits.ratio_floor and declared > limits.max_ratio * max(archive_size, 1)
        ):
            raise ModelFileRejected(
                "archive_bomb",
                f"This archive would expand from {archive_size:,} to {declared:,} bytes, beyond the "
                f"{limits.max_total_uncompressed:,}-byte or {limits.max_ratio:g}:1 limit; "
                "it looks like a decompression bomb.",
            )
        for info in infos:
            if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(
                info.compress_size, 1
            ):
                raise _ratio_exceeded(info)
        for info in infos:
            if not info.is_dir():
                self._refuse_nested_archive(info)

    def has(self, name: str) -> bool:
        return name.casefold() in self._parts

    def chunks(self, name: str) -> Iterator[bytes]:
        """The entry's bytes, decompressed a chunk at a time and counted against the limits."""
        info = self._parts[name.casefold()]
        produced = 0
        try:
            with self._zf.open(info) as entry:
                while chunk := entry.read(_CHUNK):
                    produced += len(chunk)
                    self._spent += len(chunk)
                    if self._spent > self._limits.max_total_uncompressed:
                        raise ModelFileRejected(
                            "archive_bomb", "This archive expands to more data than allowed while being read."
                        )
                    if produced > info.file_size or (
                        produced > self._limits.ratio_floor
                        and produced > self._limits.max_ratio * max(info.compress_size, 1)
                    ):
                        raise _ratio_exceeded(info)
                    yield chunk
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError) as exc:
            raise ModelFileRejected(
                "malformed", f"The archive entry {info.filename!r} is damaged and cannot be read ({exc})."
            ) from None

    def parse_xml(self, name: str, target: _Target) -> None:
        """Stream the entry through expat into `target`'s `start` callback, refusing DTDs."""
        decoder = codecs.getincrementaldecoder("utf-8")()
        # DTDs are refused by the scan below and by the target's doctype hook (see module header).
        parser = XMLParser(target=_DoctypeRefusingTarget(target, name))  # noqa: S314
        previous = ""
        try:
            for chunk in self.chunks(name):
                text = decoder.decode(chunk)
                _refuse_dtd(previous + text, name)
                previous = text[-16:]
                parser.feed(text)
            parser.feed(decoder.decode(b"", final=True))
            parser.close()
        except UnicodeDecodeError:
            raise ModelFileRejected("malformed", f"The archive part {name!r} is not UTF-8 text.") from None
        except ParseError as exc:
            raise ModelFileRejected(
                "malformed", f"The archive part {name!r} is not well-formed XML ({exc})."
            ) from None

    def _refuse_nested_archive(self, info: zipfile.ZipInfo) -> None:
        head = b""
        if not info.filename.casefold().endswith(_ARCHIVE_SUFFIXES):
            try:
                with self._zf.open(info) as entry:
                    head = entry.read(8)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError) as exc:
                raise ModelFileRejected(
                    "malformed", f"The archive entry {info.filename!r} is damaged and cannot be read ({exc})."
                ) from None
            if not head.startswith(_ARCHIVE_MAGIC):
                return
        raise ModelFileRejected(
            "archive_bomb",
            f"The archive contains another archive ({info.filename!r}); nested archives are refused.",
        )


class _DoctypeRefusingTarget:
    def __init__(self, inner: _Target, name: str) -> None:
        self.start = inner.start  # no `end`: none of our targets needs it, and each call costs
        self._name = name

    def doctype(self, name: str, pubid: str | None, system: str | None) -> None:
        raise _dtd_refused(self._name)

    def close(self) -> Any:
        return None


def open_archive(data: bytes, limits: ArchiveLimits) -> SafeArchive:
    # zipfile builds an object per central-directory record before we can count them, so
    # count the record signatures first: an upper bound, found at C speed.
    if data.count(b"PK\x01\x02") > limits.max_entries:
        raise _too_many_entries(limits)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError) as exc:
        raise ModelFileRejected(
            "malformed", f"This ZIP archive is damaged and cannot be opened ({exc})."
        ) from None
    return SafeArchive(zf, limits, len(data))


def _check_entry(info: zipfile.ZipInfo) -> None:
    name = info.orig_filename  # as stored: zipfile cuts `filename` at a NUL, other tools may not
    segments = name.split("/")
    if name.startswith("/") or ".." in segments or _UNSAFE_CHARS.search(name) or re.match(r"[A-Za-z]:", name):
        raise ModelFileRejected(
            "unsafe_path",
            f"The archive entry {name[:80]!r} has an unsafe path (absolute, '..', backslash, drive letter "
            "or control character).",
        )
    if stat.S_ISLNK(info.external_attr >> 16):
        raise ModelFileRejected(
            "unsafe_path", f"The archive entry {name[:80]!r} is a symbolic link; links are refused."
        )
    if info.flag_bits & 0x1:
        raise ModelFileRejected("malformed", f"The archive entry {name[:80]!r} is encrypted.")


def _too_many_entries(limits: ArchiveLimits) -> ModelFileRejected:
    return ModelFileRejected(
        "archive_bomb", f"This archive holds more than {limits.max_entries} entries, the most allowed."
    )


def _refuse_dtd(text: str, name: str) -> None:
    if _DTD.search(text):
        raise _dtd_refused(name)


def _dtd_refused(name: str) -> ModelFileRejected:
    return ModelFileRejected(
        "malformed", f"The archive part {name!r} declares a DTD or entities, which 3MF does not allow."
    )


def _ratio_exceeded(info: zipfile.ZipInfo) -> ModelFileRejected:
    return ModelFileRejected(
        "archive_bomb",
        f"The archive entry {info.filename!r} expands too far ({info.compress_size:,} bytes compressed); "
        "it looks like a decompression bomb.",
    )
