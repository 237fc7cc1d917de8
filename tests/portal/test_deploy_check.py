"""The production settings (DEBUG=0) pass Django's deployment checklist."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

MANAGE_PY = Path(__file__).resolve().parents[2] / "manage.py"


def _manage(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(MANAGE_PY), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def production_env(tmp_path) -> dict[str, str]:
    """What an operator sets in production; nothing inherited from the developer's shell."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "VAR_DIR": str(tmp_path / "var"),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(45)[:60],
        "FIELD_ENCRYPTION_SALT": secrets.token_hex(16),
        "ALLOWED_HOSTS": "portal.example.go.id",
        # Sign-up needs a verified email address, so production always has a real mail server.
        "EMAIL_HOST": "smtp.example.go.id",
    }
    for name in ("DATABASE_URL", "REDIS_URL", "MQTT_URL"):
        if os.environ.get(name):
            env[name] = os.environ[name]
    return env


def test_production_settings_pass_check_deploy_without_a_single_warning(production_env, tmp_path):
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING", env=production_env, cwd=tmp_path
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output


def test_check_deploy_does_fail_on_a_weak_secret_key(production_env, tmp_path):
    production_env["SECRET_KEY"] = "pendek"

    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING", env=production_env, cwd=tmp_path
    )

    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "FIELD_ENCRYPTION_SALT"])
def test_production_refuses_to_start_without_its_secrets(production_env, tmp_path, missing):
    del production_env[missing]

    result = _manage("check", env=production_env, cwd=tmp_path)

    assert result.returncode != 0
    assert f"{missing} must be set when DEBUG=0" in result.stderr
