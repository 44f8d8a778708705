"""Serving an attachment that the caller may have (views and the API both come here).

The content type is the one the upload's check found (re-encoded images: their new type),
never the sender's claim; everything but an image is sent as an attachment to save, not
to open; nosniff and a sandboxing Content-Security-Policy make sure no browser renders a
file as a page of this site. Video and audio are served in byte ranges (seeking).
An account manager's download of a customer's file is audited once per download: a
player's first request ("bytes=0-") counts, the ranges that follow it do not.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from accounts.models import User
from chat import actions
from chat.models import Attachment
from privacy.api import encrypted_file_response

SANDBOX_CSP = "default-src 'none'; sandbox"


def serve_attachment(
    request: HttpRequest, *, user: User, attachment: Attachment
) -> HttpResponse | StreamingHttpResponse:
    if request.method == "GET" and _starts_at_beginning(request.headers.get("Range")):
        actions.record_download(actor=user, attachment=attachment)
    response = encrypted_file_response(
        request,
        attachment.file,
        content_type=attachment.content_type,
        filename=attachment.display_name,
        disposition=attachment.disposition,
    )
    response["Content-Security-Policy"] = SANDBOX_CSP
    return response


def _starts_at_beginning(range_header: str | None) -> bool:
    if not range_header:
        return True
    return range_header.replace(" ", "").lower().startswith("bytes=0-")
