import shutil
import subprocess
import time
from contextlib import contextmanager
from urllib.parse import urlparse

import kombu.pools
import pytest
import redis

from accounts import outbox
from accounts.tests.smtp import SMTPServer, free_port
from accounts.tests.worker import Worker
from conftest import require_service
from sysmo.celery import app as celery_app

OUTBOX_BACKEND = "accounts.outbox.OutboxBackend"
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


def _reset_broker_pools():
    kombu.pools.reset()  # closes and forgets every broker connection, so the next publish uses the new URL
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def _broker(url):
    saved = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = url, False
    _reset_broker_pools()
    try:
        yield url
    finally:
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved
        _reset_broker_pools()


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


class RedisServer:
    """A redis-server of the test's own, to stop and start without touching the machine's one."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",  # noqa: S607
             "--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis(port=self.port, socket_connect_timeout=0.2).ping():
                    return self
            except Exception:  # not listening yet
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def own_redis():
    if not shutil.which("redis-server"):
        require_service("redis-server (to stop and start Redis in the fault tests)")
    server = RedisServer()
    with _broker(server.url):
        yield server
        server.kill()


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
