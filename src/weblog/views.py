from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from weblog.actions import record_email_open
from weblog.pixels import TRANSPARENT_GIF, message_id_from_token


@require_safe
@never_cache
def email_open_pixel(request: HttpRequest, token: str) -> HttpResponse:
    """The same 1×1 GIF for every token, good or forged; only a good one is recorded."""
    message_id = message_id_from_token(token)
    if message_id is not None and request.method == "GET":
        record_email_open(message_id=message_id)
    return HttpResponse(TRANSPARENT_GIF, content_type="image/gif")
