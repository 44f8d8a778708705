"""`pledge rights daily|remind|close-unverified|erase-children`: the rights daily job and its parts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from privacy.rights import execution, jobs
from privacy.rights.actions import close_unverified_requests


class Command(BaseCommand):
    help = "Data subject rights housekeeping (run `daily` once a day)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        sub.add_parser("daily", help="All of the below, and remove packages whose link expired.")
        sub.add_parser("remind", help="E-mail the privacy officers the requests at risk or overdue.")
        sub.add_parser(
            "close-unverified", help="Close requests never verified within the declaration's time."
        )
        sub.add_parser("erase-children", help="Erase the accounts confirmed as children's.")

    def handle(self, *args: Any, **options: Any) -> None:
        verb = options["verb"]
        if verb == "daily":
            report = jobs.run_daily_jobs()
            self.stdout.write(
                f"{report.reminded} request(s) in the reminder to {report.officers} officer(s); "
                f"{report.closed_unverified} closed unverified; "
                f"{report.children_erased} child account(s) erased; "
                f"{report.packages_expired} expired package(s) removed"
            )
        elif verb == "remind":
            reminded, officers = jobs.send_reminders()
            self.stdout.write(f"{reminded} request(s) in the reminder to {officers} officer(s)")
        elif verb == "close-unverified":
            self.stdout.write(f"{close_unverified_requests()} request(s) closed unverified")
        else:
            self.stdout.write(f"{execution.erase_reported_children()} child account(s) erased")
