"""E-mail open pixels (commitment C10): a message id in a signed token, the first open recorded."""

from __future__ import annotations

import io
import uuid

import pytest
from django.test import Client
from PIL import Image

from weblog.actions import OpenPixel, record_email_open, start_open_tracking
from weblog.consent import FixedConsentGate, using_consent_gate
from weblog.models import EmailOpen, TrackedEmail
from weblog.pixels import TRANSPARENT_GIF, message_id_from_token, open_pixel_token
from weblog.writer import pending_request_logs

pytestmark = [pytest.mark.django_db(databases=["default", "keys"]), pytest.mark.urls("weblog.tests.urls")]

RECIPIENT = uuid.UUID("0193a0b4-6a1e-7c3d-9f00-1234567890ab")


def _token_of(pixel: OpenPixel) -> str:
    prefix, suffix = "/t/o/", ".gif"
    assert pixel.path.startswith(prefix)
    assert pixel.path.endswith(suffix)
    return pixel.path[len(prefix) : -len(suffix)]


@pytest.mark.commitment("C10")
def test_a_consenting_recipients_e_mail_gets_a_pixel_whose_token_carries_only_a_message_id(
    consented: FixedConsentGate,
) -> None:
    pixel = start_open_tracking(subject_id=RECIPIENT)

    assert pixel is not None
    tracked = TrackedEmail.objects.get()
    assert (pixel.message_id, tracked.subject_id) == (tracked.pk, RECIPIENT)
    payload, signature = _token_of(pixel).split(".")
    assert payload == tracked.pk.hex
    assert RECIPIENT.hex not in pixel.path
    assert len(signature) == 43  # HMAC-SHA256, base64
    assert pixel.img_tag("https://sogaworks.com/") == (
        f'<img src="https://sogaworks.com{pixel.path}" width="1" height="1" alt="" style="display:none">'
    )


@pytest.mark.commitment("C10")
def test_without_consent_an_e_mail_gets_no_pixel_and_nothing_is_stored(refused: FixedConsentGate) -> None:
    assert start_open_tracking(subject_id=RECIPIENT) is None
    assert TrackedEmail.objects.count() == 0


@pytest.mark.commitment("C10")
def test_the_engine_gives_no_pixel_to_a_recipient_who_never_chose() -> None:
    assert start_open_tracking(subject_id=RECIPIENT) is None
    assert TrackedEmail.objects.count() == 0


@pytest.mark.commitment("C10")
def test_opening_records_the_first_open_and_returns_an_uncached_gif(
    client: Client, consented: FixedConsentGate
) -> None:
    pixel = start_open_tracking(subject_id=RECIPIENT)
    assert pixel is not None

    first = client.get(pixel.path, REMOTE_ADDR="8.8.8.8")
    again = client.get(pixel.path, REMOTE_ADDR="8.8.8.8")

    for response in (first, again):
        assert response.status_code == 200
        assert response["Content-Type"] == "image/gif"
        assert "no-store" in response["Cache-Control"]
        assert response.content == TRANSPARENT_GIF
        assert "Set-Cookie" not in response
    opened = EmailOpen.objects.get()
    assert opened.tracked_id == pixel.message_id
    assert pending_request_logs() == 0  # the open is not also a request log line with an IP


@pytest.mark.commitment("C10")
@pytest.mark.parametrize(
    "forge",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # altered signature
        lambda token: uuid.uuid4().hex + token[32:],  # another message id under the same signature
        lambda token: token.split(".")[0],  # no signature
        lambda token: "garbage",
    ],
)
def test_a_forged_token_gets_the_same_gif_and_records_nothing(
    client: Client, consented: FixedConsentGate, forge: object
) -> None:
    pixel = start_open_tracking(subject_id=RECIPIENT)
    assert pixel is not None
    forged = forge(_token_of(pixel))  # type: ignore[operator]

    response = client.get(f"/t/o/{forged}.gif")

    assert response.status_code == 200
    assert response.content == TRANSPARENT_GIF
    assert "no-store" in response["Cache-Control"]
    assert EmailOpen.objects.count() == 0


@pytest.mark.commitment("C10")
def test_a_token_for_an_unknown_message_records_nothing(client: Client, consented: FixedConsentGate) -> None:
    token = open_pixel_token(uuid.uuid4())

    response = client.get(f"/t/o/{token}.gif")

    assert response.content == TRANSPARENT_GIF
    assert EmailOpen.objects.count() == 0


@pytest.mark.commitment("C10")
def test_an_open_after_consent_was_withdrawn_is_not_recorded(
    client: Client, consented: FixedConsentGate
) -> None:
    pixel = start_open_tracking(subject_id=RECIPIENT)
    assert pixel is not None

    with using_consent_gate(FixedConsentGate(performance=False, pixels=False)):
        response = client.get(pixel.path)

    assert response.content == TRANSPARENT_GIF
    assert EmailOpen.objects.count() == 0


def test_a_head_request_records_nothing(client: Client, consented: FixedConsentGate) -> None:
    pixel = start_open_tracking(subject_id=RECIPIENT)
    assert pixel is not None

    assert client.head(pixel.path).status_code == 200
    assert EmailOpen.objects.count() == 0
    assert record_email_open(message_id=pixel.message_id) is True
    assert record_email_open(message_id=pixel.message_id) is False


def test_the_gif_is_one_transparent_pixel() -> None:
    image = Image.open(io.BytesIO(TRANSPARENT_GIF))

    assert (image.format, image.size) == ("GIF", (1, 1))


def test_token_round_trip() -> None:
    message_id = uuid.uuid4()

    assert message_id_from_token(open_pixel_token(message_id)) == message_id
    assert message_id_from_token(open_pixel_token(message_id).upper()) is None
