"""IGES (.iges/.igs), the fixed-format ASCII flavour.

An IGES file is a deck of 80-column records: columns 1-72 data, column 73 the section
letter (Start, Global, Directory, Parameter, Terminate), columns 74-80 a sequence number.
We check what a truncated or doctored upload would break: every record is 80 columns,
sections come in order S G D P T, each numbers its records from 1, the Directory holds two
records per entity, and the Terminate record's counts agree with the sections. The unit
comes from the Global section (parameters 14 and 15). Like STEP this is geometry without
a mesh, so no box or volume is claimed.
"""

from __future__ import annotations

import re

from orders.modelfiles.result import ModelFileInfo, ModelFileRejected

_WIDTH = 80
_LETTER = 72
_SECTIONS = re.compile(r"S+G+D*P*T")
_SECTIONS_PREFIX = re.compile(r"S+G*D*P*")
_TERMINATE = re.compile(rb"S(.{7})G(.{7})D(.{7})P(.{7})")
_HOLLERITH = re.compile(r"\s*(\d+)H")
# Global parameter 14 → unit; flag 3 means "see parameter 15".
_UNIT_FLAGS = {
    1: "inch",
    2: "millimeter",
    4: "foot",
    5: "mile",
    6: "meter",
    7: "kilometer",
    8: "mil",
    9: "micron",
    10: "centimeter",
    11: "microinch",
}
_UNIT_NAMES = {
    "IN": "inch",
    "INCH": "inch",
    "MM": "millimeter",
    "FT": "foot",
    "M": "meter",
    "CM": "centimeter",
}


def _records(data: bytes) -> list[bytes]:
    if b"\n" not in data[: _WIDTH + 2] and len(data) % _WIDTH == 0:
        return [data[i : i + _WIDTH] for i in range(0, len(data), _WIDTH)]  # no line breaks at all
    lines = data.split(b"\n")
    while lines and not lines[-1].strip():
        lines.pop()
    return [line.rstrip(b"\r") for line in lines]


def _sequence(record: bytes) -> int | None:
    digits = record[_LETTER + 1 : _WIDTH].strip()
    return int(digits) if digits.isdigit() else None


def starts_like_iges(data: bytes) -> bool:
    first = data[: _WIDTH + 2].split(b"\n", 1)[0].rstrip(b"\r")
    return len(first) == _WIDTH and first[_LETTER : _LETTER + 1] == b"S" and _sequence(first) == 1


def inspect_iges(data: bytes) -> ModelFileInfo:
    records = _records(data)
    for index, record in enumerate(records, start=1):
        if len(record) != _WIDTH:
            raise ModelFileRejected(
                "malformed", f"IGES record {index} is {len(record)} columns wide; every record must be 80."
            )
    letters = "".join(chr(record[_LETTER]) for record in records)
    if not _SECTIONS.fullmatch(letters):
        if _SECTIONS_PREFIX.fullmatch(letters):
            raise ModelFileRejected(
                "truncated", "This IGES file ends before its Terminate section; the file is incomplete."
            )
        raise ModelFileRejected(
            "malformed", "This IGES file's sections are not in the order Start, Global, Directory, Parameter."
        )
    counts = {letter: letters.count(letter) for letter in "SGDP"}
    expected: dict[str, int] = {}
    for record, letter in zip(records, letters, strict=True):
        expected[letter] = expected.get(letter, 0) + 1
        if _sequence(record) != expected[letter]:
            raise ModelFileRejected(
                "malformed",
                f"IGES {letter} record {expected[letter]} is out of sequence; records are missing.",
            )
    terminate = _TERMINATE.match(records[-1])
    declared = [int(g) if g.strip().isdigit() else -1 for g in terminate.groups()] if terminate else []
    if declared != [counts[letter] for letter in "SGDP"]:
        raise ModelFileRejected(
            "malformed", "This IGES file's Terminate record does not match its sections; records are missing."
        )
    if counts["D"] % 2:
        raise ModelFileRejected(
            "truncated", "This IGES file's Directory section ends halfway through an entity."
        )
    if counts["D"] == 0:
        raise ModelFileRejected("empty", "This IGES file contains no entities.")
    global_text = "".join(
        record[:_LETTER].decode("latin-1")
        for record, letter in zip(records, letters, strict=True)
        if letter == "G"
    )
    return ModelFileInfo(
        format="iges", size=len(data), triangles=None, bbox=None, volume_mm3=None, units=_unit(global_text)
    )


def _unit(text: str) -> str | None:
    """Read Global parameters 14 and 15; a Global section we cannot read just has no unit."""
    try:
        params = _global_parameters(text, wanted=15)
        flag_text = params[13].strip() if len(params) > 13 else ""
        flag = int(float(flag_text)) if flag_text else 1  # IGES default unit is the inch
    except (IndexError, ValueError, OverflowError):
        return None
    if flag == 3 and len(params) > 14:
        return _UNIT_NAMES.get(params[14].strip().upper().strip("."))
    return _UNIT_FLAGS.get(flag)


def _global_parameters(text: str, *, wanted: int) -> list[str]:
    """Split the Global section into parameters, honouring Hollerith strings (nH…)."""
    parameter_delimiter, record_delimiter = ",", ";"
    pos = 0
    if text.startswith("1H"):  # parameter 1 redefines the parameter delimiter
        parameter_delimiter = text[2]
        pos = 3
    if text[pos] != parameter_delimiter:
        raise ValueError("parameter 1 is not delimited")
    pos += 1
    if text.startswith("1H", pos):  # parameter 2 redefines the record delimiter
        record_delimiter = text[pos + 2]
        pos += 3
    if text[pos] != parameter_delimiter:
        raise ValueError("parameter 2 is not delimited")
    pos += 1
    params: list[str] = [parameter_delimiter, record_delimiter]
    while len(params) < wanted:
        hollerith = _HOLLERITH.match(text, pos)
        if hollerith is not None:
            length = int(hollerith.group(1))
            start = hollerith.end()
            params.append(text[start : start + length])
            pos = start + length
        else:
            ends = [
                i for i in (text.find(parameter_delimiter, pos), text.find(record_delimiter, pos)) if i >= 0
            ]
            end = min(ends) if ends else len(text)
            params.append(text[pos:end])
            pos = end
        if pos >= len(text) or text[pos] == record_delimiter:
            break
        pos += 1
    return params
