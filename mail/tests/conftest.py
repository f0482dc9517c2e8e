import time
from urllib.parse import urlparse

import pytest
import redis

from conftest import celery_broker as _broker
from mail import outbox
from mail.tests.smtp import SMTPServer
from mail.tests.worker import Worker
from sysmo.celery import app as celery_app

OUTBOX_BACKEND = "mail.outbox.OutboxBackend"
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """allauth keeps its rate limits in the cache: each test starts with none spent."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def outbox_mail(settings):
    """The mail API writes to the outbox, as in production (Django's test runner swaps in locmem)."""
    settings.EMAIL_BACKEND = OUTBOX_BACKEND
    outbox._broker_paused_until = 0.0
    return settings


@pytest.fixture
def smtp_server():
    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def shared_broker(redis_url):
    """The machine's Redis, on a database of the outbox tests' own; this process publishes there."""
    parsed = urlparse(redis_url)
    with _broker(f"redis://{parsed.hostname}:{parsed.port or 6379}/14") as url:
        yield url
    # The queue is this run's own: drop it and its bindings, with what a killed worker left in it.
    queue = celery_app.conf.task_default_queue
    redis.Redis.from_url(url, socket_timeout=2).delete(
        queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"
    )


@pytest.fixture
def start_worker(tmp_path):
    """start_worker(broker_url, email_url, **OUTBOX_SETTINGS) -> a running Worker, stopped at the end."""
    workers = []

    def start(broker_url, email_url, **settings):
        worker = Worker(broker_url, email_url, tmp_path, **settings)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def wait_for(condition, timeout=15, interval=0.05, what="the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout}s waiting for {what}.")


@pytest.fixture
def dovecot():
    """A Dovecot IMAP server of this test's own (mail/tests/dovecot.py), stopped and removed at the end."""
    import shutil
    import tempfile

    from conftest import require_service
    from mail.tests.dovecot import DovecotServer, available

    if not available():
        require_service("Dovecot (apt-get install dovecot-imapd)")
    folder = tempfile.mkdtemp(prefix="dovecot-")  # not under tmp_path: its parents are closed to `nobody`
    server = DovecotServer(folder).start()
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)
