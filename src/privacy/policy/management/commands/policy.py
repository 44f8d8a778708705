"""`pledge policy check|render`: validate the declaration, or print what it publishes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.loader import render_to_string
from django.utils import translation

from privacy.policy.document import to_markdown
from privacy.policy.loader import PolicyInvalid, load_policy, policy_warnings
from privacy.policy.render import DJANGO_LANGUAGE, build_document


class Command(BaseCommand):
    help = "Check the privacy policy declaration, or render the policy and cookie notice it publishes."
    # Runs even when the configured declaration is broken: finding out why is its job.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="{check,render}")
        check = commands.add_parser(
            "check",
            help="Validate a declaration and list every error and warning.",
            description=(
                "Validate a policy declaration: YAML syntax, unknown or missing keys, fideslang "
                "categories and data uses, purposes, transfers, cookies, retention rules and "
                "durations. Prints each problem as FILE:LINE: KEY: MESSAGE and exits with status 1 "
                "if there is any error; warnings alone do not fail."
            ),
        )
        check.add_argument(
            "file",
            nargs="?",
            type=Path,
            help="The declaration to check (default: settings.PLEDGE_POLICY_FILE).",
        )
        render = commands.add_parser(
            "render",
            help="Print the published privacy policy or cookie notice.",
            description=(
                "Print the privacy policy (which includes the cookie notice), or the cookie notice "
                "alone, rendered from the declaration as Markdown or as a standalone HTML page."
            ),
        )
        render.add_argument(
            "--format", choices=["md", "html"], default="md", help="Output format (default: md)."
        )
        render.add_argument("--lang", choices=["en", "zh"], default="en", help="Language (default: en).")
        render.add_argument(
            "--notice",
            choices=["privacy", "cookies"],
            default="privacy",
            help="The full privacy policy (default) or the cookie notice alone.",
        )
        render.add_argument(
            "--file", type=Path, help="The declaration to render (default: settings.PLEDGE_POLICY_FILE)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "check":
            self._check(options["file"] or Path(settings.PLEDGE_POLICY_FILE))
        else:
            self._render(
                options["file"] or Path(settings.PLEDGE_POLICY_FILE),
                fmt=options["format"],
                lang=options["lang"],
                notice=options["notice"],
            )

    def _check(self, path: Path) -> None:
        try:
            policy = load_policy(path)
        except PolicyInvalid as exc:
            for issue in exc.issues:
                self.stdout.write(f"error: {issue}")
            count = len(exc.issues)
            raise CommandError(f"{path}: {count} error{'s' if count != 1 else ''}", returncode=1) from None
        warnings = policy_warnings(policy)
        for warning in warnings:
            self.stdout.write(f"warning: {warning}")
        self.stdout.write(
            self.style.SUCCESS(
                f"OK {path}: version {policy.version}, effective {policy.effective_date}; "
                f"{len(policy.contexts)} contexts, {len(policy.purposes)} purposes, "
                f"{len(policy.recipients)} recipients, {len(policy.cookies.cookies)} cookies, "
                f"{len(policy.retention)} retention rules; {len(warnings)} warnings, "
                f"{len(policy.gaps)} recorded policy-vs-law gaps."
            )
        )

    def _render(self, path: Path, *, fmt: str, lang: str, notice: str) -> None:
        try:
            policy = load_policy(path)
        except PolicyInvalid as exc:
            raise CommandError(str(exc), returncode=1) from None
        document = build_document(
            policy,
            lang="zh" if lang == "zh" else "en",
            notice="cookies" if notice == "cookies" else "privacy",
        )
        if fmt == "md":
            self.stdout.write(to_markdown(document), ending="")
            return
        with translation.override(DJANGO_LANGUAGE[document.lang]):
            self.stdout.write(render_to_string("policy/standalone.html", {"doc": document}))
