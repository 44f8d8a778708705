"""`pledge marketing create|send`: write a campaign, and send it to those who may receive it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from marketing.actions import MarketingError, create_campaign, send_campaign
from marketing.tasks import send_campaign_task

ACTOR = "system:cli"


class Command(BaseCommand):
    help = "Marketing e-mails. `create`: write a campaign. `send`: e-mail it to every customer who consented."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        create = sub.add_parser("create", help="Write a campaign (its body from a text file).")
        create.add_argument("--campaign", required=True, help="The campaign's name (a slug).")
        create.add_argument("--subject", required=True, help="The e-mail's subject line.")
        create.add_argument(
            "--body-file", required=True, type=Path, help="A UTF-8 text file: the e-mail's body."
        )
        send = sub.add_parser("send", help="E-mail a campaign to customers with marketing consent in force.")
        send.add_argument("--campaign", required=True, help="The campaign's name.")
        send.add_argument("--background", action="store_true", help="Enqueue it for the task worker instead.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["verb"] == "create":
                body = Path(options["body_file"]).read_text(encoding="utf-8")
                campaign = create_campaign(
                    name=options["campaign"], subject_line=options["subject"], body=body, actor=ACTOR
                )
                self.stdout.write(f"campaign {campaign.name} created")
            elif options["background"]:
                send_campaign_task.enqueue(options["campaign"])
                self.stdout.write(f"campaign {options['campaign']} enqueued")
            else:
                result = send_campaign(name=options["campaign"], actor=ACTOR)
                self.stdout.write(
                    f"campaign {result.campaign}: {result.sent} sent, {result.failed} failed, "
                    f"{result.already} reached before"
                )
        except MarketingError as refused:
            raise CommandError(str(refused)) from None
