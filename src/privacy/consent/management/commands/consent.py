"""`pledge consent expire`: record the lapse of every consent past the declaration's maximum age."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from privacy.consent.actions import expire_lapsed_consents


class Command(BaseCommand):
    help = "Cookie consent housekeeping. `expire`: mark every consent past its maximum age as lapsed."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        expire = sub.add_parser("expire", help="Record a lapse for each consent past its expiry (run daily).")
        expire.add_argument("--limit", type=int, default=10_000, help="At most this many in one run.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "expire":
            count = expire_lapsed_consents(limit=options["limit"])
            self.stdout.write(f"{count} consent{'s' if count != 1 else ''} lapsed")
