"""Serving an encrypted file over HTTP: streamed, with single byte ranges (video seeking).

Authorization is the caller's: this only turns a file the caller may serve into a
response. The file is opened before the response is built, so an erased subject
(SubjectErased) or a damaged file (CiphertextCorrupted) raises in the view, where it can
become a proper page, instead of breaking a half-sent body.

Ranges: one `bytes=a-b`, `bytes=a-` or `bytes=-n` is honoured with 206 and Content-Range;
a range that starts past the end gets 416 with `Content-Range: bytes */size`; anything
else (several ranges, bad syntax, an If-Range that does not match) gets the whole file,
as RFC 9110 allows. The ETag is the file id: stored files never change, a new upload gets
a new id.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from privacy.vault.file_format import EncryptedFileReader
from privacy.vault.files import EncryptedFile

_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)
_UNSAFE_ASCII = re.compile(r'[^\x20-\x7e]|["\\/;]')


def content_disposition(disposition: str, filename: str) -> str:
    """RFC 6266: a plain-ASCII fallback `filename` and the exact name in `filename*` (UTF-8)."""
    if disposition not in {"attachment", "inline"}:
        raise ValueError("disposition must be 'attachment' or 'inline'")
    name = (
        filename.replace("\r", "").replace("\n", "").replace("/", "_").replace("\\", "_").strip()
        or "download"
    )
    fallback = _UNSAFE_ASCII.sub("_", name).strip() or "download"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def parse_range(header: str | None, size: int) -> tuple[int, int] | Literal["unsatisfiable"] | None:
    """(first, last) inclusive for a satisfiable single range; "unsatisfiable"; or None to send all."""
    if not header or "," in header:
        return None
    match = _RANGE.match(header)
    if match is None:
        return None
    first_text, last_text = match.groups()
    if not first_text and not last_text:
        return None
    if not first_text:  # suffix: the last n bytes
        suffix = int(last_text)
        if suffix == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - suffix), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if last_text and last < first:
        return None
    if first >= size:
        return "unsatisfiable"
    return first, min(last, size - 1)


def _stream(reader: EncryptedFileReader, start: int, end: int) -> Iterator[bytes]:
    try:
        yield from reader.iter_range(start, end)
    finally:
        reader.close()


def encrypted_file_response(
    request: HttpRequest,
    file: EncryptedFile,
    *,
    content_type: str,
    filename: str,
    disposition: str = "attachment",
) -> HttpResponse | StreamingHttpResponse:
    reader = file.open()
    size = reader.size
    etag = f'"{file.id}"'
    wanted = parse_range(request.headers.get("Range"), size)
    if_range = request.headers.get("If-Range")
    if if_range is not None and if_range.strip() != etag:
        wanted = None
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": etag,
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
        "Content-Disposition": content_disposition(disposition, filename),
    }
    if wanted == "unsatisfiable":
        reader.close()
        response = HttpResponse(status=416, headers={**headers, "Content-Range": f"bytes */{size}"})
        response["Content-Type"] = content_type
        return response
    if wanted is None:
        status, start, end = 200, 0, size
    else:
        status, start, end = 206, wanted[0], wanted[1] + 1
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    headers["Content-Length"] = str(end - start)
    if request.method == "HEAD":
        reader.close()
        response = HttpResponse(status=status, headers=headers, content_type=content_type)
        response["Content-Length"] = str(end - start)
        return response
    return StreamingHttpResponse(
        _stream(reader, start, end), status=status, headers=headers, content_type=content_type
    )
