"""`manage.py check` fails on a broken declaration and names the line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.test import override_settings

from privacy.policy.checks import check_policy_declaration
from privacy.policy.loader import reset_policy_cache
from privacy.policy.tests.conftest import Breaker
from privacy.policy.tests.support import line_of


def test_no_policy_messages_for_the_seed() -> None:
    assert check_policy_declaration() == []


def test_each_issue_is_an_error(broken: Breaker) -> None:
    path = broken(("\nsummary:\n", "\nsumary:\n"))

    with override_settings(PLEDGE_POLICY_FILE=path):
        reset_policy_cache()
        messages = check_policy_declaration()

    assert [(message.level, message.id) for message in messages] == [(checks.ERROR, "privacy.E001")] * 2
    assert (
        messages[1].msg
        == f"{path}:{line_of(path, 'sumary:')}: sumary: unknown key 'sumary' (did you mean 'summary'?)"
    )


def test_system_checks_include_the_declaration(broken: Breaker) -> None:
    path = broken(
        (
            "    - name: csrftoken\n      provider: SogaWorks\n      category: essential\n",
            "    - name: csrftoken\n      provider: SogaWorks\n      category: esential\n",
        )
    )

    with override_settings(PLEDGE_POLICY_FILE=path):
        reset_policy_cache()
        found = [message for message in checks.run_checks() if message.id == "privacy.E001"]

    assert [message.msg for message in found] == [
        f"{path}:{line_of(path, 'category: esential')}: cookies.cookies[1].category: "
        "unknown cookie category 'esential' (did you mean 'essential'?)"
    ]


def test_warnings_are_reported_as_warnings(broken: Breaker) -> None:
    path = broken(("    EU:\n      model: opt_in\n", "    EU:\n      model: opt_out\n"))

    with override_settings(PLEDGE_POLICY_FILE=path):
        reset_policy_cache()
        messages = check_policy_declaration()

    assert [(message.level, message.id) for message in messages] == [(checks.WARNING, "privacy.W001")]


def test_ready_does_not_read_the_declaration(broken: Breaker) -> None:
    path = broken(("\nsummary:\n", "\nsumary:\n"))

    with override_settings(PLEDGE_POLICY_FILE=path):
        reset_policy_cache()
        apps.get_app_config("policy").ready()  # no exception: the check reports it instead


def test_manage_py_check_fails_without_a_traceback(broken: Breaker) -> None:
    path = broken(("\nsummary:\n", "\nsumary:\n"))
    base = Path(settings.BASE_DIR)
    env = {
        **os.environ,
        "PLEDGE_ENV": "test",
        "PLEDGE_POLICY_FILE": str(path),
        "PYTHONPATH": str(base / "src"),
    }

    result = subprocess.run(
        [sys.executable, str(base / "manage.py"), "check"],
        capture_output=True,
        text=True,
        env=env,
        cwd=base,
        timeout=120,
        check=False,
    )

    assert result.returncode == 1
    assert f"(privacy.E001) {path}:{line_of(path, 'sumary:')}: sumary: unknown key 'sumary'" in result.stderr
    assert "Traceback" not in result.stderr
