"""Every way to try a password is limited per account and per client address, keyed only on what the
client cannot choose: not the Host it sends, not an X-Forwarded-For it writes itself."""

import itertools

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.adapter import AccountAdapter
from accounts.tests.factories import TEST_PASSWORD, AdminFactory, ClientFactory, verified

pytestmark = pytest.mark.django_db

WRONG = "no-es-la-clave-1"
NEW_PASSWORD = "dulce-de-leche-2031"
LOCK_AFTER = 5  # ACCOUNT_RATE_LIMITS["login_failed"]: 5 failures per account in 5 minutes
ADDRESS_LOCK_AFTER = 10  # and 10 per client address in a minute
PROXY = "203.0.113.9"  # our proxy, the only one whose word about the client we take


# --- The ways to try a password: each returns True when the password was accepted. --------------------------


def by_login(user, password, **headers):
    browser = Client()
    browser.post(reverse("account_login"), {"login": user.email, "password": password}, **headers)
    return browser.session.get("_auth_user_id") == str(user.pk)


def by_reauthentication(user, password, **headers):
    browser = Client()
    browser.force_login(user)
    response = browser.post(reverse("account_reauthenticate"), {"password": password}, **headers)
    return response.status_code == 302


def by_password_change(user, password, **headers):
    browser = Client()
    browser.force_login(user)
    browser.post(reverse("account_change_password"), {
        "oldpassword": password, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
    }, **headers)
    user.refresh_from_db()
    return user.check_password(NEW_PASSWORD)


def by_admin_login(user, password, **headers):
    browser = Client()
    browser.post("/admin/login/", {"username": user.email, "password": password, "next": "/admin/"}, **headers)
    return browser.session.get("_auth_user_id") == str(user.pk)


ENTRY_POINTS = {
    "login": by_login,
    "reauthentication": by_reauthentication,
    "password change": by_password_change,
    "admin login": by_admin_login,
}

# --- How an attacker varies what the client sends, attempt after attempt. -----------------------------------


def same_request(n):
    return {}


def another_host_port(n):
    return {"HTTP_HOST": f"127.0.0.1:{n + 1}"}


def another_host_name(n):
    return {"HTTP_HOST": ["testserver", "localhost", "127.0.0.1", "LOCALHOST"][n % 4]}


def forged_forwarded_for(n):
    """A client that talks to us directly and writes its own X-Forwarded-For (no proxy is trusted)."""
    return {"HTTP_X_FORWARDED_FOR": f"198.51.100.{n + 1}"}


def forged_before_the_proxy(n):
    """Behind our proxy (TRUSTED_PROXY_COUNT=1): the client writes a header, the proxy appends the real address."""
    return {"HTTP_X_FORWARDED_FOR": f"198.51.100.{n + 1}, 192.0.2.44", "REMOTE_ADDR": PROXY}


VARIANTS = {
    "same request": same_request,
    "another port in Host": another_host_port,
    "another name in Host": another_host_name,
    "forged X-Forwarded-For": forged_forwarded_for,
    "forged X-Forwarded-For behind the proxy": forged_before_the_proxy,
}


@pytest.fixture
def behind_one_proxy(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


def account(entry_point):
    factory = AdminFactory if entry_point == "admin login" else ClientFactory
    return verified(factory())


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_after_the_lock_the_right_password_is_refused_whatever_the_client_varies(
    entry_point, variant, settings
):
    if variant == "forged X-Forwarded-For behind the proxy":
        settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    try_password, vary = ENTRY_POINTS[entry_point], VARIANTS[variant]
    user = account(entry_point)

    accepted = [try_password(user, WRONG, **vary(n)) for n in range(LOCK_AFTER)]
    assert not any(accepted)

    assert not try_password(user, TEST_PASSWORD, **vary(LOCK_AFTER))


@pytest.mark.parametrize(("locked_by", "tried_by"), [
    pair for pair in itertools.permutations(ENTRY_POINTS, 2) if "admin login" not in pair
])
def test_failures_on_one_entry_point_lock_the_others(locked_by, tried_by):
    """One count per account, whichever page the guesses came through (the admin's login evaluates none)."""
    user = verified(AdminFactory())
    for n in range(LOCK_AFTER):
        ENTRY_POINTS[locked_by](user, WRONG, HTTP_HOST=f"127.0.0.1:{n + 1}")

    assert not ENTRY_POINTS[tried_by](user, TEST_PASSWORD)


@pytest.mark.parametrize("entry_point", ["login", "reauthentication", "password change"])
def test_below_the_lock_the_right_password_works(entry_point):
    user = account(entry_point)
    for _ in range(LOCK_AFTER - 1):
        ENTRY_POINTS[entry_point](user, WRONG)

    assert ENTRY_POINTS[entry_point](user, TEST_PASSWORD)


def test_the_lock_is_per_account_from_any_address():
    user = verified(ClientFactory())
    for n in range(LOCK_AFTER):
        by_login(user, WRONG, REMOTE_ADDR=f"192.0.2.{n + 1}")

    assert not by_login(user, TEST_PASSWORD, REMOTE_ADDR="192.0.2.200")
    assert by_login(verified(ClientFactory()), TEST_PASSWORD, REMOTE_ADDR="192.0.2.200")  # others still log in


@pytest.mark.parametrize("variant", ["same request", "another port in Host", "forged X-Forwarded-For"])
def test_the_lock_is_per_address_across_accounts(variant):
    """Two guesses at each of many accounts (never enough to lock one) still stop that address."""
    vary = VARIANTS[variant]
    attacker = "192.0.2.66"
    victims = [verified(ClientFactory()) for _ in range(ADDRESS_LOCK_AFTER // 2)]
    for n, victim in enumerate(victims * 2):
        by_login(victim, WRONG, REMOTE_ADDR=attacker, **vary(n))
    fresh = verified(ClientFactory())

    assert not by_login(fresh, TEST_PASSWORD, REMOTE_ADDR=attacker, **vary(99))
    assert by_login(fresh, TEST_PASSWORD, REMOTE_ADDR="192.0.2.67")  # another address is not held up


def test_behind_the_proxy_each_real_client_has_its_own_address_limit(behind_one_proxy):
    victims = [verified(ClientFactory()) for _ in range(ADDRESS_LOCK_AFTER // 2)]
    for victim in victims * 2:
        by_login(victim, WRONG, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.66")
    fresh = verified(ClientFactory())

    assert not by_login(fresh, TEST_PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.66")
    assert by_login(fresh, TEST_PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.67")


def test_the_admin_login_page_only_sends_to_the_limited_login():
    admin = verified(AdminFactory())
    browser = Client()

    page = browser.get("/admin/login/?next=/admin/")
    response = browser.post("/admin/login/", {"username": admin.email, "password": TEST_PASSWORD})

    assert page.status_code == 302 and page.url.startswith(reverse("account_login"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert "_auth_user_id" not in browser.session
    browser.post(reverse("account_login"), {"login": admin.email, "password": TEST_PASSWORD})
    assert browser.get("/admin/").status_code == 200  # once logged in through allauth, the admin opens


def test_the_admins_password_change_is_the_limited_one():
    admin = verified(AdminFactory())
    browser = Client()
    browser.force_login(admin)

    response = browser.post("/admin/password_change/", {
        "old_password": TEST_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
    })

    assert response.status_code == 302 and response.url == reverse("account_change_password")
    admin.refresh_from_db()
    assert admin.check_password(TEST_PASSWORD)


# --- The one function that says who is asking. -----------------------------------------------------------------


@pytest.mark.parametrize(("proxies", "header", "meta", "expected"), [
    (0, None, {"REMOTE_ADDR": "192.0.2.1"}, "192.0.2.1"),
    (0, None, {"REMOTE_ADDR": "192.0.2.1", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}, "192.0.2.1"),
    (0, None, {"REMOTE_ADDR": "192.0.2.1", "HTTP_X_REAL_IP": "198.51.100.7"}, "192.0.2.1"),
    (1, None, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}, "198.51.100.7"),
    (1, None, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "6.6.6.6, 198.51.100.7"}, "198.51.100.7"),
    (2, None, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "6.6.6.6, 198.51.100.7, 10.0.0.2"}, "198.51.100.7"),
    # Fewer entries than trusted proxies: the request did not come through them; the peer is all we know.
    (2, None, {"REMOTE_ADDR": "192.0.2.1", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}, "192.0.2.1"),
    (1, None, {"REMOTE_ADDR": PROXY}, PROXY),
    (0, "X-Real-IP", {"REMOTE_ADDR": PROXY, "HTTP_X_REAL_IP": "198.51.100.7"}, "198.51.100.7"),
    (0, "X-Real-IP", {"REMOTE_ADDR": PROXY}, PROXY),
    (0, "X-Real-IP", {"REMOTE_ADDR": PROXY, "HTTP_X_REAL_IP": "not an address"}, PROXY),
])
def test_the_client_address_is_what_the_trusted_proxy_reports_else_the_peer(settings, proxies, header, meta,
                                                                               expected):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = proxies
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = header
    request = RequestFactory().post("/", **meta)

    assert AccountAdapter(request).get_client_ip(request) == expected
