"""A file name that is safe to show, log and store next to an upload.

Browsers send whatever the customer's disk called the file, and an attacker sends
whatever they like: directory parts ("../../etc/passwd", "C:\\Users\\…"), control and
bidirectional-override characters that make "gnp.exe" display as "exe.png", names that
Windows reserves (CON, NUL), trailing dots. We keep the readable part and its extension
and drop the rest; the result is for display and for choosing a format, never a path.
"""

from __future__ import annotations

import re
import unicodedata

_MAX_LENGTH = 120
_SEPARATORS = re.compile(r"[\\/]")
_DRIVE = re.compile(r"^[A-Za-z]:")
_RESERVED = re.compile(r'[<>:"|?*]')
_EXTENSION = re.compile(r"[A-Za-z0-9]{1,10}")
_WINDOWS_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"COM{i}" for i in range(1, 10)} | {f"LPT{i}" for i in range(1, 10)}
)


def safe_display_name(filename: str) -> str:
    """Return the base name of `filename`, cleaned for display; "unnamed" if nothing is left.

    >>> safe_display_name("C:\\\\parts\\\\..\\\\Bracket v2.STL")
    'Bracket v2.STL'
    """
    name = unicodedata.normalize("NFC", filename)
    name = _SEPARATORS.split(name)[-1]
    name = _DRIVE.sub("", name)
    # Every "C" category: controls, format characters (bidi overrides, zero-width), surrogates,
    # private use and unassigned code points.
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = _RESERVED.sub("_", name)
    name = " ".join(name.split()).rstrip(" .")
    stem, dot, extension = name.rpartition(".")
    if not dot or not _EXTENSION.fullmatch(extension):
        stem, extension = name, ""
    stem = stem.strip(" .")
    if stem.split(".")[0].upper() in _WINDOWS_DEVICES:
        stem = "_" + stem
    stem = stem or "unnamed"
    room = _MAX_LENGTH - (len(extension) + 1 if extension else 0)
    stem = stem[:room].rstrip(" .") or "unnamed"
    return f"{stem}.{extension}" if extension else stem
