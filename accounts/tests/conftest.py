import pytest

from mail.tests.conftest import outbox_mail  # noqa: F401 (a fixture: the accounts tests send through the outbox)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """allauth keeps its rate limits in the cache: each test starts with none spent."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
