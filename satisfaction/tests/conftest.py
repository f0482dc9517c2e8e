import pytest


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """allauth keeps its rate limits (satisfaction_answer too) in the cache: each test starts with none spent."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
