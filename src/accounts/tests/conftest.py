"""Fixtures for the accounts tests: accounts of each role, made through the real manager."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from django.utils import timezone

from accounts import second_factor
from accounts.models import Role, User

PASSWORD = "correct horse battery"
BASE_URL = "http://testserver"
ADULT_BIRTHDAY = dt.date(1990, 4, 25)

MakeUser = Callable[..., User]


@pytest.fixture
def make_user(db: None) -> MakeUser:
    def make(
        username: str,
        *,
        role: str = Role.CUSTOMER,
        email: str | None = None,
        password: str = PASSWORD,
        manager: User | None = None,
        totp_secret: str | None = None,
    ) -> User:
        extra: dict[str, object] = {"role": role, "account_manager": manager}
        if totp_secret:
            extra["totp_secret"], extra["totp_confirmed_at"] = totp_secret, timezone.now()
        return User.objects.create_user(username, email or f"{username}@example.com", password, **extra)

    return make


@pytest.fixture
def staff_secret() -> str:
    return second_factor.new_secret()


@dataclass
class Mailbox:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m.get("To", ""))]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[Mailbox]:
    """The root conftest's real SMTP server on loopback, started on a free port.

    Overrides the root fixture, whose `port=0` makes aiosmtpd's start-up self-check
    connect to port 0 and fail (ConnectionRefusedError); reported to the lead.
    """
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    box = Mailbox("127.0.0.1", _free_port())

    class Collect(Message):  # type: ignore[misc]
        def handle_message(self, message: EmailMessage) -> None:
            box.messages.append(message)

    controller = Controller(Collect(message_class=EmailMessage), hostname=box.host, port=box.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = box.host, box.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield box
    finally:
        controller.stop()
