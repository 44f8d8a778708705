"""`pledge policy check|render`."""

from __future__ import annotations

import argparse
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from privacy.policy.management.commands.policy import Command
from privacy.policy.tests.conftest import Breaker
from privacy.policy.tests.support import line_of


def run(*args: str) -> str:
    out = StringIO()
    call_command("policy", *args, stdout=out)
    return out.getvalue()


def test_check_passes_on_the_seed(seed_file: Path) -> None:
    output = run("check")

    assert output.startswith(f"OK {seed_file}: version 2023.09, effective 2023-09-01; 9 contexts, ")
    assert "0 warnings" in output
    assert "error" not in output


def test_check_fails_with_status_1_and_lists_every_error(broken: Breaker) -> None:
    path = broken(("\nsummary:\n", "\nsumary:\n"))
    out = StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("policy", "check", str(path), stdout=out)

    assert raised.value.returncode == 1
    assert str(raised.value) == f"{path}: 2 errors"
    assert out.getvalue().splitlines() == [
        f"error: {path}:{line_of(path, 'version:')}: summary: missing key 'summary'",
        f"error: {path}:{line_of(path, 'sumary:')}: sumary: unknown key 'sumary' (did you mean 'summary'?)",
    ]


def test_check_prints_warnings_but_passes(broken: Breaker) -> None:
    path = broken(("    EU:\n      model: opt_in\n", "    EU:\n      model: opt_out\n"))

    output = run("check", str(path))

    assert output.startswith(f"warning: {path}:")
    assert "cookies.jurisdictions.EU.model: the consent model is 'opt_out'" in output
    assert "OK " in output


def test_render_markdown_in_both_languages() -> None:
    english = run("render", "--format", "md")
    chinese = run("render", "--format", "md", "--lang", "zh")

    assert english.startswith("# Privacy Policy\n")
    assert "## Cookies Notice" in english
    assert "| sessionid | SogaWorks |" in english
    assert chinese.startswith("# 隐私政策\n")
    assert "## 您的权利" in chinese


def test_render_html_is_a_page_in_the_right_language() -> None:
    page = run("render", "--format", "html", "--lang", "zh", "--notice", "cookies")

    assert page.lstrip().startswith("<!doctype html>")
    assert '<html lang="zh-hans">' in page
    assert "<h1>Cookie 声明</h1>" in page
    assert "Your Rights" not in page


def test_render_refuses_a_broken_declaration(broken: Breaker) -> None:
    path = broken(("\nsummary:\n", "\nsumary:\n"))

    with pytest.raises(CommandError) as raised:
        run("render", "--file", str(path))

    assert raised.value.returncode == 1


def test_every_subcommand_explains_itself() -> None:
    parser = Command().create_parser("pledge", "policy")
    [subparsers] = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]

    def text(help_text: str) -> str:
        return " ".join(help_text.split())

    assert set(subparsers.choices) == {"check", "render"}
    assert "exits with status 1 if there is any error" in text(subparsers.choices["check"].format_help())
    assert "--format {md,html}" in text(subparsers.choices["render"].format_help())
    assert "--lang {en,zh}" in text(subparsers.choices["render"].format_help())
    assert "Validate a declaration" in text(parser.format_help())


def test_command_runs_without_system_checks() -> None:
    assert Command.requires_system_checks == []
