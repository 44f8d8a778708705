"""Suite-wide fixtures and the commitment recorder.

Every test marked `@pytest.mark.commitment("C12")` is recorded with its outcome in
var/trace/, so that `pledge trace` counts a commitment as kept only when a marked test
actually ran and passed, not merely because one exists.
"""

from __future__ import annotations

import json
import os
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("PLEDGE_ENV", "test")

COMMITMENT = re.compile(r"^C([1-9]|[1-3][0-9]|4[0-5])$")
_outcomes: dict[str, dict[str, object]] = {}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for mark in item.iter_markers("commitment"):
            for cid in mark.args:
                if not isinstance(cid, str) or not COMMITMENT.match(cid):
                    raise pytest.UsageError(f"{item.nodeid}: commitment({cid!r}) is not one of C1-C45")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    ids = getattr(report, "commitments", None)
    if ids is None:
        return
    entry = _outcomes.setdefault(report.nodeid, {"commitments": ids, "outcome": "passed"})
    if report.failed:
        entry["outcome"] = "failed"
    elif report.skipped and report.when in {"setup", "call"}:
        entry["outcome"] = "skipped"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    ids = sorted({cid for mark in item.iter_markers("commitment") for cid in mark.args})
    if ids:
        report.commitments = ids


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not _outcomes or hasattr(session.config, "workerinput"):
        return
    from django.conf import settings
    from django.db import connection

    folder = Path(settings.VAR_DIR) / "trace"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"last-run-{connection.vendor}.json"
    previous = json.loads(path.read_text()) if path.exists() else {}
    previous.update(_outcomes)
    path.write_text(json.dumps(previous, indent=1, sort_keys=True))


@pytest.fixture(autouse=True)
def _forget_data_keys() -> Iterator[None]:
    """Each test starts with an empty cache of unwrapped keys: the key store is rolled back
    after every test, and a key cached from a rolled-back row would make a later test read
    values that its key store cannot open (a state production cannot reach: key rows commit
    on their own before anything is sealed with them)."""
    from privacy.vault.keys import clear_key_cache

    clear_key_cache()
    yield
    clear_key_cache()


# --- Servers the suite starts or finds itself -------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]


def require(condition: bool, what: str) -> None:
    """Skip when a server or tool is missing, except under CI=true where that is a failure."""
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required under CI=true and is missing", pytrace=False)
    pytest.skip(f"{what} is missing")


@dataclass
class Mailbox:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m.get("To", ""))]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[Mailbox]:
    """A real SMTP server on loopback (aiosmtpd); Django's SMTP backend sends to it.

    The port is chosen first: aiosmtpd's start-up self-check connects to the port it was
    given, so port=0 cannot be used.
    """
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    box = Mailbox("127.0.0.1", free_port())

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


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright; never a downloaded browser."""
    require(CHROMIUM.exists(), "Chromium (/usr/bin/chromium, `make browser` installs it)")
    # Playwright runs an event loop in this thread; the ORM calls in tests stay synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()
