import pytest
from django.test import override_settings


def redis_settings(url):
    return {
        "REDIS_URL": url,
        "CACHES": {
            "default": {
                "BACKEND": "sysmo.cache.RedisCacheWithLocalFallback",
                "LOCATION": url,
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        },
    }


@pytest.mark.django_db
def test_healthy_without_redis_checks_only_the_database(client):
    with override_settings(REDIS_URL=""):
        response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert list(body["checks"]) == ["database"]


@pytest.mark.django_db
@pytest.mark.redis
def test_healthy_with_a_real_redis(client, redis_url):
    with override_settings(**redis_settings(redis_url)):
        response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["checks"]["cache"]["status"] == "ok"


@pytest.mark.django_db
def test_a_dead_redis_is_named_quickly_and_the_server_stays_in_service(client, unused_port):
    """Pages work without Redis (sysmo/cache.py): a load balancer must not take every server out for it."""
    with override_settings(**redis_settings(f"redis://127.0.0.1:{unused_port}/0")):
        response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["down"] == ["cache"]
    assert body["checks"]["database"]["status"] == "ok"


@pytest.mark.django_db
def test_health_reveals_no_secrets(client, settings):
    dead = "redis://:s3cret-password@127.0.0.1:1/0"
    with override_settings(**redis_settings(dead)):
        text = client.get("/health/").content.decode()
    assert "s3cret" not in text
    assert settings.SECRET_KEY not in text
    assert "127.0.0.1" not in text


def test_a_broken_database_answers_503(client, monkeypatch):
    from sysmo import health

    def broken():
        raise ConnectionError("database is gone")

    monkeypatch.setattr(health, "_check_database", broken)
    with override_settings(REDIS_URL=""):
        response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["down"] == ["database"]


@pytest.mark.django_db
def test_a_broken_database_answers_503_even_with_redis_down_too(client, monkeypatch, unused_port):
    from sysmo import health

    def broken():
        raise ConnectionError("database is gone")

    monkeypatch.setattr(health, "_check_database", broken)
    with override_settings(**redis_settings(f"redis://127.0.0.1:{unused_port}/0")):
        response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["status"] == "down"
    assert response.json()["down"] == ["cache", "database"]
