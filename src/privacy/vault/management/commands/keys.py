from __future__ import annotations

from argparse import ArgumentParser, RawDescriptionHelpFormatter
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from privacy.vault.actions import rotate_master_key
from privacy.vault.errors import WrongKey
from privacy.vault.journal import pending_erasures
from privacy.vault.keyring import add_development_master_key, master_keyring
from privacy.vault.queries import master_key_use

ROTATE_HELP = """\
Re-wrap every subject's data key under the current master key: the first key of
PLEDGE_MASTER_KEY ("new-id:base64,old-id:base64"), or of the development key file.
Data rows and files are not touched: their data keys stay the same.

The work is done in batches, each in its own transaction; if it is interrupted, run it
again and it continues with the keys still wrapped under an older master key. Keep the
old master keys in the keyring until `keys status` shows that they wrap nothing.
"""


class Command(BaseCommand):
    help = "Manage the vault's master keys: `keys status`, `keys rotate`."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True, metavar="{status,rotate}")
        sub.add_parser("status", help="Show how many data keys each master key wraps, and pending erasures.")
        rotate = sub.add_parser(
            "rotate",
            help="Re-wrap all data keys under the current master key (resumable).",
            description=ROTATE_HELP,
            formatter_class=RawDescriptionHelpFormatter,
        )
        rotate.add_argument(
            "--new-master",
            action="store_true",
            help="Development only: generate a new master key, put it first in the development key file "
            "(the old keys stay after it), then rotate to it.",
        )
        rotate.add_argument("--batch-size", type=int, default=500, help="Keys per transaction (default 500).")
        rotate.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "status":
            self.status()
        else:
            self.rotate(options)

    def status(self) -> None:
        keyring = master_keyring()
        self.stdout.write(f"Master keyring: {keyring.source}")
        for use in master_key_use():
            notes = []
            if use.current:
                notes.append("current")
            if not use.in_keyring:
                notes.append("MISSING from the keyring: these keys cannot be opened")
            elif not use.current and use.data_keys == 0:
                notes.append("wraps nothing; may be removed once no backup of the key store needs it")
            suffix = f"  ({'; '.join(notes)})" if notes else ""
            self.stdout.write(f"  {use.master_key_id}: {use.data_keys} data keys{suffix}")
        pending = pending_erasures()
        self.stdout.write(f"Pending erasures: {len(pending)}")

    def rotate(self, options: dict[str, Any]) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        if options["new_master"]:
            try:
                fresh = add_development_master_key()
            except ImproperlyConfigured as refused:
                raise CommandError(str(refused)) from None
            self.stdout.write(f"New master key {fresh.id} is first in {master_keyring().source}.")
        current = master_keyring().current.id
        with Progress(
            TextColumn(f"Re-wrapping data keys under {current}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            transient=True,
            disable=options["quiet"],
        ) as bar:
            task = bar.add_task("rotate", total=None)

            def advance(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            try:
                result = rotate_master_key(batch_size=options["batch_size"], progress=advance)
            except WrongKey as failure:
                raise CommandError(f"{failure}. Nothing after the last finished batch was changed.") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.rewrapped} data keys re-wrapped under {result.master_key_id}; "
                f"{result.remaining} remain under other keys."
            )
        )
