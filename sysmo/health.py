"""`/health/`: is the database (and, when configured, Redis) answering? No secrets in the answer."""

import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache():
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
    body = {"status": "down" if down else "ok", "down": down, "checks": results}
    return JsonResponse(body, status=503 if down else 200)
