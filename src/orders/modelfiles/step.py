"""STEP (ISO 10303-21 "Part 21" exchange files, .step/.stp).

We check the envelope, not the geometry: the magic line, a HEADER section, a DATA section
and the closing `END-ISO-10303-21;`. A STEP model is a boundary representation, so the
mesh figures (triangles, box, volume) would need a geometry kernel; the account manager's
CAM tools measure it. String literals and comments are blanked before the section
markers are searched, so a quoted "ENDSEC;" cannot fake the structure.
"""

from __future__ import annotations

import re

from orders.modelfiles.result import ModelFileInfo, ModelFileRejected

MAGIC = b"ISO-10303-21;"

_BOM = b"\xef\xbb\xbf"
# An unterminated literal or comment runs to the end (so hostile input cannot force one
# rescan per opening quote) and is then caught as truncation.
_LITERALS = re.compile(rb"'[^']*(?:''[^']*)*(?:'|\Z)|/\*.*?(?:\*/|\Z)", re.DOTALL)
_MARKER = re.compile(rb"(?<![\w#-])(HEADER|ANCHOR|REFERENCE|DATA|SIGNATURE|ENDSEC|END-ISO-10303-21)\s*[;(]")
_MARKER_LETTERS = {
    b"HEADER": "H",
    b"ANCHOR": "A",
    b"REFERENCE": "R",
    b"DATA": "D",
    b"SIGNATURE": "S",
    b"ENDSEC": "e",
    b"END-ISO-10303-21": "$",
}
# The order of sections Part 21 allows, over one letter per marker found above.
_SECTION_ORDER = re.compile(r"He(?:Ae)?(?:Re)?(?:De)+(?:Se)?\$")
_END = re.compile(rb"END-ISO-10303-21;\s*\Z")
_CONVERSION_UNIT = re.compile(rb"CONVERSION_BASED_UNIT\s*\(\s*'(INCH|FOOT)'", re.IGNORECASE)
_SI_LENGTH = re.compile(rb"SI_UNIT\s*\(\s*(\$|\.\w+\.)\s*,\s*\.METRE\.\s*\)", re.IGNORECASE)
_SI_PREFIXES = {b"$": "meter", b".MILLI.": "millimeter", b".CENTI.": "centimeter", b".MICRO.": "micron"}


def starts_like_step(data: bytes) -> bool:
    return data.removeprefix(_BOM).lstrip().startswith(MAGIC)


def inspect_step(data: bytes) -> ModelFileInfo:
    text = _LITERALS.sub(b"''", data.removeprefix(_BOM).strip())
    if not _END.search(text):
        raise ModelFileRejected(
            "truncated", "This STEP file does not end with 'END-ISO-10303-21;'; the file is incomplete."
        )
    markers = "".join(_MARKER_LETTERS[m.group(1)] for m in _MARKER.finditer(text, len(MAGIC)))
    if not _SECTION_ORDER.fullmatch(markers):
        raise ModelFileRejected(
            "malformed", "This STEP file lacks the HEADER and DATA sections that ISO 10303-21 requires."
        )
    return ModelFileInfo(
        format="step", size=len(data), triangles=None, bbox=None, volume_mm3=None, units=_length_unit(text)
    )


def _length_unit(text: bytes) -> str | None:
    converted = _CONVERSION_UNIT.search(text)
    if converted is not None:
        return "inch" if converted.group(1).upper() == b"INCH" else "foot"
    si = _SI_LENGTH.search(text)
    if si is not None:
        return _SI_PREFIXES.get(si.group(1).upper())
    return None
