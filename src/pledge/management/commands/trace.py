from __future__ import annotations

import io
import json
import subprocess
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from pledge.trace import build_trace, parse_commitments

STYLE = {"kept": "green", "failing": "bold red", "unverified": "yellow", "not kept": "red"}


class Command(BaseCommand):
    help = (
        "Show, for each commitment C1-C45 of the privacy policy, the declaration keys, code and tests "
        "that keep it. A commitment is kept only when a test marked with its id passed in the last "
        "recorded test run (make test records it)."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print the trace as JSON.")
        parser.add_argument(
            "--run",
            action="store_true",
            help="Run the commitment-marked tests first, to refresh the outcomes.",
        )
        parser.add_argument(
            "--strict", action="store_true", help="Exit with status 1 unless every commitment is kept."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        project_root = Path(settings.BASE_DIR)
        commitments_file = Path(settings.PLEDGE_COMMITMENTS_FILE)
        if not commitments_file.exists():
            raise CommandError(
                f"Commitments file not found: {commitments_file} (set PLEDGE_COMMITMENTS_FILE)"
            )
        if options["run"]:
            subprocess.run(
                [sys.executable, "-m", "pytest", "-m", "commitment", "-q", "-p", "no:randomly"],
                cwd=project_root,
                check=False,
            )
        traces = build_trace(
            commitments=parse_commitments(commitments_file),
            declaration_keys=_declaration_keys(),
            source_root=project_root / "src",
            project_root=project_root,
            trace_dir=Path(settings.VAR_DIR) / "trace",
        )
        if options["json"]:
            self.stdout.write(json.dumps([trace.as_dict() for trace in traces], indent=2))
        else:
            self._print_table(traces)
        if options["strict"] and any(trace.status != "kept" for trace in traces):
            raise CommandError("Not every commitment is kept.", returncode=1)

    def _print_table(self, traces: list[Any]) -> None:
        table = Table(title="Commitments of the SogaWorks Privacy Policy", show_lines=False)
        for column in ("id", "status", "commitment", "declaration", "code", "tests (passed/marked)"):
            table.add_column(column, overflow="fold")
        for trace in traces:
            table.add_row(
                trace.commitment.id,
                f"[{STYLE[trace.status]}]{trace.status}[/]",
                trace.commitment.text,
                "\n".join(trace.declaration_keys) or "-",
                "\n".join(trace.code[:3]) + (f"\n… {len(trace.code) - 3} more" if len(trace.code) > 3 else "")
                or "-",
                f"{len(trace.passed)}/{len(trace.tests)}",
            )
        buffer = io.StringIO()
        console = Console(file=buffer, width=160, force_terminal=self.stdout.isatty())
        console.print(table)
        counts: dict[str, int] = {}
        for trace in traces:
            counts[trace.status] = counts.get(trace.status, 0) + 1
        console.print(
            ", ".join(f"{counts.get(s, 0)} {s}" for s in ("kept", "failing", "unverified", "not kept"))
        )
        self.stdout.write(buffer.getvalue(), ending="")


def _declaration_keys() -> dict[str, list[str]]:
    try:
        from privacy.policy.loader import current_policy

        policy = current_policy()
    except Exception:
        return {}
    mapping = getattr(policy, "commitments", None) or {}
    return {cid: list(keys) for cid, keys in mapping.items()}
