"""Redis down: every page that uses the cache (the rate limits) still works, the limits still hold (per app
process), /health/ names the cache, and the logs say so once — with the tests' own redis-server, killed."""

import logging
import uuid

import pytest
import redis
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import TEST_PASSWORD, ClientFactory, OperatorFactory, verified
from mail.models import OutboxMessage
from tickets.models import Ticket
from topics.tests.factories import TopicFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "dulce-de-leche-2031"
DOWN_LOG = "does not answer"
BACK_LOG = "answers again"


@pytest.fixture
def redis_cache(own_redis, settings):
    """The app's own settings for REDIS_URL, pointed at a redis-server of this test's own (cache and broker)."""
    own_redis.start()
    settings.REDIS_URL = own_redis.url
    settings.CACHES = {"default": {
        "BACKEND": "sysmo.cache.RedisCacheWithLocalFallback", "LOCATION": own_redis.url,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        "RETRY_SECONDS": 0,  # try Redis again on every call: the log must still say it once
    }}
    settings.EMAIL_BACKEND = "mail.outbox.OutboxBackend"  # as in production: mail waits in the outbox
    return own_redis


def log_in(user, password=TEST_PASSWORD):
    browser = Client()
    browser.post(reverse("account_login"), {"login": user.email, "password": password})
    return browser


# --- Each page that uses the cache: returns True when it did its job. ----------------------------------------


def login(n):
    user = verified(ClientFactory())
    return log_in(user).session.get("_auth_user_id") == str(user.pk)


def sign_up(n):
    email = f"nuevo{n}@example.com"
    Client().post(reverse("account_signup"), {
        "email": email, "company_name": "Panadería La Espiga S.R.L.", "cuit": "30-71876543-5",
        "full_name": "Ana Martínez", "phone": "011 4321-5678", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })
    return User.objects.filter(email=email).exists()


def password_reset_request(n):
    user = verified(ClientFactory())
    response = Client().post(reverse("account_reset_password"), {"email": user.email})
    return response.status_code == 302 and OutboxMessage.objects.filter(to=[user.email]).exists()


def reauthentication(n):
    user = verified(ClientFactory())
    browser = Client()
    browser.force_login(user)
    return browser.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD}).status_code == 302


def password_change(n):
    user = verified(ClientFactory())
    browser = Client()
    browser.force_login(user)
    browser.post(reverse("account_change_password"), {
        "oldpassword": TEST_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })
    user.refresh_from_db()
    return user.check_password(NEW_PASSWORD)


def filing_a_request(n):
    requester = verified(ClientFactory())
    topic = TopicFactory(operators=[OperatorFactory()])
    browser = Client()
    browser.force_login(requester)
    browser.post(reverse("tickets:create"), {
        "topic": topic.pk, "subject": f"No sale la factura {n}", "description": "Da error 10016.",
        "form_key": str(uuid.uuid4()),
    })
    return Ticket.objects.filter(requester=requester).exists()


PAGES = {
    "login": login,
    "sign-up": sign_up,
    "password reset request": password_reset_request,
    "reauthentication": reauthentication,
    "password change": password_change,
    "filing a request": filing_a_request,
}
USES_THE_CACHE = set(PAGES) - {"filing a request"}  # filing worked before; it must keep working


def outage_logs(caplog, text):
    return [r for r in caplog.records if r.name == "sysmo.cache" and text in r.getMessage()]


@pytest.mark.redis
@pytest.mark.parametrize("page", PAGES)
def test_with_redis_down_the_page_works_and_the_outage_is_logged_once(page, redis_cache, caplog):
    assert PAGES[page](0)  # Redis up
    redis_cache.kill()

    with caplog.at_level(logging.WARNING, logger="sysmo.cache"):
        results = [PAGES[page](n) for n in range(1, 4)]

    assert results == [True, True, True]
    logged = outage_logs(caplog, DOWN_LOG)
    assert len(logged) == (1 if page in USES_THE_CACHE else 0)
    assert all(record.levelno == logging.ERROR and "127.0.0.1" in record.getMessage() for record in logged)


@pytest.mark.redis
def test_every_page_in_a_row_logs_the_outage_once(redis_cache, caplog):
    redis_cache.kill()
    with caplog.at_level(logging.WARNING, logger="sysmo.cache"):
        assert {page: PAGES[page](7) for page in PAGES} == dict.fromkeys(PAGES, True)
    assert len(outage_logs(caplog, DOWN_LOG)) == 1


@pytest.mark.redis
def test_with_redis_down_the_limits_still_hold_in_the_process(redis_cache):
    redis_cache.kill()
    user = verified(ClientFactory())
    for _ in range(5):
        log_in(user, "no-es-la-clave-1")

    assert "_auth_user_id" not in log_in(user).session


@pytest.mark.redis
def test_health_names_the_cache_while_pages_work_and_both_recover_with_redis(redis_cache, client, caplog):
    assert client.get("/health/").json()["status"] == "ok"
    redis_cache.kill()

    with caplog.at_level(logging.WARNING, logger="sysmo.cache"):
        response = client.get("/health/")
        assert login(1)
        redis_cache.start()  # same port: Redis is back
        assert login(2)
        back = client.get("/health/")

    assert response.status_code == 200  # a load balancer keeps sending requests: pages work without Redis
    assert response.json()["status"] == "degraded"
    assert response.json()["down"] == ["cache"]
    assert back.json() == {**back.json(), "status": "ok", "down": []}
    assert len(outage_logs(caplog, DOWN_LOG)) == 1
    assert len(outage_logs(caplog, BACK_LOG)) == 1


@pytest.mark.redis
def test_when_redis_is_back_the_limits_are_shared_again(redis_cache):
    user = verified(ClientFactory())
    redis_cache.kill()
    redis_cache.start()
    for _ in range(5):
        log_in(user, "no-es-la-clave-1")

    assert "_auth_user_id" not in log_in(user).session
    assert redis.Redis.from_url(redis_cache.url).keys("*allauth:rl:*")  # counted in Redis, for every server


# --- The backend itself: every operation of Django's cache API answers with Redis down. ----------------------

OPERATIONS = {
    "add": lambda c: c.add(uuid.uuid4().hex, 1) is True,
    "get": lambda c: c.get("missing", "default") == "default",
    "set then get": lambda c: (c.set("k", 2), c.get("k"))[1] == 2,
    "touch": lambda c: (c.set("k", 1), c.touch("k", 10))[1] is True,
    "delete": lambda c: (c.set("k", 1), c.delete("k"))[1] is True,
    "get_many": lambda c: (c.set_many({"a": 1, "b": 2}), c.get_many(["a", "b"]))[1] == {"a": 1, "b": 2},
    "has_key": lambda c: (c.set("k", 1), c.has_key("k"))[1] is True,
    "incr": lambda c: (c.set("n", 1), c.incr("n"))[1] == 2,
    "decr": lambda c: (c.set("n", 1), c.decr("n"))[1] == 0,
    "set_many": lambda c: c.set_many({"a": 1}) == [],
    "delete_many": lambda c: (c.set("a", 1), c.delete_many(["a"]), c.get("a"))[2] is None,
    "get_or_set": lambda c: c.get_or_set("g", 5) == 5,
    "clear": lambda c: (c.set("k", 1), c.clear(), c.get("k"))[2] is None,
}


@pytest.mark.redis
@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_cache_operation_answers_with_redis_down(redis_server, operation, caplog):
    from sysmo.cache import RedisCacheWithLocalFallback

    redis_server.start()
    cache = RedisCacheWithLocalFallback(redis_server.url, {
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}, "RETRY_SECONDS": 0,
    })
    assert OPERATIONS[operation](cache)  # Redis up
    redis_server.kill()

    with caplog.at_level(logging.WARNING, logger="sysmo.cache"):
        assert all(OPERATIONS[operation](cache) for _ in range(3))

    assert len(outage_logs(caplog, DOWN_LOG)) == 1
    assert cache.is_down
