"""The shared cache: Redis, with this process's memory standing in while Redis does not answer.

Nothing we keep in the cache is needed to serve a page: it holds allauth's rate limits (failed passwords,
sign-ups, reset requests…). So a Redis outage must not answer 500 on login, sign-up or a reset request, as
Django's RedisCache does. The rule chosen (README, "Settings"): the limits fail *safe and local*. While Redis
is down every app process counts in its own memory, so each process still refuses a sixth wrong password for
an account; across N processes an attacker gets at most N times the allowance, for as long as the outage
lasts. When Redis answers again the shared counts take over.

- One failed call marks Redis down for RETRY_SECONDS: the following calls go straight to memory instead of
  each paying the connection timeout; then one call tries Redis again.
- The outage is logged once per process when it starts and once when it ends, not per request.
- `/health/` asks Redis itself (`check_shared`), so it says the cache is down while pages keep working.

We wrote this (about 60 lines) rather than use django-cache-fallback, which tries the dead server on every
call (a connection timeout per cache operation, several per login) and logs every failure.
"""

import logging
import threading
import time
from urllib.parse import urlparse

import redis
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)

REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
RETRY_SECONDS = 5.0
# The operations Django's cache API routes to the backend; the rest of BaseCache is built on these.
OPERATIONS = ("add", "get", "set", "touch", "delete", "get_many", "has_key", "incr", "set_many", "delete_many",
              "clear")


class _Outage:
    """Whether one Redis location is down, shared by the cache objects of every thread of this process."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down = False
        self.retry_at = 0.0


_outages = {}
_outages_lock = threading.Lock()


def _where(location):
    """host:port of a Redis URL, for the logs: never its password."""
    parsed = urlparse(location)
    return f"{parsed.hostname}:{parsed.port or 6379}"


class RedisCacheWithLocalFallback(RedisCache):
    """CACHES backend: Django's RedisCache, falling back to a LocMemCache of this process while Redis is down.

    Takes what RedisCache takes, plus RETRY_SECONDS (how long to skip Redis after a failure). Never raises
    because Redis is unreachable; raises what RedisCache raises for anything else.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self._retry_seconds = float(params.get("RETRY_SECONDS", RETRY_SECONDS))
        self._where = _where(self._servers[0])
        with _outages_lock:
            self._outage = _outages.setdefault(server, _Outage())
        local_params = {name: value for name, value in params.items() if name not in ("OPTIONS", "RETRY_SECONDS")}
        self._local = LocMemCache(f"redis-fallback:{server}", local_params)

    @property
    def is_down(self):
        return self._outage.down

    def _call(self, operation, *args, **kwargs):
        outage = self._outage
        if outage.down and time.monotonic() < outage.retry_at:
            return getattr(self._local, operation)(*args, **kwargs)
        try:
            result = getattr(RedisCache, operation)(self, *args, **kwargs)
        except REDIS_DOWN as exc:
            self._went_down(exc)
            return getattr(self._local, operation)(*args, **kwargs)
        if outage.down:
            self._came_back()
        return result

    def _went_down(self, exc):
        outage = self._outage
        with outage.lock:
            outage.retry_at = time.monotonic() + self._retry_seconds
            if outage.down:
                return
            outage.down = True
        log.error(
            "Cache: Redis at %s does not answer (%s). Rate limits are counted in each app process until it "
            "does; pages keep working.", self._where, type(exc).__name__,
        )

    def _came_back(self):
        outage = self._outage
        with outage.lock:
            if not outage.down:
                return
            outage.down = False
        log.warning("Cache: Redis at %s answers again; rate limits are shared again.", self._where)

    def check_shared(self):
        """Write and read a value in Redis itself (not the fallback); raise if that fails. For /health/."""
        try:
            RedisCache.set(self, "health:probe", "ok", timeout=5)
            if RedisCache.get(self, "health:probe") != "ok":
                raise RuntimeError("Redis did not return the value it was given")
        except REDIS_DOWN as exc:
            self._went_down(exc)
            raise
        if self._outage.down:
            self._came_back()


def _operation(name):
    def operation(self, *args, **kwargs):
        return self._call(name, *args, **kwargs)

    operation.__name__ = name
    operation.__doc__ = f"RedisCache.{name}, or this process's memory while Redis is down."
    return operation


for _name in OPERATIONS:
    setattr(RedisCacheWithLocalFallback, _name, _operation(_name))
