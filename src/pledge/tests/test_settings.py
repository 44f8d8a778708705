"""Production settings refuse to start without their secrets, and pass check --deploy when given them."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

PRODUCTION_ENV = {
    "PLEDGE_ENV": "production",
    "SECRET_KEY": "p" + base64.b64encode(os.urandom(48)).decode(),
    "ALLOWED_HOSTS": "sogaworks.com",
    "DATABASE_URL": "postgres://pledge@127.0.0.1:5432/pledge",
    "KEYSTORE_DATABASE_URL": "postgres://pledge@127.0.0.1:5432/pledge_keys",
    "PLEDGE_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
    "PLEDGE_INDEX_KEY": base64.b64encode(os.urandom(32)).decode(),
    "EMAIL_HOST": "smtp.sogaworks.com",
}


def _pledge(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    dropped = {*PRODUCTION_ENV, "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    clean.update(env)
    clean["PYTHONPATH"] = str(ROOT / "src")
    clean["PLEDGE_VAR_DIR"] = str(tmp_path / "var")
    return subprocess.run(
        [sys.executable, "-m", "pledge.cli", *args],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.commitment("C36")
def test_production_passes_check_deploy_with_no_warnings(tmp_path: Path) -> None:
    result = _pledge(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV, tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout
    # One check is silenced, and it is not a deploy check: auth.W004 (accounts.User's
    # encrypted username is unique through its blind index; see settings and decision 0006).
    assert "System check identified no issues (1 silenced)." in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "PLEDGE_MASTER_KEY", "PLEDGE_INDEX_KEY", "DATABASE_URL"])
def test_production_refuses_to_start_without_a_secret(missing: str, tmp_path: Path) -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = _pledge(["check"], env, tmp_path)
    assert result.returncode == 1
    assert f"Production settings need these environment variables: {missing}" in result.stderr


def test_unknown_environment_name_is_refused(tmp_path: Path) -> None:
    result = _pledge(["check"], {"PLEDGE_ENV": "staging"}, tmp_path)
    assert result.returncode == 1
    assert "PLEDGE_ENV must be development, test or production, not 'staging'" in result.stderr
