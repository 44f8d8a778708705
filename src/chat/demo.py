"""A demo conversation for `make run`: the first demo customer and their account manager.

DEMO ONLY (refuses to run in production). Made through `send_message`, so the demo goes
through the same upload checks, encryption and audit trail as anything a person sends:
a small PNG sketch drawn with Pillow and a 20 mm cube as an STL. Idempotent: a customer
who already has a conversation, or has no account manager, is left as they are.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files import File
from PIL import Image, ImageDraw

from accounts.models import User
from chat.actions import send_message
from chat.models import Thread
from chat.queries import thread_of
from orders.samples import binary_stl, cube_triangles


def sketch_png() -> bytes:
    """A 320 × 200 drawing of an L-bracket with two holes, as PNG."""
    image = Image.new("RGB", (320, 200), "white")
    draw = ImageDraw.Draw(image)
    draw.polygon(
        [(40, 30), (90, 30), (90, 130), (280, 130), (280, 170), (40, 170)], outline="#0b5cad", width=4
    )
    for x in (150, 230):
        draw.ellipse((x - 10, 140, x + 10, 160), outline="#0b5cad", width=3)
    draw.line((40, 185, 280, 185), fill="#55606e", width=1)
    draw.text((140, 187), "120 mm", fill="#55606e")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _upload(data: bytes, name: str) -> File[Any]:
    return File(io.BytesIO(data), name=name)


def create_demo_chats(customers: Iterable[User]) -> list[Thread]:
    """A conversation for the first customer who has an account manager and no conversation yet."""
    if getattr(settings, "PRODUCTION", False):
        raise ImproperlyConfigured("Demo chats are never created in production.")
    for customer in customers:
        manager = customer.account_manager
        if manager is None:
            continue
        if thread_of(customer) is not None:
            return []
        send_message(
            author=customer,
            customer=customer,
            body="Hello! Here is a sketch of the bracket for our next order, and a test cube to check "
            "your tolerances. Could you make 50 in aluminium by the end of the month?",
            uploads=[
                _upload(sketch_png(), "bracket sketch.png"),
                _upload(binary_stl(cube_triangles(20.0)), "cube.stl"),
            ],
        )
        message = send_message(
            author=manager,
            customer=customer,
            body="Thank you! 6061 aluminium with a bead-blasted finish works well for this. "
            "Send the quote request with the STEP file and I will price it today.",
        )
        return [message.thread]
    return []
