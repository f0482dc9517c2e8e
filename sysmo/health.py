"""`/health/`: is the database (and, when configured, Redis) answering? No secrets in the answer.

The database is essential: without it the answer is 503, so a load balancer stops sending requests here.
Redis is not (sysmo/cache.py: the rate limits fall back to each process's memory, the outbox waits for its
sweep): with it down the answer stays 200, `"status": "degraded"`, and `down` names it for monitoring.
"""

import time

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


ESSENTIAL = {"database"}


def _check_cache():
    cache = caches["default"]
    if hasattr(cache, "check_shared"):  # ask Redis itself, not the memory standing in for it
        cache.check_shared()
        return
    key = "health:probe"
    cache.set(key, "ok", timeout=5)
    if cache.get(key) != "ok":
        raise RuntimeError("cache did not return the value it was given")


def _run(check):
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:  # a health check reports every failure, whatever its kind
        return {"status": "down", "error": type(exc).__name__}
    return {"status": "ok", "ms": round((time.perf_counter() - started) * 1000, 1)}


def configured_checks():
    checks = {"database": _check_database}
    if settings.REDIS_URL:
        checks["cache"] = _check_cache
    return checks


@never_cache
def health(request):
    results = {name: _run(check) for name, check in configured_checks().items()}
    down = sorted(name for name, result in results.items() if result["status"] != "ok")
    status = "down" if ESSENTIAL.intersection(down) else "degraded" if down else "ok"
    body = {"status": status, "down": down, "checks": results}
    return JsonResponse(body, status=503 if status == "down" else 200)
