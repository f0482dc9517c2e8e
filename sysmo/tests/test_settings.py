"""The app refuses to start insecurely, and reads its configuration from the environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRINT_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.DEBUG, s.ALLOWED_HOSTS, s.DATABASES['default']['ENGINE'], s.TIME_ZONE, s.LANGUAGE_CODE]))"
)


def run_with(env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}}
    clean.update(env, DJANGO_SETTINGS_MODULE="sysmo.settings")
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", PRINT_SETTINGS], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("env", "missing"),
    [({}, "SECRET_KEY"), ({"SECRET_KEY": "x" * 50}, "ALLOWED_HOSTS"), ({"DEBUG": "false"}, "SECRET_KEY")],
)
def test_without_debug_it_refuses_to_start_without_secret_key_and_hosts(env, missing):
    result = run_with(env)
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


def test_debug_starts_with_safe_local_defaults():
    result = run_with({"DEBUG": "true"})
    assert result.returncode == 0, result.stderr
    assert '[true, ["localhost", "127.0.0.1", "[::1]"], "django.db.backends.sqlite3", ' in result.stdout
    assert '"America/Argentina/Buenos_Aires", "es-ar"]' in result.stdout


def test_database_url_selects_the_database():
    result = run_with({"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.com",
                       "DATABASE_URL": "postgres://u@db.example:5432/sysmo"})
    assert result.returncode == 0, result.stderr
    assert "django.db.backends.postgresql" in result.stdout
