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


PRODUCTION = {"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.com"}
PRINT_SECURITY = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS,"
    " getattr(s, 'SECURE_PROXY_SSL_HEADER', None)]))"
)


def run_code(code, env):
    clean = {k: v for k, v in os.environ.items()
             if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "SITE_URL", "SECURE_COOKIES"}}
    clean.update(env, DJANGO_SETTINGS_MODULE="sysmo.settings")
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


MALFORMED = {
    # setting=value: what start-up says
    ("SECURE_COOKIES", "ture"): "SECURE_COOKIES must be true or false (got 'ture').",
    ("DEBUG", "si"): "DEBUG must be true or false (got 'si').",
    ("HSTS_SECONDS", "un año"): "HSTS_SECONDS must be an integer (got 'un año').",
    ("EMAIL_TIMEOUT", "10s"): "EMAIL_TIMEOUT must be an integer (got '10s').",
    ("ATTACHMENT_MAX_SIZE_MB", "2.5"): "ATTACHMENT_MAX_SIZE_MB must be an integer (got '2.5').",
    ("OUTBOX_RETRY_BASE_SECONDS", "treinta"): "OUTBOX_RETRY_BASE_SECONDS must be a number (got 'treinta').",
}


@pytest.mark.parametrize(("setting", "message"), list(MALFORMED.items()), ids=lambda x: str(x))
def test_a_malformed_boolean_or_number_stops_the_start_naming_the_setting(setting, message):
    name, value = setting
    result = run_code(PRINT_SECURITY, {**PRODUCTION, name: value})
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize("word", ["true", "TRUE", "yes", "on", "1"])
def test_every_usual_way_of_saying_true_is_understood(word):
    result = run_code(PRINT_SECURITY, {**PRODUCTION, "SECURE_COOKIES": word})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("[true, true, ")


def test_https_site_turns_on_secure_cookies_redirect_and_hsts_each_configurable():
    on = run_code(PRINT_SECURITY, {**PRODUCTION, "SITE_URL": "https://soporte.example.com"})
    assert on.returncode == 0, on.stderr
    assert on.stdout.strip() == "[true, true, true, 31536000, null]"
    tuned = run_code(PRINT_SECURITY, {**PRODUCTION, "SITE_URL": "https://soporte.example.com", "HSTS_SECONDS": "3600",
                                      "SECURE_SSL_REDIRECT": "off", "TRUST_X_FORWARDED_PROTO": "true"})
    assert tuned.stdout.strip() == '[true, true, false, 3600, ["HTTP_X_FORWARDED_PROTO", "https"]]'
    plain = run_code(PRINT_SECURITY, {**PRODUCTION, "SITE_URL": "http://127.0.0.1:8000"})
    assert plain.stdout.strip() == "[false, false, false, 0, null]"


def test_without_collected_static_files_the_app_server_refuses_to_start_saying_what_to_run(tmp_path):
    result = run_code("import sysmo.wsgi", {**PRODUCTION, "STATIC_ROOT": str(tmp_path / "nothing")})
    assert result.returncode != 0
    assert "The static files are not collected" in result.stderr
    assert "manage.py collectstatic --noinput" in result.stderr
    check = run_code("import django; from django.core.management import call_command; django.setup(); "
                     "call_command('check', deploy=True)", {**PRODUCTION, "STATIC_ROOT": str(tmp_path / "nothing")})
    assert "sysmo.E001" in check.stderr
