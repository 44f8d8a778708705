"""`pledge payments resume`: finish card payments a stopped process left pending."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from payments.actions import resume_pending_payments


class Command(BaseCommand):
    help = (
        "Payment housekeeping. `resume`: ask the gateway again, under the same idempotency key, "
        "for each card payment pending longer than --minutes, and record its outcome."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        resume = sub.add_parser(
            "resume", help="Record the outcome of card payments left pending (run every few minutes)."
        )
        resume.add_argument(
            "--minutes", type=int, default=5, help="Only payments pending longer than this (default 5)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "resume":
            resumed = resume_pending_payments(older_than=timedelta(minutes=options["minutes"]))
            outcomes = Counter(item.outcome for item in resumed)
            summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items()))
            self.stdout.write(
                f"{len(resumed)} pending payment{'s' if len(resumed) != 1 else ''} resumed"
                + (f": {summary}" if summary else "")
            )
