"""Logging in: by email in any case, no username, allauth's rate limits held in the shared cache."""

import pytest
import redis
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import TEST_PASSWORD, ClientFactory, verified

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")


def test_login_is_by_email_whatever_its_case(client):
    user = verified(ClientFactory(email="lucia.benitez@example.com"))

    response = client.post(LOGIN, {"login": "Lucia.BENITEZ@example.com", "password": TEST_PASSWORD})

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_the_login_form_speaks_our_spanish(client):
    page = client.get(LOGIN).content.decode()

    assert "Correo electrónico" in page
    assert "¿Olvidaste tu contraseña?" in page
    assert "Email" not in page


def test_too_many_failed_logins_for_one_email_are_refused_even_with_the_right_password(client):
    verified(ClientFactory(email="jorge@example.com"))
    for _ in range(5):
        client.post(LOGIN, {"login": "jorge@example.com", "password": "no-es-la-clave-1"})

    response = client.post(LOGIN, {"login": "jorge@example.com", "password": TEST_PASSWORD})

    assert response.status_code == 200
    assert "Demasiados intentos fallidos" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.redis
def test_with_redis_the_limits_are_shared_by_every_app_server(settings, redis_url):
    """Two app servers are two processes with their own memory; only a shared cache makes the limit hold."""
    settings.CACHES = {"default": {
        "BACKEND": "sysmo.cache.RedisCacheWithLocalFallback", "LOCATION": redis_url, "KEY_PREFIX": "ratelimit-test",
    }}
    caches["default"].clear()
    try:
        verified(ClientFactory(email="valeria@example.com"))
        server_a, server_b = Client(), Client()
        for _ in range(5):
            server_a.post(LOGIN, {"login": "valeria@example.com", "password": "no-es-la-clave-1"})
        assert redis.Redis.from_url(redis_url).keys("ratelimit-test:*")  # the attempts are counted in Redis
        del caches["default"]  # server B opens its own connection to the cache

        response = server_b.post(LOGIN, {"login": "valeria@example.com", "password": TEST_PASSWORD})

        assert "Demasiados intentos fallidos" in response.content.decode()
        assert "_auth_user_id" not in server_b.session
    finally:
        caches["default"].clear()


def test_too_many_sign_ups_from_one_address_get_429_in_our_layout(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/m/ip"}
    for _ in range(2):
        client.post(reverse("account_signup"), {"email": "x@example.com"})

    response = client.post(reverse("account_signup"), {"email": "x@example.com"})

    assert response.status_code == 429
    assert "Demasiados intentos" in response.content.decode()
    assert "Sysmo Tickets" in response.content.decode()
