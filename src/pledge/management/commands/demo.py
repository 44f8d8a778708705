from __future__ import annotations

import os
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
        sub = parser.add_subparsers(dest="verb", required=True, metavar="{load,totp,generate}")
        sub.add_parser(
            "load", help="Create the demo data if it is missing (idempotent) and print the demo log-ins."
        )
        totp = sub.add_parser("totp", help="Print the current second-factor code of a demo staff member.")
        totp.add_argument("username", help="A demo staff username, e.g. maria.")
        generate = sub.add_parser(
            "generate",
            help="Generate N realistic, encrypted demo customers (bulk; idempotent by batch, resumable).",
            description=(
                "Generate N realistic demo customers, every personal value encrypted as the vault "
                "requires, built by worker processes and written a batch per transaction. Resumable: "
                "rerun the same command (same --seed and --batch-size) and only the batches not yet "
                "written are made. For speed the run writes SQLite with synchronous=OFF (the key "
                "store stays synchronous=FULL, so keys reach the disk before the rows that need "
                "them): if the process dies or is stopped, nothing committed is lost and rerunning "
                "redoes the unfinished batch (a batch is found missing by its first customer); if "
                "the machine crashes, the last batches may be lost (rerun) or, at worst, the SQLite "
                "file damaged (delete the data set and generate again). Files of an unfinished "
                "batch remain as unreferenced ciphertext. PostgreSQL runs with its usual settings."
            ),
        )
        generate.add_argument("--customers", type=int, required=True, help="How many customers in all.")
        generate.add_argument("--seed", type=int, default=1, help="Plans depend on the seed and the number.")
        generate.add_argument("--batch-size", type=int, default=200, help="Customers per transaction.")
        generate.add_argument(
            "--workers", type=int, default=os.cpu_count() or 1, help="Processes that build batches (0: none)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "generate":
            self._generate(options)
            return
        if options["verb"] == "totp":
            secret = DEMO_TOTP_SECRETS.get(options["username"])
            if secret is None:
                raise CommandError(f"{options['username']!r} is not a demo staff member.")
            self.stdout.write(second_factor.code_at(secret=secret, when=timezone.now()))
            return
        self.stdout.write(describe_demo_accounts(load_demo_data()))

    def _generate(self, options: dict[str, Any]) -> None:
        from pledge.demodata.generate import generate

        customers = options["customers"]
        if customers < 1:
            raise CommandError("--customers must be at least 1.")
        with Progress() as progress:
            task = progress.add_task(f"Generating {customers:,} customers", total=customers)
            report = generate(
                customers=customers,
                seed=options["seed"],
                batch_size=options["batch_size"],
                workers=options["workers"],
                on_progress=lambda done: progress.advance(task, done),
            )
        rate = report.written / report.seconds if report.seconds else 0.0
        self.stdout.write(
            f"{report.written:,} customers written, {report.skipped:,} already there, "
            f"in {report.seconds:.1f} s ({rate:.0f} customers/s)."
        )
        for label, count in sorted(report.rows.items()):
            self.stdout.write(f"  {label:<24} {count:>12,}")


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
