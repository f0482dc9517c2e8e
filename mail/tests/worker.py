"""A real Celery worker (with its beat) in a subprocess, on the test database, for the outbox tests."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def test_database_url():
    """The test database as a DATABASE_URL, so a worker in another process opens the same one."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    def __init__(self, broker_url, email_url, log_dir, **settings):
        self.log_path = Path(log_dir) / f"worker-{uuid.uuid4().hex[:8]}.log"
        env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "EMAIL_URL", "REDIS_URL"}}
        env.update(
            DJANGO_SETTINGS_MODULE="sysmo.settings_test", DATABASE_URL=test_database_url(), REDIS_URL=broker_url,
            EMAIL_URL=email_url, CELERY_QUEUE=os.environ["CELERY_QUEUE"], PYTHONUNBUFFERED="1",
            **{name: str(value) for name, value in settings.items()},
        )
        command = [
            sys.executable, "-m", "celery", "-A", "sysmo", "worker", "-B", "-P", "solo", "-l", "info",
            "-n", f"outbox-test-{uuid.uuid4().hex[:8]}@%h", "--without-gossip", "--without-mingle",
            "--without-heartbeat", "--schedule", str(self.log_path.with_suffix(".beat")),
        ]
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self._wait_ready()

    def _wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.log():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"The Celery worker did not start:\n{self.log()[-3000:]}")

    def log(self):
        return self.log_path.read_text(errors="replace")

    def kill(self):
        """SIGKILL the worker and its beat: no cleanup, as when a machine dies."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self._log.close()

    def stop(self):
        """End of a test: a warm shutdown would only add a second; the outbox copes with a kill anyway."""
        self.kill()
