"""The e-mail open pixel (commitment C10): a signed token that carries a message id only.

The token is "<message id hex>.<HMAC signature>" signed with the site's secret and a
salt of its own: no e-mail address, no account, nothing that names the recipient. A
token that does not verify gets the same image as a good one (a forger learns nothing)
and records nothing.
"""

from __future__ import annotations

from uuid import UUID

from django.core import signing
from django.urls import reverse

SALT = "weblog.email-open"
SEPARATOR = "."

# A transparent 1×1 GIF89a, 43 bytes.
TRANSPARENT_GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT, sep=SEPARATOR)


def open_pixel_token(message_id: UUID) -> str:
    return _signer().sign(message_id.hex)


def message_id_from_token(token: str) -> UUID | None:
    """The message id a genuine token carries; None for a forged, altered or malformed one."""
    try:
        return UUID(hex=_signer().unsign(token))
    except (signing.BadSignature, ValueError):
        return None


def open_pixel_path(message_id: UUID) -> str:
    return reverse("weblog:email-open", kwargs={"token": open_pixel_token(message_id)})


# keeps: C10 (e-mail open pixels)
