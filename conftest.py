"""Fixtures shared by every app's tests."""

import os
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from urllib.parse import urlparse

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def require_service(what):
    """Outside CI a missing service skips the test; in CI it fails it (CI must never silently skip)."""
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available.")
    pytest.skip(f"{what} is not available.")


def _answers(host, port):
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def redis_url():
    """The real Redis the tests may use: TEST_REDIS_URL, else the local one on 6379."""
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    parsed = urlparse(url)
    if not _answers(parsed.hostname, parsed.port or 6379):
        require_service(f"Redis at {parsed.hostname}:{parsed.port or 6379}")
    return url


@pytest.fixture
def unused_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own, to stop and start without touching the machine's one."""

    def __init__(self):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        import redis

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
def redis_server():
    """A RedisServer of this test's own on a free port (not started yet), killed at the end."""
    if not shutil.which("redis-server"):
        require_service("redis-server (to stop and start Redis in the fault tests)")
    server = RedisServer()
    yield server
    server.kill()


@contextmanager
def celery_broker(url):
    """Publish this process's Celery tasks to `url` (not eagerly) for the duration."""
    import kombu.pools

    from sysmo.celery import app as celery_app

    def reset_pools():
        kombu.pools.reset()  # closes and forgets every broker connection, so the next publish uses the new URL
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    saved = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = url, False
    reset_pools()
    try:
        yield url
    finally:
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved
        reset_pools()


@pytest.fixture
def own_redis(redis_server):
    """A redis-server of the test's own (not started yet), which is also the Celery broker."""
    with celery_broker(redis_server.url):
        yield redis_server


class S3Server:
    """moto's standalone S3-compatible server of the test's own on a free loopback port (`moto[server]`)."""

    def __init__(self):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self):
        import sys

        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if _answers("127.0.0.1", self.port):
                return self
            time.sleep(0.1)
        raise RuntimeError("moto's S3 server did not start")

    def client(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.url, region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test")  # noqa: S106 (moto's)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def s3_server():
    """One S3-compatible server for the test session (moto); each test takes a bucket of its own."""
    try:
        import moto.server  # noqa: F401
    except ImportError:
        require_service("moto's S3 server (pip install 'moto[server]')")
    server = S3Server().start()
    yield server
    server.stop()
