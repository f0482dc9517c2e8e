"""Fixtures shared by every app's tests."""

import os
import socket
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
