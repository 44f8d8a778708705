"""A customer with data in every app, made through the apps' own demo builders and actions.

The rights tests (access completeness, erasure) need one person whose data reaches every
catalogued model that a customer can fill: account, address book, quotes and orders with
3D files, payments and invoices (with their held delivery addresses), a chat with their
account manager (both sides, with files), a support ticket, cookie choices, request logs
and a tracked e-mail that was opened. A bystander customer gets the same, so that every
test can also show that nothing of anyone else was read or removed.

These live in the project's tests (pledge), not the engine's: the engine never imports a
domain app, its own tests included (lint-imports).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from accounts.demo import create_demo_accounts
from accounts.models import Role, User
from accounts.testing import make_account
from addresses.demo import create_demo_addresses
from chat.demo import create_demo_chats
from orders.demo import create_demo_orders
from payments.demo import create_demo_payments
from payments.provider import using_gateway
from payments.testgateway import TestGateway
from privacy.consent.actions import Circumstances, record_choice
from privacy.consent.models import Method
from support.demo import create_demo_tickets
from weblog.actions import record_email_open, start_open_tracking, write_request_logs
from weblog.consent import FixedConsentGate, using_consent_gate
from weblog.models import RequestLog
from weblog.privacy import log_day_subject

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"


@dataclass(frozen=True)
class World:
    alice: User  # the subject: data in every app
    bob: User  # a bystander customer with the same kinds of data
    maria: User  # alice's account manager
    sam: User  # a support agent


def _request_logs(user: User, ip: str, paths: list[str]) -> None:
    now = timezone.now()
    write_request_logs(
        rows=[
            RequestLog(
                subject_id=log_day_subject(now.date()),
                account_subject_id=user.subject_id,
                at=now - dt.timedelta(minutes=index),
                ip_address=ip,
                country="GB",
                browser_family="Firefox",
                browser_version="121.0",
                os_family="Linux",
                path=path,
                method="GET",
                status=200,
                response_ms=4.5,
            )
            for index, path in enumerate(paths)
        ]
    )


def _consent(user: User, ip: str) -> None:
    record_choice(
        method=Method.CUSTOM,
        categories=["performance"],
        circumstances=Circumstances(
            language="en", subject_id=user.subject_id, ip=ip, user_agent=FIREFOX, country="GB"
        ),
    )


def _opened_email(user: User) -> None:
    pixel = start_open_tracking(subject_id=user.subject_id)
    assert pixel is not None
    assert record_email_open(message_id=pixel.message_id)


def build_world() -> World:
    """alice (the demo's first customer, with her manager maria) and bob, both in every app."""
    create_demo_accounts()
    alice = User.objects.get(**User.objects.lookup("alice"))
    bob = User.objects.get(**User.objects.lookup("bob"))
    maria = User.objects.get(**User.objects.lookup("maria"))
    sam = User.objects.get(**User.objects.lookup("sam"))
    # bob gets an account manager of his own, so that his orders can be priced and paid too.
    bob.account_manager = make_account(Role.ACCOUNT_MANAGER, username="bobsmanager")
    bob.save(update_fields=["account_manager"])
    customers = [alice, bob]
    with using_gateway(TestGateway()), using_consent_gate(FixedConsentGate(performance=True, pixels=True)):
        create_demo_addresses(customers)
        create_demo_orders(customers)
        create_demo_payments(customers)
        for customer in customers:
            create_demo_chats([customer])
        create_demo_tickets(customers, agent=sam)
        for customer, ip in ((alice, "203.0.113.77"), (bob, "198.51.100.23")):
            _request_logs(customer, ip, ["/orders/", "/chat/", "/account/"])
            _consent(customer, ip)
            _opened_email(customer)
    return World(alice=alice, bob=bob, maria=maria, sam=sam)


def every_row_of(models_: list[type[Any]]) -> Iterator[tuple[type[Any], Any]]:
    for model in models_:
        for row in model._base_manager.order_by("pk"):
            yield model, row
