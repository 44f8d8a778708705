from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from privacy.catalog.erasure import replay_erasures


class Command(BaseCommand):
    help = "Work with the erasure journal (kept beside the key store)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True, metavar="{replay}")
        replay = sub.add_parser(
            "replay",
            help="Apply every journaled erasure again: run it after restoring the database or the key "
            "store from a backup. Deletes rows and files of erased subjects that came back, destroys "
            "keys that came back, and completes interrupted erasures. Safe to run any number of times.",
        )
        replay.add_argument("--quiet", action="store_true", help="Print nothing but errors.")

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["quiet"]
        with Progress(
            TextColumn("Replaying erasures"), BarColumn(), MofNCompleteColumn(), transient=True, disable=quiet
        ) as bar:
            task = bar.add_task("replay", total=None)
            reports = replay_erasures(
                progress=lambda done, total: bar.update(task, completed=done, total=total)
            )
        if quiet:
            return
        changed = [report for report in reports if report.removed_anything]
        for report in changed:
            parts = []
            if report.key_destroyed:
                parts.append("destroyed its key")
            if report.deleted:
                counts = ", ".join(f"{label} {count}" for label, count in sorted(report.deleted.items()))
                parts.append(f"deleted {report.rows_deleted} rows ({counts})")
            if report.files_deleted:
                parts.append(f"deleted {report.files_deleted} files")
            self.stdout.write(f"Subject {report.subject_id}: {'; '.join(parts)}.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Replayed {len(reports)} journaled erasures; {len(changed)} had something to remove."
            )
        )
