"""Backups restore: deploy/backup.sh, then the database dropped and the attachments deleted, then
deploy/restore.sh into a new empty database gives back every request, person and attachment byte for byte.

Runs against the PostgreSQL of DATABASE_URL's server (127.0.0.1:5432 by default) in a database of its own,
dropped at the end; CI=true fails without PostgreSQL.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

from conftest import _answers, require_service

ROOT = Path(__file__).resolve().parents[2]
SUMMARY = """
import django, hashlib, json; django.setup()
from accounts.models import User
from tickets.models import Attachment, Intervention, Ticket
files = {}
for a in Attachment.objects.order_by("pk"):
    with a.file.open("rb") as f:
        files[a.original_name] = hashlib.sha256(f.read()).hexdigest()
print(json.dumps({
    "tickets": list(Ticket.objects.order_by("pk").values_list("pk", "subject", "state")),
    "interventions": Intervention.objects.count(),
    "users": sorted(User.objects.values_list("email", flat=True)),
    "password_ok": User.objects.get(email="admin@demo.sysmo.ar").check_password("demo-sysmo-2026"),
    "files": files,
}))
"""


@pytest.fixture
def database():
    server = urlparse(os.environ.get("DATABASE_URL", "") if os.environ.get("DATABASE_URL", "").startswith("postgres")
                      else "postgres://postgres@127.0.0.1:5432/postgres")
    if not (shutil.which("pg_dump") and _answers(server.hostname, server.port or 5432)):
        require_service("PostgreSQL and its client tools (pg_dump, pg_restore)")
    name = f"sysmo_backup_test_{os.getpid()}"
    url = server._replace(path=f"/{name}").geturl()
    admin = server._replace(path="/postgres").geturl()

    def sql(statement):
        subprocess.run(["psql", "--quiet", "--dbname", admin, "-c", statement], check=True, capture_output=True)  # noqa: S603, S607

    sql(f'DROP DATABASE IF EXISTS "{name}"')
    sql(f'CREATE DATABASE "{name}"')
    yield url, sql, name
    sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(command, env, **kwargs):
    return subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=600,  # noqa: S603
                          **kwargs)


@pytest.mark.postgres
def test_backup_wipe_and_restore_gives_everything_back(database, tmp_path):
    url, sql, name = database
    media = tmp_path / "private"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ATTACHMENTS_S3_"))}
    env.update(DJANGO_SETTINGS_MODULE="sysmo.settings", DEBUG="true", DATABASE_URL=url, PRIVATE_MEDIA_ROOT=str(media))
    manage = [sys.executable, "manage.py"]
    run([*manage, "migrate", "--noinput"], env)
    run([*manage, "seed_demo"], env)
    before = json.loads(run([sys.executable, "-c", SUMMARY], env).stdout)
    assert len(before["tickets"]) >= 50 and before["files"] and before["password_ok"]

    backup = Path(run(["deploy/backup.sh", str(tmp_path / "backups")], env).stdout.strip())
    assert {p.name for p in backup.iterdir()} == {"database.dump", "attachments.tar.gz", "SHA256SUMS"}

    # The disaster: the database and the attachments are gone.
    sql(f'DROP DATABASE "{name}" WITH (FORCE)')
    shutil.rmtree(media)
    sql(f'CREATE DATABASE "{name}"')

    run(["deploy/restore.sh", str(backup)], env)
    after = json.loads(run([sys.executable, "-c", SUMMARY], env).stdout)
    assert after == before
    # The restored site works: nothing left to migrate.
    assert "No migrations to apply" in run([*manage, "migrate", "--noinput"], env).stdout


@pytest.mark.postgres
def test_a_damaged_backup_is_refused_before_touching_the_database(database, tmp_path):
    url, _sql, _name = database
    backup = tmp_path / "sysmo-20260101T000000"
    backup.mkdir()
    (backup / "database.dump").write_bytes(b"not a dump")
    (backup / "SHA256SUMS").write_text("0" * 64 + "  database.dump\n")
    env = {**os.environ, "DATABASE_URL": url}
    result = subprocess.run([str(ROOT / "deploy" / "restore.sh"), str(backup)], cwd=ROOT, env=env,  # noqa: S603
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert "FAILED" in result.stdout + result.stderr
