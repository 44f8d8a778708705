from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rich.progress import Progress

from accounts import second_factor
from accounts.demo import DEMO_TOTP_SECRETS, create_demo_accounts, describe_demo_accounts
from accounts.models import Role, User


class Command(BaseCommand):
    help = "Demo data for trying the site: customers, staff of each role, addresses, orders, chats, tickets."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True, metavar="{load,totp}")
        sub.add_parser(
            "load", help="Create the demo data if it is missing (idempotent) and print the demo log-ins."
        )
        totp = sub.add_parser("totp", help="Print the current second-factor code of a demo staff member.")
        totp.add_argument("username", help="A demo staff username, e.g. maria.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "totp":
            secret = DEMO_TOTP_SECRETS.get(options["username"])
            if secret is None:
                raise CommandError(f"{options['username']!r} is not a demo staff member.")
            self.stdout.write(second_factor.code_at(secret=secret, when=timezone.now()))
            return
        self.stdout.write(describe_demo_accounts(load_demo_data()))


def load_demo_data() -> list[tuple[str, str, str]]:
    from addresses.demo import create_demo_addresses
    from chat.demo import create_demo_chats
    from orders.demo import create_demo_orders
    from payments.demo import create_demo_payments
    from support.demo import create_demo_tickets

    with Progress(transient=True) as progress:
        task = progress.add_task("Loading demo data", total=6)
        accounts = create_demo_accounts()
        customers = list(User.objects.filter(role=Role.CUSTOMER).order_by("date_joined"))
        agent = User.objects.filter(role=Role.SUPPORT_AGENT).first()
        progress.advance(task)
        for step in (
            lambda: create_demo_addresses(customers),
            lambda: create_demo_orders(customers),
            lambda: create_demo_payments(customers),
            lambda: create_demo_tickets(customers, agent=agent),
            lambda: create_demo_chats(customers),
        ):
            step()
            progress.advance(task)
    return accounts
