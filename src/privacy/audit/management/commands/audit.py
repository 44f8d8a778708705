from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from privacy.audit.models import AuditEvent
from privacy.audit.queries import verify_chain


class Command(BaseCommand):
    help = "Work with the hash-chained audit trail."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True, metavar="{verify}")
        verify = sub.add_parser(
            "verify",
            help="Recompute the chain; exit 1 and name the first bad entry if anything was "
            "changed, removed, inserted or reordered.",
        )
        verify.add_argument("--quiet", action="store_true", help="Print nothing on success.")

    def handle(self, *args: Any, **options: Any) -> None:
        total = AuditEvent.objects.count()
        with Progress(
            TextColumn("Verifying audit trail"),
            BarColumn(),
            MofNCompleteColumn(),
            transient=True,
            disable=options["quiet"] or total < 5000,
        ) as bar:
            task = bar.add_task("verify", total=total)
            result = verify_chain(progress=lambda n: bar.update(task, completed=n))
        if not result.ok:
            raise CommandError(
                f"Audit trail broken at {result.first_break} ({result.checked} entries read)", returncode=1
            )
        if not options["quiet"]:
            self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {result.checked} entries verified."))
