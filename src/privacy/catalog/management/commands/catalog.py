from __future__ import annotations

import io
import json
import shutil
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from privacy.catalog.registry import catalog_entries
from privacy.policy.loader import PolicyInvalid

COLUMNS = (
    ("model", "Model"),
    ("field", "Field"),
    ("category", "Category"),
    ("context", "Context"),
    ("retention_rule", "Retention rule"),
    ("erasure", "Erasure"),
    ("subject_path", "Subject path"),
)
PIPE_WIDTH = 200  # wide enough that a table piped to a file or a test is never wrapped


class Command(BaseCommand):
    help = (
        "Print the catalog of personal data: every declared field with its data category, policy "
        "context, retention rule, erasure method and path to its subject."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print a JSON list of objects (model, field, category, context, retention_rule, erasure, "
            "subject_path, provided_by_subject) instead of a table.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            entries = catalog_entries()
        except PolicyInvalid as invalid:
            raise CommandError(f"The declaration cannot be loaded: {invalid}") from None
        if options["json"]:
            self.stdout.write(json.dumps([entry.as_dict() for entry in entries], indent=2))
            return
        if not entries:
            self.stdout.write("No personal fields are declared.")
            return
        table = Table(title=f"Personal data catalog ({len(entries)} fields)")
        for _, heading in COLUMNS:
            table.add_column(heading)
        for entry in entries:
            row = entry.as_dict()
            table.add_row(*(str(row[key]) if row[key] is not None else "-" for key, _ in COLUMNS))
        tty = self.stdout.isatty()
        buffer = io.StringIO()
        width = shutil.get_terminal_size().columns if tty else PIPE_WIDTH
        Console(file=buffer, width=width, force_terminal=tty, highlight=False).print(table)
        self.stdout.write(buffer.getvalue(), ending="")
